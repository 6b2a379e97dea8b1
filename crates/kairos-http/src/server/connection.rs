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
//! the task is 104 bytes (a 56-byte future in a release build, a test holds it there)
//! however large the service's future is (docs/RELIABILITY.md, idle load).

use super::config::Config;
use super::shutdown::{Key, Slot, Tracker};
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

/// What the connections of one accept loop share: the service, the configuration, the
/// slab their serving states are boxed in and the server's tracker (one handle in each
/// connection instead of four).
pub(crate) struct Shared<S> {
    pub(crate) service: Arc<S>,
    pub(crate) config: Arc<Config>,
    pub(crate) slab: Arc<StateSlab>,
    pub(crate) tracker: Arc<Tracker>,
}

/// See the module docs. `serve` makes the serving state of a connection about to serve.
pub(crate) struct Connection<S, F, M> {
    state: State<F>,
    shared: Arc<Shared<S>>,
    /// The task's waker's place in the tracker; it and the connection's place in the
    /// count are given back when the task ends (`Drop`).
    key: Key,
    serve: M,
}

impl<S, F, M> Connection<S, F, M>
where
    M: Fn(Conn<TcpStream>, Arc<S>) -> F,
{
    /// A new connection, waiting for its first request.
    pub(crate) fn new(
        stream: TcpStream,
        slot: Slot<'_>,
        shared: Arc<Shared<S>>,
        serve: M,
    ) -> Connection<S, F, M> {
        let conn = Conn::new(stream, shared.config.clone(), shared.tracker.clone());
        let state = State::Busy(SlabBox::new(
            &shared.slab,
            serve(conn, shared.service.clone()),
        ));
        let connection = Connection {
            state,
            shared,
            key: Key::NONE,
            serve,
        };
        // From here the task gives the place back (its `Drop`).
        slot.keep();
        connection
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
        let tracker = &this.shared.tracker;
        // Once, before the phase checks (a shutdown after them wakes this task; a task's
        // waker does not change between polls).
        if this.key == Key::NONE {
            tracker.register(&mut this.key, cx.waker());
        }
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
                            tracker.go_idle(this.key, idle.deadline);
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
                            let Some(deadline) = tracker.go_busy(this.key) else {
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
                        Poll::Pending if tracker.idle_expired(this.key) => break,
                        Poll::Pending => return Poll::Pending,
                    }
                }
                State::Done => return Poll::Ready(()),
            }
        }
        // Over: close the socket (dropping the state); the count and the tracker key go
        // with the task.
        this.state = State::Done;
        Poll::Ready(())
    }
}

impl<S, F, M> Drop for Connection<S, F, M> {
    fn drop(&mut self) {
        self.shared.tracker.leave(&mut self.key);
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
        // The socket (32 bytes in a release build; mio adds a word to it in a debug
        // build), the state's tag, the shared handle and the tracker key.
        let bound = std::mem::size_of::<TcpStream>() + 24;
        assert!(
            future_size(&serve) <= bound,
            "{} > {bound}",
            future_size(&serve)
        );
    }
}
