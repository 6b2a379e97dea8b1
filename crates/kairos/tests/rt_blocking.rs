//! The blocking pool: results, growth up to `max_blocking_threads` with a queue beyond,
//! idle threads leaving after `thread_keep_alive`, the runtime context inside closures,
//! and aborting queued closures.

mod support;

use kairos::runtime::Handle;
use kairos::task;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;
use support::{on_each_flavor, on_each_flavor_with, recv, spawn_held, wait_until, BlockingProbe};

/// Closures that each take one release message before returning; they wait on the
/// mutex or inside `recv`, parked either way.
#[derive(Clone)]
struct Releases(Arc<Mutex<mpsc::Receiver<()>>>);

impl Releases {
    fn new() -> (mpsc::Sender<()>, Releases) {
        let (tx, rx) = mpsc::channel();
        (tx, Releases(Arc::new(Mutex::new(rx))))
    }

    fn wait(&self) {
        recv(&self.0.lock().unwrap(), "a release");
    }
}

#[test]
fn spawn_blocking_returns_the_closures_result() {
    on_each_flavor(|rt| {
        let outputs = rt.block_on(async {
            let handles: Vec<_> = (0..64u64)
                .map(|i| task::spawn_blocking(move || i * i))
                .collect();
            let mut outputs = Vec::new();
            for handle in handles {
                outputs.push(handle.await.unwrap());
            }
            outputs
        });
        assert!(outputs.iter().copied().eq((0..64u64).map(|i| i * i)));
        // From outside the runtime, through the runtime and a handle.
        let a = rt.spawn_blocking(|| "runtime");
        let b = rt.handle().spawn_blocking(|| "handle");
        assert_eq!(rt.block_on(a).unwrap(), "runtime");
        assert_eq!(rt.block_on(b).unwrap(), "handle");
        // From inside a task.
        let out = rt.block_on(async {
            kairos::spawn(async { task::spawn_blocking(|| 5).await.unwrap() })
                .await
                .unwrap()
        });
        assert_eq!(out, 5);
    });
}

#[test]
fn the_pool_grows_to_its_cap_and_queues_the_rest() {
    const CAP: usize = 3;
    const CLOSURES: usize = 5;
    on_each_flavor_with(
        |builder| {
            builder.max_blocking_threads(CAP);
        },
        |rt| {
            let (release, releases) = Releases::new();
            let (started_tx, started_rx) = mpsc::channel();
            let active = Arc::new(AtomicUsize::new(0));
            let max_active = Arc::new(AtomicUsize::new(0));
            let handles: Vec<_> = (0..CLOSURES)
                .map(|i| {
                    let (releases, started_tx) = (releases.clone(), started_tx.clone());
                    let (active, max_active) = (active.clone(), max_active.clone());
                    rt.spawn_blocking(move || {
                        let now = active.fetch_add(1, Ordering::SeqCst) + 1;
                        max_active.fetch_max(now, Ordering::SeqCst);
                        started_tx.send(i).unwrap();
                        releases.wait();
                        active.fetch_sub(1, Ordering::SeqCst);
                        i
                    })
                })
                .collect();
            for _ in 0..CAP {
                recv(&started_rx, "a blocking closure to start");
            }
            let metrics = rt.metrics();
            assert_eq!(metrics.num_blocking_threads(), CAP);
            assert_eq!(metrics.blocking_queue_depth(), CLOSURES - CAP);
            assert_eq!(metrics.num_idle_blocking_threads(), 0);
            assert!(started_rx.try_recv().is_err(), "ran past the cap");
            for _ in 0..CLOSURES {
                release.send(()).unwrap();
            }
            let outputs = rt.block_on(async {
                let mut outputs = Vec::new();
                for handle in handles {
                    outputs.push(handle.await.unwrap());
                }
                outputs
            });
            assert_eq!(outputs, (0..CLOSURES).collect::<Vec<_>>());
            assert_eq!(max_active.load(Ordering::SeqCst), CAP);
            assert_eq!(metrics.num_blocking_threads(), CAP);
            assert_eq!(metrics.blocking_queue_depth(), 0);
        },
    );
}

