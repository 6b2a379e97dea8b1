//! Shutting a runtime down: every task's future is dropped (parked ones and never-polled
//! ones alike), tasks spawned by those destructors are cancelled, threads are joined, a
//! stuck blocking closure cannot hold `shutdown_timeout` hostage, and later spawns fail.

mod support;

use kairos::runtime::{Builder, Handle, Runtime, RuntimeFlavor};
use kairos::task::JoinHandle;
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};
use support::{on_each_flavor, pending_on_drop, tracked, DropCounter, DropToken, Mailbox};

/// How the tests end a runtime.
#[derive(Clone, Copy, Debug)]
enum Shutdown {
    Drop,
    Timeout,
    Background,
}

impl Shutdown {
    fn run(self, rt: Runtime) {
        match self {
            Shutdown::Drop => drop(rt),
            Shutdown::Timeout => rt.shutdown_timeout(support::DEADLINE),
            Shutdown::Background => rt.shutdown_background(),
        }
    }

    /// Whether every future is dropped by the time `run` returns. A background shutdown
    /// does not wait for the workers, which drop their tasks' futures on their way out.
    fn waits(self) -> bool {
        !matches!(self, Shutdown::Background)
    }
}

/// Keeps every worker of a multi-thread runtime inside one poll until the runtime is
/// closed, so tasks spawned meanwhile are never polled. The close is seen from a probe
/// thread: once the runtime is closed, a spawn is cancelled on the spot.
struct HoldUntilClosed {
    _occupied: support::Occupied,
    probe: std::thread::JoinHandle<()>,
}

impl HoldUntilClosed {
    fn new(rt: &Runtime) -> Option<HoldUntilClosed> {
        if rt.handle().runtime_flavor() != RuntimeFlavor::MultiThread {
            return None;
        }
        let occupied = support::occupy_workers(rt.handle(), rt.metrics().num_workers());
        let release = occupied.release_flag();
        let handle = rt.handle().clone();
        let probe = std::thread::spawn(move || {
            let start = Instant::now();
            loop {
                // Before the close this task waits in the injection queue (every worker is
                // held), to be dropped by the shutdown like the others.
                if handle.spawn(async {}).is_finished() {
                    break;
                }
                assert!(
                    start.elapsed() < support::DEADLINE,
                    "the runtime never closed"
                );
                std::thread::yield_now();
            }
            release.store(true, Ordering::Release);
        });
        Some(HoldUntilClosed {
            _occupied: occupied,
            probe,
        })
    }

    fn join(self) {
        self.probe.join().unwrap();
    }
}

fn drops_every_future(how: Shutdown) {
    on_each_flavor(|rt| {
        const PARKED: usize = 20;
        const NEVER_POLLED: usize = 20;
        let dropped = DropCounter::new();
        let polls = Arc::new(AtomicUsize::new(0));
        let all_parked = Mailbox::new();
        let parked_count = Arc::new(AtomicUsize::new(0));
        let mut kept: Vec<JoinHandle<()>> = Vec::new();
        for i in 0..PARKED {
            let (parked_count, all_parked) = (parked_count.clone(), all_parked.clone());
            let task = rt.spawn(tracked(&polls, &dropped, async move {
                if parked_count.fetch_add(1, Ordering::SeqCst) + 1 == PARKED {
                    all_parked.send(());
                }
                std::future::pending::<()>().await;
            }));
            // Half the handles are kept, half detached.
            if i % 2 == 0 {
                kept.push(task);
            }
        }
        rt.block_on(all_parked.recv());
        // A current-thread runtime polls nothing outside `block_on`; a multi-thread one
        // has its workers held until it is closed.
        let hold = HoldUntilClosed::new(&rt);
        for i in 0..NEVER_POLLED {
            let task = rt.spawn(tracked(&polls, &dropped, async {}));
            if i % 2 == 0 {
                kept.push(task);
            }
        }
        how.run(rt);
        if let Some(hold) = hold {
            hold.join();
        }
        if !how.waits() {
            support::wait_until("the detached workers to drop the tasks", || {
                dropped.get() == PARKED + NEVER_POLLED
            });
        }
        assert_eq!(dropped.get(), PARKED + NEVER_POLLED, "futures leaked");
        assert_eq!(
            polls.load(Ordering::SeqCst),
            PARKED,
            "a queued task was polled"
        );
        for task in kept {
            let err = futures::executor::block_on(task).unwrap_err();
            assert!(err.is_cancelled(), "{err:?}");
        }
    });
}

