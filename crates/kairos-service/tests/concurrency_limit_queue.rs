//! The concurrency limit: at most N calls in flight, first come first served, no permit
//! lost when waiting calls are dropped.

#[path = "support/mock.rs"]
mod mock;

use futures::future::join_all;
use futures::poll;
use kairos::time::{Duration, Instant};
use kairos_service::filters::concurrency_limit::ConcurrencyLimit;
use kairos_service::filters::ConcurrencyLimitFilter;
use kairos_service::{service_fn, Filter, Service, Status};
use mock::{Mock, Step};
use std::cell::RefCell;
use std::pin::pin;

const MS: Duration = Duration::from_millis(1);

#[kairos::test(start_paused = true)]
async fn never_more_than_the_limit_in_flight() {
    let service = ConcurrencyLimitFilter::new(3).wrap(Mock::always(Step::Ok(10 * MS)));
    let start = Instant::now();
    let results = join_all((0..10).map(|n| service.call(n))).await;
    assert_eq!(results, (0..10).map(Ok).collect::<Vec<_>>());
    assert_eq!(service.get_ref().max_in_flight(), 3);
    // Four waves of at most three calls, 10 ms each.
    assert_eq!(start.elapsed(), 40 * MS);
    assert_eq!(service.in_flight(), 0);
}

#[kairos::test(start_paused = true)]
async fn waiting_calls_run_in_arrival_order() {
    let order = RefCell::new(Vec::new());
    let service = ConcurrencyLimit::new(
        service_fn(|n: u32| {
            order.borrow_mut().push(n);
            async move {
                kairos::time::sleep(MS).await;
                Ok::<_, ()>(n)
            }
        }),
        1,
    );
    let mut first = pin!(service.call(1));
    let mut second = pin!(service.call(2));
    let mut third = pin!(service.call(3));
    assert!(poll!(first.as_mut()).is_pending());
    assert!(poll!(third.as_mut()).is_pending()); // queues before `second`
    assert!(poll!(second.as_mut()).is_pending());
    // A new call does not overtake the queue even when it is polled first.
    let mut fourth = pin!(service.call(4));
    assert!(poll!(fourth.as_mut()).is_pending());
    let all = futures::future::join4(first, second, third, fourth).await;
    assert_eq!(all, (Ok(1), Ok(2), Ok(3), Ok(4)));
    assert_eq!(*order.borrow(), [1, 3, 2, 4]);
}

#[kairos::test(start_paused = true)]
async fn a_dropped_waiter_leaves_the_queue() {
    let service = ConcurrencyLimitFilter::new(1).wrap(Mock::always(Step::Ok(10 * MS)));
    let mut first = pin!(service.call(1));
    assert!(poll!(first.as_mut()).is_pending());
    {
        let mut waiting = pin!(service.call(2));
        assert!(poll!(waiting.as_mut()).is_pending());
        assert_eq!(service.status(), Status::Busy);
    }
    let mut third = pin!(service.call(3));
    assert!(poll!(third.as_mut()).is_pending());
    assert_eq!(first.await, Ok(1));
    assert_eq!(third.await, Ok(3));
    assert_eq!(service.get_ref().calls(), 2);
    assert_eq!(service.in_flight(), 0);
    assert_eq!(service.status(), Status::Open);
}

#[kairos::test(start_paused = true)]
async fn a_permit_handed_to_a_dropped_waiter_is_passed_on() {
    let service = ConcurrencyLimitFilter::new(1).wrap(Mock::always(Step::Ok(10 * MS)));
    let mut first = pin!(service.call(1));
    let mut second = Box::pin(service.call(2));
    let mut third = pin!(service.call(3));
    assert!(poll!(first.as_mut()).is_pending());
    assert!(poll!(second.as_mut()).is_pending());
    assert!(poll!(third.as_mut()).is_pending());
    // `first` completes and hands its permit to `second`, which is dropped unpolled.
    assert_eq!(first.await, Ok(1));
    drop(second);
    assert_eq!(service.in_flight(), 1);
    assert_eq!(third.await, Ok(3));
    assert_eq!(service.in_flight(), 0);
    assert_eq!(service.get_ref().calls(), 2);
}

#[kairos::test(start_paused = true)]
async fn a_call_dropped_mid_flight_frees_its_permit() {
    let service = ConcurrencyLimitFilter::new(1).wrap(Mock::new([Step::Hang], Step::Ok(MS)));
    let mut hung = Box::pin(service.call(1));
    assert!(poll!(hung.as_mut()).is_pending());
    assert_eq!(service.status(), Status::Busy);
    drop(hung);
    assert_eq!(service.get_ref().in_flight(), 0);
    assert_eq!(service.status(), Status::Open);
    assert_eq!(service.call(2).await, Ok(2));
}

#[kairos::test(start_paused = true)]
async fn status_reports_busy_at_the_limit_and_the_inner_status_otherwise() {
    let service = ConcurrencyLimitFilter::new(2).wrap(Mock::always(Step::Ok(MS)));
    let a = service.call(1);
    assert_eq!(service.status(), Status::Open);
    let b = service.call(2);
    assert_eq!(service.status(), Status::Busy);
    service.close();
    assert_eq!(service.status(), Status::Closed);
    assert_eq!(futures::join!(a, b), (Ok(1), Ok(2)));
}

#[kairos::test(flavor = "multi_thread", worker_threads = 2)]
async fn holds_under_threads() {
    let service = std::sync::Arc::new(
        ConcurrencyLimitFilter::new(4).wrap(Mock::always(Step::Ok(Duration::ZERO))),
    );
    let tasks: Vec<_> = (0..200)
        .map(|n| {
            let service = service.clone();
            kairos::spawn(async move {
                for _ in 0..10 {
                    kairos::task::yield_now().await;
                    service.call(n).await.unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    assert!(service.get_ref().max_in_flight() <= 4);
    assert_eq!(service.in_flight(), 0);
    assert_eq!(service.get_ref().calls(), 2000);
}
