//! `File`: a file with `AsyncRead`, `AsyncWrite` and `AsyncSeek`, its blocking calls on
//! the blocking pool.
//!
//! One operation is in flight at a time, on a buffer that travels to the blocking
//! thread and back (`State::Busy`). Reads fetch up to [`MAX_BUF`] bytes ahead; the
//! caller is served from the buffer until it is empty. Writes copy into the buffer,
//! return, and complete in the background; an error is kept and reported by the next
//! write, flush or close. A write or seek after a read-ahead first moves the file
//! position back over the bytes fetched but not consumed, so the logical position is
//! always the caller's.

use crate::fs::{asyncify, Metadata, OpenOptions, Permissions};
use crate::loom::sync::Mutex;
use crate::task::JoinHandle;
use futures_io::{AsyncRead, AsyncSeek, AsyncWrite};
use std::fmt;
use std::future::{poll_fn, Future};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

/// The most one read fetches ahead, or one write hands to the blocking pool.
const MAX_BUF: usize = 2 * 1024 * 1024;

/// An open file.
///
/// Use [`AsyncReadExt`](crate::io::AsyncReadExt), [`AsyncWriteExt`](crate::io::AsyncWriteExt)
/// and [`AsyncSeekExt`](crate::io::AsyncSeekExt) on it. Writes are buffered: call
/// `flush` (or `close`) before dropping the file to be sure they reached the operating
/// system, and [`sync_all`](File::sync_all) to be sure they reached the disk.
///
/// # Examples
///
/// ```
/// use kairos::fs::File;
/// use kairos::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt, SeekFrom};
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let path = std::env::temp_dir().join(format!("kairos-file-doc-{}", std::process::id()));
/// let mut file = File::create(&path).await?;
/// file.write_all(b"hello, file").await?;
/// file.seek(SeekFrom::Start(7)).await?;
/// file.write_all(b"disk").await?;
/// file.flush().await?;
///
/// let mut contents = String::new();
/// File::open(&path).await?.read_to_string(&mut contents).await?;
/// assert_eq!(contents, "hello, disk");
/// kairos::fs::remove_file(&path).await?;
/// # Ok::<(), std::io::Error>(())
/// # }).unwrap();
/// ```
pub struct File {
    std: Arc<std::fs::File>,
    inner: Mutex<Inner>,
}

struct Inner {
    state: State,
    /// The error of a background write, reported by the next write, flush or close.
    last_write_err: Option<io::ErrorKind>,
}

enum State {
    Idle(Option<Buf>),
    Busy(JoinHandle<(Operation, Buf)>),
}

enum Operation {
    Read(io::Result<usize>),
    Write(io::Result<()>),
    Seek(io::Result<u64>),
}

/// Bytes between the caller and the file: `data[pos..]` are read ahead and not yet
/// consumed, or are to be written.
#[derive(Default)]
struct Buf {
    data: Vec<u8>,
    pos: usize,
}

impl File {
    /// Opens a file for reading.
    ///
    /// # Errors
    ///
    /// Not found, permission denied, ...
    pub async fn open(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new().read(true).open(path).await
    }

    /// Opens a file for writing, creating or truncating it.
    ///
    /// # Errors
    ///
    /// Permission denied, a missing parent directory, ...
    pub async fn create(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .await
    }

    /// Opens a file for reading and writing, failing if it exists.
    ///
    /// # Errors
    ///
    /// `AlreadyExists`, permission denied, ...
    pub async fn create_new(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(path)
            .await
    }

    /// Options to open a file with; see [`OpenOptions`].
    pub fn options() -> OpenOptions {
        OpenOptions::new()
    }

    /// Wraps a standard library file.
    pub fn from_std(std: std::fs::File) -> File {
        File {
            std: Arc::new(std),
            inner: Mutex::new(Inner {
                state: State::Idle(Some(Buf::default())),
                last_write_err: None,
            }),
        }
    }

    /// Waits for the operation in flight and returns the standard library file.
    ///
    /// # Errors
    ///
    /// The error of a pending write. If the file is shared with a blocking call still
    /// running (after a cancelled operation), `Other`.
    pub async fn into_std(self) -> io::Result<std::fs::File> {
        self.wait_idle().await?;
        Arc::try_unwrap(self.std)
            .map_err(|_| io::Error::other("the file is still in use by a blocking operation"))
    }

