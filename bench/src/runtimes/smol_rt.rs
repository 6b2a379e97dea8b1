//! smol's crates: `async-executor` for tasks, `async-io` for blocking on futures,
//! `blocking` for the blocking pool.
//!
//! Current-thread: one executor driven by the thread inside `block_on`. Multi-thread: the
//! executor driven by two dedicated threads (the equivalent of two workers), the calling
//! thread only waiting for the result.

use super::{Flavor, Runtime};
use async_executor::{Executor, Task};
use std::future::Future;
use std::sync::Arc;
use std::thread::JoinHandle;

/// A smol executor and its threads.
pub struct Smol {
    executor: Arc<Executor<'static>>,
    flavor: Flavor,
    stop: Option<async_channel_stop::Stop>,
    threads: Vec<JoinHandle<()>>,
}

impl Runtime for Smol {
    const NAME: &'static str = "smol";
    type Handle = Arc<Executor<'static>>;
    type Join<T: Send + 'static> = Task<T>;

    fn build(flavor: Flavor) -> Option<Self> {
        let executor = Arc::new(Executor::new());
        let mut threads = Vec::new();
        let mut stop = None;
        if flavor == Flavor::MultiThread {
            let (signal, waiter) = async_channel_stop::pair();
            for _ in 0..2 {
                let executor = executor.clone();
                let waiter = waiter.clone();
                threads.push(std::thread::spawn(move || {
                    async_io::block_on(executor.run(waiter.wait()));
                }));
            }
            stop = Some(signal);
        }
        Some(Smol {
            executor,
            flavor,
            stop,
            threads,
        })
    }

    fn handle(&self) -> Self::Handle {
        self.executor.clone()
    }

    fn block_on<F: Future + Send + 'static>(&self, future: F) -> F::Output
    where
        F::Output: Send + 'static,
    {
        match self.flavor {
            Flavor::CurrentThread => async_io::block_on(self.executor.run(future)),
            Flavor::MultiThread => async_io::block_on(future),
        }
    }

    fn spawn<F>(handle: &Self::Handle, future: F) -> Task<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        handle.spawn(future)
    }

    fn spawn_blocking<F, R>(handle: &Self::Handle, func: F) -> Task<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        // `unblock` returns a `blocking::Task`; spawning it keeps the join type uniform
        // (one extra task, the same on every row of this runtime).
        handle.spawn(blocking::unblock(func))
    }

    fn yield_now() -> impl Future<Output = ()> + Send {
        futures_lite::future::yield_now()
    }
}

impl Drop for Smol {
    fn drop(&mut self) {
        drop(self.stop.take());
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

/// A one-shot "stop" signal for the executor threads, built on `event-listener`-free
/// primitives: an atomic flag plus the executor's own wake-ups.
mod async_channel_stop {
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    use std::task::{Context, Poll, Waker};

    struct Shared {
        stopped: AtomicBool,
        wakers: Mutex<Vec<Waker>>,
    }

    /// Stops the waiters when dropped.
    pub struct Stop(Arc<Shared>);

    /// Completes when the `Stop` is dropped.
    #[derive(Clone)]
    pub struct Waiter(Arc<Shared>);

    pub fn pair() -> (Stop, Waiter) {
        let shared = Arc::new(Shared {
            stopped: AtomicBool::new(false),
            wakers: Mutex::new(Vec::new()),
        });
        (Stop(shared.clone()), Waiter(shared))
    }

    impl Drop for Stop {
        fn drop(&mut self) {
            self.0.stopped.store(true, Ordering::SeqCst);
            for waker in self.0.wakers.lock().unwrap().drain(..) {
                waker.wake();
            }
        }
    }

    impl Waiter {
        pub fn wait(self) -> impl Future<Output = ()> {
            WaitFuture(self.0)
        }
    }

    struct WaitFuture(Arc<Shared>);

    impl Future for WaitFuture {
        type Output = ();

        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            if self.0.stopped.load(Ordering::SeqCst) {
                return Poll::Ready(());
            }
            self.0.wakers.lock().unwrap().push(cx.waker().clone());
            if self.0.stopped.load(Ordering::SeqCst) {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        }
    }
}
