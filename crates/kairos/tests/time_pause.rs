//! The paused clock: auto-advance when idle (but not while blocking work runs),
//! `advance`, `pause` and `resume`, and their misuse.

use kairos::runtime::Builder;
use kairos::time::{advance, sleep, Duration, Instant};

#[kairos::test(start_paused = true)]
async fn an_idle_runtime_jumps_to_the_next_timer() {
    let real = std::time::Instant::now();
    let start = Instant::now();
    sleep(Duration::from_secs(3600)).await;
    assert_eq!(start.elapsed(), Duration::from_secs(3600));
    assert!(
        real.elapsed() < Duration::from_secs(5),
        "an hour took real time"
    );
}

#[kairos::test(start_paused = true)]
async fn advance_fires_due_timers_and_moves_now() {
    let start = Instant::now();
    let sleeper = kairos::spawn(async move {
        sleep(Duration::from_millis(10)).await;
        Instant::now()
    });
    kairos::task::yield_now().await; // let it register
    advance(Duration::from_millis(25)).await;
    assert_eq!(start.elapsed(), Duration::from_millis(25));
    let woke_at = sleeper.await.unwrap();
    assert_eq!(woke_at - start, Duration::from_millis(25));
}

#[kairos::test(start_paused = true)]
async fn blocking_work_in_flight_holds_the_clock() {
    let start = Instant::now();
    let timer = kairos::spawn(sleep(Duration::from_secs(1)));
    // The blocking task finishes after a few real milliseconds; until then the idle
    // runtime must not jump to the timer, whose task would otherwise finish first.
    let blocking = kairos::task::spawn_blocking(|| {
        std::thread::sleep(std::time::Duration::from_millis(5));
        Instant::now()
    });
    match futures::future::select(timer, blocking).await {
        futures::future::Either::Right((ended_at, timer)) => {
            assert_eq!(
                ended_at.unwrap(),
                start,
                "the clock moved under the blocking task"
            );
            timer.await.unwrap();
            assert_eq!(start.elapsed(), Duration::from_secs(1));
        }
        futures::future::Either::Left(_) => panic!("the clock jumped while blocking work ran"),
    }
}

#[kairos::test]
async fn pause_advance_and_resume_work_on_a_running_clock() {
    kairos::time::pause();
    let paused_at = Instant::now();
    advance(Duration::from_secs(30)).await;
    assert_eq!(Instant::now() - paused_at, Duration::from_secs(30));
    kairos::time::resume();
    assert!(Instant::now() >= paused_at + Duration::from_secs(30));
}

#[kairos::test(start_paused = true)]
#[should_panic(expected = "already paused")]
async fn pausing_twice_panics() {
    kairos::time::pause();
}

#[kairos::test]
#[should_panic(expected = "call `kairos::time::pause()` first")]
async fn advancing_a_running_clock_panics() {
    advance(Duration::from_secs(1)).await;
}

#[kairos::test]
#[should_panic(expected = "not paused")]
async fn resuming_a_running_clock_panics() {
    kairos::time::resume();
}

#[kairos::test(flavor = "multi_thread", worker_threads = 2)]
#[should_panic(expected = "current-thread runtime")]
async fn pausing_a_multi_thread_runtime_panics() {
    kairos::time::pause();
}

#[test]
fn a_multi_thread_builder_refuses_start_paused() {
    let err = Builder::new_multi_thread()
        .start_paused(true)
        .enable_all()
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("current_thread"), "{err}");
}

#[test]
fn instant_now_outside_a_runtime_is_the_real_clock() {
    let before = std::time::Instant::now();
    let now = Instant::now().into_std();
    assert!(now >= before);
}
