//! The logging filter: one span per call around the inner service, one completion event
//! with the outcome and the latency on the runtime's clock.

#[path = "support/mock.rs"]
mod mock;

use futures::poll;
use kairos::time::Duration;
use kairos_service::filters::log::{LogConfig, LogFilter};
use kairos_service::{service_fn, Filter, Service, Status};
use mock::{Mock, Step, FAIL};
use std::fmt;
use std::pin::pin;
use std::sync::{Arc, Mutex};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

/// What the recorder saw: events as "LEVEL span: field=value ...".
#[derive(Default, Clone)]
struct Recorder {
    lines: Arc<Mutex<Vec<String>>>,
    spans: Arc<Mutex<Vec<&'static str>>>,
    current: Arc<Mutex<Vec<u64>>>,
}

struct Fields(String);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if !self.0.is_empty() {
            self.0.push(' ');
        }
        self.0.push_str(&format!("{}={:?}", field.name(), value));
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut spans = self.spans.lock().unwrap();
        spans.push(span.metadata().name());
        Id::from_u64(spans.len() as u64)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields(String::new());
        event.record(&mut fields);
        let span = match self.current.lock().unwrap().last() {
            Some(id) => self.spans.lock().unwrap()[*id as usize - 1],
            None => "-",
        };
        let line = format!("{} {span}: {}", event.metadata().level(), fields.0);
        self.lines.lock().unwrap().push(line);
    }
    fn enter(&self, span: &Id) {
        self.current.lock().unwrap().push(span.into_u64());
    }
    fn exit(&self, _: &Id) {
        self.current.lock().unwrap().pop();
    }
}

impl Recorder {
    fn lines(&self) -> Vec<String> {
        std::mem::take(&mut *self.lines.lock().unwrap())
    }
}

#[kairos::test(start_paused = true)]
async fn logs_success_with_latency_inside_the_span() {
    let recorder = Recorder::default();
    let _default = tracing::subscriber::set_default(recorder.clone());
    let service = LogFilter::new().wrap(service_fn(|n: u32| async move {
        tracing::info!("working on {n}");
        kairos::time::sleep(Duration::from_millis(25)).await;
        Ok::<_, ()>(n)
    }));
    assert_eq!(service.call(4).await, Ok(4));
    assert_eq!(
        recorder.lines(),
        [
            "INFO request: message=working on 4",
            "DEBUG request: message=request succeeded latency_us=25000",
        ]
    );
}

#[kairos::test(start_paused = true)]
async fn logs_failures_with_the_error_at_the_failure_level() {
    let recorder = Recorder::default();
    let _default = tracing::subscriber::set_default(recorder.clone());
    let config = LogConfig::new().failure(Level::ERROR);
    let service = LogFilter::new().config(config).wrap(Mock::always(FAIL));
    assert!(service.call(1).await.is_err());
    assert_eq!(
        recorder.lines(),
        ["ERROR request: message=request failed latency_us=0 error=MockError(1)"]
    );
}

#[kairos::test(start_paused = true)]
async fn a_dropped_call_is_logged_as_cancelled() {
    let recorder = Recorder::default();
    let _default = tracing::subscriber::set_default(recorder.clone());
    let service = LogFilter::new()
        .config(LogConfig::new().success(Level::INFO))
        .span(|n: &u32| tracing::info_span!("lookup", n = *n))
        .wrap(Mock::always(Step::Hang));
    {
        let mut call = pin!(service.call(3));
        assert!(poll!(call.as_mut()).is_pending());
        kairos::time::advance(Duration::from_millis(7)).await;
    }
    assert_eq!(
        recorder.lines(),
        ["INFO lookup: message=request cancelled latency_us=7000"]
    );
}

#[kairos::test]
async fn status_and_errors_pass_through() {
    let service = LogFilter::new().wrap(Mock::always(FAIL));
    assert_eq!(service.call(1).await, Err(mock::MockError(1)));
    service.close();
    assert_eq!(service.status(), Status::Closed);
}
