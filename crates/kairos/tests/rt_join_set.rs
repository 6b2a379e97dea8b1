//! `JoinSet`: every method, completion order, abort on drop, and the cancel safety of
//! `join_next`.

mod support;

use kairos::runtime::RuntimeFlavor;
use kairos::task::{self, JoinSet, LocalSet};
use std::collections::HashSet;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use support::{
    block_on_each_flavor, drive_until, expect_panic, on_each_flavor, pending_forever, wait_in_task,
    DropCounter, Gate,
};

#[test]
fn spawn_and_join_next_collect_every_output() {
    block_on_each_flavor(|| async {
        let mut set = JoinSet::new();
        assert!(set.is_empty());
        assert!(set.join_next().await.is_none(), "an empty set is done");
        for i in 0..10_000u32 {
            set.spawn(async move { i });
        }
        assert_eq!(set.len(), 10_000);
        let mut seen = HashSet::new();
        while let Some(result) = set.join_next().await {
            assert!(seen.insert(result.unwrap()));
            assert_eq!(set.len(), 10_000 - seen.len());
        }
        assert_eq!(seen.len(), 10_000);
        assert!(set.is_empty());
    });
}

#[test]
fn join_next_follows_completion_order() {
    on_each_flavor(|rt| {
        let gates: Vec<Gate> = (0..4).map(|_| Gate::new()).collect();
        rt.block_on(async {
            let mut set = JoinSet::new();
            for (i, gate) in gates.iter().enumerate() {
                set.spawn(gate.then(i));
            }
            for i in [2, 0, 3, 1] {
                gates[i].open();
                assert_eq!(set.join_next().await.unwrap().unwrap(), i);
            }
            assert!(set.join_next().await.is_none());
        });
    });
}

#[test]
fn len_counts_finished_tasks_until_they_are_joined() {
    on_each_flavor(|rt| {
        rt.block_on(async {
            let mut set = JoinSet::new();
            let abort = set.spawn(async { 1 });
            wait_in_task("the task to finish", move || abort.is_finished()).await;
            assert_eq!(set.len(), 1);
            assert_eq!(set.join_next().await.unwrap().unwrap(), 1);
            assert_eq!(set.len(), 0);
        });
    });
}

#[test]
fn try_join_next_never_waits() {
    on_each_flavor(|rt| {
        let out = rt.block_on(async {
            // Inside a task, whose yields let the others run on either flavor.
            kairos::spawn(async {
                let mut set: JoinSet<u32> = JoinSet::new();
                assert!(set.try_join_next().is_none(), "empty set");
                let gate = Gate::new();
                set.spawn(gate.then(8));
                assert!(set.try_join_next().is_none(), "nothing finished yet");
                assert_eq!(set.len(), 1);
                gate.open();
                let start = std::time::Instant::now();
                loop {
                    if let Some(result) = set.try_join_next() {
                        break result.unwrap();
                    }
                    assert!(start.elapsed() < support::DEADLINE, "never finished");
                    task::yield_now().await;
                }
            })
            .await
            .unwrap()
        });
        assert_eq!(out, 8);
    });
}

/// A set of `n` tasks (on the current runtime) that never finish, each counting its drop.
fn pending_set(n: usize, dropped: &DropCounter) -> JoinSet<()> {
    let mut set = JoinSet::new();
    for _ in 0..n {
        set.spawn(pending_forever(dropped.token()));
    }
    set
}

#[test]
fn abort_all_cancels_every_task() {
    block_on_each_flavor(|| async {
        let dropped = DropCounter::new();
        let mut set = pending_set(10, &dropped);
        set.abort_all();
        assert_eq!(set.len(), 10, "aborted tasks stay until joined");
        let mut cancelled = 0;
        while let Some(result) = set.join_next().await {
            assert!(result.unwrap_err().is_cancelled());
            cancelled += 1;
        }
        assert_eq!(cancelled, 10);
        assert_eq!(dropped.get(), 10);
    });
}

