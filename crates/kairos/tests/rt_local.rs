//! `!Send` tasks: `spawn_local` on a `LocalSet` (every way of running one) and directly
//! on a current-thread runtime; wake-ups from other threads; dropping a set.

mod support;

use kairos::runtime::Runtime;
use kairos::task::{self, LocalSet};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::{mpsc, Arc};
use support::{expect_panic, on_each_flavor, pending_forever, recv, DropCounter, Mailbox};

/// A `!Send` value moved into local tasks.
fn shared_counter() -> Rc<Cell<u32>> {
    Rc::new(Cell::new(0))
}

#[test]
fn run_until_runs_non_send_tasks() {
    on_each_flavor(|rt| {
        let local = LocalSet::new();
        let counter = shared_counter();
        let out = rt.block_on(local.run_until(async {
            let c = counter.clone();
            let outer = task::spawn_local(async move {
                c.set(c.get() + 1);
                // Local tasks spawn local tasks.
                let c2 = c.clone();
                task::spawn_local(async move { c2.set(c2.get() + 10) })
                    .await
                    .unwrap();
                Rc::new("an Rc output")
            });
            *outer.await.unwrap()
        }));
        assert_eq!(out, "an Rc output");
        assert_eq!(counter.get(), 11);
        assert_eq!(Rc::strong_count(&counter), 1, "a task kept its Rc");
    });
}

#[test]
fn local_set_block_on() {
    on_each_flavor(|rt| {
        let local = LocalSet::new();
        let counter = shared_counter();
        let c = counter.clone();
        let out = local.block_on(&rt, async move {
            let handle = task::spawn_local(async move {
                c.set(7);
                c.get() * 2
            });
            handle.await.unwrap()
        });
        assert_eq!(out, 14);
        assert_eq!(counter.get(), 7);
    });
}

#[test]
fn awaiting_a_local_set_runs_all_its_tasks() {
    on_each_flavor(|rt| {
        let mut local = LocalSet::new();
        let log = Rc::new(RefCell::new(Vec::new()));
        let mailbox = Mailbox::new();
        for i in 0..3 {
            let log = log.clone();
            local.spawn_local(async move { log.borrow_mut().push(i) });
        }
        // One task waits for an OS thread; the set is only done when it is.
        {
            let log = log.clone();
            let mailbox = mailbox.clone();
            local.spawn_local(async move {
                let value = mailbox.recv().await;
                log.borrow_mut().push(value);
            });
        }
        let sender = {
            let mailbox = mailbox.clone();
            std::thread::spawn(move || {
                support::wait_until("the local task to wait", || mailbox.has_waiter());
                mailbox.send(99);
            })
        };
        rt.block_on(&mut local);
        sender.join().unwrap();
        let mut log = log.borrow().clone();
        log.sort_unstable();
        assert_eq!(log, vec![0, 1, 2, 99]);
        // The set is reusable once it has drained.
        local.spawn_local(async {});
        rt.block_on(local);
    });
}

#[test]
fn enter_makes_spawn_local_add_to_the_set() {
    on_each_flavor(|rt| {
        let local = LocalSet::new();
        let counter = shared_counter();
        let handle = {
            let _guard = local.enter();
            let c = counter.clone();
            task::spawn_local(async move {
                c.set(3);
                "spawned under enter"
            })
        };
        assert_eq!(counter.get(), 0, "nothing runs before the set does");
        let out = rt.block_on(local.run_until(handle)).unwrap();
        assert_eq!(out, "spawned under enter");
        assert_eq!(counter.get(), 3);
    });
}

#[kairos::test]
async fn spawn_local_directly_on_a_current_thread_runtime() {
    let counter = shared_counter();
    let c = counter.clone();
    let handle = task::spawn_local(async move {
        c.set(c.get() + 1);
        // A `Send` task and a local one interleave on the same thread.
        let sent = kairos::spawn(async { 20 }).await.unwrap();
        c.set(c.get() + sent);
        Rc::clone(&c)
    });
    let rc = handle.await.unwrap();
    assert_eq!(rc.get(), 21);
    assert_eq!(counter.get(), 21);
}

