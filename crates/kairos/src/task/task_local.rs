//! Task-local storage: values scoped to a future, visible to code it calls while it is
//! being polled, wherever it runs.
//!
//! A [`LocalKey`] is a thread-local slot. [`LocalKey::scope`] wraps a future in a
//! [`TaskLocalFuture`] that, around every poll of the inner future, swaps its value into
//! the slot and back out; so code running inside the future sees the value, on whichever
//! worker the task happens to be polled, and code outside never does.

use std::cell::RefCell;
use std::error::Error;
use std::fmt;
use std::future::Future;
use std::marker::PhantomPinned;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::thread::LocalKey as ThreadLocalKey;

/// Declares task-local keys: `static NAME: Type;`, made with `LocalKey`'s API.
///
/// # Examples
///
/// ```
/// kairos::task_local! {
///     static REQUEST_ID: u64;
/// }
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let seen = REQUEST_ID
///     .scope(7, async {
///         kairos::task::yield_now().await;
///         REQUEST_ID.get()
///     })
///     .await;
/// assert_eq!(seen, 7);
/// assert!(REQUEST_ID.try_with(|_| ()).is_err());
/// # });
/// ```
#[macro_export]
macro_rules! task_local {
    () => {};
    ($(#[$attr:meta])* $vis:vis static $name:ident: $ty:ty; $($rest:tt)*) => {
        $(#[$attr])*
        $vis static $name: $crate::task::LocalKey<$ty> = {
            ::std::thread_local! {
                static __KAIROS_TASK_LOCAL: ::std::cell::RefCell<::std::option::Option<$ty>> =
                    const { ::std::cell::RefCell::new(::std::option::Option::None) };
            }
            $crate::task::LocalKey::__new(&__KAIROS_TASK_LOCAL)
        };
        $crate::task_local!($($rest)*);
    };
}

/// A key to task-local storage; declare one with [`task_local!`](crate::task_local).
pub struct LocalKey<T: 'static> {
    slot: &'static ThreadLocalKey<RefCell<Option<T>>>,
}

/// Why a task-local value could not be read: not inside a `scope` of that key.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct AccessError {
    _private: (),
}

impl<T: 'static> LocalKey<T> {
    #[doc(hidden)]
    pub const fn __new(slot: &'static ThreadLocalKey<RefCell<Option<T>>>) -> Self {
        LocalKey { slot }
    }

    /// Runs `future` with this key set to `value` during each of its polls.
    pub fn scope<F: Future>(&'static self, value: T, future: F) -> TaskLocalFuture<T, F> {
        TaskLocalFuture {
            key: self,
            value: Some(value),
            future: Some(future),
            _pinned: PhantomPinned,
        }
    }

    /// Runs the closure `f` with this key set to `value`, returning its result.
    ///
    /// # Examples
    ///
    /// ```
    /// kairos::task_local! {
    ///     static DEPTH: u32;
    /// }
    /// assert_eq!(DEPTH.sync_scope(3, || DEPTH.get() + 1), 4);
    /// ```
    pub fn sync_scope<R>(&'static self, value: T, f: impl FnOnce() -> R) -> R {
        let mut value = Some(value);
        self.swapped(&mut value, f)
    }

    /// Runs `f` with a reference to the value.
    ///
    /// # Panics
    ///
    /// Outside a `scope` of this key.
    #[track_caller]
    pub fn with<R>(&'static self, f: impl FnOnce(&T) -> R) -> R {
        match self.try_with(f) {
            Ok(result) => result,
            Err(_) => panic!(
                "cannot access a task-local value outside of its `scope` (or while it is \
                 being set)"
            ),
        }
    }

    /// Runs `f` with a reference to the value, or fails outside a `scope`.
    pub fn try_with<R>(&'static self, f: impl FnOnce(&T) -> R) -> Result<R, AccessError> {
        self.slot
            .try_with(|cell| {
                let borrowed = cell
                    .try_borrow()
                    .map_err(|_| AccessError { _private: () })?;
                match borrowed.as_ref() {
                    Some(value) => Ok(f(value)),
                    None => Err(AccessError { _private: () }),
                }
            })
            .unwrap_or(Err(AccessError { _private: () }))
    }

    /// Swaps `value` into the slot, runs `f`, and swaps it back out, also on unwind.
    fn swapped<R>(&'static self, value: &mut Option<T>, f: impl FnOnce() -> R) -> R {
        struct SwapBack<'a, T: 'static> {
            key: &'static LocalKey<T>,
            value: &'a mut Option<T>,
        }
        impl<T: 'static> Drop for SwapBack<'_, T> {
            fn drop(&mut self) {
                let _ = self
                    .key
                    .slot
                    .try_with(|cell| std::mem::swap(&mut *cell.borrow_mut(), self.value));
            }
        }
        self.slot
            .with(|cell| std::mem::swap(&mut *cell.borrow_mut(), value));
        let _back = SwapBack { key: self, value };
        f()
    }
}

impl<T: Copy + 'static> LocalKey<T> {
    /// A copy of the value.
    ///
    /// # Panics
    ///
    /// Outside a `scope` of this key.
    #[track_caller]
    pub fn get(&'static self) -> T {
        self.with(|value| *value)
    }
}

impl<T: 'static> fmt::Debug for LocalKey<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalKey").finish_non_exhaustive()
    }
}

/// The future returned by [`LocalKey::scope`].
#[must_use = "futures do nothing unless polled"]
pub struct TaskLocalFuture<T: 'static, F> {
    key: &'static LocalKey<T>,
    /// The value, when it is not in the slot (between polls).
    value: Option<T>,
    /// `None` once the future completed (and was dropped with the value in scope).
    future: Option<F>,
    _pinned: PhantomPinned,
}

impl<T: 'static, F: Future> Future for TaskLocalFuture<T, F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: `future` is structurally pinned: it is never moved out of `self`, only
        // dropped in place (assigning `None` to the `Option` it lives in runs its
        // destructor where it is). `key` and `value` are never pinned.
        let this = unsafe { self.get_unchecked_mut() };
        let key = this.key;
        let (value, future) = (&mut this.value, &mut this.future);
        key.swapped(value, || {
            let Some(inner) = future.as_mut() else {
                panic!("TaskLocalFuture polled after completion");
            };
            // SAFETY: see above; the future stays where it is until dropped in place.
            let output = unsafe { Pin::new_unchecked(inner) }.poll(cx);
            if output.is_ready() {
                // Dropped in place, with the value in scope (as the future would expect).
                *future = None;
            }
            output
        })
    }
}

impl<T: 'static, F> Drop for TaskLocalFuture<T, F> {
    fn drop(&mut self) {
        if self.future.is_some() {
            // Drop the future with its value in scope: its destructors may read it.
            let key = self.key;
            let (value, future) = (&mut self.value, &mut self.future);
            key.swapped(value, || *future = None);
        }
    }
}

impl<T: 'static, F> fmt::Debug for TaskLocalFuture<T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskLocalFuture").finish_non_exhaustive()
    }
}

impl fmt::Debug for AccessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessError")
    }
}

impl fmt::Display for AccessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("task-local value not set (outside its `scope`)")
    }
}

impl Error for AccessError {}
