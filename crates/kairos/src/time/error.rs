//! Time errors.

use std::error::Error;
use std::fmt;
use std::io;

/// The error of a [`timeout`](crate::time::timeout) whose deadline passed first.
///
/// # Examples
///
/// ```
/// use kairos::time::{timeout, Duration};
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let result = timeout(Duration::from_millis(1), std::future::pending::<()>()).await;
/// let err = result.unwrap_err();
/// assert_eq!(err.to_string(), "deadline has elapsed");
/// let io_err: std::io::Error = err.into();
/// assert_eq!(io_err.kind(), std::io::ErrorKind::TimedOut);
/// # });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed(());

impl Elapsed {
    pub(crate) fn new() -> Elapsed {
        Elapsed(())
    }
}

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl Error for Elapsed {}

impl From<Elapsed> for io::Error {
    fn from(elapsed: Elapsed) -> io::Error {
        io::Error::new(io::ErrorKind::TimedOut, elapsed)
    }
}