#[kairos::test(flavor = "current_thread")]
async fn local_tasks_on_a_current_thread_runtime_are_woken_from_another_thread() {
    ping_pong_with_a_thread(|| {
        let local = Rc::new(());
        async move {
            let _not_send = local;
        }
    })
    .await;
}

/// Spawns a local task (holding what `make` builds) that exchanges 100 messages with an
/// OS thread: every round wakes the local task from that thread.
async fn ping_pong_with_a_thread<F>(make: impl FnOnce() -> F)
where
    F: std::future::Future<Output = ()> + 'static,
{
    let to_task = Mailbox::new();
    let (to_thread, from_task) = mpsc::channel();
    let not_send = make();
    let task_inbox = to_task.clone();
    let local = task::spawn_local(async move {
        not_send.await;
        let mut sum = 0u64;
        for _ in 0..100 {
            let n: u64 = task_inbox.recv().await;
            sum += n;
            to_thread.send(n).unwrap();
        }
        sum
    });
    let thread = std::thread::spawn(move || {
        for n in 0..100u64 {
            to_task.send(n);
            assert_eq!(recv(&from_task, "the local task's echo"), n);
        }
    });
    assert_eq!(local.await.unwrap(), 4950);
    thread.join().unwrap();
}

#[test]
fn local_set_tasks_are_woken_from_another_thread() {
    on_each_flavor(|rt| {
        let local = LocalSet::new();
        rt.block_on(local.run_until(ping_pong_with_a_thread(|| async {
            let _not_send = Rc::new(());
        })));
    });
}

#[test]
fn local_tasks_are_woken_by_send_tasks() {
    // A task of the runtime (on a worker thread, or the same thread) wakes a task of the
    // set: the wake-up crosses from one scheduler to the other.
    on_each_flavor(|rt| {
        let local = LocalSet::new();
        let out = rt.block_on(local.run_until(async {
            let mailbox = Mailbox::new();
            let inbox = mailbox.clone();
            let waiter = task::spawn_local(async move {
                let rc = Rc::new(inbox.recv().await);
                *rc + 1
            });
            kairos::spawn(async move { mailbox.send(41) })
                .await
                .unwrap();
            waiter.await.unwrap()
        }));
        assert_eq!(out, 42);
    });
}

#[test]
fn dropping_a_local_set_drops_its_futures() {
    on_each_flavor(|rt| {
        let local = LocalSet::new();
        let dropped = DropCounter::new();
        let rc = Rc::new(());
        let mut handles = Vec::new();
        // Five tasks that will have been polled and parked...
        for _ in 0..5 {
            let (token, rc) = (dropped.token(), rc.clone());
            handles.push(local.spawn_local(async move {
                let _rc = rc;
                pending_forever(token).await;
            }));
        }
        // ...one whose destructor spawns a local task...
        let counter = dropped.clone();
        local.spawn_local(support::pending_on_drop(move || {
            drop(task::spawn_local(pending_forever(counter.token())));
        }));
        rt.block_on(local.run_until(task::yield_now()));
        // ...and five never polled.
        for _ in 0..5 {
            let (token, rc) = (dropped.token(), rc.clone());
            handles.push(local.spawn_local(async move {
                let _rc = rc;
                pending_forever(token).await;
            }));
        }
        assert_eq!(dropped.get(), 0);
        drop(local);
        assert_eq!(
            dropped.get(),
            11,
            "futures leaked (or the one spawned by a destructor)"
        );
        assert_eq!(Rc::strong_count(&rc), 1);
        for handle in handles {
            let err = futures::executor::block_on(handle).unwrap_err();
            assert!(err.is_cancelled());
        }
    });
}

/// Sends the thread its destructor runs on.
struct DropThread(mpsc::Sender<std::thread::ThreadId>);

impl Drop for DropThread {
    fn drop(&mut self) {
        let _ = self.0.send(std::thread::current().id());
    }
}

