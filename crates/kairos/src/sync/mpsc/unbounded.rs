//! The unbounded channel: [`unbounded_channel`], [`UnboundedSender`],
//! [`WeakUnboundedSender`] and [`UnboundedReceiver`].

use super::chan::{self, Rx, Tx, Unbounded, WeakTx};
use super::error::{SendError, TryRecvError};
use std::fmt;
use std::task::{Context, Poll};

/// Creates a channel without a bound: sending never waits, and the queue grows as needed.
///
/// Without back-pressure a producer faster than the consumer fills memory; prefer the
/// bounded [`channel`](super::channel) unless the producer is known to be slow.
///
/// # Examples
///
/// ```
/// use kairos::sync::mpsc;
///
/// # futures::executor::block_on(async {
/// let (tx, mut rx) = mpsc::unbounded_channel();
/// tx.send(1).unwrap(); // never waits
/// assert_eq!(rx.recv().await, Some(1));
/// # });
/// ```
pub fn unbounded_channel<T>() -> (UnboundedSender<T>, UnboundedReceiver<T>) {
    let (tx, rx) = chan::channel(Unbounded::new());
    (UnboundedSender { chan: tx }, UnboundedReceiver { chan: rx })
}

/// Sends messages to an [`UnboundedReceiver`] without waiting. Cheap to clone; the
/// channel closes for the receiver once every sender is dropped.
pub struct UnboundedSender<T> {
    chan: Tx<T, Unbounded>,
}

/// An unbounded sender that does not keep the channel open. Made by
/// [`UnboundedSender::downgrade`].
pub struct WeakUnboundedSender<T> {
    chan: WeakTx<T, Unbounded>,
}

/// Receives the messages of an unbounded channel, in the order they were sent.
///
/// Dropping it closes the channel and drops the messages still queued.
pub struct UnboundedReceiver<T> {
    chan: Rx<T, Unbounded>,
}

impl<T> UnboundedSender<T> {
    /// Sends `value` without waiting.
    ///
    /// # Errors
    ///
    /// [`SendError`] with `value` inside if the receiver was dropped or closed.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::mpsc;
    ///
    /// let (tx, rx) = mpsc::unbounded_channel();
    /// tx.send(1).unwrap();
    /// drop(rx);
    /// assert_eq!(tx.send(2).unwrap_err().0, 2);
    /// ```
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        if !self.chan.capacity().try_add() {
            return Err(SendError(value));
        }
        self.chan.push(value);
        Ok(())
    }

    /// Waits until the receiver is dropped or closed.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::mpsc;
    ///
    /// # futures::executor::block_on(async {
    /// let (tx, mut rx) = mpsc::unbounded_channel::<u8>();
    /// rx.close();
    /// tx.closed().await;
    /// # });
    /// ```
    pub async fn closed(&self) {
        self.chan.closed().await
    }

    /// Whether the receiver was dropped or closed: sends fail from now on.
    pub fn is_closed(&self) -> bool {
        self.chan.is_closed()
    }

    /// Whether `other` sends on the same channel.
    pub fn same_channel(&self, other: &UnboundedSender<T>) -> bool {
        self.chan.same_channel(&other.chan)
    }

    /// A [`WeakUnboundedSender`] for this channel: it does not keep the channel open.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::mpsc;
    ///
    /// let (tx, _rx) = mpsc::unbounded_channel::<u8>();
    /// let weak = tx.downgrade();
    /// drop(tx);
    /// assert!(weak.upgrade().is_none());
    /// ```
    pub fn downgrade(&self) -> WeakUnboundedSender<T> {
        WeakUnboundedSender {
            chan: self.chan.downgrade(),
        }
    }

    /// How many [`UnboundedSender`]s of this channel are alive.
    pub fn strong_count(&self) -> usize {
        self.chan.strong_count()
    }

    /// How many [`WeakUnboundedSender`]s of this channel are alive.
    pub fn weak_count(&self) -> usize {
        self.chan.weak_count()
    }
}

impl<T> Clone for UnboundedSender<T> {
    fn clone(&self) -> UnboundedSender<T> {
        UnboundedSender {
            chan: self.chan.clone(),
        }
    }
}

impl<T> fmt::Debug for UnboundedSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnboundedSender")
            .field("chan", &self.chan)
            .finish()
    }
}

impl<T> WeakUnboundedSender<T> {
    /// An [`UnboundedSender`], if any sender of the channel is still alive.
    pub fn upgrade(&self) -> Option<UnboundedSender<T>> {
        self.chan.upgrade().map(|chan| UnboundedSender { chan })
    }

