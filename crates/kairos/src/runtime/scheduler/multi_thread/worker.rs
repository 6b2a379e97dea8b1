//! A worker: the loop each worker thread runs, and how tasks are scheduled onto workers.
//!
//! The loop, one *tick* per task:
//! 1. Every `event_interval` ticks, poll the driver without blocking, and check for
//!    shutdown.
//! 2. Take the next task: every `global_queue_interval` ticks a batch from the injection
//!    queue first (so tasks from outside are never starved by busy local queues: they
//!    join the ring behind what is there), otherwise the LIFO slot, then the ring, then a
//!    batch from the injection queue.
//! 3. With nothing local, become a searching worker (at most half of them at once) and
//!    steal half of a random victim's ring, or take from the injection queue.
//! 4. With nothing anywhere, park.
//!
//! Running a task also runs the tasks it wakes through the LIFO slot, within the same
//! cooperative budget and at most [`MAX_LIFO_POLLS_PER_TICK`] of them; past that the LIFO
//! task goes to the back of the ring, so two tasks waking each other forever cannot keep
//! the rest of the ring waiting.
//!
//! The LIFO slot is an atomic pointer rather than a plain field so that other workers can
//! take a task out of it when its worker is stuck inside one long poll; see
//! [`Remote::lifo`] and `steal_stalled_lifo`.

use super::idle::Idle;
use super::park::{self, Parker, Unparker};
use super::queue::{self, Local, Steal};
use super::ExitLatch;
use crate::loom::sync::atomic::{
    AtomicBool, AtomicPtr, AtomicU32, AtomicU64, AtomicUsize, Ordering::*,
};
use crate::loom::sync::{Arc, Mutex};
use crate::runtime::blocking;
use crate::runtime::config::Config;
use crate::runtime::context::{self, FastRand};
use crate::runtime::driver::{self, Driver};
use crate::runtime::scheduler::{self, Inject};
use crate::task::{self, coop, Header, Id, JoinHandle, Notified, OwnedTasks, Schedule, Task};
use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::ptr::{self, NonNull};
use std::time::{Duration, Instant};

/// Tasks taken from the LIFO slot after one task, before the LIFO task has to queue.
const MAX_LIFO_POLLS_PER_TICK: usize = 3;

/// How long a task may sit in the LIFO slot of a worker stuck in one poll before an idle
/// worker takes it.
const LIFO_STALL: Duration = Duration::from_millis(1);

/// Watch rounds with every LIFO slot and ring empty after which the watcher goes to sleep.
const LIFO_WATCH_ROUNDS: u32 = 16;

/// A ring holding at most this many tasks is its worker's own to run: a woken or yielding
/// task queued there wakes no parked worker (only makes sure a watcher exists, as for the
/// LIFO slot), and a worker about to park does not count it as work waiting elsewhere. See
/// `schedule_local`.
const SHORT_RING: usize = 8;

/// How a worker parks (see `Context::park`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum ParkRole {
    /// In the driver if it is free: nobody else is busy (or this worker just stopped
    /// watching), so this worker waits for I/O and timers.
    Drive,
    /// On its condvar for one watch round, as the LIFO watcher.
    Watch,
    /// On its condvar until notified: others are busy and turn the driver between their
    /// tasks, and another worker watches.
    Rest,
}

/// What one watch round found.
enum Round {
    /// Less than a whole [`LIFO_STALL`] since the previous round: not judged.
    CutShort,
    /// A task taken from a stalled LIFO slot or ring.
    Took(Notified<Arc<Handle>>),
    /// Nothing to take.
    Idle,
}

/// The shared part of the scheduler, referenced by every task and handle.
pub(crate) struct Handle {
    shared: Shared,
    pub(crate) driver: driver::Handle,
    pub(crate) blocking_spawner: blocking::Spawner,
    config: Config,
}

struct Shared {
    remotes: Box<[Remote]>,
    inject: Inject<Arc<Handle>>,
    idle: Idle,
    /// Cores handed in by workers that finished shutting down.
    shutdown_cores: Mutex<Vec<Core>>,
    exit_latch: ExitLatch,
    /// Set while an idle worker holds the LIFO watcher role.
    lifo_watcher: AtomicBool,
    /// The driver the workers park on.
    park: Arc<park::Shared>,
    /// Tasks spawned minus tasks completed off the workers (wrapping): with the workers'
    /// own counts (`LifoSlot::tasks`), the tasks alive (a metric).
    external_tasks: AtomicUsize,
}