#[test]
fn the_returned_abort_handle_aborts_one_task() {
    block_on_each_flavor(|| async {
        let mut set = JoinSet::new();
        let gate = Gate::new();
        set.spawn(gate.then("kept"));
        let victim = set.spawn(async { std::future::pending::<&str>().await });
        victim.abort();
        let err = set.join_next().await.unwrap().unwrap_err();
        assert!(err.is_cancelled());
        assert_eq!(err.id(), victim.id());
        gate.open();
        assert_eq!(set.join_next().await.unwrap().unwrap(), "kept");
    });
}

#[test]
fn detach_all_lets_the_tasks_run_on() {
    on_each_flavor(|rt| {
        let finished = Arc::new(AtomicUsize::new(0));
        let gate = Gate::new();
        let mut set = JoinSet::new();
        for _ in 0..5 {
            let (gate, finished) = (gate.clone(), finished.clone());
            set.spawn_on(
                async move {
                    gate.wait().await;
                    finished.fetch_add(1, Ordering::SeqCst);
                },
                rt.handle(),
            );
        }
        set.detach_all();
        assert!(set.is_empty());
        drop(set);
        gate.open();
        drive_until(&rt, "the detached tasks", move || {
            finished.load(Ordering::SeqCst) == 5
        });
    });
}

#[test]
fn shutdown_aborts_and_waits_for_every_task() {
    block_on_each_flavor(|| async {
        let dropped = DropCounter::new();
        let mut set = pending_set(10, &dropped);
        set.shutdown().await;
        assert!(set.is_empty());
        // Every future is gone by the time `shutdown` returns.
        assert_eq!(dropped.get(), 10);
        // The set is reusable afterwards.
        set.spawn(async {});
        assert!(set.join_next().await.unwrap().is_ok());
    });
}

#[test]
fn join_all_returns_every_output() {
    on_each_flavor(|rt| {
        let mut outputs = rt.block_on(async {
            let mut set = JoinSet::new();
            for i in 0..100u32 {
                set.spawn(async move { i });
            }
            set.join_all().await
        });
        outputs.sort_unstable();
        assert_eq!(outputs, (0..100).collect::<Vec<_>>());
    });
}

#[test]
fn join_all_resumes_a_task_panic() {
    on_each_flavor(|rt| {
        let message = expect_panic(|| {
            rt.block_on(async {
                let mut set = JoinSet::new();
                set.spawn(async { 1 });
                set.spawn(async { panic!("a member panicked") });
                set.join_all().await
            })
        });
        assert_eq!(message, "a member panicked");
        let message = expect_panic(|| {
            rt.block_on(async {
                let mut set = JoinSet::new();
                set.spawn(std::future::pending::<()>());
                set.abort_all();
                set.join_all().await
            })
        });
        assert!(message.contains("cancelled"), "{message}");
    });
}

#[test]
fn spawn_on_another_runtime() {
    let here = support::current_thread();
    let there = support::multi_thread(2);
    let flavors = here.block_on(async {
        let mut set = JoinSet::new();
        for _ in 0..4 {
            set.spawn_on(
                async { kairos::runtime::Handle::current().runtime_flavor() },
                there.handle(),
            );
        }
        set.join_all().await
    });
    assert_eq!(flavors, vec![RuntimeFlavor::MultiThread; 4]);
}

#[test]
fn spawn_local_and_spawn_local_on() {
    on_each_flavor(|rt| {
        let local = LocalSet::new();
        let counter = Rc::new(AtomicUsize::new(0));
        let mut set = JoinSet::new();
        for _ in 0..3 {
            let counter = counter.clone();
            set.spawn_local_on(
                async move { Rc::new(counter.fetch_add(1, Ordering::SeqCst)) },
                &local,
            );
        }
        let mut outputs = rt.block_on(local.run_until(async move {
            let counter = counter.clone();
            set.spawn_local(async move { Rc::new(counter.fetch_add(1, Ordering::SeqCst)) });
            let outputs = set.join_all().await;
            outputs.into_iter().map(|rc| *rc).collect::<Vec<_>>()
        }));
        outputs.sort_unstable();
        assert_eq!(outputs, vec![0, 1, 2, 3]);
    });
}

