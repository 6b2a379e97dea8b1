//! Adapters with tower: each direction, readiness, errors, and tower middleware mixed with
//! Kairos filters in one stack (run with `--features tower`).

use kairos_service::filters::timeout::TimeoutError;
use kairos_service::filters::{ConcurrencyLimitFilter, TimeoutFilter};
use kairos_service::tower::{FromTower, IntoTower, KairosLayer, TowerLayer};
use kairos_service::{service_fn, Filter, Service, ServiceBuilder, Status};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;
use tower::ServiceExt;

/// A tower service that is ready only when its gate is open, counts its clones, and
/// fails `poll_ready` once the gate is broken.
#[derive(Clone, Default)]
struct Gated {
    open: Arc<AtomicBool>,
    broken: Arc<AtomicBool>,
    waiting: Arc<Mutex<Vec<Waker>>>,
    clones: Arc<AtomicUsize>,
}

impl Gated {
    fn open(&self) {
        self.open.store(true, SeqCst);
        for waker in self.waiting.lock().unwrap().drain(..) {
            waker.wake();
        }
    }

    /// A copy the way the adapter makes one: counted.
    fn counted(&self) -> Counted {
        Counted(self.clone())
    }
}

struct Counted(Gated);

impl Clone for Counted {
    fn clone(&self) -> Counted {
        self.0.clones.fetch_add(1, SeqCst);
        Counted(self.0.clone())
    }
}

impl tower::Service<u32> for Counted {
    type Response = u32;
    type Error = &'static str;
    type Future = std::future::Ready<Result<u32, &'static str>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), &'static str>> {
        if self.0.broken.load(SeqCst) {
            return Poll::Ready(Err("broken"));
        }
        if self.0.open.load(SeqCst) {
            return Poll::Ready(Ok(()));
        }
        self.0.waiting.lock().unwrap().push(cx.waker().clone());
        Poll::Pending
    }

    fn call(&mut self, req: u32) -> Self::Future {
        std::future::ready(Ok(req + 100))
    }
}

#[kairos::test]
async fn from_tower_waits_for_readiness_on_a_clone_per_call() {
    let gate = Gated::default();
    let service = FromTower::new(gate.counted());
    assert_eq!(service.status(), Status::Open);
    let mut call = std::pin::pin!(service.call(1));
    assert!(futures::poll!(call.as_mut()).is_pending());
    gate.open();
    assert_eq!(call.await, Ok(101));
    assert_eq!(service.call(2).await, Ok(102));
    assert_eq!(gate.clones.load(SeqCst), 2);
}

#[kairos::test]
async fn from_tower_fails_the_call_when_poll_ready_fails() {
    let gate = Gated::default();
    gate.broken.store(true, SeqCst);
    assert_eq!(FromTower::new(gate.counted()).call(1).await, Err("broken"));
}

#[kairos::test]
async fn into_tower_is_always_ready_and_calls_through() {
    let service = IntoTower::new(service_fn(|n: u32| async move { Ok::<_, ()>(n * 2) }));
    let mut ready = service.clone();
    let ready = ready.ready().await.unwrap();
    assert_eq!(tower::Service::call(ready, 4).await, Ok(8));
    assert_eq!(service.oneshot(5).await, Ok(10));
}

#[kairos::test(flavor = "multi_thread", worker_threads = 2)]
async fn into_tower_futures_run_on_other_threads() {
    let service = IntoTower::new(ConcurrencyLimitFilter::new(2).wrap(service_fn(
        |n: u32| async move {
            kairos::task::yield_now().await;
            Ok::<_, ()>(n)
        },
    )));
    let tasks: Vec<_> = (0..50)
        .map(|n| kairos::spawn(service.clone().oneshot(n)))
        .collect();
    for (n, task) in tasks.into_iter().enumerate() {
        assert_eq!(task.await.unwrap(), Ok(n as u32));
    }
    assert_eq!(service.get_ref().in_flight(), 0);
}

#[kairos::test(start_paused = true)]
async fn tower_middleware_sits_between_kairos_filters() {
    let service = ServiceBuilder::new()
        .timeout(Duration::from_millis(100))
        .filter(TowerLayer::new(tower::util::MapRequestLayer::new(
            |n: u32| n + 1,
        )))
        .concurrency_limit(1)
        .service(service_fn(|n: u32| async move {
            kairos::time::sleep(Duration::from_millis(u64::from(n))).await;
            Ok::<_, ()>(n)
        }));
    assert_eq!(service.call(9).await, Ok(10));
    // The mapped request sleeps 101 ms: past the Kairos timeout outside the tower layer.
    assert_eq!(service.call(100).await, Err(TimeoutError::Elapsed));
}

#[kairos::test(start_paused = true)]
async fn kairos_filters_sit_in_a_tower_stack() {
    let service = tower::ServiceBuilder::new()
        .map_response(|n: u32| n * 10)
        .layer(KairosLayer::new(TimeoutFilter::new(Duration::from_millis(
            50,
        ))))
        .service(tower::service_fn(|n: u32| async move {
            kairos::time::sleep(Duration::from_millis(u64::from(n))).await;
            Ok::<_, &'static str>(n)
        }));
    assert_eq!(service.clone().oneshot(5).await, Ok(50));
    assert_eq!(service.oneshot(60).await, Err(TimeoutError::Elapsed));
}
