//! One connection's task, for the connection's whole life, as a small named future.
//!
//! ```text
//!            first bytes of a request: a new box, Conn::resume
//!          +---------------------------------------------+
//!          v                                             |
//!   Busy(serving state, boxed) --idle shrink_idle_after--> Idle(IdleConn)
//!          |                                             |
//!          | connection over, or forced shutdown         | keep-alive timeout, server
//!          v                                             v draining, socket error
//!        Done <------------------------------------------+
//! ```
//!
//! What serves requests (the dispatcher's future: the request head, the response, the
//! encoder and the service's future, about 2 KB) lives in a [`SlabBox`] only while the
//! connection is busy. A shrunk connection is its socket and a few handles (its
//! keep-alive deadline is an entry of the shutdown tracker, swept by `server/idle.rs`):
//! the task is 120 bytes (a 72-byte future, a test holds it there) however large the
//! service's future is (docs/RELIABILITY.md, idle load).

use super::config::Config;
use super::shutdown::Slot;
use super::state_slab::{SlabBox, StateSlab};
use crate::h1::conn::{Conn, IdleConn};
use kairos::net::TcpStream;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

enum State<F> {
    /// Serving requests.
    Busy(SlabBox<F>),
    /// Shrunk: waiting for the next request. Its keep-alive deadline is with the
    /// tracker (`Tracker::go_idle`), for the server's idle sweeper.
    Idle(TcpStream),
    Done,
}

/// What the connections of one accept loop share: the service, the configuration and
/// the slab their serving states are boxed in (one handle in each connection instead of
/// three).
pub(crate) struct Shared<S> {
    pub(crate) service: Arc<S>,
    pub(crate) config: Arc<Config>,
    pub(crate) slab: Arc<StateSlab>,
}

/// See the module docs. `serve` makes the serving state of a connection about to serve.
pub(crate) struct Connection<S, F, M> {
    state: State<F>,
    shared: Arc<Shared<S>>,
    /// The connection's place in the server's count and its waker's in the shutdown
    /// tracker; released when the task ends.
    slot: Slot,
    serve: M,
}

impl<S, F, M> Connection<S, F, M>
where
    M: Fn(Conn<TcpStream>, Arc<S>) -> F,
{
    /// A new connection, waiting for its first request.
    pub(crate) fn new(
        stream: TcpStream,
        slot: Slot,
        shared: Arc<Shared<S>>,
        serve: M,
    ) -> Connection<S, F, M> {
        let conn = Conn::new(stream, shared.config.clone(), slot.tracker().clone());
        let state = State::Busy(SlabBox::new(
            &shared.slab,
            serve(conn, shared.service.clone()),
        ));
        Connection {
            state,
            shared,
            slot,
            serve,
        }
    }
}

impl<S, F, M> Future for Connection<S, F, M>
where
    F: Future<Output = Option<IdleConn<TcpStream>>>,
    M: Fn(Conn<TcpStream>, Arc<S>) -> F + Unpin,
{
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        // Before the phase checks: a shutdown after them wakes this task.
        this.slot.register_once(cx.waker());
        let tracker = this.slot.tracker();
        loop {
            match &mut this.state {
                State::Busy(serving) => {
                    if tracker.is_forced() {
                        break;
                    }
                    match Pin::new(serving).poll(cx) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(None) => break,
                        // Drops the box: its memory goes back to the slab.
                        Poll::Ready(Some(idle)) => {
                            tracker.go_idle(this.slot.key(), idle.deadline);
                            this.state = State::Idle(idle.io);
                        }
                    }
                }
                State::Idle(io) => {
                    if tracker.is_draining() {
                        break;
                    }
                    match io.poll_read_ready(cx) {
                        Poll::Ready(Ok(())) => {
                            // A deadline that passed first wins: the connection closes.
                            let Some(deadline) = tracker.go_busy(this.slot.key()) else {
                                break;
                            };
                            let State::Idle(io) = std::mem::replace(&mut this.state, State::Done)
                            else {
                                unreachable!("matched Idle above")
                            };
                            let config = this.shared.config.clone();
                            let since = deadline - config.keep_alive_timeout;
                            let conn = Conn::resume(io, since, config, tracker.clone());
                            let serving = (this.serve)(conn, this.shared.service.clone());
                            this.state = State::Busy(SlabBox::new(&this.shared.slab, serving));
                        }
                        Poll::Ready(Err(_)) => break,
                        // Woken by the sweeper, by a shutdown, or for nothing.
                        Poll::Pending if tracker.idle_expired(this.slot.key()) => break,
                        Poll::Pending => return Poll::Pending,
                    }
                }
                State::Done => return Poll::Ready(()),
            }
        }
        // Over: close the socket (dropping the state); the slot (the count and the tracker
        // key) goes with the task.
        this.state = State::Done;
        Poll::Ready(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::Ready;

    type Serving = Ready<Option<IdleConn<TcpStream>>>;

    fn serve(_: Conn<TcpStream>, _: Arc<()>) -> Serving {
        std::future::ready(None)
    }

    fn future_size<M: Fn(Conn<TcpStream>, Arc<()>) -> Serving>(_: &M) -> usize {
        std::mem::size_of::<Connection<(), Serving, M>>()
    }

    #[test]
    fn an_idle_connection_is_small() {
        // The budget docs/RELIABILITY.md (idle load) counts on: the socket and a few
        // handles; no buffers, no serving state, no timer.
        assert!(future_size(&serve) <= 72, "{}", future_size(&serve));
    }
}
