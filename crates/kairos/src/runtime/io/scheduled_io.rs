//! `ScheduledIo`: the readiness word and the waiters of one registered I/O resource.
//!
//! # The readiness word
//!
//! ```text
//!  bits  0..6   readiness: READABLE WRITABLE READ_CLOSED WRITE_CLOSED PRIORITY ERROR
//!  bit   6      SHUTDOWN   the driver is gone; every wait ends at once, with an error
//!  bits 16..32  TICK       the driver turn that last set readiness
//! ```
//!
//! Rules:
//!
//! 1. The driver ORs the readiness of an event into the word and stamps its turn's tick,
//!    in one compare-and-swap (`set_readiness`).
//! 2. A task reads readiness and tick together, as a [`ReadyEvent`]. When the operation it
//!    then attempts finds nothing to do (`WouldBlock`, or a short read or write that
//!    proves the kernel buffer is drained or full), it clears the bits of *that event*,
//!    and only if the word still carries the event's tick (`clear_readiness`). An event
//!    the driver delivered meanwhile carries a newer tick, so a late clear never erases
//!    it.
//! 3. The closed bits are never cleared: a closed side stays closed.
//! 4. To wait, a task checks the word; if the readiness it needs is missing it stores its
//!    waker under the `waiters` lock and checks the word again before returning
//!    `Pending`. The driver updates the word *before* it takes the `waiters` lock to take
//!    the wakers, so either the task's second check sees the event or the driver sees
//!    the waker.
//! 5. SHUTDOWN is set once, by the driver's shutdown, which then wakes every waiter.
//!
//! Who waits where: the `poll_read_ready` / `poll_write_ready` paths behind `AsyncRead` /
//! `AsyncWrite` keep one waker per direction (`reader`, `writer`), as those traits allow
//! one reader and one writer at a time. The `readable()` / `writable()` / `ready()`
//! futures, of which a shared socket may have many at once, each own a slot in `list`,
//! which is boxed on first use: most sockets never have one, and every registration
//! (one per open socket) is 48 bytes smaller for it.

use crate::io::{Interest, Ready};
use crate::loom::sync::atomic::{AtomicUsize, Ordering::*};
use crate::loom::sync::Mutex;
use crate::task::coop;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll, Waker};

const READINESS_MASK: usize = Ready::ALL.as_bits();
const SHUTDOWN: usize = 1 << 6;
const TICK_SHIFT: u32 = 16;
const TICK_MASK: usize = 0xffff << TICK_SHIFT;

/// The readiness word and waiters of one registration.
pub(crate) struct ScheduledIo {
    readiness: AtomicUsize,
    waiters: Mutex<Waiters>,
}

struct Waiters {
    /// The task in `poll_read_ready` (the `AsyncRead` side).
    reader: Option<Waker>,
    /// The task in `poll_write_ready` (the `AsyncWrite` side).
    writer: Option<Waker>,
    /// `Readiness` futures, by key (allocated by the first one).
    list: Option<Box<WaiterList>>,
}

#[derive(Default)]
struct WaiterList {
    /// `None` slots are free and listed in `free`.
    slots: Vec<Option<Waiter>>,
    free: Vec<usize>,
}

impl Waiters {
    /// Gives a `Readiness` future's slot back, with the waker it still held (to be dropped
    /// once the lock is released).
    #[must_use]
    fn free_slot(&mut self, key: usize) -> Option<Waker> {
        let list = self.list.as_mut().expect("a future with a slot has a list");
        let waiter = list.slots[key].take();
        list.free.push(key);
        waiter.and_then(|waiter| waiter.waker)
    }
}

struct Waiter {
    interest: Interest,
    /// Taken by the driver when it wakes the waiter.
    waker: Option<Waker>,
}

/// Readiness observed at one moment, with the tick that lets it be cleared safely.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ReadyEvent {
    pub(crate) ready: Ready,
    pub(crate) tick: u16,
    pub(crate) is_shutdown: bool,
}

