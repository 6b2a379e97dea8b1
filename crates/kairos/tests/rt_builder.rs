//! `Builder` settings as seen from inside the runtime, invalid settings, nested `block_on`,
//! `Runtime::new`, and the `#[kairos::main]` / `#[kairos::test]` macros.

mod support;

use kairos::runtime::{Builder, Handle, Runtime, RuntimeFlavor};
use std::collections::HashSet;
use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use support::{expect_panic, occupy_workers, on_each_flavor, on_each_flavor_with};

fn thread_name() -> Option<String> {
    std::thread::current().name().map(str::to_string)
}

#[test]
fn public_types_are_send_and_sync_like_tokios() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Runtime>();
    send_sync::<Handle>();
    send_sync::<Builder>();
    send_sync::<kairos::runtime::RuntimeMetrics>();
    send_sync::<kairos::runtime::TryCurrentError>();
    send_sync::<kairos::task::JoinHandle<u32>>();
    send_sync::<kairos::task::AbortHandle>();
    send_sync::<kairos::task::JoinError>();
    send_sync::<kairos::task::Id>();
    send_sync::<kairos::task::JoinSet<u32>>();
}

#[test]
fn thread_name_is_seen_from_tasks_and_blocking_closures() {
    on_each_flavor_with(
        |builder| {
            builder.thread_name("rt-builder-test");
        },
        |rt| {
            let blocking = rt.block_on(rt.spawn_blocking(thread_name)).unwrap();
            assert_eq!(blocking.as_deref(), Some("rt-builder-test"));
            let names = rt.block_on(async {
                let handles: Vec<_> = (0..8)
                    .map(|_| kairos::spawn(async { thread_name() }))
                    .collect();
                let mut names = HashSet::new();
                for handle in handles {
                    names.insert(handle.await.unwrap());
                }
                names
            });
            if rt.handle().runtime_flavor() == RuntimeFlavor::MultiThread {
                assert_eq!(names, HashSet::from([Some("rt-builder-test".to_string())]));
            } else {
                // Current-thread tasks run on the thread in `block_on`: this one.
                assert_eq!(names, HashSet::from([thread_name()]));
            }
        },
    );
}

#[test]
fn the_default_thread_name() {
    let rt = support::multi_thread(1);
    let name = rt.block_on(rt.spawn(async { thread_name() })).unwrap();
    assert_eq!(name.as_deref(), Some("kairos-runtime-worker"));
}

#[test]
fn thread_name_fn_names_each_thread() {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Arc::new(Mutex::new(Vec::new()));
    let rt = {
        let (next, started) = (next.clone(), started.clone());
        Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name_fn(move || format!("named-{}", next.fetch_add(1, Ordering::SeqCst)))
            .on_thread_start(move || started.lock().unwrap().push(thread_name()))
            .build()
            .unwrap()
    };
    // Both workers run a task at once, so both have started (and run the hook).
    let held = occupy_workers(rt.handle(), 2);
    let mut names = started.lock().unwrap().clone();
    names.sort();
    assert_eq!(
        names,
        [Some("named-0".to_string()), Some("named-1".to_string())]
    );
    drop(held);
    let blocking = rt.block_on(rt.spawn_blocking(thread_name)).unwrap();
    assert_eq!(blocking.as_deref(), Some("named-2"));
}

#[test]
fn on_thread_start_runs_with_the_runtime_current() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let hook_seen = seen.clone();
    on_each_flavor_with(
        |builder| {
            // Reset before the runtime is built: its workers start during `build`.
            hook_seen.lock().unwrap().clear();
            let seen = hook_seen.clone();
            builder.on_thread_start(move || {
                seen.lock().unwrap().push(Handle::try_current().is_ok());
            });
        },
        |rt| {
            assert_eq!(rt.block_on(rt.spawn_blocking(|| 1)).unwrap(), 1);
            let workers = match rt.handle().runtime_flavor() {
                RuntimeFlavor::MultiThread => {
                    // Both workers running a task at once have both started.
                    drop(occupy_workers(rt.handle(), 2));
                    2
                }
                _ => 0,
            };
            let seen = seen.lock().unwrap().clone();
            assert_eq!(
                seen,
                vec![true; 1 + workers],
                "no current runtime in a hook"
            );
        },
    );
}

