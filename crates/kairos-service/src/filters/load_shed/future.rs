//! `LoadShedFuture`.

use super::LoadShedError;
use pin_project_lite::pin_project;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

pin_project! {
    #[project = StateProj]
    enum State<F, E> {
        Called {
            #[pin]
            future: F,
        },
        Shed {
            error: Option<LoadShedError<E>>,
        },
    }
}

pin_project! {
    /// The future of [`LoadShed`](super::LoadShed): the inner call, or a refusal that
    /// completes on the first poll.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos_service::filters::load_shed::{LoadShed, LoadShedFuture};
    /// use kairos_service::{service_fn, Service};
    ///
    /// # kairos::runtime::Runtime::new().unwrap().block_on(async {
    /// let service = LoadShed::new(service_fn(|()| async { Ok::<_, ()>(()) }));
    /// let call: LoadShedFuture<_, ()> = service.call(());
    /// assert_eq!(call.await, Ok(()));
    /// # });
    /// ```
    #[must_use = "futures do nothing unless polled"]
    pub struct LoadShedFuture<F, E> {
        #[pin]
        state: State<F, E>,
    }
}

impl<F, E> LoadShedFuture<F, E> {
    pub(crate) fn called(future: F) -> Self {
        LoadShedFuture {
            state: State::Called { future },
        }
    }

    pub(crate) fn shed(error: LoadShedError<E>) -> Self {
        LoadShedFuture {
            state: State::Shed { error: Some(error) },
        }
    }
}

impl<F, T, E> Future for LoadShedFuture<F, E>
where
    F: Future<Output = Result<T, E>>,
{
    type Output = Result<T, LoadShedError<E>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            StateProj::Called { future } => {
                Poll::Ready(ready!(future.poll(cx)).map_err(LoadShedError::Inner))
            }
            StateProj::Shed { error } => Poll::Ready(Err(error
                .take()
                .expect("`LoadShedFuture` polled after completion"))),
        }
    }
}
