//! Connection tracking for the connection limit and graceful shutdown.
//!
//! One `Tracker` per server, shared by its accept tasks, its connections and the
//! `serve` future. Protocol:
//!
//! - `phase` goes `RUNNING -> DRAINING -> FORCED`, never back. `DRAINING`: accept tasks
//!   return, idle connections close at once, busy ones answer with `Connection: close`
//!   and close. `FORCED` (the grace period passed): every connection closes at its next
//!   poll, dropping its service future.
//! - Each connection and accept task registers its waker once, under a key, and
//!   deregisters when it ends; a phase change wakes every registered waker, so a task
//!   blocked on a socket or a service sees the new phase.
//! - `live` counts connections. An accept task that finds `live == max` parks in
//!   `capacity`; a connection that ends wakes it. `serve` parks in `all_closed` and is woken
//!   when `live` drops to 0.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

const RUNNING: u8 = 0;
const DRAINING: u8 = 1;
const FORCED: u8 = 2;

#[derive(Debug, Default)]
struct Wakers {
    tasks: HashMap<u64, Waker>,
    capacity: Vec<Waker>,
    all_closed: Option<Waker>,
}

/// See the module docs.
#[derive(Debug)]
pub(crate) struct Tracker {
    phase: AtomicU8,
    live: AtomicUsize,
    max: usize,
    next_key: AtomicU64,
    wakers: Mutex<Wakers>,
}

impl Tracker {
    pub(crate) fn new(max: usize) -> Tracker {
        Tracker {
            phase: AtomicU8::new(RUNNING),
            live: AtomicUsize::new(0),
            max: max.max(1),
            next_key: AtomicU64::new(0),
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
        let mut woken: Vec<Waker> = wakers.tasks.values().cloned().collect();
        woken.append(&mut wakers.capacity);
        woken.extend(wakers.all_closed.take());
        drop(wakers);
        woken.into_iter().for_each(Waker::wake);
    }

    /// A key for [`register`](Self::register).
    pub(crate) fn key(&self) -> u64 {
        self.next_key.fetch_add(1, Ordering::Relaxed)
    }

    /// Registers (or replaces) the waker woken on a phase change.
    pub(crate) fn register(&self, key: u64, waker: &Waker) {
        let mut wakers = self.lock();
        match wakers.tasks.get_mut(&key) {
            Some(old) if old.will_wake(waker) => {}
            Some(old) => old.clone_from(waker),
            None => {
                wakers.tasks.insert(key, waker.clone());
            }
        }
    }

    pub(crate) fn deregister(&self, key: u64) {
        self.lock().tasks.remove(&key);
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

/// One connection's place in the count, released on drop.
#[derive(Debug)]
pub(crate) struct Slot {
    tracker: Arc<Tracker>,
}

impl Slot {
    pub(crate) fn tracker(&self) -> &Arc<Tracker> {
        &self.tracker
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.tracker.release();
    }
}