/// A direction of the single-waiter (`poll_*_ready`) paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    Read,
    Write,
}

impl Direction {
    fn interest(self) -> Interest {
        match self {
            Direction::Read => Interest::READABLE,
            Direction::Write => Interest::WRITABLE,
        }
    }
}

impl ScheduledIo {
    pub(crate) fn new() -> ScheduledIo {
        ScheduledIo {
            readiness: AtomicUsize::new(0),
            waiters: Mutex::new(Waiters {
                reader: None,
                writer: None,
                list: None,
            }),
        }
    }

    /// Rule 1: the driver records an event of turn `tick`.
    pub(crate) fn set_readiness(&self, tick: u16, ready: Ready) {
        let mut current = self.readiness.load(Acquire);
        loop {
            let next = (current & !TICK_MASK) | ready.as_bits() | ((tick as usize) << TICK_SHIFT);
            match self
                .readiness
                .compare_exchange_weak(current, next, AcqRel, Acquire)
            {
                Ok(_) => return,
                Err(actual) => current = actual,
            }
        }
    }

    /// Rules 2 and 3: forgets `event`'s readiness unless a newer event arrived since.
    pub(crate) fn clear_readiness(&self, event: ReadyEvent) {
        let clear = (event.ready - Ready::READ_CLOSED - Ready::WRITE_CLOSED).as_bits();
        let mut current = self.readiness.load(Acquire);
        loop {
            if tick_of(current) != event.tick {
                return;
            }
            match self
                .readiness
                .compare_exchange_weak(current, current & !clear, AcqRel, Acquire)
            {
                Ok(_) => return,
                Err(actual) => current = actual,
            }
        }
    }

    /// The readiness matching `interest`, now.
    pub(crate) fn ready_event(&self, interest: Interest) -> ReadyEvent {
        event_from(self.readiness.load(Acquire), interest)
    }

    /// Rule 5: marks the resource as orphaned by its driver and hands every waiter's waker
    /// to `wakers`.
    pub(crate) fn shutdown(&self, wakers: &mut Vec<Waker>) {
        self.readiness.fetch_or(SHUTDOWN, AcqRel);
        self.take_wakers(Ready::ALL, wakers);
    }

    /// Moves the wakers of the waiters that `ready` satisfies (all of them after shutdown)
    /// into `wakers`, for the caller to wake once it holds no lock: the driver takes them
    /// under its registration lock, so it never touches this resource after the lock is
    /// released (which is what lets the owner free it without reference counting).
    pub(crate) fn take_wakers(&self, ready: Ready, wakers: &mut Vec<Waker>) {
        let shutdown = self.readiness.load(Acquire) & SHUTDOWN != 0;
        let satisfies = |interest: Interest| shutdown || interest.mask().intersects(ready);
        let mut waiters = self.waiters.lock();
        if satisfies(Direction::Read.interest()) {
            wakers.extend(waiters.reader.take());
        }
        if satisfies(Direction::Write.interest()) {
            wakers.extend(waiters.writer.take());
        }
        if let Some(list) = waiters.list.as_mut() {
            let waiting = list.slots.iter_mut().flatten();
            for waiter in waiting.filter(|waiter| satisfies(waiter.interest)) {
                wakers.extend(waiter.waker.take());
            }
        }
    }

    /// Takes the matching wakers and wakes them: the driver's dispatch, for tests.
    #[cfg(test)]
    pub(crate) fn wake(&self, ready: Ready) {
        let mut wakers = Vec::new();
        self.take_wakers(ready, &mut wakers);
        wakers.into_iter().for_each(Waker::wake);
    }

    /// Shuts down and wakes every waiter: the driver's shutdown, for tests.
    #[cfg(test)]
    pub(crate) fn shutdown_and_wake(&self) {
        let mut wakers = Vec::new();
        self.shutdown(&mut wakers);
        wakers.into_iter().for_each(Waker::wake);
    }

