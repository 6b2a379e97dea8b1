//! Compile-time checks that the sync types and their futures are `Send`/`Sync` where
//! tasks need them to be (a future awaited by a spawned task must be `Send`).

use kairos::sync::{
    broadcast, mpsc, oneshot, watch, Barrier, Mutex, Notify, OnceCell, RwLock, Semaphore, SetOnce,
};
use std::cell::Cell;
use std::future::Future;

fn send_sync<T: Send + Sync>(_: &T) {}
fn send<T: Send>(_: &T) {}

/// Futures that a multi-thread task awaits must be `Send`.
#[test]
fn futures_are_send() {
    fn is_send<F: Future + Send>(_: &F) {}
    let semaphore = Semaphore::new(1);
    is_send(&semaphore.acquire());
    let notify = Notify::new();
    is_send(&notify.notified());
    let notify = std::sync::Arc::new(Notify::new());
    is_send(&notify.clone().notified_owned());
    send_sync(&notify.notified_owned());
    let mutex = Mutex::new(Vec::<u8>::new());
    is_send(&mutex.lock());
    let rwlock = RwLock::new(String::new());
    is_send(&rwlock.read());
    is_send(&rwlock.write());
    let barrier = Barrier::new(1);
    is_send(&barrier.wait());
    let cell = OnceCell::<u8>::new();
    is_send(&cell.get_or_init(|| async { 1 }));
    let set_once = SetOnce::<u8>::new();
    is_send(&set_once.wait());
    let (tx, mut rx) = mpsc::channel::<u8>(1);
    is_send(&tx.send(1));
    is_send(&tx.reserve());
    is_send(&rx.recv());
    let (tx, mut rx) = mpsc::unbounded_channel::<u8>();
    is_send(&tx.closed());
    is_send(&rx.recv());
    let (tx, mut rx) = broadcast::channel::<u8>(1);
    is_send(&tx.closed());
    is_send(&rx.recv());
    let (tx, mut rx) = watch::channel(0u8);
    is_send(&tx.closed());
    is_send(&rx.changed());
    let (mut tx, rx) = oneshot::channel::<u8>();
    is_send(&tx.closed());
    is_send(&rx);
}

#[test]
fn primitives_and_guards_are_send_and_sync() {
    send_sync(&Semaphore::new(1));
    send_sync(&Notify::new());
    let mutex = Mutex::new(1u8);
    send_sync(&mutex);
    send_sync(&mutex.try_lock().unwrap());
    let rwlock = RwLock::new(1u8);
    send_sync(&rwlock.try_read().unwrap());
    send_sync(&rwlock.try_write().unwrap());
    send_sync(&OnceCell::<u8>::new());
    send_sync(&SetOnce::<u8>::new());
    send_sync(&Barrier::new(1));
    let (tx, rx) = mpsc::channel::<u8>(1);
    send_sync(&tx);
    send_sync(&rx);
    let (tx, rx) = broadcast::channel::<u8>(1);
    send_sync(&tx);
    send_sync(&rx);
    let (tx, rx) = watch::channel(0u8);
    send_sync(&tx);
    send_sync(&rx);
    let (tx, rx) = oneshot::channel::<u8>();
    send_sync(&tx);
    send_sync(&rx);
}

#[test]
fn channels_of_send_but_not_sync_values_can_move_between_threads() {
    // A `Cell` is `Send` but not `Sync`: mpsc and oneshot only move values, so their
    // halves can still cross threads.
    let (tx, rx) = mpsc::unbounded_channel::<Cell<u8>>();
    send(&tx);
    send(&rx);
    let (tx, rx) = oneshot::channel::<Cell<u8>>();
    send(&tx);
    send(&rx);
    let mutex = Mutex::new(Cell::new(0u8));
    send_sync(&mutex); // the lock makes a Send value shareable
}