#[test]
fn worker_threads_sets_the_number_of_workers() {
    for n in [1, 3] {
        let rt = support::multi_thread(n);
        assert_eq!(rt.metrics().num_workers(), n);
        assert_eq!(rt.handle().metrics().num_workers(), n);
        // Each worker really runs: `n` tasks can hold `n` workers at once.
        let held = occupy_workers(rt.handle(), n);
        assert_eq!(held.threads.iter().collect::<HashSet<_>>().len(), n);
        drop(held);
        let message = expect_panic(|| rt.metrics().worker_park_count(n));
        assert!(message.contains("out of range"), "{message}");
    }
    assert_eq!(support::current_thread().metrics().num_workers(), 1);
}

#[test]
fn invalid_settings_are_refused_by_build() {
    type Setting = fn(&mut Builder) -> &mut Builder;
    let settings: [(&str, Setting); 4] = [
        ("worker_threads", |b| b.worker_threads(0)),
        ("max_blocking_threads", |b| b.max_blocking_threads(0)),
        ("event_interval", |b| b.event_interval(0)),
        ("global_queue_interval", |b| b.global_queue_interval(0)),
    ];
    for (name, set) in settings {
        for mut builder in [Builder::new_current_thread(), Builder::new_multi_thread()] {
            if name == "worker_threads" && format!("{builder:?}").contains("CurrentThread") {
                // Ignored by the current-thread runtime, as documented.
                assert!(set(&mut builder).build().is_ok());
                continue;
            }
            let err = set(&mut builder).build().unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{name}: {err}");
            assert!(
                err.to_string().contains(name),
                "{name}: unclear error: {err}"
            );
        }
    }
}

#[test]
fn the_smallest_intervals_work() {
    on_each_flavor_with(
        |builder| {
            builder.event_interval(1).global_queue_interval(1);
        },
        |rt| {
            let outside: Vec<_> = (0..100u32).map(|i| rt.spawn(async move { i })).collect();
            let sum = rt.block_on(async move {
                let inside: Vec<_> = (100..200u32)
                    .map(|i| kairos::spawn(async move { i }))
                    .collect();
                let mut sum = 0;
                for handle in outside.into_iter().chain(inside) {
                    sum += handle.await.unwrap();
                }
                sum
            });
            assert_eq!(sum, (0..200).sum());
        },
    );
}

#[test]
fn thread_stack_size_applies_to_runtime_threads() {
    // 4 MiB of locals: more than the 2 MiB default stack, well within 16 MiB.
    fn deep() -> u8 {
        let buf = std::hint::black_box([1u8; 4 << 20]);
        buf[buf.len() - 1]
    }
    on_each_flavor_with(
        |builder| {
            builder.thread_stack_size(16 << 20);
        },
        |rt| {
            assert_eq!(rt.block_on(rt.spawn_blocking(deep)).unwrap(), 1);
            if rt.handle().runtime_flavor() == RuntimeFlavor::MultiThread {
                assert_eq!(rt.block_on(rt.spawn(async { deep() })).unwrap(), 1);
            }
        },
    );
}

#[test]
fn every_driver_setting_builds() {
    for enable in [
        Builder::enable_io,
        Builder::enable_time,
        Builder::enable_all,
    ] {
        for mut builder in [Builder::new_current_thread(), Builder::new_multi_thread()] {
            let rt = enable(&mut builder).build().unwrap();
            assert_eq!(rt.block_on(rt.spawn(async { 1 })).unwrap(), 1);
        }
    }
}

#[test]
fn nested_block_on_panics_clearly() {
    const MESSAGE: &str = "Cannot start a runtime from within a runtime";
    on_each_flavor(|rt| {
        let message = expect_panic(|| rt.block_on(async { rt.block_on(async {}) }));
        assert!(message.contains(MESSAGE), "unclear message: {message}");
        // Another runtime's `block_on`, or a handle's, is refused just the same.
        let other = support::current_thread();
        let message = expect_panic(|| rt.block_on(async { other.block_on(async {}) }));
        assert!(message.contains(MESSAGE), "unclear message: {message}");
        let err = rt
            .block_on(rt.spawn(async { Handle::current().block_on(async {}) }))
            .unwrap_err();
        let message = support::panic_message(&*err.into_panic());
        assert!(message.contains(MESSAGE), "unclear message: {message}");
        // The runtime is still usable.
        assert_eq!(rt.block_on(rt.spawn(async { 3 })).unwrap(), 3);
    });
}

