//! Allocation counts: spawning a small future allocates exactly once (the task cell, whose
//! size is reported), and waking a task allocates nothing.
//!
//! A counting global allocator records, per thread, how many allocations were made and
//! their sizes, so the runtime's other threads add no noise to what a test measures.

mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::future::{poll_fn, Future};
use std::hint::black_box;
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};
use std::time::Duration;
use support::Mailbox;

struct Counting;

/// Allocations made by this thread (including reallocations), and the smallest and
/// largest sizes asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stats {
    count: usize,
    min: usize,
    max: usize,
}

const EMPTY: Stats = Stats {
    count: 0,
    min: usize::MAX,
    max: 0,
};

thread_local! {
    // Constant-initialized and without a destructor: reading it never allocates.
    static STATS: Cell<Stats> = const { Cell::new(EMPTY) };
}

fn record(size: usize) {
    let _ = STATS.try_with(|stats| {
        let mut s = stats.get();
        s.count += 1;
        s.min = s.min.min(size);
        s.max = s.max.max(size);
        stats.set(s);
    });
}

// SAFETY: every method forwards to the system allocator with the caller's arguments,
// so its contract is the caller's; recording touches only a thread-local `Cell`.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        record(new_size);
        // SAFETY: forwarded unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f` and returns what this thread allocated meanwhile.
fn measure<R>(f: impl FnOnce() -> R) -> (R, Stats) {
    let before = STATS.with(|stats| stats.replace(EMPTY));
    let out = f();
    let during = STATS.with(|stats| stats.get());
    STATS.with(|stats| {
        stats.set(Stats {
            count: before.count + during.count,
            min: before.min.min(during.min),
            max: before.max.max(during.max),
        })
    });
    (out, during)
}

const N: usize = 1000;

/// Spawns `N` futures made by `make` (with handles stored in a vector allocated
/// beforehand) and returns the allocations of the spawns, then joins them.
async fn spawn_round<F>(make: &impl Fn(u64) -> F) -> Stats
where
    F: Future + Send + 'static,
    F::Output: Send,
{
    let mut handles = Vec::with_capacity(N);
    let ((), stats) = measure(|| {
        for i in 0..N as u64 {
            handles.push(kairos::spawn(make(i)));
        }
    });
    for handle in handles {
        handle.await.unwrap();
    }
    stats
}

/// Warms the runtime up (a few thousand tasks, then rounds of `N` until the queues and
/// owner lists stop growing), then asserts a round of `N` spawns allocates `N` times.
/// Returns the allocation sizes.
async fn assert_one_allocation_per_spawn<F>(what: &str, make: impl Fn(u64) -> F) -> Stats
where
    F: Future + Send + 'static,
    F::Output: Send,
{
    let warm: Vec<_> = (0..4096).map(|i| kairos::spawn(make(i))).collect();
    for handle in warm {
        handle.await.unwrap();
    }
    let mut rounds = 0;
    while spawn_round(&make).await.count != N {
        rounds += 1;
        assert!(
            rounds < 20,
            "{what}: spawning never settled at one allocation each"
        );
    }
    let stats = spawn_round(&make).await;
    eprintln!(
        "{what}: {N} spawns made {} allocations of {}..={} bytes (after {rounds} extra \
         warm-up rounds)",
        stats.count, stats.min, stats.max
    );
    assert_eq!(stats.count, N, "{what}: not one allocation per spawn");
    stats
}

#[test]
fn spawning_allocates_once_per_task_on_a_current_thread_runtime() {
    let rt = support::current_thread();
    rt.block_on(async {
        let empty = assert_one_allocation_per_spawn("async {}", |_| async {}).await;
        assert_eq!(empty.min, empty.max, "one allocation size per future type");
        eprintln!("task cell of `async {{}}`: {} bytes", empty.max);
        assert!(
            empty.max < 128,
            "the cell of an empty task is {} bytes; tokio's is 128-byte aligned",
            empty.max
        );
        let word = assert_one_allocation_per_spawn("async move { u64 }", |i| async move {
            black_box(i);
        })
        .await;
        eprintln!("task cell of a future holding a u64: {} bytes", word.max);
        assert!(word.max >= empty.max);
    });
}

