//! `Builder`: configures and creates a `Runtime`.

use crate::runtime::blocking::BlockingPool;
use crate::runtime::config::{Callback, Config, ThreadConfig, ThreadNameFn};
use crate::runtime::driver::{self, Driver};
use crate::runtime::runtime::{Runtime, Scheduler};
use crate::runtime::scheduler::current_thread::CurrentThread;
use crate::runtime::scheduler::multi_thread::MultiThread;
use crate::runtime::{scheduler, Handle};
use std::fmt;
use std::io;
use std::sync::Arc;
use std::time::Duration;

/// Builds a [`Runtime`] with custom settings.
///
/// Start from [`Builder::new_multi_thread`] or [`Builder::new_current_thread`], chain the
/// settings, then call [`build`](Builder::build).
///
/// # Examples
///
/// ```
/// use kairos::runtime::Builder;
///
/// let rt = Builder::new_multi_thread()
///     .worker_threads(2)
///     .thread_name("my-worker")
///     .enable_all()
///     .build()
///     .unwrap();
/// assert_eq!(rt.block_on(async { 1 + 1 }), 2);
/// ```
pub struct Builder {
    kind: Kind,
    worker_threads: Option<usize>,
    max_blocking_threads: usize,
    thread_name: ThreadNameFn,
    thread_stack_size: Option<usize>,
    after_start: Option<Callback>,
    before_stop: Option<Callback>,
    before_park: Option<Callback>,
    after_unpark: Option<Callback>,
    keep_alive: Option<Duration>,
    event_interval: u32,
    global_queue_interval: Option<u32>,
    driver_thread: bool,
    driver: driver::Cfg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    CurrentThread,
    MultiThread,
}

/// Default `max_blocking_threads`.
const DEFAULT_MAX_BLOCKING_THREADS: usize = 512;
/// Default `thread_keep_alive`.
const DEFAULT_KEEP_ALIVE: Duration = Duration::from_secs(10);
/// Default `event_interval`.
const DEFAULT_EVENT_INTERVAL: u32 = 61;
/// Default `global_queue_interval`.
const DEFAULT_GLOBAL_QUEUE_INTERVAL: u32 = 31;
/// The environment variable that overrides the default number of worker threads.
const WORKER_THREADS_ENV: &str = "KAIROS_WORKER_THREADS";

impl Builder {
    /// A builder for the current-thread scheduler: every task runs on the thread that
    /// calls [`Runtime::block_on`].
    pub fn new_current_thread() -> Builder {
        Builder::new(Kind::CurrentThread)
    }

    /// A builder for the multi-thread, work-stealing scheduler.
    pub fn new_multi_thread() -> Builder {
        Builder::new(Kind::MultiThread)
    }

    fn new(kind: Kind) -> Builder {
        Builder {
            kind,
            worker_threads: None,
            max_blocking_threads: DEFAULT_MAX_BLOCKING_THREADS,
            thread_name: Arc::new(|| "kairos-runtime-worker".to_string()),
            thread_stack_size: None,
            after_start: None,
            before_stop: None,
            before_park: None,
            after_unpark: None,
            keep_alive: None,
            event_interval: DEFAULT_EVENT_INTERVAL,
            global_queue_interval: None,
            driver_thread: false,
            driver: driver::Cfg::default(),
        }
    }

    /// Enables every driver (I/O and time).
    pub fn enable_all(&mut self) -> &mut Self {
        self.enable_io().enable_time()
    }

    /// Enables the I/O driver (sockets, pipes).
    pub fn enable_io(&mut self) -> &mut Self {
        self.driver.enable_io = true;
        self
    }

    /// Enables the time driver (sleeps, timeouts, intervals).
    pub fn enable_time(&mut self) -> &mut Self {
        self.driver.enable_time = true;
        self
    }

    /// Starts the runtime's clock paused (default `false`): time then moves only through
    /// [`kairos::time::advance`](crate::time::advance), or when every task is idle, when
    /// it jumps straight to the next timer. For tests; see [`crate::time::pause`].
    ///
    /// [`build`](Builder::build) fails with [`io::ErrorKind::InvalidInput`] on a
    /// multi-thread builder: only the current-thread runtime supports a paused clock.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::time::{sleep, Duration, Instant};
    ///
    /// let rt = kairos::runtime::Builder::new_current_thread()
    ///     .enable_all()
    ///     .start_paused(true)
    ///     .build()
    ///     .unwrap();
    /// rt.block_on(async {
    ///     let start = Instant::now();
    ///     sleep(Duration::from_secs(60)).await; // returns at once
    ///     assert_eq!(start.elapsed(), Duration::from_secs(60));
    /// });
    /// ```
    pub fn start_paused(&mut self, start_paused: bool) -> &mut Self {
        self.driver.start_paused = start_paused;
        self
    }

