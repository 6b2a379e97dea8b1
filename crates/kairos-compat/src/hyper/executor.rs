//! `HyperExecutor`: hyper spawns its background tasks (HTTP/2 streams, client connections)
//! onto Kairos.

use std::future::Future;

/// Spawns hyper's tasks on the current Kairos runtime.
///
/// # Examples
///
/// ```
/// let builder = hyper::server::conn::http2::Builder::new(kairos_compat::HyperExecutor);
/// # drop(builder);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct HyperExecutor;

impl<F> hyper::rt::Executor<F> for HyperExecutor
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    fn execute(&self, future: F) {
        drop(kairos::spawn(future));
    }
}
