//! The sending side of a broadcast channel: [`Sender`] and [`WeakSender`].

use super::error::SendError;
use super::{Receiver, Shared};
use crate::loom::sync::Arc;
use std::fmt;

/// Sends values to every [`Receiver`] of a broadcast channel, without waiting. Cheap to
/// clone; the channel closes for the receivers once every sender is dropped.
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

/// A sender that does not keep the channel open: [`upgrade`](WeakSender::upgrade) it to
/// send. Made by [`Sender::downgrade`].
pub struct WeakSender<T> {
    shared: Arc<Shared<T>>,
}

impl<T> Sender<T> {
    pub(super) fn new(shared: Arc<Shared<T>>) -> Sender<T> {
        Sender { shared }
    }

    /// Sends `value` to every receiver alive now, returning how many there are.
    ///
    /// It never waits: if a receiver is `capacity` values behind, its oldest unread value
    /// is overwritten and it gets [`Lagged`](super::error::RecvError::Lagged) next.
    ///
    /// # Errors
    ///
    /// [`SendError`] with `value` inside if no receiver is alive.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::broadcast;
    ///
    /// let (tx, rx) = broadcast::channel(4);
    /// let _rx2 = tx.subscribe();
    /// assert_eq!(tx.send("hi").unwrap(), 2);
    /// drop((rx, _rx2));
    /// assert_eq!(tx.send("anyone?").unwrap_err().0, "anyone?");
    /// ```
    pub fn send(&self, value: T) -> Result<usize, SendError<T>> {
        self.shared.send(value)
    }

    /// A new receiver, which gets the values sent from now on.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::broadcast;
    ///
    /// let (tx, _rx) = broadcast::channel(4);
    /// tx.send(1).unwrap();
    /// let mut late = tx.subscribe();
    /// tx.send(2).unwrap();
    /// assert_eq!(late.try_recv(), Ok(2));
    /// ```
    pub fn subscribe(&self) -> Receiver<T> {
        let next = self.shared.subscribe();
        Receiver::new(self.shared.clone(), next)
    }

    /// How many receivers are alive.
    pub fn receiver_count(&self) -> usize {
        self.shared.receiver_count()
    }

    /// How many values are held that some receiver has yet to read (values a receiver
    /// skipped by lagging do not count once overwritten).
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::broadcast;
    ///
    /// let (tx, mut rx) = broadcast::channel(4);
    /// tx.send(1).unwrap();
    /// tx.send(2).unwrap();
    /// assert_eq!(tx.len(), 2);
    /// rx.try_recv().unwrap();
    /// assert_eq!(tx.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.shared.queued()
    }

    /// Whether no value is waiting to be read by any receiver.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
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
    /// use kairos::sync::broadcast;
    ///
    /// # futures::executor::block_on(async {
    /// let (tx, rx) = broadcast::channel::<u8>(1);
    /// drop(rx);
    /// tx.closed().await;
    /// # });
    /// ```
    pub async fn closed(&self) {
        loop {
            // Created before the check, so a later `notify_waiters` reaches it.
            let gone = self.shared.receivers_gone.notified();
            if self.receiver_count() == 0 {
                return;
            }
            gone.await;
        }
    }

    /// Whether `other` sends on the same channel.
    pub fn same_channel(&self, other: &Sender<T>) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }

    /// A [`WeakSender`] for this channel: it does not keep the channel open.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::broadcast;
    ///
    /// let (tx, _rx) = broadcast::channel::<u8>(1);
    /// let weak = tx.downgrade();
    /// drop(tx);
    /// assert!(weak.upgrade().is_none());
    /// ```
    pub fn downgrade(&self) -> WeakSender<T> {
        self.shared.senders.add_weak();
        WeakSender {
            shared: self.shared.clone(),
        }
    }

    /// How many [`Sender`]s of this channel are alive.
    pub fn strong_count(&self) -> usize {
        self.shared.senders.strong()
    }

    /// How many [`WeakSender`]s of this channel are alive.
    pub fn weak_count(&self) -> usize {
        self.shared.senders.weak()
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
            self.shared.close();
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender").finish_non_exhaustive()
    }
}

impl<T> WeakSender<T> {
    /// A [`Sender`], if any sender of the channel is still alive.
    pub fn upgrade(&self) -> Option<Sender<T>> {
        self.shared
            .senders
            .upgrade()
            .then(|| Sender::new(self.shared.clone()))
    }

    /// How many [`Sender`]s of this channel are alive.
    pub fn strong_count(&self) -> usize {
        self.shared.senders.strong()
    }

    /// How many [`WeakSender`]s of this channel are alive.
    pub fn weak_count(&self) -> usize {
        self.shared.senders.weak()
    }
}

impl<T> Clone for WeakSender<T> {
    fn clone(&self) -> WeakSender<T> {
        self.shared.senders.add_weak();
        WeakSender {
            shared: self.shared.clone(),
        }
    }
}

impl<T> Drop for WeakSender<T> {
    fn drop(&mut self) {
        self.shared.senders.remove_weak();
    }
}

impl<T> fmt::Debug for WeakSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WeakSender").finish_non_exhaustive()
    }
}
