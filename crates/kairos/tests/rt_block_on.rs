//! `block_on`'s own future and the spawned tasks share the thread fairly.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

fn runtimes() -> Vec<kairos::runtime::Runtime> {
    vec![
        kairos::runtime::Builder::new_current_thread()
            .build()
            .unwrap(),
        kairos::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .unwrap(),
    ]
}

/// A `block_on` future that keeps yielding (waking itself) must not starve the tasks it
/// waits for: on the current-thread runtime both run on the same thread.
#[test]
fn yielding_block_on_future_does_not_starve_spawned_tasks() {
    for rt in runtimes() {
        let done = Arc::new(AtomicBool::new(false));
        let flag = done.clone();
        rt.block_on(async move {
            // A chain of tasks, each spawning the next: many scheduler turns are needed.
            fn chain(left: usize, flag: Arc<AtomicBool>) {
                if left == 0 {
                    flag.store(true, Ordering::Release);
                } else {
                    kairos::spawn(async move { chain(left - 1, flag) });
                }
            }
            chain(1_000, flag);
            while !done.load(Ordering::Acquire) {
                kairos::task::yield_now().await;
            }
        });
    }
}

/// The reverse: tasks that keep yielding do not starve `block_on`'s future.
#[test]
fn yielding_tasks_do_not_starve_the_block_on_future() {
    for rt in runtimes() {
        let stop = Arc::new(AtomicBool::new(false));
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let stop = stop.clone();
                rt.spawn(async move {
                    while !stop.load(Ordering::Acquire) {
                        kairos::task::yield_now().await;
                    }
                })
            })
            .collect();
        // The future completes at its first poll; it only has to get one.
        let value = rt.block_on(async { 7 });
        assert_eq!(value, 7);
        stop.store(true, Ordering::Release);
        rt.block_on(async {
            for handle in handles {
                handle.await.unwrap();
            }
        });
    }
}

/// Dropping a multi-thread runtime from inside one of its own tasks cannot wait for its
/// workers (one of them is the caller): it shuts down in the background instead of
/// deadlocking.
#[test]
fn runtime_dropped_inside_its_own_task_does_not_deadlock() {
    let rt = kairos::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let handle = rt.handle().clone();
    let slot = Arc::new(std::sync::Mutex::new(Some(rt)));
    let inner = slot.clone();
    handle.spawn(async move {
        let rt = inner.lock().unwrap().take();
        drop(rt);
        tx.send(()).unwrap();
    });
    rx.recv_timeout(std::time::Duration::from_secs(10))
        .expect("dropping the runtime from its own task deadlocked");
}

/// Several threads may call `block_on` on one current-thread runtime: one drives the tasks,
/// the others wait for their own futures, and every future completes.
#[test]
fn concurrent_block_on_on_a_current_thread_runtime() {
    let rt = Arc::new(
        kairos::runtime::Builder::new_current_thread()
            .build()
            .unwrap(),
    );
    let threads: Vec<_> = (0..4)
        .map(|i| {
            let rt = rt.clone();
            std::thread::spawn(move || {
                rt.block_on(async move { kairos::spawn(async move { i * 10 }).await.unwrap() })
            })
        })
        .collect();
    let mut results: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    results.sort_unstable();
    assert_eq!(results, vec![0, 10, 20, 30]);
}
