//! Sleeping: deadlines are never early, order follows deadlines, resets move them,
//! cancelled sleeps stay silent; on the paused clock, and briefly on the real clock on
//! both schedulers.

mod io_support;

use io_support::on_both;
use kairos::time::{sleep, sleep_until, Duration, Instant};
use std::sync::{Arc, Mutex};

#[kairos::test(start_paused = true)]
async fn a_sleep_ends_exactly_at_its_deadline_on_the_paused_clock() {
    let start = Instant::now();
    sleep(Duration::from_millis(1500)).await;
    assert_eq!(start.elapsed(), Duration::from_millis(1500));
    let deadline = Instant::now() + Duration::from_secs(7);
    sleep_until(deadline).await;
    assert_eq!(Instant::now(), deadline);
}

#[kairos::test(start_paused = true)]
async fn sub_millisecond_deadlines_round_up_never_down() {
    let start = Instant::now();
    sleep(Duration::from_micros(1500)).await;
    let elapsed = start.elapsed();
    assert!(elapsed >= Duration::from_micros(1500), "{elapsed:?}");
    assert!(elapsed <= Duration::from_millis(2), "{elapsed:?}");
}

#[kairos::test(start_paused = true)]
async fn sleeps_wake_in_deadline_order() {
    let order = Arc::new(Mutex::new(Vec::new()));
    let start = Instant::now();
    // Deadlines spread over every level of the wheel, spawned out of order.
    let delays_ms: [u64; 8] = [5_000_000, 3, 70, 1, 4_100, 300_000, 65, 20_000_000];
    let tasks: Vec<_> = delays_ms
        .iter()
        .map(|&ms| {
            let order = order.clone();
            kairos::spawn(async move {
                sleep(Duration::from_millis(ms)).await;
                assert_eq!(start.elapsed(), Duration::from_millis(ms), "woke off time");
                order.lock().unwrap().push(ms);
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let mut sorted = delays_ms.to_vec();
    sorted.sort_unstable();
    assert_eq!(*order.lock().unwrap(), sorted);
}

#[kairos::test(start_paused = true)]
async fn past_and_zero_deadlines_complete_at_once() {
    let start = Instant::now();
    sleep(Duration::ZERO).await;
    sleep_until(start - Duration::from_secs(1)).await;
    assert_eq!(start.elapsed(), Duration::ZERO);
}

#[kairos::test(start_paused = true)]
async fn reset_moves_the_deadline_both_ways() {
    let start = Instant::now();
    let mut nap = std::pin::pin!(sleep(Duration::from_secs(10)));
    assert!(futures::poll!(nap.as_mut()).is_pending());
    nap.as_mut().reset(start + Duration::from_secs(2));
    nap.as_mut().await;
    assert_eq!(start.elapsed(), Duration::from_secs(2));
    assert!(nap.is_elapsed());
    // A completed sleep can be re-armed.
    nap.as_mut().reset(start + Duration::from_secs(5));
    assert!(!nap.is_elapsed());
    assert_eq!(nap.deadline(), start + Duration::from_secs(5));
    nap.as_mut().await;
    assert_eq!(start.elapsed(), Duration::from_secs(5));
}

#[kairos::test(start_paused = true)]
async fn a_practically_endless_sleep_loses_to_a_day() {
    let start = Instant::now();
    let endless = sleep(Duration::MAX);
    let day = sleep(Duration::from_secs(86_400));
    match futures::future::select(Box::pin(endless), Box::pin(day)).await {
        futures::future::Either::Right(((), endless)) => assert!(!endless.is_elapsed()),
        futures::future::Either::Left(_) => panic!("the endless sleep ended"),
    }
    assert_eq!(start.elapsed(), Duration::from_secs(86_400));
}

#[kairos::test(start_paused = true)]
async fn a_cancelled_sleep_never_wakes_its_task() {
    let start = Instant::now();
    {
        let mut cancelled = std::pin::pin!(sleep(Duration::from_secs(1)));
        assert!(futures::poll!(cancelled.as_mut()).is_pending());
    }
    // Had the cancelled timer stayed, the clock would stop at 1 s on the way.
    sleep(Duration::from_secs(3)).await;
    assert_eq!(start.elapsed(), Duration::from_secs(3));
}

#[test]
fn short_real_sleeps_are_never_early_on_both_schedulers() {
    on_both(|| async {
        let start = Instant::now();
        let tasks: Vec<_> = (1..=4u64)
            .map(|ms| {
                kairos::spawn(async move {
                    let deadline = Instant::now() + Duration::from_millis(ms);
                    sleep_until(deadline).await;
                    assert!(Instant::now() >= deadline);
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        assert!(start.elapsed() >= Duration::from_millis(4));
    });
}

#[test]
fn a_timer_set_from_another_thread_wakes_a_parked_runtime() {
    let rt = io_support::multi_thread();
    let handle = rt.handle().clone();
    let done = rt.block_on(async {
        // Every worker is idle and parked when this timer arrives from outside.
        std::thread::spawn(move || {
            handle.block_on(async {
                sleep(Duration::from_millis(2)).await;
                "woken"
            })
        })
        .join()
        .unwrap()
    });
    assert_eq!(done, "woken");
}

#[test]
fn timers_without_enable_time_panic_naming_it() {
    let rt = kairos::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .unwrap();
    let _enter = rt.enter();
    let panic = std::panic::catch_unwind(|| sleep(Duration::from_secs(1))).unwrap_err();
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap();
    assert!(message.contains("enable_time"), "{message}");
}
