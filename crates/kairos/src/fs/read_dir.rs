//! `read_dir`: a directory's entries, fetched in batches on the blocking pool.

use crate::fs::{asyncify, FileType, Metadata};
use crate::task::JoinHandle;
use std::collections::VecDeque;
use std::ffi::OsString;
use std::future::{poll_fn, Future};
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

/// Entries fetched per trip to the blocking pool.
const BATCH: usize = 32;

/// Lists the entries of the directory `path` (without `.` and `..`).
///
/// # Errors
///
/// `NotFound`, not a directory, permission denied, ...
///
/// # Examples
///
/// ```no_run
/// # async fn example() -> std::io::Result<()> {
/// let mut entries = kairos::fs::read_dir(".").await?;
/// while let Some(entry) = entries.next_entry().await? {
///     println!("{}", entry.path().display());
/// }
/// # Ok(())
/// # }
/// ```
pub async fn read_dir(path: impl AsRef<Path>) -> io::Result<ReadDir> {
    let path = path.as_ref().to_owned();
    let std = asyncify(move || std::fs::read_dir(path)).await?;
    Ok(ReadDir(State::Idle(Some(Batch {
        std,
        entries: VecDeque::with_capacity(BATCH),
        done: false,
    }))))
}

/// The entries of a directory; from [`read_dir`].
#[derive(Debug)]
pub struct ReadDir(State);

#[derive(Debug)]
enum State {
    Idle(Option<Batch>),
    Busy(JoinHandle<Batch>),
}

#[derive(Debug)]
struct Batch {
    std: std::fs::ReadDir,
    entries: VecDeque<io::Result<std::fs::DirEntry>>,
    /// The directory has no more entries.
    done: bool,
}

impl ReadDir {
    /// The next entry, `None` at the end.
    ///
    /// # Errors
    ///
    /// An error reading the directory.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a fetched batch stays in the `ReadDir` for the next call.
    pub async fn next_entry(&mut self) -> io::Result<Option<DirEntry>> {
        poll_fn(|cx| self.poll_next_entry(cx)).await
    }

    /// Polls for the next entry; see [`next_entry`](Self::next_entry).
    pub fn poll_next_entry(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<Option<DirEntry>>> {
        loop {
            match &mut self.0 {
                State::Idle(batch) => {
                    let mut batch = batch.take().expect("a batch is idle between fetches");
                    if let Some(entry) = batch.entries.pop_front() {
                        self.0 = State::Idle(Some(batch));
                        return Poll::Ready(entry.map(|std| Some(DirEntry(Arc::new(std)))));
                    }
                    if batch.done {
                        self.0 = State::Idle(Some(batch));
                        return Poll::Ready(Ok(None));
                    }
                    self.0 = State::Busy(crate::task::spawn_blocking(move || {
                        batch.entries.extend(batch.std.by_ref().take(BATCH));
                        batch.done = batch.entries.len() < BATCH;
                        batch
                    }));
                }
                State::Busy(task) => {
                    let batch = ready!(Pin::new(task).poll(cx)).map_err(io::Error::other)?;
                    self.0 = State::Idle(Some(batch));
                }
            }
        }
    }
}

/// An entry of a directory; from [`ReadDir::next_entry`].
#[derive(Debug, Clone)]
pub struct DirEntry(Arc<std::fs::DirEntry>);

impl DirEntry {
    /// The entry's full path.
    pub fn path(&self) -> PathBuf {
        self.0.path()
    }

    /// The entry's name.
    pub fn file_name(&self) -> OsString {
        self.0.file_name()
    }

    /// The entry's inode number (Unix).
    pub fn ino(&self) -> u64 {
        std::os::unix::fs::DirEntryExt::ino(&*self.0)
    }

    /// The entry's metadata, not following a symbolic link.
    ///
    /// # Errors
    ///
    /// If the entry disappeared, permission denied, ...
    pub async fn metadata(&self) -> io::Result<Metadata> {
        let entry = self.0.clone();
        asyncify(move || entry.metadata()).await
    }

    /// The entry's type (often known from the directory listing itself).
    ///
    /// # Errors
    ///
    /// If the entry disappeared, ...
    pub async fn file_type(&self) -> io::Result<FileType> {
        let entry = self.0.clone();
        asyncify(move || entry.file_type()).await
    }
}
