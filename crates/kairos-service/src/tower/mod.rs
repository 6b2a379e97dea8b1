//! Adapters both ways between Kairos services and filters and `tower`'s `Service` and
//! `Layer` (feature `tower`), so tower middleware and Kairos filters mix in one stack.
//!
//! The two models differ: a `tower::Service` is called through `&mut self` after
//! `poll_ready` says it has room, and its future owns everything it needs (`'static` in
//! practice); a Kairos service is called through `&self`, reports its status separately,
//! and its future may borrow the service. Hence:
//!
//! | adapter | direction | cost per call | readiness |
//! |---|---|---|---|
//! | [`FromTower`] | tower service → Kairos service | a clone of the tower service | `poll_ready` on the clone, inside the call's future |
//! | [`IntoTower`] | Kairos service → tower service | one allocation (the boxed future) and an `Arc` clone | always ready |
//! | [`TowerLayer`] | tower layer → Kairos filter | as `FromTower` + `IntoTower` | |
//! | [`KairosLayer`] | Kairos filter → tower layer | as `IntoTower` + `FromTower` | |
//!
//! **tower → Kairos clones.** Calling needs `&mut` access for `poll_ready` then `call`, but
//! a Kairos service is shared. A lock around the tower service would serialize every
//! call, and holding it from `poll_ready` until `call` would hold it while waiting for
//! capacity; cloning is tower's own convention (`Buffer`, hyper and axum clone services
//! to call them) and tower services are built to be cheap to clone (an `Arc` or a
//! channel sender). So [`FromTower`] clones per call, and the clone lives in the call's
//! future: `poll_ready` and `call` happen on it, which keeps tower's contract. Its
//! `status` is always `Open` (readiness can only be learnt by polling, which may reserve
//! capacity).
//!
//! **Kairos → tower boxes.** A tower future cannot borrow the service, and the Kairos
//! future does; the adapter owns the service in an `Arc` and boxes a future that holds a
//! clone of it together with the call borrowing it. Making that self-reference without a
//! box needs `unsafe`; one allocation per call at the tower boundary is the price paid
//! instead. `poll_ready` is always ready: a Kairos service that is busy queues or refuses
//! calls itself, as it documents, and has no way to wake a task when it stops being busy.
//! This direction needs `Send` futures (`for<'a> S::Future<'a>: Send`), as the tower
//! ecosystem does.
//!
//! # Examples
//!
//! A tower middleware between two Kairos filters:
//!
//! ```
//! use kairos_service::tower::TowerLayer;
//! use kairos_service::{service_fn, Service, ServiceBuilder};
//! use std::time::Duration;
//!
//! # kairos::runtime::Runtime::new().unwrap().block_on(async {
//! let service = ServiceBuilder::new()
//!     .timeout(Duration::from_secs(1))
//!     .filter(TowerLayer::new(tower::util::MapRequestLayer::new(|n: u32| n * 10)))
//!     .concurrency_limit(8)
//!     .service(service_fn(|n: u32| async move { Ok::<_, std::io::Error>(n + 1) }));
//! assert_eq!(service.call(4).await.unwrap(), 41);
//! # });
//! ```

mod from_tower;
mod into_tower;
mod layers;

pub use self::from_tower::{FromTower, FromTowerFuture};
pub use self::into_tower::{IntoTower, IntoTowerFuture};
pub use self::layers::{KairosLayer, TowerLayer};
