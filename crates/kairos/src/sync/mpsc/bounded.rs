//! The sending side of the bounded channel: [`channel`], [`Sender`] and [`WeakSender`].

use super::chan::{self, Bounded, Tx, WeakTx};
use super::error::{SendError, SendTimeoutError, TrySendError};
use super::{OwnedPermit, Permit, PermitIterator, Receiver};
use crate::sync::batch_semaphore::{BatchSemaphore, TryAcquireError, MAX_PERMITS};
use std::fmt;

/// Creates a bounded channel holding at most `buffer` messages: senders wait (or get
/// [`TrySendError::Full`]) while it is full, which pushes back on fast producers.
///
/// # Panics
///
/// If `buffer` is 0, or larger than `usize::MAX >> 3`.
///
/// # Examples
///
/// ```
/// use kairos::sync::mpsc;
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let (tx, mut rx) = mpsc::channel(8);
/// for i in 0..3 {
///     let tx = tx.clone();
///     kairos::spawn(async move { tx.send(i).await.unwrap() });
/// }
/// drop(tx);
/// let mut received = Vec::new();
/// while let Some(value) = rx.recv().await {
///     received.push(value);
/// }
/// received.sort();
/// assert_eq!(received, [0, 1, 2]);
/// # });
/// ```
#[track_caller]
pub fn channel<T>(buffer: usize) -> (Sender<T>, Receiver<T>) {
    assert!(
        buffer > 0,
        "an mpsc bounded channel needs a buffer of at least 1"
    );
    assert!(
        buffer <= MAX_PERMITS,
        "an mpsc bounded channel holds at most {MAX_PERMITS} messages"
    );
    let capacity = Bounded {
        semaphore: BatchSemaphore::new(buffer),
        bound: buffer,
    };
    let (tx, rx) = chan::channel(capacity);
    (Sender { chan: tx }, Receiver::new(rx))
}

/// Sends messages to the [`Receiver`] of a bounded channel. Cheap to clone; the channel
/// closes for the receiver once every sender is dropped.
pub struct Sender<T> {
    chan: Tx<T, Bounded>,
}

/// A sender that does not keep the channel open: [`upgrade`](WeakSender::upgrade) it to
/// send. Made by [`Sender::downgrade`].
pub struct WeakSender<T> {
    chan: WeakTx<T, Bounded>,
}

impl<T> Sender<T> {
    pub(super) fn from_tx(chan: Tx<T, Bounded>) -> Sender<T> {
        Sender { chan }
    }

    pub(super) fn into_tx(self) -> Tx<T, Bounded> {
        self.chan
    }

    /// Sends `value`, waiting for room in the channel if it is full.
    ///
    /// Senders waiting for room are served in the order they started waiting.
    ///
    /// # Errors
    ///
    /// [`SendError`] with `value` inside if the receiver was dropped or closed.
    ///
    /// # Cancel safety
    ///
    /// If the future is dropped before it completes, the value was not sent, and it is
    /// dropped with the future (it is lost). Use [`reserve`](Sender::reserve) first to keep
    /// the value when waiting may be cancelled: `reserve` is cancel safe.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::mpsc;
    ///
    /// # futures::executor::block_on(async {
    /// let (tx, mut rx) = mpsc::channel(1);
    /// tx.send("hello").await.unwrap();
    /// assert_eq!(rx.recv().await, Some("hello"));
    /// # });
    /// ```
    pub async fn send(&self, value: T) -> Result<(), SendError<T>> {
        match self.reserve().await {
            Ok(permit) => {
                permit.send(value);
                Ok(())
            }
            Err(_) => Err(SendError(value)),
        }
    }