    /// Rule 4 for the one-waiter paths: ready, or `cx`'s waker is stored for `direction`.
    pub(crate) fn poll_readiness(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
    ) -> Poll<ReadyEvent> {
        let interest = direction.interest();
        let event = self.ready_event(interest);
        if is_done(&event) {
            return Poll::Ready(event);
        }
        let mut waiters = self.waiters.lock();
        let slot = match direction {
            Direction::Read => &mut waiters.reader,
            Direction::Write => &mut waiters.writer,
        };
        let replaced = store_waker(slot, cx);
        // The second check of rule 4, under the lock.
        let event = self.ready_event(interest);
        drop(waiters);
        drop(replaced);
        if is_done(&event) {
            return Poll::Ready(event);
        }
        Poll::Pending
    }

    /// A future that resolves once readiness matching `interest` is set (or at shutdown).
    pub(crate) fn readiness(&self, interest: Interest) -> Readiness<'_> {
        Readiness {
            io: self,
            interest,
            key: None,
        }
    }
}

fn tick_of(word: usize) -> u16 {
    ((word & TICK_MASK) >> TICK_SHIFT) as u16
}

fn event_from(word: usize, interest: Interest) -> ReadyEvent {
    ReadyEvent {
        ready: Ready::from_bits(word & READINESS_MASK) & interest.mask(),
        tick: tick_of(word),
        is_shutdown: word & SHUTDOWN != 0,
    }
}

fn is_done(event: &ReadyEvent) -> bool {
    event.is_shutdown || !event.ready.is_empty()
}

/// Stores `cx`'s waker in `slot` unless it holds one that wakes the same task, and returns
/// the waker it replaced, for the caller to drop once it released the `waiters` lock
/// (dropping a waker may run arbitrary code, even drop a socket).
#[must_use]
fn store_waker(slot: &mut Option<Waker>, cx: &Context<'_>) -> Option<Waker> {
    match slot {
        Some(waker) if waker.will_wake(cx.waker()) => None,
        _ => slot.replace(cx.waker().clone()),
    }
}

/// Waits for readiness on a shared resource; see [`ScheduledIo::readiness`].
///
/// Charges one unit of the cooperative budget when it completes, so a loop of
/// `readable().await` and `try_read` on a socket that is always ready still yields.
pub(crate) struct Readiness<'a> {
    io: &'a ScheduledIo,
    interest: Interest,
    /// This future's slot in `Waiters::list`, once it has waited.
    key: Option<usize>,
}

impl Future for Readiness<'_> {
    type Output = ReadyEvent;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<ReadyEvent> {
        let coop = ready!(coop::poll_proceed(cx));
        let this = &mut *self;
        let event = this.io.ready_event(this.interest);
        if is_done(&event) {
            this.release();
            coop.made_progress();
            return Poll::Ready(event);
        }
        let mut guard = this.io.waiters.lock();
        let waiters = &mut *guard;
        let mut replaced = None;
        match this.key {
            Some(key) => {
                let waiter = waiters
                    .list
                    .as_mut()
                    .and_then(|list| list.slots[key].as_mut())
                    .expect("a waiter's slot is freed only by its future");
                replaced = store_waker(&mut waiter.waker, cx);
            }
            None => {
                let waiter = Some(Waiter {
                    interest: this.interest,
                    waker: Some(cx.waker().clone()),
                });
                let list = waiters.list.get_or_insert_with(Box::default);
                let key = match list.free.pop() {
                    Some(key) => {
                        list.slots[key] = waiter;
                        key
                    }
                    None => {
                        list.slots.push(waiter);
                        list.slots.len() - 1
                    }
                };
                this.key = Some(key);
            }
        }
        let event = this.io.ready_event(this.interest);
        let done = is_done(&event);
        if done {
            if let Some(key) = this.key.take() {
                replaced = waiters.free_slot(key).or(replaced);
            }
        }
        drop(guard);
        drop(replaced);
        if done {
            coop.made_progress();
            return Poll::Ready(event);
        }
        Poll::Pending
    }
}

