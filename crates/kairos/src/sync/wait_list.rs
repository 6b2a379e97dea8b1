//! The intrusive FIFO queue of waiting futures that every primitive in `sync` is built on.
//!
//! A future that has to wait (for a permit, a notification, a message) does not allocate a
//! queue entry: it embeds a [`Waiter`] and links that node into its primitive's [`WaitList`].
//! The list is a doubly linked list of raw pointers to nodes that live inside pinned futures,
//! so linking, unlinking from the middle (a cancelled wait) and popping the oldest are all
//! O(1) and allocation-free.
//!
//! # The protocol
//!
//! 1. **One lock.** Each list lives inside its primitive's mutex. Holding `&WaitList` or
//!    `&mut WaitList` therefore proves the lock is held, and every access to a node's links
//!    and waker goes through the list, so these fields are only touched under that lock.
//!    A node is only ever linked into one list, the one of the primitive that created it.
//! 2. **Pinned while linked.** A node is linked only through `Pin<&Waiter>`: it cannot move
//!    afterwards, and the pinning drop guarantee says its memory stays valid until its
//!    destructor has run.
//! 3. **Unlinked before drop.** The future that owns a node unlinks it (taking the lock) in
//!    its `Drop` before the node's memory goes away. With rules 1 and 2 this makes every
//!    pointer in a list valid for as long as the list's lock is held. A `Waiter` dropped
//!    while still linked would leave a dangling pointer; its destructor checks for that in
//!    debug builds.
//! 4. **Hand-off is the last touch.** A primitive hands a node its result (permits, a
//!    notification) through the node's payload `T`, which the owner may read *without* the
//!    lock (atomics). Once the owner can see the result it may complete and free the node,
//!    so the side that pops a node takes the waker first and publishes the result last
//!    ([`WaitList::pop_front_with`]); it never touches the node again.
//!
//! # Aliasing
//!
//! The owner holds `Pin<&mut Future>` while the list holds raw pointers into the same
//! memory. `Waiter` is `!Unpin` (a `PhantomPinned` field), for which the compiler makes no
//! uniqueness assumption about `&mut`, and every field another thread may touch is an
//! `UnsafeCell` (links, waker) or interior-mutable (the payload's atomics), so no access
//! goes through a `&` the compiler assumes frozen.

use crate::loom::cell::UnsafeCell;
use std::fmt;
use std::marker::PhantomPinned;
use std::pin::Pin;
use std::ptr::NonNull;
use std::task::Waker;

/// A FIFO of [`Waiter`]s; lives inside its primitive's mutex (protocol rule 1).
pub(crate) struct WaitList<T> {
    head: Option<NonNull<Waiter<T>>>,
    tail: Option<NonNull<Waiter<T>>>,
}

/// A queue node, embedded in the future that waits.
pub(crate) struct Waiter<T> {
    /// Links and waker; only accessed through the list, under its lock.
    slot: UnsafeCell<Slot<T>>,
    /// What the primitive hands over (permits, a notification): the owner may read it
    /// without the lock, so it is made of atomics.
    value: T,
    _pinned: PhantomPinned,
}

struct Slot<T> {
    prev: Option<NonNull<Waiter<T>>>,
    next: Option<NonNull<Waiter<T>>>,
    linked: bool,
    waker: Option<Waker>,
}

// SAFETY: the list holds pointers only; the nodes they point to are accessed under the
// lock the list lives in (rule 1), and their payloads are shared between threads, hence
// the `Sync` bound.
unsafe impl<T: Sync> Send for WaitList<T> {}
// SAFETY: as above; `&WaitList` only reads links, under the lock.
unsafe impl<T: Sync> Sync for WaitList<T> {}

// SAFETY: the links and the waker are only accessed under the list's lock (rule 1), from
// whichever thread holds it; the payload is `Send` itself.
unsafe impl<T: Send> Send for Waiter<T> {}
// SAFETY: through `&Waiter` another thread reaches the slot only under the lock, and the
// payload only as `&T`, which `T: Sync` allows.
unsafe impl<T: Sync> Sync for Waiter<T> {}

impl<T> Waiter<T> {
    /// A node that is not linked anywhere yet.
    pub(crate) fn new(value: T) -> Waiter<T> {
        Waiter {
            slot: UnsafeCell::new(Slot {
                prev: None,
                next: None,
                linked: false,
                waker: None,
            }),
            value,
            _pinned: PhantomPinned,
        }
    }

    /// The payload, which both the owner and the primitive may read at any time.
    pub(crate) fn value(&self) -> &T {
        &self.value
    }
}

impl<T> Drop for Waiter<T> {
    fn drop(&mut self) {
        // Rule 3: the owner unlinked the node (under the lock, on this thread or
        // synchronised by the lock) before dropping it.
        // SAFETY: nobody else can reach an unlinked node, and a linked one would be a bug
        // this assertion reports.
        let linked = self.slot.with(|slot| unsafe { (*slot).linked });
        debug_assert!(!linked, "waiter dropped while still queued");
    }
}

impl<T> fmt::Debug for Waiter<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Waiter").finish_non_exhaustive()
    }
}

