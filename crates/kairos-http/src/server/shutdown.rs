//! Connection tracking for the connection limit, graceful shutdown and the keep-alive
//! deadlines of shrunk idle connections.
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
//! - A connection that shrinks while idle (`Builder::shrink_idle_after`) keeps no timer:
//!   its keep-alive deadline goes into its entry here (`go_idle`), and one sweeper per
//!   server (`server/idle.rs`) marks the entries whose deadline passed as expired and
//!   wakes their tasks, which then close (`idle_expired`); a shrunk connection woken by
//!   its socket takes its deadline back (`go_busy`).
//! - `live` counts connections. An accept task that finds `live == max` parks in
//!   `capacity`; a connection that ends wakes it. `serve` parks in `all_closed` and is woken
//!   when `live` drops to 0.

use kairos::time::Instant;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

const RUNNING: u8 = 0;
const DRAINING: u8 = 1;
const FORCED: u8 = 2;

/// `Entry::idle_until` of a task that is not an idle connection.
const NOT_IDLE: u64 = 0;
/// `Entry::idle_until` of an idle connection whose keep-alive deadline passed.
const EXPIRED: u64 = u64::MAX;

/// One registered task: 24 bytes.
#[derive(Debug, Default)]
struct Entry {
    waker: Option<Waker>,
    /// A shrunk connection's keep-alive deadline in nanoseconds after `Wakers::epoch`,
    /// or [`NOT_IDLE`] or [`EXPIRED`].
    idle_until: u64,
}

#[derive(Debug)]
struct Wakers {
    /// Indexed by [`Key`]; a free slot has no waker.
    tasks: Vec<Entry>,
    /// Free slots of `tasks`.
    free: Vec<u32>,
    capacity: Vec<Waker>,
    all_closed: Option<Waker>,
    /// What idle deadlines count from: the first `go_idle`'s clock reading.
    epoch: Option<Instant>,
    /// The idle sweeper's waker and when it will sweep next ([`EXPIRED`]: only when
    /// woken), and how late after a deadline it may sweep.
    sweeper: Option<Waker>,
    sweep_at: u64,
    granularity: u64,
}

