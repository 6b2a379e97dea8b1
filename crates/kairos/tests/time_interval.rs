//! Intervals: the schedule, and each way of handling missed ticks, on the paused clock.

use kairos::time::{interval, interval_at, sleep, Duration, Instant, MissedTickBehavior};

const PERIOD: Duration = Duration::from_millis(100);

/// Ticks as offsets from `start`, in ms.
async fn ticks(ticker: &mut kairos::time::Interval, start: Instant, n: usize) -> Vec<u64> {
    let mut offsets = Vec::with_capacity(n);
    for _ in 0..n {
        let at = ticker.tick().await;
        assert_eq!(
            at,
            Instant::now().min(at),
            "a tick returned a future instant"
        );
        offsets.push((at - start).as_millis() as u64);
    }
    offsets
}

#[kairos::test(start_paused = true)]
async fn ticks_come_every_period_starting_at_once() {
    let start = Instant::now();
    let mut ticker = interval(PERIOD);
    assert_eq!(ticks(&mut ticker, start, 4).await, [0, 100, 200, 300]);
    assert_eq!(ticker.period(), PERIOD);
    assert_eq!(ticker.missed_tick_behavior(), MissedTickBehavior::Burst);
}

#[kairos::test(start_paused = true)]
async fn interval_at_starts_at_the_given_instant() {
    let start = Instant::now();
    let mut ticker = interval_at(start + Duration::from_millis(250), PERIOD);
    assert_eq!(ticks(&mut ticker, start, 3).await, [250, 350, 450]);
}

/// Ticks 0 and 100 on time, then the task is busy until 350.
async fn late_ticker(behavior: MissedTickBehavior) -> Vec<u64> {
    let start = Instant::now();
    let mut ticker = interval(PERIOD);
    ticker.set_missed_tick_behavior(behavior);
    let mut seen = ticks(&mut ticker, start, 2).await;
    sleep(Duration::from_millis(250)).await;
    for _ in 0..4 {
        ticker.tick().await;
        seen.push((Instant::now() - start).as_millis() as u64);
    }
    seen
}

#[kairos::test(start_paused = true)]
async fn burst_catches_up_at_once_then_keeps_the_schedule() {
    // The missed ticks at 200 and 300 fire at 350, then 400 and 500 on schedule.
    assert_eq!(
        late_ticker(MissedTickBehavior::Burst).await,
        [0, 100, 350, 350, 400, 500]
    );
}

#[kairos::test(start_paused = true)]
async fn delay_shifts_the_schedule_to_the_late_tick() {
    assert_eq!(
        late_ticker(MissedTickBehavior::Delay).await,
        [0, 100, 350, 450, 550, 650]
    );
}

#[kairos::test(start_paused = true)]
async fn skip_drops_missed_ticks_and_keeps_the_phase() {
    assert_eq!(
        late_ticker(MissedTickBehavior::Skip).await,
        [0, 100, 350, 400, 500, 600]
    );
}

#[kairos::test(start_paused = true)]
async fn resets_restart_the_schedule() {
    let start = Instant::now();
    let mut ticker = interval(PERIOD);
    ticker.tick().await;
    sleep(Duration::from_millis(30)).await;
    ticker.reset();
    assert_eq!(ticks(&mut ticker, start, 1).await, [130]);
    ticker.reset_immediately();
    assert_eq!(ticks(&mut ticker, start, 1).await, [130]);
    ticker.reset_after(Duration::from_millis(5));
    assert_eq!(ticks(&mut ticker, start, 1).await, [135]);
    ticker.reset_at(start + Duration::from_millis(1000));
    assert_eq!(ticks(&mut ticker, start, 2).await, [1000, 1100]);
}

#[test]
#[should_panic(expected = "period must be non-zero")]
fn a_zero_period_panics() {
    let rt = kairos::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let _enter = rt.enter();
    let _ = interval(Duration::ZERO);
}
