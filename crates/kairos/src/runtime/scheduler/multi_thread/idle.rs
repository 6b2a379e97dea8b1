//! Which workers are parked and which are searching for work, so that a new task wakes
//! exactly one parked worker, and only when nobody is already looking.
//!
//! One atomic word counts the *unparked* workers (high bits) and, among them, the
//! *searching* ones (low bits); the list of parked workers sits under a mutex. The rules:
//!
//! - Whoever makes a task available calls [`Idle::worker_to_notify`]. It wakes a parked
//!   worker only if no worker is searching (a searcher will find the task) and some worker
//!   is parked. The woken worker starts out searching, so a burst of new tasks wakes one
//!   worker, which then wakes the next when it finds work ([`transition_worker_from_searching`]
//!   returning true for the last searcher).
//! - At most half the workers search at once ([`Idle::transition_worker_to_searching`]), so
//!   idle workers do not all hammer the same queues.
//! - A worker that parks while it was the last searcher must look at every queue once
//!   more after decrementing the count: a task pushed just before might otherwise have
//!   seen "someone is searching" and woken nobody. Both sides use sequentially consistent
//!   read-modify-writes on the state word, so at least one of them sees the other.
//!
//! [`transition_worker_from_searching`]: Idle::transition_worker_from_searching

use crate::loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::loom::sync::Mutex;

const UNPARKED_SHIFT: usize = 16;
const SEARCHING_MASK: usize = (1 << UNPARKED_SHIFT) - 1;
const UNPARKED_ONE: usize = 1 << UNPARKED_SHIFT;

pub(super) struct Idle {
    state: AtomicUsize,
    num_workers: usize,
    /// Indices of parked workers.
    sleepers: Mutex<Vec<usize>>,
}

#[derive(Clone, Copy)]
struct State(usize);

impl State {
    fn num_searching(self) -> usize {
        self.0 & SEARCHING_MASK
    }

    fn num_unparked(self) -> usize {
        self.0 >> UNPARKED_SHIFT
    }
}

impl Idle {
    pub(super) fn new(num_workers: usize) -> Idle {
        assert!(num_workers < SEARCHING_MASK, "too many workers");
        Idle {
            // Workers start unparked and not searching.
            state: AtomicUsize::new(num_workers << UNPARKED_SHIFT),
            num_workers,
            sleepers: Mutex::new(Vec::with_capacity(num_workers)),
        }
    }

    /// If a parked worker should wake to take new work, marks it unparked and searching
    /// and returns its index; the caller then unparks it.
    pub(super) fn worker_to_notify(&self) -> Option<usize> {
        if !self.notify_should_wakeup() {
            return None;
        }
        let mut sleepers = self.sleepers.lock();
        if !self.notify_should_wakeup() {
            return None;
        }
        self.state.fetch_add(UNPARKED_ONE | 1, SeqCst);
        let index = sleepers.pop();
        debug_assert!(
            index.is_some(),
            "an unparked count below the workers means a sleeper"
        );
        index
    }

    fn notify_should_wakeup(&self) -> bool {
        // A read-modify-write, not a load: it orders this read after the caller's push
        // of a task (see the module docs).
        let state = State(self.state.fetch_add(0, SeqCst));
        state.num_searching() == 0 && state.num_unparked() < self.num_workers
    }

    /// The worker is about to park. Returns true if it was the last searching worker (it
    /// must then check all queues once more).
    pub(super) fn transition_worker_to_parked(&self, index: usize, is_searching: bool) -> bool {
        let mut sleepers = self.sleepers.lock();
        let dec = UNPARKED_ONE + usize::from(is_searching);
        let prev = State(self.state.fetch_sub(dec, SeqCst));
        sleepers.push(index);
        is_searching && prev.num_searching() == 1
    }

    /// Tries to become a searching worker; refused when half the workers already search.
    pub(super) fn transition_worker_to_searching(&self) -> bool {
        let state = State(self.state.load(SeqCst));
        if 2 * state.num_searching() >= self.num_workers {
            return false;
        }
        // The bound may be overshot slightly by a race; that only costs some spinning.
        self.state.fetch_add(1, SeqCst);
        true
    }

    /// A searching worker found work. Returns true if it was the last searcher, in which
    /// case it should wake another worker to keep looking.
    pub(super) fn transition_worker_from_searching(&self) -> bool {
        let prev = State(self.state.fetch_sub(1, SeqCst));
        debug_assert!(prev.num_searching() > 0);
        prev.num_searching() == 1
    }

