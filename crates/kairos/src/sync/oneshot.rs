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
//! Both halves share one allocation, with no reference count beside it: the value slot,
//! the receiver's waker, the sender's waker (for [`Sender::closed`]) and a state word:
//!
//! ```text
//!  bit RX_WAKER     the receiver's waker is stored and lent to the sender
//!  bit COMPLETE     the sender is done: the slot holds its value, or it was dropped unsent
//!  bit CLOSED       the receiver is closed (by `close` or drop): no value may be stored
//!  bit TX_WAKER     the sender's waker is stored and lent to the receiver
//!  bit TX_RELEASED  the sender will never touch the allocation again
//!  bit RX_RELEASED  the receiver will never touch the allocation again
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
//! 5. Each half releases the allocation once, by setting its RELEASED bit as its last
//!    access; the half that sees the other's RELEASED bit (in the result of its own
//!    atomic operation, or in a load: a released half is gone for good) frees it. The
//!    sender releases in the same compare-and-swap that sets COMPLETE when no receiver
//!    waits (after waking it otherwise); a receiver dropped with nothing left to do closes
//!    and releases in one compare-and-swap; a receiver that takes the value after the
//!    sender released frees the allocation without writing the state at all. So a value
//!    handed to a waiting receiver costs three atomic writes (register, complete,
//!    release), where a reference-counted allocation costs five.

use crate::loom::cell::UnsafeCell;
use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::task::coop;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::ptr::NonNull;
use std::task::{ready, Context, Poll, Waker};

pub mod error;

use self::error::{RecvError, TryRecvError};

const RX_WAKER: usize = 0b00_0001;
const COMPLETE: usize = 0b00_0010;
const CLOSED: usize = 0b00_0100;
const TX_WAKER: usize = 0b00_1000;
const TX_RELEASED: usize = 0b01_0000;
const RX_RELEASED: usize = 0b10_0000;

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
    let inner = Box::new(Inner {
        state: AtomicUsize::new(0),
        value: UnsafeCell::new(None),
        rx_waker: UnsafeCell::new(None),
        tx_waker: UnsafeCell::new(None),
        #[cfg(loom)]
        _leak_check: loom::alloc::Track::new(()),
    });
    let ptr = NonNull::from(Box::leak(inner));
    (
        Sender {
            inner: Some(Share { ptr }),
        },
        Receiver {
            inner: Some(Share { ptr }),
        },
    )
}

/// Sends a single value to the paired [`Receiver`].
///
/// Dropping it without sending makes the receiver resolve to [`RecvError`].
pub struct Sender<T> {
    /// `None` once `send` has run.
    inner: Option<Share<T>>,
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
    /// `None` once the receiver has resolved (and released the allocation).
    inner: Option<Share<T>>,
}

/// The allocation both halves share.
struct Inner<T> {
    state: AtomicUsize,
    /// Rule 1: the sender's until COMPLETE, the receiver's after.
    value: UnsafeCell<Option<T>>,
    /// Rule 2.
    rx_waker: UnsafeCell<Option<Waker>>,
    /// Rule 3.
    tx_waker: UnsafeCell<Option<Waker>>,
    /// Makes loom report an allocation neither half freed.
    #[cfg(loom)]
    _leak_check: loom::alloc::Track<()>,
}

/// One half's share of the allocation: valid until the half releases it (rule 5).
struct Share<T> {
    ptr: NonNull<Inner<T>>,
}

// SAFETY: the cells are handed between the two halves by the protocol in the module docs,
// so at most one thread accesses each at a time, and the allocation is freed once, by the
// half that released last (rule 5); the value moves between threads, hence `T: Send`.
unsafe impl<T: Send> Send for Share<T> {}
// SAFETY: as above; through `&Sender` or `&Receiver` only the state word and (after
// COMPLETE, which ends the sender's writes) whether the slot is empty are read, and no
// `&T` is ever shared.
unsafe impl<T: Send> Sync for Share<T> {}

impl<T> Share<T> {
    fn inner(&self) -> &Inner<T> {
        // SAFETY: a share that has not released points to a live allocation (rule 5).
        unsafe { self.ptr.as_ref() }
    }

    /// Frees the allocation, dropping what it still holds (an unreceived value, wakers).
    ///
    /// # Safety
    ///
    /// The other half has released (rule 5) and this one makes no further access.
    unsafe fn free(self) {
        // SAFETY: the allocation came from `Box::leak` in `channel`, and nobody else
        // refers to it any more (guaranteed by the caller).
        drop(unsafe { Box::from_raw(self.ptr.as_ptr()) });
    }

    /// Rule 5: sets `released` (this half's bit) as this half's last access, and frees the
    /// allocation if `other` (the other half's bit) was already set.
    fn release(self, released: usize, other: usize) {
        let previous = self.inner().state.fetch_or(released, Ordering::AcqRel);
        if previous & other != 0 {
            // SAFETY: the other half released before us, and this is our last access.
            unsafe { self.free() };
        }
    }

    /// Rule 5 for a half that read `seen` earlier: if it already shows the other half
    /// released, this half is the last one and frees without writing the state;
    /// otherwise [`release`](Share::release).
    fn release_after(self, seen: usize, released: usize, other: usize) {
        if seen & other != 0 {
            // SAFETY: the other half released (it never comes back), and this is our last
            // access.
            unsafe { self.free() };
        } else {
            self.release(released, other);
        }
    }

