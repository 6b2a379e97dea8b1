//! Buffered transport: the read buffer heads and bodies are parsed from, and the write
//! queue responses (or requests) are encoded into and flushed from with vectored writes.
//!
//! Small pieces (heads, small bodies) are copied into one flat buffer; large body chunks
//! are queued as they are (`Bytes`, no copy). Pipelined responses accumulate here and go
//! out in one `write` (or `writev`) when the connection has nothing more to answer.

use super::pool;
use bytes::{Buf, Bytes, BytesMut};
use kairos::io::{AsyncWrite, ReadUninit};
use std::collections::VecDeque;
use std::io::{self, IoSlice};
use std::mem::MaybeUninit;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// Body chunks at least this large are queued rather than copied.
const COPY_LIMIT: usize = 4 * 1024;
/// Smallest read.
const MIN_READ: usize = 4 * 1024;
/// Largest read (a read that fills the buffer doubles the next one up to this).
const MAX_READ: usize = 64 * 1024;
/// Most buffers handed to one vectored write.
const MAX_IOVECS: usize = 64;

/// Bytes waiting to be written, in order: the queued chunks, then the flat buffer.
#[derive(Debug, Default)]
pub(crate) struct WriteBuf {
    queue: VecDeque<Bytes>,
    flat: Vec<u8>,
    /// How much of `flat` was already written.
    flat_written: usize,
}

impl WriteBuf {
    /// The flat buffer, to encode heads and small pieces straight into.
    pub(crate) fn flat(&mut self) -> &mut Vec<u8> {
        &mut self.flat
    }

    /// Appends `data`, copying it if small.
    pub(crate) fn push<B: Buf>(&mut self, mut data: B) {
        if data.remaining() < COPY_LIMIT {
            while data.has_remaining() {
                let chunk = data.chunk();
                self.flat.extend_from_slice(chunk);
                let n = chunk.len();
                data.advance(n);
            }
            return;
        }
        if !self.flat.is_empty() {
            let flat = std::mem::take(&mut self.flat);
            let mut flat = Bytes::from(flat);
            flat.advance(self.flat_written);
            self.flat_written = 0;
            self.queue.push_back(flat);
        }
        let n = data.remaining();
        self.queue.push_back(data.copy_to_bytes(n));
    }

    /// Bytes not written yet.
    pub(crate) fn len(&self) -> usize {
        self.queue.iter().map(Bytes::len).sum::<usize>() + self.flat.len() - self.flat_written
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.queue.is_empty() && self.flat.len() == self.flat_written
    }

    /// Moves everything queued into `out` (tests read what would be written).
    #[cfg(test)]
    pub(crate) fn drain_into(&mut self, out: &mut Vec<u8>) {
        for chunk in self.queue.drain(..) {
            out.extend_from_slice(&chunk);
        }
        out.extend_from_slice(&self.flat[self.flat_written..]);
        self.flat.clear();
        self.flat_written = 0;
    }

    /// Gives back the memory of an empty queue: the flat buffer, if it had any, for
    /// reuse.
    pub(crate) fn release(&mut self) -> Option<Vec<u8>> {
        debug_assert!(self.is_empty());
        self.flat_written = 0;
        self.queue = VecDeque::new();
        let flat = std::mem::take(&mut self.flat);
        (flat.capacity() > 0).then_some(flat)
    }

    /// Drops `n` written bytes from the front.
    fn consume(&mut self, mut n: usize) {
        while n > 0 {
            let Some(front) = self.queue.front_mut() else {
                self.flat_written += n;
                break;
            };
            if n < front.len() {
                front.advance(n);
                return;
            }
            n -= front.len();
            self.queue.pop_front();
        }
        if self.flat_written == self.flat.len() {
            self.flat.clear();
            self.flat_written = 0;
        }
    }
}

/// A transport with its read buffer and write queue.
#[derive(Debug)]
pub(crate) struct Buffered<T> {
    pub(crate) io: T,
    pub(crate) read_buf: BytesMut,
    pub(crate) write_buf: WriteBuf,
    next_read: usize,
}

impl<T: ReadUninit + AsyncWrite + Unpin> Buffered<T> {
    pub(crate) fn new(io: T) -> Buffered<T> {
        Buffered {
            io,
            read_buf: BytesMut::new(),
            write_buf: WriteBuf::default(),
            next_read: MIN_READ,
        }
    }

    /// Reads more bytes onto the end of the read buffer; `Ok(0)` is end of stream.
    pub(crate) fn poll_read_more(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let len = self.read_buf.len();
        // Into the room left if there is a fair amount: making room for a whole
        // `next_read` moves the buffer's start back (`BytesMut::reserve`), which on a kept
        // connection would happen on every read, as each request consumed takes its bytes
        // off the front.
        let room = self.read_buf.capacity() - len;
        let want = if room >= MIN_READ / 4 {
            room.min(self.next_read)
        } else {
            self.read_buf.reserve(self.next_read);
            self.next_read
        };
        // Straight into the buffer's spare capacity: no zeroing, no copy.
        let spare = &mut self.read_buf.spare_capacity_mut()[..want];
        let result = Pin::new(&mut self.io).poll_read_uninit(cx, spare);
        let n = match &result {
            Poll::Ready(Ok(n)) => *n,
            _ => 0,
        };
        // SAFETY: the read initialized the first `n` bytes of the spare capacity.
        unsafe { self.read_buf.set_len(len + n) };
        if n == self.next_read {
            self.next_read = (self.next_read * 2).min(MAX_READ);
        } else if n > 0 && n < self.next_read / 4 {
            self.next_read = (self.next_read / 2).max(MIN_READ);
        }
        result
    }