    /// Sends `value`, waiting at most `timeout` for room in the channel.
    ///
    /// # Errors
    ///
    /// [`SendTimeoutError::Timeout`] if no room came within `timeout`,
    /// [`SendTimeoutError::Closed`] if the receiver was dropped or closed; both give
    /// `value` back.
    ///
    /// # Panics
    ///
    /// Outside a Kairos runtime, or on one built without `enable_time`.
    ///
    /// # Cancel safety
    ///
    /// As [`send`](Sender::send): dropping the future before it completes drops `value`.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::mpsc::{self, error::SendTimeoutError};
    /// use std::time::Duration;
    ///
    /// # kairos::runtime::Runtime::new().unwrap().block_on(async {
    /// let (tx, mut rx) = mpsc::channel(1);
    /// tx.send(1).await.unwrap();
    /// // Full, and nobody receives: the second message comes back after 10 ms.
    /// let err = tx.send_timeout(2, Duration::from_millis(10)).await.unwrap_err();
    /// assert!(matches!(err, SendTimeoutError::Timeout(2)));
    /// assert_eq!(rx.recv().await, Some(1));
    /// # });
    /// ```
    pub async fn send_timeout(
        &self,
        value: T,
        timeout: std::time::Duration,
    ) -> Result<(), SendTimeoutError<T>> {
        match crate::time::timeout(timeout, self.reserve()).await {
            Ok(Ok(permit)) => {
                permit.send(value);
                Ok(())
            }
            Ok(Err(_)) => Err(SendTimeoutError::Closed(value)),
            Err(_) => Err(SendTimeoutError::Timeout(value)),
        }
    }

