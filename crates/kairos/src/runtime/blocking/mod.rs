//! The blocking pool: OS threads for closures that block (`spawn_blocking`), so they do
//! not stall the workers.
//!
//! Threads are started on demand up to `max_blocking_threads` (default 512); a task that
//! finds no idle thread and no room to start one waits in a FIFO queue. A thread idle for
//! `thread_keep_alive` (default 10 s) exits. At shutdown, queued tasks that never started
//! are cancelled, running ones are waited for (up to the shutdown deadline), and threads
//! still busy after it are left to finish on their own.

mod pool;
mod task;

pub(crate) use self::pool::{BlockingPool, Spawner};