#[test]
fn dropping_the_runtime_drops_every_future() {
    drops_every_future(Shutdown::Drop);
}

#[test]
fn shutdown_timeout_drops_every_future() {
    drops_every_future(Shutdown::Timeout);
}

#[test]
fn shutdown_background_drops_every_future() {
    drops_every_future(Shutdown::Background);
}

/// A task's future, pending forever, whose destructor spawns another one like it (down to
/// `depth` 0) and reports the spawned task's handle.
fn spawn_on_drop(
    depth: usize,
    dropped: &DropCounter,
    handles: &mpsc::Sender<JoinHandle<()>>,
    polls: &Arc<AtomicUsize>,
) -> Pin<Box<dyn Future<Output = ()> + Send>> {
    let (counter, sender, polled) = (dropped.clone(), handles.clone(), polls.clone());
    Box::pin(tracked(
        polls,
        dropped,
        pending_on_drop(move || {
            if depth == 0 {
                return;
            }
            let handle = Handle::try_current()
                .expect("a task's destructor runs with its runtime current during shutdown");
            let child = spawn_on_drop(depth - 1, &counter, &sender, &polled);
            let _ = sender.send(handle.spawn(child));
        }),
    ))
}

#[test]
fn tasks_spawned_by_destructors_during_shutdown_are_cancelled() {
    on_each_flavor(|rt| {
        const DEPTH: usize = 3;
        let dropped = DropCounter::new();
        let polls = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = mpsc::channel();
        let first = rt.spawn(spawn_on_drop(DEPTH, &dropped, &tx, &polls));
        // Let it be polled once (parked), so it is a live task when the runtime goes.
        let polled = polls.clone();
        support::drive_until(&rt, "the first poll", move || {
            polled.load(Ordering::SeqCst) == 1
        });
        drop(tx);
        drop(rt);
        let children: Vec<_> = rx.iter().collect();
        assert_eq!(children.len(), DEPTH, "each destructor spawned one child");
        assert_eq!(dropped.get(), DEPTH + 1, "a child future was leaked");
        assert_eq!(
            polls.load(Ordering::SeqCst),
            1,
            "a child spawned in shutdown ran"
        );
        for child in children {
            assert!(child.is_finished());
            assert!(futures::executor::block_on(child)
                .unwrap_err()
                .is_cancelled());
        }
        assert!(futures::executor::block_on(first)
            .unwrap_err()
            .is_cancelled());
    });
}

thread_local! {
    /// Set on runtime threads by `on_thread_start`; its destructor runs when the thread
    /// really exits.
    static EXIT_WATCH: RefCell<Option<DropToken>> = const { RefCell::new(None) };
}

#[test]
fn runtime_threads_are_joined_on_drop() {
    for (name, workers) in [("current_thread", None), ("multi_thread(2)", Some(2))] {
        eprintln!("-- on {name}");
        let started = Arc::new(AtomicUsize::new(0));
        let stopped = Arc::new(AtomicUsize::new(0));
        let exited = DropCounter::new();
        let mut builder = match workers {
            None => Builder::new_current_thread(),
            Some(n) => {
                let mut builder = Builder::new_multi_thread();
                builder.worker_threads(n);
                builder
            }
        };
        let rt = {
            let (started, stopped, exited) = (started.clone(), stopped.clone(), exited.clone());
            builder
                .on_thread_start(move || {
                    started.fetch_add(1, Ordering::SeqCst);
                    EXIT_WATCH.with(|watch| *watch.borrow_mut() = Some(exited.token()));
                })
                .on_thread_stop(move || {
                    stopped.fetch_add(1, Ordering::SeqCst);
                })
                .build()
                .unwrap()
        };
        // Two blocking threads at once, plus the workers.
        support::two_blocking_closures_at_once(&rt);
        drop(rt);
        let expected = 2 + workers.unwrap_or(0);
        assert_eq!(started.load(Ordering::SeqCst), expected);
        assert_eq!(stopped.load(Ordering::SeqCst), expected);
        assert_eq!(exited.get(), expected, "a runtime thread was not joined");
    }
}

/// The timeout the bounded shutdowns are given.
const SHUTDOWN_TIMEOUT: Duration = Duration::from_millis(100);

/// How long a bounded shutdown may take before the test calls it hung.
const HUNG: Duration = Duration::from_secs(5);

