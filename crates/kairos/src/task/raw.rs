//! The type-erased task pointer and its vtable.
//!
//! Everything that holds a task without knowing its future type (run queues, wakers,
//! `JoinHandle<T>`, the owner list) holds a [`RawTask`]: a pointer to the [`Header`] at the
//! start of the cell. The vtable in the header leads back to the monomorphized code in
//! [`Harness`].

use crate::task::core::{Cell, Header};
use crate::task::harness::Harness;
use crate::task::id::Id;
use crate::task::Schedule;
use std::future::Future;
use std::ptr::NonNull;
use std::task::Waker;

/// Operations on a task whose types are erased.
pub(crate) struct Vtable {
    /// Polls the task (consumes a `Notified` reference).
    poll: unsafe fn(NonNull<Header>),
    /// Hands a `Notified` reference to the task's scheduler.
    schedule: unsafe fn(NonNull<Header>),
    /// Frees the cell (the reference count reached zero).
    dealloc: unsafe fn(NonNull<Header>),
    /// Reads the output into `*mut Poll<Result<T, JoinError>>` or registers the waker.
    try_read_output: unsafe fn(NonNull<Header>, *mut (), &Waker),
    /// Releases the `JoinHandle`'s interest and reference.
    drop_join_handle: unsafe fn(NonNull<Header>),
    /// Cancels the task for a runtime shutdown (consumes a reference).
    shutdown: unsafe fn(NonNull<Header>),
}

fn vtable<F: Future, S: Schedule>() -> &'static Vtable {
    &Vtable {
        poll: poll::<F, S>,
        schedule: schedule::<F, S>,
        dealloc: dealloc::<F, S>,
        try_read_output: try_read_output::<F, S>,
        drop_join_handle: drop_join_handle::<F, S>,
        shutdown: shutdown::<F, S>,
    }
}

/// A pointer to a task cell. Copying it does not count a reference: the types built on it
/// (`Task`, `Notified`, `JoinHandle`, wakers) decide which reference each copy stands for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct RawTask {
    ptr: NonNull<Header>,
}

impl RawTask {
    /// Allocates a task cell: the one allocation of a spawn.
    pub(crate) fn new<F: Future, S: Schedule>(future: F, scheduler: S, id: Id) -> RawTask {
        let cell = Cell::new(future, scheduler, vtable::<F, S>(), id);
        let ptr = NonNull::from(Box::leak(cell)).cast::<Header>();
        RawTask { ptr }
    }

    /// # Safety
    ///
    /// `ptr` points at the header of a live task cell.
    pub(crate) unsafe fn from_raw(ptr: NonNull<Header>) -> RawTask {
        RawTask { ptr }
    }

    pub(crate) fn header_ptr(&self) -> NonNull<Header> {
        self.ptr
    }

    pub(crate) fn header(&self) -> &Header {
        // SAFETY: a `RawTask` is only used while some reference keeps the cell alive.
        unsafe { self.ptr.as_ref() }
    }

    fn vtable(&self) -> &'static Vtable {
        self.header().vtable
    }

    /// Polls the task, consuming a `Notified` reference.
    pub(crate) fn poll(self) {
        // SAFETY: the vtable entry matches the cell it was created with.
        unsafe { (self.vtable().poll)(self.ptr) }
    }

    /// Submits a `Notified` reference to the task's scheduler.
    pub(crate) fn schedule(self) {
        // SAFETY: as above.
        unsafe { (self.vtable().schedule)(self.ptr) }
    }

    /// Frees the cell.
    ///
    /// # Safety
    ///
    /// No reference to the task remains.
    pub(crate) unsafe fn dealloc(self) {
        // SAFETY: as above; the caller guarantees the count is zero.
        unsafe { (self.vtable().dealloc)(self.ptr) }
    }

    /// # Safety
    ///
    /// `dst` points at a `Poll<Result<T, JoinError>>` where `T` is the task's output type,
    /// and the caller is the task's `JoinHandle`.
    pub(crate) unsafe fn try_read_output(self, dst: *mut (), waker: &Waker) {
        // SAFETY: as the caller guarantees.
        unsafe { (self.vtable().try_read_output)(self.ptr, dst, waker) }
    }

    /// # Safety
    ///
    /// Called once, by the task's `JoinHandle`, which gives up its reference.
    pub(crate) unsafe fn drop_join_handle(self) {
        // SAFETY: as the caller guarantees.
        unsafe { (self.vtable().drop_join_handle)(self.ptr) }
    }

    /// Cancels the task for a runtime shutdown, consuming one reference.
    pub(crate) fn shutdown(self) {
        // SAFETY: the vtable entry matches the cell.
        unsafe { (self.vtable().shutdown)(self.ptr) }
    }

    /// Takes one more reference.
    pub(crate) fn ref_inc(self) {
        self.header().state.ref_inc();
    }

    /// Releases one reference, freeing the cell if it was the last.
    pub(crate) fn drop_reference(self) {
        if self.header().state.ref_dec() {
            // SAFETY: that was the last reference.
            unsafe { self.dealloc() }
        }
    }

    /// Aborts the task from a handle (rule 6 of the protocol).
    pub(crate) fn remote_abort(self) {
        if self.header().state.transition_to_notified_and_cancel() {
            // The transition counted a reference for the `Notified` we submit.
            self.schedule();
        }
    }
}

// SAFETY: the vtable functions are only reached through the `Task`, `Notified` and
// `JoinHandle` types, whose `Send`/`Sync` bounds (and the local-task rules in
// `crate::task`) decide where a task may be polled or dropped.
unsafe impl Send for RawTask {}
// SAFETY: as above.
unsafe impl Sync for RawTask {}

/// # Safety (for all the vtable entries below)
///
/// `ptr` is the header of a `Cell<F, S>` built by `RawTask::new::<F, S>`.
unsafe fn poll<F: Future, S: Schedule>(ptr: NonNull<Header>) {
    // SAFETY: see above.
    unsafe { Harness::<F, S>::from_raw(ptr) }.poll();
}

unsafe fn schedule<F: Future, S: Schedule>(ptr: NonNull<Header>) {
    // SAFETY: see above.
    unsafe { Harness::<F, S>::from_raw(ptr) }.schedule();
}

unsafe fn dealloc<F: Future, S: Schedule>(ptr: NonNull<Header>) {
    // SAFETY: the count reached zero, so nothing else points at the cell; it was made
    // by `Box::leak` of a `Box<Cell<F, S>>`.
    drop(unsafe { Box::from_raw(ptr.cast::<Cell<F, S>>().as_ptr()) });
}

unsafe fn try_read_output<F: Future, S: Schedule>(
    ptr: NonNull<Header>,
    dst: *mut (),
    waker: &Waker,
) {
    // SAFETY: see above; `dst` has the output's type by the `RawTask` contract.
    unsafe { Harness::<F, S>::from_raw(ptr).try_read_output(dst.cast(), waker) };
}

unsafe fn drop_join_handle<F: Future, S: Schedule>(ptr: NonNull<Header>) {
    // SAFETY: see above.
    unsafe { Harness::<F, S>::from_raw(ptr) }.drop_join_handle();
}

unsafe fn shutdown<F: Future, S: Schedule>(ptr: NonNull<Header>) {
    // SAFETY: see above.
    unsafe { Harness::<F, S>::from_raw(ptr) }.shutdown();
}
