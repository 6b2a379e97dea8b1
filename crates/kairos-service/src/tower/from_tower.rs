//! `FromTower`: a tower service called as a Kairos service.

use crate::{Service, Status};
use pin_project_lite::pin_project;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// A `tower::Service` as a Kairos [`Service`]: each call clones it, waits on the clone's
/// `poll_ready`, then calls the clone (see the [module docs](super) for why).
///
/// # Behaviour under failure
///
/// An error from `poll_ready` fails the call with that error, without calling; errors of
/// the call pass through. [`status`](Service::status) is always `Open`; `close` does
/// nothing (tower services close by being dropped).
///
/// # Examples
///
/// ```
/// use kairos_service::tower::FromTower;
/// use kairos_service::Service;
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let tower_service = tower::service_fn(|n: u32| async move { Ok::<_, std::io::Error>(n + 1) });
/// let service = FromTower::new(tower_service);
/// assert_eq!(service.call(1).await.unwrap(), 2);
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct FromTower<T> {
    inner: T,
}

impl<T> FromTower<T> {
    /// `inner` as a Kairos service.
    pub fn new(inner: T) -> FromTower<T> {
        FromTower { inner }
    }

    /// The tower service.
    pub fn get_ref(&self) -> &T {
        &self.inner
    }

    /// The tower service, by value.
    pub fn into_inner(self) -> T {
        self.inner
    }
}

impl<T, Req> Service<Req> for FromTower<T>
where
    T: tower_service::Service<Req> + Clone,
{
    type Response = T::Response;
    type Error = T::Error;
    type Future<'a>
        = FromTowerFuture<T, Req>
    where
        Self: 'a;

    fn call(&self, req: Req) -> FromTowerFuture<T, Req> {
        FromTowerFuture {
            service: self.inner.clone(),
            req: Some(req),
            state: State::Ready,
        }
    }

    fn status(&self) -> Status {
        Status::Open
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F> {
        Ready,
        Calling {
            #[pin]
            future: F,
        },
    }
}

pin_project! {
    /// The future of [`FromTower`]: `poll_ready` on its own clone of the tower service,
    /// then the call.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos_service::tower::{FromTower, FromTowerFuture};
    /// use kairos_service::Service;
    ///
    /// # kairos::runtime::Runtime::new().unwrap().block_on(async {
    /// let service = FromTower::new(tower::service_fn(|()| async { Ok::<_, ()>(5) }));
    /// let call: FromTowerFuture<_, ()> = service.call(());
    /// assert_eq!(call.await, Ok(5));
    /// # });
    /// ```
    #[must_use = "futures do nothing unless polled"]
    pub struct FromTowerFuture<T, Req>
    where
        T: tower_service::Service<Req>,
    {
        service: T,
        req: Option<Req>,
        #[pin]
        state: State<T::Future>,
    }
}

impl<T, Req> Future for FromTowerFuture<T, Req>
where
    T: tower_service::Service<Req>,
{
    type Output = Result<T::Response, T::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        loop {
            match this.state.as_mut().project() {
                StateProj::Ready => {
                    ready!(this.service.poll_ready(cx))?;
                    let req = this
                        .req
                        .take()
                        .expect("`FromTowerFuture` polled after completion");
                    let future = this.service.call(req);
                    this.state.set(State::Calling { future });
                }
                StateProj::Calling { future } => return future.poll(cx),
            }
        }
    }
}