#[test]
fn spawn_local_on_a_current_thread_runtime() {
    let rt = support::current_thread();
    let mut outputs: Vec<i32> = rt.block_on(async {
        let mut set = JoinSet::new();
        for i in 0..3 {
            set.spawn_local(async move { Rc::new(i) });
        }
        set.join_all().await.into_iter().map(|rc| *rc).collect()
    });
    outputs.sort_unstable();
    assert_eq!(outputs, [0, 1, 2]);
}

#[test]
fn spawn_blocking_and_spawn_blocking_on() {
    on_each_flavor(|rt| {
        let mut outputs = rt.block_on(async {
            let mut set = JoinSet::new();
            set.spawn_blocking(|| 1);
            set.spawn_blocking_on(|| 2, &kairos::runtime::Handle::current());
            set.join_all().await
        });
        outputs.sort_unstable();
        assert_eq!(outputs, vec![1, 2]);
    });
}

#[test]
fn dropping_the_set_aborts_its_tasks() {
    on_each_flavor(|rt| {
        let dropped = DropCounter::new();
        let polled = Arc::new(AtomicUsize::new(0));
        let mut set = JoinSet::new();
        for _ in 0..10 {
            let (token, polled) = (dropped.token(), polled.clone());
            set.spawn_on(
                async move {
                    polled.fetch_add(1, Ordering::SeqCst);
                    pending_forever(token).await;
                },
                rt.handle(),
            );
        }
        drive_until(&rt, "every task to park", move || {
            polled.load(Ordering::SeqCst) == 10
        });
        drop(set);
        // The aborted tasks are cancelled by their scheduler; give it turns.
        let counter = dropped.clone();
        drive_until(&rt, "the aborted tasks to drop", move || {
            counter.get() == 10
        });
        assert_eq!(dropped.get(), 10);
    });
}

#[test]
fn join_next_is_cancel_safe() {
    on_each_flavor(|rt| {
        rt.block_on(async {
            let mut set = JoinSet::new();
            let gate = Gate::new();
            let abort = set.spawn(gate.then("not lost"));
            {
                // A `join_next` that has registered interest, then is dropped after the
                // task finished but before it was polled again.
                let mut pending = std::pin::pin!(set.join_next());
                assert!(futures::poll!(&mut pending).is_pending());
                gate.open();
                wait_in_task("the task to finish", move || abort.is_finished()).await;
            }
            assert_eq!(set.len(), 1, "the finished task left the set");
            assert_eq!(set.join_next().await.unwrap().unwrap(), "not lost");
            // Dropping one that never saw a result loses nothing either.
            let gate = Gate::new();
            set.spawn(gate.then("second"));
            assert!(futures::FutureExt::now_or_never(set.join_next()).is_none());
            gate.open();
            assert_eq!(set.join_all().await, vec!["second"]);
        });
    });
}

#[test]
fn join_next_with_id_reports_the_finished_tasks_id() {
    support::block_on_each_flavor(|| async {
        let mut set = JoinSet::new();
        let abort = set.spawn(async { 4 });
        let (id, value) = set.join_next_with_id().await.unwrap().unwrap();
        assert_eq!((id, value), (abort.id(), 4));
        let abort = set.spawn(async { 5 });
        let (id, value) = loop {
            if let Some(result) = set.try_join_next_with_id() {
                break result.unwrap();
            }
            kairos::task::yield_now().await;
        };
        assert_eq!((id, value), (abort.id(), 5));
    });
}

#[test]
fn join_set_collects_and_extends_from_futures() {
    support::block_on_each_flavor(|| async {
        let mut set: JoinSet<u32> = (1..=3).map(|i| async move { i }).collect();
        set.extend((4..=5).map(|i| async move { i }));
        assert_eq!(set.len(), 5);
        let mut values = set.join_all().await;
        values.sort_unstable();
        assert_eq!(values, [1, 2, 3, 4, 5]);
    });
}