impl<T> WaitList<T> {
    /// An empty list.
    pub(crate) const fn new() -> WaitList<T> {
        WaitList {
            head: None,
            tail: None,
        }
    }

    /// Whether no waiter is queued.
    pub(crate) fn is_empty(&self) -> bool {
        self.head.is_none()
    }

    /// Links `waiter` at the back of the queue with a clone of `waker` (none: the waiter
    /// only wants to hold its place, like `Notified::enable`).
    ///
    /// # Safety
    ///
    /// `waiter` is not linked, and its owner follows rule 3: it unlinks the node from this
    /// list before the node is dropped.
    pub(crate) unsafe fn push_back(&mut self, waiter: Pin<&Waiter<T>>, waker: Option<&Waker>) {
        let node = NonNull::from(waiter.get_ref());
        let old_tail = self.tail;
        waiter.slot.with_mut(|slot| {
            // SAFETY: `&mut self` is the lock (rule 1), and the node is ours to link.
            let slot = unsafe { &mut *slot };
            debug_assert!(!slot.linked, "waiter pushed twice");
            slot.prev = old_tail;
            slot.next = None;
            slot.linked = true;
            slot.waker = waker.cloned();
        });
        match old_tail {
            // SAFETY: a linked node is valid while the lock is held (rules 1-3).
            Some(tail) => unsafe { Self::set_next(tail, Some(node)) },
            None => self.head = Some(node),
        }
        self.tail = Some(node);
    }

    /// Whether `waiter` is still linked (it is not once a primitive has popped it).
    ///
    /// # Safety
    ///
    /// `waiter` is only ever linked into this list (so its slot is guarded by this lock).
    pub(crate) unsafe fn is_linked(&self, waiter: &Waiter<T>) -> bool {
        // SAFETY: the caller guarantees this list's lock guards the slot, and `&self`
        // proves it is held.
        waiter.slot.with(|slot| unsafe { (*slot).linked })
    }

    /// Replaces the waker of a linked `waiter` if `waker` would wake a different task.
    /// Returns whether the waiter is linked.
    ///
    /// # Safety
    ///
    /// As for [`is_linked`](Self::is_linked).
    pub(crate) unsafe fn update_waker(&mut self, waiter: &Waiter<T>, waker: &Waker) -> bool {
        waiter.slot.with_mut(|slot| {
            // SAFETY: the caller guarantees this list's lock guards the slot; `&mut self`
            // proves it is held.
            let slot = unsafe { &mut *slot };
            if !slot.linked {
                return false;
            }
            match &slot.waker {
                Some(current) if current.will_wake(waker) => {}
                _ => slot.waker = Some(waker.clone()),
            }
            true
        })
    }

    /// Unlinks `waiter` if it is linked, dropping its waker. Returns whether it was.
    ///
    /// # Safety
    ///
    /// As for [`is_linked`](Self::is_linked).
    pub(crate) unsafe fn remove(&mut self, waiter: &Waiter<T>) -> bool {
        // SAFETY: the caller guarantees the node belongs to this list.
        if !unsafe { self.is_linked(waiter) } {
            return false;
        }
        // SAFETY: the node is linked here, so it is valid while we hold the lock.
        let waker = unsafe { self.unlink(NonNull::from(waiter)) };
        drop(waker);
        true
    }

    /// Calls `f` with the payload of the oldest waiter, leaving it queued.
    pub(crate) fn front_with<R>(&self, f: impl FnOnce(&T) -> R) -> Option<R> {
        // SAFETY: a linked node is valid while the lock (`&self`) is held, and it stays
        // linked for the whole call.
        self.head.map(|head| f(unsafe { &head.as_ref().value }))
    }

    /// Unlinks the oldest waiter, then calls `f` with its payload: `f` publishes the
    /// hand-off and is the last access to the node (rule 4). Returns `f`'s result and the
    /// waiter's waker (if it registered one), to be woken once the lock is released.
    pub(crate) fn pop_front_with<R>(
        &mut self,
        f: impl FnOnce(&T) -> R,
    ) -> Option<(R, Option<Waker>)> {
        let head = self.head?;
        // SAFETY: `head` is linked in this list.
        Some(unsafe { self.pop_node(head, f) })
    }

    /// As [`pop_front_with`](Self::pop_front_with), for the newest waiter.
    pub(crate) fn pop_back_with<R>(
        &mut self,
        f: impl FnOnce(&T) -> R,
    ) -> Option<(R, Option<Waker>)> {
        let tail = self.tail?;
        // SAFETY: `tail` is linked in this list.
        Some(unsafe { self.pop_node(tail, f) })
    }

    /// # Safety
    ///
    /// `node` is linked in this list.
    unsafe fn pop_node<R>(
        &mut self,
        node: NonNull<Waiter<T>>,
        f: impl FnOnce(&T) -> R,
    ) -> (R, Option<Waker>) {
        // SAFETY: linked, so valid while the lock is held.
        let waker = unsafe { self.unlink(node) };
        // SAFETY: the owner cannot free the node until `f` publishes the hand-off (rule 4):
        // until then it has to take the lock to learn anything, and we hold it. The
        // reference passed to `f` is to interior-mutable data, which may be freed while
        // `f` is still running after its final store.
        let result = f(unsafe { &(*node.as_ptr()).value });
        (result, waker)
    }

