//! `Next`: what may follow a filter in `and_then`, a filter or a service.
//!
//! Two blanket impls, told apart by a marker type parameter so that they cannot overlap:
//! a [`Compose`] type continues the chain ([`IsFilter`]); a [`Service`] that the filter can
//! wrap ends it ([`IsService`]). The compiler picks the one impl that applies.

use super::{AndThen, Compose, Filter};
use crate::Service;
use std::convert::Infallible;
use std::marker::PhantomData;

/// What may follow filter `F` in [`Compose::and_then`]: another filter, or a service.
///
/// Implemented for every [`Compose`] type (with `Marker =` [`IsFilter`]) and every
/// [`Service`] that `F` wraps (with `Marker =` [`IsService<Req>`]); there is no need to
/// implement it.
///
/// # Examples
///
/// ```
/// use kairos_service::filter::{Identity, IsFilter, Next};
///
/// // A filter following a filter makes a composed filter.
/// fn compose<N: Next<Identity, IsFilter>>(next: N) -> N::Output {
///     next.attach(Identity)
/// }
/// let _both = compose(Identity);
/// ```
pub trait Next<F, Marker> {
    /// The result of the composition: a filter, or a service.
    type Output;

    /// Puts `filter` in front of `self`.
    fn attach(self, filter: F) -> Self::Output;
}

/// Marker for [`Next`]: the thing after `and_then` is a filter.
///
/// # Examples
///
/// ```
/// use kairos_service::filter::{Identity, IsFilter, Next};
/// let _composed = <Identity as Next<Identity, IsFilter>>::attach(Identity, Identity);
/// ```
#[derive(Debug)]
pub enum IsFilter {}

/// Marker for [`Next`]: the thing after `and_then` is a service taking `Req`.
///
/// # Examples
///
/// ```
/// use kairos_service::filter::{Identity, IsService, Next};
/// use kairos_service::service_fn;
///
/// let service = service_fn(|n: u8| async move { Ok::<_, ()>(n) });
/// let _same = <_ as Next<Identity, IsService<u8>>>::attach(service, Identity);
/// ```
#[derive(Debug)]
pub struct IsService<Req>(Infallible, PhantomData<fn(Req)>);

impl<F, N> Next<F, IsFilter> for N
where
    N: Compose,
{
    type Output = AndThen<F, N>;

    fn attach(self, filter: F) -> AndThen<F, N> {
        AndThen::new(filter, self)
    }
}

impl<F, S, Req> Next<F, IsService<Req>> for S
where
    S: Service<Req>,
    F: Filter<S>,
{
    type Output = F::Service;

    fn attach(self, filter: F) -> F::Service {
        filter.wrap(self)
    }
}
