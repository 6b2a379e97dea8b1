//! `Interest`: which readiness events a caller wants to wait for.

use crate::io::Ready;
use std::fmt;
use std::ops;

/// The kinds of readiness to wait for, given to `ready()` on the socket types (and to
/// `try_io` / `async_io`).
///
/// Combine interests with `|`.
///
/// # Examples
///
/// ```
/// use kairos::io::Interest;
///
/// let both = Interest::READABLE | Interest::WRITABLE;
/// assert!(both.is_readable() && both.is_writable());
/// assert!(!both.is_priority());
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Interest(u8);

const READABLE: u8 = 0b0001;
const WRITABLE: u8 = 0b0010;
const PRIORITY: u8 = 0b0100;
const ERROR: u8 = 0b1000;

impl Interest {
    /// Interest in reading: data, end of stream, or an error.
    pub const READABLE: Interest = Interest(READABLE);
    /// Interest in writing: buffer space, a closed write side, or an error.
    pub const WRITABLE: Interest = Interest(WRITABLE);
    /// Interest in priority (out-of-band) data; Linux and Android only report it.
    pub const PRIORITY: Interest = Interest(PRIORITY);
    /// Interest in error events alone.
    pub const ERROR: Interest = Interest(ERROR);

    /// Whether the interest includes reading.
    pub const fn is_readable(self) -> bool {
        self.0 & READABLE != 0
    }

    /// Whether the interest includes writing.
    pub const fn is_writable(self) -> bool {
        self.0 & WRITABLE != 0
    }

    /// Whether the interest includes priority data.
    pub const fn is_priority(self) -> bool {
        self.0 & PRIORITY != 0
    }

    /// Whether the interest includes errors.
    pub const fn is_error(self) -> bool {
        self.0 & ERROR != 0
    }

    /// Both interests together (`self | other`, usable in `const` contexts).
    #[must_use = "`add` returns the combination and leaves `self` unchanged"]
    pub const fn add(self, other: Interest) -> Interest {
        Interest(self.0 | other.0)
    }

    /// `self` without `other`; `None` if nothing is left.
    #[must_use = "`remove` returns the result and leaves `self` unchanged"]
    pub fn remove(self, other: Interest) -> Option<Interest> {
        let left = self.0 & !other.0;
        (left != 0).then_some(Interest(left))
    }

    /// The readiness bits that satisfy this interest. Closing counts as ready (the
    /// operation then reports end of stream or an error), and so does an error.
    pub(crate) fn mask(self) -> Ready {
        let mut mask = Ready::ERROR;
        if self.is_readable() {
            mask |= Ready::READABLE | Ready::READ_CLOSED;
        }
        if self.is_writable() {
            mask |= Ready::WRITABLE | Ready::WRITE_CLOSED;
        }
        if self.is_priority() {
            mask |= Ready::PRIORITY | Ready::READ_CLOSED;
        }
        mask
    }

    /// The interest registered with the operating system. Errors are always reported, so
    /// an `ERROR`-only interest registers for reading (the registration needs some kind).
    pub(crate) fn to_mio(self) -> mio::Interest {
        let mut mio = None::<mio::Interest>;
        let mut add = |interest: mio::Interest| {
            mio = Some(mio.map_or(interest, |current| current | interest));
        };
        if self.is_readable() || self.0 == ERROR {
            add(mio::Interest::READABLE);
        }
        if self.is_writable() {
            add(mio::Interest::WRITABLE);
        }
        #[cfg(any(target_os = "linux", target_os = "android"))]
        if self.is_priority() {
            add(mio::Interest::PRIORITY);
        }
        mio.unwrap_or(mio::Interest::READABLE)
    }
}

impl ops::BitOr for Interest {
    type Output = Interest;

    fn bitor(self, other: Interest) -> Interest {
        self.add(other)
    }
}

impl ops::BitOrAssign for Interest {
    fn bitor_assign(&mut self, other: Interest) {
        *self = self.add(other);
    }
}

impl fmt::Debug for Interest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = [
            (READABLE, "READABLE"),
            (WRITABLE, "WRITABLE"),
            (PRIORITY, "PRIORITY"),
            (ERROR, "ERROR"),
        ];
        let mut first = true;
        for (bit, name) in names {
            if self.0 & bit != 0 {
                if !first {
                    f.write_str(" | ")?;
                }
                f.write_str(name)?;
                first = false;
            }
        }
        Ok(())
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn masks_include_closing_and_errors() {
        let read = Interest::READABLE.mask();
        assert!(read.is_readable() && read.is_read_closed() && read.is_error());
        assert!(!read.is_writable());
        let write = Interest::WRITABLE.mask();
        assert!(write.is_writable() && write.is_write_closed() && !write.is_readable());
        assert_eq!(Interest::READABLE.remove(Interest::READABLE), None);
        assert_eq!(
            (Interest::READABLE | Interest::WRITABLE).remove(Interest::READABLE),
            Some(Interest::WRITABLE)
        );
        assert_eq!(
            format!("{:?}", Interest::READABLE | Interest::ERROR),
            "READABLE | ERROR"
        );
    }
}
