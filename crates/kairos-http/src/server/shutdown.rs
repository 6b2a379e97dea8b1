//! Connection tracking for the connection limit and graceful shutdown.
//!
//! One `Tracker` per server, shared by its accept tasks, its connections and the
//! `serve` future. Protocol:
//!
//! - `phase` goes `RUNNING -> DRAINING -> FORCED`, never back. `DRAINING`: accept tasks
//!   return, idle connections close at once, busy ones answer with `Connection: close`
//!   and close. `FORCED` (the grace period passed): every connection closes at its next
//!   poll, dropping its service future.
//! - Each connection and accept task registers its waker once, under a key (a slot in
//!   a vector: 16 bytes a connection), and deregisters when it ends; a phase change wakes
//!   every registered waker, so a task blocked on a socket or a service sees the new
//!   phase.
//! - `live` counts connections. An accept task that finds `live == max` parks in
//!   `capacity`; a connection that ends wakes it. `serve` parks in `all_closed` and is woken
//!   when `live` drops to 0.

use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

const RUNNING: u8 = 0;
const DRAINING: u8 = 1;
const FORCED: u8 = 2;

#[derive(Debug, Default)]
struct Wakers {
    /// Indexed by [`Key`]; `None` in a free slot.
    tasks: Vec<Option<Waker>>,
    /// Free slots of `tasks`.
    free: Vec<u32>,
    capacity: Vec<Waker>,
    all_closed: Option<Waker>,
}

/// A task's place among the tracker's wakers; [`Key::NONE`] until it registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Key(u32);

impl Key {
    pub(crate) const NONE: Key = Key(u32::MAX);
}

/// See the module docs.
#[derive(Debug)]
pub(crate) struct Tracker {
    phase: AtomicU8,
    live: AtomicUsize,
    max: usize,
    wakers: Mutex<Wakers>,
}

