//! Loom models of the bounded channel with capacity 1-2: senders waiting for room, close
//! racing with sends, the receiver's drop racing with a send, and room given back unused
//! (a dropped permit, a cancelled reserve) while the closed receiver waits for it.

use super::channel;
use crate::loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::loom::sync::Arc;
use loom::future::block_on;
use loom::thread;

/// Two senders share one slot; the receiver gets both messages, then the end.
#[test]
fn two_senders_one_slot() {
    loom::model(|| {
        let (tx, mut rx) = channel(1);
        let tx2 = tx.clone();
        let a = thread::spawn(move || block_on(tx.send(1)).unwrap());
        let b = thread::spawn(move || block_on(tx2.send(2)).unwrap());
        let mut sum = 0;
        while let Some(value) = block_on(rx.recv()) {
            sum += value;
        }
        assert_eq!(sum, 3);
        a.join().unwrap();
        b.join().unwrap();
    });
}

/// A sender sends twice into a slot of one while the receiver closes: every send that
/// succeeded is received, none that failed.
#[test]
fn send_vs_close() {
    loom::model(|| {
        let (tx, mut rx) = channel(1);
        let sender = thread::spawn(move || {
            let first = block_on(tx.send(1)).is_ok();
            let second = block_on(tx.send(2)).is_ok();
            usize::from(first) + usize::from(second)
        });
        let mut received = 0;
        if block_on(rx.recv()).is_some() {
            received += 1;
        }
        rx.close();
        while block_on(rx.recv()).is_some() {
            received += 1;
        }
        assert_eq!(sender.join().unwrap(), received);
    });
}

/// Counts its drops.
struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

/// The receiver is dropped while a message is sent: it is dropped exactly once, whether
/// it was queued (dropped with the receiver) or refused (given back, then dropped).
#[test]
fn receiver_drop_vs_send_drops_message_once() {
    loom::model(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = channel(2);
        let message = Counted(drops.clone());
        let sender = thread::spawn(move || drop(block_on(tx.send(message))));
        drop(rx);
        sender.join().unwrap();
        assert_eq!(drops.load(SeqCst), 1);
    });
}

/// After a close, the receiver waits for a reserved permit: it ends when the permit is
/// given back unused.
#[test]
fn unused_permit_after_close_ends_the_receiver() {
    loom::model(|| {
        let (tx, mut rx) = channel::<u8>(2);
        let permit_holder = {
            let tx = tx.clone();
            thread::spawn(move || drop(tx.try_reserve().ok()))
        };
        rx.close();
        assert!(block_on(rx.recv()).is_none());
        permit_holder.join().unwrap();
        drop(tx);
    });
}

/// A `reserve` that room was handed to is cancelled on another thread while the receiver
/// closes: the room comes back and the receiver, waiting for it, ends.
#[test]
fn cancelled_reserve_after_close_ends_the_receiver() {
    loom::model(|| {
        let (tx, mut rx) = channel::<u8>(1);
        let permit = tx.try_reserve().ok();
        let tx2 = tx.clone();
        let canceller = thread::spawn(move || {
            let mut reserve = std::pin::pin!(tx2.reserve());
            let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
            // Queued behind the held permit, or served at once; dropped either way.
            let _ = std::future::Future::poll(reserve.as_mut(), &mut cx);
        });
        drop(permit); // may hand the room to the queued `reserve`
        rx.close();
        assert!(block_on(rx.recv()).is_none());
        canceller.join().unwrap();
        drop(tx);
    });
}
