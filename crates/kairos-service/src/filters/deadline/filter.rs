//! `DeadlineFilter`.

use super::Deadline;
use crate::{Compose, Filter};

/// Puts the deadline read from each request in force; see the [module docs](super).
///
/// # Examples
///
/// ```
/// use kairos::time::{Duration, Instant};
/// use kairos_service::filters::deadline::DeadlineFilter;
/// use kairos_service::filters::{timeout::TimeoutError, TimeoutFilter};
/// use kairos_service::{service_fn, Compose, Service};
///
/// struct Request {
///     budget_ms: Option<u64>, // what the client sent, e.g. in a header
/// }
///
/// #[kairos::main(flavor = "current_thread", start_paused = true)]
/// async fn main() {
///     let slow = service_fn(|_: Request| async {
///         kairos::time::sleep(Duration::from_secs(60)).await;
///         Ok::<_, ()>(())
///     });
///     let service = DeadlineFilter::new(|req: &Request| {
///         req.budget_ms.map(|ms| Instant::now() + Duration::from_millis(ms))
///     })
///     .and_then(TimeoutFilter::new(Duration::from_secs(30)))
///     .and_then(slow);
///     let start = Instant::now();
///     let result = service.call(Request { budget_ms: Some(200) }).await;
///     assert_eq!(result, Err(TimeoutError::DeadlineExceeded));
///     assert_eq!(start.elapsed(), Duration::from_millis(200));
/// }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct DeadlineFilter<F> {
    read: F,
}

impl<F> DeadlineFilter<F> {
    /// Reads each request's deadline with `read`, a `Fn(&Req) -> Option<Instant>`.
    pub fn new(read: F) -> DeadlineFilter<F> {
        DeadlineFilter { read }
    }
}

impl<F> Compose for DeadlineFilter<F> {}

impl<S, F: Clone> Filter<S> for DeadlineFilter<F> {
    type Service = Deadline<S, F>;

    fn wrap(&self, inner: S) -> Deadline<S, F> {
        Deadline::new(inner, self.read.clone())
    }
}
