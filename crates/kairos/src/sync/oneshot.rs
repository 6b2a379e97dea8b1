//! A channel for sending a single value from one task to another.
//!
//! [`channel`] returns a [`Sender`] and a [`Receiver`]. The sender sends at most one value
//! with [`Sender::send`] (which never waits); the receiver is a future that resolves to
//! that value, or to [`RecvError`] if the sender was dropped without
//! sending.
//!
//! # Examples
//!
//! ```
//! use kairos::sync::oneshot;
//!
//! # kairos::runtime::Runtime::new().unwrap().block_on(async {
//! let (tx, rx) = oneshot::channel();
//! kairos::spawn(async move {
//!     tx.send("done").unwrap();
//! });
//! assert_eq!(rx.await, Ok("done"));
//! # });
//! ```
//!
//! # The protocol
//!
//! Both halves share one allocation: the value slot, the receiver's waker, the sender's
//! waker (for [`Sender::closed`]) and a state word:
//!
//! ```text
//!  bit RX_WAKER  the receiver's waker is stored and lent to the sender
//!  bit COMPLETE  the sender is done: the slot holds its value, or it was dropped unsent
//!  bit CLOSED    the receiver is closed (by `close` or drop): no value may be stored
//!  bit TX_WAKER  the sender's waker is stored and lent to the receiver
//! ```
//!
//! 1. The sender owns the value slot until it sets COMPLETE; the receiver owns it after.
//!    COMPLETE is set by compare-and-swap that refuses when CLOSED is set, so the two are
//!    ordered: a value is either handed over (COMPLETE first) or kept by the sender, which
//!    takes it back out of the slot and returns it (CLOSED first).
//! 2. The receiver writes its waker only while RX_WAKER is clear, then sets RX_WAKER. It
//!    clears RX_WAKER (to replace the waker) by compare-and-swap that refuses once COMPLETE
//!    is set. The sender reads (wakes) the waker only if it saw RX_WAKER when it set
//!    COMPLETE, after which the receiver never writes it again.
//! 3. The sender's waker follows the same rules with TX_WAKER and CLOSED swapped in.
//! 4. Whoever sets COMPLETE (or CLOSED) and sees the other side's waker bit wakes it. A
//!    waker registered after the bit it waits for was set is noticed by the registering
//!    side itself (it sees the bit in the result of its own atomic operation).

use crate::loom::cell::UnsafeCell;
use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::Arc;
use crate::task::coop;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll, Waker};

pub mod error;

use self::error::{RecvError, TryRecvError};

const RX_WAKER: usize = 0b0001;
const COMPLETE: usize = 0b0010;
const CLOSED: usize = 0b0100;
const TX_WAKER: usize = 0b1000;

/// Creates a oneshot channel: a [`Sender`] for one value and the [`Receiver`] that gets it.
///
/// # Examples
///
/// ```
/// use kairos::sync::oneshot;
///
/// # futures::executor::block_on(async {
/// let (tx, rx) = oneshot::channel::<u32>();
/// drop(tx);
/// assert!(rx.await.is_err()); // the sender went away without sending
/// # });
/// ```
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let inner = Arc::new(Inner {
        state: AtomicUsize::new(0),
        value: UnsafeCell::new(None),
        rx_waker: UnsafeCell::new(None),
        tx_waker: UnsafeCell::new(None),
    });
    (
        Sender {
            inner: Some(inner.clone()),
        },
        Receiver { inner: Some(inner) },
    )
}

/// Sends a single value to the paired [`Receiver`].
///
/// Dropping it without sending makes the receiver resolve to [`RecvError`].
pub struct Sender<T> {
    /// `None` once `send` has run.
    inner: Option<Arc<Inner<T>>>,
}

