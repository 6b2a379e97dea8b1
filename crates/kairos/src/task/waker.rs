//! Task wakers: a waker is a counted reference to the task header, so cloning or waking
//! one never allocates.

use crate::task::core::Header;
use crate::task::raw::RawTask;
use crate::task::state::TransitionToNotified;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::ops::Deref;
use std::ptr::NonNull;
use std::task::{RawWaker, RawWakerVTable, Waker};

static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake_by_val, wake_by_ref, drop_waker);

/// A waker borrowed from the poller's reference, valid for the duration of one poll: it
/// costs no reference count unless the future clones it.
pub(super) struct WakerRef<'a> {
    waker: ManuallyDrop<Waker>,
    _poll: PhantomData<&'a Header>,
}

pub(super) fn waker_ref<'a>(header: NonNull<Header>) -> WakerRef<'a> {
    // SAFETY: the vtable functions below uphold the `RawWaker` contract for a task header
    // pointer; the poller's reference keeps the header alive while the `WakerRef` lives,
    // and `ManuallyDrop` keeps this borrowed waker from releasing a reference it never
    // took.
    let waker = unsafe { Waker::from_raw(RawWaker::new(header.as_ptr().cast(), &VTABLE)) };
    WakerRef {
        waker: ManuallyDrop::new(waker),
        _poll: PhantomData,
    }
}

impl Deref for WakerRef<'_> {
    type Target = Waker;

    fn deref(&self) -> &Waker {
        &self.waker
    }
}

/// # Safety
///
/// `ptr` is a task header kept alive by the waker being cloned.
unsafe fn clone(ptr: *const ()) -> RawWaker {
    // SAFETY: the caller's waker holds a reference, so the header is alive.
    let raw = unsafe { raw_task(ptr) };
    raw.ref_inc();
    RawWaker::new(ptr, &VTABLE)
}

/// # Safety
///
/// `ptr` is a task header; the waker being consumed owns one reference.
unsafe fn wake_by_val(ptr: *const ()) {
    // SAFETY: the consumed waker's reference keeps the header alive until released here.
    let raw = unsafe { raw_task(ptr) };
    match raw.header().state.transition_to_notified_by_val() {
        TransitionToNotified::Submit => raw.schedule(),
        TransitionToNotified::Dealloc => {
            // SAFETY: that was the last reference.
            unsafe { raw.dealloc() }
        }
        TransitionToNotified::DoNothing => {}
    }
}

/// # Safety
///
/// `ptr` is a task header kept alive by the waker.
unsafe fn wake_by_ref(ptr: *const ()) {
    // SAFETY: the waker's reference keeps the header alive.
    let raw = unsafe { raw_task(ptr) };
    match raw.header().state.transition_to_notified_by_ref() {
        TransitionToNotified::Submit => raw.schedule(),
        TransitionToNotified::Dealloc => unreachable!("waking by reference never frees"),
        TransitionToNotified::DoNothing => {}
    }
}

/// # Safety
///
/// `ptr` is a task header; the waker being dropped owns one reference.
unsafe fn drop_waker(ptr: *const ()) {
    // SAFETY: the dropped waker's reference keeps the header alive until released here.
    unsafe { raw_task(ptr) }.drop_reference();
}

/// # Safety
///
/// `ptr` came from a waker built on a live task header.
unsafe fn raw_task(ptr: *const ()) -> RawTask {
    // SAFETY: wakers are only built from non-null header pointers.
    let header = unsafe { NonNull::new_unchecked(ptr as *mut Header) };
    // SAFETY: the caller guarantees the header is alive.
    unsafe { RawTask::from_raw(header) }
}
