//! The hand-off of a streaming request body from the connection to the service.
//!
//! The connection task decodes body bytes off the socket and pushes them here while the
//! service's future runs; the service's [`Body`](crate::Body) takes them. Both sides run
//! in the same connection task in the common case (the service awaits the body), but the
//! body may be moved to another task, so the state sits behind a mutex.
//!
//! Protocol:
//! - The writer (connection) pushes while fewer than [`HIGH_WATER`] bytes wait, and
//!   otherwise parks its waker in `writer`; the reader wakes it when it takes data.
//! - The reader parks its waker in `reader` when nothing waits, setting `wanted` (the
//!   connection sends `100 Continue` on the first `wanted`); the writer wakes it on every
//!   push and at the end.
//! - The end is either `done` (complete) or `error` (the connection failed or refused the
//!   body); either is final. A reader that is dropped sets `dropped`, and the writer stops.

use bytes::Bytes;
use std::collections::VecDeque;
use std::sync::Mutex;
use std::task::{Context, Poll, Waker};

/// Bytes decoded ahead of the reader before the connection stops reading.
pub(crate) const HIGH_WATER: usize = 64 * 1024;

#[derive(Debug, Default)]
struct State {
    chunks: VecDeque<Bytes>,
    queued: usize,
    done: bool,
    error: Option<&'static str>,
    wanted: bool,
    dropped: bool,
    reader: Option<Waker>,
    writer: Option<Waker>,
}

/// Shared between the connection (writer) and the request's body (reader).
#[derive(Debug, Default)]
pub(crate) struct Pipe {
    state: Mutex<State>,
}

/// What the reader gets.
pub(crate) enum Taken {
    Data(Bytes),
    End,
    Error(&'static str),
}

impl Pipe {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding this lock leaves no broken invariant: every update is a
        // single field write. Go on with the state as it is.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Reader: the next piece of body.
    pub(crate) fn poll_take(&self, cx: &mut Context<'_>) -> Poll<Taken> {
        let mut state = self.lock();
        if let Some(chunk) = state.chunks.pop_front() {
            state.queued -= chunk.len();
            if let Some(writer) = state.writer.take() {
                writer.wake();
            }
            return Poll::Ready(Taken::Data(chunk));
        }
        if let Some(reason) = state.error {
            return Poll::Ready(Taken::Error(reason));
        }
        if state.done {
            return Poll::Ready(Taken::End);
        }
        state.wanted = true;
        if !state
            .reader
            .as_ref()
            .is_some_and(|w| w.will_wake(cx.waker()))
        {
            state.reader = Some(cx.waker().clone());
        }
        if let Some(writer) = state.writer.take() {
            writer.wake();
        }
        Poll::Pending
    }

    /// Reader: whether the end was reached with nothing left.
    pub(crate) fn is_end(&self) -> bool {
        let state = self.lock();
        state.chunks.is_empty() && (state.done || state.error.is_some())
    }

    /// Reader: the body is no longer read.
    pub(crate) fn drop_reader(&self) {
        let mut state = self.lock();
        state.dropped = true;
        state.chunks.clear();
        state.queued = 0;
        if let Some(writer) = state.writer.take() {
            writer.wake();
        }
    }

    /// Writer: whether the reader asked for data yet.
    pub(crate) fn wanted(&self) -> bool {
        self.lock().wanted
    }

    /// Writer: whether more may be pushed now; if not, the writer is woken when it may.
    pub(crate) fn poll_room(&self, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = self.lock();
        if state.queued < HIGH_WATER || state.dropped {
            return Poll::Ready(());
        }
        state.writer = Some(cx.waker().clone());
        Poll::Pending
    }

    /// Writer: whether the reader is gone.
    pub(crate) fn is_dropped(&self) -> bool {
        self.lock().dropped
    }

    /// Writer: registers to be woken when the reader wants data or takes some.
    pub(crate) fn register_writer(&self, cx: &mut Context<'_>) {
        self.lock().writer = Some(cx.waker().clone());
    }

    /// Writer: adds data.
    pub(crate) fn push(&self, data: Bytes) {
        let mut state = self.lock();
        if state.dropped {
            return;
        }
        state.queued += data.len();
        state.chunks.push_back(data);
        if let Some(reader) = state.reader.take() {
            reader.wake();
        }
    }

    /// Writer: the body is complete (`None`) or failed (`Some(reason)`).
    pub(crate) fn finish(&self, error: Option<&'static str>) {
        let mut state = self.lock();
        if state.done || state.error.is_some() {
            return;
        }
        match error {
            None => state.done = true,
            Some(reason) => state.error = Some(reason),
        }
        if let Some(reader) = state.reader.take() {
            reader.wake();
        }
    }
}