    /// Runs the driver (I/O and timers) of a multi-thread runtime on a thread of its own,
    /// instead of letting an idle worker park in it. Not a tuning knob: it exists to
    /// reproduce the measurement behind the default, in `docs/DESIGN.md` ("Driver"), with
    /// `cargo bench -p kairos --bench driver_echo`.
    #[doc(hidden)]
    pub fn dedicated_driver_thread(&mut self, dedicated: bool) -> &mut Self {
        self.driver_thread = dedicated;
        self
    }

    /// The number of worker threads of a multi-thread runtime. Defaults to the number of
    /// CPU cores, or to the `KAIROS_WORKER_THREADS` environment variable when set. Ignored
    /// by the current-thread runtime.
    ///
    /// [`build`](Builder::build) fails with [`io::ErrorKind::InvalidInput`] if it is 0.
    pub fn worker_threads(&mut self, val: usize) -> &mut Self {
        self.worker_threads = Some(val);
        self
    }

    /// The most threads the blocking pool starts (default 512). Tasks beyond it wait in a
    /// queue. [`build`](Builder::build) fails if it is 0.
    pub fn max_blocking_threads(&mut self, val: usize) -> &mut Self {
        self.max_blocking_threads = val;
        self
    }

    /// The name of the runtime's threads (default `kairos-runtime-worker`).
    pub fn thread_name(&mut self, val: impl Into<String>) -> &mut Self {
        let name = val.into();
        self.thread_name = Arc::new(move || name.clone());
        self
    }

    /// A function that names each new runtime thread.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    ///
    /// let rt = kairos::runtime::Builder::new_multi_thread()
    ///     .thread_name_fn(|| {
    ///         static ID: AtomicUsize = AtomicUsize::new(0);
    ///         format!("worker-{}", ID.fetch_add(1, Ordering::Relaxed))
    ///     })
    ///     .build()
    ///     .unwrap();
    /// # drop(rt);
    /// ```
    pub fn thread_name_fn<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn() -> String + Send + Sync + 'static,
    {
        self.thread_name = Arc::new(f);
        self
    }

    /// The stack size of the runtime's threads (default: the standard library's, 2 MiB).
    pub fn thread_stack_size(&mut self, val: usize) -> &mut Self {
        self.thread_stack_size = Some(val);
        self
    }

    /// Runs `f` on each runtime thread (workers and blocking threads) after it starts.
    pub fn on_thread_start<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn() + Send + Sync + 'static,
    {
        self.after_start = Some(Arc::new(f));
        self
    }

    /// Runs `f` on each runtime thread before it stops.
    pub fn on_thread_stop<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn() + Send + Sync + 'static,
    {
        self.before_stop = Some(Arc::new(f));
        self
    }

    /// Runs `f` on a worker each time it is about to park because it has nothing to run.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = kairos::runtime::Builder::new_multi_thread()
    ///     .on_thread_park(|| println!("a worker goes idle"))
    ///     .on_thread_unpark(|| println!("a worker wakes up"))
    ///     .build()
    ///     .unwrap();
    /// # drop(rt);
    /// ```
    pub fn on_thread_park<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn() + Send + Sync + 'static,
    {
        self.before_park = Some(Arc::new(f));
        self
    }

    /// Runs `f` on a worker each time it wakes up after parking.
    pub fn on_thread_unpark<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn() + Send + Sync + 'static,
    {
        self.after_unpark = Some(Arc::new(f));
        self
    }

    /// How long an idle blocking-pool thread waits for work before exiting (default 10 s).
    pub fn thread_keep_alive(&mut self, duration: Duration) -> &mut Self {
        self.keep_alive = Some(duration);
        self
    }

    /// How many tasks a worker runs between two non-blocking polls of the driver for I/O
    /// and timer events (default 61). Lower favours I/O latency, higher throughput.
    /// [`build`](Builder::build) fails if it is 0.
    pub fn event_interval(&mut self, val: u32) -> &mut Self {
        self.event_interval = val;
        self
    }