#[test]
fn spawning_from_a_worker_allocates_once_per_task() {
    let rt = support::multi_thread(1);
    rt.block_on(rt.spawn(async {
        assert_one_allocation_per_spawn("async {} from a worker", |_| async {}).await;
    }))
    .unwrap();
}

#[test]
fn spawning_from_outside_a_multi_thread_runtime_allocates_once_per_task() {
    let rt = support::multi_thread(2);
    let _guard = rt.enter();
    rt.block_on(assert_one_allocation_per_spawn(
        "async {} from outside",
        |_| async {},
    ));
}

/// A task that parks until woken, re-registering each time; it reports each poll.
fn spawn_parked_task(
    slot: &Arc<Mutex<Option<Waker>>>,
    polled: &Arc<Mailbox<()>>,
) -> kairos::task::JoinHandle<()> {
    let (slot, polled) = (slot.clone(), polled.clone());
    kairos::spawn(poll_fn(move |cx| {
        *slot.lock().unwrap() = Some(cx.waker().clone());
        polled.send(());
        Poll::<()>::Pending
    }))
}

#[test]
fn waking_a_task_allocates_nothing() {
    let rt = support::current_thread();
    rt.block_on(async {
        let slot = Arc::new(Mutex::new(None));
        let polled = Mailbox::new();
        let task = spawn_parked_task(&slot, &polled);
        polled.recv().await;
        let waker = slot.lock().unwrap().take().unwrap();

        // On the thread driving the runtime: straight onto its run queue.
        let ((), stats) = measure(|| {
            let clone = waker.clone();
            clone.wake_by_ref();
            drop(clone);
        });
        assert_eq!(stats.count, 0, "a local wake allocated: {stats:?}");
        polled.recv().await;

        // From another thread, through the injection queue: the first wake sizes that
        // queue, the second must not allocate.
        for round in 0..2 {
            let waker = slot.lock().unwrap().take().unwrap();
            let stats = std::thread::spawn(move || {
                measure(|| {
                    waker.wake_by_ref();
                    drop(waker);
                })
                .1
            })
            .join()
            .unwrap();
            if round == 1 {
                assert_eq!(stats.count, 0, "a remote wake allocated: {stats:?}");
            }
            polled.recv().await;
        }
        task.abort();
        assert!(task.await.unwrap_err().is_cancelled());
    });
}

#[test]
fn timers_allocate_nothing_once_the_wheel_has_grown() {
    let rt = support::current_thread();
    rt.block_on(async {
        /// Registers `n` timers (one poll each), then cancels them by dropping.
        async fn register_and_cancel(n: usize) {
            let mut sleeps: Vec<_> = (0..n)
                .map(|_| Box::pin(kairos::time::sleep(Duration::from_secs(60))))
                .collect();
            for sleep in &mut sleeps {
                assert!(futures::poll!(sleep.as_mut()).is_pending());
            }
        }
        // Warm-up: the wheel's node storage grows to 100 timers.
        register_and_cancel(100).await;
        kairos::time::sleep(Duration::from_millis(1)).await;

        let mut sleeps: Vec<_> = (0..100)
            .map(|_| Box::pin(kairos::time::sleep(Duration::from_secs(60))))
            .collect();
        let ((), stats) = measure(|| {
            let waker = futures::task::noop_waker();
            let mut cx = std::task::Context::from_waker(&waker);
            for sleep in &mut sleeps {
                assert!(sleep.as_mut().poll(&mut cx).is_pending());
            }
            sleeps.iter_mut().for_each(|sleep| {
                sleep
                    .as_mut()
                    .reset(kairos::time::Instant::now() + Duration::from_secs(30))
            });
            sleeps.clear();
        });
        assert_eq!(
            stats.count, 0,
            "registering, moving and cancelling timers allocated: {stats:?}"
        );

        // And a timer that fires: registered, fired by the driver, awaited.
        let mut nap = Box::pin(kairos::time::sleep(Duration::from_millis(1)));
        let fired = poll_fn(|cx| {
            let (poll, stats) = measure(|| nap.as_mut().poll(cx));
            assert_eq!(stats.count, 0, "polling a timer allocated: {stats:?}");
            poll
        });
        fired.await;
    });
}