    /// A parked worker woke up with work of its own (the driver scheduled tasks on it).
    /// Returns false if a notifier had already removed it from the sleepers, in which
    /// case the notifier counted it as searching.
    pub(super) fn unpark_worker_by_id(&self, index: usize) -> bool {
        let mut sleepers = self.sleepers.lock();
        if let Some(position) = sleepers.iter().position(|&i| i == index) {
            sleepers.swap_remove(position);
            self.state.fetch_add(UNPARKED_ONE, SeqCst);
            true
        } else {
            false
        }
    }

    /// Whether the worker is still in the sleepers list (its wake-up was spurious).
    pub(super) fn is_parked(&self, index: usize) -> bool {
        self.sleepers.lock().contains(&index)
    }

    /// Workers neither parked nor about to be.
    pub(super) fn num_unparked(&self) -> usize {
        State(self.state.load(SeqCst)).num_unparked()
    }

    /// Workers currently searching for work.
    #[allow(dead_code)] // used by tests and metrics
    pub(super) fn num_searching(&self) -> usize {
        State(self.state.load(SeqCst)).num_searching()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn one_new_task_wakes_exactly_one_worker() {
        let idle = Idle::new(4);
        for index in 0..4 {
            assert!(!idle.transition_worker_to_parked(index, false));
        }
        assert_eq!(idle.num_unparked(), 0);
        let woken = idle.worker_to_notify();
        assert!(woken.is_some());
        // The woken worker counts as searching: more tasks wake nobody else until it finds
        // work.
        assert_eq!(idle.worker_to_notify(), None);
        assert!(idle.transition_worker_from_searching());
        // Now nobody searches and three sleep: the next notify wakes one more.
        assert!(idle.worker_to_notify().is_some());
    }

    #[test]
    fn at_most_half_the_workers_search() {
        let idle = Idle::new(4);
        assert!(idle.transition_worker_to_searching());
        assert!(idle.transition_worker_to_searching());
        assert!(!idle.transition_worker_to_searching());
        assert_eq!(idle.num_searching(), 2);
    }

    #[test]
    fn last_searcher_parking_is_told_to_recheck() {
        let idle = Idle::new(2);
        assert!(idle.transition_worker_to_searching());
        assert!(idle.transition_worker_to_parked(0, true));
        assert!(idle.is_parked(0));
        assert!(idle.unpark_worker_by_id(0));
        assert!(!idle.is_parked(0));
    }
}

#[cfg(all(test, loom))]
mod loom_idle {
    use super::*;
    use crate::loom::sync::atomic::AtomicUsize;
    use crate::loom::sync::Arc;
    use loom::thread;

    /// The last searching worker parks while another thread pushes a task: either the
    /// pusher wakes a worker, or the parking worker's re-check sees the task. A task is
    /// never left with every worker asleep.
    #[test]
    fn push_vs_last_searcher_parking() {
        loom::model(|| {
            let idle = Arc::new(Idle::new(1));
            let queue = Arc::new(AtomicUsize::new(0));
            assert!(idle.transition_worker_to_searching());
            let pusher = {
                let (idle, queue) = (idle.clone(), queue.clone());
                thread::spawn(move || {
                    queue.store(1, SeqCst);
                    idle.worker_to_notify().is_some()
                })
            };
            let mut woken = false;
            if idle.transition_worker_to_parked(0, true) && queue.load(SeqCst) > 0 {
                woken = idle.worker_to_notify().is_some();
            }
            let pusher_woke = pusher.join().unwrap();
            assert!(
                woken || pusher_woke,
                "a pushed task found every worker asleep"
            );
            assert!(!(woken && pusher_woke), "one worker was woken twice");
        });
    }

    /// Two workers park at once; each then asks whether any other worker is still busy
    /// (the worker loop's choice between waiting in the driver and sleeping off it). At
    /// least one of them must see nobody busy, or I/O and timers would have nobody
    /// waiting for them with every worker asleep.
    #[test]
    fn the_last_of_two_workers_parking_at_once_sees_nobody_busy() {
        loom::model(|| {
            let idle = Arc::new(Idle::new(2));
            let other = {
                let idle = idle.clone();
                thread::spawn(move || {
                    idle.transition_worker_to_parked(1, false);
                    idle.num_unparked() == 0
                })
            };
            idle.transition_worker_to_parked(0, false);
            let this_drives = idle.num_unparked() == 0;
            let other_drives = other.join().unwrap();
            assert!(
                this_drives || other_drives,
                "both workers slept off the driver"
            );
        });
    }
}
