//! Cooperative scheduling: the per-poll budget makes a busy task yield, `unconstrained`
//! lifts it, `yield_now` requeues behind the others, and joining consumes budget.
//!
//! These run where only one thread polls tasks (current-thread, and multi-thread with one
//! worker): with a second worker, starvation would not show.

mod support;

use kairos::runtime::Runtime;
use kairos::task::{self, consume_budget, unconstrained};
use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Waker};
use std::time::{Duration, Instant};
use support::{drive_until, on_each_flavor, on_each_single_worker_flavor, yield_until};

/// The budget of one task poll, in resource operations (docs/ARCHITECTURE: 128).
const BUDGET: usize = 128;

/// Spawns `spinner` and then a witness task from one parent task (so both wait in the
/// same run queue, spinner first) and returns `count` as the witness saw it.
fn count_seen_by_the_next_task<F>(rt: &Runtime, count: &Arc<AtomicUsize>, spinner: F) -> usize
where
    F: Future<Output = ()> + Send + 'static,
{
    let count = count.clone();
    rt.block_on(async move {
        kairos::spawn(async move {
            drop(kairos::spawn(spinner));
            let witness = kairos::spawn(async move { count.load(Ordering::SeqCst) });
            witness.await.unwrap()
        })
        .await
        .unwrap()
    })
}

#[test]
fn a_task_spinning_on_consume_budget_does_not_starve_another() {
    on_each_single_worker_flavor(|rt| {
        let spins = Arc::new(AtomicUsize::new(0));
        let hog_spins = spins.clone();
        let seen = count_seen_by_the_next_task(&rt, &spins, async move {
            loop {
                consume_budget().await;
                hog_spins.fetch_add(1, Ordering::SeqCst);
            }
        });
        assert_eq!(
            seen, BUDGET,
            "the hog should have yielded after exactly one budget of operations"
        );
        // The hog is still spinning, turn after turn.
        drive_until(&rt, "the hog's next turns", move || {
            spins.load(Ordering::SeqCst) > 3 * BUDGET
        });
    });
}

#[test]
fn unconstrained_lifts_the_budget() {
    on_each_single_worker_flavor(|rt| {
        let spins = Arc::new(AtomicUsize::new(0));
        let free_spins = spins.clone();
        let seen = count_seen_by_the_next_task(
            &rt,
            &spins,
            unconstrained(async move {
                for _ in 0..1000 {
                    consume_budget().await;
                    free_spins.fetch_add(1, Ordering::SeqCst);
                }
            }),
        );
        assert_eq!(seen, 1000, "an unconstrained task yielded");
    });
}

#[test]
fn consume_budget_outside_a_runtime_never_yields() {
    let mut future = pin!(async {
        for _ in 0..10 * BUDGET {
            consume_budget().await;
        }
    });
    let mut cx = Context::from_waker(Waker::noop());
    assert!(future.as_mut().poll(&mut cx).is_ready());
}

#[test]
fn yield_now_goes_behind_the_other_ready_tasks() {
    on_each_single_worker_flavor(|rt| {
        let trace = Arc::new(Mutex::new(Vec::new()));
        rt.block_on({
            let trace = trace.clone();
            async move {
                kairos::spawn(async move {
                    let log = |event| {
                        let trace = trace.clone();
                        move || trace.lock().unwrap().push(event)
                    };
                    let (a1, a2, b) = (log("a1"), log("a2"), log("b"));
                    let a = kairos::spawn(async move {
                        a1();
                        task::yield_now().await;
                        a2();
                    });
                    let b = kairos::spawn(async move { b() });
                    a.await.unwrap();
                    b.await.unwrap();
                })
                .await
                .unwrap();
            }
        });
        assert_eq!(*trace.lock().unwrap(), ["a1", "b", "a2"]);
    });
}

/// Runs `step` in `block_on`'s own future until a spawned task has run, failing after
/// a few seconds (one scheduling turn is all the task needs).
fn block_on_future_lets_tasks_run<F: Future<Output = ()>>(step: fn() -> F) {
    on_each_flavor(|rt| {
        let ran = Arc::new(AtomicBool::new(false));
        let task_ran = ran.clone();
        let steps = rt.block_on(async move {
            kairos::spawn(async move { task_ran.store(true, Ordering::SeqCst) });
            let start = Instant::now();
            let mut steps = 0u64;
            while !ran.load(Ordering::SeqCst) {
                assert!(
                    start.elapsed() < Duration::from_secs(3),
                    "the spawned task never ran while block_on's future looped \
                     ({steps} steps)"
                );
                step().await;
                steps += 1;
            }
            steps
        });
        eprintln!("the spawned task ran after {steps} steps");
    });
}

#[test]
fn yield_now_in_block_on_lets_spawned_tasks_run() {
    block_on_future_lets_tasks_run(task::yield_now);
}

#[test]
fn consume_budget_in_block_on_lets_spawned_tasks_run() {
    block_on_future_lets_tasks_run(consume_budget);
}

#[test]
fn polling_join_handles_consumes_budget() {
    const TASKS: usize = 2 * BUDGET + 10;
    on_each_single_worker_flavor(|rt| {
        let seen = rt.block_on(async {
            kairos::spawn(async {
                let handles: Vec<_> = (0..TASKS).map(|_| kairos::spawn(async {})).collect();
                yield_until("the tasks to finish", || {
                    handles.iter().all(|handle| handle.is_finished())
                })
                .await;
                // Every handle is ready: only the budget can make the joiner yield.
                let count = Arc::new(AtomicUsize::new(0));
                let joined = count.clone();
                let joiner = kairos::spawn(async move {
                    for handle in handles {
                        handle.await.unwrap();
                        joined.fetch_add(1, Ordering::SeqCst);
                    }
                });
                let witness = kairos::spawn(async move { count.load(Ordering::SeqCst) });
                let seen = witness.await.unwrap();
                joiner.await.unwrap();
                seen
            })
            .await
            .unwrap()
        });
        assert_eq!(
            seen, BUDGET,
            "joined {seen} of {TASKS} ready handles in one poll"
        );
    });
}