/// Receives the single value of the paired [`Sender`]; awaiting it waits for that value.
///
/// It resolves to `Err(RecvError)` if the sender is dropped without sending.
///
/// # Cancel safety
///
/// Awaiting `&mut receiver` is cancel safe: if the await is cancelled, the value (sent or
/// not yet sent) stays in the channel and a later await or [`try_recv`](Receiver::try_recv)
/// returns it.
pub struct Receiver<T> {
    /// `None` once the receiver has resolved.
    inner: Option<Arc<Inner<T>>>,
}

struct Inner<T> {
    state: AtomicUsize,
    /// Rule 1: the sender's until COMPLETE, the receiver's after.
    value: UnsafeCell<Option<T>>,
    /// Rule 2.
    rx_waker: UnsafeCell<Option<Waker>>,
    /// Rule 3.
    tx_waker: UnsafeCell<Option<Waker>>,
}

// SAFETY: the cells are handed between the two halves by the protocol in the module docs,
// so at most one thread accesses each at a time; the value moves between threads, hence
// `T: Send`.
unsafe impl<T: Send> Send for Inner<T> {}
// SAFETY: as above; no `&T` is ever shared.
unsafe impl<T: Send> Sync for Inner<T> {}

impl<T> Inner<T> {
    /// Sets COMPLETE unless CLOSED is set (rule 1). Returns the previous state, or `None`
    /// if the receiver had closed.
    fn complete(&self) -> Option<usize> {
        let mut state = self.state.load(Ordering::Acquire);
        loop {
            if state & CLOSED != 0 {
                return None;
            }
            match self.state.compare_exchange_weak(
                state,
                state | COMPLETE,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(previous) => return Some(previous),
                Err(actual) => state = actual,
            }
        }
    }

    /// The sender's last act: publish COMPLETE and wake the receiver if it waits.
    fn finish_sending(&self) -> bool {
        match self.complete() {
            Some(previous) => {
                if previous & RX_WAKER != 0 {
                    // SAFETY: RX_WAKER was set when COMPLETE went in, so the receiver has
                    // lent us its waker and will not touch it again (rule 2).
                    self.rx_waker.with(|waker| unsafe { wake_lent(&*waker) });
                }
                true
            }
            None => false,
        }
    }

    /// Sets CLOSED and wakes the sender if it waits in `closed()`. Returns the state before.
    fn close(&self) -> usize {
        let previous = self.state.fetch_or(CLOSED, Ordering::AcqRel);
        if previous & TX_WAKER != 0 && previous & COMPLETE == 0 {
            // SAFETY: TX_WAKER was set when CLOSED went in, so the sender has lent us its
            // waker and will not touch it again (rule 3).
            self.tx_waker.with(|waker| unsafe { wake_lent(&*waker) });
        }
        previous
    }

    /// Takes the value out of the slot.
    ///
    /// # Safety
    ///
    /// The caller owns the slot (rule 1).
    unsafe fn take_value(&self) -> Option<T> {
        // SAFETY: guaranteed by the caller.
        self.value.with_mut(|value| unsafe { (*value).take() })
    }

