//! `Barrier`: nobody leaves before the round is complete, one leader per round, rounds
//! repeat, on both schedulers.

mod sync_support;

use kairos::sync::Barrier;
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::Poll;
use sync_support::poll_once;

#[test]
fn nobody_is_released_before_the_last_arrival() {
    let barrier = Barrier::new(3);
    let mut a = pin!(barrier.wait());
    let mut b = pin!(barrier.wait());
    assert!(poll_once(a.as_mut()).is_pending());
    assert!(poll_once(b.as_mut()).is_pending());
    assert!(poll_once(a.as_mut()).is_pending());
    let Poll::Ready(last) = poll_once(pin!(barrier.wait())) else {
        panic!("the last arrival waited");
    };
    assert!(last.is_leader());
    assert!(matches!(poll_once(a.as_mut()), Poll::Ready(r) if !r.is_leader()));
    assert!(matches!(poll_once(b.as_mut()), Poll::Ready(r) if !r.is_leader()));
}

#[test]
fn a_barrier_of_zero_or_one_never_waits() {
    for n in [0, 1] {
        let barrier = Barrier::new(n);
        let Poll::Ready(result) = poll_once(pin!(barrier.wait())) else {
            panic!("a barrier of {n} waited");
        };
        assert!(result.is_leader());
    }
}

#[test]
fn next_round_is_not_released_by_the_previous_one() {
    let barrier = Barrier::new(2);
    let mut first = pin!(barrier.wait());
    assert!(poll_once(first.as_mut()).is_pending());
    assert!(poll_once(pin!(barrier.wait())).is_ready()); // completes round one
    let mut next_round = pin!(barrier.wait());
    assert!(poll_once(next_round.as_mut()).is_pending());
    assert!(poll_once(first.as_mut()).is_ready());
    assert!(poll_once(next_round.as_mut()).is_pending());
}

/// Tasks go through several rounds together; each round has exactly one leader and
/// nobody starts a round before everyone finished the previous one.
async fn rounds_across_tasks() {
    const TASKS: usize = 8;
    const ROUNDS: usize = 20;
    let barrier = Arc::new(Barrier::new(TASKS));
    let leaders = Arc::new(AtomicUsize::new(0));
    let progress = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..TASKS)
        .map(|_| {
            let (barrier, leaders, progress) = (barrier.clone(), leaders.clone(), progress.clone());
            kairos::spawn(async move {
                for round in 0..ROUNDS {
                    progress.fetch_add(1, Ordering::SeqCst);
                    if barrier.wait().await.is_leader() {
                        leaders.fetch_add(1, Ordering::SeqCst);
                    }
                    // Everyone arrived at this round before anyone was released.
                    assert!(progress.load(Ordering::SeqCst) >= (round + 1) * TASKS);
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(leaders.load(Ordering::SeqCst), ROUNDS);
}

on_both_schedulers!(rounds_across_tasks);
