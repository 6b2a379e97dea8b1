//! Spawning tasks: many at once, from other OS threads through a `Handle`, from inside
//! tasks; the current-runtime context (`Handle::current`, `EnterGuard`) and task ids.

mod support;

use kairos::runtime::{Handle, Runtime, RuntimeFlavor};
use kairos::task::{self, JoinHandle};
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use support::{expect_panic, on_each_flavor, Mailbox};

const MANY: u64 = 100_000;

fn flavor_of(rt: &Runtime) -> RuntimeFlavor {
    rt.handle().runtime_flavor()
}

#[test]
fn hundred_thousand_tasks_complete_with_their_outputs() {
    on_each_flavor(|rt| {
        let sum = rt.block_on(async {
            let handles: Vec<JoinHandle<u64>> = (0..MANY)
                .map(|i| kairos::spawn(async move { i * 3 }))
                .collect();
            let mut sum = 0;
            for (i, handle) in (0..MANY).zip(handles) {
                let out = handle.await.unwrap();
                assert_eq!(out, i * 3, "task {i} returned the wrong output");
                sum += out;
            }
            sum
        });
        assert_eq!(sum, 3 * MANY * (MANY - 1) / 2);
    });
}

#[test]
fn hundred_thousand_tasks_spawned_from_inside_a_task() {
    // On the multi-thread runtime these go to the spawning worker's ring (1,024 slots), so
    // most overflow to the injection queue and get stolen.
    on_each_flavor(|rt| {
        let ran = Arc::new(AtomicUsize::new(0));
        let counter = ran.clone();
        let outputs = rt.block_on(async move {
            kairos::spawn(async move {
                let handles: Vec<_> = (0..MANY)
                    .map(|i| {
                        let counter = counter.clone();
                        kairos::spawn(async move {
                            counter.fetch_add(1, Ordering::Relaxed);
                            i
                        })
                    })
                    .collect();
                let mut outputs = Vec::with_capacity(handles.len());
                for handle in handles {
                    outputs.push(handle.await.unwrap());
                }
                outputs
            })
            .await
            .unwrap()
        });
        assert!(outputs.iter().copied().eq(0..MANY));
        assert_eq!(ran.load(Ordering::Relaxed), MANY as usize);
    });
}

