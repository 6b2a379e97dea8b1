//! A generic server can require `Send` futures of any service through the named future
//! type, with no boxing; `!Send` services still implement the trait and run locally.

use kairos_service::{service_fn, Service, Status};
use std::rc::Rc;
use std::sync::Arc;

/// What a multi-thread server does: call the service from spawned tasks.
fn spawn_call<S>(service: Arc<S>, req: u32) -> kairos::task::JoinHandle<Result<u32, S::Error>>
where
    S: Service<u32, Response = u32> + Send + Sync + 'static,
    S::Error: Send + 'static,
    for<'a> S::Future<'a>: Send,
{
    kairos::spawn(async move { service.call(req).await })
}

#[kairos::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_services_are_called_from_spawned_tasks() {
    let service = Arc::new(service_fn(|n: u32| async move { Ok::<_, ()>(n + 1) }));
    let handles: Vec<_> = (0..100).map(|n| spawn_call(service.clone(), n)).collect();
    for (n, handle) in handles.into_iter().enumerate() {
        assert_eq!(handle.await.unwrap(), Ok(n as u32 + 1));
    }
    assert_eq!(service.status(), Status::Open);
}

#[kairos::test]
async fn non_send_services_run_on_local_tasks() {
    let prefix = Rc::new(String::from("local:"));
    let service = Rc::new(service_fn(move |s: &'static str| {
        let prefix = prefix.clone();
        async move { Ok::<_, ()>(format!("{prefix}{s}")) }
    }));
    let called = service.clone();
    let out = kairos::task::spawn_local(async move { called.call("x").await })
        .await
        .unwrap();
    assert_eq!(out.unwrap(), "local:x");
}
