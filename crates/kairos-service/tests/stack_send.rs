//! Every standard filter keeps `Send`: a whole stack around a `Send` service is called
//! from tasks on the multi-thread runtime, with no boxing.

use kairos_service::filters::circuit_breaker::CircuitBreakerConfig;
use kairos_service::filters::rate_limit::RateLimitConfig;
use kairos_service::filters::retry::{RetryConfig, RetryErrors};
use kairos_service::{service_fn, Service, ServiceBuilder, Status};
use std::sync::Arc;
use std::time::Duration;

/// What a multi-thread server requires of a service.
fn spawn_call<S>(service: Arc<S>, req: u32) -> kairos::task::JoinHandle<Result<u32, S::Error>>
where
    S: Service<u32, Response = u32> + Send + Sync + 'static,
    S::Error: Send + 'static,
    for<'a> S::Future<'a>: Send,
{
    kairos::spawn(async move { service.call(req).await })
}

#[kairos::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_stack_is_called_from_spawned_tasks() {
    let service = Arc::new(
        ServiceBuilder::new()
            .log()
            .deadline(|_: &u32| None)
            .load_shed()
            .concurrency_limit(1000)
            .rate_limit(RateLimitConfig::new(1_000_000, Duration::from_secs(1)))
            .timeout(Duration::from_secs(60))
            .retry(RetryErrors, RetryConfig::new())
            .circuit_breaker(CircuitBreakerConfig::new())
            .timeout(Duration::from_secs(30))
            .service(service_fn(|n: u32| async move {
                kairos::task::yield_now().await;
                Ok::<_, std::io::Error>(n * 2)
            })),
    );
    let handles: Vec<_> = (0..200).map(|n| spawn_call(service.clone(), n)).collect();
    for (n, handle) in handles.into_iter().enumerate() {
        assert_eq!(handle.await.unwrap().unwrap(), n as u32 * 2);
    }
    assert_eq!(service.status(), Status::Open);
}
