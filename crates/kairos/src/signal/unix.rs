//! Unix signals: [`signal`] returns a [`Signal`] stream of deliveries of one
//! [`SignalKind`].

use crate::signal::registry;
use std::future::poll_fn;
use std::io;
use std::task::{Context, Poll};

/// A kind of Unix signal: the named constructors, or any number through
/// [`from_raw`](SignalKind::from_raw).
///
/// # Examples
///
/// ```
/// use kairos::signal::unix::SignalKind;
///
/// assert_eq!(SignalKind::interrupt().as_raw_value(), libc::SIGINT);
/// assert_eq!(SignalKind::from_raw(libc::SIGUSR1), SignalKind::user_defined1());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SignalKind(libc::c_int);

impl SignalKind {
    /// The signal numbered `signum`.
    pub const fn from_raw(signum: libc::c_int) -> SignalKind {
        SignalKind(signum)
    }

    /// The signal's number.
    pub const fn as_raw_value(&self) -> libc::c_int {
        self.0
    }

    /// `SIGALRM`: a real-time timer expired.
    pub const fn alarm() -> SignalKind {
        SignalKind(libc::SIGALRM)
    }

    /// `SIGCHLD`: a child process changed state.
    pub const fn child() -> SignalKind {
        SignalKind(libc::SIGCHLD)
    }

    /// `SIGHUP`: the terminal hung up (daemons take it as "reload").
    pub const fn hangup() -> SignalKind {
        SignalKind(libc::SIGHUP)
    }

    /// `SIGINT`: interrupt from the keyboard (Ctrl-C).
    pub const fn interrupt() -> SignalKind {
        SignalKind(libc::SIGINT)
    }

    /// `SIGIO`: I/O is possible on a descriptor.
    pub const fn io() -> SignalKind {
        SignalKind(libc::SIGIO)
    }

    /// `SIGPIPE`: a write to a pipe with no reader.
    pub const fn pipe() -> SignalKind {
        SignalKind(libc::SIGPIPE)
    }

    /// `SIGQUIT`: quit from the keyboard (Ctrl-\\).
    pub const fn quit() -> SignalKind {
        SignalKind(libc::SIGQUIT)
    }

    /// `SIGTERM`: a polite request to terminate.
    pub const fn terminate() -> SignalKind {
        SignalKind(libc::SIGTERM)
    }

    /// `SIGUSR1`: user-defined.
    pub const fn user_defined1() -> SignalKind {
        SignalKind(libc::SIGUSR1)
    }

    /// `SIGUSR2`: user-defined.
    pub const fn user_defined2() -> SignalKind {
        SignalKind(libc::SIGUSR2)
    }

    /// `SIGWINCH`: the terminal window changed size.
    pub const fn window_change() -> SignalKind {
        SignalKind(libc::SIGWINCH)
    }
}

impl From<libc::c_int> for SignalKind {
    fn from(signum: libc::c_int) -> SignalKind {
        SignalKind::from_raw(signum)
    }
}

impl From<SignalKind> for libc::c_int {
    fn from(kind: SignalKind) -> libc::c_int {
        kind.as_raw_value()
    }
}

/// Listens for `kind`: the returned [`Signal`] receives every delivery from now on
/// (deliveries between two receives coalesce into one).
///
/// The first listener for a signal number installs a process-wide handler, which stays
/// for the life of the process: from then on the signal's default action (for
/// `SIGINT`, terminating the process) no longer happens, even after the listeners are
/// gone. Deliveries are read by the I/O driver of the runtime (no extra thread).
///
/// # Errors
///
/// For `SIGILL`, `SIGFPE`, `SIGKILL`, `SIGSEGV`, `SIGSTOP` and numbers out of range; if
/// the handler cannot be installed; outside a runtime, or on a runtime built without
/// `enable_io` (the message says so).
///
/// # Examples
///
/// ```no_run
/// use kairos::signal::unix::{signal, SignalKind};
///
/// # async fn example() -> std::io::Result<()> {
/// let mut hangups = signal(SignalKind::hangup())?;
/// while hangups.recv().await.is_some() {
///     println!("reloading the configuration");
/// }
/// # Ok(())
/// # }
/// ```
pub fn signal(kind: SignalKind) -> io::Result<Signal> {
    let driver = crate::runtime::io::current_handle()?;
    let registration = registry::register(kind.as_raw_value())?;
    driver.watch_signals()?;
    Ok(Signal {
        registration,
        _driver: driver,
    })
}

/// A stream of deliveries of one signal; from [`signal`].
pub struct Signal {
    registration: registry::Registration,
    /// Keeps the driver that reads the signal pipe alive.
    _driver: std::sync::Arc<crate::runtime::io::Handle>,
}

impl Signal {
    /// Waits for the next delivery. Returns `None` only once no more can come (never,
    /// in practice: the stream ends with the process).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a delivery is consumed only by the poll that returns it.
    pub async fn recv(&mut self) -> Option<()> {
        poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// Polls for the next delivery; see [`recv`](Self::recv).
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<()>> {
        self.registration.poll_recv(cx).map(Some)
    }
}

impl std::fmt::Debug for Signal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signal")
            .field("signum", &self.registration.signum())
            .finish_non_exhaustive()
    }
}
