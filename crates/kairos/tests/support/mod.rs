//! Helpers shared by the `rt_*` integration tests: runtimes of each flavor, tiny waker-based
//! primitives (the runtime has no channels yet), drop counters, and bounded waits.
//!
//! Every wait here is on an event; the deadlines only bound a failure, so a broken runtime
//! fails a test instead of hanging it.

// Each test file uses a different subset of these helpers.
#![allow(dead_code)]

use kairos::runtime::{Builder, Handle, Runtime};
use std::future::poll_fn;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::task::{Poll, Waker};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

/// How long any wait may take before the test is declared failed. Generous, so that a
/// loaded 2-core CI machine never trips it; it only bounds a failure.
pub const DEADLINE: Duration = Duration::from_secs(10);

/// A current-thread runtime.
pub fn current_thread() -> Runtime {
    Builder::new_current_thread().enable_all().build().unwrap()
}

/// A multi-thread runtime with `workers` worker threads.
pub fn multi_thread(workers: usize) -> Runtime {
    Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .unwrap()
}

/// The two schedulers the runtime tests run on: current-thread, and multi-thread with
/// `workers` workers, as builders with every driver enabled.
pub fn flavors(workers: usize) -> [(String, Builder); 2] {
    let mut current = Builder::new_current_thread();
    current.enable_all();
    let mut multi = Builder::new_multi_thread();
    multi.worker_threads(workers).enable_all();
    [
        ("current_thread".to_string(), current),
        (format!("multi_thread({workers})"), multi),
    ]
}

/// Runs `test` once on a fresh runtime of each flavor (multi-thread with two workers).
/// The flavor is printed first, so a failure's captured output says which scheduler
/// failed.
pub fn on_each_flavor(test: impl FnMut(Runtime)) {
    on_each_flavor_with(|_| {}, test);
}

/// Runs the future `test` makes in `block_on`, on a fresh runtime of each flavor.
pub fn block_on_each_flavor<F: std::future::Future>(mut test: impl FnMut() -> F) {
    on_each_flavor(|rt| {
        rt.block_on(test());
    });
}

/// As [`on_each_flavor`], with `configure` applied to each builder.
pub fn on_each_flavor_with(configure: impl Fn(&mut Builder), mut test: impl FnMut(Runtime)) {
    for (name, mut builder) in flavors(2) {
        eprintln!("-- on {name}");
        configure(&mut builder);
        test(builder.build().unwrap());
    }
}

/// Runs `test` on the two schedulers with a single thread running tasks: current-thread,
/// and multi-thread with one worker. Fairness between tasks only shows there.
pub fn on_each_single_worker_flavor(mut test: impl FnMut(Runtime)) {
    for (name, mut builder) in flavors(1) {
        eprintln!("-- on {name}");
        test(builder.build().unwrap());
    }
}

/// Calls `cond` until it holds, yielding the OS thread in between.
///
/// # Panics
///
/// If it still does not hold after [`DEADLINE`], naming `what` was awaited.
#[track_caller]
pub fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(
            start.elapsed() < DEADLINE,
            "timed out after {DEADLINE:?} waiting for {what}"
        );
        std::thread::yield_now();
    }
}

/// Spins the calling thread (typically a worker, inside a task's poll) until `flag` is
/// set; returns how long that took.
///
/// # Panics
///
/// After [`DEADLINE`], naming `what` was awaited.
#[track_caller]
pub fn spin_until(what: &str, flag: &AtomicBool) -> Duration {
    let start = Instant::now();
    while !flag.load(Ordering::Acquire) {
        assert!(
            start.elapsed() < DEADLINE,
            "timed out after {DEADLINE:?} spinning for {what}"
        );
        std::hint::spin_loop();
    }
    start.elapsed()
}

/// Receives from a std channel, failing the test after [`DEADLINE`].
#[track_caller]
pub fn recv<T>(rx: &mpsc::Receiver<T>, what: &str) -> T {
    match rx.recv_timeout(DEADLINE) {
        Ok(value) => value,
        Err(err) => panic!("waiting for {what}: {err}"),
    }
}

/// The message of a panic payload (`&str` or `String`), or a placeholder.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string panic payload>".to_string()
    }
}

/// Runs `f`, expects it to panic, and returns the panic's message.
#[track_caller]
pub fn expect_panic<R>(f: impl FnOnce() -> R) -> String {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(_) => panic!("expected a panic"),
        Err(payload) => panic_message(&*payload),
    }
}

/// Counts how many of its [`DropToken`]s were dropped.
#[derive(Clone, Default)]
pub struct DropCounter(Arc<AtomicUsize>);

/// Increments its counter when dropped; move one into a future to see the future dropped.
pub struct DropToken(Arc<AtomicUsize>);