impl Readiness<'_> {
    /// Gives this future's waiter slot back.
    fn release(&mut self) {
        if let Some(key) = self.key.take() {
            let waker = self.io.waiters.lock().free_slot(key);
            drop(waker);
        }
    }
}

impl Drop for Readiness<'_> {
    fn drop(&mut self) {
        self.release();
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::task::Wake;

    struct Count(AtomicUsize);
    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn a_registration_stays_small() {
        // One per open socket: the readiness word, the lock, two wakers and the boxed
        // list of `Readiness` futures (96 bytes with the list inline). At 56 bytes, with no
        // reference counts beside it, its allocation is a 64-byte heap chunk.
        let size = std::mem::size_of::<ScheduledIo>();
        eprintln!("ScheduledIo: {size} bytes");
        assert!(size <= 56, "{size} bytes");
    }

    #[test]
    fn clear_with_an_old_tick_keeps_newer_readiness() {
        let io = ScheduledIo::new();
        io.set_readiness(1, Ready::READABLE);
        let old = io.ready_event(Interest::READABLE);
        io.set_readiness(2, Ready::READABLE);
        io.clear_readiness(old);
        assert!(io.ready_event(Interest::READABLE).ready.is_readable());
        let current = io.ready_event(Interest::READABLE);
        io.clear_readiness(current);
        assert!(io.ready_event(Interest::READABLE).ready.is_empty());
    }

    #[test]
    fn closed_bits_survive_a_clear() {
        let io = ScheduledIo::new();
        io.set_readiness(1, Ready::READABLE | Ready::READ_CLOSED);
        io.clear_readiness(io.ready_event(Interest::READABLE));
        let event = io.ready_event(Interest::READABLE);
        assert!(event.ready.is_read_closed() && !event.ready.intersects(Ready::READABLE));
    }

    #[test]
    fn waiters_are_woken_by_matching_readiness_only() {
        let io = ScheduledIo::new();
        let count = Arc::new(Count(AtomicUsize::new(0)));
        let waker = Waker::from(count.clone());
        let mut cx = Context::from_waker(&waker);
        assert!(io.poll_readiness(&mut cx, Direction::Read).is_pending());
        let mut readable = Box::pin(io.readiness(Interest::READABLE));
        let mut writable = Box::pin(io.readiness(Interest::WRITABLE));
        assert!(readable.as_mut().poll(&mut cx).is_pending());
        assert!(writable.as_mut().poll(&mut cx).is_pending());
        io.set_readiness(1, Ready::WRITABLE);
        io.wake(Ready::WRITABLE);
        assert_eq!(count.0.load(Ordering::SeqCst), 1);
        assert!(writable.as_mut().poll(&mut cx).is_ready());
        drop(writable);
        io.shutdown_and_wake();
        assert_eq!(count.0.load(Ordering::SeqCst), 3);
        assert!(readable.as_mut().poll(&mut cx).is_ready());
    }

    #[test]
    fn many_waiters_are_all_woken() {
        let io = ScheduledIo::new();
        let count = Arc::new(Count(AtomicUsize::new(0)));
        let waker = Waker::from(count.clone());
        let mut cx = Context::from_waker(&waker);
        let mut futures: Vec<_> = (0..100)
            .map(|_| Box::pin(io.readiness(Interest::READABLE)))
            .collect();
        for future in &mut futures {
            assert!(future.as_mut().poll(&mut cx).is_pending());
        }
        io.set_readiness(1, Ready::READABLE);
        io.wake(Ready::READABLE);
        assert_eq!(count.0.load(Ordering::SeqCst), 100);
    }
}

