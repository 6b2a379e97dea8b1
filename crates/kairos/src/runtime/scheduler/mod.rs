//! The two schedulers behind one handle type.

pub(crate) mod current_thread;
mod inject;
pub(crate) mod multi_thread;

pub(crate) use self::inject::Inject;

use crate::runtime::blocking;
use crate::runtime::driver;
use crate::task::{Id, JoinHandle};
use std::future::Future;
use std::sync::Arc;

/// A reference to a runtime's scheduler, of either kind.
#[derive(Clone)]
pub(crate) enum Handle {
    CurrentThread(Arc<current_thread::Handle>),
    MultiThread(Arc<multi_thread::Handle>),
}

/// The per-thread state of a thread that drives a scheduler.
pub(crate) enum Context {
    CurrentThread(current_thread::Context),
    MultiThread(multi_thread::Context),
}

impl Handle {
    pub(crate) fn spawn<F>(&self, future: F, id: Id) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match self {
            Handle::CurrentThread(handle) => current_thread::Handle::spawn(handle, future, id),
            Handle::MultiThread(handle) => multi_thread::Handle::spawn(handle, future, id),
        }
    }

    pub(crate) fn blocking_spawner(&self) -> &blocking::Spawner {
        match self {
            Handle::CurrentThread(handle) => &handle.blocking_spawner,
            Handle::MultiThread(handle) => &handle.blocking_spawner,
        }
    }

    pub(crate) fn driver(&self) -> &driver::Handle {
        match self {
            Handle::CurrentThread(handle) => &handle.driver,
            Handle::MultiThread(handle) => &handle.driver,
        }
    }
}