    /// The standard library file, if no operation is in flight.
    ///
    /// # Errors
    ///
    /// Gives the file back if an operation is in flight.
    pub fn try_into_std(self) -> Result<std::fs::File, File> {
        let idle = matches!(self.inner.lock().state, State::Idle(_));
        if !idle {
            return Err(self);
        }
        match Arc::try_unwrap(self.std) {
            Ok(std) => Ok(std),
            Err(std) => Err(File {
                std,
                inner: self.inner,
            }),
        }
    }

    /// The file's metadata, once the operation in flight is done.
    ///
    /// # Errors
    ///
    /// The error of a pending write, or of `fstat`.
    pub async fn metadata(&self) -> io::Result<Metadata> {
        self.after_idle(|std| std.metadata()).await
    }

    /// Truncates or extends the file to `size` bytes, once the operation in flight is
    /// done. The file position is unchanged.
    ///
    /// # Errors
    ///
    /// The error of a pending write, or of the truncation.
    pub async fn set_len(&self, size: u64) -> io::Result<()> {
        self.after_idle(move |std| std.set_len(size)).await
    }

    /// Flushes data and metadata to the disk (`fsync`), once pending writes are done.
    ///
    /// # Errors
    ///
    /// The error of a pending write, or of `fsync`.
    pub async fn sync_all(&self) -> io::Result<()> {
        self.after_idle(|std| std.sync_all()).await
    }

    /// Flushes data to the disk (`fdatasync`), once pending writes are done.
    ///
    /// # Errors
    ///
    /// The error of a pending write, or of `fdatasync`.
    pub async fn sync_data(&self) -> io::Result<()> {
        self.after_idle(|std| std.sync_data()).await
    }

    /// Changes the file's permissions.
    ///
    /// # Errors
    ///
    /// The error of a pending write, or of `fchmod`.
    pub async fn set_permissions(&self, permissions: Permissions) -> io::Result<()> {
        self.after_idle(move |std| std.set_permissions(permissions))
            .await
    }

    /// A second handle to the same open file (a duplicated descriptor, sharing the file
    /// position).
    ///
    /// # Errors
    ///
    /// The error of a pending write, or of `dup`.
    pub async fn try_clone(&self) -> io::Result<File> {
        self.after_idle(|std| std.try_clone())
            .await
            .map(File::from_std)
    }

    /// Waits until no operation is in flight; reports a pending write error.
    async fn wait_idle(&self) -> io::Result<()> {
        poll_fn(|cx| self.inner.lock().poll_flush(cx, &self.std)).await
    }

    /// Runs `op` on the blocking pool once no operation is in flight.
    async fn after_idle<T: Send + 'static>(
        &self,
        op: impl FnOnce(&std::fs::File) -> io::Result<T> + Send + 'static,
    ) -> io::Result<T> {
        self.wait_idle().await?;
        let std = self.std.clone();
        asyncify(move || op(&std)).await
    }
}

