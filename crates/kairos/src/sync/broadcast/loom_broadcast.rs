//! Loom models of the broadcast channel: a receiver that lags behind a sender, a waiting
//! receiver woken by a send or the close, and a receiver dropped while values are sent
//! (each value dropped exactly once).

use super::channel;
use super::error::RecvError;
use crate::loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::loom::sync::Arc;
use loom::future::block_on;
use loom::thread;

/// Three values into two slots: the receiver gets every value or learns how many it
/// missed, and the counts add up.
#[test]
fn lagging_receiver_accounts_for_every_value() {
    loom::model(|| {
        let (tx, mut rx) = channel(2);
        let sender = thread::spawn(move || {
            for i in 1..=3u64 {
                tx.send(i).unwrap();
            }
        });
        let (mut received, mut missed) = (0u64, 0u64);
        loop {
            match block_on(rx.recv()) {
                Ok(_) => received += 1,
                Err(RecvError::Lagged(n)) => missed += n,
                Err(RecvError::Closed) => break,
            }
        }
        assert_eq!(received + missed, 3);
        sender.join().unwrap();
    });
}

/// Two receivers wait while one value is sent and the sender closes: both see the value.
#[test]
fn send_wakes_every_waiting_receiver() {
    loom::model(|| {
        let (tx, mut a) = channel(1);
        let mut b = tx.subscribe();
        let other = thread::spawn(move || block_on(b.recv()));
        tx.send(7).unwrap();
        drop(tx);
        assert_eq!(block_on(a.recv()), Ok(7));
        assert_eq!(other.join().unwrap(), Ok(7));
    });
}

/// Counts its drops.
struct Counted(Arc<AtomicUsize>);

impl Clone for Counted {
    fn clone(&self) -> Counted {
        Counted(self.0.clone())
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

/// A receiver is dropped while two values are sent into one slot: each value is dropped
/// exactly once (overwritten, released by the receiver, or refused).
#[test]
fn receiver_drop_vs_sends_drops_values_once() {
    loom::model(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = channel(1);
        let (first, second) = (Counted(drops.clone()), Counted(drops.clone()));
        let sender = thread::spawn(move || {
            drop(tx.send(first));
            drop(tx.send(second));
            tx
        });
        drop(rx);
        let tx = sender.join().unwrap();
        drop(tx);
        assert_eq!(drops.load(SeqCst), 2);
    });
}
