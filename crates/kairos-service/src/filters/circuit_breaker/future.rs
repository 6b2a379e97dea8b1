//! `CircuitBreakerFuture`: the inner call, its outcome recorded.

use super::state::{Accrual, Role};
use super::{CircuitBreakerError, Classify};
use kairos::time::Instant;
use pin_project_lite::pin_project;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

pin_project! {
    #[project = StateProj]
    enum State<F> {
        Admitted {
            #[pin]
            future: F,
            role: Role,
        },
        Refused,
        Done,
    }
}

pin_project! {
    /// The future of [`CircuitBreaker`](super::CircuitBreaker): the inner call, whose
    /// outcome is recorded when it completes; or a refusal that completes at once.
    ///
    /// # Cancel safety
    ///
    /// Dropping an ordinary call records nothing. Dropping the probe before it completes
    /// lets the next call probe instead.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos_service::filters::circuit_breaker::{
    ///     CircuitBreaker, CircuitBreakerConfig, CircuitBreakerFuture, Errors,
    /// };
    /// use kairos_service::{service_fn, Service};
    ///
    /// # kairos::runtime::Runtime::new().unwrap().block_on(async {
    /// let service = CircuitBreaker::new(
    ///     service_fn(|()| async { Ok::<_, ()>(()) }),
    ///     CircuitBreakerConfig::new(),
    ///     Errors,
    /// );
    /// let call: CircuitBreakerFuture<'_, _, Errors> = service.call(());
    /// assert_eq!(call.await, Ok(()));
    /// # });
    /// ```
    #[must_use = "futures do nothing unless polled"]
    pub struct CircuitBreakerFuture<'a, F, C> {
        accrual: &'a Accrual,
        classify: &'a C,
        #[pin]
        state: State<F>,
    }

    impl<'a, F, C> PinnedDrop for CircuitBreakerFuture<'a, F, C> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if let StateProj::Admitted { role: Role::Probe, .. } = this.state.project() {
                this.accrual.abandon_probe(Instant::now());
            }
        }
    }
}

impl<'a, F, C> CircuitBreakerFuture<'a, F, C> {
    pub(crate) fn admitted(accrual: &'a Accrual, classify: &'a C, role: Role, future: F) -> Self {
        CircuitBreakerFuture {
            accrual,
            classify,
            state: State::Admitted { future, role },
        }
    }

    pub(crate) fn refused(accrual: &'a Accrual, classify: &'a C) -> Self {
        CircuitBreakerFuture {
            accrual,
            classify,
            state: State::Refused,
        }
    }
}

impl<'a, F, C, T, E> Future for CircuitBreakerFuture<'a, F, C>
where
    F: Future<Output = Result<T, E>>,
    C: Classify<T, E>,
{
    type Output = Result<T, CircuitBreakerError<E>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut state = this.state;
        let output = match state.as_mut().project() {
            StateProj::Admitted { future, role } => {
                let result = ready!(future.poll(cx));
                let failed = this.classify.is_failure(&result);
                this.accrual.record(*role, failed, Instant::now());
                result.map_err(CircuitBreakerError::Inner)
            }
            StateProj::Refused => Err(CircuitBreakerError::Open),
            StateProj::Done => panic!("`CircuitBreakerFuture` polled after completion"),
        };
        state.set(State::Done);
        Poll::Ready(output)
    }
}
