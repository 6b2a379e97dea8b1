//! Unix signals raised at our own process: delivery on both schedulers, from another
//! thread, to several listeners, coalescing, and the refusals.
//!
//! Each test uses its own signal, so tests running side by side do not see each
//! other's deliveries.

mod io_support;

use io_support::on_both;
use kairos::signal::unix::{signal, SignalKind};
use kairos::time::{timeout, Duration};

fn raise(kind: SignalKind) {
    // SAFETY: raising a signal whose handler Kairos installed runs that handler.
    assert_eq!(unsafe { libc::raise(kind.as_raw_value()) }, 0);
}

/// A generous bound on a delivery that has already happened, so a broken runtime fails
/// the test instead of hanging it.
const DELIVERY: Duration = Duration::from_secs(10);

#[test]
fn a_raised_signal_reaches_its_listener_on_both_schedulers() {
    on_both(|| async {
        let mut usr1 = signal(SignalKind::user_defined1()).unwrap();
        for _ in 0..3 {
            raise(SignalKind::user_defined1());
            timeout(DELIVERY, usr1.recv()).await.unwrap().unwrap();
        }
    });
}

#[test]
fn a_signal_sent_from_another_thread_wakes_the_waiting_task() {
    on_both(|| async {
        let mut usr2 = signal(SignalKind::user_defined2()).unwrap();
        let sender = std::thread::spawn(|| {
            // SAFETY: kill with our own pid and a handled signal.
            let sent = unsafe { libc::kill(libc::getpid(), libc::SIGUSR2) };
            assert_eq!(sent, 0);
        });
        timeout(DELIVERY, usr2.recv()).await.unwrap().unwrap();
        sender.join().unwrap();
    });
}

#[test]
fn every_listener_of_a_signal_receives_it() {
    on_both(|| async {
        let mut first = signal(SignalKind::window_change()).unwrap();
        let mut second = signal(SignalKind::window_change()).unwrap();
        let waiting = kairos::spawn(async move { first.recv().await });
        kairos::task::yield_now().await;
        raise(SignalKind::window_change());
        timeout(DELIVERY, second.recv()).await.unwrap().unwrap();
        timeout(DELIVERY, waiting).await.unwrap().unwrap().unwrap();
    });
}

#[test]
fn deliveries_between_two_receives_coalesce() {
    on_both(|| async {
        let mut hup = signal(SignalKind::hangup()).unwrap();
        raise(SignalKind::hangup());
        raise(SignalKind::hangup());
        timeout(DELIVERY, hup.recv()).await.unwrap().unwrap();
        // At most one more (if the two raises were dispatched separately), then nothing
        // until the next raise.
        let _ = timeout(Duration::from_millis(5), hup.recv()).await;
        assert!(timeout(Duration::from_millis(5), hup.recv()).await.is_err());
        raise(SignalKind::hangup());
        timeout(DELIVERY, hup.recv()).await.unwrap().unwrap();
    });
}

#[test]
fn a_listener_sees_only_deliveries_after_it_was_created() {
    on_both(|| async {
        let mut early = signal(SignalKind::alarm()).unwrap();
        raise(SignalKind::alarm());
        timeout(DELIVERY, early.recv()).await.unwrap().unwrap();
        let mut late = signal(SignalKind::alarm()).unwrap();
        assert!(timeout(Duration::from_millis(5), late.recv())
            .await
            .is_err());
    });
}

#[test]
fn forbidden_and_invalid_signals_are_refused() {
    on_both(|| async {
        for signum in [libc::SIGKILL, libc::SIGSTOP, libc::SIGSEGV, 0, -3, 10_000] {
            let err = signal(SignalKind::from_raw(signum)).unwrap_err();
            assert_eq!(
                err.kind(),
                std::io::ErrorKind::InvalidInput,
                "{signum}: {err}"
            );
        }
    });
}

#[test]
fn signals_need_the_io_driver() {
    let rt = kairos::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let err = rt
        .block_on(async { signal(SignalKind::quit()) })
        .unwrap_err();
    assert!(err.to_string().contains("enable_io"), "{err}");
}
