//! A channel that holds one value, the latest: receivers see it change.
//!
//! [`channel`] returns a [`Sender`] and a [`Receiver`], both cloneable. Senders replace (or
//! modify) the value; receivers [`borrow`](Receiver::borrow) it whenever they like and
//! wait for it to [`change`](Receiver::changed). Intermediate values a receiver did not
//! look at are skipped: it is for state (a configuration, a shutdown flag), not for a
//! stream of events.
//!
//! # Examples
//!
//! ```
//! use kairos::sync::watch;
//!
//! # kairos::runtime::Runtime::new().unwrap().block_on(async {
//! let (tx, mut rx) = watch::channel("starting");
//! let watcher = kairos::spawn(async move {
//!     rx.changed().await.unwrap();
//!     *rx.borrow_and_update()
//! });
//! tx.send("running").unwrap();
//! assert_eq!(watcher.await.unwrap(), "running");
//! # });
//! ```
//!
//! # The protocol
//!
//! The value sits in a reader-writer lock. `state` holds a version (bumped by 2 per change)
//! with the closed flag in bit 0 (every sender gone). A sender changes the value and bumps
//! the version while holding the write lock, so a receiver that reads the version while
//! holding the read lock records exactly the version of the value it reads. After the
//! write, the sender calls [`Notify::notify_waiters`]. A receiver waiting in `changed`
//! creates its `Notified` *before* comparing versions, and a `Notified` sees every
//! `notify_waiters` made after its creation, so no change can slip between the comparison
//! and the wait.

use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::{Arc, RwLock};
use crate::sync::cooperative::cooperative;
use crate::sync::sender_count::SenderCount;
use crate::sync::Notify;
use std::fmt;
use std::ops::Deref;

pub mod error;

use self::error::{RecvError, SendError};

const CLOSED: usize = 1;
const VERSION_STEP: usize = 2;

/// Creates a watch channel holding `init`.
///
/// The receiver starts out having seen `init`: its first `changed` waits for a new value.
///
/// # Examples
///
/// ```
/// use kairos::sync::watch;
///
/// let (tx, rx) = watch::channel(1);
/// assert_eq!(*rx.borrow(), 1);
/// tx.send(2).unwrap();
/// assert_eq!(*rx.borrow(), 2);
/// ```
pub fn channel<T>(init: T) -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(Shared {
        value: RwLock::new(init),
        state: AtomicUsize::new(0),
        receivers: AtomicUsize::new(1),
        senders: SenderCount::one(),
        changed: Notify::new(),
        receivers_gone: Notify::new(),
    });
    (
        Sender {
            shared: shared.clone(),
        },
        Receiver { shared, version: 0 },
    )
}

/// Changes the value of a watch channel. Cloneable; the channel closes for the receivers
/// once every sender is dropped.
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

/// Watches the value of a watch channel. Cloneable: each clone tracks which version it
/// has seen on its own.
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
    /// The version (closed bit clear) this receiver has seen.
    version: usize,
}

/// A borrow of the value of a watch channel; holds its read lock.
///
/// Keep it short: a sender waits for every `Ref` to be dropped before it can change the
/// value, and holding one across an `.await` can block a sender (and a task waiting for
/// that sender) for a long time.
pub struct Ref<'a, T> {
    guard: crate::loom::sync::RwLockReadGuard<'a, T>,
    has_changed: bool,
}

struct Shared<T> {
    value: RwLock<T>,
    /// Version in steps of 2, closed flag in bit 0.
    state: AtomicUsize,
    receivers: AtomicUsize,
    senders: SenderCount,
    /// Woken (all) after each change and when the last sender goes.
    changed: Notify,
    /// Woken (all) when the last receiver goes, for `Sender::closed`.
    receivers_gone: Notify,
}

impl<T> Shared<T> {
    fn version(&self) -> usize {
        self.state.load(Ordering::Acquire) & !CLOSED
    }

    fn is_closed(&self) -> bool {
        self.state.load(Ordering::Acquire) & CLOSED != 0
    }
}

