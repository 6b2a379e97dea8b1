//! The accept loop: takes connections off one listener and spawns a task for each, within
//! the connection limit, backing off when the process runs out of file descriptors.

use super::config::Config;
use super::connection::{Connection, Shared};
use super::shutdown::{Key, Tracker};
use super::state_slab::StateSlab;
use crate::body::Body;
use crate::error::BoxError;
use crate::h1::conn::{Conn, IdleConn};
use crate::h1::dispatch::serve_connection;
use http::{Request, Response};
use kairos::net::{TcpListener, TcpStream};
use kairos_service::Service;
use std::future::poll_fn;
use std::io;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

/// First pause after `EMFILE`/`ENFILE`; doubled on each failure in a row.
const BACKOFF_START: Duration = Duration::from_millis(5);
/// Longest pause.
const BACKOFF_MAX: Duration = Duration::from_secs(1);

/// Whether an accept error means "out of descriptors or memory": wait for connections to
/// close rather than retry at once (the pending connection stays in the backlog, so an
/// immediate retry would spin).
pub(crate) fn is_resource_exhaustion(err: &io::Error) -> bool {
    matches!(
        err.raw_os_error(),
        Some(libc_errno::EMFILE | libc_errno::ENFILE | libc_errno::ENOBUFS | libc_errno::ENOMEM)
    )
}

/// The errno values used above (Linux and the BSDs agree on these four).
mod libc_errno {
    pub(super) const ENOMEM: i32 = 12;
    pub(super) const ENFILE: i32 = 23;
    pub(super) const EMFILE: i32 = 24;
    #[cfg(target_os = "linux")]
    pub(super) const ENOBUFS: i32 = 105;
    #[cfg(not(target_os = "linux"))]
    pub(super) const ENOBUFS: i32 = 55;
}

/// Accepts until the server drains.
pub(crate) async fn accept_loop<S, B>(
    listener: Arc<TcpListener>,
    service: Arc<S>,
    config: Arc<Config>,
    tracker: Arc<Tracker>,
) where
    S: Service<Request<Body>, Response = Response<B>> + Send + Sync + 'static,
    for<'a> S::Future<'a>: Send,
    S::Error: Into<BoxError>,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    let mut key = Key::NONE;
    let shared = Arc::new(Shared {
        service,
        config: config.clone(),
        slab: Arc::new(StateSlab::new()),
        tracker: tracker.clone(),
    });
    let mut backoff = BACKOFF_START;
    loop {
        let accepted = poll_fn(|cx| {
            tracker.register(&mut key, cx.waker());
            if tracker.is_draining() {
                return Poll::Ready(None);
            }
            let slot = std::task::ready!(tracker.poll_slot(cx));
            match listener.poll_accept(cx) {
                Poll::Ready(result) => Poll::Ready(Some(result.map(|(s, _)| (s, slot)))),
                // The slot goes back; it is taken again on the next poll.
                Poll::Pending => Poll::Pending,
            }
        })
        .await;
        match accepted {
            None => break,
            Some(Ok((stream, slot))) => {
                backoff = BACKOFF_START;
                if config.nodelay {
                    let _ = stream.set_nodelay(true);
                }
                kairos::spawn(Connection::new(stream, slot, shared.clone(), serve::<S, B>));
            }
            Some(Err(err)) if is_resource_exhaustion(&err) => {
                kairos::time::sleep(backoff).await;
                backoff = (backoff * 2).min(BACKOFF_MAX);
            }
            // A connection reset before it was accepted, and the like: the next one is fine.
            Some(Err(_)) => {}
        }
    }
    tracker.deregister(&mut key);
}

/// A connection's serving state: the dispatcher over its socket, owning a handle to the
/// service (a [`Connection`] boxes it while the connection is busy).
async fn serve<S, B>(conn: Conn<TcpStream>, service: Arc<S>) -> Option<IdleConn<TcpStream>>
where
    S: Service<Request<Body>, Response = Response<B>>,
    S::Error: Into<BoxError>,
    B: http_body::Body,
    B::Error: Into<BoxError>,
{
    serve_connection(conn, &*service).await
}
