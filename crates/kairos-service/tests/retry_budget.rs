//! The retry filter: backoff timing, attempt limits, the budget, the deadline, policies.

#[path = "support/mock.rs"]
mod mock;

use kairos::time::{advance, Duration, Instant};
use kairos_service::filters::retry::{
    retry_if, Backoff, GaveUp, Policy, Retry, RetryBudget, RetryConfig, RetryErrors, RetryFilter,
};
use kairos_service::filters::{timeout::TimeoutError, TimeoutFilter};
use kairos_service::{deadline, service_fn, Compose, Filter, Service, Status};
use mock::{Mock, MockError, Step, FAIL, OK};
use std::sync::Arc;

const MS: Duration = Duration::from_millis(1);

/// No jitter: exact delays of 10, 20, 40, ... ms.
fn exact() -> RetryConfig {
    RetryConfig::new().backoff(Backoff::new(10 * MS, Duration::from_secs(1)).jitter(0.0))
}

#[kairos::test(start_paused = true)]
async fn retries_until_success_with_exponential_backoff() {
    let service = RetryFilter::new(RetryErrors, exact().max_attempts(4))
        .wrap(Mock::new([FAIL, FAIL, FAIL], OK));
    let start = Instant::now();
    assert_eq!(service.call(5).await, Ok(5));
    assert_eq!(service.get_ref().calls(), 4);
    assert_eq!(start.elapsed(), (10 + 20 + 40) * MS);
}

#[kairos::test(start_paused = true)]
async fn gives_up_after_max_attempts_with_the_last_error() {
    let service = RetryFilter::new(RetryErrors, exact()).wrap(Mock::always(FAIL));
    let error = service.call(1).await.unwrap_err();
    assert_eq!(error.attempts(), 3);
    assert_eq!(error.gave_up(), GaveUp::Attempts);
    assert_eq!(error.into_inner(), MockError(3));
}

#[kairos::test(start_paused = true)]
async fn successes_are_not_retried_and_one_attempt_means_none() {
    let service = RetryFilter::new(RetryErrors, exact()).wrap(Mock::always(OK));
    assert_eq!(service.call(1).await, Ok(1));
    assert_eq!(service.get_ref().calls(), 1);
    let once = RetryFilter::new(RetryErrors, exact().max_attempts(1)).wrap(Mock::always(FAIL));
    let error = once.call(1).await.unwrap_err();
    assert_eq!((error.attempts(), error.gave_up()), (1, GaveUp::Attempts));
}

#[kairos::test(start_paused = true)]
async fn retries_stop_when_the_budget_is_spent() {
    // A reserve of 10 retries (1 a second over 10 s), plus one retry per ten calls.
    let config = RetryConfig::new()
        .max_attempts(100)
        .backoff(Backoff::none())
        .budget(Duration::from_secs(10), 1, 0.1);
    let service = RetryFilter::new(RetryErrors, config).wrap(Mock::always(FAIL));
    let mut attempts = Vec::new();
    for n in 0..20 {
        let error = service.call(n).await.unwrap_err();
        assert_eq!(error.gave_up(), GaveUp::Budget);
        attempts.push(error.attempts());
    }
    // The first call spends the reserve (10 retries); then every tenth call earns one.
    let mut expected = vec![1; 20];
    expected[0] = 11;
    expected[9] = 2;
    expected[19] = 2;
    assert_eq!(attempts, expected);
    assert_eq!(service.get_ref().calls(), 20 + 12);
    assert_eq!(service.budget().balance(), 0);
    // Withdrawals expire with the ttl: the reserve is back.
    advance(Duration::from_secs(10)).await;
    assert_eq!(service.budget().balance(), 10);
}

#[kairos::test(start_paused = true)]
async fn the_budget_bounds_amplification_in_an_outage() {
    // 1000 calls to a dead service with the default ratio (20 %) and no reserve: at most
    // 1.2 attempts per call, instead of the 3 that `max_attempts` allows.
    let config = exact().budget(Duration::from_secs(10), 0, 0.2);
    let service = RetryFilter::new(RetryErrors, config).wrap(Mock::always(FAIL));
    for n in 0..1000 {
        assert!(service.call(n).await.is_err());
    }
    assert_eq!(service.get_ref().calls(), 1200);
}

#[kairos::test(start_paused = true)]
async fn a_shared_budget_is_drawn_on_by_every_service() {
    let budget = Arc::new(RetryBudget::new(Duration::from_secs(10), 0, 1.0));
    let filter = RetryFilter::new(RetryErrors, exact().max_attempts(2)).with_budget(budget.clone());
    let one = filter.wrap(Mock::always(OK));
    let two = filter.wrap(Mock::always(FAIL));
    one.call(1).await.unwrap(); // deposits a token
    let error = two.call(1).await.unwrap_err(); // deposits one, spends one
    assert_eq!(error.gave_up(), GaveUp::Attempts);
    assert_eq!(budget.balance(), 1);
    assert!(Arc::ptr_eq(one.budget(), two.budget()));
}

