//! Test helpers for the task system, unit tests of the protocol driven by hand, and the
//! loom models of the state word's races.

use super::*;
use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::{Arc, Mutex};
use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A scheduler for tasks that are never woken.
pub(crate) struct NoopSchedule;

impl Schedule for NoopSchedule {
    fn schedule(&self, _task: Notified<Self>) {
        unreachable!("NoopSchedule tasks are never woken");
    }
}

/// Counts futures dropped.
#[derive(Clone, Default)]
pub(crate) struct Counter(Arc<AtomicUsize>);

impl Counter {
    pub(crate) fn dropped(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// A pending-forever future that counts its drop.
struct CountDrop(Counter);

impl Future for CountDrop {
    type Output = ();

    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        Poll::Pending
    }
}

impl Drop for CountDrop {
    fn drop(&mut self) {
        (self.0).0.fetch_add(1, Ordering::SeqCst);
    }
}

/// A detached task (its JoinHandle dropped) whose future counts its drop.
pub(crate) fn counted_task(
    counter: &Counter,
    _i: usize,
) -> (Task<NoopSchedule>, Notified<NoopSchedule>) {
    let (task, notified, join) = new_task(CountDrop(counter.clone()), NoopSchedule, Id::next());
    drop(join);
    (task, notified)
}

/// A scheduler that queues woken tasks for the test to run.
#[derive(Clone, Default)]
struct QueueSchedule(Arc<Mutex<VecDeque<Notified<QueueSchedule>>>>);

impl Schedule for QueueSchedule {
    fn schedule(&self, task: Notified<Self>) {
        self.0.lock().push_back(task);
    }
}

impl QueueSchedule {
    fn pop(&self) -> Option<Notified<QueueSchedule>> {
        self.0.lock().pop_front()
    }
}

/// A future that returns `Pending` until `ready` is set, storing its waker in `slot`.
struct Gate {
    ready: Arc<AtomicUsize>,
    slot: Arc<Mutex<Option<std::task::Waker>>>,
}

impl Future for Gate {
    type Output = usize;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
        *self.slot.lock() = Some(cx.waker().clone());
        match self.ready.load(Ordering::SeqCst) {
            0 => Poll::Pending,
            value => Poll::Ready(value),
        }
    }
}

fn gate() -> (Gate, Arc<AtomicUsize>, Arc<Mutex<Option<std::task::Waker>>>) {
    let ready = Arc::new(AtomicUsize::new(0));
    let slot = Arc::new(Mutex::new(None));
    (
        Gate {
            ready: ready.clone(),
            slot: slot.clone(),
        },
        ready,
        slot,
    )
}

#[cfg(not(loom))]
mod unit {
    use super::*;
    use std::task::Waker;

    fn poll_join<T>(join: &mut JoinHandle<T>) -> Poll<Result<T, JoinError>> {
        Pin::new(join).poll(&mut Context::from_waker(Waker::noop()))
    }

    /// The size of the cell a task running `_` gets.
    fn cell_size<F: Future>(_: &F) -> usize {
        std::mem::size_of::<super::super::core::Cell<F, std::sync::Arc<()>>>()
    }

    #[test]
    fn task_cell_for_a_small_future_is_smaller_than_tokios_128_bytes() {
        let size = cell_size(&async {});
        eprintln!("task cell for `async {{}}`: {size} bytes");
        assert!(size < 128, "task cell is {size} bytes");
    }

