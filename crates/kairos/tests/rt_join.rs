//! `JoinHandle` and `AbortHandle`: outputs, detaching, aborting at every point of a task's
//! life, `is_finished`, and the ids carried by `JoinError`.

mod support;

use kairos::runtime::{Runtime, RuntimeFlavor};
use kairos::task::{self, AbortHandle, JoinHandle};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use support::{
    on_each_flavor, pending_forever, recv, spin_until, tracked, wait_in_task, yield_until,
    DropCounter, Gate, Mailbox,
};

/// Holds every worker of a multi-thread runtime so that nothing spawned gets polled until
/// the returned guard is dropped. A current-thread runtime polls nothing outside
/// `block_on` anyway.
fn freeze(rt: &Runtime) -> Option<support::Occupied> {
    match rt.handle().runtime_flavor() {
        RuntimeFlavor::MultiThread => Some(support::occupy_workers(
            rt.handle(),
            rt.metrics().num_workers(),
        )),
        _ => None,
    }
}

#[test]
fn join_handle_yields_the_output() {
    on_each_flavor(|rt| {
        let out = rt.block_on(async {
            let handle = kairos::spawn(async { String::from("output") });
            handle.await.unwrap()
        });
        assert_eq!(out, "output");
    });
}

#[test]
fn dropping_the_join_handle_detaches_the_task() {
    on_each_flavor(|rt| {
        let gate = Gate::new();
        let done = Mailbox::new();
        let (opened, task_done) = (gate.then(()), done.clone());
        let handle = rt.spawn(async move {
            opened.await;
            task_done.send("ran to completion");
        });
        drop(handle);
        // Open the gate from another thread once the task waits on it, i.e. while it is
        // pending with nobody holding its JoinHandle.
        let opener = std::thread::spawn(move || {
            support::wait_until("the detached task to wait on the gate", || {
                gate.waiters() == 1
            });
            gate.open();
        });
        assert_eq!(rt.block_on(done.recv()), "ran to completion");
        opener.join().unwrap();
    });
}

#[test]
fn abort_before_the_first_poll() {
    on_each_flavor(|rt| {
        let polls = Arc::new(AtomicUsize::new(0));
        let dropped = DropCounter::new();
        // Spawned and aborted from outside the runtime...
        let frozen = freeze(&rt);
        let handle = rt.spawn(tracked(&polls, &dropped, async { 1 }));
        handle.abort();
        drop(frozen);
        let err = rt.block_on(handle).unwrap_err();
        assert!(err.is_cancelled(), "{err:?}");
        assert!(!err.is_panic());
        // ...and from inside `block_on`, in the same poll.
        let frozen = freeze(&rt);
        let err = rt.block_on(async {
            let handle = kairos::spawn(tracked(&polls, &dropped, async { 1 }));
            handle.abort();
            drop(frozen);
            handle.await.unwrap_err()
        });
        assert!(err.is_cancelled());
        assert_eq!(
            polls.load(Ordering::SeqCst),
            0,
            "an aborted task was polled"
        );
        assert_eq!(dropped.get(), 2, "a future was not dropped");
    });
}

#[test]
fn abort_while_pending() {
    on_each_flavor(|rt| {
        let dropped = DropCounter::new();
        let started = Mailbox::new();
        let token = dropped.token();
        let task_started = started.clone();
        let handle = rt.spawn(async move {
            task_started.send(());
            pending_forever(token).await;
        });
        rt.block_on(started.recv());
        assert!(!handle.is_finished());
        handle.abort();
        // A second abort is harmless.
        handle.abort();
        let err = rt.block_on(handle).unwrap_err();
        assert!(err.is_cancelled());
        assert_eq!(dropped.get(), 1);
    });
}

#[test]
fn abort_from_inside_the_tasks_own_poll() {
    on_each_flavor(|rt| {
        let dropped = DropCounter::new();
        let resumed = Arc::new(AtomicBool::new(false));
        let own_handle = Mailbox::<AbortHandle>::new();
        let (token, task_resumed, task_handle) =
            (dropped.token(), resumed.clone(), own_handle.clone());
        let handle = rt.spawn(async move {
            let _token = token;
            let me = task_handle.recv().await;
            me.abort();
            // Cancelled at this yield: the code after it must never run.
            task::yield_now().await;
            task_resumed.store(true, Ordering::SeqCst);
        });
        own_handle.send(handle.abort_handle());
        let err = rt.block_on(handle).unwrap_err();
        assert!(err.is_cancelled());
        assert!(
            !resumed.load(Ordering::SeqCst),
            "ran past the yield after abort"
        );
        assert_eq!(dropped.get(), 1);
    });
}

