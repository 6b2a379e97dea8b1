//! `copy_bidirectional`: pump bytes both ways between two streams until both ends close.

use futures_io::{AsyncRead, AsyncWrite};
use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// The buffer size of each direction in [`copy_bidirectional`].
const DEFAULT_BUF_SIZE: usize = 8 * 1024;

/// Copies bytes from `a` to `b` and from `b` to `a` at the same time, until both
/// directions reach end of stream; returns how many bytes went each way,
/// `(a to b, b to a)`.
///
/// When one side reaches end of stream, the other side's write half is closed
/// (`poll_close`, a TCP `shutdown(Write)`), and copying continues the other way. The
/// first error in either direction ends both and is returned.
///
/// # Cancel safety
///
/// Not cancel safe: bytes read from one side but not yet written to the other are lost
/// if the future is dropped.
///
/// # Errors
///
/// The first read or write error of either side; [`io::ErrorKind::WriteZero`] if a side
/// accepts no more bytes.
///
/// # Examples
///
/// A one-connection proxy:
///
/// ```no_run
/// use kairos::net::{TcpListener, TcpStream};
///
/// # async fn run() -> std::io::Result<()> {
/// let listener = TcpListener::bind("127.0.0.1:8080").await?;
/// let (mut client, _) = listener.accept().await?;
/// let mut upstream = TcpStream::connect("127.0.0.1:9090").await?;
/// let (sent, received) = kairos::io::copy_bidirectional(&mut client, &mut upstream).await?;
/// println!("proxied {sent} bytes up and {received} bytes down");
/// # Ok(())
/// # }
/// ```
pub async fn copy_bidirectional<A, B>(a: &mut A, b: &mut B) -> io::Result<(u64, u64)>
where
    A: AsyncRead + AsyncWrite + Unpin + ?Sized,
    B: AsyncRead + AsyncWrite + Unpin + ?Sized,
{
    copy_bidirectional_with_sizes(a, b, DEFAULT_BUF_SIZE, DEFAULT_BUF_SIZE).await
}

/// As [`copy_bidirectional`], with the buffer size of each direction.
///
/// # Panics
///
/// If a buffer size is 0.
///
/// # Examples
///
/// ```no_run
/// # async fn run(mut a: kairos::net::TcpStream, mut b: kairos::net::TcpStream)
/// # -> std::io::Result<()> {
/// kairos::io::copy_bidirectional_with_sizes(&mut a, &mut b, 64 * 1024, 4 * 1024).await?;
/// # Ok(())
/// # }
/// ```
pub async fn copy_bidirectional_with_sizes<A, B>(
    a: &mut A,
    b: &mut B,
    a_to_b_size: usize,
    b_to_a_size: usize,
) -> io::Result<(u64, u64)>
where
    A: AsyncRead + AsyncWrite + Unpin + ?Sized,
    B: AsyncRead + AsyncWrite + Unpin + ?Sized,
{
    let mut a_to_b = Direction::Copying(CopyBuffer::new(a_to_b_size));
    let mut b_to_a = Direction::Copying(CopyBuffer::new(b_to_a_size));
    poll_fn(|cx| {
        let forward = a_to_b.poll(cx, &mut *a, &mut *b)?;
        let backward = b_to_a.poll(cx, &mut *b, &mut *a)?;
        let forward = ready!(forward);
        let backward = ready!(backward);
        Poll::Ready(Ok((forward, backward)))
    })
    .await
}

/// One direction: copy until end of stream, then close the writer.
enum Direction {
    Copying(CopyBuffer),
    Closing(u64),
    Done(u64),
}

impl Direction {
    fn poll<R, W>(
        &mut self,
        cx: &mut Context<'_>,
        reader: &mut R,
        writer: &mut W,
    ) -> Poll<io::Result<u64>>
    where
        R: AsyncRead + Unpin + ?Sized,
        W: AsyncWrite + Unpin + ?Sized,
    {
        loop {
            match self {
                Direction::Copying(buf) => {
                    let amount =
                        ready!(buf.poll_copy(cx, Pin::new(&mut *reader), Pin::new(&mut *writer)))?;
                    *self = Direction::Closing(amount);
                }
                Direction::Closing(amount) => {
                    ready!(Pin::new(&mut *writer).poll_close(cx))?;
                    *self = Direction::Done(*amount);
                }
                Direction::Done(amount) => return Poll::Ready(Ok(*amount)),
            }
        }
    }
}

