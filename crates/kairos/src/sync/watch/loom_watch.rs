//! Loom models of the watch channel: a send racing with `changed`, and the last sender's
//! drop racing with `changed`.

use super::channel;
use loom::future::block_on;
use loom::thread;

/// The receiver waits for a change made on another thread and then sees the new value.
#[test]
fn send_vs_changed() {
    loom::model(|| {
        let (tx, mut rx) = channel(0);
        let sender = thread::spawn(move || {
            tx.send(1).unwrap();
            tx
        });
        block_on(rx.changed()).unwrap();
        assert_eq!(*rx.borrow_and_update(), 1);
        drop(sender.join().unwrap());
    });
}

/// A send followed by the sender's drop: the receiver sees the change before the close.
#[test]
fn send_then_drop_vs_changed() {
    loom::model(|| {
        let (tx, mut rx) = channel(0);
        let sender = thread::spawn(move || {
            tx.send(1).unwrap();
            drop(tx);
        });
        assert!(block_on(rx.changed()).is_ok());
        assert_eq!(*rx.borrow(), 1);
        assert!(block_on(rx.changed()).is_err());
        sender.join().unwrap();
    });
}
