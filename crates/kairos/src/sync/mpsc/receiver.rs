//! The receiving side of the bounded channel: [`Receiver`].

use super::chan::{Bounded, Rx};
use super::error::TryRecvError;
use std::fmt;
use std::task::{Context, Poll};

/// Receives the messages of a bounded channel, in the order they were sent.
///
/// Made by [`channel`](super::channel). Dropping it closes the channel (sends fail from
/// then on) and drops the messages still queued.
pub struct Receiver<T> {
    chan: Rx<T, Bounded>,
}

impl<T> Receiver<T> {
    pub(super) fn new(chan: Rx<T, Bounded>) -> Receiver<T> {
        Receiver { chan }
    }

    /// Waits for the next message; `None` once every sender is gone (or the channel was
    /// closed) and the queue is empty.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a message is only taken out of the channel when `recv` returns it, so
    /// dropping a pending `recv` (a losing `select!` branch, say) loses nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::mpsc;
    ///
    /// # kairos::runtime::Runtime::new().unwrap().block_on(async {
    /// let (tx, mut rx) = mpsc::channel(4);
    /// kairos::spawn(async move {
    ///     tx.send("one").await.unwrap();
    ///     tx.send("two").await.unwrap();
    /// });
    /// assert_eq!(rx.recv().await, Some("one"));
    /// assert_eq!(rx.recv().await, Some("two"));
    /// assert_eq!(rx.recv().await, None); // the sender is gone
    /// # });
    /// ```
    pub async fn recv(&mut self) -> Option<T> {
        self.chan.recv().await
    }

    /// Waits for messages and moves up to `limit` of them into `buffer` at once, returning
    /// how many it moved; 0 once the channel has ended, or if `limit` is 0.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe, as [`recv`](Receiver::recv).
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::mpsc;
    ///
    /// # futures::executor::block_on(async {
    /// let (tx, mut rx) = mpsc::channel(8);
    /// for i in 0..5 {
    ///     tx.send(i).await.unwrap();
    /// }
    /// let mut buffer = Vec::new();
    /// assert_eq!(rx.recv_many(&mut buffer, 3).await, 3);
    /// assert_eq!(rx.recv_many(&mut buffer, 3).await, 2);
    /// assert_eq!(buffer, [0, 1, 2, 3, 4]);
    /// # });
    /// ```
    pub async fn recv_many(&mut self, buffer: &mut Vec<T>, limit: usize) -> usize {
        self.chan.recv_many(buffer, limit).await
    }

    /// Takes the next message if one is queued, without waiting.
    ///
    /// # Errors
    ///
    /// [`TryRecvError::Empty`] if no message is queued right now,
    /// [`TryRecvError::Disconnected`] if none will come any more.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::mpsc::{self, error::TryRecvError};
    ///
    /// let (tx, mut rx) = mpsc::channel(1);
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// tx.try_send(1).unwrap();
    /// drop(tx);
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.chan.try_recv()
    }

    /// Waits for the next message from synchronous code, blocking the thread.
    ///
    /// # Panics
    ///
    /// When called on a thread that is running asynchronous tasks (inside a runtime).
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::mpsc;
    ///
    /// let (tx, mut rx) = mpsc::channel(1);
    /// std::thread::spawn(move || tx.blocking_send(4).unwrap());
    /// assert_eq!(rx.blocking_recv(), Some(4));
    /// ```
    #[track_caller]
    pub fn blocking_recv(&mut self) -> Option<T> {
        crate::runtime::park::block_on("mpsc::Receiver::blocking_recv", self.chan.recv())
    }

    /// As [`recv_many`](Receiver::recv_many), blocking the thread.
    ///
    /// # Panics
    ///
    /// When called on a thread that is running asynchronous tasks (inside a runtime).
    #[track_caller]
    pub fn blocking_recv_many(&mut self, buffer: &mut Vec<T>, limit: usize) -> usize {
        crate::runtime::park::block_on(
            "mpsc::Receiver::blocking_recv_many",
            self.chan.recv_many(buffer, limit),
        )
    }

    /// Closes the channel without dropping the receiver: sends and reservations fail from
    /// now on, but messages already sent, and those sent through permits reserved before,
    /// can still be received.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::mpsc;
    ///
    /// # futures::executor::block_on(async {
    /// let (tx, mut rx) = mpsc::channel(2);
    /// tx.send(1).await.unwrap();
    /// rx.close();
    /// assert!(tx.send(2).await.is_err());
    /// assert_eq!(rx.recv().await, Some(1));
    /// assert_eq!(rx.recv().await, None);
    /// # });
    /// ```
    pub fn close(&mut self) {
        self.chan.close();
    }

    /// Whether no more messages can be sent: every sender is gone, or the channel was
    /// closed. Queued messages may still be waiting.
    pub fn is_closed(&self) -> bool {
        self.chan.is_closed()
    }

    /// Whether no message is queued right now.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many messages are queued right now.
    pub fn len(&self) -> usize {
        self.chan.len()
    }

    /// The room left in the channel right now.
    pub fn capacity(&self) -> usize {
        self.chan.capacity().semaphore.available_permits()
    }

    /// The room in the channel when it is empty.
    pub fn max_capacity(&self) -> usize {
        self.chan.capacity().bound
    }

    /// Polls for the next message: the poll-based form of [`recv`](Receiver::recv), for
    /// hand-written futures and streams.
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.chan.poll_recv(cx)
    }

    /// The poll-based form of [`recv_many`](Receiver::recv_many).
    pub fn poll_recv_many(
        &mut self,
        cx: &mut Context<'_>,
        buffer: &mut Vec<T>,
        limit: usize,
    ) -> Poll<usize> {
        self.chan.poll_recv_many(cx, buffer, limit)
    }

    /// How many [`Sender`](super::Sender)s of the channel are alive.
    pub fn sender_strong_count(&self) -> usize {
        self.chan.sender_strong_count()
    }

    /// How many [`WeakSender`](super::WeakSender)s of the channel are alive.
    pub fn sender_weak_count(&self) -> usize {
        self.chan.sender_weak_count()
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("chan", &self.chan)
            .finish()
    }
}
