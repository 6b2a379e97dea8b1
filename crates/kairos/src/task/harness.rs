//! The typed operations on a task cell: poll, complete, cancel, join. Every step names the
//! rule of the task protocol (see [`crate::task`]) that allows it.

use crate::task::core::{Cell, Core, Header, Trailer};
use crate::task::error::{JoinError, Repr, SyncWrapper};
use crate::task::raw::RawTask;
use crate::task::state::{Snapshot, TransitionToIdle, TransitionToRunning};
use crate::task::waker::waker_ref;
use crate::task::{Notified, Schedule};
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::NonNull;
use std::task::{Context, Poll, Waker};

pub(super) struct Harness<F: Future, S: 'static> {
    cell: NonNull<Cell<F, S>>,
}

impl<F: Future, S: Schedule> Harness<F, S> {
    /// # Safety
    ///
    /// `ptr` is the header of a live `Cell<F, S>`.
    pub(super) unsafe fn from_raw(ptr: NonNull<Header>) -> Self {
        Harness { cell: ptr.cast() }
    }

    fn header(&self) -> &Header {
        // SAFETY: the cell is alive while the caller holds a reference (from_raw contract).
        unsafe { &self.cell.as_ref().header }
    }

    fn core(&self) -> &Core<F, S> {
        // SAFETY: as above.
        unsafe { &self.cell.as_ref().core }
    }

    fn trailer(&self) -> &Trailer {
        // SAFETY: as above.
        unsafe { &self.cell.as_ref().trailer }
    }

    fn raw(&self) -> RawTask {
        // SAFETY: the cell is alive (from_raw contract).
        unsafe { RawTask::from_raw(self.cell.cast()) }
    }

    /// Runs one poll of the task for the `Notified` reference the caller gave up.
    pub(super) fn poll(self) {
        match self.header().state.transition_to_running() {
            TransitionToRunning::Success => {}
            TransitionToRunning::Cancelled => return self.cancel_and_complete(),
            TransitionToRunning::Failed => return,
            TransitionToRunning::Dealloc => return self.dealloc(),
        }
        // Rule 2: we hold RUNNING and own the stage.
        let waker = waker_ref(self.header_ptr());
        let mut cx = Context::from_waker(&waker);
        let id = self.header().id;
        let core = self.core();
        let polled = crate::runtime::context::with_task_id(id, || {
            // SAFETY: RUNNING is ours and the stage is `Running` (a complete task cannot
            // be transitioned to running).
            catch_unwind(AssertUnwindSafe(|| unsafe { core.poll(&mut cx) }))
        });
        match polled {
            Ok(Poll::Ready(output)) => {
                // SAFETY: still RUNNING; the future was dropped by `Core::poll`.
                unsafe { core.store_output(Ok(output)) };
                self.complete();
            }
            Ok(Poll::Pending) => match self.header().state.transition_to_idle() {
                TransitionToIdle::Ok => {}
                TransitionToIdle::OkNotified => {
                    // SAFETY: rule 3: the poller's reference is now the `Notified`.
                    let notified = unsafe { Notified::from_raw(self.header_ptr()) };
                    core.scheduler.yield_now(notified);
                }
                TransitionToIdle::OkDealloc => self.dealloc(),
                TransitionToIdle::Cancelled => self.cancel_and_complete(),
            },
            Err(panic) => {
                // The future panicked: drop it (a panic in its destructor is swallowed,
                // the first payload is the one reported) and report the panic.
                // SAFETY: still RUNNING.
                let _ = catch_unwind(AssertUnwindSafe(|| unsafe { core.drop_future_or_output() }));
                // SAFETY: still RUNNING.
                unsafe { core.store_output(Err(Repr::Panic(SyncWrapper::new(panic)))) };
                self.complete();
            }
        }
    }

    fn header_ptr(&self) -> NonNull<Header> {
        self.cell.cast()
    }

    /// Rule 7: the runtime shuts the task down; consumes the caller's reference.
    pub(super) fn shutdown(self) {
        if self.header().state.transition_to_shutdown() {
            self.cancel_and_complete();
        } else {
            self.drop_reference();
        }
    }

    /// Drops the future and completes the task as cancelled. The caller holds RUNNING and
    /// a reference, which `complete` releases.
    fn cancel_and_complete(self) {
        let core = self.core();
        // The future's destructor sees its own task id, as it would in a poll.
        let dropped = self.with_id(|| {
            // SAFETY: the caller holds RUNNING.
            catch_unwind(AssertUnwindSafe(|| unsafe { core.drop_future_or_output() }))
        });
        let repr = match dropped {
            Ok(()) => Repr::Cancelled,
            Err(panic) => Repr::Panic(SyncWrapper::new(panic)),
        };
        // SAFETY: the caller holds RUNNING.
        unsafe { core.store_output(Err(repr)) };
        self.complete();
    }

