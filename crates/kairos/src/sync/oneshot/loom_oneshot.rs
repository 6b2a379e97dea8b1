//! Loom models of the oneshot channel: send vs receive, send vs close, sender drop vs
//! receive, receiver drop vs send (the value is dropped exactly once), and `closed()`.

use super::error::RecvError;
use super::{channel, Receiver};
use crate::loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::loom::sync::Arc;
use loom::future::block_on;
use loom::thread;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// Counts its drops.
struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

#[test]
fn send_vs_recv() {
    loom::model(|| {
        let (tx, rx) = channel();
        let sender = thread::spawn(move || tx.send(7).unwrap());
        assert_eq!(block_on(rx), Ok(7));
        sender.join().unwrap();
    });
}

#[test]
fn sender_drop_vs_recv() {
    loom::model(|| {
        let (tx, rx) = channel::<u8>();
        let sender = thread::spawn(move || drop(tx));
        assert!(block_on(rx).is_err());
        sender.join().unwrap();
    });
}

/// A send racing with `close`: either the value arrives (sent first) or it comes back to
/// the sender; never both, never neither.
#[test]
fn send_vs_close() {
    loom::model(|| {
        let (tx, mut rx) = channel();
        let sender = thread::spawn(move || tx.send(1).is_ok());
        rx.close();
        let received = rx.try_recv().is_ok();
        let sent = sender.join().unwrap();
        assert_eq!(received, sent);
    });
}

/// Polls the receiver once with a waker that does nothing.
fn poll_noop<T>(rx: &mut Receiver<T>) -> Poll<Result<T, RecvError>> {
    Future::poll(Pin::new(rx), &mut Context::from_waker(Waker::noop()))
}

/// A send racing with the receiver's drop, the receiver having waited first (its waker
/// lent to the sender, which wakes it) or not: the value is dropped exactly once, by one
/// side, and the allocation freed by whichever half is last.
fn receiver_drop_vs_send(waited: bool) {
    loom::model(move || {
        let drops = Arc::new(AtomicUsize::new(0));
        let (tx, mut rx) = channel();
        if waited {
            assert!(poll_noop(&mut rx).is_pending());
        }
        let value = Counted(drops.clone());
        let sender = thread::spawn(move || drop(tx.send(value)));
        drop(rx);
        sender.join().unwrap();
        assert_eq!(drops.load(SeqCst), 1);
    });
}

#[test]
fn receiver_drop_vs_send_drops_value_once() {
    receiver_drop_vs_send(false);
}

#[test]
fn send_to_a_waiting_receiver_vs_its_drop() {
    receiver_drop_vs_send(true);
}

/// The sender waits in `closed()` while the receiver is dropped.
#[test]
fn closed_vs_receiver_drop() {
    loom::model(|| {
        let (mut tx, rx) = channel::<u8>();
        let receiver = thread::spawn(move || drop(rx));
        block_on(tx.closed());
        assert!(tx.is_closed());
        receiver.join().unwrap();
    });
}

/// The receiver replaces its waker (polled by two different wakers) while the value is
/// sent: the second waker is still woken.
#[test]
fn waker_replacement_vs_send() {
    loom::model(|| {
        let (tx, mut rx) = channel();
        let sender = thread::spawn(move || tx.send(3).unwrap());
        let value = match poll_noop(&mut rx) {
            Poll::Ready(value) => value,
            Poll::Pending => block_on(rx),
        };
        assert_eq!(value, Ok(3));
        sender.join().unwrap();
    });
}

/// Both halves dropped at once, neither having sent or received: the allocation is freed
/// exactly once (loom reports a leak, a double free crashes the model).
#[test]
fn sender_drop_vs_receiver_drop() {
    loom::model(|| {
        let (tx, rx) = channel::<u8>();
        let sender = thread::spawn(move || drop(tx));
        drop(rx);
        sender.join().unwrap();
    });
}

/// A value received while the sender is still waking the receiver: the receiver takes it
/// and the allocation is freed once, by whichever half releases last.
#[test]
fn try_recv_vs_send_to_a_waiting_receiver() {
    loom::model(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let (tx, mut rx) = channel();
        assert!(poll_noop(&mut rx).is_pending());
        let value = Counted(drops.clone());
        let sender = thread::spawn(move || tx.send(value).is_ok());
        let received = rx.try_recv();
        let sent = sender.join().unwrap();
        assert!(sent);
        drop(received);
        drop(rx);
        assert_eq!(drops.load(SeqCst), 1);
    });
}