#[test]
fn spawn_through_handle_from_several_os_threads() {
    const THREADS: u64 = 4;
    const PER_THREAD: u64 = 2_000;
    on_each_flavor(|rt| {
        let spawners: Vec<_> = (0..THREADS)
            .map(|t| {
                let handle = rt.handle().clone();
                std::thread::spawn(move || {
                    (0..PER_THREAD)
                        .map(|i| handle.spawn(async move { (t, i) }))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        // The spawning threads are done before anything awaits: on the current-thread
        // runtime the tasks wait in the injection queue until `block_on` drives them.
        let handles: Vec<_> = spawners
            .into_iter()
            .flat_map(|t| t.join().unwrap())
            .collect();
        assert_eq!(handles.len(), (THREADS * PER_THREAD) as usize);
        let seen = rt.block_on(async {
            let mut seen = HashSet::new();
            for handle in handles {
                assert!(seen.insert(handle.await.unwrap()), "duplicate output");
            }
            seen
        });
        assert_eq!(seen.len(), (THREADS * PER_THREAD) as usize);
    });
}

#[test]
fn spawn_from_another_thread_while_block_on_waits() {
    // The runtime is already blocked in `block_on` (parked, for the current-thread one)
    // when the remote spawn arrives: the spawn must wake it.
    on_each_flavor(|rt| {
        let mailbox = Mailbox::new();
        let handle = rt.handle().clone();
        let remote = mailbox.clone();
        let thread = std::thread::spawn(move || {
            let task = handle.spawn(async { 41 + 1 });
            remote.send(task);
        });
        let out = rt.block_on(async { mailbox.recv().await.await.unwrap() });
        assert_eq!(out, 42);
        thread.join().unwrap();
    });
}

#[test]
fn spawn_inside_spawn() {
    on_each_flavor(|rt| {
        let out = rt.block_on(async {
            kairos::spawn(async {
                let inner = kairos::spawn(async {
                    let innermost = task::spawn(async { 1 });
                    innermost.await.unwrap() + 10
                });
                inner.await.unwrap() + 100
            })
            .await
            .unwrap()
        });
        assert_eq!(out, 111);
    });
}

#[test]
fn runtime_spawn_from_outside_then_block_on() {
    on_each_flavor(|rt| {
        let handle = rt.spawn(async { "from Runtime::spawn" });
        assert_eq!(rt.block_on(handle).unwrap(), "from Runtime::spawn");
    });
}

#[test]
fn spawn_outside_a_runtime_panics_with_a_clear_message() {
    let message = expect_panic(|| kairos::spawn(async {}));
    assert!(
        message.contains("must be called from the context of a Kairos runtime"),
        "unclear message: {message}"
    );
    let message = expect_panic(|| task::spawn_blocking(|| ()));
    assert!(
        message.contains("must be called from the context of a Kairos runtime"),
        "unclear message: {message}"
    );
}

#[test]
fn handle_current_inside_the_runtime() {
    on_each_flavor(|rt| {
        let expected = flavor_of(&rt);
        // In `block_on`'s own future.
        let flavor = rt.block_on(async { Handle::current().runtime_flavor() });
        assert_eq!(flavor, expected);
        // In a task, and through `try_current`.
        let flavor = rt.block_on(async {
            kairos::spawn(async { Handle::try_current().unwrap().runtime_flavor() })
                .await
                .unwrap()
        });
        assert_eq!(flavor, expected);
        // The handle from inside spawns onto the same runtime.
        let out = rt.block_on(async {
            let handle = Handle::current();
            handle.spawn(async { 7 }).await.unwrap()
        });
        assert_eq!(out, 7);
    });
}

#[test]
fn handle_current_outside_a_runtime() {
    let err = Handle::try_current().unwrap_err();
    assert!(err.is_missing_context());
    assert!(!err.is_thread_local_destroyed());
    assert!(err.to_string().contains("Kairos runtime"), "{err}");
    let message = expect_panic(Handle::current);
    assert!(
        message.contains("must be called from the context of a Kairos runtime"),
        "unclear message: {message}"
    );
}

#[test]
fn enter_guard_makes_the_runtime_current() {
    on_each_flavor(|rt| {
        assert!(Handle::try_current().is_err());
        let handle = {
            let _guard = rt.enter();
            assert_eq!(Handle::current().runtime_flavor(), flavor_of(&rt));
            // `kairos::spawn` works without `block_on`.
            kairos::spawn(async { 5 })
        };
        assert!(
            Handle::try_current().is_err(),
            "the guard left the runtime current"
        );
        assert_eq!(rt.block_on(handle).unwrap(), 5);
    });
}

#[test]
fn enter_guards_nest_and_restore_the_previous_runtime() {
    let outer = support::current_thread();
    let inner = support::multi_thread(2);
    let outer_guard = outer.enter();
    assert_eq!(
        Handle::current().runtime_flavor(),
        RuntimeFlavor::CurrentThread
    );
    {
        let _inner_guard = inner.handle().enter();
        assert_eq!(
            Handle::current().runtime_flavor(),
            RuntimeFlavor::MultiThread
        );
    }
    assert_eq!(
        Handle::current().runtime_flavor(),
        RuntimeFlavor::CurrentThread
    );
    drop(outer_guard);
    assert!(Handle::try_current().is_err());
}

#[test]
fn enter_guards_dropped_out_of_order_panic() {
    // On a thread of its own: the panic leaves that thread's context disturbed.
    let message = std::thread::spawn(|| {
        let first = support::current_thread();
        let second = support::current_thread();
        let first_guard = first.enter();
        let second_guard = second.enter();
        let message = expect_panic(move || drop(first_guard));
        drop(second_guard);
        message
    })
    .join()
    .unwrap();
    assert!(message.contains("dropped out of order"), "{message}");
}

#[test]
fn task_id_inside_tasks_matches_the_join_handle() {
    on_each_flavor(|rt| {
        rt.block_on(async {
            let handles: Vec<_> = (0..16)
                .map(|_| kairos::spawn(async { (task::id(), task::try_id()) }))
                .collect();
            let mut ids = HashSet::new();
            for handle in handles {
                let expected = handle.id();
                let (id, try_id) = handle.await.unwrap();
                assert_eq!(id, expected);
                assert_eq!(try_id, Some(expected));
                assert!(ids.insert(id), "task ids must be unique");
            }
        });
    });
}

#[test]
fn task_id_outside_a_task() {
    assert_eq!(task::try_id(), None);
    let message = expect_panic(task::id);
    assert!(message.contains("outside of a task"), "{message}");
    on_each_flavor(|rt| {
        // `block_on`'s own future is not a task.
        assert_eq!(rt.block_on(async { task::try_id() }), None);
        // A blocking closure is a task of its own.
        let (inside, expected) = rt.block_on(async {
            let handle = task::spawn_blocking(task::try_id);
            let expected = handle.id();
            (handle.await.unwrap(), expected)
        });
        assert_eq!(inside, Some(expected));
    });
}

#[test]
fn block_on_from_two_threads_at_once() {
    // Each thread blocks on its own future; one of them drives the current-thread
    // scheduler, the other must still see its future complete.
    on_each_flavor(|rt| {
        let mailbox = Mailbox::new();
        std::thread::scope(|scope| {
            let receiver = scope.spawn(|| rt.block_on(async { mailbox.recv().await }));
            let sent = rt.block_on(async {
                let value = kairos::spawn(async { 99 }).await.unwrap();
                mailbox.send(value);
                value
            });
            assert_eq!(receiver.join().unwrap(), sent);
        });
    });
}
