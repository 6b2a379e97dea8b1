//! `RuntimeMetrics::num_alive_tasks`: tasks count from their spawn (inside the runtime or
//! from another thread) until they complete or are cancelled, on both schedulers, however
//! the workers share them out.

mod support;

use std::future::pending;
use support::on_each_flavor;

#[test]
fn alive_tasks_count_from_spawn_to_completion() {
    on_each_flavor(|rt| {
        let metrics = rt.metrics();
        assert_eq!(metrics.num_alive_tasks(), 0);
        // Spawned from outside: queued, not polled yet.
        let mut tasks: Vec<_> = (0..50).map(|_| rt.spawn(pending::<()>())).collect();
        // Spawned from inside, by a task, and from another thread through a handle.
        tasks.extend(rt.block_on(async {
            kairos::spawn(async {
                (0..30)
                    .map(|_| kairos::spawn(pending::<()>()))
                    .collect::<Vec<_>>()
            })
            .await
            .unwrap()
        }));
        let handle = rt.handle().clone();
        tasks.extend(
            std::thread::spawn(move || {
                (0..20)
                    .map(|_| handle.spawn(pending::<()>()))
                    .collect::<Vec<_>>()
            })
            .join()
            .unwrap(),
        );
        assert_eq!(metrics.num_alive_tasks(), 100);
        // Tasks that finish stop counting once they have, read or not.
        let quick: Vec<_> = (0..10).map(|i| rt.spawn(async move { i })).collect();
        for (i, task) in quick.into_iter().enumerate() {
            assert_eq!(rt.block_on(task).unwrap(), i);
        }
        assert_eq!(metrics.num_alive_tasks(), 100);
        // Aborted ones too.
        for task in &tasks {
            task.abort();
        }
        for task in tasks {
            assert!(rt.block_on(task).unwrap_err().is_cancelled());
        }
        assert_eq!(metrics.num_alive_tasks(), 0);
    });
}

#[test]
fn tasks_completing_on_other_workers_leave_the_count_at_zero() {
    on_each_flavor(|rt| {
        let metrics = rt.metrics();
        // Each task spawns a child, which any worker may steal and complete.
        let parents: Vec<_> = (0..500)
            .map(|i| {
                rt.spawn(async move {
                    kairos::task::yield_now().await;
                    kairos::spawn(async move { i * 2 }).await.unwrap()
                })
            })
            .collect();
        let sum: usize = parents.into_iter().map(|p| rt.block_on(p).unwrap()).sum();
        assert_eq!(sum, (0..500).map(|i| i * 2).sum());
        assert_eq!(metrics.num_alive_tasks(), 0);
    });
}