/// A parked local task holding an `Rc` is aborted from another OS thread: its future must
/// still be dropped on this thread, the one it belongs to.
async fn abort_a_local_task_from_another_thread() {
    let (tx, rx) = mpsc::channel();
    let parked = Mailbox::new();
    let task_parked = parked.clone();
    let handle = task::spawn_local(async move {
        let _held = (Rc::new(()), DropThread(tx));
        task_parked.send(());
        std::future::pending::<()>().await;
    });
    parked.recv().await;
    let abort = handle.abort_handle();
    std::thread::spawn(move || abort.abort()).join().unwrap();
    assert!(handle.await.unwrap_err().is_cancelled());
    let dropped_on = rx.try_recv().expect("the future was dropped");
    assert_eq!(
        dropped_on,
        std::thread::current().id(),
        "a `!Send` future was dropped on another thread"
    );
}

#[test]
fn aborting_a_local_set_task_from_another_thread() {
    on_each_flavor(|rt| {
        LocalSet::new().block_on(&rt, abort_a_local_task_from_another_thread());
    });
}

#[kairos::test]
async fn aborting_a_local_task_of_a_current_thread_runtime_from_another_thread() {
    abort_a_local_task_from_another_thread().await;
}

#[test]
fn spawn_local_outside_a_local_set_or_current_thread_runtime_panics() {
    let expected = "`spawn_local` called from outside of a `task::LocalSet`";
    let message = expect_panic(|| task::spawn_local(async {}));
    assert!(message.contains(expected), "unclear message: {message}");
    // Inside a multi-thread runtime there is no thread to pin the task to.
    let rt = support::multi_thread(2);
    let message = expect_panic(|| rt.block_on(async { drop(task::spawn_local(async {})) }));
    assert!(message.contains(expected), "unclear message: {message}");
    let err = rt
        .block_on(rt.spawn(async {
            drop(task::spawn_local(async {}));
        }))
        .unwrap_err();
    let message = support::panic_message(&*err.into_panic());
    assert!(message.contains(expected), "unclear message: {message}");
}

#[test]
fn spawn_local_off_the_driving_thread_of_a_current_thread_runtime_panics() {
    let rt = support::current_thread();
    let err = rt
        .block_on(rt.spawn_blocking(|| drop(task::spawn_local(async {}))))
        .unwrap_err();
    let message = support::panic_message(&*err.into_panic());
    assert!(
        message.contains("must be called from the thread driving it"),
        "unclear message: {message}"
    );
}

#[test]
fn a_runtime_holding_local_tasks_refuses_other_threads() {
    let rt: Arc<Runtime> = Arc::new(support::current_thread());
    let parked = Mailbox::new();
    let task_parked = parked.clone();
    rt.block_on(async move {
        drop(task::spawn_local(async move {
            let _rc = Rc::new(());
            task_parked.send(());
            std::future::pending::<()>().await;
        }));
    });
    rt.block_on(parked.recv());
    let other = rt.clone();
    let message = std::thread::spawn(move || expect_panic(|| other.block_on(async {})))
        .join()
        .unwrap();
    assert!(
        message.contains("can only be driven by the thread that spawned them"),
        "unclear message: {message}"
    );
    // The owner thread still drives it.
    assert_eq!(
        rt.block_on(async { kairos::spawn(async { 1 }).await })
            .unwrap(),
        1
    );
}

#[test]
fn a_runtime_is_unpinned_once_its_local_tasks_have_finished() {
    let rt: Arc<Runtime> = Arc::new(support::current_thread());
    rt.block_on(async {
        let rc = Rc::new(3);
        assert_eq!(task::spawn_local(async move { *rc }).await.unwrap(), 3);
    });
    // No `!Send` task is alive any more: another thread may drive the runtime.
    let other = rt.clone();
    let value =
        std::thread::spawn(move || other.block_on(async { kairos::spawn(async { 5 }).await }))
            .join()
            .unwrap()
            .unwrap();
    assert_eq!(value, 5);
}

#[test]
fn enter_guards_dropped_out_of_order_and_a_dropped_set_stay_sound() {
    let a = LocalSet::new();
    let b = LocalSet::new();
    let guard_a = a.enter();
    let guard_b = b.enter();
    drop(guard_a);
    drop(guard_b);
    // `a` is current again (its guard restored it last) and is dropped while current.
    drop(a);
    // Spawning onto the dropped set's context must not touch freed memory; the task never
    // runs, so it is simply held.
    let handle = task::spawn_local(async {});
    assert!(!handle.is_finished());
}
