//! A multi-producer, multi-consumer channel in which every receiver sees every value.
//!
//! [`channel`] returns a [`Sender`] and a first [`Receiver`]; more receivers come from
//! [`Sender::subscribe`] and see the values sent after they subscribed. Values are cloned
//! for each receiver. The channel holds the last `capacity` values; a receiver that falls
//! further behind loses the oldest ones and is told how many with
//! [`RecvError::Lagged`](error::RecvError::Lagged), then continues from the oldest value
//! still held. Senders never wait.
//!
//! # Examples
//!
//! ```
//! use kairos::sync::broadcast;
//!
//! # kairos::runtime::Runtime::new().unwrap().block_on(async {
//! let (tx, mut rx1) = broadcast::channel(16);
//! let mut rx2 = tx.subscribe();
//! tx.send(10).unwrap();
//! tx.send(20).unwrap();
//! assert_eq!(rx1.recv().await, Ok(10));
//! assert_eq!(rx2.recv().await, Ok(10));
//! assert_eq!(rx1.recv().await, Ok(20));
//! assert_eq!(rx2.recv().await, Ok(20));
//! # });
//! ```
//!
//! # The protocol
//!
//! Values live in a ring of `capacity` slots (rounded up to a power of two), each behind a
//! reader-writer lock and stamped with the position it was written at. `tail` (a mutex)
//! holds the next position, the receiver count, the closed flag and the wait list.
//!
//! 1. A send takes the tail lock, writes slot `pos % capacity` under its write lock (stamp
//!    `pos`, value, and the count of receivers that have yet to read it), advances the
//!    position, and pops every waiter; it wakes them after unlocking. Lock order is always
//!    tail, then slot.
//! 2. A receiver at position `next` first reads its slot under the read lock: if the stamp
//!    is `next`, it clones the value. Otherwise it takes the tail lock (after releasing the
//!    slot): `next == tail` means nothing new (wait, or closed); `next` older than
//!    `tail - capacity` means it lagged (skip to the oldest); anything else means the slot
//!    was written since, and it is read again with the tail lock held.
//! 3. A waiting receiver is linked into the wait list under the tail lock in the same
//!    critical section in which it saw `next == tail`, so a send either came before (and
//!    is seen) or comes after (and pops it): no lost wake-up.
//! 4. Each slot counts the receivers that still have to read it; the one that brings the
//!    count to zero drops the value (so values do not linger), as does a dropped receiver
//!    for the values it never read. A value never read by some lagging receiver is dropped
//!    when its slot is overwritten, and the rest when the channel is dropped: exactly once.

use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::{Mutex, RwLock};
use crate::sync::sender_count::SenderCount;
use crate::sync::wait_list::{WaitList, Waiter};
use crate::sync::wake_list::WakeList;
use crate::sync::Notify;
use std::pin::Pin;
use std::task::Waker;

pub mod error;
mod receiver;
mod sender;

pub use self::receiver::Receiver;
pub use self::sender::{Sender, WeakSender};

use self::error::{SendError, TryRecvError};

/// Creates a broadcast channel holding the last `capacity` values (rounded up to a power of
/// two).
///
/// # Panics
///
/// If `capacity` is 0 or larger than `usize::MAX / 2`.
///
/// # Examples
///
/// ```
/// use kairos::sync::broadcast::{self, error::TryRecvError};
///
/// let (tx, mut rx) = broadcast::channel(2);
/// for i in 0..3 {
///     tx.send(i).unwrap();
/// }
/// // The channel holds two values: the first was overwritten before `rx` read it.
/// assert_eq!(rx.try_recv(), Err(TryRecvError::Lagged(1)));
/// assert_eq!(rx.try_recv(), Ok(1));
/// assert_eq!(rx.try_recv(), Ok(2));
/// ```
#[track_caller]
pub fn channel<T: Clone>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    assert!(
        capacity > 0,
        "a broadcast channel needs a capacity of at least 1"
    );
    assert!(
        capacity <= usize::MAX >> 1,
        "a broadcast channel holds at most usize::MAX / 2 values"
    );
    let capacity = capacity.next_power_of_two();
    let buffer = (0..capacity)
        .map(|_| {
            RwLock::new(Slot {
                pos: NEVER_WRITTEN,
                unread: AtomicUsize::new(0),
                value: None,
            })
        })
        .collect();
    let shared = crate::loom::sync::Arc::new(Shared {
        buffer,
        mask: capacity - 1,
        tail: Mutex::new(Tail {
            pos: 0,
            receivers: 1,
            closed: false,
            waiters: WaitList::new(),
        }),
        senders: SenderCount::one(),
        receivers_gone: Notify::new(),
    });
    (Sender::new(shared.clone()), Receiver::new(shared, 0))
}

