//! The receiving side of a broadcast channel: [`Receiver`] and its `recv` future.

use super::error::{RecvError, TryRecvError};
use super::Shared;
use crate::loom::sync::Arc;
use crate::sync::wait_list::Waiter;
use crate::task::coop;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// Receives every value sent on a broadcast channel after it subscribed, in order.
///
/// Made by [`channel`](super::channel) and [`Sender::subscribe`](super::Sender::subscribe).
/// Dropping it releases the values it had yet to read.
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
    /// The position of the next value to read.
    next: u64,
}

/// The future of [`Receiver::recv`]: a receive that may wait in the channel's wait list.
struct Recv<'a, T> {
    receiver: &'a mut Receiver<T>,
    /// Structurally pinned: linked into the wait list while waiting.
    waiter: Waiter<()>,
    /// Whether the waiter may be linked (so `Drop` must take the lock to unlink it).
    registered: bool,
}

impl<T> Receiver<T> {
    pub(super) fn new(shared: Arc<Shared<T>>, next: u64) -> Receiver<T> {
        Receiver { shared, next }
    }

    /// Waits for the next value.
    ///
    /// # Errors
    ///
    /// [`RecvError::Lagged`] if values were overwritten before this receiver read them
    /// (the next call returns the oldest value still held), and [`RecvError::Closed`]
    /// once every sender is gone and every value was read.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a value is only consumed when `recv` returns it, so dropping a pending
    /// `recv` loses nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::broadcast::{self, error::RecvError};
    ///
    /// # kairos::runtime::Runtime::new().unwrap().block_on(async {
    /// let (tx, mut rx) = broadcast::channel(8);
    /// kairos::spawn(async move {
    ///     tx.send(1).unwrap();
    ///     tx.send(2).unwrap();
    /// });
    /// assert_eq!(rx.recv().await, Ok(1));
    /// assert_eq!(rx.recv().await, Ok(2));
    /// assert_eq!(rx.recv().await, Err(RecvError::Closed));
    /// # });
    /// ```
    pub async fn recv(&mut self) -> Result<T, RecvError>
    where
        T: Clone,
    {
        Recv {
            receiver: self,
            waiter: Waiter::new(()),
            registered: false,
        }
        .await
    }

    /// Takes the next value if there is one, without waiting.
    ///
    /// # Errors
    ///
    /// [`TryRecvError::Empty`] if there is no unread value right now, and otherwise as
    /// [`recv`](Receiver::recv).
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::broadcast::{self, error::TryRecvError};
    ///
    /// let (tx, mut rx) = broadcast::channel(2);
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// tx.send(5).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(5));
    /// drop(tx);
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError>
    where
        T: Clone,
    {
        self.shared.recv_at(&mut self.next, None)
    }

    /// Waits for the next value from synchronous code, blocking the thread.
    ///
    /// # Errors
    ///
    /// As [`recv`](Receiver::recv).
    ///
    /// # Panics
    ///
    /// When called on a thread that is running asynchronous tasks (inside a runtime).
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::broadcast;
    ///
    /// let (tx, mut rx) = broadcast::channel(1);
    /// std::thread::spawn(move || tx.send(8).unwrap());
    /// assert_eq!(rx.blocking_recv(), Ok(8));
    /// ```
    #[track_caller]
    pub fn blocking_recv(&mut self) -> Result<T, RecvError>
    where
        T: Clone,
    {
        crate::runtime::park::block_on("broadcast::Receiver::blocking_recv", self.recv())
    }

    /// A new receiver of the same channel that starts after the values sent so far.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::broadcast;
    ///
    /// let (tx, rx) = broadcast::channel(2);
    /// tx.send(1).unwrap();
    /// let mut fresh = rx.resubscribe();
    /// tx.send(2).unwrap();
    /// assert_eq!(fresh.try_recv(), Ok(2));
    /// ```
    pub fn resubscribe(&self) -> Receiver<T> {
        let next = self.shared.subscribe();
        Receiver::new(self.shared.clone(), next)
    }

    /// How many values were sent that this receiver has not read yet (including ones it
    /// will find overwritten).
    pub fn len(&self) -> usize {
        self.shared.len_from(self.next)
    }

    /// Whether this receiver has read every value sent so far.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether every sender is gone and this receiver has read every value.
    pub fn is_closed(&self) -> bool {
        self.shared.is_closed() && self.is_empty()
    }

    /// Whether `other` receives from the same channel.
    pub fn same_channel(&self, other: &Receiver<T>) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }

    /// How many [`Sender`](super::Sender)s of the channel are alive.
    pub fn sender_strong_count(&self) -> usize {
        self.shared.senders.strong()
    }

    /// How many [`WeakSender`](super::WeakSender)s of the channel are alive.
    pub fn sender_weak_count(&self) -> usize {
        self.shared.senders.weak()
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.shared.release_receiver(self.next);
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("next", &self.next)
            .finish_non_exhaustive()
    }
}

impl<T: Clone> Future for Recv<'_, T> {
    type Output = Result<T, RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `waiter` is structurally pinned and never moved out; the other fields
        // are never pinned.
        let this = unsafe { self.get_unchecked_mut() };
        let coop = ready!(coop::poll_proceed(cx));
        // SAFETY: `this` lives in pinned memory, so its field does too.
        let waiter = unsafe { Pin::new_unchecked(&this.waiter) };
        let receiver = &mut *this.receiver;
        let result = match receiver
            .shared
            .recv_at(&mut receiver.next, Some((waiter, cx.waker())))
        {
            Ok(value) => Ok(value),
            Err(TryRecvError::Empty) => {
                this.registered = true;
                return Poll::Pending;
            }
            Err(TryRecvError::Closed) => Err(RecvError::Closed),
            Err(TryRecvError::Lagged(missed)) => Err(RecvError::Lagged(missed)),
        };
        coop.made_progress();
        Poll::Ready(result)
    }
}

impl<T> Drop for Recv<'_, T> {
    fn drop(&mut self) {
        if self.registered {
            // SAFETY: this waiter only ever joins this channel's list.
            unsafe { self.receiver.shared.unregister(&self.waiter) };
        }
    }
}