/// What other threads may touch of a worker.
struct Remote {
    steal: Steal<Arc<Handle>>,
    unparker: Unparker,
    /// How many times the worker parked (a metric).
    park_count: AtomicU64,
    /// Written by the worker at every poll; on its own cache line so that stealers
    /// reading `steal` do not contend with it.
    lifo: LifoSlot,
}

/// A worker's LIFO slot, and the poll counter that tells whether the worker is stuck.
#[repr(align(128))]
struct LifoSlot {
    /// The worker fills and empties the slot with swaps; a watching worker may take the
    /// task with a compare-and-swap, but only once the worker has stayed in the same poll
    /// (same `poll_seq`) for a whole watch round ([`LIFO_STALL`]).
    task: AtomicPtr<Header>,
    /// Bumped by the worker at every task poll (it is the only writer).
    poll_seq: AtomicU32,
    /// Tasks spawned minus tasks completed on this worker (wrapping; the worker is the
    /// only writer, so a load and a store, no read-modify-write).
    tasks: AtomicUsize,
}

/// What a worker owns.
pub(super) struct Core {
    index: usize,
    tick: u32,
    run_queue: Local<Arc<Handle>>,
    owned: OwnedTasks<Arc<Handle>>,
    is_searching: bool,
    /// Taken out while the worker is parked.
    park: Option<Parker>,
    rand: FastRand,
    /// Whether this worker holds the LIFO watcher role (see `Context::park`).
    watching: bool,
    /// Consecutive watch rounds in which every LIFO slot and ring was empty.
    quiet_rounds: u32,
    /// What this worker saw of each worker (LIFO slot, poll counter, ring) at its last
    /// watch round.
    lifo_seen: Vec<Observed>,
    /// When `lifo_seen` was taken: a slot is judged stalled only after a whole
    /// [`LIFO_STALL`] without progress, even if this worker's park returned early.
    seen_at: Instant,
    /// The driver's turn count at the last watch round.
    driver_turns_seen: usize,
}

// SAFETY: `lifo_seen` holds pointers only to compare them, never to dereference them;
// everything else in `Core` is `Send`.
unsafe impl Send for Core {}

/// This thread's view of the scheduler while it runs as a worker.
pub(crate) struct Context {
    handle: Arc<Handle>,
    index: usize,
    core: RefCell<Option<Core>>,
}

/// Builds the shared state and one core per worker.
pub(super) fn create(
    num_workers: usize,
    driver: Option<Driver>,
    driver_handle: driver::Handle,
    blocking_spawner: blocking::Spawner,
    config: Config,
) -> (Arc<Handle>, Vec<Core>) {
    let park_shared = park::Shared::new(driver);
    let mut cores = Vec::with_capacity(num_workers);
    let mut remotes = Vec::with_capacity(num_workers);
    for index in 0..num_workers {
        let (steal, run_queue) = queue::local();
        let parker = Parker::new(park_shared.clone());
        remotes.push(Remote {
            steal,
            unparker: parker.unparker(),
            park_count: AtomicU64::new(0),
            lifo: LifoSlot {
                task: AtomicPtr::new(ptr::null_mut()),
                poll_seq: AtomicU32::new(0),
                tasks: AtomicUsize::new(0),
            },
        });
        cores.push(Core {
            index,
            tick: 0,
            run_queue,
            owned: OwnedTasks::new(),
            is_searching: false,
            park: Some(parker),
            rand: FastRand::new(context::random_seed() ^ index as u64),
            watching: false,
            quiet_rounds: 0,
            lifo_seen: vec![Observed::default(); num_workers],
            seen_at: Instant::now(),
            driver_turns_seen: 0,
        });
    }
    let handle = Arc::new(Handle {
        shared: Shared {
            remotes: remotes.into_boxed_slice(),
            inject: Inject::new(),
            idle: Idle::new(num_workers),
            shutdown_cores: Mutex::new(Vec::with_capacity(num_workers)),
            exit_latch: ExitLatch::new(),
            lifo_watcher: AtomicBool::new(false),
            park: park_shared,
            external_tasks: AtomicUsize::new(0),
        },
        driver: driver_handle,
        blocking_spawner,
        config,
    });
    (handle, cores)
}

/// The body of a worker thread.
pub(super) fn run(handle: Arc<Handle>, core: Core) {
    /// Counts the worker out even if the scheduler itself panics.
    struct CountDown<'a>(&'a ExitLatch);
    impl Drop for CountDown<'_> {
        fn drop(&mut self) {
            self.0.count_down();
        }
    }
    let _count_down = CountDown(&handle.shared.exit_latch);
    let scheduler_handle = scheduler::Handle::MultiThread(handle.clone());
    {
        let _current = context::set_current(&scheduler_handle);
        handle.config.thread.run_after_start();
    }
    {
        let _enter = context::enter_runtime(&scheduler_handle);
        let index = core.index;
        let cx = scheduler::Context::MultiThread(Context {
            handle: handle.clone(),
            index,
            core: RefCell::new(Some(core)),
        });
        context::set_scheduler(&cx, || {
            let scheduler::Context::MultiThread(cx) = &cx else {
                unreachable!()
            };
            cx.run();
        });
    }
    {
        let _current = context::set_current(&scheduler_handle);
        handle.config.thread.run_before_stop();
    }
}

