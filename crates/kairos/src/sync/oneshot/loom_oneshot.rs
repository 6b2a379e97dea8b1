//! Loom models of the oneshot channel: send vs receive, send vs close, sender drop vs
//! receive, receiver drop vs send (the value is dropped exactly once), and `closed()`.

use super::channel;
use crate::loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::loom::sync::Arc;
use loom::future::block_on;
use loom::thread;

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

/// A send racing with the receiver's drop: the value is dropped exactly once, by one side.
#[test]
fn receiver_drop_vs_send_drops_value_once() {
    loom::model(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = channel();
        let value = Counted(drops.clone());
        let sender = thread::spawn(move || drop(tx.send(value)));
        drop(rx);
        sender.join().unwrap();
        assert_eq!(drops.load(SeqCst), 1);
    });
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
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        let first = std::future::Future::poll(std::pin::Pin::new(&mut rx), &mut cx);
        let value = match first {
            std::task::Poll::Ready(value) => value,
            std::task::Poll::Pending => block_on(rx),
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

/// The receiver waits (its waker is lent to the sender), then is dropped while the value
/// is sent and its waker woken: the value is dropped exactly once and the allocation
/// freed by whichever half is last.
#[test]
fn send_to_a_waiting_receiver_vs_its_drop() {
    loom::model(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let (tx, mut rx) = channel();
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        let polled = std::future::Future::poll(std::pin::Pin::new(&mut rx), &mut cx);
        assert!(polled.is_pending());
        let value = Counted(drops.clone());
        let sender = thread::spawn(move || drop(tx.send(value)));
        drop(rx);
        sender.join().unwrap();
        assert_eq!(drops.load(SeqCst), 1);
    });
}

/// A value received while the sender is still waking the receiver: the receiver takes it
/// and the allocation is freed once, by whichever half releases last.
#[test]
fn try_recv_vs_send_to_a_waiting_receiver() {
    loom::model(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let (tx, mut rx) = channel();
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        assert!(std::future::Future::poll(std::pin::Pin::new(&mut rx), &mut cx).is_pending());
        let value = Counted(drops.clone());
        let sender = thread::spawn(move || tx.send(value).is_ok());
        let received = rx.try_recv();
        let sent = sender.join().unwrap();
        assert!(sent);
        if let Ok(value) = received {
            drop(value);
        }
        drop(rx);
        assert_eq!(drops.load(SeqCst), 1);
    });
}
