//! Load shedding: a call to a busy or closed service fails at once, typed, uncalled.

#[path = "support/mock.rs"]
mod mock;

use futures::poll;
use kairos::time::{Duration, Instant};
use kairos_service::filters::load_shed::{LoadShed, LoadShedError};
use kairos_service::filters::{ConcurrencyLimitFilter, LoadShedFilter};
use kairos_service::{Compose, Filter, Service, Status};
use mock::{Mock, MockError, Step, FAIL, OK};
use std::pin::pin;
use std::task::Poll;

#[kairos::test(start_paused = true)]
async fn a_busy_service_is_not_called_and_the_call_fails_on_its_first_poll() {
    let service = LoadShedFilter::new().wrap(Mock::always(OK));
    service.get_ref().set_status(Status::Busy);
    let start = Instant::now();
    let mut call = pin!(service.call(1));
    assert_eq!(
        poll!(call.as_mut()),
        Poll::Ready(Err(LoadShedError::Overloaded))
    );
    assert_eq!(start.elapsed(), Duration::ZERO);
    assert_eq!(service.get_ref().calls(), 0);
}

#[kairos::test(start_paused = true)]
async fn a_closed_service_is_not_called() {
    let service = LoadShed::new(Mock::always(OK));
    service.close();
    assert_eq!(service.status(), Status::Closed);
    let error = service.call(1).await.unwrap_err();
    assert_eq!(error, LoadShedError::Closed);
    assert!(error.is_shed());
    assert_eq!(service.get_ref().calls(), 0);
}

#[kairos::test(start_paused = true)]
async fn an_open_service_is_called_and_its_errors_pass_through() {
    let service = LoadShed::new(Mock::new([OK], FAIL));
    assert_eq!(service.call(1).await, Ok(1));
    let error = service.call(2).await.unwrap_err();
    assert!(!error.is_shed());
    assert_eq!(error.into_inner(), Some(MockError(2)));
}

#[kairos::test(start_paused = true)]
async fn sheds_what_a_concurrency_limit_would_queue() {
    let service = LoadShedFilter::new()
        .and_then(ConcurrencyLimitFilter::new(2))
        .and_then(Mock::always(Step::Ok(Duration::from_millis(10))));
    let mut a = pin!(service.call(1));
    let mut b = pin!(service.call(2));
    assert!(poll!(a.as_mut()).is_pending());
    assert!(poll!(b.as_mut()).is_pending());
    assert_eq!(service.status(), Status::Busy);
    for n in 3..10 {
        assert_eq!(service.call(n).await, Err(LoadShedError::Overloaded));
    }
    assert_eq!(a.await, Ok(1));
    assert_eq!(service.status(), Status::Open);
    assert_eq!(service.call(10).await, Ok(10));
    assert_eq!(b.await, Ok(2));
    let mock = service.get_ref().get_ref();
    assert_eq!((mock.calls(), mock.max_in_flight()), (3, 2));
}
