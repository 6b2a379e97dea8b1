//! Loom models of `Notify`: a notification is never lost, whether it races with the wait,
//! with a waiter being dropped, or with `notify_waiters`.

use crate::loom::sync::Arc;
use crate::sync::Notify;
use loom::future::block_on;
use loom::thread;
use std::pin::Pin;

/// `notify_one` from another thread races with the wait.
#[test]
fn notify_one_wakes_waiter() {
    loom::model(|| {
        let notify = Arc::new(Notify::new());
        let notifier = {
            let notify = notify.clone();
            thread::spawn(move || notify.notify_one())
        };
        block_on(notify.notified());
        notifier.join().unwrap();
    });
}

/// A queued waiter is dropped while `notify_one` picks it: the notification is forwarded
/// (or stored), so a second waiter still completes.
#[test]
fn notify_one_vs_notified_drop() {
    loom::model(|| {
        let notify = Arc::new(Notify::new());
        let mut first: Pin<Box<_>> = Box::pin(unsafe_extend(&notify).notified());
        assert!(!first.as_mut().enable());
        let notifier = {
            let notify = notify.clone();
            thread::spawn(move || notify.notify_one())
        };
        let dropper = thread::spawn(move || drop(first));
        block_on(notify.notified());
        notifier.join().unwrap();
        dropper.join().unwrap();
    });
}

/// `notify_waiters` wakes a waiter that was created before the call, whether or not it
/// had been polled (queued) by then.
#[test]
fn notify_waiters_reaches_waiter_created_before_it() {
    loom::model(|| {
        let notify = Arc::new(Notify::new());
        let notified = notify.notified();
        let notifier = {
            let notify = notify.clone();
            thread::spawn(move || notify.notify_waiters())
        };
        block_on(notified);
        notifier.join().unwrap();
    });
}

/// `notify_one` and `notify_waiters` race with two waiters; both complete and one permit
/// may be left stored, never more.
#[test]
fn notify_one_and_notify_waiters_with_two_waiters() {
    loom::model(|| {
        let notify = Arc::new(Notify::new());
        let a = notify.notified();
        let b = notify.notified();
        let notifier = {
            let notify = notify.clone();
            thread::spawn(move || {
                notify.notify_one();
                notify.notify_waiters();
            })
        };
        block_on(a);
        block_on(b);
        notifier.join().unwrap();
    });
}

/// Lends `notify` for `'static` to move a `Notified` into another thread.
fn unsafe_extend(notify: &Arc<Notify>) -> &'static Notify {
    // SAFETY: every model joins the thread holding the `Notified` before `notify` is
    // dropped at the end of the model closure.
    unsafe { &*Arc::as_ptr(notify) }
}
