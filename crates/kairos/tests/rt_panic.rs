//! Panics: a panicking task is reported through its `JoinHandle` and harms nobody else; a
//! panic in `block_on`'s future reaches the caller; panicking destructors are contained.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use support::{
    drive_until, expect_panic, on_each_flavor, panic_message, recv, DropCounter, Gate, Mailbox,
};

/// Panics when dropped (unless already unwinding, which would abort the test process).
struct PanicOnDrop(&'static str);

impl Drop for PanicOnDrop {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            panic!("{}", self.0);
        }
    }
}

/// Asserts the runtime still runs new tasks.
fn assert_usable(rt: &kairos::runtime::Runtime) {
    let out = rt.block_on(async { kairos::spawn(async { 2 + 2 }).await.unwrap() });
    assert_eq!(out, 4);
}

#[test]
fn a_panicking_task_reports_its_payload() {
    on_each_flavor(|rt| {
        let err = rt
            .block_on(rt.spawn(async { panic!("boom {}", 7) }))
            .unwrap_err();
        assert!(err.is_panic());
        assert!(!err.is_cancelled());
        assert!(format!("{err:?}").contains("boom 7"), "{err:?}");
        assert_eq!(panic_message(&*err.into_panic()), "boom 7");

        let err = rt
            .block_on(rt.spawn(async { std::panic::panic_any(42u32) }))
            .unwrap_err();
        let payload = err.try_into_panic().unwrap();
        assert_eq!(payload.downcast_ref::<u32>(), Some(&42));
        assert_usable(&rt);
    });
}

#[test]
fn into_panic_on_a_cancelled_error_panics() {
    on_each_flavor(|rt| {
        let handle = rt.spawn(std::future::pending::<()>());
        handle.abort();
        let err = rt.block_on(handle).unwrap_err();
        let message = expect_panic(move || err.into_panic());
        assert!(message.contains("cancelled"), "{message}");
    });
}

#[test]
fn one_panic_among_a_thousand_tasks_harms_no_other() {
    on_each_flavor(|rt| {
        let gate = Gate::new();
        // A task already pending when the panic happens keeps going too.
        let waiting = rt.spawn(gate.then("still alive"));
        let results = rt.block_on(async {
            let handles: Vec<_> = (0..1000u32)
                .map(|i| {
                    kairos::spawn(async move {
                        if i == 500 {
                            panic!("task 500 panics");
                        }
                        i
                    })
                })
                .collect();
            let mut results = Vec::new();
            for handle in handles {
                results.push(handle.await);
            }
            results
        });
        for (i, result) in results.into_iter().enumerate() {
            match result {
                Ok(out) => assert_eq!(out as usize, i),
                Err(err) => {
                    assert_eq!(i, 500, "task {i} failed: {err}");
                    assert!(err.is_panic());
                }
            }
        }
        gate.open();
        assert_eq!(rt.block_on(waiting).unwrap(), "still alive");
        // Spawning still works afterwards.
        let more = rt.block_on(async {
            let handles: Vec<_> = (0..100).map(|i| kairos::spawn(async move { i })).collect();
            let mut sum = 0;
            for handle in handles {
                sum += handle.await.unwrap();
            }
            sum
        });
        assert_eq!(more, 4950);
    });
}

#[test]
fn a_panic_in_block_on_reaches_the_caller_and_the_runtime_lives_on() {
    on_each_flavor(|rt| {
        let gate = Gate::new();
        let (tx, rx) = mpsc::channel();
        let survivor = gate.then("survived");
        let message = expect_panic(|| {
            rt.block_on(async move {
                // A task spawned by the future that panics survives it.
                tx.send(kairos::spawn(survivor)).unwrap();
                panic!("panic in block_on");
            })
        });
        assert_eq!(message, "panic in block_on");
        let survivor = recv(&rx, "the survivor's handle");
        gate.open();
        assert_eq!(rt.block_on(survivor).unwrap(), "survived");
        assert_usable(&rt);
        // A second panic is just as contained.
        let message = expect_panic(|| rt.block_on(async { panic!("again") }));
        assert_eq!(message, "again");
        assert_usable(&rt);
    });
}

#[test]
fn a_task_panic_can_be_resumed_in_block_on() {
    on_each_flavor(|rt| {
        let message = expect_panic(|| {
            rt.block_on(async {
                let err = kairos::spawn(async { panic!("resumed") })
                    .await
                    .unwrap_err();
                std::panic::resume_unwind(err.into_panic());
            })
        });
        assert_eq!(message, "resumed");
        assert_usable(&rt);
    });
}

#[test]
fn a_future_whose_destructor_panics_on_abort() {
    on_each_flavor(|rt| {
        let started = Mailbox::new();
        let task_started = started.clone();
        let handle = rt.spawn(async move {
            let _bomb = PanicOnDrop("drop panicked on abort");
            task_started.send(());
            std::future::pending::<()>().await;
        });
        rt.block_on(started.recv());
        handle.abort();
        let err = rt.block_on(handle).unwrap_err();
        // The cancellation could not finish cleanly: it is reported as the panic.
        assert!(err.is_panic(), "{err:?}");
        assert_eq!(panic_message(&*err.into_panic()), "drop panicked on abort");
        assert_usable(&rt);
    });
}

#[test]
fn a_future_whose_destructor_panics_after_it_completed() {
    on_each_flavor(|rt| {
        let err = rt
            .block_on(rt.spawn(async {
                let _bomb = PanicOnDrop("drop panicked after ready");
                1
            }))
            .unwrap_err();
        assert!(err.is_panic());
        assert_eq!(
            panic_message(&*err.into_panic()),
            "drop panicked after ready"
        );
        assert_usable(&rt);
    });
}

#[test]
fn an_output_whose_destructor_panics() {
    on_each_flavor(|rt| {
        // Dropped by the JoinHandle after completion.
        let handle = rt.spawn(async { PanicOnDrop("output dropped by the handle") });
        let abort = handle.abort_handle();
        drive_until(&rt, "the task to finish", move || abort.is_finished());
        drop(handle);
        // Dropped by the runtime: the task completes after its handle is gone.
        let ran = Arc::new(AtomicUsize::new(0));
        let gate = Gate::new();
        let (opened, task_ran) = (gate.then(()), ran.clone());
        drop(rt.spawn(async move {
            opened.await;
            task_ran.fetch_add(1, Ordering::SeqCst);
            PanicOnDrop("detached output")
        }));
        gate.open();
        assert_usable(&rt);
        drive_until(&rt, "the detached task", move || {
            ran.load(Ordering::SeqCst) == 1
        });
        assert_usable(&rt);
    });
}

#[test]
fn a_destructor_panicking_during_shutdown_is_contained() {
    on_each_flavor(|rt| {
        let dropped = DropCounter::new();
        let started = Mailbox::new();
        for i in 0..10 {
            let token = dropped.token();
            let started = started.clone();
            rt.spawn(async move {
                let _token = token;
                let _bomb = (i % 2 == 0).then(|| PanicOnDrop("panic while shutting down"));
                if i == 9 {
                    started.send(());
                }
                std::future::pending::<()>().await;
            });
        }
        rt.block_on(started.recv());
        drop(rt);
        // Every future was dropped, the panicking ones included.
        assert_eq!(dropped.get(), 10);
    });
}