    /// Registers `waker` in `cell` following rules 2 and 3: `bit` is the waker bit and
    /// `done` the bit that makes waiting pointless. Returns `Ready` when `done` is (or
    /// becomes) set, in which case the caller must not wait.
    fn register(
        &self,
        cell: &UnsafeCell<Option<Waker>>,
        bit: usize,
        done: usize,
        waker: &Waker,
    ) -> Poll<()> {
        let mut state = self.state.load(Ordering::Acquire);
        if state & done != 0 {
            return Poll::Ready(());
        }
        if state & bit != 0 {
            // SAFETY: the waker is lent to the other side, which only reads it; reading it
            // here too is a shared access.
            let same = cell
                .with(|stored| unsafe { (*stored).as_ref() }.is_some_and(|w| w.will_wake(waker)));
            if same {
                return Poll::Pending;
            }
            // Take the waker back, unless the other side is done (and may be using it).
            loop {
                if state & done != 0 {
                    return Poll::Ready(());
                }
                match self.state.compare_exchange_weak(
                    state,
                    state & !bit,
                    Ordering::AcqRel,
                    Ordering::Acquire,
                ) {
                    Ok(_) => break,
                    Err(actual) => state = actual,
                }
            }
        }
        // SAFETY: the bit is clear, so the cell is ours (rules 2 and 3).
        cell.with_mut(|stored| unsafe { *stored = Some(waker.clone()) });
        let previous = self.state.fetch_or(bit, Ordering::AcqRel);
        if previous & done != 0 {
            // The other side finished without seeing our waker.
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

/// Wakes a waker lent by the other side.
///
/// # Safety
///
/// The other side has lent the cell: nobody writes it for the duration of the call.
unsafe fn wake_lent(waker: &Option<Waker>) {
    if let Some(waker) = waker {
        waker.wake_by_ref();
    }
}

impl<T> Sender<T> {
    /// Sends `value` to the receiver, without waiting.
    ///
    /// # Errors
    ///
    /// Gives `value` back if the receiver was dropped or closed before it could be
    /// delivered.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::oneshot;
    ///
    /// let (tx, rx) = oneshot::channel();
    /// drop(rx);
    /// assert_eq!(tx.send(5), Err(5)); // nobody to receive it
    /// ```
    pub fn send(mut self, value: T) -> Result<(), T> {
        let inner = self.inner.take().expect("the sender sends once");
        // SAFETY: COMPLETE is not set (this is the only place besides `drop` that sets it),
        // so the slot is ours (rule 1).
        inner.value.with_mut(|slot| unsafe { *slot = Some(value) });
        if inner.finish_sending() {
            Ok(())
        } else {
            // SAFETY: COMPLETE was not set, so the slot is still ours.
            let value = unsafe { inner.take_value() };
            Err(value.expect("the value was just stored"))
        }
    }

    /// Whether the receiver was dropped or closed: a `send` would fail.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::oneshot;
    ///
    /// let (tx, mut rx) = oneshot::channel::<()>();
    /// assert!(!tx.is_closed());
    /// rx.close();
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        match &self.inner {
            Some(inner) => inner.state.load(Ordering::Acquire) & CLOSED != 0,
            None => true,
        }
    }

    /// Waits until the receiver is dropped or closed, to stop computing a value nobody
    /// will receive.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::oneshot;
    ///
    /// # kairos::runtime::Runtime::new().unwrap().block_on(async {
    /// let (mut tx, rx) = oneshot::channel::<u32>();
    /// kairos::spawn(async move { drop(rx) });
    /// tx.closed().await;
    /// assert!(tx.is_closed());
    /// # });
    /// ```
    pub async fn closed(&mut self) {
        std::future::poll_fn(|cx| self.poll_closed(cx)).await
    }

    /// Polls for the receiver to be dropped or closed: the poll-based form of
    /// [`closed`](Sender::closed), for hand-written futures.
    pub fn poll_closed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let Some(inner) = &self.inner else {
            return Poll::Ready(());
        };
        let coop = ready!(coop::poll_proceed(cx));
        let poll = inner.register(&inner.tx_waker, TX_WAKER, CLOSED, cx.waker());
        if poll.is_ready() {
            coop.made_progress();
        }
        poll
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.take() {
            // COMPLETE with an empty slot tells the receiver no value comes.
            inner.finish_sending();
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("closed", &self.is_closed())
            .finish()
    }
}

impl<T> Receiver<T> {
    /// Takes the value if it was sent, without waiting.
    ///
    /// # Errors
    ///
    /// [`TryRecvError::Empty`] if the value has not been sent yet, and
    /// [`TryRecvError::Closed`] if it never will be (the sender was dropped, the receiver
    /// was closed before a value arrived, or the value was already received).
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::oneshot::{self, error::TryRecvError};
    ///
    /// let (tx, mut rx) = oneshot::channel();
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// tx.send(1).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let Some(inner) = &self.inner else {
            return Err(TryRecvError::Closed);
        };
        let state = inner.state.load(Ordering::Acquire);
        let result = if state & COMPLETE != 0 {
            // SAFETY: COMPLETE is set, so the slot is ours (rule 1).
            unsafe { inner.take_value() }.ok_or(TryRecvError::Closed)
        } else if state & CLOSED != 0 {
            Err(TryRecvError::Closed)
        } else {
            return Err(TryRecvError::Empty);
        };
        self.inner = None;
        result
    }