impl Context {
    fn with_core<R>(&self, f: impl FnOnce(&mut Core) -> R) -> R {
        let mut core = self.core.borrow_mut();
        f(core.as_mut().expect("the worker core is missing"))
    }

    fn remote(&self) -> &Remote {
        &self.handle.shared.remotes[self.index]
    }

    fn run(&self) {
        let shared = &self.handle.shared;
        let event_interval = self.handle.config.event_interval;
        while !shared.inject.is_closed() {
            let tick = self.with_core(|core| {
                core.tick = core.tick.wrapping_add(1);
                core.tick
            });
            if tick % event_interval == 0 {
                self.maintenance();
            }
            if let Some(task) = self.next_task(tick) {
                self.run_task(task);
                continue;
            }
            if let Some(task) = self.steal_work() {
                self.run_task(task);
                continue;
            }
            if let Some(task) = self.park() {
                self.run_task(task);
            }
        }
        let core = self
            .core
            .borrow_mut()
            .take()
            .expect("the worker core is missing");
        self.handle.shutdown_core(core);
    }

    /// Lets the driver process ready events without blocking.
    fn maintenance(&self) {
        let mut parker = self
            .with_core(|core| core.park.take())
            .expect("parker missing");
        parker.park_timeout_zero(&self.handle.driver);
        self.with_core(|core| core.park = Some(parker));
    }

    fn next_task(&self, tick: u32) -> Option<Notified<Arc<Handle>>> {
        let shared = &self.handle.shared;
        let remote = self.remote();
        let mut queued_injected = false;
        let task = self.with_core(|core| {
            if tick % self.handle.config.global_queue_interval == 0 {
                // A batch, not one task: with a local queue that never empties (tasks
                // waking each other), one task per interval would hold each injected task
                // back for `global_queue_interval` ticks.
                if let Some(task) = Self::take_injected(shared, core, &mut queued_injected) {
                    return Some(task);
                }
            }
            if let Some(task) = remote.lifo.take() {
                return Some(task);
            }
            if let Some(task) = core.run_queue.pop() {
                return Some(task);
            }
            Self::take_injected(shared, core, &mut queued_injected)
        });
        if queued_injected {
            // Injected tasks now wait in this worker's ring, perhaps a short one that wakes
            // nobody: if this worker gets stuck in a poll, the watcher must see them.
            self.handle.ensure_watcher();
        }
        task
    }

    /// Takes a fair share of the injection queue (`len / workers + 1`), but fills the ring
    /// at most to half: returns the oldest and queues the rest in the ring (and then sets
    /// `queued`). With the ring half full or more it takes only the one it returns.
    ///
    /// Why half: a batch that filled the ring would be pushed back out (the oldest half
    /// of a full ring overflows to the injection queue) before most of it ran, and with
    /// tasks that requeue themselves (yielding, waking each other) that can cycle forever,
    /// the same tasks going in and out while others never run (a worker with 2,500
    /// yielding tasks and a 1,024-slot ring left 976 of them unstarted). Taking the
    /// oldest injected task at every interval, whatever the ring holds, is what
    /// guarantees that every injected task runs.
    fn take_injected(
        shared: &Shared,
        core: &mut Core,
        queued: &mut bool,
    ) -> Option<Notified<Arc<Handle>>> {
        if shared.inject.is_empty() {
            return None;
        }
        let share = shared.inject.len() / shared.remotes.len() + 1;
        let room = (queue::CAPACITY / 2).saturating_sub(core.run_queue.len());
        // The one returned runs at once and takes no slot.
        let max = share.min(room + 1);
        let mut first = None;
        let Core {
            run_queue, owned, ..
        } = core;
        shared.inject.pop_batch(max, owned, |task| {
            if first.is_none() {
                first = Some(task);
            } else {
                run_queue.push_back_or_overflow(task, &shared.inject);
                *queued = true;
            }
        });
        first
    }