    /// The sender's last act (rules 1, 4 and 5): sets COMPLETE unless the receiver closed,
    /// wakes the receiver if it waits, and releases. Returns what the slot held if the
    /// receiver had closed (the slot is still the sender's then, and nobody else reads it).
    fn complete(self) -> Option<T> {
        let inner = self.inner();
        let mut state = inner.state.load(Ordering::Acquire);
        loop {
            if state & CLOSED != 0 {
                // SAFETY: COMPLETE is not set, so the slot is ours (rule 1).
                let value = unsafe { inner.take_value() };
                self.release_after(state, TX_RELEASED, RX_RELEASED);
                return value;
            }
            // The receiver releases only once closed or completed, so RX_RELEASED is
            // clear here. With no waker to wake, the sender is done once COMPLETE is in:
            // it releases in the same operation.
            let release = if state & RX_WAKER == 0 {
                TX_RELEASED
            } else {
                0
            };
            match inner.state.compare_exchange_weak(
                state,
                state | COMPLETE | release,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => break,
                Err(actual) => state = actual,
            }
        }
        if state & RX_WAKER != 0 {
            // SAFETY: RX_WAKER was set when COMPLETE went in, so the receiver has lent us
            // its waker and will not touch it again (rule 2); it cannot free the
            // allocation before we release.
            inner.rx_waker.with(|waker| unsafe { wake_lent(&*waker) });
            self.release(TX_RELEASED, RX_RELEASED);
        }
        None
    }

    /// The receiver's last act once `state` (read by the receiver) holds COMPLETE or
    /// CLOSED: takes the value if one was sent, and releases (rule 5).
    fn resolve(self, state: usize) -> Option<T> {
        let value = if state & COMPLETE != 0 {
            // SAFETY: COMPLETE is set, so the slot is ours (rule 1).
            unsafe { self.inner().take_value() }
        } else {
            None
        };
        self.release_after(state, RX_RELEASED, TX_RELEASED);
        value
    }

    /// The receiver's drop: closes, drops a value that was sent, and releases.
    fn drop_receiver(self) {
        let inner = self.inner();
        let mut state = inner.state.load(Ordering::Acquire);
        loop {
            if state & TX_RELEASED != 0 {
                // SAFETY: the sender released; freeing also drops a value it sent.
                unsafe { self.free() };
                return;
            }
            let value_to_drop = state & COMPLETE != 0;
            let sender_to_wake = state & (TX_WAKER | CLOSED) == TX_WAKER;
            if value_to_drop || sender_to_wake {
                break;
            }
            // Nothing to do once closed: close and release in one operation.
            match inner.state.compare_exchange_weak(
                state,
                state | CLOSED | RX_RELEASED,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return,
                Err(actual) => state = actual,
            }
        }
        let value = if inner.close() & COMPLETE != 0 {
            // SAFETY: COMPLETE is set, so the slot is ours (rule 1): the value is dropped
            // now, not whenever the sender frees the allocation.
            unsafe { inner.take_value() }
        } else {
            None
        };
        self.release(RX_RELEASED, TX_RELEASED);
        // After releasing, so that a panicking destructor cannot leak the allocation.
        drop(value);
    }
}

impl<T> Inner<T> {
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
        let share = self.inner.take().expect("the sender sends once");
        // SAFETY: COMPLETE is not set (this is the only place besides `drop` that sets it),
        // so the slot is ours (rule 1).
        share
            .inner()
            .value
            .with_mut(|slot| unsafe { *slot = Some(value) });
        match share.complete() {
            None => Ok(()),
            Some(value) => Err(value),
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
            Some(share) => share.inner().state.load(Ordering::Acquire) & CLOSED != 0,
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
        let Some(share) = &self.inner else {
            return Poll::Ready(());
        };
        let coop = ready!(coop::poll_proceed(cx));
        let inner = share.inner();
        let poll = inner.register(&inner.tx_waker, TX_WAKER, CLOSED, cx.waker());
        if poll.is_ready() {
            coop.made_progress();
        }
        poll
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        if let Some(share) = self.inner.take() {
            // COMPLETE with an empty slot tells the receiver no value comes.
            share.complete();
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
        let Some(share) = &self.inner else {
            return Err(TryRecvError::Closed);
        };
        let state = share.inner().state.load(Ordering::Acquire);
        if state & (COMPLETE | CLOSED) == 0 {
            return Err(TryRecvError::Empty);
        }
        let share = self.inner.take().expect("checked above");
        share.resolve(state).ok_or(TryRecvError::Closed)
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
        if let Some(share) = &self.inner {
            share.inner().close();
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
        let Some(share) = &self.inner else {
            return true;
        };
        let inner = share.inner();
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
            .expect("oneshot::Receiver polled after it resolved")
            .inner();
        let coop = ready!(coop::poll_proceed(cx));
        let mut state = inner.state.load(Ordering::Acquire);
        // CLOSED is only set by this receiver, which cannot close while being polled.
        if state & (COMPLETE | CLOSED) == 0 {
            ready!(inner.register(&inner.rx_waker, RX_WAKER, COMPLETE, cx.waker()));
            state = inner.state.load(Ordering::Acquire);
        }
        coop.made_progress();
        let share = self.inner.take().expect("checked above");
        Poll::Ready(share.resolve(state).ok_or(RecvError(())))
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        if let Some(share) = self.inner.take() {
            share.drop_receiver();
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
