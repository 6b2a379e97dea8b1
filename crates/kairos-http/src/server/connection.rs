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
//! connection is busy. A shrunk connection is its [`IdleConn`] (socket, idle-since instant,
//! timer) and a few handles: the task stays 224 bytes (a 152-byte future) however large
//! the service's future is (docs/RELIABILITY.md, idle load).

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
    /// Shrunk: waiting for the next request.
    Idle(IdleConn<TcpStream>),
    Done,
}

/// See the module docs. `serve` makes the serving state of a connection about to serve.
pub(crate) struct Connection<S, F, M> {
    state: State<F>,
    service: Arc<S>,
    slab: Arc<StateSlab>,
    /// The connection's place in the server's count; released when the task ends.
    slot: Slot,
    /// The connection's key in the shutdown tracker.
    key: u64,
    /// Whether the task's waker is registered with the tracker (a task's waker does not
    /// change between polls: one registration holds).
    registered: bool,
    serve: M,
}

impl<S, F, M> Connection<S, F, M>
where
    M: Fn(Conn<TcpStream>, Arc<S>) -> F,
{
    /// A new connection, waiting for its first request.
    pub(crate) fn new(
        idle: IdleConn<TcpStream>,
        slot: Slot,
        service: Arc<S>,
        slab: Arc<StateSlab>,
        serve: M,
    ) -> Connection<S, F, M> {
        let key = slot.tracker().key();
        let state = State::Busy(SlabBox::new(
            &slab,
            serve(Conn::resume(idle), service.clone()),
        ));
        Connection {
            state,
            service,
            slab,
            slot,
            key,
            registered: false,
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
        let tracker = this.slot.tracker();
        if !this.registered {
            // Before the phase checks: a shutdown after them wakes this task.
            tracker.register(this.key, cx.waker());
            this.registered = true;
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
                        Poll::Ready(Some(idle)) => this.state = State::Idle(idle),
                    }
                }
                State::Idle(idle) => {
                    if tracker.is_draining() {
                        break;
                    }
                    match idle.io.poll_read_ready(cx) {
                        Poll::Ready(Ok(())) => {
                            let State::Idle(idle) = std::mem::replace(&mut this.state, State::Done)
                            else {
                                unreachable!("matched Idle above")
                            };
                            let serving = (this.serve)(Conn::resume(idle), this.service.clone());
                            this.state = State::Busy(SlabBox::new(&this.slab, serving));
                        }
                        Poll::Ready(Err(_)) => break,
                        Poll::Pending => {
                            if idle.poll_expired(cx).is_pending() {
                                return Poll::Pending;
                            }
                            break;
                        }
                    }
                }
                State::Done => return Poll::Ready(()),
            }
        }
        // Over: close the socket (dropping the state) and leave the tracker; the slot goes
        // with the task.
        this.state = State::Done;
        tracker.deregister(this.key);
        Poll::Ready(())
    }
}