    fn run_task(&self, task: Notified<Arc<Handle>>) {
        self.transition_from_searching();
        let remote = self.remote();
        let shared = &self.handle.shared;
        coop::budget(|| {
            remote.lifo.bump_poll_seq();
            task.run();
            let mut lifo_polls = 0;
            while let Some(task) = remote.lifo.take() {
                if lifo_polls >= MAX_LIFO_POLLS_PER_TICK || !coop::has_budget_remaining() {
                    // Enough LIFO turns: queue it behind the others. No worker is woken
                    // for it: this worker runs it soon, and a partner task it wakes would
                    // pull it back here anyway (waking a thief only splits the pair).
                    self.with_core(|core| {
                        core.run_queue.push_back_or_overflow(task, &shared.inject)
                    });
                    break;
                }
                lifo_polls += 1;
                remote.lifo.bump_poll_seq();
                task.run();
            }
        });
    }

    fn transition_from_searching(&self) {
        let shared = &self.handle.shared;
        let (was_searching, queued_here) =
            self.with_core(|core| (std::mem::take(&mut core.is_searching), core.run_queue.len()));
        if was_searching && shared.idle.transition_worker_from_searching() {
            if queued_here > SHORT_RING || shared.has_queued_work() {
                // We were the last searcher and found work, and more is waiting somewhere
                // (the rest of a batch we took, tasks in another busy worker's ring,
                // injected tasks): keep someone looking. When the task we took was the
                // only one, nobody else is woken, so one new task wakes one worker. (A
                // task this one spawns or wakes later notifies through `schedule_local`.)
                self.handle.notify_parked();
            } else if queued_here > 0 {
                // The rest of the batch waits in a short ring, which wakes nobody: the
                // watcher must see it in case this worker gets stuck in the task it took.
                self.handle.ensure_watcher();
            }
        }
    }

    fn steal_work(&self) -> Option<Notified<Arc<Handle>>> {
        let shared = &self.handle.shared;
        self.with_core(|core| {
            if !core.is_searching {
                core.is_searching = shared.idle.transition_worker_to_searching();
                if !core.is_searching {
                    return None;
                }
            }
            let n = shared.remotes.len();
            let start = core.rand.next_below(n as u32) as usize;
            for offset in 0..n {
                let victim = (start + offset) % n;
                if victim == core.index {
                    continue;
                }
                if let Some(task) = shared.remotes[victim].steal.steal_into(&mut core.run_queue) {
                    return Some(task);
                }
            }
            shared.inject.pop(&mut core.owned)
        })
    }

    /// Parks until there may be work. Returns a task to run if, while watching, it took
    /// one from a stalled LIFO slot.
    ///
    /// # The LIFO watcher
    ///
    /// A task in a worker's LIFO slot waits for that worker's current poll to end. If that
    /// poll runs long (a CPU-heavy step, a blocking call), the task would wait with it,
    /// even with other workers idle. So one parking worker at a time takes the *watcher*
    /// role while other workers are busy: it parks with a [`LIFO_STALL`] timeout, and at
    /// each round (at least [`LIFO_STALL`] after the previous one) takes any LIFO task
    /// whose worker has not started a new poll since the previous round, or else half of
    /// that worker's ring. It gives the role up after [`LIFO_WATCH_ROUNDS`] rounds with
    /// every slot and ring empty, or when every other worker is idle; a worker that fills
    /// its LIFO slot or its short ring ([`SHORT_RING`]) while nobody watches and some
    /// worker is parked wakes one to take the role.
    ///
    /// # Who waits in the driver
    ///
    /// Only a worker that parks while every other worker is idle (or that has just given
    /// up watching) waits in the driver. While some worker is busy, it turns the driver
    /// itself without blocking between tasks (every `event_interval` ticks, and when it
    /// runs dry and parks), and the idle workers sleep on their condvars: a worker waiting
    /// in the driver would be woken by every I/O event a busy one could have picked up at
    /// its next turn, costing a context switch each (and, on a machine whose cores are all
    /// busy, the core of another thread), and would then run those tasks away from the
    /// worker that ran them last. The watcher backs this up: at each round in which nobody
    /// turned the driver (the busy workers are inside long polls) it turns it, and what
    /// that wakes runs on the watcher. See docs/DESIGN.md, "Parking".
    fn park(&self) -> Option<Notified<Arc<Handle>>> {
        let shared = &self.handle.shared;
        // Counted before the idle count changes, so whoever sees this worker parked also
        // sees the count.
        self.remote().park_count.fetch_add(1, Relaxed);
        let is_searching = self.with_core(|core| std::mem::take(&mut core.is_searching));
        if shared
            .idle
            .transition_worker_to_parked(self.index, is_searching)
            && shared.has_queued_work()
        {
            // We were the last searcher: a task pushed while we gave up may have found
            // us still counted as searching. Wake a worker (perhaps us) for it.
            self.handle.notify_parked();
        }
        let task = loop {
            let role = self.update_watch_role();
            let mut parker = self
                .with_core(|core| core.park.take())
                .expect("parker missing");
            let driver = &self.handle.driver;
            self.handle.config.parked(|| match role {
                ParkRole::Drive => parker.park(driver),
                ParkRole::Watch => parker.park_off_driver(Some(LIFO_STALL)),
                ParkRole::Rest => parker.park_off_driver(None),
            });
            self.with_core(|core| core.park = Some(parker));
            if shared.inject.is_closed() {
                break None;
            }
            if role == ParkRole::Watch {
                if let Some(task) = self.watch_round() {
                    if !shared.idle.unpark_worker_by_id(self.index) {
                        self.with_core(|core| core.is_searching = true);
                    }
                    break Some(task);
                }
            }
            if self.transition_from_parked() {
                break None;
            }
        };
        self.release_watch_role();
        task
    }

