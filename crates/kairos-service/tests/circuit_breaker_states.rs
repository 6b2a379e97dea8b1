//! The circuit breaker: opens after N failures in a row, refuses while open, probes after
//! the backoff, closes on a good probe, reopens longer on a bad one.

#[path = "support/mock.rs"]
mod mock;

use futures::poll;
use kairos::time::{advance, Duration, Instant};
use kairos_service::filters::circuit_breaker::{
    CircuitBreakerConfig, CircuitBreakerError, CircuitBreakerFilter,
};
use kairos_service::filters::Backoff;
use kairos_service::{Filter, Service, Status};
use mock::{Mock, MockError, Step, FAIL, OK};
use std::pin::pin;

const SEC: Duration = Duration::from_secs(1);

/// Opens after 3 failures in a row, for 1 s, then 2 s, 4 s ... (no jitter).
fn config() -> CircuitBreakerConfig {
    CircuitBreakerConfig::new()
        .failures(3)
        .backoff(Backoff::new(SEC, 60 * SEC).jitter(0.0))
}

#[kairos::test(start_paused = true)]
async fn opens_after_n_failures_in_a_row() {
    let service = CircuitBreakerFilter::new(config()).wrap(Mock::new([FAIL, FAIL, OK], FAIL));
    // Two failures, then a success resets the count.
    for _ in 0..3 {
        let _ = service.call(1).await;
    }
    assert!(service.is_closed());
    assert_eq!(
        service.call(1).await,
        Err(CircuitBreakerError::Inner(MockError(4)))
    );
    assert_eq!(
        service.call(1).await,
        Err(CircuitBreakerError::Inner(MockError(5)))
    );
    assert!(service.is_closed());
    assert_eq!(
        service.call(1).await,
        Err(CircuitBreakerError::Inner(MockError(6)))
    );
    assert!(!service.is_closed());
    assert_eq!(service.status(), Status::Busy);
}

#[kairos::test(start_paused = true)]
async fn an_open_breaker_fails_fast_without_calling() {
    let service = CircuitBreakerFilter::new(config()).wrap(Mock::always(FAIL));
    for _ in 0..3 {
        let _ = service.call(1).await;
    }
    let start = Instant::now();
    let mut call = pin!(service.call(1));
    assert_eq!(
        poll!(call.as_mut()),
        std::task::Poll::Ready(Err(CircuitBreakerError::Open))
    );
    assert_eq!(service.get_ref().calls(), 3);
    assert_eq!(start.elapsed(), Duration::ZERO);
}

#[kairos::test(start_paused = true)]
async fn probes_after_the_backoff_and_closes_on_success() {
    let service = CircuitBreakerFilter::new(config()).wrap(Mock::new(
        [FAIL, FAIL, FAIL],
        Step::Ok(100 * Duration::from_millis(1)),
    ));
    for _ in 0..3 {
        let _ = service.call(1).await;
    }
    advance(SEC - Duration::from_millis(1)).await;
    assert_eq!(service.status(), Status::Busy);
    assert_eq!(service.call(1).await, Err(CircuitBreakerError::Open));
    advance(Duration::from_millis(1)).await;
    assert_eq!(service.status(), Status::Open); // a call now would probe
    let mut probe = pin!(service.call(7));
    assert!(poll!(probe.as_mut()).is_pending());
    // One probe at a time: the others are refused while it is in flight.
    assert_eq!(service.status(), Status::Busy);
    assert_eq!(service.call(8).await, Err(CircuitBreakerError::Open));
    assert_eq!(probe.await, Ok(7));
    assert!(service.is_closed());
    assert_eq!(service.call(9).await, Ok(9));
    assert_eq!(service.get_ref().calls(), 5);
}

#[kairos::test(start_paused = true)]
async fn a_failed_probe_reopens_for_twice_as_long() {
    let service = CircuitBreakerFilter::new(config()).wrap(Mock::new([FAIL; 4], OK));
    for _ in 0..3 {
        let _ = service.call(1).await;
    }
    advance(SEC).await;
    assert_eq!(
        service.call(1).await,
        Err(CircuitBreakerError::Inner(MockError(4)))
    );
    assert!(!service.is_closed());
    advance(SEC).await;
    assert_eq!(service.call(1).await, Err(CircuitBreakerError::Open));
    advance(SEC).await;
    assert_eq!(service.call(1).await, Ok(1));
    assert!(service.is_closed());
    // Closing resets the backoff: the next opening lasts 1 s again.
    let again = CircuitBreakerFilter::new(config()).wrap(Mock::always(FAIL));
    for _ in 0..3 {
        let _ = again.call(1).await;
    }
    advance(SEC).await;
    assert_eq!(again.status(), Status::Open);
}

#[kairos::test(start_paused = true)]
async fn a_dropped_probe_lets_the_next_call_probe() {
    let service =
        CircuitBreakerFilter::new(config()).wrap(Mock::new([FAIL, FAIL, FAIL, Step::Hang], OK));
    for _ in 0..3 {
        let _ = service.call(1).await;
    }
    advance(SEC).await;
    {
        let mut probe = pin!(service.call(1));
        assert!(poll!(probe.as_mut()).is_pending());
        assert_eq!(service.status(), Status::Busy);
    }
    assert_eq!(service.status(), Status::Open);
    assert_eq!(service.call(2).await, Ok(2));
    assert!(service.is_closed());
}

#[kairos::test(start_paused = true)]
async fn late_outcomes_of_calls_from_before_the_opening_are_ignored() {
    let service = CircuitBreakerFilter::new(config())
        .wrap(Mock::new([Step::Ok(SEC / 2), FAIL, FAIL, FAIL], OK));
    let mut slow = pin!(service.call(1));
    assert!(poll!(slow.as_mut()).is_pending());
    for _ in 0..3 {
        let _ = service.call(2).await;
    }
    assert!(!service.is_closed());
    // The slow call succeeds while the breaker is open: only a probe may close it.
    assert_eq!(slow.await, Ok(1));
    assert!(!service.is_closed());
}

#[kairos::test(start_paused = true)]
async fn the_classifier_decides_what_counts() {
    let only_even_calls =
        |result: &Result<u32, MockError>| matches!(result, Err(MockError(n)) if n % 2 == 0);
    let service = CircuitBreakerFilter::new(config())
        .classify(only_even_calls)
        .wrap(Mock::always(FAIL));
    for _ in 0..5 {
        let _ = service.call(1).await;
    }
    // Calls 1, 3 and 5 reset the count; 2 and 4 never make three in a row.
    assert!(service.is_closed());
}

#[kairos::test(start_paused = true)]
async fn status_is_the_inner_one_when_closed() {
    let service = CircuitBreakerFilter::new(config()).wrap(Mock::always(OK));
    service.get_ref().set_status(Status::Busy);
    assert_eq!(service.status(), Status::Busy);
    service.close();
    assert_eq!(service.status(), Status::Closed);
}