    /// Every this many tasks, a worker takes from the shared injection queue (tasks from
    /// other threads) before its own queue, so they are never starved (default 31).
    /// [`build`](Builder::build) fails if it is 0.
    pub fn global_queue_interval(&mut self, val: u32) -> &mut Self {
        self.global_queue_interval = Some(val);
        self
    }

    /// Creates the runtime; a multi-thread one starts its worker threads.
    ///
    /// # Errors
    ///
    /// [`io::ErrorKind::InvalidInput`] for a setting out of range (zero workers, zero
    /// blocking threads, a zero interval), or the operating system's error if a worker
    /// thread cannot be started.
    pub fn build(&mut self) -> io::Result<Runtime> {
        self.validate()?;
        let thread = ThreadConfig {
            name: self.thread_name.clone(),
            stack_size: self.thread_stack_size,
            after_start: self.after_start.clone(),
            before_stop: self.before_stop.clone(),
        };
        let config = Config {
            event_interval: self.event_interval,
            global_queue_interval: self
                .global_queue_interval
                .unwrap_or(DEFAULT_GLOBAL_QUEUE_INTERVAL),
            driver_thread: self.driver_thread,
            before_park: self.before_park.clone(),
            after_unpark: self.after_unpark.clone(),
            thread: thread.clone(),
        };
        let blocking_pool = BlockingPool::new(
            thread,
            self.max_blocking_threads,
            self.keep_alive.unwrap_or(DEFAULT_KEEP_ALIVE),
        );
        let blocking_spawner = blocking_pool.spawner().clone();
        let (driver, driver_handle) = Driver::new(self.driver)?;
        let (scheduler, handle) = match self.kind {
            Kind::CurrentThread => {
                let (scheduler, handle) =
                    CurrentThread::new(driver, driver_handle, blocking_spawner, config);
                (
                    Scheduler::CurrentThread(scheduler),
                    scheduler::Handle::CurrentThread(handle),
                )
            }
            Kind::MultiThread => {
                let workers = self.num_workers()?;
                let (scheduler, handle) =
                    MultiThread::new(workers, driver, driver_handle, blocking_spawner, config)?;
                (
                    Scheduler::MultiThread(scheduler),
                    scheduler::Handle::MultiThread(handle),
                )
            }
        };
        Ok(Runtime::from_parts(
            scheduler,
            Handle { inner: handle },
            blocking_pool,
        ))
    }

    fn validate(&self) -> io::Result<()> {
        let invalid = |message: &str| Err(io::Error::new(io::ErrorKind::InvalidInput, message));
        if self.kind == Kind::MultiThread && self.worker_threads == Some(0) {
            return invalid("worker_threads must be at least 1");
        }
        if self.max_blocking_threads == 0 {
            return invalid("max_blocking_threads must be at least 1");
        }
        if self.event_interval == 0 {
            return invalid("event_interval must be at least 1");
        }
        if self.global_queue_interval == Some(0) {
            return invalid("global_queue_interval must be at least 1");
        }
        if self.driver.start_paused && self.kind == Kind::MultiThread {
            return invalid(
                "start_paused needs the current_thread runtime: a paused clock cannot be \
                 shared by several workers",
            );
        }
        Ok(())
    }

    fn num_workers(&self) -> io::Result<usize> {
        if let Some(n) = self.worker_threads {
            return Ok(n);
        }
        if let Ok(value) = std::env::var(WORKER_THREADS_ENV) {
            return match value.trim().parse::<usize>() {
                Ok(n) if n > 0 => Ok(n),
                _ => Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("{WORKER_THREADS_ENV} must be a positive integer, got {value:?}"),
                )),
            };
        }
        Ok(std::thread::available_parallelism().map_or(1, |n| n.get()))
    }
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("kind", &self.kind)
            .field("worker_threads", &self.worker_threads)
            .field("max_blocking_threads", &self.max_blocking_threads)
            .field("thread_stack_size", &self.thread_stack_size)
            .field("keep_alive", &self.keep_alive)
            .field("event_interval", &self.event_interval)
            .field("global_queue_interval", &self.global_queue_interval)
            .field("driver", &self.driver)
            .finish_non_exhaustive()
    }
}
