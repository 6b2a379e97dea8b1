//! The crate's error type.

use std::fmt;

/// A boxed error of any kind, as services and bodies return.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What went wrong, broadly; see [`Error::kind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Reading or writing the socket failed.
    Io,
    /// The peer sent something that is not valid HTTP/1.1 (or not allowed by a limit).
    Parse,
    /// A body broke its framing, or was cut short.
    Body,
    /// A deadline passed (connect, head, request, idle).
    Timeout,
    /// The connection or the client was closed.
    Closed,
    /// A request could not be sent as given (no host in the URI, a scheme other than
    /// `http`, an invalid header).
    InvalidRequest,
    /// A body or service returned this error.
    User,
}

/// An HTTP error: its [`kind`](Error::kind), a message, and the underlying error if any.
///
/// # Examples
///
/// ```
/// use kairos_http::{Error, ErrorKind};
///
/// let err = Error::new(ErrorKind::Timeout, "no response within 5s");
/// assert_eq!(err.kind(), ErrorKind::Timeout);
/// assert_eq!(err.to_string(), "timeout: no response within 5s");
/// ```
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    message: &'static str,
    source: Option<BoxError>,
}

impl Error {
    /// An error of `kind` with `message`.
    ///
    /// # Examples
    ///
    /// ```
    /// let err = kairos_http::Error::new(kairos_http::ErrorKind::Closed, "client closed");
    /// assert!(err.to_string().contains("client closed"));
    /// ```
    pub fn new(kind: ErrorKind, message: &'static str) -> Error {
        Error {
            kind,
            message,
            source: None,
        }
    }

    /// An error of `kind` with `message`, caused by `source`.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos_http::{Error, ErrorKind};
    ///
    /// let io = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
    /// let err = Error::with_source(ErrorKind::Io, "reading the response", io);
    /// assert!(std::error::Error::source(&err).is_some());
    /// ```
    pub fn with_source(
        kind: ErrorKind,
        message: &'static str,
        source: impl Into<BoxError>,
    ) -> Error {
        Error {
            kind,
            message,
            source: Some(source.into()),
        }
    }

    /// What went wrong, broadly.
    ///
    /// # Examples
    ///
    /// ```
    /// let err = kairos_http::Error::new(kairos_http::ErrorKind::Body, "truncated");
    /// assert_eq!(err.kind(), kairos_http::ErrorKind::Body);
    /// ```
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    pub(crate) fn io(message: &'static str, err: std::io::Error) -> Error {
        let kind = if err.kind() == std::io::ErrorKind::TimedOut {
            ErrorKind::Timeout
        } else {
            ErrorKind::Io
        };
        Error::with_source(kind, message, err)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            ErrorKind::Io => "i/o error",
            ErrorKind::Parse => "invalid HTTP",
            ErrorKind::Body => "body error",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Closed => "closed",
            ErrorKind::InvalidRequest => "invalid request",
            ErrorKind::User => "error",
        };
        write!(f, "{kind}: {}", self.message)?;
        if let Some(source) = &self.source {
            write!(f, ": {source}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as _)
    }
}
