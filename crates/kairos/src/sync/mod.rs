//! Synchronization primitives for asynchronous code: channels, locks, semaphores and
//! notifications.
//!
//! Every primitive here is runtime-independent: it only uses the [`Waker`](std::task::Waker)
//! it is polled with, so it works inside a Kairos runtime, under another executor (such as
//! `futures::executor::block_on`), and between a runtime and plain threads. Inside a Kairos
//! runtime, operations that complete charge the task's cooperative budget, so a task that
//! always finds its channel ready still yields to its neighbours.
//!
//! Waiting never allocates: each waiting future embeds its own queue node and links it into
//! the primitive's intrusive wait list (see `wait_list.rs`), and waiters are served first
//! come, first served.
//!
//! - Message passing: [`oneshot`] (one value, one sender to one receiver), [`mpsc`] (many
//!   senders, one receiver, bounded or unbounded), [`broadcast`] (every receiver sees every
//!   value), [`watch`] (receivers see the latest value).
//! - Mutual exclusion: [`Mutex`], [`RwLock`].
//! - Signalling and limits: [`Notify`], [`Semaphore`], [`Barrier`].
//! - One-time initialisation: [`OnceCell`], [`SetOnce`].

#[macro_use]
mod guard_fmt;

mod barrier;
mod batch_semaphore;
pub mod broadcast;
mod cooperative;
pub mod mpsc;
mod mutex;
mod notify;
mod once_cell;
mod once_slot;
pub mod oneshot;
mod rwlock;
mod semaphore;
mod sender_count;
mod set_once;
mod wait_list;
pub(crate) mod wake_list;
pub mod watch;

pub use self::barrier::{Barrier, BarrierWaitResult};
pub use self::batch_semaphore::{AcquireError, TryAcquireError};
pub use self::mutex::{
    MappedMutexGuard, Mutex, MutexGuard, OwnedMappedMutexGuard, OwnedMutexGuard, TryLockError,
};
pub use self::notify::{Notified, Notify, OwnedNotified};
pub use self::once_cell::{OnceCell, SetError};
pub use self::rwlock::{
    OwnedRwLockMappedWriteGuard, OwnedRwLockReadGuard, OwnedRwLockWriteGuard, RwLock,
    RwLockMappedWriteGuard, RwLockReadGuard, RwLockWriteGuard,
};
pub use self::semaphore::{OwnedSemaphorePermit, Semaphore, SemaphorePermit};
pub use self::set_once::{SetOnce, SetOnceError};

#[cfg(all(test, loom))]
mod loom_barrier;
#[cfg(all(test, loom))]
mod loom_notify;
#[cfg(all(test, loom))]
mod loom_once;
#[cfg(all(test, loom))]
mod loom_semaphore;