impl<T> Sender<T> {
    /// Replaces the value and notifies the receivers.
    ///
    /// # Errors
    ///
    /// [`SendError`] with `value` inside if every receiver is gone (the value is not
    /// stored then). Use [`send_replace`](Sender::send_replace) to store it regardless.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::watch;
    ///
    /// let (tx, rx) = watch::channel(0);
    /// tx.send(1).unwrap();
    /// drop(rx);
    /// assert_eq!(tx.send(2).unwrap_err().0, 2);
    /// ```
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        if self.receiver_count() == 0 {
            return Err(SendError(value));
        }
        self.send_replace(value);
        Ok(())
    }

    /// Replaces the value, notifies the receivers (if any), and returns the old value.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::watch;
    ///
    /// let (tx, _rx) = watch::channel(1);
    /// assert_eq!(tx.send_replace(2), 1);
    /// ```
    pub fn send_replace(&self, value: T) -> T {
        let mut value = Some(value);
        let mut old = None;
        self.send_if_modified(|current| {
            old = Some(std::mem::replace(
                current,
                value.take().expect("called once"),
            ));
            true
        });
        old.expect("the closure ran")
    }

    /// Modifies the value in place and notifies the receivers.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::watch;
    ///
    /// let (tx, rx) = watch::channel(vec![1]);
    /// tx.send_modify(|list| list.push(2));
    /// assert_eq!(*rx.borrow(), [1, 2]);
    /// ```
    pub fn send_modify(&self, modify: impl FnOnce(&mut T)) {
        self.send_if_modified(|value| {
            modify(value);
            true
        });
    }

    /// Lets `modify` change the value in place; if it returns `true` the receivers are
    /// notified of a change. Returns what `modify` returned.
    ///
    /// If `modify` panics, the receivers are not notified (a partial change stays in place).
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::watch;
    ///
    /// let (tx, rx) = watch::channel(5);
    /// assert!(!tx.send_if_modified(|n| false)); // nothing changed: nobody is woken
    /// assert!(!rx.has_changed().unwrap());
    /// assert!(tx.send_if_modified(|n| {
    ///     *n += 1;
    ///     true
    /// }));
    /// assert!(rx.has_changed().unwrap());
    /// ```
    pub fn send_if_modified(&self, modify: impl FnOnce(&mut T) -> bool) -> bool {
        {
            let mut value = self.shared.value.write();
            if !modify(&mut value) {
                return false;
            }
            // Under the write lock, so readers see the version of the value they read.
            self.shared.state.fetch_add(VERSION_STEP, Ordering::AcqRel);
        }
        self.shared.changed.notify_waiters();
        true
    }

    /// Borrows the current value. The [`Ref`] reports no change.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, _rx) = kairos::sync::watch::channel(3);
    /// assert_eq!(*tx.borrow(), 3);
    /// ```
    pub fn borrow(&self) -> Ref<'_, T> {
        Ref {
            guard: self.shared.value.read(),
            has_changed: false,
        }
    }

    /// Whether every receiver is gone.
    pub fn is_closed(&self) -> bool {
        self.receiver_count() == 0
    }

    /// Waits until every receiver is gone.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::watch;
    ///
    /// # futures::executor::block_on(async {
    /// let (tx, rx) = watch::channel(());
    /// drop(rx);
    /// tx.closed().await;
    /// # });
    /// ```
    pub async fn closed(&self) {
        loop {
            // Created before the check, so a later `notify_waiters` reaches it.
            let gone = self.shared.receivers_gone.notified();
            if self.is_closed() {
                return;
            }
            gone.await;
        }
    }

    /// A new receiver, which has seen the current value.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::watch;
    ///
    /// let (tx, rx) = watch::channel(1);
    /// drop(rx);
    /// let rx = tx.subscribe();
    /// assert!(!rx.has_changed().unwrap());
    /// ```
    pub fn subscribe(&self) -> Receiver<T> {
        self.shared.receivers.fetch_add(1, Ordering::Relaxed);
        // Read under the lock, so the version matches the value a borrow would show.
        let version = {
            let _value = self.shared.value.read();
            self.shared.version()
        };
        Receiver {
            shared: self.shared.clone(),
            version,
        }
    }

    /// How many receivers are alive.
    pub fn receiver_count(&self) -> usize {
        self.shared.receivers.load(Ordering::Acquire)
    }

    /// How many senders are alive.
    pub fn sender_count(&self) -> usize {
        self.shared.senders.strong()
    }

    /// Whether `other` belongs to the same channel.
    pub fn same_channel(&self, other: &Sender<T>) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Sender<T> {
        self.shared.senders.add_strong();
        Sender {
            shared: self.shared.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        if self.shared.senders.remove_strong() {
            self.shared.state.fetch_or(CLOSED, Ordering::AcqRel);
            self.shared.changed.notify_waiters();
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("value", &&*self.borrow())
            .finish()
    }
}

impl<T> Receiver<T> {
    /// Borrows the current value without marking it seen.
    ///
    /// [`Ref::has_changed`] tells whether it is newer than what this receiver has seen.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::watch;
    ///
    /// let (tx, rx) = watch::channel(1);
    /// tx.send(2).unwrap();
    /// let value = rx.borrow();
    /// assert_eq!((*value, value.has_changed()), (2, true));
    /// ```
    pub fn borrow(&self) -> Ref<'_, T> {
        let guard = self.shared.value.read();
        let has_changed = self.shared.version() != self.version;
        Ref { guard, has_changed }
    }

    /// Borrows the current value and marks it seen: `changed` then waits for a newer one.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::watch;
    ///
    /// let (tx, mut rx) = watch::channel(1);
    /// tx.send(2).unwrap();
    /// assert_eq!(*rx.borrow_and_update(), 2);
    /// assert!(!rx.has_changed().unwrap());
    /// ```
    pub fn borrow_and_update(&mut self) -> Ref<'_, T> {
        let guard = self.shared.value.read();
        let version = self.shared.version();
        let has_changed = version != self.version;
        self.version = version;
        Ref { guard, has_changed }
    }

    /// Whether the value changed since this receiver last marked it seen.
    ///
    /// # Errors
    ///
    /// [`RecvError`] if every sender is gone.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::watch;
    ///
    /// let (tx, rx) = watch::channel(0);
    /// assert!(!rx.has_changed().unwrap());
    /// tx.send(1).unwrap();
    /// assert!(rx.has_changed().unwrap());
    /// drop(tx);
    /// assert!(rx.has_changed().is_err());
    /// ```
    pub fn has_changed(&self) -> Result<bool, RecvError> {
        let state = self.shared.state.load(Ordering::Acquire);
        if state & CLOSED != 0 {
            return Err(RecvError(()));
        }
        Ok(state & !CLOSED != self.version)
    }

    /// Makes the current value count as not seen: the next `changed` returns at once.
    pub fn mark_changed(&mut self) {
        self.version = self.shared.version().wrapping_sub(VERSION_STEP);
    }

    /// Makes the current value count as seen, without borrowing it.
    pub fn mark_unchanged(&mut self) {
        self.version = self.shared.version();
    }

    /// Waits for a value this receiver has not seen, and marks it seen.
    ///
    /// Returns at once if the value already changed since it was last marked seen.
    ///
    /// # Errors
    ///
    /// [`RecvError`] if every sender is gone and there is no unseen value.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a dropped `changed` marks nothing seen, so the change is still
    /// reported by the next call.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::watch;
    ///
    /// # kairos::runtime::Runtime::new().unwrap().block_on(async {
    /// let (tx, mut rx) = watch::channel(0);
    /// kairos::spawn(async move {
    ///     for i in 1..=3 {
    ///         tx.send(i).unwrap();
    ///     }
    /// });
    /// // Intermediate values may be skipped; the last one is always seen.
    /// while rx.changed().await.is_ok() {}
    /// assert_eq!(*rx.borrow(), 3);
    /// # });
    /// ```
    pub async fn changed(&mut self) -> Result<(), RecvError> {
        cooperative(changed(&self.shared, &mut self.version)).await
    }

    /// Waits until the value satisfies `condition` (checking the current value first), and
    /// returns a borrow of that value, marked seen.
    ///
    /// # Errors
    ///
    /// [`RecvError`] if every sender is gone before the condition holds.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::watch;
    ///
    /// # kairos::runtime::Runtime::new().unwrap().block_on(async {
    /// let (tx, mut rx) = watch::channel(0);
    /// kairos::spawn(async move {
    ///     for i in 1..=10 {
    ///         tx.send(i).unwrap();
    ///     }
    /// });
    /// let value = rx.wait_for(|n| *n >= 5).await.unwrap();
    /// assert!(*value >= 5);
    /// # });
    /// ```
    pub async fn wait_for(
        &mut self,
        mut condition: impl FnMut(&T) -> bool,
    ) -> Result<Ref<'_, T>, RecvError> {
        loop {
            // Only `shared` is borrowed for the returned `Ref`; `version` is a separate
            // field, so the loop may go on updating it. The block ends the guard's scope
            // before the await, keeping the future `Send`.
            {
                let guard = self.shared.value.read();
                let version = self.shared.version();
                let has_changed = version != self.version;
                self.version = version;
                if condition(&guard) {
                    return Ok(Ref { guard, has_changed });
                }
            }
            cooperative(changed(&self.shared, &mut self.version)).await?;
        }
    }

    /// Whether every sender is gone (the value will not change any more).
    pub fn is_closed(&self) -> bool {
        self.shared.is_closed()
    }

    /// Whether `other` belongs to the same channel.
    pub fn same_channel(&self, other: &Receiver<T>) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

