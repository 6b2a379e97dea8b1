//! The timeout filter: fires at the deadline exactly, lets a ready answer win, respects and
//! propagates the caller's deadline.

#[path = "support/mock.rs"]
mod mock;

use futures::poll;
use kairos::time::{advance, Duration, Instant};
use kairos_service::filters::timeout::{Timeout, TimeoutError};
use kairos_service::filters::TimeoutFilter;
use kairos_service::{deadline, service_fn, Filter, Service, Status};
use mock::{Mock, MockError, Step, FAIL, OK};
use std::pin::pin;

const MS: Duration = Duration::from_millis(1);

#[kairos::test(start_paused = true)]
async fn fires_at_the_deadline_exactly() {
    let service = TimeoutFilter::new(100 * MS).wrap(Mock::always(Step::Hang));
    let start = Instant::now();
    let mut call = pin!(service.call(1));
    assert!(poll!(call.as_mut()).is_pending());
    advance(99 * MS).await;
    assert!(poll!(call.as_mut()).is_pending());
    assert_eq!(service.get_ref().in_flight(), 1);
    advance(MS).await;
    assert_eq!(
        poll!(call.as_mut()),
        std::task::Poll::Ready(Err(TimeoutError::Elapsed))
    );
    assert_eq!(start.elapsed(), 100 * MS);
    // The inner call was dropped when the timer fired.
    assert_eq!(service.get_ref().in_flight(), 0);
}

#[kairos::test(start_paused = true)]
async fn awaiting_a_hung_call_ends_at_the_deadline() {
    let service = TimeoutFilter::new(Duration::from_secs(3)).wrap(Mock::always(Step::Hang));
    let start = Instant::now();
    assert_eq!(service.call(1).await, Err(TimeoutError::Elapsed));
    assert_eq!(start.elapsed(), Duration::from_secs(3));
}

#[kairos::test(start_paused = true)]
async fn answers_before_or_at_the_deadline_win() {
    let service = Timeout::new(
        Mock::new([Step::Ok(99 * MS), Step::Ok(100 * MS)], Step::Ok(101 * MS)),
        100 * MS,
    );
    assert_eq!(service.call(1).await, Ok(1));
    // Due at the same tick as the timer: the inner future is polled first.
    assert_eq!(service.call(2).await, Ok(2));
    assert_eq!(service.call(3).await, Err(TimeoutError::Elapsed));
}

#[kairos::test(start_paused = true)]
async fn inner_errors_pass_through() {
    let service = TimeoutFilter::new(MS).wrap(Mock::always(FAIL));
    let error = service.call(1).await.unwrap_err();
    assert!(!error.is_timeout());
    assert_eq!(error.into_inner(), Some(MockError(1)));
}

#[kairos::test(start_paused = true)]
async fn the_earlier_of_the_callers_deadline_and_the_own_limit_fires() {
    let one = Duration::from_secs(1);
    let five = Duration::from_secs(5);
    // (own limit, caller's deadline from now, expected error), all firing after 1 s.
    let cases = [
        (five, one, TimeoutError::DeadlineExceeded),
        (one, five, TimeoutError::Elapsed),
    ];
    for (own, caller, expected) in cases {
        let service = TimeoutFilter::new(own).wrap(Mock::always(Step::Hang));
        let start = Instant::now();
        let result = deadline::scope(start + caller, service.call(1)).await;
        assert_eq!(result, Err(expected));
        assert_eq!(start.elapsed(), one);
    }
}

#[kairos::test(start_paused = true)]
async fn a_passed_deadline_fails_without_calling() {
    let service = TimeoutFilter::new(Duration::from_secs(5)).wrap(Mock::always(OK));
    let now = Instant::now();
    let result = deadline::scope(now, service.call(1)).await;
    assert_eq!(result, Err(TimeoutError::DeadlineExceeded));
    assert_eq!(service.get_ref().calls(), 0);
    assert_eq!(now.elapsed(), Duration::ZERO);
}

#[kairos::test(start_paused = true)]
async fn inner_timeouts_respect_the_outer_deadline() {
    // The outer filter allows 1 s; the inner one would allow 5 s but sees the deadline.
    let service = TimeoutFilter::new(Duration::from_secs(1))
        .wrap(TimeoutFilter::new(Duration::from_secs(5)).wrap(Mock::always(Step::Hang)));
    let start = Instant::now();
    let result = service.call(1).await;
    assert_eq!(
        result,
        Err(TimeoutError::Inner(TimeoutError::DeadlineExceeded))
    );
    assert_eq!(start.elapsed(), Duration::from_secs(1));
}

#[kairos::test(start_paused = true)]
async fn the_inner_service_sees_the_deadline_when_called_and_polled() {
    let start = Instant::now();
    let service = TimeoutFilter::new(Duration::from_secs(2)).wrap(service_fn(|()| {
        let at_call = deadline::current();
        async move {
            let before = deadline::current();
            kairos::time::sleep(MS).await;
            Ok::<_, ()>((at_call, before, deadline::current()))
        }
    }));
    let expected = Some(start + Duration::from_secs(2));
    assert_eq!(service.call(()).await, Ok((expected, expected, expected)));
    // Nested: the earlier deadline stays in force.
    let nested = deadline::scope(start + MS, service.call(())).await;
    assert_eq!(nested, Err(TimeoutError::DeadlineExceeded));
    assert_eq!(deadline::current(), None);
}

#[kairos::test(start_paused = true)]
async fn status_and_close_are_the_inner_services() {
    let service = TimeoutFilter::new(MS).wrap(Mock::always(OK));
    assert_eq!(service.status(), Status::Open);
    service.get_ref().set_status(Status::Busy);
    assert_eq!(service.status(), Status::Busy);
    service.close();
    assert_eq!(service.status(), Status::Closed);
}

#[kairos::test(start_paused = true)]
async fn huge_timeouts_do_not_overflow() {
    let service = TimeoutFilter::new(Duration::MAX).wrap(Mock::always(Step::Ok(MS)));
    assert_eq!(service.call(9).await, Ok(9));
}
