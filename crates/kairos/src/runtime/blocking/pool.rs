//! The pool's threads, queue and shutdown.

use super::task::{BlockingSchedule, BlockingTask};
use crate::loom::sync::{Arc, Condvar, Mutex};
use crate::runtime::config::ThreadConfig;
use crate::runtime::context;
use crate::runtime::scheduler;
use crate::runtime::time::InhibitAutoAdvance;
use crate::task::{self, Id, JoinHandle, Notified};
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::time::{Duration, Instant};

/// Owned by the `Runtime`; shuts the pool down when the runtime goes.
pub(crate) struct BlockingPool {
    spawner: Spawner,
}

/// Cheap to clone; lives in the scheduler handle.
#[derive(Clone)]
pub(crate) struct Spawner {
    inner: Arc<Inner>,
}

struct Inner {
    shared: Mutex<Shared>,
    /// Idle threads wait here for work.
    condvar: Condvar,
    /// The shutdown waits here for the last thread to exit.
    shutdown_condvar: Condvar,
    thread: ThreadConfig,
    thread_cap: usize,
    keep_alive: Duration,
}

/// A queued blocking task. While the runtime's clock is paused, `inhibit` keeps the
/// clock from jumping to the next timer until the task has run *and* delivered its
/// result: its `JoinHandle`'s task is then runnable, and the runtime not idle.
struct Queued {
    task: Notified<BlockingSchedule>,
    inhibit: Option<InhibitAutoAdvance>,
}

struct Shared {
    queue: VecDeque<Queued>,
    num_threads: usize,
    /// Threads waiting for work and not yet promised a task.
    num_idle: usize,
    /// Wake-ups sent to idle threads and not yet consumed (filters spurious wake-ups).
    num_notify: usize,
    shutdown: bool,
    next_thread_id: usize,
    threads: HashMap<usize, std::thread::JoinHandle<()>>,
}

impl BlockingPool {
    pub(crate) fn new(thread: ThreadConfig, thread_cap: usize, keep_alive: Duration) -> Self {
        BlockingPool {
            spawner: Spawner {
                inner: Arc::new(Inner {
                    shared: Mutex::new(Shared {
                        queue: VecDeque::new(),
                        num_threads: 0,
                        num_idle: 0,
                        num_notify: 0,
                        shutdown: false,
                        next_thread_id: 0,
                        threads: HashMap::new(),
                    }),
                    condvar: Condvar::new(),
                    shutdown_condvar: Condvar::new(),
                    thread,
                    thread_cap,
                    keep_alive,
                }),
            },
        }
    }

    pub(crate) fn spawner(&self) -> &Spawner {
        &self.spawner
    }

    /// Cancels queued tasks and waits for running ones until `deadline` (`None`: forever).
    pub(crate) fn shutdown(&mut self, deadline: Option<Instant>) {
        let inner = &self.spawner.inner;
        let queued = {
            let mut shared = inner.shared.lock();
            if shared.shutdown {
                return;
            }
            shared.shutdown = true;
            std::mem::take(&mut shared.queue)
        };
        inner.condvar.notify_all();
        for queued in queued {
            queued.task.into_task().shutdown();
        }
        let mut shared = inner.shared.lock();
        while shared.num_threads > 0 {
            match deadline {
                None => shared = inner.shutdown_condvar.wait(shared),
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        // Threads still running a blocking task are detached.
                        shared.threads.clear();
                        return;
                    }
                    shared = inner
                        .shutdown_condvar
                        .wait_timeout(shared, deadline - now)
                        .0;
                }
            }
        }
        let threads = std::mem::take(&mut shared.threads);
        drop(shared);
        for (_, thread) in threads {
            let _ = thread.join();
        }
    }
}

impl Drop for BlockingPool {
    fn drop(&mut self) {
        self.shutdown(None);
    }
}

impl Spawner {
    /// Runs `func` on a pool thread. `rt` becomes the thread's current runtime.
    pub(crate) fn spawn_blocking<F, R>(&self, rt: &scheduler::Handle, func: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        let (task, notified, join) =
            task::new_task(BlockingTask::new(func), BlockingSchedule, Id::next());
        // Blocking tasks have no owner list: the pool's queue and threads hold them.
        drop(task);
        if let Err(notified) = self.spawn_task(notified, rt) {
            // Shut down: the closure is dropped without running.
            notified.into_task().shutdown();
        }
        join
    }

