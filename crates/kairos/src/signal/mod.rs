//! Signals: [`ctrl_c`], and any Unix signal through [`unix::signal`].
//!
//! A process-wide handler records each delivery and writes a byte into a self-pipe that
//! the I/O driver watches, so signals wake tasks like any other I/O event, with no
//! thread of their own. The runtime needs the I/O driver (`enable_io`).

pub(crate) mod registry;
pub mod unix;

use std::io;

/// Waits for Ctrl-C (`SIGINT`).
///
/// The handler is installed when the future is first polled; a Ctrl-C before that
/// terminates the process as usual, and after it never does (see [`unix::signal`]).
///
/// # Errors
///
/// If the handler cannot be installed; outside a runtime, or on a runtime built
/// without `enable_io`.
///
/// # Cancel safety
///
/// Dropping the future stops listening; a Ctrl-C that arrives while no future listens is
/// not delivered to a later one.
///
/// # Examples
///
/// ```no_run
/// #[kairos::main]
/// async fn main() -> std::io::Result<()> {
///     println!("press Ctrl-C to stop");
///     kairos::signal::ctrl_c().await?;
///     println!("stopping");
///     Ok(())
/// }
/// ```
pub async fn ctrl_c() -> io::Result<()> {
    let mut interrupts = unix::signal(unix::SignalKind::interrupt())?;
    interrupts.recv().await;
    Ok(())
}