#[test]
fn self_abort_in_the_completing_poll_keeps_the_output() {
    // The task finishes in the poll that aborted it: there is nothing left to cancel.
    on_each_flavor(|rt| {
        let own_handle = Mailbox::<AbortHandle>::new();
        let task_handle = own_handle.clone();
        let handle = rt.spawn(async move {
            task_handle.recv().await.abort();
            "finished anyway"
        });
        own_handle.send(handle.abort_handle());
        assert_eq!(rt.block_on(handle).unwrap(), "finished anyway");
    });
}

#[test]
fn abort_from_another_task_while_it_runs() {
    // Only a multi-thread runtime can run the aborter while the target is inside a poll.
    let rt = support::multi_thread(2);
    let running = Arc::new(AtomicBool::new(false));
    let aborted = Arc::new(AtomicBool::new(false));
    let resumed = Arc::new(AtomicBool::new(false));
    let dropped = DropCounter::new();
    let target_abort = Mailbox::<AbortHandle>::new();
    let target = {
        let (running, aborted, resumed) = (running.clone(), aborted.clone(), resumed.clone());
        let token = dropped.token();
        rt.spawn(async move {
            let _token = token;
            running.store(true, Ordering::Release);
            spin_until("the aborter", &aborted);
            task::yield_now().await;
            resumed.store(true, Ordering::SeqCst);
        })
    };
    target_abort.send(target.abort_handle());
    let aborter = {
        let (running, aborted) = (running.clone(), aborted.clone());
        rt.spawn(async move {
            let handle = target_abort.recv().await;
            spin_until("the target to run", &running);
            handle.abort();
            aborted.store(true, Ordering::Release);
        })
    };
    rt.block_on(aborter).unwrap();
    let err = rt.block_on(target).unwrap_err();
    assert!(err.is_cancelled());
    assert!(!resumed.load(Ordering::SeqCst));
    assert_eq!(dropped.get(), 1);
}

#[test]
fn abort_from_another_task_while_it_is_queued() {
    // The target keeps yielding, so it sits in a run queue (notified) whenever it does not
    // run; the aborter catches it there (or running, on the multi-thread runtime).
    on_each_flavor(|rt| {
        let turns = Arc::new(AtomicUsize::new(0));
        let dropped = DropCounter::new();
        let err = rt.block_on(async {
            let target = {
                let turns = turns.clone();
                let token = dropped.token();
                kairos::spawn(async move {
                    let _token = token;
                    loop {
                        turns.fetch_add(1, Ordering::SeqCst);
                        task::yield_now().await;
                    }
                })
            };
            let abort = target.abort_handle();
            let turns = turns.clone();
            wait_in_task("the target to run", move || {
                turns.load(Ordering::SeqCst) > 0
            })
            .await;
            // Aborted by a task: this one.
            abort.abort();
            target.await.unwrap_err()
        });
        assert!(err.is_cancelled());
        assert_eq!(dropped.get(), 1);
    });
}

#[test]
fn abort_after_completion_keeps_the_output() {
    on_each_flavor(|rt| {
        let out = rt.block_on(async {
            let handle = kairos::spawn(async { 42 });
            // Wait in a task: it yields, so the target runs even on one thread.
            kairos::spawn(async move {
                yield_until("the task to finish", || handle.is_finished()).await;
                handle.abort();
                handle.abort_handle().abort();
                assert!(handle.is_finished());
                handle.await
            })
            .await
            .unwrap()
        });
        assert_eq!(out.unwrap(), 42);
    });
}

