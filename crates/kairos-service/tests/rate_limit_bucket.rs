//! The rate limit's token bucket: bursts, pacing, refill, `max_wait`, tokens given back.

#[path = "support/mock.rs"]
mod mock;

use futures::future::join_all;
use futures::poll;
use kairos::time::{advance, Duration, Instant};
use kairos_service::filters::load_shed::LoadShedError;
use kairos_service::filters::rate_limit::{RateLimitConfig, RateLimitError, RateLimitFilter};
use kairos_service::filters::LoadShedFilter;
use kairos_service::{service_fn, Compose, Filter, Service, Status};
use mock::{Mock, FAIL, OK};
use std::cell::RefCell;
use std::pin::pin;

const MS: Duration = Duration::from_millis(1);

/// A service that records when (relative to `start`) each call reached it.
fn clocked(
    start: Instant,
    log: &RefCell<Vec<Duration>>,
) -> impl Service<u32, Response = u32, Error = ()> + '_ {
    service_fn(move |n: u32| {
        log.borrow_mut().push(start.elapsed());
        async move { Ok(n) }
    })
}

#[kairos::test(start_paused = true)]
async fn a_burst_then_one_token_per_interval() {
    let start = Instant::now();
    let log = RefCell::new(Vec::new());
    let config = RateLimitConfig::new(10, Duration::from_secs(1)).burst(3);
    let service = RateLimitFilter::new(config).wrap(clocked(start, &log));
    let results = join_all((0..6).map(|n| service.call(n))).await;
    assert_eq!(results, (0..6).map(Ok).collect::<Vec<_>>());
    assert_eq!(*log.borrow(), [0, 0, 0, 100, 200, 300].map(|ms| ms * MS));
}

#[kairos::test(start_paused = true)]
async fn time_refills_the_bucket() {
    let start = Instant::now();
    let log = RefCell::new(Vec::new());
    let config = RateLimitConfig::new(2, Duration::from_secs(1)); // burst 2, 500 ms apart
    let service = RateLimitFilter::new(config).wrap(clocked(start, &log));
    join_all((0..2).map(|n| service.call(n))).await;
    assert_eq!(service.status(), Status::Busy);
    advance(Duration::from_millis(500)).await;
    assert_eq!(service.status(), Status::Open); // one token back
    advance(Duration::from_millis(500)).await;
    join_all((0..3).map(|n| service.call(n))).await;
    assert_eq!(*log.borrow(), [0, 0, 1000, 1000, 1500].map(|ms| ms * MS));
}

#[kairos::test(start_paused = true)]
async fn max_wait_refuses_at_once_and_takes_no_token() {
    let config = RateLimitConfig::new(1, Duration::from_secs(1))
        .burst(1)
        .max_wait(Duration::from_millis(500));
    let service = RateLimitFilter::new(config).wrap(Mock::always(OK));
    let start = Instant::now();
    assert_eq!(service.call(1).await, Ok(1));
    assert_eq!(
        service.call(2).await,
        Err(RateLimitError::Limited {
            retry_after: Duration::from_secs(1)
        })
    );
    assert_eq!(start.elapsed(), Duration::ZERO);
    assert_eq!(service.get_ref().calls(), 1);
    advance(Duration::from_millis(600)).await;
    // 400 ms to wait now: within `max_wait`, and the refused call took no token.
    assert_eq!(service.call(3).await, Ok(3));
    assert_eq!(start.elapsed(), Duration::from_secs(1));
}

/// One call a second, no burst, recording when calls arrive.
fn one_per_second(
    log: &RefCell<Vec<Duration>>,
) -> impl Service<u32, Response = u32, Error = RateLimitError<()>> + '_ {
    let config = RateLimitConfig::new(1, Duration::from_secs(1)).burst(1);
    RateLimitFilter::new(config).wrap(clocked(Instant::now(), log))
}

#[kairos::test(start_paused = true)]
async fn a_dropped_waiter_gives_its_token_back() {
    let log = RefCell::new(Vec::new());
    let service = one_per_second(&log);
    service.call(1).await.unwrap();
    {
        let mut waiting = pin!(service.call(2));
        assert!(poll!(waiting.as_mut()).is_pending());
    }
    service.call(3).await.unwrap();
    assert_eq!(*log.borrow(), [0, 1000].map(|ms| ms * MS));
}

#[kairos::test(start_paused = true)]
async fn a_dropped_waiter_behind_others_keeps_their_times() {
    let log = RefCell::new(Vec::new());
    let service = one_per_second(&log);
    service.call(1).await.unwrap();
    let second = Box::pin(service.call(2));
    let third = service.call(3);
    drop(second);
    third.await.unwrap();
    assert_eq!(*log.borrow(), [0, 2000].map(|ms| ms * MS));
}

#[kairos::test(start_paused = true)]
async fn inner_errors_pass_through_and_spend_the_token() {
    let config = RateLimitConfig::new(1, Duration::from_secs(1)).max_wait(Duration::ZERO);
    let service = RateLimitFilter::new(config).wrap(Mock::always(FAIL));
    let error = service.call(1).await.unwrap_err();
    assert_eq!(error.into_inner(), Some(mock::MockError(1)));
    assert!(matches!(
        service.call(2).await,
        Err(RateLimitError::Limited { .. })
    ));
}

#[kairos::test(start_paused = true)]
async fn load_shedding_in_front_refuses_instead_of_queueing() {
    let config = RateLimitConfig::new(5, Duration::from_secs(1)).burst(2);
    let service = LoadShedFilter::new()
        .and_then(RateLimitFilter::new(config))
        .and_then(Mock::always(OK));
    assert_eq!(service.call(1).await, Ok(1));
    assert_eq!(service.call(2).await, Ok(2));
    assert_eq!(service.call(3).await, Err(LoadShedError::Overloaded));
    advance(Duration::from_millis(200)).await;
    assert_eq!(service.call(4).await, Ok(4));
    assert_eq!(service.get_ref().get_ref().calls(), 3);
}

#[kairos::test(start_paused = true)]
async fn status_is_the_inner_one_while_tokens_remain() {
    let config = RateLimitConfig::new(5, Duration::from_secs(1));
    let service = RateLimitFilter::new(config).wrap(Mock::always(OK));
    service.get_ref().set_status(Status::Busy);
    assert_eq!(service.status(), Status::Busy);
    service.close();
    assert_eq!(service.status(), Status::Closed);
}