    /// After waking: true if the worker should go back to work.
    fn transition_from_parked(&self) -> bool {
        let shared = &self.handle.shared;
        // Tasks the driver woke on this thread while it was parked: the first goes to the
        // LIFO slot, the rest to the ring.
        let in_lifo = usize::from(!self.remote().lifo.is_empty());
        let local_work = self.with_core(|core| core.run_queue.len()) + in_lifo;
        if local_work > 0 {
            if !shared.idle.unpark_worker_by_id(self.index) {
                self.with_core(|core| core.is_searching = true);
            }
            if local_work > 1 {
                self.handle.notify_parked();
            }
            return true;
        }
        if shared.idle.is_parked(self.index) {
            // Spurious wake-up.
            return false;
        }
        // A notifier took us off the sleepers list and counted us as searching.
        self.with_core(|core| core.is_searching = true);
        true
    }

    /// Takes, keeps or gives up the watcher role, and says how to park.
    fn update_watch_role(&self) -> ParkRole {
        let shared = &self.handle.shared;
        let others_busy = shared.idle.num_unparked() > 0;
        self.with_core(|core| {
            if core.watching {
                if !others_busy || core.quiet_rounds >= LIFO_WATCH_ROUNDS {
                    core.watching = false;
                    shared.lifo_watcher.store(false, Release);
                    // Nobody busy, or nothing to watch for a while: wait in the driver,
                    // where I/O and timers wake this worker even if the busy one is stuck.
                    return ParkRole::Drive;
                }
                return ParkRole::Watch;
            }
            if !others_busy {
                return ParkRole::Drive;
            }
            if shared
                .lifo_watcher
                .compare_exchange(false, true, AcqRel, Relaxed)
                .is_err()
            {
                return ParkRole::Rest;
            }
            core.watching = true;
            core.quiet_rounds = 0;
            core.seen_at = Instant::now();
            core.driver_turns_seen = shared.park.driver_turns();
            for (seen, remote) in core.lifo_seen.iter_mut().zip(shared.remotes.iter()) {
                *seen = remote.observe();
            }
            ParkRole::Watch
        })
    }

    fn release_watch_role(&self) {
        let shared = &self.handle.shared;
        self.with_core(|core| {
            if std::mem::take(&mut core.watching) {
                shared.lifo_watcher.store(false, Release);
            }
        });
    }

    /// One watch round: takes a task from a LIFO slot whose worker has not started another
    /// poll since the previous round.
    fn watch_round(&self) -> Option<Notified<Arc<Handle>>> {
        let shared = &self.handle.shared;
        let round = self.with_core(|core| {
            // A park cut short (a notification) is not a watch round: judging then would
            // take a task that sat in a slot for microseconds. Keep the last observation.
            let now = Instant::now();
            if now.duration_since(core.seen_at) < LIFO_STALL {
                return Round::CutShort;
            }
            core.seen_at = now;
            let mut occupied = false;
            for (index, remote) in shared.remotes.iter().enumerate() {
                if index == core.index {
                    continue;
                }
                let now = remote.observe();
                let before = std::mem::replace(&mut core.lifo_seen[index], now);
                if now.lifo.is_null() && !now.queued {
                    continue;
                }
                occupied = true;
                if !now.lifo.is_null() && (before.lifo, before.poll_seq) == (now.lifo, now.poll_seq)
                {
                    if let Some(task) = remote.lifo.take_stalled(now.lifo) {
                        core.quiet_rounds = 0;
                        return Round::Took(task);
                    }
                }
                if before.queued && now.queued && core.run_queue.is_empty() {
                    // Tasks have waited in that ring for a whole round (a short ring wakes
                    // nobody; its worker may be stuck in a poll, or just busy): take half.
                    if let Some(task) = remote.steal.steal_into(&mut core.run_queue) {
                        core.quiet_rounds = 0;
                        return Round::Took(task);
                    }
                }
            }
            core.quiet_rounds = if occupied { 0 } else { core.quiet_rounds + 1 };
            Round::Idle
        });
        match round {
            Round::Took(task) => Some(task),
            Round::CutShort => None,
            Round::Idle => {
                self.turn_driver_if_unturned();
                None
            }
        }
    }

