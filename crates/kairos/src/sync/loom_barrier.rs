//! Loom model of `Barrier`: two rounds of two threads, one leader per round, and nobody
//! released before the round is complete.

use crate::loom::sync::Arc;
use crate::sync::Barrier;
use loom::future::block_on;
use loom::thread;

#[test]
fn two_rounds_of_two_have_one_leader_each() {
    loom::model(|| {
        let barrier = Arc::new(Barrier::new(2));
        let other = {
            let barrier = barrier.clone();
            thread::spawn(move || {
                let first = block_on(barrier.wait()).is_leader();
                let second = block_on(barrier.wait()).is_leader();
                (first, second)
            })
        };
        let first = block_on(barrier.wait()).is_leader();
        let second = block_on(barrier.wait()).is_leader();
        let (other_first, other_second) = other.join().unwrap();
        assert!(first != other_first);
        assert!(second != other_second);
    });
}