#[cfg(all(test, loom))]
mod loom_readiness {
    use super::*;
    use crate::loom::sync::atomic::AtomicBool;
    use crate::loom::sync::Arc;
    use loom::thread;
    use std::task::Wake;

    struct Flag(AtomicBool);
    impl Wake for Flag {
        fn wake(self: std::sync::Arc<Self>) {
            self.0.store(true, SeqCst);
        }
    }

    fn flag_waker() -> (Arc<Flag>, Waker) {
        let flag = Arc::new(Flag(AtomicBool::new(false)));
        (flag.clone(), Waker::from(flag))
    }

    /// The driver's side: a turn with `tick` that delivers `ready`, on another thread.
    fn driver_delivers(io: &Arc<ScheduledIo>, tick: u16, ready: Ready) -> thread::JoinHandle<()> {
        let io = io.clone();
        thread::spawn(move || {
            io.set_readiness(tick, ready);
            io.wake(ready);
        })
    }

    /// A task's clear of an old event races with the driver's newer event: the newer
    /// event survives in every interleaving.
    #[test]
    fn late_clear_never_erases_a_newer_event() {
        loom::model(|| {
            let io = Arc::new(ScheduledIo::new());
            io.set_readiness(1, Ready::READABLE);
            let seen = io.ready_event(Interest::READABLE);
            let driver = driver_delivers(&io, 2, Ready::READABLE);
            // The read the task attempted for `seen` returned WouldBlock.
            io.clear_readiness(seen);
            driver.join().unwrap();
            assert!(io.ready_event(Interest::READABLE).ready.is_readable());
        });
    }

    /// The task clears its stale event and waits again while the driver delivers a new
    /// one: the wait either sees the event or is woken by it.
    #[test]
    fn clear_then_wait_is_never_left_sleeping() {
        loom::model(|| {
            let io = Arc::new(ScheduledIo::new());
            io.set_readiness(1, Ready::READABLE);
            let seen = io.ready_event(Interest::READABLE);
            let driver = driver_delivers(&io, 2, Ready::READABLE);
            io.clear_readiness(seen);
            let (flag, waker) = flag_waker();
            let mut cx = Context::from_waker(&waker);
            let pending = io.poll_readiness(&mut cx, Direction::Read).is_pending();
            driver.join().unwrap();
            if pending {
                assert!(flag.0.load(SeqCst), "the waiter missed the event");
            }
        });
    }

    /// A `Readiness` future registering while the driver sets readiness is not lost.
    #[test]
    fn readiness_future_sees_or_is_woken() {
        loom::model(|| {
            let io = Arc::new(ScheduledIo::new());
            let driver = driver_delivers(&io, 1, Ready::WRITABLE);
            let (flag, waker) = flag_waker();
            let mut cx = Context::from_waker(&waker);
            let mut future = Box::pin(io.readiness(Interest::WRITABLE));
            let pending = future.as_mut().poll(&mut cx).is_pending();
            driver.join().unwrap();
            if pending {
                assert!(flag.0.load(SeqCst), "the waiter missed the event");
                assert!(future.as_mut().poll(&mut cx).is_ready());
            }
        });
    }

    /// Shutdown racing with a wait wakes the waiter.
    #[test]
    fn shutdown_wakes_waiters() {
        loom::model(|| {
            let io = Arc::new(ScheduledIo::new());
            let driver = {
                let io = io.clone();
                thread::spawn(move || io.shutdown_and_wake())
            };
            let (flag, waker) = flag_waker();
            let mut cx = Context::from_waker(&waker);
            match io.poll_readiness(&mut cx, Direction::Write) {
                Poll::Ready(event) => assert!(event.is_shutdown),
                Poll::Pending => {
                    driver.join().unwrap();
                    assert!(flag.0.load(SeqCst));
                    return;
                }
            }
            driver.join().unwrap();
        });
    }
}
