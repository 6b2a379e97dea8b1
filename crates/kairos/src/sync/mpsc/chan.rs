//! The channel shared by the bounded and unbounded flavours: the message queue, the
//! receiver's waker, the sender counts, and the receiving logic.
//!
//! # The protocol
//!
//! Messages wait in a `VecDeque` under one mutex, together with the receiver's waker and
//! the two closed flags; capacity is accounted for separately by a [`Capacity`]: a
//! [`BatchSemaphore`] of `bound` permits for the bounded flavour (a sender holds a permit
//! from `reserve` until the receiver takes its message out), an atomic count of messages
//! in flight for the unbounded one.
//!
//! 1. A sender first obtains capacity (a permit, or an increment of the count); this fails
//!    once the receiver has closed the channel, which closes the capacity. Then it pushes
//!    the message under the lock, takes the receiver's waker, and wakes it after unlocking.
//! 2. The receiver pops under the lock, then gives the capacity back. Finding the queue
//!    empty, it stores its waker under the same lock, so a push either happens before (and
//!    is seen) or after (and takes the waker): no lost wake-up.
//! 3. The channel ends for the receiver when the queue is empty and either every sender is
//!    gone (`tx_closed`, set under the lock by the last one) or the receiver closed it and
//!    no capacity is outstanding (nobody can send any more). Capacity given back unused
//!    after a close (a dropped permit, or a `reserve` cancelled or failed after room was
//!    assigned to it) wakes the receiver, which re-checks.
//! 4. Dropping the receiver closes the channel and drops the queued messages; a message
//!    pushed afterwards (through a permit taken before) is dropped at once. Messages still
//!    queued when the last handle goes are dropped with the channel: each exactly once.

use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::{Arc, Mutex};
use crate::sync::batch_semaphore::{Acquire, AcquireError, BatchSemaphore};
use crate::sync::mpsc::error::TryRecvError;
use crate::sync::sender_count::SenderCount;
use crate::sync::Notify;
use crate::task::coop;
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::mem::ManuallyDrop;
use std::pin::Pin;
use std::task::{ready, Context, Poll, Waker};

/// How a channel flavour accounts for the messages it holds.
pub(super) trait Capacity: Send + Sync {
    /// Gives back the capacity of `n` messages the receiver took out (or a sender gave up).
    fn release(&self, n: usize);
    /// Whether no capacity is taken: no message queued or about to be.
    fn is_idle(&self) -> bool;
    /// Makes every later attempt to obtain capacity fail.
    fn close(&self);
    fn is_closed(&self) -> bool;
}

/// The bounded flavour's capacity: `bound` permits.
#[derive(Debug)]
pub(super) struct Bounded {
    pub(super) semaphore: BatchSemaphore,
    pub(super) bound: usize,
}

impl Capacity for Bounded {
    fn release(&self, n: usize) {
        self.semaphore.release(n);
    }

    fn is_idle(&self) -> bool {
        self.semaphore.available_permits() == self.bound
    }

    fn close(&self) {
        self.semaphore.close();
    }

    fn is_closed(&self) -> bool {
        self.semaphore.is_closed()
    }
}

/// The unbounded flavour's capacity: messages in flight, shifted left by one, with the
/// closed flag in bit 0.
#[derive(Debug)]
pub(super) struct Unbounded(AtomicUsize);

impl Unbounded {
    pub(super) fn new() -> Unbounded {
        Unbounded(AtomicUsize::new(0))
    }

    /// Counts one more message in flight, unless the channel is closed.
    pub(super) fn try_add(&self) -> bool {
        let mut state = self.0.load(Ordering::Acquire);
        loop {
            if state & 1 != 0 {
                return false;
            }
            let next = state
                .checked_add(2)
                .expect("more unbounded messages in flight than usize can count");
            match self
                .0
                .compare_exchange_weak(state, next, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return true,
                Err(actual) => state = actual,
            }
        }
    }
}

impl Capacity for Unbounded {
    fn release(&self, n: usize) {
        self.0.fetch_sub(n << 1, Ordering::AcqRel);
    }

