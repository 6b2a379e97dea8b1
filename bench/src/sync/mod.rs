//! Each runtime's own synchronization primitives behind one trait, so the message-passing
//! and locking workloads are written once:
//!
//! | | oneshot | mpsc | Mutex, Semaphore |
//! |---|---|---|---|
//! | kairos | `kairos::sync::oneshot` | `kairos::sync::mpsc` | `kairos::sync` |
//! | tokio | `tokio::sync::oneshot` | `tokio::sync::mpsc` | `tokio::sync` |
//! | smol | `async-channel` (capacity 1) | `async-channel` | `async-lock` |
//! | async-std | `async_std::channel` (capacity 1) | `async_std::channel` | `async_std::sync::Mutex`, `async-lock`'s `Semaphore` |
//!
//! smol has no oneshot channel of its own; its users reach for a capacity-1 `async-channel`.
//! async-std's channels are async-channel re-exported, its `Mutex` is async-lock's, and it
//! has no semaphore (async-lock's is what its users take).
//!
//! Every method is a thin call into the runtime's type: no boxing, no extra allocation.

mod async_channel_api;
mod tokio_api;

use std::future::Future;
use std::ops::DerefMut;

/// Channels, a mutex and a semaphore, as the runtime's users get them.
pub trait SyncPrimitives {
    /// The sending half of a oneshot channel.
    type OneshotSender<T: Send + 'static>: Send + 'static;
    /// The receiving half of a oneshot channel.
    type OneshotReceiver<T: Send + 'static>: Send + 'static;
    /// The sending half of a bounded mpsc channel.
    type Sender<T: Send + 'static>: Clone + Send + Sync + 'static;
    /// The receiving half of a bounded mpsc channel.
    type Receiver<T: Send + 'static>: Send + 'static;
    /// The sending half of an unbounded mpsc channel.
    type UnboundedSender<T: Send + 'static>: Clone + Send + Sync + 'static;
    /// The receiving half of an unbounded mpsc channel.
    type UnboundedReceiver<T: Send + 'static>: Send + 'static;
    /// An asynchronous mutex.
    type Mutex<T: Send + 'static>: Send + Sync + 'static;
    /// An asynchronous counting semaphore.
    type Semaphore: Send + Sync + 'static;

    /// A oneshot channel.
    fn oneshot<T: Send + 'static>() -> (Self::OneshotSender<T>, Self::OneshotReceiver<T>);
    /// Sends the one value (the receiver is alive in every workload).
    fn send_oneshot<T: Send + 'static>(sender: Self::OneshotSender<T>, value: T);
    /// Receives the one value.
    fn recv_oneshot<T: Send + 'static>(
        receiver: Self::OneshotReceiver<T>,
    ) -> impl Future<Output = T> + Send;

    /// A bounded mpsc channel.
    fn channel<T: Send + 'static>(capacity: usize) -> (Self::Sender<T>, Self::Receiver<T>);
    /// Sends, waiting for room.
    fn send<T: Send + 'static>(
        sender: &Self::Sender<T>,
        value: T,
    ) -> impl Future<Output = ()> + Send + '_;
    /// Receives the next value, or `None` once every sender is gone.
    fn recv<T: Send + 'static>(
        receiver: &mut Self::Receiver<T>,
    ) -> impl Future<Output = Option<T>> + Send + '_;

    /// An unbounded mpsc channel.
    fn unbounded<T: Send + 'static>() -> (Self::UnboundedSender<T>, Self::UnboundedReceiver<T>);
    /// Sends without waiting.
    fn send_unbounded<T: Send + 'static>(sender: &Self::UnboundedSender<T>, value: T);
    /// Receives the next value, or `None` once every sender is gone.
    fn recv_unbounded<T: Send + 'static>(
        receiver: &mut Self::UnboundedReceiver<T>,
    ) -> impl Future<Output = Option<T>> + Send + '_;

    /// A mutex around `value`.
    fn mutex<T: Send + 'static>(value: T) -> Self::Mutex<T>;
    /// Locks the mutex; the guard unlocks it when dropped.
    fn lock<T: Send + 'static>(
        mutex: &Self::Mutex<T>,
    ) -> impl Future<Output = impl DerefMut<Target = T> + Send + '_> + Send + '_;

    /// A semaphore with `permits` permits.
    fn semaphore(permits: usize) -> Self::Semaphore;
    /// Acquires one permit; the permit is released when dropped.
    fn acquire(semaphore: &Self::Semaphore) -> impl Future<Output = impl Send + '_> + Send + '_;
}