#[test]
fn idle_threads_exit_after_the_keep_alive() {
    on_each_flavor_with(
        |builder| {
            builder.thread_keep_alive(Duration::from_millis(20));
        },
        |rt| {
            support::two_blocking_closures_at_once(&rt);
            let metrics = rt.metrics();
            wait_until("the idle blocking threads to exit", || {
                metrics.num_blocking_threads() == 0
            });
            assert_eq!(metrics.num_idle_blocking_threads(), 0);
            // The pool starts threads again afterwards.
            assert_eq!(rt.block_on(rt.spawn_blocking(|| 3)).unwrap(), 3);
        },
    );
}

#[test]
fn an_idle_thread_is_reused() {
    on_each_flavor(|rt| {
        let first = rt
            .block_on(rt.spawn_blocking(|| std::thread::current().id()))
            .unwrap();
        let metrics = rt.metrics();
        wait_until("the blocking thread to go idle", || {
            metrics.num_idle_blocking_threads() == 1
        });
        let second = rt
            .block_on(rt.spawn_blocking(|| std::thread::current().id()))
            .unwrap();
        assert_eq!(first, second, "a second thread was started");
        assert_eq!(metrics.num_blocking_threads(), 1);
    });
}

#[test]
fn the_runtime_is_current_inside_a_blocking_closure() {
    on_each_flavor(|rt| {
        let expected = rt.handle().runtime_flavor();
        let (flavor, spawned, nested) = rt
            .block_on(rt.spawn_blocking(|| {
                let handle = Handle::current();
                // `kairos::spawn` sees the runtime too; `block_on` waits for the task.
                let task = kairos::spawn(async { "spawned from a blocking thread" });
                let spawned = handle.block_on(task).unwrap();
                let nested = handle
                    .block_on(task::spawn_blocking(|| "nested blocking"))
                    .unwrap();
                (handle.runtime_flavor(), spawned, nested)
            }))
            .unwrap();
        assert_eq!(flavor, expected);
        assert_eq!(spawned, "spawned from a blocking thread");
        assert_eq!(nested, "nested blocking");
    });
}

#[test]
fn block_on_inside_spawn_blocking() {
    on_each_flavor(|rt| {
        let out = rt.block_on(async {
            task::spawn_blocking(|| {
                Handle::current().block_on(async {
                    let a = kairos::spawn(async { 20 });
                    let b = kairos::spawn(async { 22 });
                    a.await.unwrap() + b.await.unwrap()
                })
            })
            .await
            .unwrap()
        });
        assert_eq!(out, 42);
    });
}

#[test]
fn aborting_a_queued_blocking_task_keeps_it_from_running() {
    on_each_flavor_with(
        |builder| {
            builder.max_blocking_threads(1);
        },
        |rt| {
            let (first, release_tx) = spawn_held(&rt, "first");
            let queued = BlockingProbe::spawn(rt.handle());
            assert_eq!(rt.metrics().blocking_queue_depth(), 1);
            queued.handle.abort();
            release_tx.send(()).unwrap();
            assert_eq!(rt.block_on(first).unwrap(), "first");
            queued.assert_cancelled(Some(&rt));
            // The single thread is free again.
            assert_eq!(rt.block_on(rt.spawn_blocking(|| 1)).unwrap(), 1);
        },
    );
}

#[test]
fn aborting_a_running_blocking_task_lets_it_finish() {
    on_each_flavor(|rt| {
        let (running, release_tx) = spawn_held(&rt, "kept");
        running.abort();
        release_tx.send(()).unwrap();
        assert_eq!(rt.block_on(running).unwrap(), "kept");
    });
}

#[test]
fn a_panicking_closure_does_not_take_its_thread_down() {
    on_each_flavor_with(
        |builder| {
            builder.max_blocking_threads(1);
        },
        |rt| {
            let err = rt
                .block_on(rt.spawn_blocking(|| panic!("blocking panic")))
                .unwrap_err();
            assert!(err.is_panic());
            assert_eq!(support::panic_message(&*err.into_panic()), "blocking panic");
            assert_eq!(rt.block_on(rt.spawn_blocking(|| 2)).unwrap(), 2);
            assert_eq!(rt.metrics().num_blocking_threads(), 1);
        },
    );
}
