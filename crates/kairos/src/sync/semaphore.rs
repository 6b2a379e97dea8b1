//! [`Semaphore`]: a fair counting semaphore, and the permits it hands out.

use crate::sync::batch_semaphore::{AcquireError, BatchSemaphore, TryAcquireError, MAX_PERMITS};
use std::fmt;
use std::sync::Arc;

/// A counting semaphore: a pool of permits that tasks acquire and give back, to bound how
/// many of them do something at once.
///
/// Waiters are served in the order they asked (first in, first out), including those that
/// ask for several permits at once with [`acquire_many`](Semaphore::acquire_many): a large
/// request at the front of the queue holds back later small ones until it is served, so it
/// is never starved.
///
/// A permit goes back to the semaphore when its [`SemaphorePermit`] (or
/// [`OwnedSemaphorePermit`]) is dropped, unless it is [`forget`](SemaphorePermit::forget)-ed.
///
/// # Examples
///
/// Limit how many tasks run a section at once:
///
/// ```
/// use kairos::sync::Semaphore;
/// use std::sync::Arc;
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let semaphore = Arc::new(Semaphore::new(2));
/// let mut tasks = Vec::new();
/// for i in 0..5 {
///     let semaphore = semaphore.clone();
///     tasks.push(kairos::spawn(async move {
///         let _permit = semaphore.acquire().await.unwrap();
///         // At most two tasks are here at any time.
///         i * 2
///     }));
/// }
/// for task in tasks {
///     task.await.unwrap();
/// }
/// assert_eq!(semaphore.available_permits(), 2);
/// # });
/// ```
pub struct Semaphore {
    inner: BatchSemaphore,
}

/// Permits borrowed from a [`Semaphore`]; they go back to it when this is dropped.
#[must_use = "the permits are released as soon as this is dropped"]
pub struct SemaphorePermit<'a> {
    semaphore: &'a Semaphore,
    permits: u32,
}

/// Permits taken from an `Arc<Semaphore>`; they go back to it when this is dropped.
///
/// Unlike [`SemaphorePermit`] it borrows nothing, so it can move into a spawned task.
#[must_use = "the permits are released as soon as this is dropped"]
pub struct OwnedSemaphorePermit {
    semaphore: Arc<Semaphore>,
    permits: u32,
}

impl Semaphore {
    /// The most permits a semaphore can hold: `usize::MAX >> 3`.
    pub const MAX_PERMITS: usize = MAX_PERMITS;

    /// Creates a semaphore holding `permits` permits.
    ///
    /// # Panics
    ///
    /// If `permits` exceeds [`MAX_PERMITS`](Semaphore::MAX_PERMITS).
    ///
    /// # Examples
    ///
    /// ```
    /// let semaphore = kairos::sync::Semaphore::new(3);
    /// assert_eq!(semaphore.available_permits(), 3);
    /// ```
    pub fn new(permits: usize) -> Semaphore {
        Semaphore {
            inner: BatchSemaphore::new(permits),
        }
    }

    /// Creates a semaphore in a constant context, for a `static`.
    ///
    /// # Panics
    ///
    /// If `permits` exceeds [`MAX_PERMITS`](Semaphore::MAX_PERMITS) (at compile time in a
    /// constant).
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::Semaphore;
    ///
    /// static CONNECTIONS: Semaphore = Semaphore::const_new(10);
    /// assert_eq!(CONNECTIONS.available_permits(), 10);
    /// ```
    #[cfg(not(loom))]
    pub const fn const_new(permits: usize) -> Semaphore {
        Semaphore {
            inner: BatchSemaphore::const_new(permits),
        }
    }

    /// The permits available right now.
    pub fn available_permits(&self) -> usize {
        self.inner.available_permits()
    }

    /// Adds `n` permits, serving queued waiters first.
    ///
    /// # Panics
    ///
    /// If the semaphore would hold more than [`MAX_PERMITS`](Semaphore::MAX_PERMITS).
    ///
    /// # Examples
    ///
    /// ```
    /// let semaphore = kairos::sync::Semaphore::new(0);
    /// semaphore.add_permits(2);
    /// assert_eq!(semaphore.available_permits(), 2);
    /// ```
    pub fn add_permits(&self, n: usize) {
        self.inner.release(n);
    }