    /// Rule 4: publishes the stored output, wakes the joiner, releases the caller's
    /// reference.
    fn complete(self) {
        // Counted before the transition publishes the completion: whoever sees the task
        // complete sees it counted.
        self.core().scheduler.task_completed();
        let snapshot = self.header().state.transition_to_complete();
        // User code runs below (an output's destructor, a waker); a panic there must not
        // take the worker down.
        let _ = catch_unwind(AssertUnwindSafe(|| {
            if !snapshot.is_join_interested() {
                // The JoinHandle left before completion and will never read the output.
                // SAFETY: nobody else may touch a complete task's stage without interest.
                self.with_id(|| unsafe { self.core().drop_future_or_output() });
            } else if snapshot.is_join_waker_set() {
                // SAFETY: JOIN_WAKER is set, so the runtime side may read the waker.
                unsafe { self.trailer().wake_join() };
                let after = self.header().state.unset_join_waker_after_complete();
                if !after.is_join_interested() {
                    // The handle was dropped meanwhile and left the waker to us.
                    // SAFETY: JOIN_WAKER is clear and the handle is gone.
                    unsafe { self.trailer().set_waker(None) };
                }
            }
        }));
        self.drop_reference();
    }

    /// Wakes the task: submits a `Notified` whose reference the caller already counted.
    pub(super) fn schedule(self) {
        // SAFETY: the caller counted the reference this `Notified` carries.
        let notified = unsafe { Notified::from_raw(self.header_ptr()) };
        self.core().scheduler.schedule(notified);
    }

    /// The `JoinHandle`'s poll: reads the output if complete, else registers `waker`.
    ///
    /// # Safety
    ///
    /// Called by the task's interested `JoinHandle`; `dst` has the output's type.
    pub(super) unsafe fn try_read_output(
        self,
        dst: *mut Poll<Result<F::Output, JoinError>>,
        waker: &Waker,
    ) {
        if self.can_read_output(waker) {
            // SAFETY: complete, and the caller is the interested JoinHandle (rule 8).
            let output = unsafe { self.core().take_output() };
            let id = self.header().id;
            // SAFETY: `dst` is valid for writes of that type (caller contract).
            unsafe { *dst = Poll::Ready(output.map_err(|repr| JoinError::new(repr, id))) };
        }
    }

    /// Rule 9: returns whether the task is complete; otherwise makes sure `waker` is the
    /// registered join waker.
    fn can_read_output(&self, waker: &Waker) -> bool {
        let state = &self.header().state;
        let snapshot = state.load();
        debug_assert!(snapshot.is_join_interested());
        if snapshot.is_complete() {
            return true;
        }
        let result = if !snapshot.is_join_waker_set() {
            self.set_join_waker(waker.clone())
        } else {
            // SAFETY: JOIN_WAKER is set: the runtime may read the waker but not write it.
            if unsafe { self.trailer().will_wake(waker) } {
                return false;
            }
            state
                .unset_join_waker()
                .and_then(|_| self.set_join_waker(waker.clone()))
        };
        match result {
            Ok(_) => false,
            Err(snapshot) => {
                debug_assert!(snapshot.is_complete());
                true
            }
        }
    }

    fn set_join_waker(&self, waker: Waker) -> Result<Snapshot, Snapshot> {
        // SAFETY: JOIN_WAKER is clear, so the JoinHandle (our caller) owns the waker.
        unsafe { self.trailer().set_waker(Some(waker)) };
        let result = self.header().state.set_join_waker();
        if result.is_err() {
            // Completed meanwhile; JOIN_WAKER is still clear, so the waker is still ours.
            // SAFETY: as above.
            unsafe { self.trailer().set_waker(None) };
        }
        result
    }

    /// Rule 8: the `JoinHandle` is dropped.
    pub(super) fn drop_join_handle(self) {
        let after = self.header().state.transition_to_join_handle_dropped();
        if after.is_complete() {
            // The output is ours to drop; its destructor may panic, which must not unwind
            // out of the handle's drop into unrelated code.
            let _ = self.with_id(|| {
                // SAFETY: complete, and we were the interested JoinHandle.
                catch_unwind(AssertUnwindSafe(|| unsafe {
                    self.core().drop_future_or_output()
                }))
            });
        }
        if !after.is_join_waker_set() {
            // SAFETY: JOIN_WAKER is clear: the waker belongs to the handle.
            unsafe { self.trailer().set_waker(None) };
        }
        self.drop_reference();
    }

    /// Runs `f` (which drops the future or the output) with this task's id current.
    fn with_id<R>(&self, f: impl FnOnce() -> R) -> R {
        crate::runtime::context::with_task_id(self.header().id, f)
    }

    fn drop_reference(self) {
        if self.header().state.ref_dec() {
            self.dealloc();
        }
    }

    fn dealloc(self) {
        // SAFETY: the count reached zero.
        unsafe { self.raw().dealloc() };
    }
}
