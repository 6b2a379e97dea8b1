//! Filter composition: `and_then` with filters and services, `Identity`, `ServiceBuilder`,
//! and the order in which a request and its response pass the filters.

use kairos_service::filter::{AndThen, Identity};
use kairos_service::{service_fn, Compose, Filter, Service, ServiceBuilder, Status};
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

type Log = Rc<RefCell<Vec<String>>>;

/// Records "name>" when a request passes and "<name" when its response does.
struct Trace {
    name: &'static str,
    log: Log,
}

impl Compose for Trace {}

impl<S> Filter<S> for Trace {
    type Service = Traced<S>;
    fn wrap(&self, inner: S) -> Traced<S> {
        Traced {
            name: self.name,
            log: self.log.clone(),
            inner,
        }
    }
}

struct Traced<S> {
    name: &'static str,
    log: Log,
    inner: S,
}

impl<S: Service<u32, Response = u32>> Service<u32> for Traced<S> {
    type Response = u32;
    type Error = S::Error;
    type Future<'a>
        = Pin<Box<dyn Future<Output = Result<u32, S::Error>> + 'a>>
    where
        Self: 'a;

    fn call(&self, req: u32) -> Self::Future<'_> {
        Box::pin(async move {
            self.log.borrow_mut().push(format!("{}>", self.name));
            let response = self.inner.call(req).await;
            self.log.borrow_mut().push(format!("<{}", self.name));
            response
        })
    }

    fn status(&self) -> Status {
        self.inner.status()
    }
}

fn trace(name: &'static str, log: &Log) -> Trace {
    Trace {
        name,
        log: log.clone(),
    }
}

fn backend(log: &Log) -> impl Service<u32, Response = u32, Error = ()> + '_ {
    service_fn(move |n: u32| {
        log.borrow_mut().push("service".into());
        async move { Ok(n) }
    })
}

fn taken(log: &Log) -> Vec<String> {
    std::mem::take(&mut *log.borrow_mut())
}

#[kairos::test]
async fn and_then_puts_the_left_filter_outside() {
    let log = Log::default();
    let service = trace("a", &log)
        .and_then(trace("b", &log))
        .and_then(backend(&log));
    assert_eq!(service.call(1).await, Ok(1));
    assert_eq!(taken(&log), ["a>", "b>", "service", "<b", "<a"]);
}

#[kairos::test]
async fn and_then_is_associative() {
    let log = Log::default();
    let left = trace("a", &log)
        .and_then(trace("b", &log))
        .and_then(trace("c", &log));
    let right = trace("a", &log).and_then(trace("b", &log).and_then(trace("c", &log)));
    left.wrap(backend(&log)).call(1).await.unwrap();
    let first = taken(&log);
    right.wrap(backend(&log)).call(1).await.unwrap();
    assert_eq!(first, taken(&log));
    assert_eq!(first, ["a>", "b>", "c>", "service", "<c", "<b", "<a"]);
}

#[kairos::test]
async fn builder_reads_top_to_bottom() {
    let log = Log::default();
    let stack = ServiceBuilder::new()
        .filter(trace("outer", &log))
        .filter(trace("middle", &log))
        .filter(trace("inner", &log));
    let service = stack.service(backend(&log));
    service.call(7).await.unwrap();
    assert_eq!(
        taken(&log),
        ["outer>", "middle>", "inner>", "service", "<inner", "<middle", "<outer"]
    );
}

#[kairos::test]
async fn one_stack_wraps_many_services() {
    let log = Log::default();
    let stack = ServiceBuilder::new().filter(trace("f", &log));
    let one = stack.service(backend(&log));
    let two = stack.wrap(service_fn(|n: u32| async move { Ok::<_, ()>(n * 10) }));
    assert_eq!(one.call(2).await, Ok(2));
    assert_eq!(two.call(2).await, Ok(20));
    assert_eq!(taken(&log), ["f>", "service", "<f", "f>", "<f"]);
}

#[kairos::test]
async fn identity_changes_nothing() {
    let log = Log::default();
    let service = Identity
        .and_then(trace("a", &log))
        .and_then(Identity)
        .and_then(backend(&log));
    service.call(3).await.unwrap();
    assert_eq!(taken(&log), ["a>", "service", "<a"]);
    let bare: AndThen<Identity, Identity> = Identity.and_then(Identity);
    let same = bare.wrap(backend(&log));
    assert_eq!(same.call(4).await, Ok(4));
    assert_eq!(
        ServiceBuilder::new().service(backend(&log)).call(5).await,
        Ok(5)
    );
}

#[kairos::test]
async fn status_passes_through_the_stack() {
    let log = Log::default();
    let service = trace("a", &log).and_then(backend(&log));
    assert_eq!(service.status(), Status::Open);
}
