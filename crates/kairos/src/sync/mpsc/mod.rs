//! Multi-producer, single-consumer channels: many tasks send, one receives, in order.
//!
//! - [`channel`] makes a bounded channel: [`Sender::send`] waits while it is full, which
//!   slows producers down to the consumer's pace (back-pressure). [`Sender::reserve`]
//!   waits for room without committing a value, which makes it cancel safe.
//! - [`unbounded_channel`] makes a channel whose [`UnboundedSender::send`] never waits.
//!
//! Messages from one sender arrive in the order it sent them. The channel ends for the
//! receiver (`recv` returns `None`) once every sender is dropped and the queue is drained.
//! Dropping the receiver makes sends fail, returning the value ([`error::SendError`]), and
//! drops the queued messages; every message is dropped exactly once.
//!
//! Sending with a timeout (tokio's `send_timeout`) is not available yet: it needs the
//! timer driver.
//!
//! # Examples
//!
//! ```
//! use kairos::sync::mpsc;
//!
//! # kairos::runtime::Runtime::new().unwrap().block_on(async {
//! let (tx, mut rx) = mpsc::channel(16);
//! for id in 0..4 {
//!     let tx = tx.clone();
//!     kairos::spawn(async move {
//!         for n in 0..10 {
//!             tx.send((id, n)).await.unwrap();
//!         }
//!     });
//! }
//! drop(tx);
//! let mut count = 0;
//! while let Some((_id, _n)) = rx.recv().await {
//!     count += 1;
//! }
//! assert_eq!(count, 40);
//! # });
//! ```
//!
//! # Design
//!
//! The queue is a `VecDeque` under a mutex shared with the receiver's waker (see
//! `chan.rs`), and the bound is the fair batch semaphore of `sync/batch_semaphore.rs`: a
//! sender's permit is the room its message will occupy, handed back when the receiver
//! takes the message out. tokio uses a lock-free linked list of blocks instead; the locked
//! queue was chosen first because it is short, obviously correct and fast when the lock is
//! not contended, and batch receives (`recv_many`) take many messages per lock. Whether a
//! lock-free queue pays for itself under heavy contention is for the benchmarks to show.

mod bounded;
mod chan;
pub mod error;
mod permit;
mod receiver;
mod unbounded;

pub use self::bounded::{channel, Sender, WeakSender};
pub use self::permit::{OwnedPermit, Permit, PermitIterator};
pub use self::receiver::Receiver;
pub use self::unbounded::{
    unbounded_channel, UnboundedReceiver, UnboundedSender, WeakUnboundedSender,
};

#[cfg(all(test, loom))]
mod loom_mpsc;