/// A buffer between a reader and a writer; `buf[pos..filled]` is read but not written.
struct CopyBuffer {
    buf: Box<[u8]>,
    pos: usize,
    filled: usize,
    read_done: bool,
    /// Bytes were written since the last flush.
    need_flush: bool,
    amount: u64,
}

impl CopyBuffer {
    fn new(size: usize) -> CopyBuffer {
        assert!(size > 0, "copy buffer size must be at least 1");
        CopyBuffer {
            buf: vec![0; size].into_boxed_slice(),
            pos: 0,
            filled: 0,
            read_done: false,
            need_flush: false,
            amount: 0,
        }
    }

    /// Copies until the reader's end of stream and a final flush; returns the total.
    fn poll_copy<R, W>(
        &mut self,
        cx: &mut Context<'_>,
        mut reader: Pin<&mut R>,
        mut writer: Pin<&mut W>,
    ) -> Poll<io::Result<u64>>
    where
        R: AsyncRead + ?Sized,
        W: AsyncWrite + ?Sized,
    {
        loop {
            if self.pos == self.filled && !self.read_done {
                match reader.as_mut().poll_read(cx, &mut self.buf) {
                    Poll::Ready(Ok(0)) => self.read_done = true,
                    Poll::Ready(Ok(n)) => {
                        self.pos = 0;
                        self.filled = n;
                    }
                    Poll::Ready(Err(err)) => return Poll::Ready(Err(err)),
                    Poll::Pending => {
                        // Nothing to read for now: push out what was written before
                        // waiting, so a buffering writer does not hold it back.
                        if self.need_flush {
                            ready!(writer.as_mut().poll_flush(cx))?;
                            self.need_flush = false;
                        }
                        return Poll::Pending;
                    }
                }
            }
            while self.pos < self.filled {
                let n = ready!(writer
                    .as_mut()
                    .poll_write(cx, &self.buf[self.pos..self.filled]))?;
                if n == 0 {
                    return Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::WriteZero,
                        "the writer accepted no more bytes",
                    )));
                }
                self.pos += n;
                self.amount += n as u64;
                self.need_flush = true;
            }
            if self.read_done {
                ready!(writer.as_mut().poll_flush(cx))?;
                return Poll::Ready(Ok(self.amount));
            }
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use futures_util::io::Cursor;

    /// Reads from a fixed input, in pieces of at most `chunk` bytes; records writes and
    /// whether it was closed.
    struct Mock {
        input: Cursor<Vec<u8>>,
        chunk: usize,
        output: Vec<u8>,
        closed: bool,
    }

    impl Mock {
        fn new(input: &[u8], chunk: usize) -> Mock {
            Mock {
                input: Cursor::new(input.to_vec()),
                chunk,
                output: Vec::new(),
                closed: false,
            }
        }
    }

    impl AsyncRead for Mock {
        fn poll_read(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &mut [u8],
        ) -> Poll<io::Result<usize>> {
            let len = buf.len().min(self.chunk);
            Pin::new(&mut self.input).poll_read(cx, &mut buf[..len])
        }
    }

    impl AsyncWrite for Mock {
        fn poll_write(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<io::Result<usize>> {
            assert!(!self.closed, "write after close");
            let len = buf.len().min(self.chunk);
            self.output.extend_from_slice(&buf[..len]);
            Poll::Ready(Ok(len))
        }

        fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }

        fn poll_close(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            self.closed = true;
            Poll::Ready(Ok(()))
        }
    }

    #[test]
    fn copies_both_ways_and_closes_both_writers() {
        let up: Vec<u8> = (0..100_000u32).map(|i| i as u8).collect();
        let down: Vec<u8> = (0..3_000u32).map(|i| (i * 7) as u8).collect();
        let mut a = Mock::new(&up, 1000);
        let mut b = Mock::new(&down, 333);
        let counts =
            futures::executor::block_on(copy_bidirectional_with_sizes(&mut a, &mut b, 4096, 17))
                .unwrap();
        assert_eq!(counts, (up.len() as u64, down.len() as u64));
        assert_eq!(b.output, up);
        assert_eq!(a.output, down);
        assert!(a.closed && b.closed);
    }
}