    /// The watcher's round for the driver: if nobody has turned it since the previous
    /// round (the busy workers are inside long polls), turn it without blocking, so I/O
    /// and timers wait at most about a round. What it wakes lands on this worker.
    fn turn_driver_if_unturned(&self) {
        let turns = self.handle.shared.park.driver_turns();
        let unturned =
            self.with_core(|core| std::mem::replace(&mut core.driver_turns_seen, turns) == turns);
        if unturned {
            self.maintenance();
            let turns = self.handle.shared.park.driver_turns();
            self.with_core(|core| core.driver_turns_seen = turns);
        }
    }
}

impl Shared {
    /// Whether any run queue or the injection queue holds a task (LIFO slots excluded:
    /// their own worker runs them next, or the LIFO watcher takes them).
    fn has_queued_work(&self) -> bool {
        !self.inject.is_empty()
            || self
                .remotes
                .iter()
                .any(|remote| remote.steal.len() > SHORT_RING)
    }
}

impl LifoSlot {
    /// Puts `task` in the slot; returns the task it displaced. Called by the owner only.
    fn put(&self, task: Notified<Arc<Handle>>) -> Option<Notified<Arc<Handle>>> {
        let task = task.into_raw().as_ptr();
        if self.task.load(Relaxed).is_null() {
            // Only the owner (us) fills the slot; a watcher only empties it. So an empty
            // slot stays empty until this store, and a plain store (no locked instruction)
            // is enough. Release: a watcher that takes the task sees it whole.
            self.task.store(task, Release);
            return None;
        }
        let previous = self.task.swap(task, AcqRel);
        // SAFETY: a non-null slot holds a `Notified` reference stored by `put`; the swap
        // made it ours.
        NonNull::new(previous).map(|ptr| unsafe { Notified::from_raw(ptr) })
    }

    /// Empties the slot. Called by the owner only.
    fn take(&self) -> Option<Notified<Arc<Handle>>> {
        if self.task.load(Relaxed).is_null() {
            return None;
        }
        let previous = self.task.swap(ptr::null_mut(), AcqRel);
        // SAFETY: as in `put`.
        NonNull::new(previous).map(|ptr| unsafe { Notified::from_raw(ptr) })
    }

    /// Whether the slot is empty.
    fn is_empty(&self) -> bool {
        self.task.load(Acquire).is_null()
    }

    /// Takes `expected` out of the slot if it is still there (a watcher's steal).
    fn take_stalled(&self, expected: *mut Header) -> Option<Notified<Arc<Handle>>> {
        self.task
            .compare_exchange(expected, ptr::null_mut(), AcqRel, Relaxed)
            .ok()
            // SAFETY: as in `put`; the compare-and-swap made the reference ours.
            .and_then(|ptr| NonNull::new(ptr).map(|ptr| unsafe { Notified::from_raw(ptr) }))
    }

    fn bump_poll_seq(&self) {
        // The owner is the only writer, so a load and a store suffice (no locked
        // instruction on the poll path).
        let seq = self.poll_seq.load(Relaxed);
        self.poll_seq.store(seq.wrapping_add(1), Relaxed);
    }
}

/// How a task reaches its worker's queues (`Handle::schedule_local`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Placement {
    /// Woken by a task on this worker: into the LIFO slot.
    Woken,
    /// Yielded (or out of budget): to the back of the ring.
    Yielded,
    /// New: to the back of the ring, where another worker may as well take it.
    Spawned,
}

/// What a watcher saw of another worker at one round.
#[derive(Clone, Copy, Debug)]
struct Observed {
    /// The LIFO slot's task (compared, never dereferenced).
    lifo: *mut Header,
    poll_seq: u32,
    /// Whether the ring held tasks.
    queued: bool,
}

impl Default for Observed {
    fn default() -> Observed {
        Observed {
            lifo: ptr::null_mut(),
            poll_seq: 0,
            queued: false,
        }
    }
}

impl Remote {
    /// The worker's LIFO slot, poll counter and whether its ring holds tasks, for
    /// comparing across watch rounds.
    fn observe(&self) -> Observed {
        Observed {
            lifo: self.lifo.task.load(Acquire),
            poll_seq: self.lifo.poll_seq.load(Relaxed),
            queued: !self.steal.is_empty(),
        }
    }
}

