//! The memory layout of a task: one heap cell holding the header, the scheduler handle,
//! the future (whose memory is reused for its output) and the join waker.
//!
//! ```text
//!  Cell<F, S> (repr(C), one allocation)
//!  +---------------------------+
//!  | Header                    |  state word, vtable, id          <- wakers and handles point here
//!  +---------------------------+
//!  | Core                      |  scheduler handle S
//!  |   stage: Running(F)       |  the future ...
//!  |        | Finished(out)    |  ... then its output, in the same bytes
//!  |        | Consumed         |
//!  +---------------------------+
//!  | Trailer                   |  the JoinHandle's waker
//!  +---------------------------+
//! ```
//!
//! Cells are neither aligned to nor padded to cache lines, so neighbouring cells may share
//! one; docs/DESIGN.md ("Tasks") has what keeping them apart was measured to cost and buy.
//!
//! Ownership of the fields follows the protocol in [`crate::task`]: `stage` belongs to the
//! holder of RUNNING (or, once COMPLETE, to the `JoinHandle` if it is interested); the join
//! waker belongs to the `JoinHandle` while JOIN_WAKER is clear and is only read by the
//! runtime while it is set.

use crate::loom::cell::UnsafeCell;
use crate::task::error::Repr;
use crate::task::id::Id;
use crate::task::raw::Vtable;
use crate::task::state::State;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// The whole task allocation.
#[repr(C)]
pub(super) struct Cell<F: Future, S> {
    /// First, so a pointer to the header is a pointer to the cell.
    pub(super) header: Header,
    pub(super) core: Core<F, S>,
    pub(super) trailer: Trailer,
}

/// The type-erased part every task reference points at.
#[repr(C)]
pub(crate) struct Header {
    pub(super) state: State,
    pub(super) vtable: &'static Vtable,
    pub(super) id: Id,
}

/// The scheduler and the future or its output.
pub(super) struct Core<F: Future, S> {
    pub(super) scheduler: S,
    stage: UnsafeCell<Stage<F>>,
}

/// The future's lifecycle inside its cell.
pub(super) enum Stage<F: Future> {
    Running(F),
    Finished(Result<F::Output, Repr>),
    Consumed,
}

/// The `JoinHandle`'s waker.
pub(super) struct Trailer {
    waker: UnsafeCell<Option<Waker>>,
}

impl<F: Future, S> Cell<F, S> {
    pub(super) fn new(future: F, scheduler: S, vtable: &'static Vtable, id: Id) -> Box<Self> {
        Box::new(Cell {
            header: Header {
                state: State::new(),
                vtable,
                id,
            },
            core: Core {
                scheduler,
                stage: UnsafeCell::new(Stage::Running(future)),
            },
            trailer: Trailer {
                waker: UnsafeCell::new(None),
            },
        })
    }
}

impl<F: Future, S> Core<F, S> {
    /// Polls the future; on `Ready`, drops the future and stores nothing yet (the caller
    /// stores the output).
    ///
    /// # Safety
    ///
    /// The caller holds RUNNING (it owns `stage`), the stage is `Running`, and the cell is
    /// pinned (it never moves while the task lives).
    pub(super) unsafe fn poll(&self, cx: &mut Context<'_>) -> Poll<F::Output> {
        let output = self.stage.with_mut(|stage| {
            // SAFETY: the caller owns the stage (RUNNING), so nothing else accesses it.
            let Stage::Running(future) = (unsafe { &mut *stage }) else {
                unreachable!("polled a task whose future is gone")
            };
            // SAFETY: the cell is never moved while the task lives, so the future stays
            // where it is until it is dropped in place.
            unsafe { Pin::new_unchecked(future) }.poll(cx)
        });
        if output.is_ready() {
            // SAFETY: still the owner of the stage, as above.
            unsafe { self.drop_future_or_output() };
        }
        output
    }

    /// Drops whatever the stage holds.
    ///
    /// # Safety
    ///
    /// The caller owns the stage: it holds RUNNING, or the task is complete and the caller
    /// is the party the protocol gives the output to.
    pub(super) unsafe fn drop_future_or_output(&self) {
        // SAFETY: exclusive access, as the caller guarantees.
        unsafe { self.set_stage(Stage::Consumed) };
    }

    /// Stores the result of the task.
    ///
    /// # Safety
    ///
    /// As for [`Core::drop_future_or_output`].
    pub(super) unsafe fn store_output(&self, output: Result<F::Output, Repr>) {
        // SAFETY: exclusive access, as the caller guarantees.
        unsafe { self.set_stage(Stage::Finished(output)) };
    }

    /// Takes the output out of a finished stage.
    ///
    /// # Safety
    ///
    /// The task is complete and the caller is the interested `JoinHandle`.
    pub(super) unsafe fn take_output(&self) -> Result<F::Output, Repr> {
        self.stage.with_mut(|stage| {
            // SAFETY: exclusive access, as the caller guarantees.
            match std::mem::replace(unsafe { &mut *stage }, Stage::Consumed) {
                Stage::Finished(output) => output,
                _ => panic!("JoinHandle polled after completion"),
            }
        })
    }

    /// # Safety
    ///
    /// The caller has exclusive access to the stage.
    unsafe fn set_stage(&self, stage: Stage<F>) {
        // SAFETY: exclusive access, as the caller guarantees. The old stage is dropped
        // here, which may run user code (a destructor) that panics; callers catch that.
        self.stage.with_mut(|slot| unsafe { *slot = stage });
    }
}

impl Trailer {
    /// # Safety
    ///
    /// The caller has exclusive access to the join waker (JOIN_WAKER is clear and the
    /// caller is the `JoinHandle`, or the protocol handed the waker to the caller).
    pub(super) unsafe fn set_waker(&self, waker: Option<Waker>) {
        // SAFETY: exclusive access, as the caller guarantees.
        self.waker.with_mut(|slot| unsafe { *slot = waker });
    }

    /// # Safety
    ///
    /// The join waker is not being written: JOIN_WAKER is set, or the caller has exclusive
    /// access.
    pub(super) unsafe fn will_wake(&self, other: &Waker) -> bool {
        // SAFETY: read-only access while nobody writes, as the caller guarantees.
        self.waker.with(|slot| match unsafe { &*slot } {
            Some(waker) => waker.will_wake(other),
            None => false,
        })
    }

    /// # Safety
    ///
    /// As for [`Trailer::will_wake`]; the waker is set.
    pub(super) unsafe fn wake_join(&self) {
        // SAFETY: read-only access while nobody writes, as the caller guarantees.
        self.waker.with(|slot| match unsafe { &*slot } {
            Some(waker) => waker.wake_by_ref(),
            None => panic!("JOIN_WAKER set without a waker"),
        })
    }
}

impl Header {
    pub(crate) fn id(&self) -> Id {
        self.id
    }
}