    /// Reads the start of the next message when nothing is buffered (a server connection
    /// between requests). While it waits, the connection holds no read buffer, and none
    /// for writing either if everything was sent: an idle keep-alive connection costs its
    /// task and its socket, not 4 KiB or more of buffers (see docs/RELIABILITY.md, idle
    /// load). The buffers go to this thread's spares (`h1::pool`) and the read takes one
    /// back, so a busy connection, idle for microseconds between requests, allocates
    /// nothing; with no spare the read goes to a buffer on the stack and is copied into a
    /// new buffer only once bytes arrive. Reads that continue a message go through
    /// [`poll_read_more`](Self::poll_read_more).
    pub(crate) fn poll_read_idle(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        debug_assert!(self.read_buf.is_empty());
        if self.read_buf.capacity() == 0 {
            if let Some(spare) = pool::take_read() {
                self.read_buf = spare;
            }
        }
        let poll = if self.read_buf.capacity() > 0 {
            self.poll_read_more(cx)
        } else {
            self.poll_read_to_stack(cx)
        };
        match poll {
            Poll::Pending => {
                self.give_buffers_back();
                Poll::Pending
            }
            ready => {
                if self.write_buf.flat.capacity() == 0 {
                    if let Some(spare) = pool::take_write() {
                        self.write_buf.flat = spare;
                    }
                }
                ready
            }
        }
    }

    /// The transport, its buffers (empty: nothing half read or unsent) going to this
    /// thread's spares.
    pub(crate) fn into_io(mut self) -> T {
        debug_assert!(self.read_buf.is_empty() && self.write_buf.is_empty());
        self.give_buffers_back();
        self.io
    }

    /// Gives the (empty) read buffer, and the write buffer if everything was sent, to this
    /// thread's spares.
    fn give_buffers_back(&mut self) {
        pool::give_read(std::mem::take(&mut self.read_buf));
        if self.write_buf.is_empty() {
            if let Some(flat) = self.write_buf.release() {
                pool::give_write(flat);
            }
        }
    }

    /// One read into a buffer on the stack, copied into `read_buf` if bytes came.
    fn poll_read_to_stack(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let mut stack = [MaybeUninit::<u8>::uninit(); MIN_READ];
        let n = ready!(Pin::new(&mut self.io).poll_read_uninit(cx, &mut stack))?.min(MIN_READ);
        // SAFETY: the read initialized the first `n` bytes of `stack` (and `n` is within it).
        let data = unsafe { std::slice::from_raw_parts(stack.as_ptr().cast::<u8>(), n) };
        self.read_buf.extend_from_slice(data);
        Poll::Ready(Ok(n))
    }

    /// Writes everything queued.
    pub(crate) fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while !self.write_buf.is_empty() {
            let n = if self.write_buf.queue.is_empty() {
                // One contiguous buffer (the usual case): a plain write, which costs the
                // kernel less than a one-element writev.
                let wb = &self.write_buf;
                ready!(Pin::new(&mut self.io).poll_write(cx, &wb.flat[wb.flat_written..]))?
            } else {
                let wb = &self.write_buf;
                let mut slices = [IoSlice::new(&[]); MAX_IOVECS];
                let mut count = 0;
                for chunk in wb.queue.iter().take(MAX_IOVECS - 1) {
                    slices[count] = IoSlice::new(chunk);
                    count += 1;
                }
                if count < MAX_IOVECS - 1 || wb.queue.len() == count {
                    slices[count] = IoSlice::new(&wb.flat[wb.flat_written..]);
                    count += 1;
                }
                ready!(Pin::new(&mut self.io).poll_write_vectored(cx, &slices[..count]))?
            };
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.write_buf.consume(n);
        }
        Poll::Ready(Ok(()))
    }

    /// Flushes, then shuts down the write side.
    pub(crate) fn poll_shutdown(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_flush(cx))?;
        Pin::new(&mut self.io).poll_close(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_buf_keeps_order_across_copied_and_queued_pieces() {
        let mut wb = WriteBuf::default();
        wb.flat().extend_from_slice(b"head1 ");
        wb.push(Bytes::from(vec![b'x'; COPY_LIMIT]));
        wb.push(&b" small"[..]);
        assert_eq!(wb.len(), 6 + COPY_LIMIT + 6);
        wb.consume(3);
        assert_eq!(wb.queue.front().unwrap().as_ref(), b"d1 ");
        wb.consume(3 + COPY_LIMIT + 2);
        assert_eq!(&wb.flat[wb.flat_written..], b"mall");
        wb.consume(4);
        assert!(wb.is_empty());
    }
}
