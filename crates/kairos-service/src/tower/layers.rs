//! `TowerLayer` and `KairosLayer`: filters and layers, each as the other.

use super::{FromTower, IntoTower};
use crate::{Compose, Filter};

/// A `tower::Layer` as a Kairos [`Filter`]: the service is adapted to tower
/// ([`IntoTower`]), wrapped by the layer, and adapted back ([`FromTower`]), so the layer's
/// service must be `Clone`.
///
/// # Examples
///
/// ```
/// use kairos_service::tower::TowerLayer;
/// use kairos_service::{service_fn, Filter, Service};
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let negate = TowerLayer::new(tower::util::MapResponseLayer::new(|n: i32| -n));
/// let service = negate.wrap(service_fn(|n: i32| async move { Ok::<_, std::io::Error>(n) }));
/// assert_eq!(service.call(3).await.unwrap(), -3);
/// # });
/// ```
#[derive(Debug, Clone, Copy)]
pub struct TowerLayer<L> {
    layer: L,
}

impl<L> TowerLayer<L> {
    /// `layer` as a filter.
    pub fn new(layer: L) -> TowerLayer<L> {
        TowerLayer { layer }
    }
}

impl<L> Compose for TowerLayer<L> {}

impl<S, L> Filter<S> for TowerLayer<L>
where
    L: tower_layer::Layer<IntoTower<S>>,
{
    type Service = FromTower<L::Service>;

    fn wrap(&self, inner: S) -> FromTower<L::Service> {
        FromTower::new(self.layer.layer(IntoTower::new(inner)))
    }
}

/// A Kairos [`Filter`] as a `tower::Layer`: the tower service is adapted
/// ([`FromTower`], so it must be `Clone`), wrapped by the filter, and adapted back
/// ([`IntoTower`]).
///
/// # Examples
///
/// ```
/// use kairos_service::filters::TimeoutFilter;
/// use kairos_service::tower::KairosLayer;
/// use std::time::Duration;
/// use tower::{ServiceBuilder, ServiceExt};
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let service = ServiceBuilder::new()
///     .layer(KairosLayer::new(TimeoutFilter::new(Duration::from_secs(1))))
///     .service(tower::service_fn(|n: u8| async move { Ok::<_, std::io::Error>(n) }));
/// assert_eq!(service.oneshot(9).await.unwrap(), 9);
/// # });
/// ```
#[derive(Debug, Clone, Copy)]
pub struct KairosLayer<F> {
    filter: F,
}

impl<F> KairosLayer<F> {
    /// `filter` as a layer.
    pub fn new(filter: F) -> KairosLayer<F> {
        KairosLayer { filter }
    }
}

impl<S, F> tower_layer::Layer<S> for KairosLayer<F>
where
    F: Filter<FromTower<S>>,
{
    type Service = IntoTower<F::Service>;

    fn layer(&self, inner: S) -> IntoTower<F::Service> {
        IntoTower::new(self.filter.wrap(FromTower::new(inner)))
    }
}