/// Shuts `rt` down (with [`SHUTDOWN_TIMEOUT`] for `Shutdown::Timeout`) on another thread
/// while something is stuck, and returns how long that took, or `None` if it had not
/// returned after [`HUNG`]. Either way, `unstick` is called before returning, so that a
/// hung shutdown fails the test instead of hanging it.
fn time_stuck_shutdown(rt: Runtime, how: Shutdown, unstick: impl FnOnce()) -> Option<Duration> {
    let (tx, rx) = mpsc::channel();
    let thread = std::thread::spawn(move || {
        let start = Instant::now();
        match how {
            Shutdown::Timeout => rt.shutdown_timeout(SHUTDOWN_TIMEOUT),
            _ => how.run(rt),
        }
        let _ = tx.send(start.elapsed());
    });
    let elapsed = rx.recv_timeout(HUNG).ok();
    unstick();
    thread.join().unwrap();
    eprintln!("{how:?} returned after {elapsed:?} (None: not within {HUNG:?})");
    elapsed
}

#[track_caller]
fn assert_bounded(how: Shutdown, elapsed: Option<Duration>, stuck: &str) {
    let elapsed = elapsed.unwrap_or_else(|| panic!("{how:?} hung on {stuck}"));
    if matches!(how, Shutdown::Timeout) {
        assert!(
            elapsed >= SHUTDOWN_TIMEOUT,
            "returned before the timeout: {elapsed:?}"
        );
    }
}

#[test]
fn shutdown_timeout_does_not_wait_for_a_stuck_blocking_closure() {
    for how in [Shutdown::Timeout, Shutdown::Background] {
        // One blocking thread: the stuck closure holds it, a second one waits in the queue.
        let one_thread = |builder: &mut Builder| {
            builder.max_blocking_threads(1);
        };
        support::on_each_flavor_with(one_thread, |rt| {
            // Stuck until the test releases it, which it does only after the shutdown.
            let (stuck, release) = support::spawn_held(&rt, "finished");
            let queued = support::BlockingProbe::spawn(rt.handle());
            let elapsed = time_stuck_shutdown(rt, how, || release.send(()).unwrap());
            assert_bounded(how, elapsed, "a blocking closure");
            // The stuck closure ran on, detached, until released; the queued one never ran.
            assert_eq!(futures::executor::block_on(stuck).unwrap(), "finished");
            queued.assert_cancelled(None);
        });
    }
}

#[test]
fn shutdown_timeout_does_not_wait_for_a_task_stuck_in_its_poll() {
    // A worker that never comes back from a poll is left behind, like a blocking thread.
    for how in [Shutdown::Timeout, Shutdown::Background] {
        let rt = support::multi_thread(2);
        let stuck = support::occupy_workers(rt.handle(), 1);
        let elapsed = time_stuck_shutdown(rt, how, || stuck.release());
        assert_bounded(how, elapsed, "a worker stuck in a poll");
    }
}

#[test]
fn spawn_after_shutdown_is_cancelled() {
    on_each_flavor(|rt| {
        let handle = rt.handle().clone();
        drop(rt);
        let polls = Arc::new(AtomicUsize::new(0));
        let dropped = DropCounter::new();
        let task = handle.spawn(tracked(&polls, &dropped, async { 1 }));
        assert!(task.is_finished());
        let err = futures::executor::block_on(task).unwrap_err();
        assert!(err.is_cancelled(), "{err:?}");
        assert_eq!(polls.load(Ordering::SeqCst), 0);
        assert_eq!(dropped.get(), 1);

        support::BlockingProbe::spawn(&handle).assert_cancelled(None);

        // Entering the dead runtime and spawning there is cancelled just the same.
        let _guard = handle.enter();
        let err = futures::executor::block_on(kairos::spawn(async {})).unwrap_err();
        assert!(err.is_cancelled());
    });
}

#[test]
fn shutdown_wakes_a_joiner_on_another_runtime() {
    on_each_flavor(|rt| {
        let other = support::multi_thread(1);
        let dropped = DropCounter::new();
        let target = rt.spawn(support::pending_forever(dropped.token()));
        let registered = Arc::new(Mutex::new(false));
        let joiner = {
            let registered = registered.clone();
            other.spawn(async move {
                let mut target = target;
                assert!(futures::poll!(&mut target).is_pending());
                *registered.lock().unwrap() = true;
                target.await
            })
        };
        support::wait_until("the joiner to poll the handle", || {
            *registered.lock().unwrap()
        });
        drop(rt);
        let result = other.block_on(joiner).unwrap();
        assert!(result.unwrap_err().is_cancelled());
        assert_eq!(dropped.get(), 1);
    });
}