    /// Closes the channel without dropping the receiver: the sender's `send` fails from
    /// now on, and its [`closed`](Sender::closed) completes. A value sent before the close
    /// can still be received.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::oneshot;
    ///
    /// # futures::executor::block_on(async {
    /// let (tx, mut rx) = oneshot::channel();
    /// rx.close();
    /// assert_eq!(tx.send(1), Err(1));
    /// assert!(rx.await.is_err());
    /// # });
    /// ```
    pub fn close(&mut self) {
        if let Some(inner) = &self.inner {
            inner.close();
        }
    }

    /// Whether the receiver has resolved: it returned the value or an error (so awaiting
    /// it again would panic, and `try_recv` returns `Closed`).
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::oneshot;
    ///
    /// let (tx, mut rx) = oneshot::channel();
    /// tx.send(()).unwrap();
    /// assert!(!rx.is_terminated());
    /// rx.try_recv().unwrap();
    /// assert!(rx.is_terminated());
    /// ```
    pub fn is_terminated(&self) -> bool {
        self.inner.is_none()
    }

    /// Whether no value is waiting to be received right now.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::oneshot;
    ///
    /// let (tx, rx) = oneshot::channel();
    /// assert!(rx.is_empty());
    /// tx.send(1).unwrap();
    /// assert!(!rx.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        let Some(inner) = &self.inner else {
            return true;
        };
        if inner.state.load(Ordering::Acquire) & COMPLETE == 0 {
            return true;
        }
        // SAFETY: COMPLETE is set, so the slot is ours (rule 1); this is a shared read.
        inner.value.with(|value| unsafe { (*value).is_none() })
    }

    /// Waits for the value from synchronous code, blocking the thread.
    ///
    /// # Errors
    ///
    /// [`RecvError`] if the sender is dropped without sending.
    ///
    /// # Panics
    ///
    /// When called on a thread that is running asynchronous tasks (inside a runtime).
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::oneshot;
    ///
    /// let (tx, rx) = oneshot::channel();
    /// std::thread::spawn(move || tx.send(3).unwrap());
    /// assert_eq!(rx.blocking_recv(), Ok(3));
    /// ```
    #[track_caller]
    pub fn blocking_recv(self) -> Result<T, RecvError> {
        crate::runtime::park::block_on("oneshot::Receiver::blocking_recv", self)
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, RecvError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = self
            .inner
            .as_ref()
            .expect("oneshot::Receiver polled after it resolved");
        let coop = ready!(coop::poll_proceed(cx));
        let mut state = inner.state.load(Ordering::Acquire);
        // CLOSED is only set by this receiver, which cannot close while being polled.
        if state & (COMPLETE | CLOSED) == 0 {
            ready!(inner.register(&inner.rx_waker, RX_WAKER, COMPLETE, cx.waker()));
            state = inner.state.load(Ordering::Acquire);
        }
        let result = if state & COMPLETE != 0 {
            // SAFETY: COMPLETE is set, so the slot is ours (rule 1).
            unsafe { inner.take_value() }.ok_or(RecvError(()))
        } else {
            Err(RecvError(()))
        };
        coop.made_progress();
        self.inner = None;
        Poll::Ready(result)
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.take() {
            if inner.close() & COMPLETE != 0 {
                // SAFETY: COMPLETE is set, so the slot is ours (rule 1): drop the value now
                // rather than with the last reference.
                drop(unsafe { inner.take_value() });
            }
        }
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("terminated", &self.is_terminated())
            .finish()
    }
}

#[cfg(all(test, loom))]
mod loom_oneshot;