/// The stamp of a slot nothing was written to yet: no receiver ever looks for it.
const NEVER_WRITTEN: u64 = u64::MAX;

pub(super) struct Shared<T> {
    buffer: Box<[RwLock<Slot<T>>]>,
    mask: usize,
    tail: Mutex<Tail>,
    senders: SenderCount,
    /// Woken (all) when the last receiver goes, for `Sender::closed`.
    receivers_gone: Notify,
}

struct Tail {
    /// The position the next value is written at.
    pos: u64,
    receivers: usize,
    /// Every sender is gone.
    closed: bool,
    waiters: WaitList<()>,
}

struct Slot<T> {
    /// The position this slot was last written at.
    pos: u64,
    /// Receivers that still have to read the value (rule 4).
    unread: AtomicUsize,
    value: Option<T>,
}

impl<T> Shared<T> {
    fn capacity(&self) -> u64 {
        self.buffer.len() as u64
    }

    fn slot(&self, pos: u64) -> &RwLock<Slot<T>> {
        &self.buffer[pos as usize & self.mask]
    }

    /// Rule 1.
    fn send(&self, value: T) -> Result<usize, SendError<T>> {
        let mut tail = self.tail.lock();
        if tail.receivers == 0 {
            return Err(SendError(value));
        }
        let pos = tail.pos;
        let overwritten = {
            let mut slot = self.slot(pos).write();
            slot.pos = pos;
            slot.unread = AtomicUsize::new(tail.receivers);
            slot.value.replace(value)
        };
        tail.pos += 1;
        let receivers = tail.receivers;
        let mut wakers = pop_all(&mut tail.waiters);
        drop(tail);
        wakers.wake_all();
        drop(overwritten);
        Ok(receivers)
    }

    /// The last sender is gone: wake every waiting receiver to see the close.
    fn close(&self) {
        let mut tail = self.tail.lock();
        tail.closed = true;
        let mut wakers = pop_all(&mut tail.waiters);
        drop(tail);
        wakers.wake_all();
    }

    /// A new receiver, starting after the values sent so far.
    fn subscribe(&self) -> u64 {
        let mut tail = self.tail.lock();
        tail.receivers += 1;
        tail.pos
    }

    /// Rule 2: receives the value at `*next`, advancing it. With `register`, a receiver
    /// that finds nothing new is linked into the wait list (rule 3).
    fn recv_at(
        &self,
        next: &mut u64,
        register: Option<(Pin<&Waiter<()>>, &Waker)>,
    ) -> Result<T, TryRecvError>
    where
        T: Clone,
    {
        {
            let slot = self.slot(*next).read();
            if slot.pos == *next {
                return Ok(self.read_value(slot, next));
            }
        }
        let mut tail = self.tail.lock();
        if *next == tail.pos {
            if tail.closed {
                return Err(TryRecvError::Closed);
            }
            if let Some((waiter, waker)) = register {
                // SAFETY: the waiter is pinned in its `Recv` future, only ever joins this
                // channel's list, and `Recv::drop` unlinks it under this lock.
                unsafe {
                    if !tail.waiters.update_waker(&waiter, waker) {
                        tail.waiters.push_back(waiter, Some(waker));
                    }
                }
            }
            return Err(TryRecvError::Empty);
        }
        let oldest = tail.pos.saturating_sub(self.capacity());
        if *next < oldest {
            let missed = oldest - *next;
            *next = oldest;
            return Err(TryRecvError::Lagged(missed));
        }
        // Written since the first look; no sender can overwrite it while we hold the tail
        // lock, and none can once we hold the slot's read lock.
        let slot = self.slot(*next).read();
        drop(tail);
        debug_assert_eq!(slot.pos, *next, "slot not written below the tail");
        Ok(self.read_value(slot, next))
    }

