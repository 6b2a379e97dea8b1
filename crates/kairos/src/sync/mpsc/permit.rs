//! Room reserved in a bounded channel: [`Permit`], [`PermitIterator`] and
//! [`OwnedPermit`]. Sending through one never waits; dropping one gives the room back.

use super::chan::{Bounded, Tx};
use super::Sender;
use std::fmt;

/// Room for one message, reserved by [`Sender::reserve`].
#[must_use = "the reserved room is given back as soon as the permit is dropped"]
pub struct Permit<'a, T> {
    chan: &'a Tx<T, Bounded>,
}

/// Room for several messages, reserved by [`Sender::reserve_many`]; yields one
/// [`Permit`] per message. Room not taken out is given back when it is dropped.
#[must_use = "the reserved room is given back as soon as the iterator is dropped"]
pub struct PermitIterator<'a, T> {
    chan: &'a Tx<T, Bounded>,
    left: usize,
}

/// Room for one message that owns its [`Sender`], reserved by
/// [`Sender::reserve_owned`].
#[must_use = "the reserved room is given back as soon as the permit is dropped"]
pub struct OwnedPermit<T> {
    /// `None` once the permit is used.
    chan: Option<Tx<T, Bounded>>,
}

impl<'a, T> Permit<'a, T> {
    pub(super) fn new(chan: &'a Tx<T, Bounded>) -> Permit<'a, T> {
        Permit { chan }
    }

    /// Sends `value` into the reserved room, without waiting.
    ///
    /// If the receiver was dropped meanwhile, `value` is dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::mpsc;
    ///
    /// let (tx, mut rx) = mpsc::channel(1);
    /// tx.try_reserve().unwrap().send(5);
    /// assert_eq!(rx.try_recv(), Ok(5));
    /// ```
    pub fn send(self, value: T) {
        self.chan.push(value);
        // The room now holds the message: the receiver gives it back when taking it.
        std::mem::forget(self);
    }
}

impl<T> Drop for Permit<'_, T> {
    fn drop(&mut self) {
        self.chan.release_unused(1);
    }
}

impl<T> fmt::Debug for Permit<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Permit").finish_non_exhaustive()
    }
}

impl<'a, T> PermitIterator<'a, T> {
    pub(super) fn new(chan: &'a Tx<T, Bounded>, left: usize) -> PermitIterator<'a, T> {
        PermitIterator { chan, left }
    }
}

impl<'a, T> Iterator for PermitIterator<'a, T> {
    type Item = Permit<'a, T>;

    fn next(&mut self) -> Option<Permit<'a, T>> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        Some(Permit::new(self.chan))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl<T> ExactSizeIterator for PermitIterator<'_, T> {}

impl<T> std::iter::FusedIterator for PermitIterator<'_, T> {}

impl<T> Drop for PermitIterator<'_, T> {
    fn drop(&mut self) {
        if self.left > 0 {
            self.chan.release_unused(self.left);
        }
    }
}

impl<T> fmt::Debug for PermitIterator<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PermitIterator")
            .field("left", &self.left)
            .finish_non_exhaustive()
    }
}

impl<T> OwnedPermit<T> {
    pub(super) fn new(sender: Sender<T>) -> OwnedPermit<T> {
        OwnedPermit {
            chan: Some(sender.into_tx()),
        }
    }

    /// Sends `value` into the reserved room, without waiting, and gives the sender back.
    ///
    /// If the receiver was dropped meanwhile, `value` is dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::mpsc;
    ///
    /// let (tx, mut rx) = mpsc::channel(1);
    /// let tx = tx.try_reserve_owned().unwrap().send(1);
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// assert_eq!(tx.capacity(), 1);
    /// ```
    pub fn send(mut self, value: T) -> Sender<T> {
        let chan = self.chan.take().expect("an owned permit is used once");
        chan.push(value);
        Sender::from_tx(chan)
    }

    /// Gives the reserved room back without sending, and returns the sender.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::mpsc;
    ///
    /// let (tx, _rx) = mpsc::channel::<u8>(1);
    /// let tx = tx.try_reserve_owned().unwrap().release();
    /// assert_eq!(tx.capacity(), 1);
    /// ```
    pub fn release(mut self) -> Sender<T> {
        let chan = self.chan.take().expect("an owned permit is used once");
        chan.release_unused(1);
        Sender::from_tx(chan)
    }
}

impl<T> Drop for OwnedPermit<T> {
    fn drop(&mut self) {
        if let Some(chan) = self.chan.take() {
            chan.release_unused(1);
        }
    }
}

impl<T> fmt::Debug for OwnedPermit<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedPermit").finish_non_exhaustive()
    }
}