/// What one sweep found: the tasks to wake, and the earliest deadline still ahead.
pub(crate) struct Swept {
    pub(crate) expired: Vec<Waker>,
    pub(crate) next: Option<Instant>,
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
            wakers: Mutex::new(Wakers {
                tasks: Vec::new(),
                free: Vec::new(),
                capacity: Vec::new(),
                all_closed: None,
                epoch: None,
                sweeper: None,
                sweep_at: EXPIRED,
                granularity: 0,
            }),
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
        let mut woken: Vec<Waker> = wakers
            .tasks
            .iter()
            .filter_map(|e| e.waker.clone())
            .collect();
        woken.append(&mut wakers.capacity);
        woken.extend(wakers.all_closed.take());
        woken.extend(wakers.sweeper.take());
        drop(wakers);
        woken.into_iter().for_each(Waker::wake);
    }

    /// Registers the waker woken on a phase change: under a new key if `key` is
    /// [`Key::NONE`], otherwise in place of the one under `key`.
    pub(crate) fn register(&self, key: &mut Key, waker: &Waker) {
        let mut wakers = self.lock();
        if *key == Key::NONE {
            let entry = Entry {
                waker: Some(waker.clone()),
                idle_until: NOT_IDLE,
            };
            *key = match wakers.free.pop() {
                Some(free) => {
                    wakers.tasks[free as usize] = entry;
                    Key(free)
                }
                None => {
                    wakers.tasks.push(entry);
                    // Past `u32::MAX - 1` tasks at once the process is long out of memory.
                    Key((wakers.tasks.len() - 1) as u32)
                }
            };
            return;
        }
        match &mut wakers.tasks[key.0 as usize].waker {
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
        wakers.tasks[key.0 as usize] = Entry::default();
        wakers.free.push(key.0);
        *key = Key::NONE;
    }

    /// A registered connection shrank: it is to close at `deadline` unless its socket
    /// wakes it first. Wakes the sweeper if it would otherwise sweep too late for this
    /// deadline.
    pub(crate) fn go_idle(&self, key: Key, deadline: Instant) {
        let mut wakers = self.lock();
        let epoch = *wakers.epoch.get_or_insert_with(Instant::now);
        let at = nanos_after(epoch, deadline);
        wakers.tasks[key.0 as usize].idle_until = at;
        let sweeper = if at.saturating_add(wakers.granularity) < wakers.sweep_at {
            wakers.sweep_at = at;
            wakers.sweeper.take()
        } else {
            None
        };
        drop(wakers);
        sweeper.into_iter().for_each(Waker::wake);
    }

    /// A shrunk connection's socket woke it: its keep-alive deadline (the connection
    /// serves on), or `None` if the deadline passed first (the connection closes).
    pub(crate) fn go_busy(&self, key: Key) -> Option<Instant> {
        let mut wakers = self.lock();
        let at = std::mem::replace(&mut wakers.tasks[key.0 as usize].idle_until, NOT_IDLE);
        match (at, wakers.epoch) {
            (NOT_IDLE | EXPIRED, _) | (_, None) => None,
            (at, Some(epoch)) => Some(epoch + Duration::from_nanos(at)),
        }
    }

    /// Whether a shrunk connection's keep-alive deadline has passed.
    pub(crate) fn idle_expired(&self, key: Key) -> bool {
        self.lock().tasks[key.0 as usize].idle_until == EXPIRED
    }

    /// The sweeper's pass at `now`: marks every idle entry whose deadline passed as
    /// expired and returns their wakers, and the next deadline ahead. The sweeper is to
    /// be woken (through `waker`) when a deadline earlier than its next sweep arrives:
    /// it sweeps at `max(next, now + granularity)`.
    pub(crate) fn sweep(&self, now: Instant, granularity: Duration, waker: &Waker) -> Swept {
        let mut wakers = self.lock();
        let granularity = u64::try_from(granularity.as_nanos()).unwrap_or(u64::MAX);
        wakers.granularity = granularity;
        let Some(epoch) = wakers.epoch else {
            wakers.sweeper = Some(waker.clone());
            wakers.sweep_at = EXPIRED;
            return Swept {
                expired: Vec::new(),
                next: None,
            };
        };
        let now = nanos_after(epoch, now);
        let mut expired = Vec::new();
        let mut next = EXPIRED;
        for entry in &mut wakers.tasks {
            match entry.idle_until {
                NOT_IDLE | EXPIRED => {}
                at if at <= now => {
                    entry.idle_until = EXPIRED;
                    expired.extend(entry.waker.clone());
                }
                at => next = next.min(at),
            }
        }
        wakers.sweep_at = if next == EXPIRED {
            EXPIRED
        } else {
            next.max(now.saturating_add(granularity))
        };
        wakers.sweeper = Some(waker.clone());
        let next =
            (wakers.sweep_at != EXPIRED).then(|| epoch + Duration::from_nanos(wakers.sweep_at));
        Swept { expired, next }
    }

    /// Accept side: takes a connection slot, or waits for one.
    pub(crate) fn poll_slot(&self, cx: &mut Context<'_>) -> Poll<Slot<'_>> {
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
                Ok(_) => return Poll::Ready(Slot { tracker: self }),
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

    /// A connection task that kept its [`Slot`] ends: frees its key and its place in
    /// the count.
    pub(crate) fn leave(&self, key: &mut Key) {
        self.deregister(key);
        self.release();
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

/// `t` as nanoseconds after `epoch`, within `1..EXPIRED` (so never a marker value).
fn nanos_after(epoch: Instant, t: Instant) -> u64 {
    let nanos = t.saturating_duration_since(epoch).as_nanos();
    u64::try_from(nanos)
        .unwrap_or(EXPIRED - 1)
        .clamp(1, EXPIRED - 1)
}

/// A connection's place in the count, as the accept side takes it: released on drop,
/// unless the connection's task keeps it ([`Slot::keep`]) and leaves when it ends
/// ([`Tracker::leave`]).
#[derive(Debug)]
pub(crate) struct Slot<'a> {
    tracker: &'a Tracker,
}

impl Slot<'_> {
    /// Hands the place to the connection task (which holds the tracker through its
    /// shared handle, and so needs no handle of its own in every connection).
    pub(crate) fn keep(self) {
        // Only a reference: nothing is leaked.
        std::mem::forget(self);
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.tracker.release();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::sync::Arc;
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

    #[test]
    fn idle_deadlines_expire_at_a_sweep_past_them_and_a_woken_connection_takes_its_own_back() {
        let tracker = Tracker::new(10);
        let count = |_| Arc::new(Count(AtomicUsize::new(0)));
        let (a, b, sweeper) = (count(0), count(1), count(2));
        let (mut key_a, mut key_b) = (Key::NONE, Key::NONE);
        tracker.register(&mut key_a, &Waker::from(a.clone()));
        tracker.register(&mut key_b, &Waker::from(b.clone()));
        let sweeper_waker = Waker::from(sweeper.clone());
        let granularity = Duration::from_millis(10);
        // Nothing idle: no deadline ahead.
        let t0 = Instant::now();
        assert!(tracker
            .sweep(t0, granularity, &sweeper_waker)
            .next
            .is_none());

        // The first connection to go idle wakes the sweeper.
        let (deadline_a, deadline_b) = (t0 + Duration::from_secs(5), t0 + Duration::from_secs(6));
        tracker.go_idle(key_a, deadline_a);
        assert_eq!(sweeper.0.load(Ordering::SeqCst), 1);
        let swept = tracker.sweep(t0, granularity, &sweeper_waker);
        assert!(swept.expired.is_empty());
        let next = swept.next.expect("a deadline ahead");
        assert!(next >= deadline_a && next < deadline_a + Duration::from_millis(1));
        // A later deadline does not wake the sweeper again.
        tracker.go_idle(key_b, deadline_b);
        assert_eq!(sweeper.0.load(Ordering::SeqCst), 1);

        // Just before the first deadline nothing expires; at it, only the first does.
        let before = tracker.sweep(
            deadline_a - Duration::from_millis(1),
            granularity,
            &sweeper_waker,
        );
        assert!(before.expired.is_empty() && !tracker.idle_expired(key_a));
        let at = tracker.sweep(deadline_a, granularity, &sweeper_waker);
        assert_eq!(at.expired.len(), 1);
        at.expired.into_iter().for_each(Waker::wake);
        assert_eq!(a.0.load(Ordering::SeqCst), 1);
        assert!(tracker.idle_expired(key_a) && !tracker.idle_expired(key_b));
        // The next sweep waits at least the granularity, even for a deadline sooner.
        assert!(at.next.expect("b ahead") >= deadline_a + granularity);

        // Expired first: the connection closes even if its socket wakes it now.
        assert_eq!(tracker.go_busy(key_a), None);
        // Woken by its socket in time: the deadline comes back, to the nanosecond.
        let back = tracker.go_busy(key_b).expect("not expired");
        assert!(back >= deadline_b - Duration::from_micros(1) && back <= deadline_b);
        assert!(tracker
            .sweep(deadline_b, granularity, &sweeper_waker)
            .expired
            .is_empty());
        assert_eq!(b.0.load(Ordering::SeqCst), 0);

        // Draining wakes the sweeper (it then ends).
        tracker.advance(false);
        assert_eq!(sweeper.0.load(Ordering::SeqCst), 2);
    }
}
