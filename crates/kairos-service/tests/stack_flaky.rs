//! Every standard filter stacked in front of a flaky mock service, on the paused clock:
//! what a caller observes through the whole stack when the service hangs, fails, goes
//! down, is overloaded and recovers.

#[path = "support/mock.rs"]
mod mock;

use futures::poll;
use kairos::time::{advance, Duration, Instant};
use kairos_service::filters::circuit_breaker::{CircuitBreakerConfig, CircuitBreakerError};
use kairos_service::filters::load_shed::LoadShedError;
use kairos_service::filters::retry::{retry_if, Backoff, GaveUp, RetryConfig, RetryError};
use kairos_service::filters::timeout::TimeoutError;
use kairos_service::{deadline, Service, ServiceBuilder, Status};
use mock::{Mock, MockError, Step, FAIL, OK};
use std::pin::pin;

const MS: Duration = Duration::from_millis(1);

/// The error of one attempt, below the retry: the breaker's, around the attempt timeout's.
type AttemptError = CircuitBreakerError<TimeoutError<MockError>>;
/// What the caller sees.
type StackError = LoadShedError<TimeoutError<RetryError<AttemptError>>>;

/// Retry what failed or timed out in an attempt, never a refusal by the open breaker.
fn retryable(result: &Result<u32, AttemptError>) -> bool {
    matches!(result, Err(CircuitBreakerError::Inner(_)))
}

fn stack(mock: Mock) -> impl Service<u32, Response = u32, Error = StackError> {
    ServiceBuilder::new()
        .log()
        .load_shed()
        .concurrency_limit(2)
        .timeout(Duration::from_secs(1))
        .retry(
            retry_if(retryable as fn(&Result<u32, AttemptError>) -> bool),
            RetryConfig::new()
                .max_attempts(4)
                .backoff(Backoff::new(10 * MS, Duration::from_secs(1)).jitter(0.0)),
        )
        .circuit_breaker(
            CircuitBreakerConfig::new()
                .failures(3)
                .backoff(Backoff::new(Duration::from_secs(5), Duration::from_secs(60)).jitter(0.0)),
        )
        .timeout(100 * MS)
        .service(mock)
}

/// The retry's error, unwrapped from the filters outside it.
fn retry_error(error: StackError) -> RetryError<AttemptError> {
    match error {
        LoadShedError::Inner(TimeoutError::Inner(error)) => error,
        other => panic!("expected the retry to give up, got {other:?}"),
    }
}

/// A call fails with `Overloaded` on the spot: no time passes.
async fn assert_shed_at_once(service: &impl Service<u32, Response = u32, Error = StackError>) {
    let start = Instant::now();
    let result = service.call(0).await;
    assert!(
        matches!(result, Err(LoadShedError::Overloaded)),
        "{result:?}"
    );
    assert_eq!(start.elapsed(), Duration::ZERO);
}

#[kairos::test(start_paused = true)]
async fn a_hung_attempt_times_out_and_the_retry_succeeds() {
    let service = stack(Mock::new([Step::Hang], OK));
    let start = Instant::now();
    assert_eq!(service.call(1).await, Ok(1));
    // 100 ms attempt timeout, 10 ms backoff, an immediate answer.
    assert_eq!(start.elapsed(), 110 * MS);
}

#[kairos::test(start_paused = true)]
async fn an_outage_opens_the_breaker_and_calls_then_fail_fast() {
    let service = stack(Mock::new([FAIL, FAIL, FAIL], OK));
    let start = Instant::now();
    // Three attempts fail and the third failure in a row opens the breaker; the fourth
    // attempt is refused by it, which the policy does not retry.
    let error = retry_error(service.call(1).await.unwrap_err());
    assert_eq!(
        (error.attempts(), error.gave_up()),
        (4, GaveUp::NotRetryable)
    );
    assert_eq!(error.into_inner(), CircuitBreakerError::Open);
    assert_eq!(start.elapsed(), (10 + 20 + 40) * MS);
    // The service has recovered, but the open breaker reports `Busy` up the stack, so the
    // load shedder refuses at once: nothing reaches the service, no time passes.
    assert_eq!(service.status(), Status::Busy);
    assert_shed_at_once(&service).await;
    // The breaker opened at 30 ms (the third attempt); 5 s later a call probes, succeeds
    // and closes it.
    advance(Duration::from_secs(5) - 41 * MS).await;
    assert_eq!(service.status(), Status::Busy);
    advance(MS).await;
    assert_eq!(service.status(), Status::Open);
    assert_eq!(service.call(3).await, Ok(3));
    assert_eq!(service.call(4).await, Ok(4));
}

#[kairos::test(start_paused = true)]
async fn overload_is_shed_at_once_with_a_typed_error() {
    let service = stack(Mock::always(Step::Ok(50 * MS)));
    let mut a = pin!(service.call(1));
    let mut b = pin!(service.call(2));
    assert!(poll!(a.as_mut()).is_pending());
    assert!(poll!(b.as_mut()).is_pending());
    assert_eq!(service.status(), Status::Busy);
    assert_shed_at_once(&service).await;
    assert_eq!((a.await, b.await), (Ok(1), Ok(2)));
    assert_eq!(service.status(), Status::Open);
    assert_eq!(service.call(4).await, Ok(4));
}

#[kairos::test(start_paused = true)]
async fn slow_failures_are_bounded_by_the_callers_deadline() {
    // Every attempt fails after 90 ms. Attempts run 0-90, 100-190 and 210-300 ms; the
    // third failure opens the breaker, which refuses the fourth attempt at 340 ms.
    let service = stack(Mock::always(Step::Fail(90 * MS)));
    let start = Instant::now();
    let error = retry_error(service.call(1).await.unwrap_err());
    assert_eq!(
        (error.attempts(), error.gave_up()),
        (4, GaveUp::NotRetryable)
    );
    assert_eq!(start.elapsed(), 340 * MS);

    // With a caller's deadline of 250 ms, the attempt timeout cuts the third attempt off
    // at 250 ms, and the retry does not start a fourth that could not finish in time.
    let service = stack(Mock::always(Step::Fail(90 * MS)));
    let start = Instant::now();
    let result = deadline::scope(start + 250 * MS, service.call(2)).await;
    let error = retry_error(result.unwrap_err());
    assert_eq!((error.attempts(), error.gave_up()), (3, GaveUp::Deadline));
    assert_eq!(
        error.into_inner(),
        CircuitBreakerError::Inner(TimeoutError::DeadlineExceeded)
    );
    assert_eq!(start.elapsed(), 250 * MS);
}