    /// Removes up to `n` of the available permits for good, and returns how many it
    /// removed. Permits held by others are not affected.
    ///
    /// # Examples
    ///
    /// ```
    /// let semaphore = kairos::sync::Semaphore::new(3);
    /// assert_eq!(semaphore.forget_permits(5), 3);
    /// assert_eq!(semaphore.available_permits(), 0);
    /// ```
    pub fn forget_permits(&self, n: usize) -> usize {
        self.inner.forget_permits(n)
    }

    /// Waits for a permit.
    ///
    /// # Errors
    ///
    /// [`AcquireError`] if the semaphore is closed before a permit is assigned.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a permit assigned to a dropped `acquire` goes to the next waiter. The
    /// dropped call loses its place in the queue.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::Semaphore;
    ///
    /// # futures::executor::block_on(async {
    /// let semaphore = Semaphore::new(1);
    /// let permit = semaphore.acquire().await.unwrap();
    /// assert_eq!(semaphore.available_permits(), 0);
    /// drop(permit);
    /// assert_eq!(semaphore.available_permits(), 1);
    /// # });
    /// ```
    pub async fn acquire(&self) -> Result<SemaphorePermit<'_>, AcquireError> {
        self.inner.acquire(1).await?;
        Ok(SemaphorePermit {
            semaphore: self,
            permits: 1,
        })
    }

    /// Waits for `n` permits at once.
    ///
    /// The request keeps its place in the queue while it collects permits, and later
    /// requests wait behind it.
    ///
    /// # Errors
    ///
    /// [`AcquireError`] if the semaphore is closed before all `n` are assigned.
    ///
    /// # Panics
    ///
    /// If `n` exceeds [`MAX_PERMITS`](Semaphore::MAX_PERMITS).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: permits already assigned to a dropped `acquire_many` go to the next
    /// waiters. The dropped call loses its place in the queue.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::Semaphore;
    ///
    /// # futures::executor::block_on(async {
    /// let semaphore = Semaphore::new(5);
    /// let permit = semaphore.acquire_many(3).await.unwrap();
    /// assert_eq!(permit.num_permits(), 3);
    /// assert_eq!(semaphore.available_permits(), 2);
    /// # });
    /// ```
    pub async fn acquire_many(&self, n: u32) -> Result<SemaphorePermit<'_>, AcquireError> {
        self.inner.acquire(n as usize).await?;
        Ok(SemaphorePermit {
            semaphore: self,
            permits: n,
        })
    }

    /// Takes a permit if one is available and nobody is queued for one.
    ///
    /// # Errors
    ///
    /// [`TryAcquireError::Closed`] if the semaphore is closed,
    /// [`TryAcquireError::NoPermits`] if no permit can be taken right now.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::{Semaphore, TryAcquireError};
    ///
    /// let semaphore = Semaphore::new(1);
    /// let permit = semaphore.try_acquire().unwrap();
    /// assert_eq!(semaphore.try_acquire().err(), Some(TryAcquireError::NoPermits));
    /// drop(permit);
    /// assert!(semaphore.try_acquire().is_ok());
    /// ```
    pub fn try_acquire(&self) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.try_acquire_many(1)
    }

    /// Takes `n` permits if they are available and nobody is queued for permits.
    ///
    /// # Errors
    ///
    /// As [`try_acquire`](Semaphore::try_acquire).
    ///
    /// # Examples
    ///
    /// ```
    /// let semaphore = kairos::sync::Semaphore::new(4);
    /// let permit = semaphore.try_acquire_many(3).unwrap();
    /// assert!(semaphore.try_acquire_many(2).is_err());
    /// assert_eq!(permit.num_permits(), 3);
    /// ```
    pub fn try_acquire_many(&self, n: u32) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.inner.try_acquire(n as usize)?;
        Ok(SemaphorePermit {
            semaphore: self,
            permits: n,
        })
    }

    /// Waits for a permit that owns a reference to the semaphore.
    ///
    /// # Errors
    ///
    /// [`AcquireError`] if the semaphore is closed before a permit is assigned.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe, as [`acquire`](Semaphore::acquire).
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::Semaphore;
    /// use std::sync::Arc;
    ///
    /// # kairos::runtime::Runtime::new().unwrap().block_on(async {
    /// let semaphore = Arc::new(Semaphore::new(1));
    /// let permit = semaphore.clone().acquire_owned().await.unwrap();
    /// let task = kairos::spawn(async move {
    ///     let _permit = permit; // released when the task ends
    /// });
    /// task.await.unwrap();
    /// assert_eq!(semaphore.available_permits(), 1);
    /// # });
    /// ```
    pub async fn acquire_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit, AcquireError> {
        self.acquire_many_owned(1).await
    }

    /// Waits for `n` permits that own a reference to the semaphore.
    ///
    /// # Errors
    ///
    /// [`AcquireError`] if the semaphore is closed before all `n` are assigned.
    ///
    /// # Panics
    ///
    /// If `n` exceeds [`MAX_PERMITS`](Semaphore::MAX_PERMITS).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe, as [`acquire_many`](Semaphore::acquire_many).
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::Semaphore;
    /// use std::sync::Arc;
    ///
    /// # futures::executor::block_on(async {
    /// let semaphore = Arc::new(Semaphore::new(3));
    /// let permit = semaphore.clone().acquire_many_owned(2).await.unwrap();
    /// assert_eq!(permit.num_permits(), 2);
    /// # });
    /// ```
    pub async fn acquire_many_owned(
        self: Arc<Self>,
        n: u32,
    ) -> Result<OwnedSemaphorePermit, AcquireError> {
        self.inner.acquire(n as usize).await?;
        Ok(OwnedSemaphorePermit {
            semaphore: self,
            permits: n,
        })
    }

    /// Takes a permit that owns a reference to the semaphore, if one is available and
    /// nobody is queued.
    ///
    /// # Errors
    ///
    /// As [`try_acquire`](Semaphore::try_acquire).
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::Semaphore;
    /// use std::sync::Arc;
    ///
    /// let semaphore = Arc::new(Semaphore::new(1));
    /// let permit = semaphore.clone().try_acquire_owned().unwrap();
    /// assert!(semaphore.clone().try_acquire_owned().is_err());
    /// drop(permit);
    /// ```
    pub fn try_acquire_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        self.try_acquire_many_owned(1)
    }

    /// Takes `n` permits that own a reference to the semaphore, if they are available and
    /// nobody is queued.
    ///
    /// # Errors
    ///
    /// As [`try_acquire`](Semaphore::try_acquire).
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::Semaphore;
    /// use std::sync::Arc;
    ///
    /// let semaphore = Arc::new(Semaphore::new(2));
    /// let permit = semaphore.clone().try_acquire_many_owned(2).unwrap();
    /// assert_eq!(permit.num_permits(), 2);
    /// ```
    pub fn try_acquire_many_owned(
        self: Arc<Self>,
        n: u32,
    ) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        self.inner.try_acquire(n as usize)?;
        Ok(OwnedSemaphorePermit {
            semaphore: self,
            permits: n,
        })
    }

    /// Closes the semaphore: queued and future acquisitions fail with [`AcquireError`].
    /// Permits already held stay valid, and go back to the count when dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::{Semaphore, TryAcquireError};
    ///
    /// let semaphore = Semaphore::new(1);
    /// semaphore.close();
    /// assert!(semaphore.is_closed());
    /// assert_eq!(semaphore.try_acquire().err(), Some(TryAcquireError::Closed));
    /// ```
    pub fn close(&self) {
        self.inner.close();
    }

    /// Whether [`close`](Semaphore::close) was called.
    pub fn is_closed(&self) -> bool {
        self.inner.is_closed()
    }
}