#[kairos::test(start_paused = true)]
async fn no_retry_that_would_end_past_the_deadline() {
    let service = RetryFilter::new(RetryErrors, exact().max_attempts(5)).wrap(Mock::always(FAIL));
    let start = Instant::now();
    // Attempts at 0 and 10 ms; the next would start at 30 ms, past the 25 ms deadline.
    let error = deadline::scope(start + 25 * MS, service.call(1))
        .await
        .unwrap_err();
    assert_eq!((error.attempts(), error.gave_up()), (2, GaveUp::Deadline));
    assert_eq!(start.elapsed(), 10 * MS);
}

#[kairos::test(start_paused = true)]
async fn a_timeout_outside_bounds_all_attempts_together() {
    let service = TimeoutFilter::new(100 * MS)
        .and_then(RetryFilter::new(RetryErrors, exact().max_attempts(10)))
        .and_then(Mock::always(Step::Fail(30 * MS)));
    let start = Instant::now();
    // Attempts at 0-30 and 40-70 ms fail; the third starts at 90 ms and is cut off at 100.
    assert_eq!(service.call(1).await, Err(TimeoutError::Elapsed));
    assert_eq!(start.elapsed(), 100 * MS);
    assert_eq!(service.get_ref().get_ref().calls(), 3);
    assert_eq!(service.get_ref().get_ref().in_flight(), 0);
    // With a backoff that would end past the deadline, the retry gives up first.
    let start = Instant::now();
    let error = deadline::scope(start + 35 * MS, service.call(2))
        .await
        .unwrap_err();
    let error = error
        .into_inner()
        .expect("the retry gives up before the deadline");
    assert_eq!((error.attempts(), error.gave_up()), (1, GaveUp::Deadline));
    assert_eq!(start.elapsed(), 30 * MS);
}

#[kairos::test(start_paused = true)]
async fn a_timeout_inside_bounds_each_attempt() {
    let service = RetryFilter::new(RetryErrors, exact())
        .and_then(TimeoutFilter::new(50 * MS))
        .and_then(Mock::new([Step::Hang], OK));
    let start = Instant::now();
    assert_eq!(service.call(3).await, Ok(3));
    assert_eq!(start.elapsed(), (50 + 10) * MS);
}

#[kairos::test(start_paused = true)]
async fn the_policy_picks_what_to_retry() {
    let policy = retry_if(|result: &Result<u32, MockError>| match result {
        Ok(n) => *n == 0, // a "try again" answer
        Err(MockError(call)) => *call == 1,
    });
    let service = RetryFilter::new(policy, exact()).wrap(Mock::always(FAIL));
    let error = service.call(1).await.unwrap_err();
    assert_eq!(
        (error.attempts(), error.gave_up()),
        (2, GaveUp::NotRetryable)
    );
    // A retryable success, retried until the attempts run out, is returned as it is.
    let zero = RetryFilter::new(policy, exact()).wrap(Mock::always(OK));
    assert_eq!(zero.call(0).await, Ok(0));
    assert_eq!(zero.get_ref().calls(), 3);
}

#[derive(Debug, PartialEq)]
struct OneShot(u32);

#[derive(Clone)]
struct NeverCopy;

impl<Res, E> Policy<OneShot, Res, E> for NeverCopy {
    fn retry(&self, result: &Result<Res, E>) -> bool {
        result.is_err()
    }
    fn clone_request(&self, _req: &OneShot) -> Option<OneShot> {
        None
    }
}

#[kairos::test(start_paused = true)]
async fn requests_that_cannot_be_copied_are_not_retried() {
    let service =
        RetryFilter::new(NeverCopy, exact()).wrap(service_fn(|req: OneShot| async move {
            Err::<(), _>(req.0)
        }));
    let error = service.call(OneShot(9)).await.unwrap_err();
    assert_eq!(error.gave_up(), GaveUp::NotReplayable);
    assert_eq!(error.into_inner(), 9);
}

#[kairos::test(start_paused = true)]
async fn jitter_stays_within_its_bounds_and_a_seed_repeats_it() {
    let backoff = Backoff::new(100 * MS, Duration::from_secs(1)).jitter(0.5);
    let mut spent = Vec::new();
    for seed in [1, 2, 1] {
        let config = RetryConfig::new()
            .backoff(backoff)
            .max_attempts(3)
            .seed(seed);
        let service = RetryFilter::new(RetryErrors, config).wrap(Mock::always(FAIL));
        let start = Instant::now();
        service.call(1).await.unwrap_err();
        let elapsed = start.elapsed();
        // Bases 100 + 200 ms, each scaled by a factor in (0.5, 1].
        assert!(elapsed > 150 * MS && elapsed <= 300 * MS, "{elapsed:?}");
        spent.push(elapsed);
    }
    assert_eq!(spent[0], spent[2]);
    assert_ne!(spent[0], spent[1]);
}

#[kairos::test(start_paused = true)]
async fn status_and_close_are_the_inner_services() {
    let service = Retry::new(Mock::always(OK), RetryErrors, exact(), Default::default());
    assert_eq!(service.status(), Status::Open);
    service.close();
    assert_eq!(service.status(), Status::Closed);
}