    fn is_idle(&self) -> bool {
        self.0.load(Ordering::Acquire) >> 1 == 0
    }

    fn close(&self) {
        self.0.fetch_or(1, Ordering::AcqRel);
    }

    fn is_closed(&self) -> bool {
        self.0.load(Ordering::Acquire) & 1 != 0
    }
}

/// The shared channel.
pub(super) struct Chan<T, C> {
    queue: Mutex<Queue<T>>,
    pub(super) capacity: C,
    /// Live `Sender`s (and `OwnedPermit`s, which hold one) and `WeakSender`s.
    senders: SenderCount,
    /// Woken (all waiters) when the receiver closes, for `Sender::closed`.
    rx_closed: Notify,
}

struct Queue<T> {
    messages: VecDeque<T>,
    rx_waker: Option<Waker>,
    /// Every sender is gone (rule 3).
    tx_closed: bool,
    /// The receiver closed the channel (rule 3).
    rx_closed: bool,
    /// The receiver is gone: pushed messages are dropped at once (rule 4).
    rx_dropped: bool,
}

/// A strong sender's reference to the channel: counted in `senders`.
pub(super) struct Tx<T, C: Capacity> {
    chan: Arc<Chan<T, C>>,
}

/// A weak sender's reference: keeps the memory alive, not the channel open.
pub(super) struct WeakTx<T, C: Capacity> {
    chan: Arc<Chan<T, C>>,
}

/// The receiver's reference.
pub(super) struct Rx<T, C: Capacity> {
    chan: Arc<Chan<T, C>>,
}

/// Creates a channel with one sender and the receiver.
pub(super) fn channel<T, C: Capacity>(capacity: C) -> (Tx<T, C>, Rx<T, C>) {
    let chan = Arc::new(Chan {
        queue: Mutex::new(Queue {
            messages: VecDeque::new(),
            rx_waker: None,
            tx_closed: false,
            rx_closed: false,
            rx_dropped: false,
        }),
        capacity,
        senders: SenderCount::one(),
        rx_closed: Notify::new(),
    });
    (Tx { chan: chan.clone() }, Rx { chan })
}

impl<T, C: Capacity> Tx<T, C> {
    pub(super) fn capacity(&self) -> &C {
        &self.chan.capacity
    }

    /// Queues a message whose capacity the caller already obtained (rule 1).
    pub(super) fn push(&self, message: T) {
        let mut queue = self.chan.queue.lock();
        if queue.rx_dropped {
            drop(queue);
            self.chan.capacity.release(1);
            drop(message);
            return;
        }
        queue.messages.push_back(message);
        let waker = queue.rx_waker.take();
        drop(queue);
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Gives back capacity that was obtained but not used (rule 3).
    pub(super) fn release_unused(&self, n: usize) {
        self.chan.capacity.release(n);
        self.wake_rx_if_closed();
    }

    /// After capacity came back: a receiver that closed the channel may be waiting for
    /// exactly that to end (rule 3), so wake it to re-check.
    fn wake_rx_if_closed(&self) {
        let mut queue = self.chan.queue.lock();
        let waker = if queue.rx_closed {
            queue.rx_waker.take()
        } else {
            None
        };
        drop(queue);
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Whether the receiver closed the channel (or is gone).
    pub(super) fn is_closed(&self) -> bool {
        self.chan.capacity.is_closed()
    }

    /// Waits until the receiver closes the channel.
    pub(super) async fn closed(&self) {
        loop {
            // Created before the check: a close after it is seen (notify_waiters counts
            // from creation).
            let notified = self.chan.rx_closed.notified();
            if self.is_closed() {
                return;
            }
            notified.await;
        }
    }

    pub(super) fn same_channel(&self, other: &Tx<T, C>) -> bool {
        Arc::ptr_eq(&self.chan, &other.chan)
    }

    pub(super) fn downgrade(&self) -> WeakTx<T, C> {
        self.chan.senders.add_weak();
        WeakTx {
            chan: self.chan.clone(),
        }
    }

    pub(super) fn strong_count(&self) -> usize {
        self.chan.senders.strong()
    }

    pub(super) fn weak_count(&self) -> usize {
        self.chan.senders.weak()
    }
}

impl<T> Tx<T, Bounded> {
    /// Waits for room for `n` messages (rule 1).
    pub(super) fn reserve(&self, n: usize) -> Reserve<'_, T> {
        Reserve {
            tx: self,
            acquire: ManuallyDrop::new(self.chan.capacity.semaphore.acquire(n)),
            done: false,
        }
    }
}

/// The future of [`Tx::reserve`]. A wait that ends without the room (cancelled, or failed
/// because the channel closed) may have handed back room it was already assigned, which
/// can be the last the closed receiver waits for: it wakes the receiver then (rule 3).
pub(super) struct Reserve<'a, T> {
    tx: &'a Tx<T, Bounded>,
    /// Structurally pinned; dropped in place in `Drop`, before the receiver is woken.
    acquire: ManuallyDrop<Acquire<'a>>,
    done: bool,
}