impl Tracker {
    pub(crate) fn new(max: usize) -> Tracker {
        Tracker {
            phase: AtomicU8::new(RUNNING),
            live: AtomicUsize::new(0),
            max: max.max(1),
            wakers: Mutex::new(Wakers::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Wakers> {
        // Every update under the lock is a single insert or removal: a panic elsewhere
        // cannot leave it half done.
        self.wakers.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn is_draining(&self) -> bool {
        self.phase.load(Ordering::Acquire) >= DRAINING
    }

    pub(crate) fn is_forced(&self) -> bool {
        self.phase.load(Ordering::Acquire) == FORCED
    }

    /// Moves to `DRAINING` (or `FORCED`) and wakes everyone registered.
    pub(crate) fn advance(&self, force: bool) {
        let to = if force { FORCED } else { DRAINING };
        self.phase.fetch_max(to, Ordering::AcqRel);
        let mut wakers = self.lock();
        let mut woken: Vec<Waker> = wakers.tasks.iter().flatten().cloned().collect();
        woken.append(&mut wakers.capacity);
        woken.extend(wakers.all_closed.take());
        drop(wakers);
        woken.into_iter().for_each(Waker::wake);
    }

    /// Registers the waker woken on a phase change: under a new key if `key` is
    /// [`Key::NONE`], otherwise in place of the one under `key`.
    pub(crate) fn register(&self, key: &mut Key, waker: &Waker) {
        let mut wakers = self.lock();
        if *key == Key::NONE {
            let waker = Some(waker.clone());
            *key = match wakers.free.pop() {
                Some(free) => {
                    wakers.tasks[free as usize] = waker;
                    Key(free)
                }
                None => {
                    wakers.tasks.push(waker);
                    // Past `u32::MAX - 1` tasks at once the process is long out of memory.
                    Key((wakers.tasks.len() - 1) as u32)
                }
            };
            return;
        }
        match &mut wakers.tasks[key.0 as usize] {
            Some(old) if old.will_wake(waker) => {}
            slot => *slot = Some(waker.clone()),
        }
    }

    /// Frees `key`'s slot (nothing if it is [`Key::NONE`]); `key` becomes `NONE`.
    pub(crate) fn deregister(&self, key: &mut Key) {
        if *key == Key::NONE {
            return;
        }
        let mut wakers = self.lock();
        wakers.tasks[key.0 as usize] = None;
        wakers.free.push(key.0);
        *key = Key::NONE;
    }

    /// Accept side: takes a connection slot, or waits for one.
    pub(crate) fn poll_slot(self: &Arc<Self>, cx: &mut Context<'_>) -> Poll<Slot> {
        let mut live = self.live.load(Ordering::Acquire);
        loop {
            if live >= self.max {
                self.lock().capacity.push(cx.waker().clone());
                // A connection may have ended between the load and the registration.
                if self.live.load(Ordering::Acquire) >= self.max {
                    return Poll::Pending;
                }
                live = self.live.load(Ordering::Acquire);
                continue;
            }
            match self.live.compare_exchange_weak(
                live,
                live + 1,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => {
                    return Poll::Ready(Slot {
                        tracker: self.clone(),
                        key: Key::NONE,
                    })
                }
                Err(now) => live = now,
            }
        }
    }

    /// `serve`: whether every connection has ended; if not, woken when they have.
    pub(crate) fn poll_all_closed(&self, cx: &mut Context<'_>) -> Poll<()> {
        if self.live.load(Ordering::Acquire) == 0 {
            return Poll::Ready(());
        }
        self.lock().all_closed = Some(cx.waker().clone());
        if self.live.load(Ordering::Acquire) == 0 {
            return Poll::Ready(());
        }
        Poll::Pending
    }

    fn release(&self) {
        let before = self.live.fetch_sub(1, Ordering::AcqRel);
        let mut wakers = self.lock();
        let mut woken: Vec<Waker> = wakers.capacity.drain(..).collect();
        if before == 1 {
            woken.extend(wakers.all_closed.take());
        }
        drop(wakers);
        woken.into_iter().for_each(Waker::wake);
    }
}

/// One connection's place in the count and its waker's key, both released on drop.
#[derive(Debug)]
pub(crate) struct Slot {
    tracker: Arc<Tracker>,
    key: Key,
}

impl Slot {
    pub(crate) fn tracker(&self) -> &Arc<Tracker> {
        &self.tracker
    }

    /// Registers the connection task's waker, the first time only (a task's waker does
    /// not change between polls).
    pub(crate) fn register_once(&mut self, waker: &Waker) {
        if self.key == Key::NONE {
            self.tracker.register(&mut self.key, waker);
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.tracker.deregister(&mut self.key);
        self.tracker.release();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::task::Wake;

    struct Count(AtomicUsize);

    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn a_phase_change_wakes_each_registered_task_once_and_keys_are_reused() {
        let tracker = Tracker::new(10);
        let counts: Vec<Arc<Count>> = (0..3)
            .map(|_| Arc::new(Count(AtomicUsize::new(0))))
            .collect();
        let mut keys = [Key::NONE; 3];
        for (key, count) in keys.iter_mut().zip(&counts) {
            tracker.register(key, &Waker::from(count.clone()));
        }
        assert_eq!(keys.map(|k| k.0), [0, 1, 2]);
        // Registering again under a key replaces, it does not add.
        tracker.register(&mut keys[1], &Waker::from(counts[1].clone()));
        tracker.deregister(&mut keys[0]);
        assert_eq!(keys[0], Key::NONE);
        tracker.deregister(&mut keys[0]); // a second time: nothing
        let mut reused = Key::NONE;
        tracker.register(&mut reused, &Waker::from(counts[0].clone()));
        assert_eq!(reused.0, 0, "the freed slot is taken again");
        tracker.advance(false);
        let woken: Vec<usize> = counts.iter().map(|c| c.0.load(Ordering::SeqCst)).collect();
        assert_eq!(woken, [1, 1, 1]);
        assert!(tracker.is_draining() && !tracker.is_forced());
    }
}
