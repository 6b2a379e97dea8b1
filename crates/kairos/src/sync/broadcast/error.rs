//! The errors of the [`broadcast`](super) channel.

use std::error::Error;
use std::fmt;

/// No receiver is alive, so the value could not be sent; it is given back.
#[derive(PartialEq, Eq, Clone, Copy)]
pub struct SendError<T>(pub T);

/// The error of [`Receiver::recv`](super::Receiver::recv).
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum RecvError {
    /// Every sender is gone and this receiver has seen every value sent.
    Closed,
    /// This receiver fell behind: the given number of values were overwritten before it
    /// read them. The next receive returns the oldest value still held.
    Lagged(u64),
}

/// The error of [`Receiver::try_recv`](super::Receiver::try_recv).
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum TryRecvError {
    /// No value this receiver has not seen is held right now; more may come.
    Empty,
    /// Every sender is gone and this receiver has seen every value sent.
    Closed,
    /// This receiver fell behind by the given number of values, as for
    /// [`RecvError::Lagged`].
    Lagged(u64),
}

impl<T> fmt::Debug for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendError").finish_non_exhaustive()
    }
}

impl<T> fmt::Display for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("channel closed: no receiver is alive")
    }
}

impl<T> Error for SendError<T> {}

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecvError::Closed => f.write_str("channel closed: every sender is gone"),
            RecvError::Lagged(n) => write!(f, "receiver lagged behind and missed {n} values"),
        }
    }
}

impl Error for RecvError {}

impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryRecvError::Empty => f.write_str("channel empty: no unseen value right now"),
            TryRecvError::Closed => f.write_str("channel closed: every sender is gone"),
            TryRecvError::Lagged(n) => {
                write!(f, "receiver lagged behind and missed {n} values")
            }
        }
    }
}

impl Error for TryRecvError {}