impl Default for Semaphore {
    /// A semaphore with no permits.
    fn default() -> Semaphore {
        Semaphore::new(0)
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Semaphore")
            .field("available_permits", &self.available_permits())
            .field("closed", &self.is_closed())
            .finish()
    }
}

impl<'a> SemaphorePermit<'a> {
    /// Keeps the permits from going back to the semaphore: they are removed for good.
    ///
    /// # Examples
    ///
    /// ```
    /// let semaphore = kairos::sync::Semaphore::new(2);
    /// semaphore.try_acquire().unwrap().forget();
    /// assert_eq!(semaphore.available_permits(), 1);
    /// ```
    pub fn forget(mut self) {
        self.permits = 0;
    }

    /// How many permits this holds.
    pub fn num_permits(&self) -> usize {
        self.permits as usize
    }

    /// Takes over the permits of `other`, which must come from the same semaphore.
    ///
    /// # Panics
    ///
    /// If `other` belongs to a different semaphore.
    ///
    /// # Examples
    ///
    /// ```
    /// let semaphore = kairos::sync::Semaphore::new(3);
    /// let mut permit = semaphore.try_acquire().unwrap();
    /// permit.merge(semaphore.try_acquire_many(2).unwrap());
    /// assert_eq!(permit.num_permits(), 3);
    /// ```
    pub fn merge(&mut self, mut other: SemaphorePermit<'_>) {
        assert!(
            std::ptr::eq(self.semaphore, other.semaphore),
            "merging permits from different semaphores"
        );
        self.permits += other.permits;
        other.permits = 0;
    }

