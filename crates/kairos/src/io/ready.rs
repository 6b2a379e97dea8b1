//! `Ready`: the readiness the driver observed on an I/O resource.

use std::fmt;
use std::ops;

/// Which operations an I/O resource is ready for, as reported by `ready()` on the socket
/// types.
///
/// Readiness is a hint: an operation attempted on a "ready" resource may still find
/// nothing to do (`WouldBlock`), after which the readiness is cleared and the next wait
/// blocks until the operating system reports a new event.
///
/// # Examples
///
/// ```
/// use kairos::io::Ready;
///
/// let ready = Ready::READABLE | Ready::READ_CLOSED;
/// assert!(ready.is_readable());
/// assert!(ready.is_read_closed());
/// assert!(!ready.is_writable());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ready(u8);

const READABLE: u8 = 0b00_0001;
const WRITABLE: u8 = 0b00_0010;
const READ_CLOSED: u8 = 0b00_0100;
const WRITE_CLOSED: u8 = 0b00_1000;
const PRIORITY: u8 = 0b01_0000;
const ERROR: u8 = 0b10_0000;

impl Ready {
    /// No readiness.
    pub const EMPTY: Ready = Ready(0);
    /// Data (or a connection, for a listener) can be read.
    pub const READABLE: Ready = Ready(READABLE);
    /// Data can be written.
    pub const WRITABLE: Ready = Ready(WRITABLE);
    /// The read side is closed: reads return end of stream (or an error).
    pub const READ_CLOSED: Ready = Ready(READ_CLOSED);
    /// The write side is closed: writes fail.
    pub const WRITE_CLOSED: Ready = Ready(WRITE_CLOSED);
    /// Priority (out-of-band) data can be read.
    pub const PRIORITY: Ready = Ready(PRIORITY);
    /// An error is pending on the resource.
    pub const ERROR: Ready = Ready(ERROR);
    /// Every kind of readiness.
    pub const ALL: Ready =
        Ready(READABLE | WRITABLE | READ_CLOSED | WRITE_CLOSED | PRIORITY | ERROR);

    /// Whether nothing is ready.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether a read may proceed: data, or a closed read side (end of stream).
    pub const fn is_readable(self) -> bool {
        self.0 & (READABLE | READ_CLOSED) != 0
    }

    /// Whether a write may proceed: room, or a closed write side (the write fails).
    pub const fn is_writable(self) -> bool {
        self.0 & (WRITABLE | WRITE_CLOSED) != 0
    }

    /// Whether the read side is closed.
    pub const fn is_read_closed(self) -> bool {
        self.0 & READ_CLOSED != 0
    }

    /// Whether the write side is closed.
    pub const fn is_write_closed(self) -> bool {
        self.0 & WRITE_CLOSED != 0
    }

    /// Whether priority data is ready.
    pub const fn is_priority(self) -> bool {
        self.0 & PRIORITY != 0
    }

    /// Whether an error is pending.
    pub const fn is_error(self) -> bool {
        self.0 & ERROR != 0
    }

    /// Whether any bit of `other` is set in `self`.
    pub(crate) const fn intersects(self, other: Ready) -> bool {
        self.0 & other.0 != 0
    }

    /// The bits as stored in the readiness word.
    pub(crate) const fn as_bits(self) -> usize {
        self.0 as usize
    }

    /// Readiness from the low bits of the readiness word.
    pub(crate) const fn from_bits(bits: usize) -> Ready {
        Ready((bits & Ready::ALL.0 as usize) as u8)
    }

    /// What a `mio` event reports.
    pub(crate) fn from_mio(event: &mio::event::Event) -> Ready {
        let mut ready = Ready::EMPTY;
        if event.is_readable() {
            ready |= Ready::READABLE;
        }
        if event.is_writable() {
            ready |= Ready::WRITABLE;
        }
        if event.is_read_closed() {
            ready |= Ready::READ_CLOSED;
        }
        if event.is_write_closed() {
            ready |= Ready::WRITE_CLOSED;
        }
        if event.is_priority() {
            ready |= Ready::PRIORITY;
        }
        if event.is_error() {
            ready |= Ready::ERROR;
        }
        ready
    }
}

impl ops::BitOr for Ready {
    type Output = Ready;

    fn bitor(self, other: Ready) -> Ready {
        Ready(self.0 | other.0)
    }
}

impl ops::BitOrAssign for Ready {
    fn bitor_assign(&mut self, other: Ready) {
        self.0 |= other.0;
    }
}

impl ops::BitAnd for Ready {
    type Output = Ready;

    fn bitand(self, other: Ready) -> Ready {
        Ready(self.0 & other.0)
    }
}

impl ops::Sub for Ready {
    type Output = Ready;

    fn sub(self, other: Ready) -> Ready {
        Ready(self.0 & !other.0)
    }
}

impl fmt::Debug for Ready {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ready")
            .field("is_readable", &self.is_readable())
            .field("is_writable", &self.is_writable())
            .field("is_read_closed", &self.is_read_closed())
            .field("is_write_closed", &self.is_write_closed())
            .field("is_priority", &self.is_priority())
            .field("is_error", &self.is_error())
            .finish()
    }
}
