//! `UnixListener`: accepts Unix domain stream connections.

use crate::io::poll_evented::PollEvented;
use crate::io::Interest;
use crate::net::macros::fd_impls;
use crate::net::UnixStream;
use std::fmt;
use std::io;
use std::os::unix::net::SocketAddr;
use std::path::Path;
use std::task::{Context, Poll};

/// A Unix domain socket server, listening for connections.
///
/// The socket file stays on disk after the listener is dropped; remove it before binding
/// the same path again.
///
/// # Examples
///
/// ```no_run
/// use kairos::net::UnixListener;
///
/// # async fn example() -> std::io::Result<()> {
/// let listener = UnixListener::bind("/tmp/kairos.sock")?;
/// loop {
///     let (stream, _addr) = listener.accept().await?;
///     kairos::spawn(async move {
///         // serve `stream`
///         # drop(stream);
///     });
/// }
/// # }
/// ```
pub struct UnixListener {
    io: PollEvented<mio::net::UnixListener>,
}

impl UnixListener {
    /// Creates the socket file `path` and listens on it.
    ///
    /// # Errors
    ///
    /// `AddrInUse` if the file exists, permission errors; outside a runtime, or on one
    /// built without `enable_io`, an error that says so.
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixListener> {
        UnixListener::new(mio::net::UnixListener::bind(path)?)
    }

    fn new(listener: mio::net::UnixListener) -> io::Result<UnixListener> {
        Ok(UnixListener {
            io: PollEvented::new_with_interest(listener, Interest::READABLE)?,
        })
    }

    /// Waits for a connection and returns it with the peer's (usually unnamed) address.
    ///
    /// # Errors
    ///
    /// Every error of `accept(2)` other than `WouldBlock`, including `EMFILE` / `ENFILE`.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a connection is taken from the kernel only in the poll that returns
    /// it.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::net::{UnixListener, UnixStream};
    ///
    /// # kairos::runtime::Runtime::new().unwrap().block_on(async {
    /// let path = std::env::temp_dir().join(format!("kairos-doc-{}.sock", std::process::id()));
    /// let _ = std::fs::remove_file(&path);
    /// let listener = UnixListener::bind(&path)?;
    /// let client = UnixStream::connect(&path).await?;
    /// let (server, _) = listener.accept().await?;
    /// # drop((client, server));
    /// std::fs::remove_file(&path)?;
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn accept(&self) -> io::Result<(UnixStream, SocketAddr)> {
        let (stream, addr) = self
            .io
            .async_io(Interest::READABLE, || self.io.accept())
            .await?;
        Ok((UnixStream::new(stream)?, addr))
    }

    /// Polls for a connection. Only the task of the latest call is woken.
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(UnixStream, SocketAddr)>> {
        self.io.poll_read_io(cx, || self.io.accept()).map(|result| {
            let (stream, addr) = result?;
            Ok((UnixStream::new(stream)?, addr))
        })
    }

    /// Wraps a standard library listener, switching it to non-blocking mode.
    ///
    /// # Errors
    ///
    /// If non-blocking mode cannot be set; the I/O driver errors of
    /// [`bind`](Self::bind).
    pub fn from_std(listener: std::os::unix::net::UnixListener) -> io::Result<UnixListener> {
        listener.set_nonblocking(true)?;
        UnixListener::new(mio::net::UnixListener::from_std(listener))
    }

    /// Deregisters the listener and returns it as a standard library listener, still in
    /// non-blocking mode.
    ///
    /// # Errors
    ///
    /// If the driver cannot deregister it.
    pub fn into_std(self) -> io::Result<std::os::unix::net::UnixListener> {
        self.io.into_std()
    }

    /// The address the listener is bound to.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.local_addr()
    }

    /// Takes the pending socket error (`SO_ERROR`).
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.io.take_error()
    }
}

fd_impls!(UnixListener, io);

impl fmt::Debug for UnixListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixListener")
            .field("addr", &self.local_addr().ok())
            .finish()
    }
}
