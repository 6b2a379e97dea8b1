//! The errors of the [`oneshot`](super) channel.

use std::error::Error;
use std::fmt;

/// The sender was dropped without sending a value (or the receiver was closed first).
///
/// The error of awaiting a [`Receiver`](super::Receiver).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecvError(pub(super) ());

/// The error of [`Receiver::try_recv`](super::Receiver::try_recv).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TryRecvError {
    /// No value was sent yet; one may still come.
    Empty,
    /// No value will come: the sender was dropped, the receiver closed before a value
    /// arrived, or the value was already received.
    Closed,
}

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("channel closed: the sender was dropped without sending")
    }
}

impl Error for RecvError {}

impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryRecvError::Empty => f.write_str("channel empty: no value was sent yet"),
            TryRecvError::Closed => f.write_str("channel closed: no value will be received"),
        }
    }
}

impl Error for TryRecvError {}
