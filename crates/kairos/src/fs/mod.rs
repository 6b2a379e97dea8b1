//! Files and directories, on the blocking pool.
//!
//! The operating system offers no readiness for regular files, so every operation here
//! runs the standard library's blocking call on the runtime's blocking pool
//! ([`spawn_blocking`](crate::task::spawn_blocking)) and awaits it. [`File`] buffers:
//! reads fetch ahead, writes return once the bytes are copied and finish in the
//! background (call `flush` or `close` to learn how they went).
//!
//! # Examples
//!
//! ```
//! # kairos::runtime::Runtime::new().unwrap().block_on(async {
//! let dir = std::env::temp_dir().join(format!("kairos-fs-doc-{}", std::process::id()));
//! kairos::fs::create_dir_all(&dir).await?;
//! let path = dir.join("greeting.txt");
//! kairos::fs::write(&path, "hello").await?;
//! assert_eq!(kairos::fs::read_to_string(&path).await?, "hello");
//! kairos::fs::remove_dir_all(&dir).await?;
//! # Ok::<(), std::io::Error>(())
//! # }).unwrap();
//! ```

mod file;
mod open_options;
mod read_dir;

pub use self::file::File;
pub use self::open_options::OpenOptions;
pub use self::read_dir::{read_dir, DirEntry, ReadDir};
pub use std::fs::{FileType, Metadata, Permissions};

use std::io;
use std::path::{Path, PathBuf};

/// Runs a blocking file-system call on the blocking pool.
pub(crate) async fn asyncify<F, T>(f: F) -> io::Result<T>
where
    F: FnOnce() -> io::Result<T> + Send + 'static,
    T: Send + 'static,
{
    match crate::task::spawn_blocking(f).await {
        Ok(result) => result,
        Err(err) => Err(io::Error::other(err)),
    }
}

/// Defines async functions that run a `std::fs` function on owned copies of their path
/// arguments; each gets its own documentation.
macro_rules! blocking_fns {
    ($(
        $(#[$doc:meta])*
        fn $name:ident($($arg:ident: $ty:ty => $owned:ty),*) -> $ret:ty = $std:path;
    )*) => {$(
        $(#[$doc])*
        pub async fn $name($($arg: $ty),*) -> io::Result<$ret> {
            $(let $arg: $owned = $arg.as_ref().to_owned();)*
            asyncify(move || $std($($arg),*)).await
        }
    )*};
}

blocking_fns! {
    /// Reads a whole file into a `Vec`.
    ///
    /// # Errors
    ///
    /// `std::fs::read`'s: not found, permission denied, a directory, ...
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn example() -> std::io::Result<()> {
    /// let bytes = kairos::fs::read("Cargo.toml").await?;
    /// # let _ = bytes;
    /// # Ok(())
    /// # }
    /// ```
    fn read(path: impl AsRef<Path> => PathBuf) -> Vec<u8> = std::fs::read;

    /// Reads a whole file into a `String`.
    ///
    /// # Errors
    ///
    /// `std::fs::read_to_string`'s, including `InvalidData` for contents that are not
    /// UTF-8.
    fn read_to_string(path: impl AsRef<Path> => PathBuf) -> String = std::fs::read_to_string;

    /// Writes `contents` to a file, creating it or truncating it first.
    ///
    /// # Errors
    ///
    /// `std::fs::write`'s.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn example() -> std::io::Result<()> {
    /// kairos::fs::write("out.txt", b"some bytes").await?;
    /// # Ok(())
    /// # }
    /// ```
    fn write(path: impl AsRef<Path> => PathBuf, contents: impl AsRef<[u8]> => Vec<u8>) -> () = std::fs::write;

    /// Creates a directory; its parent must exist.
    ///
    /// # Errors
    ///
    /// `AlreadyExists`, `NotFound` (no parent), permission denied, ...
    fn create_dir(path: impl AsRef<Path> => PathBuf) -> () = std::fs::create_dir;

    /// Creates a directory and every missing parent; succeeds if it exists already.
    ///
    /// # Errors
    ///
    /// Permission denied, a parent that is a file, ...
    fn create_dir_all(path: impl AsRef<Path> => PathBuf) -> () = std::fs::create_dir_all;

    /// Removes a file.
    ///
    /// # Errors
    ///
    /// `NotFound`, a directory, permission denied, ...
    fn remove_file(path: impl AsRef<Path> => PathBuf) -> () = std::fs::remove_file;

    /// Removes an empty directory.
    ///
    /// # Errors
    ///
    /// `NotFound`, not empty, permission denied, ...
    fn remove_dir(path: impl AsRef<Path> => PathBuf) -> () = std::fs::remove_dir;

    /// Removes a directory and everything in it.
    ///
    /// # Errors
    ///
    /// `NotFound`, permission denied, ...
    fn remove_dir_all(path: impl AsRef<Path> => PathBuf) -> () = std::fs::remove_dir_all;

    /// Renames a file or directory, replacing `to` if it is a file.
    ///
    /// # Errors
    ///
    /// `NotFound`, across file systems, permission denied, ...
    fn rename(from: impl AsRef<Path> => PathBuf, to: impl AsRef<Path> => PathBuf) -> () = std::fs::rename;

    /// Copies a file's contents and permissions; returns the bytes copied.
    ///
    /// # Errors
    ///
    /// `NotFound`, permission denied, ...
    fn copy(from: impl AsRef<Path> => PathBuf, to: impl AsRef<Path> => PathBuf) -> u64 = std::fs::copy;

    /// Creates a hard link `link` to `original`.
    ///
    /// # Errors
    ///
    /// `AlreadyExists`, across file systems, ...
    fn hard_link(original: impl AsRef<Path> => PathBuf, link: impl AsRef<Path> => PathBuf) -> () = std::fs::hard_link;

    /// The metadata of a path, following symbolic links.
    ///
    /// # Errors
    ///
    /// `NotFound`, permission denied, ...
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn example() -> std::io::Result<()> {
    /// let meta = kairos::fs::metadata("Cargo.toml").await?;
    /// println!("{} bytes", meta.len());
    /// # Ok(())
    /// # }
    /// ```
    fn metadata(path: impl AsRef<Path> => PathBuf) -> Metadata = std::fs::metadata;

    /// The metadata of a path, not following a final symbolic link.
    ///
    /// # Errors
    ///
    /// `NotFound`, permission denied, ...
    fn symlink_metadata(path: impl AsRef<Path> => PathBuf) -> Metadata = std::fs::symlink_metadata;

    /// The absolute path with every symbolic link and `..` resolved.
    ///
    /// # Errors
    ///
    /// `NotFound`, ...
    fn canonicalize(path: impl AsRef<Path> => PathBuf) -> PathBuf = std::fs::canonicalize;

    /// Where a symbolic link points.
    ///
    /// # Errors
    ///
    /// `NotFound`, not a link, ...
    fn read_link(path: impl AsRef<Path> => PathBuf) -> PathBuf = std::fs::read_link;

    /// Whether a path exists; errors other than "not found" are returned.
    ///
    /// # Errors
    ///
    /// Permission denied on a parent, ...
    fn try_exists(path: impl AsRef<Path> => PathBuf) -> bool = std::fs::exists;
}

/// Sets the permissions of a file or directory.
///
/// # Errors
///
/// `NotFound`, permission denied, ...
pub async fn set_permissions(path: impl AsRef<Path>, permissions: Permissions) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::set_permissions(path, permissions)).await
}
