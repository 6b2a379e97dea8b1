//! The filters add no allocation per call on the success path: a counting global
//! allocator around the whole standard stack in front of a `service_fn`.
//!
//! Counts are per thread (the runtime is current-thread, so every poll runs here), which
//! keeps the test harness's other threads out of the figures.

use kairos_service::filters::circuit_breaker::CircuitBreakerConfig;
use kairos_service::filters::rate_limit::RateLimitConfig;
use kairos_service::filters::retry::{RetryConfig, RetryErrors};
use kairos_service::{service_fn, Service, ServiceBuilder};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::time::Duration;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged; the
// counter is a const-initialized thread-local `Cell`, which does not allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, which is `System`'s.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` (every allocation goes through `alloc`).
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
        // SAFETY: as for `dealloc`, and the caller upholds `realloc`'s contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

const CALLS: u64 = 10_000;

/// Every standard filter, in a realistic order, around `service`.
macro_rules! full_stack {
    ($service:expr) => {
        ServiceBuilder::new()
            .log()
            .deadline(|_: &u64| None)
            .load_shed()
            .concurrency_limit(64)
            .rate_limit(RateLimitConfig::new(1_000_000_000, Duration::from_secs(1)))
            .timeout(Duration::from_secs(10))
            .retry(RetryErrors, RetryConfig::new())
            .circuit_breaker(CircuitBreakerConfig::new())
            .timeout(Duration::from_secs(1))
            .service($service)
    };
}

/// Allocations per call, after warming up (first-use initialisation: thread-locals,
/// `tracing` call sites, the runtime's clock).
async fn per_call<S: Service<u64, Response = u64>>(service: &S) -> f64 {
    for n in 0..100 {
        assert!(service.call(n).await.is_ok());
    }
    let before = allocations();
    for n in 0..CALLS {
        assert_eq!(service.call(n).await.ok(), Some(n + 1));
    }
    (allocations() - before) as f64 / CALLS as f64
}

#[test]
fn the_whole_stack_adds_no_allocation_per_call() {
    let runtime = kairos::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let bare = service_fn(|n: u64| async move { Ok::<_, std::io::Error>(n + 1) });
        let bare_cost = per_call(&bare).await;
        let stacked = full_stack!(service_fn(|n: u64| async move {
            Ok::<_, std::io::Error>(n + 1)
        }));
        let stacked_cost = per_call(&stacked).await;
        println!("allocations per call: bare service_fn {bare_cost}, whole stack {stacked_cost}");
        assert_eq!(bare_cost, 0.0);
        assert_eq!(stacked_cost, 0.0);
    });
}

#[test]
fn a_call_that_waits_allocates_nothing_either() {
    let runtime = kairos::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        // The inner future is pending once, so both timeouts' timers get registered.
        let waits = || {
            service_fn(|n: u64| async move {
                kairos::task::yield_now().await;
                Ok::<_, std::io::Error>(n + 1)
            })
        };
        let bare_cost = per_call(&waits()).await;
        let stacked_cost = per_call(&full_stack!(waits())).await;
        let timeout_only = ServiceBuilder::new()
            .timeout(Duration::from_secs(1))
            .service(waits());
        let timeout_cost = per_call(&timeout_only).await;
        println!(
            "allocations per call, inner future pending once: bare {bare_cost}, \
             one timeout {timeout_cost}, whole stack (two timeouts) {stacked_cost}"
        );
        assert_eq!(bare_cost, 0.0);
        // Registering a timer allocates nothing: its waker lives in the runtime's timer
        // wheel, whose node storage is reused (it grew during the warm-up calls).
        assert_eq!(timeout_cost, 0.0);
        assert_eq!(stacked_cost, 0.0);
    });
}