    /// Unlinks `node`, returning its waker.
    ///
    /// # Safety
    ///
    /// `node` is linked in this list.
    unsafe fn unlink(&mut self, node: NonNull<Waiter<T>>) -> Option<Waker> {
        // SAFETY: linked nodes are valid under the lock, which `&mut self` proves.
        let (prev, next, waker) = unsafe { node.as_ref() }.slot.with_mut(|slot| {
            // SAFETY: as above.
            let slot = unsafe { &mut *slot };
            slot.linked = false;
            (slot.prev.take(), slot.next.take(), slot.waker.take())
        });
        match prev {
            // SAFETY: a neighbour of a linked node is linked, hence valid.
            Some(prev) => unsafe { Self::set_next(prev, next) },
            None => self.head = next,
        }
        match next {
            // SAFETY: as above.
            Some(next) => unsafe { Self::set_prev(next, prev) },
            None => self.tail = prev,
        }
        waker
    }

    /// # Safety
    ///
    /// `node` is linked in a list whose lock the caller holds.
    unsafe fn set_next(node: NonNull<Waiter<T>>, next: Option<NonNull<Waiter<T>>>) {
        // SAFETY: guaranteed by the caller.
        unsafe { node.as_ref() }
            .slot
            // SAFETY: the lock guards the slot.
            .with_mut(|slot| unsafe { (*slot).next = next });
    }

    /// # Safety
    ///
    /// `node` is linked in a list whose lock the caller holds.
    unsafe fn set_prev(node: NonNull<Waiter<T>>, prev: Option<NonNull<Waiter<T>>>) {
        // SAFETY: guaranteed by the caller.
        unsafe { node.as_ref() }
            .slot
            // SAFETY: the lock guards the slot.
            .with_mut(|slot| unsafe { (*slot).prev = prev });
    }
}

impl<T> Drop for WaitList<T> {
    fn drop(&mut self) {
        // A primitive can only be dropped once no future borrows it, and every queued
        // future borrows its primitive, so the list is empty here.
        debug_assert!(self.is_empty(), "wait list dropped with queued waiters");
    }
}

impl<T> fmt::Debug for WaitList<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitList")
            .field("is_empty", &self.is_empty())
            .finish()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::pin::pin;

    fn waker() -> Waker {
        Waker::noop().clone()
    }

    #[test]
    fn pops_in_fifo_order_and_skips_removed_waiters() {
        let mut list = WaitList::new();
        let a = pin!(Waiter::new(1));
        let b = pin!(Waiter::new(2));
        let c = pin!(Waiter::new(3));
        // SAFETY: every waiter is removed or popped before it is dropped (end of test).
        unsafe {
            list.push_back(a.as_ref(), Some(&waker()));
            list.push_back(b.as_ref(), Some(&waker()));
            list.push_back(c.as_ref(), Some(&waker()));
            assert!(list.remove(&b));
            assert!(!list.remove(&b));
            assert!(list.is_linked(&a));
            assert!(!list.is_linked(&b));
        }
        assert_eq!(list.front_with(|v| *v), Some(1));
        assert_eq!(list.pop_front_with(|v| *v).map(|(v, _)| v), Some(1));
        assert_eq!(list.pop_front_with(|v| *v).map(|(v, _)| v), Some(3));
        assert!(list.pop_front_with(|v| *v).is_none());
        assert!(list.is_empty());
    }

    #[test]
    fn pop_back_takes_the_newest_and_relinks_the_rest() {
        let mut list = WaitList::new();
        let a = pin!(Waiter::new('a'));
        let b = pin!(Waiter::new('b'));
        let c = pin!(Waiter::new('c'));
        // SAFETY: every waiter is popped before it is dropped.
        unsafe {
            list.push_back(a.as_ref(), Some(&waker()));
            list.push_back(b.as_ref(), Some(&waker()));
            list.push_back(c.as_ref(), Some(&waker()));
        }
        assert_eq!(list.pop_back_with(|v| *v).map(|(v, _)| v), Some('c'));
        // SAFETY: `c` was popped from this list.
        assert!(!unsafe { list.remove(&c) });
        assert_eq!(list.pop_back_with(|v| *v).map(|(v, _)| v), Some('b'));
        assert_eq!(list.pop_front_with(|v| *v).map(|(v, _)| v), Some('a'));
        assert!(list.is_empty());
    }

    #[test]
    fn update_waker_only_touches_linked_waiters() {
        let mut list = WaitList::new();
        let a = pin!(Waiter::new(()));
        // SAFETY: `a` is popped before it is dropped.
        unsafe {
            assert!(!list.update_waker(&a, &waker()));
            list.push_back(a.as_ref(), Some(&waker()));
            assert!(list.update_waker(&a, &waker()));
        }
        assert!(list.pop_front_with(|_| ()).is_some());
    }
}