    /// Clones the value of a slot stamped `*next` and advances `*next` (rule 4).
    fn read_value(&self, slot: crate::loom::sync::RwLockReadGuard<'_, Slot<T>>, next: &mut u64) -> T
    where
        T: Clone,
    {
        let value = slot
            .value
            .clone()
            .expect("a value is kept until every receiver counted for it has read it");
        let pos = slot.pos;
        let last = slot.unread.fetch_sub(1, Ordering::AcqRel) == 1;
        drop(slot);
        *next = pos + 1;
        if last {
            self.drop_value_if_read(pos);
        }
        value
    }

    /// Drops the value written at `pos` once nobody has to read it any more (rule 4).
    fn drop_value_if_read(&self, pos: u64) {
        let mut slot = self.slot(pos).write();
        if slot.pos == pos && slot.unread.load(Ordering::Acquire) == 0 {
            let value = slot.value.take();
            drop(slot);
            drop(value);
        }
    }

    /// A receiver at `next` is gone: stop counting it, and release the values it was
    /// counted for but never read (rule 4).
    fn release_receiver(&self, next: u64) {
        let (until, last) = {
            let mut tail = self.tail.lock();
            tail.receivers -= 1;
            (tail.pos, tail.receivers == 0)
        };
        if last {
            self.receivers_gone.notify_waiters();
        }
        for pos in next.max(until.saturating_sub(self.capacity()))..until {
            let slot = self.slot(pos).read();
            if slot.pos != pos {
                continue; // overwritten meanwhile
            }
            let last_reader = slot.unread.fetch_sub(1, Ordering::AcqRel) == 1;
            drop(slot);
            if last_reader {
                self.drop_value_if_read(pos);
            }
        }
    }

    /// Unlinks a `Recv` future's waiter.
    ///
    /// # Safety
    ///
    /// `waiter` only ever joins this channel's list.
    unsafe fn unregister(&self, waiter: &Waiter<()>) {
        let mut tail = self.tail.lock();
        // SAFETY: guaranteed by the caller.
        unsafe { tail.waiters.remove(waiter) };
    }

    /// Values sent that receivers have yet to see (by `next`) or that are still held.
    fn len_from(&self, next: u64) -> usize {
        (self.tail.lock().pos - next) as usize
    }

    fn is_closed(&self) -> bool {
        self.tail.lock().closed
    }

    fn receiver_count(&self) -> usize {
        self.tail.lock().receivers
    }

    /// Values held that some receiver alive when they were sent has not read yet.
    fn queued(&self) -> usize {
        let tail = self.tail.lock();
        let start = tail.pos.saturating_sub(self.capacity());
        (start..tail.pos)
            .filter(|&pos| {
                let slot = self.slot(pos).read();
                slot.pos == pos && slot.unread.load(Ordering::Acquire) > 0
            })
            .count()
    }
}

/// Pops every waiter of `list`, collecting the wakers to wake after unlocking.
fn pop_all(list: &mut WaitList<()>) -> WakeList {
    let mut wakers = WakeList::new();
    while let Some(((), waker)) = list.pop_front_with(|_| ()) {
        if let Some(waker) = waker {
            wakers.push(waker);
        }
    }
    wakers
}

#[cfg(all(test, loom))]
mod loom_broadcast;