    /// Sends `value` if there is room right now.
    ///
    /// # Errors
    ///
    /// [`TrySendError::Full`] if the channel is full (or senders are queued for room),
    /// [`TrySendError::Closed`] if the receiver was dropped or closed; both give `value`
    /// back.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::mpsc::{self, error::TrySendError};
    ///
    /// let (tx, _rx) = mpsc::channel(1);
    /// tx.try_send(1).unwrap();
    /// assert!(matches!(tx.try_send(2), Err(TrySendError::Full(2))));
    /// ```
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        match self.try_reserve() {
            Ok(permit) => {
                permit.send(value);
                Ok(())
            }
            Err(TrySendError::Full(())) => Err(TrySendError::Full(value)),
            Err(TrySendError::Closed(())) => Err(TrySendError::Closed(value)),
        }
    }

    /// Sends `value` from synchronous code, blocking the thread while the channel is full.
    ///
    /// # Errors
    ///
    /// [`SendError`] with `value` inside if the receiver was dropped or closed.
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
    /// let producer = std::thread::spawn(move || {
    ///     for i in 0..3 {
    ///         tx.blocking_send(i).unwrap();
    ///     }
    /// });
    /// let received: Vec<_> = std::iter::from_fn(|| rx.blocking_recv()).collect();
    /// assert_eq!(received, [0, 1, 2]);
    /// producer.join().unwrap();
    /// ```
    #[track_caller]
    pub fn blocking_send(&self, value: T) -> Result<(), SendError<T>> {
        crate::runtime::park::block_on("mpsc::Sender::blocking_send", self.send(value))
    }

    /// Waits for room for one message and reserves it: the returned [`Permit`] sends
    /// without waiting, or gives the room back when dropped.
    ///
    /// # Errors
    ///
    /// [`SendError`] if the receiver was dropped or closed.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: room reserved for a dropped `reserve` goes to the next waiting sender.
    /// It loses its place in the queue.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::mpsc;
    ///
    /// # futures::executor::block_on(async {
    /// let (tx, mut rx) = mpsc::channel(1);
    /// let permit = tx.reserve().await.unwrap();
    /// assert!(tx.try_send(1).is_err()); // the only slot is reserved
    /// permit.send(2);
    /// assert_eq!(rx.recv().await, Some(2));
    /// # });
    /// ```
    pub async fn reserve(&self) -> Result<Permit<'_, T>, SendError<()>> {
        self.acquire(1).await?;
        Ok(Permit::new(&self.chan))
    }

    /// Waits for room for `n` messages and reserves it all at once.
    ///
    /// # Errors
    ///
    /// [`SendError`] if the receiver was dropped or closed, or if `n` exceeds the
    /// channel's [`max_capacity`](Sender::max_capacity) (it could never be granted).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe, as [`reserve`](Sender::reserve).
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::mpsc;
    ///
    /// # futures::executor::block_on(async {
    /// let (tx, mut rx) = mpsc::channel(4);
    /// for (permit, value) in tx.reserve_many(2).await.unwrap().zip(["a", "b"]) {
    ///     permit.send(value);
    /// }
    /// assert_eq!(rx.recv().await, Some("a"));
    /// assert_eq!(rx.recv().await, Some("b"));
    /// # });
    /// ```
    pub async fn reserve_many(&self, n: usize) -> Result<PermitIterator<'_, T>, SendError<()>> {
        if n > self.max_capacity() {
            return Err(SendError(()));
        }
        self.acquire(n).await?;
        Ok(PermitIterator::new(&self.chan, n))
    }

    /// Reserves room for one message, if there is some right now.
    ///
    /// # Errors
    ///
    /// [`TrySendError::Full`] if the channel is full, [`TrySendError::Closed`] if the
    /// receiver was dropped or closed.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::mpsc;
    ///
    /// let (tx, _rx) = mpsc::channel::<u8>(1);
    /// let permit = tx.try_reserve().unwrap();
    /// assert!(tx.try_reserve().is_err());
    /// drop(permit);
    /// assert!(tx.try_reserve().is_ok());
    /// ```
    pub fn try_reserve(&self) -> Result<Permit<'_, T>, TrySendError<()>> {
        self.try_acquire(1)?;
        Ok(Permit::new(&self.chan))
    }

    /// Reserves room for `n` messages, if there is that much right now.
    ///
    /// # Errors
    ///
    /// [`TrySendError::Full`] if there is not enough room (or `n` exceeds the channel's
    /// capacity), [`TrySendError::Closed`] if the receiver was dropped or closed.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::mpsc;
    ///
    /// let (tx, _rx) = mpsc::channel::<u8>(2);
    /// assert_eq!(tx.try_reserve_many(2).unwrap().len(), 2);
    /// assert!(tx.try_reserve_many(3).is_err());
    /// ```
    pub fn try_reserve_many(&self, n: usize) -> Result<PermitIterator<'_, T>, TrySendError<()>> {
        if n > self.max_capacity() {
            return Err(TrySendError::Full(()));
        }
        self.try_acquire(n)?;
        Ok(PermitIterator::new(&self.chan, n))
    }

    /// Like [`reserve`](Sender::reserve), but the permit owns this sender, so it can move
    /// into another task; sending through it gives the sender back.
    ///
    /// # Errors
    ///
    /// [`SendError`] with the sender inside if the receiver was dropped or closed.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe, as [`reserve`](Sender::reserve); the sender is dropped with the future.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::mpsc;
    ///
    /// # futures::executor::block_on(async {
    /// let (tx, mut rx) = mpsc::channel(1);
    /// let permit = tx.reserve_owned().await.unwrap();
    /// let tx = permit.send(1);
    /// assert_eq!(rx.recv().await, Some(1));
    /// tx.send(2).await.unwrap();
    /// # });
    /// ```
    pub async fn reserve_owned(self) -> Result<OwnedPermit<T>, SendError<Self>> {
        match self.acquire(1).await {
            Ok(()) => Ok(OwnedPermit::new(self)),
            Err(_) => Err(SendError(self)),
        }
    }

    /// Like [`try_reserve`](Sender::try_reserve), with a permit that owns this sender.
    ///
    /// # Errors
    ///
    /// [`TrySendError::Full`] or [`TrySendError::Closed`], with the sender inside.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::mpsc;
    ///
    /// let (tx, _rx) = mpsc::channel::<u8>(1);
    /// let permit = tx.clone().try_reserve_owned().unwrap();
    /// assert!(tx.try_reserve_owned().is_err());
    /// let _tx = permit.release();
    /// ```
    pub fn try_reserve_owned(self) -> Result<OwnedPermit<T>, TrySendError<Self>> {
        match self.try_acquire(1) {
            Ok(()) => Ok(OwnedPermit::new(self)),
            Err(TrySendError::Full(())) => Err(TrySendError::Full(self)),
            Err(TrySendError::Closed(())) => Err(TrySendError::Closed(self)),
        }
    }

    /// Waits until the receiver is dropped or closed, to stop producing messages nobody
    /// will read.
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
    /// let (tx, rx) = mpsc::channel::<u8>(1);
    /// drop(rx);
    /// tx.closed().await;
    /// assert!(tx.is_closed());
    /// # });
    /// ```
    pub async fn closed(&self) {
        self.chan.closed().await
    }

    /// Whether the receiver was dropped or closed: sends fail from now on.
    pub fn is_closed(&self) -> bool {
        self.chan.is_closed()
    }

    /// The room left in the channel right now.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::mpsc;
    ///
    /// let (tx, _rx) = mpsc::channel(3);
    /// tx.try_send(()).unwrap();
    /// assert_eq!((tx.capacity(), tx.max_capacity()), (2, 3));
    /// ```
    pub fn capacity(&self) -> usize {
        self.chan.capacity().semaphore.available_permits()
    }

    /// The room in the channel when it is empty: the `buffer` it was created with.
    pub fn max_capacity(&self) -> usize {
        self.chan.capacity().bound
    }

    /// Whether `other` sends on the same channel.
    pub fn same_channel(&self, other: &Sender<T>) -> bool {
        self.chan.same_channel(&other.chan)
    }

    /// A [`WeakSender`] for this channel: it does not keep the channel open.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::mpsc;
    ///
    /// let (tx, _rx) = mpsc::channel::<u8>(1);
    /// let weak = tx.downgrade();
    /// assert!(weak.upgrade().is_some());
    /// drop(tx);
    /// assert!(weak.upgrade().is_none());
    /// ```
    pub fn downgrade(&self) -> WeakSender<T> {
        WeakSender {
            chan: self.chan.downgrade(),
        }
    }

    /// How many [`Sender`]s (and [`OwnedPermit`]s) of this channel are alive.
    pub fn strong_count(&self) -> usize {
        self.chan.strong_count()
    }

    /// How many [`WeakSender`]s of this channel are alive.
    pub fn weak_count(&self) -> usize {
        self.chan.weak_count()
    }

    async fn acquire(&self, n: usize) -> Result<(), SendError<()>> {
        self.chan.reserve(n).await.map_err(|_| SendError(()))
    }

    fn try_acquire(&self, n: usize) -> Result<(), TrySendError<()>> {
        match self.chan.capacity().semaphore.try_acquire(n) {
            Ok(()) => Ok(()),
            Err(TryAcquireError::NoPermits) => Err(TrySendError::Full(())),
            Err(TryAcquireError::Closed) => Err(TrySendError::Closed(())),
        }
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Sender<T> {
        Sender {
            chan: self.chan.clone(),
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender").field("chan", &self.chan).finish()
    }
}

impl<T> WeakSender<T> {
    /// A [`Sender`], if any sender of the channel is still alive.
    pub fn upgrade(&self) -> Option<Sender<T>> {
        self.chan.upgrade().map(|chan| Sender { chan })
    }

    /// How many [`Sender`]s of this channel are alive.
    pub fn strong_count(&self) -> usize {
        self.chan.strong_count()
    }

    /// How many [`WeakSender`]s of this channel are alive.
    pub fn weak_count(&self) -> usize {
        self.chan.weak_count()
    }
}

impl<T> Clone for WeakSender<T> {
    fn clone(&self) -> WeakSender<T> {
        WeakSender {
            chan: self.chan.clone(),
        }
    }
}

impl<T> fmt::Debug for WeakSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WeakSender")
            .field("chan", &self.chan)
            .finish()
    }
}
