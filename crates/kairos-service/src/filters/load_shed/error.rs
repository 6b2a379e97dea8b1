//! `LoadShedError`.

use std::error::Error;
use std::fmt;

/// Why a call through a [`LoadShed`](super::LoadShed) failed.
///
/// # Examples
///
/// ```
/// use kairos_service::filters::load_shed::LoadShedError;
///
/// let error: LoadShedError<std::io::Error> = LoadShedError::Overloaded;
/// assert!(error.is_shed());
/// assert_eq!(error.to_string(), "the service is busy; the call was refused without queueing");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadShedError<E> {
    /// The inner service reported `Busy`; it was not called. Retrying later, or elsewhere,
    /// may succeed.
    Overloaded,
    /// The inner service reported `Closed`; it was not called.
    Closed,
    /// The inner service failed.
    Inner(E),
}

impl<E> LoadShedError<E> {
    /// Whether the call was refused by this filter.
    pub fn is_shed(&self) -> bool {
        !matches!(self, LoadShedError::Inner(_))
    }

    /// The inner service's error, if that is what this is.
    pub fn into_inner(self) -> Option<E> {
        match self {
            LoadShedError::Inner(error) => Some(error),
            _ => None,
        }
    }
}

impl<E: fmt::Display> fmt::Display for LoadShedError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadShedError::Overloaded => {
                f.write_str("the service is busy; the call was refused without queueing")
            }
            LoadShedError::Closed => f.write_str("the service is closed; the call was refused"),
            LoadShedError::Inner(error) => error.fmt(f),
        }
    }
}

/// `Inner` is transparent: it displays as the inner error and has the inner error's
/// source.
impl<E: Error + 'static> Error for LoadShedError<E> {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            LoadShedError::Inner(error) => error.source(),
            _ => None,
        }
    }
}