/// Waits for a version other than `version` and records it (see the protocol in the module
/// docs).
async fn changed<T>(shared: &Shared<T>, version: &mut usize) -> Result<(), RecvError> {
    loop {
        // Created before the comparison, so a change after it still wakes us.
        let notified = shared.changed.notified();
        let state = shared.state.load(Ordering::Acquire);
        if state & !CLOSED != *version {
            *version = state & !CLOSED;
            return Ok(());
        }
        if state & CLOSED != 0 {
            return Err(RecvError(()));
        }
        notified.await;
    }
}

impl<T> Clone for Receiver<T> {
    fn clone(&self) -> Receiver<T> {
        self.shared.receivers.fetch_add(1, Ordering::Relaxed);
        Receiver {
            shared: self.shared.clone(),
            version: self.version,
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        if self.shared.receivers.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.shared.receivers_gone.notify_waiters();
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("value", &&*self.borrow())
            .finish()
    }
}

impl<T> Ref<'_, T> {
    /// Whether this value is newer than what the receiver had seen when it borrowed it.
    pub fn has_changed(&self) -> bool {
        self.has_changed
    }
}

impl<T> Deref for Ref<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T: fmt::Debug> fmt::Debug for Ref<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

#[cfg(all(test, loom))]
mod loom_watch;
