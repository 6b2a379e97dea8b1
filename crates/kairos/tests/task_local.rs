//! `task_local!`: values scoped to a future, visible wherever its task is polled.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

kairos::task_local! {
    static REQUEST: u32;
    static NAME: String;
}

#[kairos::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_task_sees_its_own_value_across_yields_and_workers() {
    let handles: Vec<_> = (0..50u32)
        .map(|i| {
            kairos::spawn(REQUEST.scope(i, async move {
                for _ in 0..20 {
                    kairos::task::yield_now().await;
                    assert_eq!(REQUEST.get(), i);
                }
                REQUEST.get()
            }))
        })
        .collect();
    for (i, handle) in handles.into_iter().enumerate() {
        assert_eq!(handle.await.unwrap(), i as u32);
    }
}

#[kairos::test]
async fn scopes_nest_and_restore() {
    let seen = NAME
        .scope("outer".to_string(), async {
            let inner = NAME
                .scope("inner".to_string(), async { NAME.with(|n| n.clone()) })
                .await;
            (inner, NAME.with(|n| n.clone()))
        })
        .await;
    assert_eq!(seen, ("inner".to_string(), "outer".to_string()));
    assert!(NAME.try_with(|_| ()).is_err());
}

#[kairos::test]
async fn not_visible_outside_the_scope_or_in_other_tasks() {
    let other = kairos::spawn(async { REQUEST.try_with(|v| *v).is_err() });
    let inside = REQUEST
        .scope(1, async {
            kairos::spawn(async { REQUEST.try_with(|v| *v) }).await
        })
        .await
        .unwrap();
    assert!(other.await.unwrap());
    assert!(inside.is_err(), "a spawned task does not inherit the scope");
}

#[test]
fn sync_scope_and_panics_outside() {
    assert_eq!(REQUEST.sync_scope(5, || REQUEST.get() * 2), 10);
    let outside = std::panic::catch_unwind(|| REQUEST.get());
    assert!(outside.is_err());
}

#[kairos::test]
async fn the_value_is_in_scope_when_the_future_is_dropped_unfinished() {
    struct ReadOnDrop(Arc<AtomicU32>);
    impl Drop for ReadOnDrop {
        fn drop(&mut self) {
            self.0
                .store(REQUEST.try_with(|v| *v).unwrap_or(0), Ordering::SeqCst);
        }
    }
    let seen = Arc::new(AtomicU32::new(u32::MAX));
    let guard = ReadOnDrop(seen.clone());
    let future = REQUEST.scope(42, async move {
        let _guard = guard;
        std::future::pending::<()>().await;
    });
    let handle = kairos::spawn(future);
    kairos::task::yield_now().await;
    handle.abort();
    assert!(handle.await.unwrap_err().is_cancelled());
    assert_eq!(seen.load(Ordering::SeqCst), 42);
}