#[test]
fn is_finished_follows_the_task() {
    on_each_flavor(|rt| {
        let gate = Gate::new();
        let handle = rt.spawn(gate.then(()));
        assert!(!handle.is_finished());
        let abort = handle.abort_handle();
        assert!(!abort.is_finished());
        rt.block_on(async {
            // Let it run up to the gate, then open it and watch it finish.
            kairos::spawn(async move {
                yield_until("the task to wait", || gate.waiters() == 1).await;
                assert!(!handle.is_finished());
                gate.open();
                yield_until("the task to finish", || handle.is_finished()).await;
                assert!(abort.is_finished());
                handle.await.unwrap();
            })
            .await
            .unwrap();
        });
    });
}

#[test]
fn abort_handle_aborts_and_reports() {
    on_each_flavor(|rt| {
        let dropped = DropCounter::new();
        let handle = rt.spawn(pending_forever(dropped.token()));
        let abort = handle.abort_handle();
        let clone = abort.clone();
        assert_eq!(abort.id(), handle.id());
        assert_eq!(clone.id(), handle.id());
        drop(abort);
        clone.abort();
        let err = rt.block_on(handle).unwrap_err();
        assert!(err.is_cancelled());
        assert!(clone.is_finished());
        assert_eq!(dropped.get(), 1);
    });
}

#[test]
fn dropping_an_abort_handle_leaves_the_task_alone() {
    on_each_flavor(|rt| {
        let handle = rt.spawn(async { 3 });
        drop(handle.abort_handle());
        assert_eq!(rt.block_on(handle).unwrap(), 3);
    });
}

#[test]
fn join_error_ids_match_the_task() {
    on_each_flavor(|rt| {
        let handle = rt.spawn(std::future::pending::<()>());
        let id = handle.id();
        handle.abort();
        let err = rt.block_on(handle).unwrap_err();
        assert_eq!(err.id(), id);
        assert!(err.to_string().contains("cancelled"), "{err}");
        assert!(err.to_string().contains(&id.to_string()), "{err}");

        let (tx, rx) = mpsc::channel();
        let handle = rt.spawn(async move {
            tx.send(task::id()).unwrap();
            panic!("with an id");
        });
        let id = handle.id();
        let err = rt.block_on(handle).unwrap_err();
        assert_eq!(recv(&rx, "the task's own id"), id);
        assert_eq!(err.id(), id);
        assert!(err.is_panic());
        assert!(err.to_string().contains("with an id"), "{err}");
    });
}

#[test]
fn join_handle_awaited_by_a_different_task_than_the_one_that_polled_it() {
    // The join waker registered by the first poll must be replaced by the second task's.
    on_each_flavor(|rt| {
        let gate = Gate::new();
        let out = rt.block_on(async move {
            let mut handle: JoinHandle<u32> = kairos::spawn(gate.then(9));
            assert!(futures::poll!(&mut handle).is_pending());
            let joiner = kairos::spawn(async move { handle.await.unwrap() });
            gate.open();
            joiner.await.unwrap()
        });
        assert_eq!(out, 9);
    });
}

#[test]
fn join_handle_awaited_from_a_plain_os_thread() {
    // The join waker belongs to another executor entirely.
    let rt = support::multi_thread(2);
    let gate = Gate::new();
    let handle = rt.spawn(gate.then("joined from outside"));
    let joiner = std::thread::spawn(move || futures::executor::block_on(handle));
    support::wait_until("the task to wait on the gate", || gate.waiters() == 1);
    gate.open();
    assert_eq!(joiner.join().unwrap().unwrap(), "joined from outside");
}

/// A future dropped by the runtime (on abort) sees its own task id in its destructor, as
/// it would during a poll.
#[test]
fn destructors_run_with_their_tasks_id() {
    struct RecordId(std::sync::mpsc::Sender<Option<kairos::task::Id>>);
    impl Drop for RecordId {
        fn drop(&mut self) {
            let _ = self.0.send(kairos::task::try_id());
        }
    }
    support::on_each_flavor(|rt| {
        let (tx, rx) = std::sync::mpsc::channel();
        let record = RecordId(tx);
        let handle = rt.spawn(async move {
            let _record = record;
            std::future::pending::<()>().await;
        });
        let id = handle.id();
        handle.abort();
        assert!(rt.block_on(handle).unwrap_err().is_cancelled());
        let seen = rx.try_recv().expect("the aborted future was dropped");
        assert_eq!(seen, Some(id));
    });
}