    /// How many [`UnboundedSender`]s of this channel are alive.
    pub fn strong_count(&self) -> usize {
        self.chan.strong_count()
    }

    /// How many [`WeakUnboundedSender`]s of this channel are alive.
    pub fn weak_count(&self) -> usize {
        self.chan.weak_count()
    }
}

impl<T> Clone for WeakUnboundedSender<T> {
    fn clone(&self) -> WeakUnboundedSender<T> {
        WeakUnboundedSender {
            chan: self.chan.clone(),
        }
    }
}

impl<T> fmt::Debug for WeakUnboundedSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WeakUnboundedSender")
            .field("chan", &self.chan)
            .finish()
    }
}

impl<T> UnboundedReceiver<T> {
    /// Waits for the next message; `None` once every sender is gone (or the channel was
    /// closed) and the queue is empty.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a message is only taken out of the channel when `recv` returns it.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::mpsc;
    ///
    /// # futures::executor::block_on(async {
    /// let (tx, mut rx) = mpsc::unbounded_channel();
    /// tx.send("a").unwrap();
    /// drop(tx);
    /// assert_eq!(rx.recv().await, Some("a"));
    /// assert_eq!(rx.recv().await, None);
    /// # });
    /// ```
    pub async fn recv(&mut self) -> Option<T> {
        self.chan.recv().await
    }

    /// As [`Receiver::recv_many`](super::Receiver::recv_many).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe, as [`recv`](UnboundedReceiver::recv).
    pub async fn recv_many(&mut self, buffer: &mut Vec<T>, limit: usize) -> usize {
        self.chan.recv_many(buffer, limit).await
    }

    /// As [`Receiver::try_recv`](super::Receiver::try_recv).
    ///
    /// # Errors
    ///
    /// [`TryRecvError::Empty`] or [`TryRecvError::Disconnected`].
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.chan.try_recv()
    }

    /// As [`Receiver::blocking_recv`](super::Receiver::blocking_recv).
    ///
    /// # Panics
    ///
    /// When called on a thread that is running asynchronous tasks (inside a runtime).
    #[track_caller]
    pub fn blocking_recv(&mut self) -> Option<T> {
        crate::runtime::park::block_on("mpsc::UnboundedReceiver::blocking_recv", self.chan.recv())
    }

    /// As [`Receiver::blocking_recv_many`](super::Receiver::blocking_recv_many).
    ///
    /// # Panics
    ///
    /// When called on a thread that is running asynchronous tasks (inside a runtime).
    #[track_caller]
    pub fn blocking_recv_many(&mut self, buffer: &mut Vec<T>, limit: usize) -> usize {
        let recv_many = self.chan.recv_many(buffer, limit);
        crate::runtime::park::block_on("mpsc::UnboundedReceiver::blocking_recv_many", recv_many)
    }

    /// As [`Receiver::close`](super::Receiver::close): sends fail from now on, queued
    /// messages can still be received.
    pub fn close(&mut self) {
        self.chan.close();
    }

    /// As [`Receiver::is_closed`](super::Receiver::is_closed).
    pub fn is_closed(&self) -> bool {
        self.chan.is_closed()
    }

    /// Whether no message is queued right now.
    pub fn is_empty(&self) -> bool {
        self.chan.len() == 0
    }

    /// How many messages are queued right now.
    pub fn len(&self) -> usize {
        self.chan.len()
    }

    /// As [`Receiver::poll_recv`](super::Receiver::poll_recv).
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.chan.poll_recv(cx)
    }

    /// As [`Receiver::poll_recv_many`](super::Receiver::poll_recv_many).
    pub fn poll_recv_many(
        &mut self,
        cx: &mut Context<'_>,
        buffer: &mut Vec<T>,
        limit: usize,
    ) -> Poll<usize> {
        self.chan.poll_recv_many(cx, buffer, limit)
    }

    /// How many [`UnboundedSender`]s of the channel are alive.
    pub fn sender_strong_count(&self) -> usize {
        self.chan.sender_strong_count()
    }

    /// How many [`WeakUnboundedSender`]s of the channel are alive.
    pub fn sender_weak_count(&self) -> usize {
        self.chan.sender_weak_count()
    }
}

impl<T> fmt::Debug for UnboundedReceiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnboundedReceiver")
            .field("chan", &self.chan)
            .finish()
    }
}