    /// Splits `n` permits off into a new permit, or returns `None` if this holds fewer.
    ///
    /// # Examples
    ///
    /// ```
    /// let semaphore = kairos::sync::Semaphore::new(3);
    /// let mut permit = semaphore.try_acquire_many(3).unwrap();
    /// let part = permit.split(1).unwrap();
    /// assert_eq!((permit.num_permits(), part.num_permits()), (2, 1));
    /// assert!(permit.split(5).is_none());
    /// ```
    pub fn split(&mut self, n: usize) -> Option<SemaphorePermit<'a>> {
        let n = u32::try_from(n).ok().filter(|&n| n <= self.permits)?;
        self.permits -= n;
        Some(SemaphorePermit {
            semaphore: self.semaphore,
            permits: n,
        })
    }
}

impl Drop for SemaphorePermit<'_> {
    fn drop(&mut self) {
        self.semaphore.add_permits(self.permits as usize);
    }
}

impl fmt::Debug for SemaphorePermit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SemaphorePermit")
            .field("permits", &self.permits)
            .finish_non_exhaustive()
    }
}

impl OwnedSemaphorePermit {
    /// Keeps the permits from going back to the semaphore: they are removed for good.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// let semaphore = Arc::new(kairos::sync::Semaphore::new(1));
    /// semaphore.clone().try_acquire_owned().unwrap().forget();
    /// assert_eq!(semaphore.available_permits(), 0);
    /// ```
    pub fn forget(mut self) {
        self.permits = 0;
    }

    /// How many permits this holds.
    pub fn num_permits(&self) -> usize {
        self.permits as usize
    }

    /// The semaphore the permits belong to.
    pub fn semaphore(&self) -> &Arc<Semaphore> {
        &self.semaphore
    }

    /// Takes over the permits of `other`, which must come from the same semaphore.
    ///
    /// # Panics
    ///
    /// If `other` belongs to a different semaphore.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// let semaphore = Arc::new(kairos::sync::Semaphore::new(2));
    /// let mut permit = semaphore.clone().try_acquire_owned().unwrap();
    /// permit.merge(semaphore.clone().try_acquire_owned().unwrap());
    /// assert_eq!(permit.num_permits(), 2);
    /// ```
    pub fn merge(&mut self, mut other: OwnedSemaphorePermit) {
        assert!(
            Arc::ptr_eq(&self.semaphore, &other.semaphore),
            "merging permits from different semaphores"
        );
        self.permits += other.permits;
        other.permits = 0;
    }

    /// Splits `n` permits off into a new permit, or returns `None` if this holds fewer.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// let semaphore = Arc::new(kairos::sync::Semaphore::new(2));
    /// let mut permit = semaphore.clone().try_acquire_many_owned(2).unwrap();
    /// let part = permit.split(1).unwrap();
    /// assert_eq!((permit.num_permits(), part.num_permits()), (1, 1));
    /// ```
    pub fn split(&mut self, n: usize) -> Option<OwnedSemaphorePermit> {
        let n = u32::try_from(n).ok().filter(|&n| n <= self.permits)?;
        self.permits -= n;
        Some(OwnedSemaphorePermit {
            semaphore: self.semaphore.clone(),
            permits: n,
        })
    }
}

impl Drop for OwnedSemaphorePermit {
    fn drop(&mut self) {
        self.semaphore.add_permits(self.permits as usize);
    }
}

impl fmt::Debug for OwnedSemaphorePermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedSemaphorePermit")
            .field("permits", &self.permits)
            .finish_non_exhaustive()
    }
}