impl Inner {
    /// Waits for the operation in flight, keeping a write's error for later.
    fn poll_complete(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<Option<Operation>>> {
        let State::Busy(task) = &mut self.state else {
            return Poll::Ready(Ok(None));
        };
        let (operation, buf) = ready!(Pin::new(task).poll(cx)).map_err(io::Error::other)?;
        self.state = State::Idle(Some(buf));
        if let Operation::Write(Err(err)) = &operation {
            self.last_write_err = Some(err.kind());
        }
        Poll::Ready(Ok(Some(operation)))
    }

    /// The idle buffer (the state must be idle).
    fn take_buf(&mut self) -> Buf {
        match &mut self.state {
            State::Idle(buf) => buf.take().unwrap_or_default(),
            State::Busy(_) => unreachable!("taking the buffer while an operation is in flight"),
        }
    }

    fn start(&mut self, operation: impl FnOnce() -> (Operation, Buf) + Send + 'static) {
        self.state = State::Busy(crate::task::spawn_blocking(operation));
    }

    fn poll_read(
        &mut self,
        cx: &mut Context<'_>,
        std: &Arc<std::fs::File>,
        dst: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        loop {
            match ready!(self.poll_complete(cx))? {
                Some(Operation::Read(Ok(0))) => return Poll::Ready(Ok(0)),
                Some(Operation::Read(Err(err))) => return Poll::Ready(Err(err)),
                _ => {}
            }
            let mut buf = self.take_buf();
            if buf.pos < buf.data.len() || dst.is_empty() {
                let n = buf.copy_to(dst);
                self.state = State::Idle(Some(buf));
                return Poll::Ready(Ok(n));
            }
            let len = dst.len().min(MAX_BUF);
            let std = std.clone();
            self.start(move || {
                let result = buf.fill_from(&std, len);
                (Operation::Read(result), buf)
            });
        }
    }

    fn poll_write(
        &mut self,
        cx: &mut Context<'_>,
        std: &Arc<std::fs::File>,
        src: &[u8],
    ) -> Poll<io::Result<usize>> {
        ready!(self.poll_complete(cx))?;
        if let Some(kind) = self.last_write_err.take() {
            return Poll::Ready(Err(kind.into()));
        }
        let mut buf = self.take_buf();
        let rewind = buf.discard_read_ahead();
        let n = src.len().min(MAX_BUF);
        buf.data.extend_from_slice(&src[..n]);
        let std = std.clone();
        self.start(move || {
            let result = rewind
                .map_or(Ok(()), |back| (&*std).seek(back).map(drop))
                .and_then(|()| (&*std).write_all(&buf.data));
            buf.data.clear();
            (Operation::Write(result), buf)
        });
        Poll::Ready(Ok(n))
    }

    fn poll_flush(
        &mut self,
        cx: &mut Context<'_>,
        _std: &Arc<std::fs::File>,
    ) -> Poll<io::Result<()>> {
        ready!(self.poll_complete(cx))?;
        match self.last_write_err.take() {
            Some(kind) => Poll::Ready(Err(kind.into())),
            None => Poll::Ready(Ok(())),
        }
    }

    fn poll_seek(
        &mut self,
        cx: &mut Context<'_>,
        std: &Arc<std::fs::File>,
        pos: SeekFrom,
    ) -> Poll<io::Result<u64>> {
        loop {
            if let Some(Operation::Seek(result)) = ready!(self.poll_complete(cx))? {
                return Poll::Ready(result);
            }
            let mut buf = self.take_buf();
            // Relative seeks start from the caller's position, behind the read-ahead.
            let pos = match (pos, buf.discard_read_ahead()) {
                (SeekFrom::Current(offset), Some(SeekFrom::Current(back))) => {
                    SeekFrom::Current(offset + back)
                }
                (pos, _) => pos,
            };
            let std = std.clone();
            self.start(move || ((Operation::Seek((&*std).seek(pos))), buf));
        }
    }
}

impl Buf {
    /// Copies read-ahead bytes into `dst`.
    fn copy_to(&mut self, dst: &mut [u8]) -> usize {
        let n = dst.len().min(self.data.len() - self.pos);
        dst[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        if self.pos == self.data.len() {
            self.data.clear();
            self.pos = 0;
        }
        n
    }

    /// Reads up to `len` bytes from `file` (on the blocking pool).
    fn fill_from(&mut self, mut file: &std::fs::File, len: usize) -> io::Result<usize> {
        self.data.resize(len, 0);
        self.pos = 0;
        let result = loop {
            match file.read(&mut self.data) {
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                result => break result,
            }
        };
        self.data.truncate(*result.as_ref().unwrap_or(&0));
        result
    }

    /// Drops unconsumed read-ahead bytes; returns the seek that moves the file position
    /// back over them, if there were any.
    fn discard_read_ahead(&mut self) -> Option<SeekFrom> {
        let ahead = self.data.len() - self.pos;
        self.data.clear();
        self.pos = 0;
        (ahead > 0).then(|| SeekFrom::Current(-(ahead as i64)))
    }
}

impl AsyncRead for File {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        this.inner.lock().poll_read(cx, &this.std, buf)
    }
}

impl AsyncWrite for File {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        this.inner.lock().poll_write(cx, &this.std, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.inner.lock().poll_flush(cx, &this.std)
    }

    /// Flushes; the file stays open until dropped.
    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_flush(cx)
    }
}

impl AsyncSeek for File {
    fn poll_seek(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        pos: SeekFrom,
    ) -> Poll<io::Result<u64>> {
        let this = self.get_mut();
        this.inner.lock().poll_seek(cx, &this.std, pos)
    }
}

impl From<std::fs::File> for File {
    fn from(std: std::fs::File) -> File {
        File::from_std(std)
    }
}

impl std::os::fd::AsRawFd for File {
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        self.std.as_raw_fd()
    }
}

impl fmt::Debug for File {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("File").field("std", &self.std).finish()
    }
}