    fn spawn_task(
        &self,
        task: Notified<BlockingSchedule>,
        rt: &scheduler::Handle,
    ) -> Result<(), Notified<BlockingSchedule>> {
        let inner = &self.inner;
        let mut shared = inner.shared.lock();
        if shared.shutdown {
            return Err(task);
        }
        shared.queue.push_back(Queued {
            task,
            inhibit: InhibitAutoAdvance::new(rt),
        });
        if shared.num_idle > 0 {
            // A woken thread runs queued tasks until the queue is empty, so one more is
            // woken only while the queue holds more tasks than threads already woken for
            // it: a burst of spawns still wakes a thread per task, a steady trickle that
            // a few threads keep up with wakes none.
            if shared.num_notify < shared.queue.len() {
                shared.num_idle -= 1;
                shared.num_notify += 1;
                // Signalled after the lock is released: a thread woken while the spawner
                // still holds it would only wake up to block on the mutex.
                drop(shared);
                inner.condvar.notify_one();
            }
            return Ok(());
        }
        if shared.num_threads >= inner.thread_cap {
            // At the cap: the task waits for a busy thread to finish.
            return Ok(());
        }
        let id = shared.next_thread_id;
        shared.next_thread_id += 1;
        let spawner = self.clone();
        let rt = rt.clone();
        match inner
            .thread
            .builder()
            .spawn(move || spawner.run_thread(rt, id))
        {
            Ok(thread) => {
                shared.num_threads += 1;
                shared.threads.insert(id, thread);
            }
            Err(err) if shared.num_threads == 0 => {
                // Nobody could ever run the task.
                let queued = shared.queue.pop_back();
                drop(shared);
                if let Some(queued) = queued {
                    queued.task.into_task().shutdown();
                }
                panic!("failed to spawn a thread for the blocking pool: {err}");
            }
            // The task waits for one of the existing threads.
            Err(_) => {}
        }
        Ok(())
    }

    fn run_thread(&self, rt: scheduler::Handle, id: usize) {
        let inner = &self.inner;
        let _current = context::set_current(&rt);
        inner.thread.run_after_start();
        let mut shared = inner.shared.lock();
        'work: loop {
            while let Some(queued) = shared.queue.pop_front() {
                drop(shared);
                queued.task.run();
                // After `run`: the result is delivered and its waiter scheduled.
                drop(queued.inhibit);
                shared = inner.shared.lock();
            }
            shared.num_idle += 1;
            loop {
                if shared.shutdown {
                    break 'work;
                }
                let (guard, timed_out) = inner.condvar.wait_timeout(shared, inner.keep_alive);
                shared = guard;
                if shared.num_notify > 0 {
                    // A spawner counted us out of `num_idle` and queued a task for us.
                    shared.num_notify -= 1;
                    continue 'work;
                }
                if timed_out && !shared.shutdown {
                    // Idle for the whole keep-alive: leave.
                    shared.num_idle -= 1;
                    if let Some(thread) = shared.threads.remove(&id) {
                        // Detach ourselves: nobody joins a thread that left on its own.
                        drop(thread);
                    }
                    break 'work;
                }
            }
        }
        // At shutdown, tasks still queued are cancelled rather than run.
        if shared.shutdown {
            while let Some(queued) = shared.queue.pop_front() {
                drop(shared);
                queued.task.into_task().shutdown();
                shared = inner.shared.lock();
            }
        }
        drop(shared);
        inner.thread.run_before_stop();
        let mut shared = inner.shared.lock();
        shared.num_threads -= 1;
        if shared.num_threads == 0 {
            inner.shutdown_condvar.notify_all();
        }
    }

    /// Threads in the pool.
    pub(crate) fn num_threads(&self) -> usize {
        self.inner.shared.lock().num_threads
    }

    /// Threads waiting for work.
    pub(crate) fn num_idle_threads(&self) -> usize {
        self.inner.shared.lock().num_idle
    }

    /// Tasks waiting for a thread.
    pub(crate) fn queue_depth(&self) -> usize {
        self.inner.shared.lock().queue.len()
    }
}

impl fmt::Debug for Spawner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("blocking::Spawner").finish_non_exhaustive()
    }
}
