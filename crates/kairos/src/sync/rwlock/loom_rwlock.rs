//! Loom model of `RwLock`: a writer and a reader race, and a queued writer is not
//! overtaken by a later reader.

use crate::loom::sync::Arc;
use crate::sync::RwLock;
use loom::future::block_on;
use loom::thread;

/// A reader on another thread sees the value either before or after the write, never a
/// torn one, and the lock ends up free.
#[test]
fn reader_and_writer_exclude_each_other() {
    loom::model(|| {
        let lock = Arc::new(RwLock::with_max_readers((0usize, 0usize), 2));
        let reader = {
            let lock = lock.clone();
            thread::spawn(move || {
                let pair = *block_on(lock.read());
                assert_eq!(pair.0, pair.1);
            })
        };
        {
            let mut guard = block_on(lock.write());
            guard.0 += 1;
            guard.1 += 1;
        }
        reader.join().unwrap();
        assert!(lock.try_write().is_ok());
    });
}
