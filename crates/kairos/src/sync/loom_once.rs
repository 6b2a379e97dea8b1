//! Loom models of one-time initialisation: two racing `OnceCell::get_or_init` calls run
//! the initialiser once, and `SetOnce::wait` sees a `set` from another thread.

use crate::loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::loom::sync::Arc;
use crate::sync::{OnceCell, SetOnce};
use loom::future::block_on;
use loom::thread;

#[test]
fn racing_get_or_init_runs_the_initialiser_once() {
    loom::model(|| {
        let cell = Arc::new(OnceCell::new());
        let runs = Arc::new(AtomicUsize::new(0));
        let init = |runs: Arc<AtomicUsize>| async move { runs.fetch_add(1, SeqCst) };
        let other = {
            let (cell, runs) = (cell.clone(), runs.clone());
            thread::spawn(move || *block_on(cell.get_or_init(|| init(runs))))
        };
        let mine = *block_on(cell.get_or_init(|| init(runs.clone())));
        assert_eq!(other.join().unwrap(), mine);
        assert_eq!(runs.load(SeqCst), 1);
    });
}

#[test]
fn set_once_wait_sees_a_set_from_another_thread() {
    loom::model(|| {
        let cell = Arc::new(SetOnce::new());
        let setter = {
            let cell = cell.clone();
            thread::spawn(move || cell.set(5).unwrap())
        };
        assert_eq!(*block_on(cell.wait()), 5);
        setter.join().unwrap();
    });
}
