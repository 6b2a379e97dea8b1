//! Timeouts: the future wins, the deadline wins, busy futures still time out.

mod io_support;

use io_support::on_both;
use kairos::time::{sleep, timeout, timeout_at, Duration, Instant};
use std::io;

#[kairos::test(start_paused = true)]
async fn a_future_that_finishes_first_wins() {
    let result = timeout(Duration::from_secs(2), async {
        sleep(Duration::from_secs(1)).await;
        "done"
    })
    .await;
    assert_eq!(result, Ok("done"));
}

#[kairos::test(start_paused = true)]
async fn the_deadline_wins_over_a_slower_future() {
    let start = Instant::now();
    let err = timeout(Duration::from_secs(1), sleep(Duration::from_secs(5)))
        .await
        .unwrap_err();
    assert_eq!(start.elapsed(), Duration::from_secs(1));
    assert_eq!(err.to_string(), "deadline has elapsed");
    let io_err = io::Error::from(err);
    assert_eq!(io_err.kind(), io::ErrorKind::TimedOut);
}

#[kairos::test(start_paused = true)]
async fn a_ready_future_wins_even_with_a_zero_timeout() {
    assert_eq!(timeout(Duration::ZERO, async { 1 }).await, Ok(1));
    let past = Instant::now() - Duration::from_secs(1);
    assert_eq!(timeout_at(past, async { 2 }).await, Ok(2));
    assert!(timeout_at(past, std::future::pending::<()>())
        .await
        .is_err());
}

#[kairos::test(start_paused = true)]
async fn the_inner_future_is_reachable_and_dropped_on_timeout() {
    struct Flag(std::sync::Arc<std::sync::atomic::AtomicBool>);
    impl Drop for Flag {
        fn drop(&mut self) {
            self.0.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }
    let dropped = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = Flag(dropped.clone());
    let guarded = timeout(Duration::from_millis(10), async move {
        let _flag = flag;
        std::future::pending::<()>().await;
    });
    let _ = guarded.get_ref();
    assert!(guarded.await.is_err());
    assert!(dropped.load(std::sync::atomic::Ordering::SeqCst));
}

#[test]
fn a_future_that_spends_its_whole_budget_still_times_out() {
    on_both(|| async {
        // Always ready, but charges the budget: it yields on its own only when the budget
        // runs out. The timeout must still fire.
        let busy = async {
            loop {
                kairos::task::consume_budget().await;
            }
        };
        assert!(timeout(Duration::from_millis(3), busy).await.is_err());
    });
}