impl Handle {
    pub(super) fn config(&self) -> &Config {
        &self.config
    }

    pub(super) fn exit_latch(&self) -> &ExitLatch {
        &self.shared.exit_latch
    }

    pub(crate) fn num_workers(&self) -> usize {
        self.shared.remotes.len()
    }

    /// Tasks waiting in the injection queue.
    pub(crate) fn injection_queue_depth(&self) -> usize {
        self.shared.inject.len()
    }

    /// How many times worker `index` parked.
    pub(crate) fn worker_park_count(&self, index: usize) -> u64 {
        self.shared.remotes[index].park_count.load(Relaxed)
    }

    /// Closes the scheduler: no more tasks are accepted, and every worker is woken to
    /// shut down.
    pub(super) fn close(&self) {
        if self.shared.inject.close() {
            for remote in self.shared.remotes.iter() {
                remote.unparker.unpark(&self.driver);
            }
        }
    }

    /// What the shutdown does when it gives up waiting for a worker stuck in a poll:
    /// drops the tasks waiting in the injection queue and the orphans' futures, and stops
    /// the driver if nobody is parked in it, so I/O resources fail instead of hanging.
    pub(super) fn shutdown_without_stuck_workers(&self) {
        self.shared.inject.shutdown();
        self.shared.park.shutdown_driver_if_free(&self.driver);
    }

    /// A worker's last act: drop all it owns. The last worker out also empties the
    /// injection queue and stops the driver.
    fn shutdown_core(&self, mut core: Core) {
        core.owned.shutdown_all();
        let remote = &self.shared.remotes[core.index];
        while let Some(task) = remote.lifo.take().or_else(|| core.run_queue.pop()) {
            drop(task);
        }
        let mut cores = self.shared.shutdown_cores.lock();
        cores.push(core);
        if cores.len() == self.shared.remotes.len() {
            self.shared.inject.shutdown();
            if let Some(parker) = cores[0].park.as_mut() {
                parker.shutdown(&self.driver);
            }
            cores.clear();
        }
    }

    /// Spawns a task: onto the current worker if called from one, else through the
    /// injection queue.
    pub(crate) fn spawn<F>(me: &Arc<Handle>, future: F, id: Id) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let (task, notified, join) = task::new_task(future, me.clone(), id);
        me.bind_new(task, notified);
        join
    }

    fn bind_new(&self, task: Task<Arc<Handle>>, notified: Notified<Arc<Handle>>) {
        let rejected = context::with_scheduler(|cx| {
            let cx = self.own_context(cx);
            // Counted even if rejected below: the rejected task completes as cancelled.
            self.count_task_on(cx, 1);
            if let Some(cx) = cx {
                if let Ok(mut core) = cx.core.try_borrow_mut() {
                    if let Some(core) = core.as_mut() {
                        core.owned.push(task);
                        // A new task goes to the ring, not the LIFO slot: the spawner
                        // usually keeps running, and the new task may as well be stolen.
                        self.schedule_local(core, notified, Placement::Spawned);
                        return None;
                    }
                }
            }
            match self.shared.inject.push_new(task, notified) {
                Ok(()) => {
                    self.notify_parked();
                    None
                }
                Err(rejected) => Some(rejected),
            }
        });
        if let Some((task, notified)) = rejected {
            drop(notified);
            task.shutdown();
        }
    }

    /// Adds `delta` (wrapping: `usize::MAX` is -1) to the tasks alive: on the counter of
    /// the worker `cx` (this runtime's context on the calling thread, if any), or on the
    /// shared one off the workers.
    fn count_task_on(&self, cx: Option<&Context>, delta: usize) {
        match cx {
            Some(cx) => {
                let tasks = &self.shared.remotes[cx.index].lifo.tasks;
                tasks.store(tasks.load(Relaxed).wrapping_add(delta), Relaxed);
            }
            None => {
                self.shared.external_tasks.fetch_add(delta, Relaxed);
            }
        }
    }

    pub(crate) fn num_alive_tasks(&self) -> usize {
        let sum = self
            .shared
            .remotes
            .iter()
            .fold(self.shared.external_tasks.load(Relaxed), |sum, remote| {
                sum.wrapping_add(remote.lifo.tasks.load(Relaxed))
            });
        // Counters read one after another can be momentarily behind one another.
        if sum > isize::MAX as usize {
            0
        } else {
            sum
        }
    }

    fn own_context<'a>(&self, cx: Option<&'a scheduler::Context>) -> Option<&'a Context> {
        match cx {
            Some(scheduler::Context::MultiThread(cx)) if ptr::eq(&*cx.handle, self) => Some(cx),
            _ => None,
        }
    }

    /// Schedules a woken or yielding task: on this worker if called from one, else
    /// through the injection queue.
    fn schedule_task(&self, task: Notified<Arc<Handle>>, placement: Placement) {
        let remote = context::with_scheduler(|cx| {
            if let Some(cx) = self.own_context(cx) {
                if let Ok(mut core) = cx.core.try_borrow_mut() {
                    if let Some(core) = core.as_mut() {
                        self.schedule_local(core, task, placement);
                        return None;
                    }
                }
            }
            Some(task)
        });
        if let Some(task) = remote {
            // After shutdown the push fails and the reference is dropped: the owner list
            // has cancelled (or will cancel) the task.
            if self.shared.inject.push(task).is_ok() {
                self.notify_parked();
            }
        }
    }

    fn schedule_local(&self, core: &mut Core, task: Notified<Arc<Handle>>, placement: Placement) {
        let shared = &self.shared;
        let queued = match placement {
            Placement::Woken => shared.remotes[core.index].lifo.put(task),
            Placement::Yielded | Placement::Spawned => Some(task),
        };
        let Some(task) = queued else {
            // Only the LIFO slot was filled: this worker runs it next. If it is stuck in
            // a long poll, the LIFO watcher takes it; make sure one exists.
            self.ensure_watcher();
            return;
        };
        core.run_queue
            .push_back_or_overflow(task, &self.shared.inject);
        // While parked in the driver, the worker runs what the driver scheduled itself and
        // wakes others afterwards if there is more (`transition_from_parked`).
        if core.park.is_some() {
            // A woken or yielding task behind a few others is this worker's to run (the
            // watcher backs it up); a new task may be long, and another worker may as
            // well start it now.
            if placement != Placement::Spawned && core.run_queue.len() <= SHORT_RING {
                self.ensure_watcher();
            } else {
                self.notify_parked();
            }
        }
    }

    fn ensure_watcher(&self) {
        let shared = &self.shared;
        if !shared.lifo_watcher.load(Relaxed) && shared.idle.num_unparked() < shared.remotes.len() {
            self.notify_parked();
        }
    }

    /// Wakes one parked worker if nobody is searching.
    fn notify_parked(&self) {
        if let Some(index) = self.shared.idle.worker_to_notify() {
            self.shared.remotes[index].unparker.unpark(&self.driver);
        }
    }
}