impl<T> Future for Reserve<'_, T> {
    type Output = Result<(), AcquireError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `acquire` is structurally pinned (never moved; dropped in place); the
        // other fields are never pinned.
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: as above: `this` is pinned, so is its field.
        let acquire = unsafe { Pin::new_unchecked(&mut *this.acquire) };
        let result = ready!(acquire.poll(cx));
        this.done = result.is_ok();
        Poll::Ready(result)
    }
}

impl<T> Drop for Reserve<'_, T> {
    fn drop(&mut self) {
        // SAFETY: `acquire` is not used again; dropping it in place keeps the pinning
        // promise, and returns any room it held before the receiver is woken.
        unsafe { ManuallyDrop::drop(&mut self.acquire) };
        if !self.done {
            self.tx.wake_rx_if_closed();
        }
    }
}

impl<T, C: Capacity> Clone for Tx<T, C> {
    fn clone(&self) -> Tx<T, C> {
        self.chan.senders.add_strong();
        Tx {
            chan: self.chan.clone(),
        }
    }
}

impl<T, C: Capacity> Drop for Tx<T, C> {
    fn drop(&mut self) {
        if !self.chan.senders.remove_strong() {
            return;
        }
        // The last sender: the receiver ends once the queue is drained (rule 3).
        let mut queue = self.chan.queue.lock();
        queue.tx_closed = true;
        let waker = queue.rx_waker.take();
        drop(queue);
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl<T, C: Capacity> WeakTx<T, C> {
    /// A strong sender, if any is still alive.
    pub(super) fn upgrade(&self) -> Option<Tx<T, C>> {
        self.chan.senders.upgrade().then(|| Tx {
            chan: self.chan.clone(),
        })
    }

    pub(super) fn strong_count(&self) -> usize {
        self.chan.senders.strong()
    }

    pub(super) fn weak_count(&self) -> usize {
        self.chan.senders.weak()
    }
}

impl<T, C: Capacity> Clone for WeakTx<T, C> {
    fn clone(&self) -> WeakTx<T, C> {
        self.chan.senders.add_weak();
        WeakTx {
            chan: self.chan.clone(),
        }
    }
}

impl<T, C: Capacity> Drop for WeakTx<T, C> {
    fn drop(&mut self) {
        self.chan.senders.remove_weak();
    }
}

impl<T, C: Capacity> Rx<T, C> {
    pub(super) fn capacity(&self) -> &C {
        &self.chan.capacity
    }

    /// Waits for the next message, `None` once the channel has ended.
    pub(super) async fn recv(&mut self) -> Option<T> {
        std::future::poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// Waits for messages and moves up to `limit` of them into `buffer`.
    pub(super) async fn recv_many(&mut self, buffer: &mut Vec<T>, limit: usize) -> usize {
        std::future::poll_fn(|cx| self.poll_recv_many(cx, buffer, limit)).await
    }

    /// Receives the next message, `None` once the channel has ended (rules 2 and 3).
    pub(super) fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let coop = ready!(coop::poll_proceed(cx));
        let mut queue = self.chan.queue.lock();
        if let Some(message) = queue.messages.pop_front() {
            drop(queue);
            self.chan.capacity.release(1);
            coop.made_progress();
            return Poll::Ready(Some(message));
        }
        if self.has_ended(&queue) {
            coop.made_progress();
            return Poll::Ready(None);
        }
        register(&mut queue.rx_waker, cx.waker());
        Poll::Pending
    }

    /// Moves up to `limit` messages into `buffer`; `Ready(0)` once the channel has ended
    /// (or `limit` is 0).
    pub(super) fn poll_recv_many(
        &mut self,
        cx: &mut Context<'_>,
        buffer: &mut Vec<T>,
        limit: usize,
    ) -> Poll<usize> {
        if limit == 0 {
            return Poll::Ready(0);
        }
        let coop = ready!(coop::poll_proceed(cx));
        let mut queue = self.chan.queue.lock();
        let taken = limit.min(queue.messages.len());
        if taken > 0 {
            buffer.extend(queue.messages.drain(..taken));
            drop(queue);
            self.chan.capacity.release(taken);
            coop.made_progress();
            return Poll::Ready(taken);
        }
        if self.has_ended(&queue) {
            coop.made_progress();
            return Poll::Ready(0);
        }
        register(&mut queue.rx_waker, cx.waker());
        Poll::Pending
    }

    pub(super) fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let mut queue = self.chan.queue.lock();
        if let Some(message) = queue.messages.pop_front() {
            drop(queue);
            self.chan.capacity.release(1);
            return Ok(message);
        }
        if self.has_ended(&queue) {
            Err(TryRecvError::Disconnected)
        } else {
            Err(TryRecvError::Empty)
        }
    }

    /// Rule 3, with the lock held and the queue empty.
    fn has_ended(&self, queue: &Queue<T>) -> bool {
        queue.tx_closed || (queue.rx_closed && self.chan.capacity.is_idle())
    }

    /// Stops new sends; queued messages can still be received.
    pub(super) fn close(&mut self) {
        let mut queue = self.chan.queue.lock();
        if queue.rx_closed {
            return;
        }
        queue.rx_closed = true;
        drop(queue);
        self.chan.capacity.close();
        self.chan.rx_closed.notify_waiters();
    }

    /// Whether no more messages can be sent: every sender is gone, or the receiver closed
    /// the channel.
    pub(super) fn is_closed(&self) -> bool {
        let queue = self.chan.queue.lock();
        queue.tx_closed || queue.rx_closed
    }

    pub(super) fn len(&self) -> usize {
        self.chan.queue.lock().messages.len()
    }

    pub(super) fn sender_strong_count(&self) -> usize {
        self.chan.senders.strong()
    }

    pub(super) fn sender_weak_count(&self) -> usize {
        self.chan.senders.weak()
    }
}

impl<T, C: Capacity> Drop for Rx<T, C> {
    fn drop(&mut self) {
        self.close();
        // Rule 4: drop what is queued now, outside the lock (a message's destructor may
        // use the channel).
        let mut queue = self.chan.queue.lock();
        queue.rx_dropped = true;
        queue.rx_waker = None;
        let messages = std::mem::take(&mut queue.messages);
        drop(queue);
        self.chan.capacity.release(messages.len());
        drop(messages);
    }
}

/// Stores `waker` unless the stored one already wakes the same task.
fn register(slot: &mut Option<Waker>, waker: &Waker) {
    match slot {
        Some(current) if current.will_wake(waker) => {}
        _ => *slot = Some(waker.clone()),
    }
}

impl<T, C: Capacity + fmt::Debug> fmt::Debug for Chan<T, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Chan")
            .field("capacity", &self.capacity)
            .field("senders", &self.senders.strong())
            .finish_non_exhaustive()
    }
}

impl<T, C: Capacity + fmt::Debug> fmt::Debug for Tx<T, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.chan, f)
    }
}

impl<T, C: Capacity + fmt::Debug> fmt::Debug for WeakTx<T, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.chan, f)
    }
}

impl<T, C: Capacity + fmt::Debug> fmt::Debug for Rx<T, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.chan, f)
    }
}