impl DropCounter {
    pub fn new() -> DropCounter {
        DropCounter::default()
    }

    pub fn token(&self) -> DropToken {
        DropToken(self.0.clone())
    }

    pub fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

impl Drop for DropToken {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// A future that never completes and counts its drop.
pub async fn pending_forever(token: DropToken) {
    let _token = token;
    std::future::pending::<()>().await;
}

/// A one-slot mailbox between tasks (or a task and an OS thread): `send` fills the slot
/// and wakes the receiver, `recv` waits for the slot to be full and empties it. One
/// receiver at a time; sending into a full slot is a bug in the test and panics.
pub struct Mailbox<T> {
    state: Mutex<MailboxState<T>>,
}

struct MailboxState<T> {
    value: Option<T>,
    waker: Option<Waker>,
}

impl<T> Mailbox<T> {
    pub fn new() -> Arc<Mailbox<T>> {
        Arc::new(Mailbox {
            state: Mutex::new(MailboxState {
                value: None,
                waker: None,
            }),
        })
    }

    /// Fills the slot and wakes the receiver (outside the lock).
    pub fn send(&self, value: T) {
        let waker = {
            let mut state = self.state.lock().unwrap();
            assert!(state.value.is_none(), "mailbox already full");
            state.value = Some(value);
            state.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Waits until the slot is full, then takes the value.
    pub async fn recv(&self) -> T {
        poll_fn(|cx| {
            let mut state = self.state.lock().unwrap();
            match state.value.take() {
                Some(value) => Poll::Ready(value),
                None => {
                    state.waker = Some(cx.waker().clone());
                    Poll::Pending
                }
            }
        })
        .await
    }

    /// Whether a receiver is parked on the empty slot (its waker is stored).
    pub fn has_waiter(&self) -> bool {
        self.state.lock().unwrap().waker.is_some()
    }
}

/// A gate any number of tasks wait on until it is opened, from any thread.
#[derive(Clone, Default)]
pub struct Gate {
    state: Arc<Mutex<(bool, Vec<Waker>)>>,
}

impl Gate {
    pub fn new() -> Gate {
        Gate::default()
    }

    pub fn open(&self) {
        let wakers = {
            let mut state = self.state.lock().unwrap();
            state.0 = true;
            std::mem::take(&mut state.1)
        };
        wakers.into_iter().for_each(Waker::wake);
    }

    /// How many tasks are parked on the gate.
    pub fn waiters(&self) -> usize {
        self.state.lock().unwrap().1.len()
    }

    /// A future that waits for the gate to open, then yields `value`.
    pub fn then<T>(&self, value: T) -> impl std::future::Future<Output = T> {
        let gate = self.clone();
        async move {
            gate.wait().await;
            value
        }
    }

    pub async fn wait(&self) {
        let mut registered = false;
        poll_fn(|cx| {
            let mut state = self.state.lock().unwrap();
            if state.0 {
                return Poll::Ready(());
            }
            if !registered {
                state.1.push(cx.waker().clone());
                registered = true;
            }
            Poll::Pending
        })
        .await
    }
}

/// Tasks that each hold one worker of a multi-thread runtime inside a single poll
/// (spinning), so that the test controls which workers are free.
pub struct Occupied {
    release: Arc<AtomicBool>,
    /// The worker threads held, in the order the blockers started.
    pub threads: Vec<ThreadId>,
}

impl Occupied {
    /// Lets the blockers return.
    pub fn release(&self) {
        self.release.store(true, Ordering::Release);
    }

    /// The flag the blockers spin on (to release them from inside a task).
    pub fn release_flag(&self) -> Arc<AtomicBool> {
        self.release.clone()
    }
}

impl Drop for Occupied {
    fn drop(&mut self) {
        self.release();
    }
}

/// Spawns `n` tasks that each spin inside their first poll until released, and waits
/// until all `n` are running, which on a multi-thread runtime means `n` distinct workers
/// are held (a worker polls one task at a time).
pub fn occupy_workers(handle: &Handle, n: usize) -> Occupied {
    let release = Arc::new(AtomicBool::new(false));
    let (tx, rx) = mpsc::channel();
    for _ in 0..n {
        let release = release.clone();
        let tx = tx.clone();
        // Detached: the blocker returns once released.
        drop(handle.spawn(async move {
            tx.send(std::thread::current().id()).unwrap();
            spin_until("the blocker's release", &release);
        }));
    }
    let threads = (0..n).map(|_| recv(&rx, "a blocker to start")).collect();
    Occupied { release, threads }
}

/// Yields the current task until `cond` holds.
///
/// Call it from a spawned task, not from `block_on`'s own future: it is the task's
/// requeueing that gives the others their turn.
///
/// # Panics
///
/// After [`DEADLINE`], naming `what` was awaited.
pub async fn yield_until(what: &str, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(
            start.elapsed() < DEADLINE,
            "timed out after {DEADLINE:?} yielding until {what}"
        );
        kairos::task::yield_now().await;
    }
}

/// Waits until `cond` holds in a task of its own (see [`yield_until`]), so that the
/// other tasks get turns even when awaited from `block_on`'s own future.
pub async fn wait_in_task(what: &'static str, cond: impl FnMut() -> bool + Send + 'static) {
    kairos::spawn(yield_until(what, cond)).await.unwrap();
}

/// Drives `rt` until `cond` holds; see [`wait_in_task`].
pub fn drive_until(rt: &Runtime, what: &'static str, cond: impl FnMut() -> bool + Send + 'static) {
    rt.block_on(wait_in_task(what, cond));
}

/// Runs two blocking closures that each wait for the other, so the pool needs two
/// threads at once; returns when both are done.
pub fn two_blocking_closures_at_once(rt: &Runtime) {
    let (a_tx, a_rx) = mpsc::channel::<()>();
    let (b_tx, b_rx) = mpsc::channel::<()>();
    let a = rt.spawn_blocking(move || {
        b_tx.send(()).unwrap();
        recv(&a_rx, "the other blocking closure");
    });
    let b = rt.spawn_blocking(move || {
        a_tx.send(()).unwrap();
        recv(&b_rx, "the other blocking closure");
    });
    rt.block_on(async {
        a.await.unwrap();
        b.await.unwrap();
    });
}

/// Spawns a blocking closure that returns `value` once the returned sender sends (or is
/// dropped), and waits until it runs.
pub fn spawn_held<T: Send + 'static>(
    rt: &Runtime,
    value: T,
) -> (kairos::task::JoinHandle<T>, mpsc::Sender<()>) {
    let (started_tx, started_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let handle = rt.spawn_blocking(move || {
        started_tx.send(()).unwrap();
        let _ = release_rx.recv_timeout(DEADLINE);
        value
    });
    recv(&started_rx, "the blocking closure to start");
    (handle, release_tx)
}

/// A blocking closure that records whether it ran, and counts its drop.
pub struct BlockingProbe {
    pub handle: kairos::task::JoinHandle<()>,
    pub ran: Arc<AtomicBool>,
    pub dropped: DropCounter,
}

impl BlockingProbe {
    pub fn spawn(handle: &Handle) -> BlockingProbe {
        let ran = Arc::new(AtomicBool::new(false));
        let dropped = DropCounter::new();
        let (flag, token) = (ran.clone(), dropped.token());
        let handle = handle.spawn_blocking(move || {
            let _token = token;
            flag.store(true, Ordering::SeqCst);
        });
        BlockingProbe {
            handle,
            ran,
            dropped,
        }
    }

    /// Asserts the closure was cancelled without running, and dropped.
    #[track_caller]
    pub fn assert_cancelled(self, rt: Option<&Runtime>) {
        let result = match rt {
            Some(rt) => rt.block_on(self.handle),
            None => futures::executor::block_on(self.handle),
        };
        let err = result.unwrap_err();
        assert!(err.is_cancelled(), "{err:?}");
        assert!(!self.ran.load(Ordering::SeqCst), "a cancelled closure ran");
        assert_eq!(self.dropped.get(), 1, "a cancelled closure was not dropped");
    }
}

/// A future that is always pending and calls `on_drop` when dropped.
pub struct PendingOnDrop<F: FnMut()> {
    on_drop: F,
}

pub fn pending_on_drop<F: FnMut()>(on_drop: F) -> PendingOnDrop<F> {
    PendingOnDrop { on_drop }
}

impl<F: FnMut()> std::future::Future for PendingOnDrop<F> {
    type Output = ();

    fn poll(self: std::pin::Pin<&mut Self>, _cx: &mut std::task::Context<'_>) -> Poll<()> {
        Poll::Pending
    }
}

impl<F: FnMut()> Drop for PendingOnDrop<F> {
    fn drop(&mut self) {
        (self.on_drop)();
    }
}

/// Wraps `inner` so that its first poll is counted in `polls` and its drop in `dropped`.
pub fn tracked<F: std::future::Future>(
    polls: &Arc<AtomicUsize>,
    dropped: &DropCounter,
    inner: F,
) -> impl std::future::Future<Output = F::Output> {
    let polls = polls.clone();
    let token = dropped.token();
    async move {
        let _token = token;
        polls.fetch_add(1, Ordering::SeqCst);
        inner.await
    }
}