impl Schedule for Arc<Handle> {
    fn schedule(&self, task: Notified<Self>) {
        self.schedule_task(task, Placement::Woken);
    }

    fn task_completed(&self) {
        context::with_scheduler(|cx| self.count_task_on(self.own_context(cx), usize::MAX));
    }

    fn yield_now(&self, task: Notified<Self>) {
        self.schedule_task(task, Placement::Yielded);
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("multi_thread::Handle")
            .field("workers", &self.num_workers())
            .finish_non_exhaustive()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use crate::runtime::{scheduler, Builder, Runtime};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    fn handle(rt: &Runtime) -> &super::Handle {
        match &rt.handle().inner {
            scheduler::Handle::MultiThread(handle) => handle,
            scheduler::Handle::CurrentThread(_) => unreachable!(),
        }
    }

    /// Waits (bounded) until every worker is parked.
    fn wait_all_parked(handle: &super::Handle) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while handle.shared.idle.num_unparked() != 0 {
            assert!(Instant::now() < deadline, "workers never all parked");
            std::thread::yield_now();
        }
    }

    fn total_parks(handle: &super::Handle) -> u64 {
        (0..handle.num_workers())
            .map(|i| handle.worker_park_count(i))
            .sum()
    }

    /// With every worker idle, one task spawned from outside wakes exactly one worker: only
    /// one worker goes through a park cycle again.
    #[test]
    fn one_new_task_wakes_exactly_one_idle_worker() {
        let rt = Builder::new_multi_thread()
            .worker_threads(4)
            .build()
            .unwrap();
        let handle = handle(&rt);
        for _ in 0..20 {
            wait_all_parked(handle);
            let before = total_parks(handle);
            let ran = Arc::new(AtomicBool::new(false));
            let flag = ran.clone();
            rt.spawn(async move { flag.store(true, Ordering::Release) });
            let deadline = Instant::now() + Duration::from_secs(10);
            while !ran.load(Ordering::Acquire) {
                assert!(Instant::now() < deadline, "the task never ran");
                std::thread::yield_now();
            }
            wait_all_parked(handle);
            assert_eq!(total_parks(handle) - before, 1, "more than one worker woke");
        }
    }
}