#[test]
fn runtime_new_builds_a_multi_thread_runtime() {
    let rt = Runtime::new().unwrap();
    assert_eq!(rt.handle().runtime_flavor(), RuntimeFlavor::MultiThread);
    let expected = match std::env::var("KAIROS_WORKER_THREADS") {
        Ok(n) => n.trim().parse().unwrap(),
        Err(_) => std::thread::available_parallelism().unwrap().get(),
    };
    assert_eq!(rt.metrics().num_workers(), expected);
    assert_eq!(rt.block_on(rt.spawn(async { 5 })).unwrap(), 5);
    assert!(format!("{rt:?}").contains("MultiThread"));
}

#[kairos::test]
async fn kairos_test_defaults_to_current_thread() {
    assert_eq!(
        Handle::current().runtime_flavor(),
        RuntimeFlavor::CurrentThread
    );
    assert_eq!(kairos::spawn(async { 1 }).await.unwrap(), 1);
}

#[kairos::test(flavor = "multi_thread", worker_threads = 2)]
async fn kairos_test_multi_thread_with_two_workers() {
    let handle = Handle::current();
    assert_eq!(handle.runtime_flavor(), RuntimeFlavor::MultiThread);
    assert_eq!(handle.metrics().num_workers(), 2);
}

#[kairos::main]
async fn main_like() -> (RuntimeFlavor, usize) {
    let handle = Handle::current();
    (handle.runtime_flavor(), handle.metrics().num_workers())
}

#[kairos::main(flavor = "current_thread")]
async fn main_like_current_thread() -> RuntimeFlavor {
    Handle::current().runtime_flavor()
}

#[test]
fn kairos_main_builds_the_runtime_it_is_asked_for() {
    let (flavor, workers) = main_like();
    assert_eq!(flavor, RuntimeFlavor::MultiThread);
    assert!(workers >= 1);
    assert_eq!(main_like_current_thread(), RuntimeFlavor::CurrentThread);
}

#[test]
fn park_and_unpark_hooks_run_in_pairs() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    for multi in [false, true] {
        let parks = Arc::new(AtomicUsize::new(0));
        let unparks = Arc::new(AtomicUsize::new(0));
        let (p, u) = (parks.clone(), unparks.clone());
        let mut builder = if multi {
            let mut builder = Builder::new_multi_thread();
            builder.worker_threads(2);
            builder
        } else {
            Builder::new_current_thread()
        };
        let rt = builder
            .on_thread_park(move || {
                p.fetch_add(1, Ordering::SeqCst);
            })
            .on_thread_unpark(move || {
                u.fetch_add(1, Ordering::SeqCst);
            })
            .build()
            .unwrap();
        // A task that only arrives from another thread makes the runtime park first.
        let (tx, rx) = std::sync::mpsc::channel();
        let handle = rt.handle().clone();
        let spawner = std::thread::spawn(move || {
            let task = rx.recv().unwrap();
            handle.spawn(async move { task })
        });
        let value = rt.block_on(async move {
            tx.send(7).unwrap();
            let mut waited = 0u32;
            loop {
                // Poll the handle from the spawner thread without blocking the runtime.
                if spawner.is_finished() {
                    break spawner.join().unwrap().await.unwrap();
                }
                waited += 1;
                kairos::task::yield_now().await;
                assert!(waited < 10_000_000, "the spawner never finished");
            }
        });
        assert_eq!(value, 7);
        drop(rt);
        let (parks, unparks) = (parks.load(Ordering::SeqCst), unparks.load(Ordering::SeqCst));
        assert_eq!(parks, unparks, "multi = {multi}");
        if multi {
            assert!(parks > 0, "the idle workers never parked");
        }
    }
}