    #[test]
    fn task_cell_is_its_future_and_48_bytes() {
        // Header (24), scheduler handle (8), join waker (16), nothing else: an idle HTTP
        // connection's 56-byte future makes a 104-byte cell, a 112-byte heap chunk with
        // the allocator's header, which the idle-connection bar of docs/RELIABILITY.md
        // (item 6) counts on; 40 more bytes once cost it 0.48 MB per 10,000 connections.
        /// 56 bytes with a tag byte to spare, as the connection's future has.
        #[expect(dead_code, reason = "only its size and niche matter")]
        struct Words(bool, [u64; 6]);
        impl Future for Words {
            type Output = ();
            fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
                Poll::Ready(())
            }
        }
        let future = Words(false, [0; 6]);
        assert_eq!(std::mem::size_of_val(&future), 56);
        assert_eq!(cell_size(&future), 56 + 48);
    }

    #[test]
    fn task_runs_to_completion_and_join_reads_the_output() {
        let sched = QueueSchedule::default();
        let (g, ready, slot) = gate();
        let (task, notified, mut join) = new_task(g, sched.clone(), Id::next());
        notified.run();
        assert!(poll_join(&mut join).is_pending());
        ready.store(9, Ordering::SeqCst);
        slot.lock().take().unwrap().wake();
        sched.pop().expect("the wake scheduled the task").run();
        assert!(task.is_complete());
        match poll_join(&mut join) {
            Poll::Ready(Ok(9)) => {}
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn wake_while_running_reschedules_once_after_the_poll() {
        let sched = QueueSchedule::default();
        let (task, notified, _join) = new_task(crate::task::yield_now(), sched.clone(), Id::next());
        notified.run();
        let again = sched.pop().expect("yield rescheduled the task");
        assert!(sched.pop().is_none());
        again.run();
        assert!(task.is_complete());
    }

    #[test]
    fn abort_before_first_poll_cancels_without_polling() {
        let sched = QueueSchedule::default();
        let counter = Counter::default();
        let (task, notified, mut join) = new_task(CountDrop(counter.clone()), sched, Id::next());
        join.abort();
        notified.run();
        assert!(task.is_complete());
        assert_eq!(counter.dropped(), 1);
        match poll_join(&mut join) {
            Poll::Ready(Err(err)) => assert!(err.is_cancelled()),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn abort_of_idle_task_schedules_its_cancellation() {
        let sched = QueueSchedule::default();
        let counter = Counter::default();
        let (task, notified, join) =
            new_task(CountDrop(counter.clone()), sched.clone(), Id::next());
        notified.run();
        assert_eq!(counter.dropped(), 0);
        join.abort();
        sched.pop().expect("abort scheduled the task").run();
        assert_eq!(counter.dropped(), 1);
        assert!(task.is_complete());
    }

    #[test]
    fn shutdown_drops_future_and_join_sees_cancelled() {
        let counter = Counter::default();
        let (task, notified, mut join) = new_task(
            CountDrop(counter.clone()),
            QueueSchedule::default(),
            Id::next(),
        );
        task.shutdown();
        assert_eq!(counter.dropped(), 1);
        // The queued reference is released without polling.
        notified.run();
        match poll_join(&mut join) {
            Poll::Ready(Err(err)) => assert!(err.is_cancelled()),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn panic_is_caught_and_reported_to_join() {
        let (task, notified, mut join) = new_task(
            async { panic!("boom") },
            QueueSchedule::default(),
            Id::next(),
        );
        notified.run();
        assert!(task.is_complete());
        match poll_join::<()>(&mut join) {
            Poll::Ready(Err(err)) => {
                assert!(err.is_panic());
                assert_eq!(*err.into_panic().downcast::<&str>().unwrap(), "boom");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn output_of_detached_task_is_dropped_at_completion() {
        let counter = Counter::default();
        let c = counter.clone();
        // The output is a (never awaited) future only because `CountDrop` is the handy
        // drop counter.
        #[allow(clippy::async_yields_async)]
        let (task, notified, join) = new_task(
            async move { CountDrop(c) },
            QueueSchedule::default(),
            Id::next(),
        );
        drop(join);
        notified.run();
        assert!(task.is_complete());
        assert_eq!(counter.dropped(), 1);
    }

    #[test]
    fn join_waker_is_woken_on_completion() {
        use std::sync::atomic::AtomicBool;
        struct Flag(AtomicBool);
        impl std::task::Wake for Flag {
            fn wake(self: std::sync::Arc<Self>) {
                self.0.store(true, Ordering::SeqCst);
            }
        }
        let flag = std::sync::Arc::new(Flag(AtomicBool::new(false)));
        let waker = Waker::from(flag.clone());
        let sched = QueueSchedule::default();
        let (g, ready, slot) = gate();
        let (_task, notified, mut join) = new_task(g, sched.clone(), Id::next());
        notified.run();
        assert!(Pin::new(&mut join)
            .poll(&mut Context::from_waker(&waker))
            .is_pending());
        ready.store(1, Ordering::SeqCst);
        slot.lock().take().unwrap().wake();
        sched.pop().unwrap().run();
        assert!(flag.0.load(Ordering::SeqCst));
    }
}

#[cfg(all(test, loom))]
mod loom_task {
    use super::*;
    use loom::thread;
    use std::task::Waker;

    fn poll_join<T>(join: &mut JoinHandle<T>) -> Poll<Result<T, JoinError>> {
        Pin::new(join).poll(&mut Context::from_waker(Waker::noop()))
    }

    /// Drains the scheduler, running every woken task.
    fn run_all(sched: &QueueSchedule) {
        while let Some(task) = sched.pop() {
            task.run();
        }
    }

    /// A wake from another thread races with the poll that completes the task and with
    /// the JoinHandle being dropped: the output is dropped exactly once, the cell freed.
    #[test]
    fn wake_vs_complete_vs_join_drop() {
        loom::model(|| {
            let sched = QueueSchedule::default();
            let counter = Counter::default();
            let c = counter.clone();
            let (g, ready, slot) = gate();
            let (task, notified, join) = new_task(
                async move {
                    g.await;
                    CountDrop(c)
                },
                sched.clone(),
                Id::next(),
            );
            notified.run();
            let waker = slot.lock().take().unwrap();
            ready.store(1, Ordering::SeqCst);
            let waking = thread::spawn(move || waker.wake());
            let dropping = thread::spawn(move || drop(join));
            run_all(&sched);
            waking.join().unwrap();
            dropping.join().unwrap();
            run_all(&sched);
            assert!(task.is_complete());
            drop(task);
            assert_eq!(counter.dropped(), 1);
        });
    }

    /// Abort from another thread races with the task's own completion: the join sees
    /// either the output or a cancellation, and the future is dropped once.
    #[test]
    fn abort_vs_complete() {
        loom::model(|| {
            let sched = QueueSchedule::default();
            let counter = Counter::default();
            let c = counter.clone();
            let (g, ready, slot) = gate();
            let (task, notified, mut join) = new_task(
                async move {
                    let _guard = CountDrop(c);
                    g.await
                },
                sched.clone(),
                Id::next(),
            );
            notified.run();
            let abort = join.abort_handle();
            let aborting = thread::spawn(move || abort.abort());
            ready.store(5, Ordering::SeqCst);
            slot.lock().take().unwrap().wake();
            run_all(&sched);
            aborting.join().unwrap();
            run_all(&sched);
            assert!(task.is_complete());
            match poll_join(&mut join) {
                Poll::Ready(Ok(value)) => assert_eq!(value, 5),
                Poll::Ready(Err(err)) => assert!(err.is_cancelled()),
                Poll::Pending => panic!("complete task not ready"),
            }
            assert_eq!(counter.dropped(), 1);
        });
    }

    /// A JoinHandle registering its waker races with completion on another thread: the
    /// handle is either woken or sees the output on its next poll.
    #[test]
    fn join_waker_vs_complete() {
        loom::model(|| {
            let sched = QueueSchedule::default();
            let (g, ready, slot) = gate();
            let (task, notified, mut join) = new_task(g, sched.clone(), Id::next());
            notified.run();
            let waker = slot.lock().take().unwrap();
            let runner = {
                let sched = sched.clone();
                thread::spawn(move || {
                    ready.store(3, Ordering::SeqCst);
                    waker.wake();
                    run_all(&sched);
                })
            };
            let first = poll_join(&mut join);
            runner.join().unwrap();
            let value = match first {
                Poll::Ready(result) => result.unwrap(),
                Poll::Pending => match poll_join(&mut join) {
                    Poll::Ready(result) => result.unwrap(),
                    Poll::Pending => panic!("complete task not ready"),
                },
            };
            assert_eq!(value, 3);
            drop(task);
        });
    }

    /// Runtime shutdown races with a wake from another thread: the future is dropped
    /// once and nothing runs after.
    #[test]
    fn shutdown_vs_wake() {
        loom::model(|| {
            let sched = QueueSchedule::default();
            let counter = Counter::default();
            let (task, notified, join) =
                new_task(CountDrop(counter.clone()), sched.clone(), Id::next());
            drop(join);
            let waker_task = {
                // A waker of our own: clone the borrowed one (which counts a reference).
                notified.run();
                super::super::waker::waker_ref(task.raw.header_ptr()).clone()
            };
            let waking = thread::spawn(move || waker_task.wake());
            task.shutdown();
            waking.join().unwrap();
            run_all(&sched);
            assert_eq!(counter.dropped(), 1);
        });
    }
}
