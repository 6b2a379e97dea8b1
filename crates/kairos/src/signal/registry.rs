//! The process-wide signal registry: the handler, the self-pipe, and the listeners.
//!
//! Signals reach tasks in three steps, with no thread of their own:
//!
//! 1. The handler (installed once per signal number, on the first `signal(kind)`) sets
//!    the number's `pending` flag and writes a byte into the self-pipe. Both are
//!    async-signal-safe; `errno` is saved and restored around them.
//! 2. Each runtime that has a listener registers a duplicate of the pipe's reading end
//!    with its I/O driver. The byte makes the driver's poll return; the driver drains
//!    the pipe, then calls [`dispatch`].
//! 3. `dispatch` takes every `pending` flag and, for each set one, bumps the number's
//!    delivery count and wakes its listeners. A listener remembers the count it last
//!    saw, so deliveries between two receives coalesce into one, and none is lost.
//!
//! The order (flag before byte in the handler; drain before flags in the driver) means a
//! signal whose byte was drained is always seen by the dispatch that follows, and one
//! that arrives after the flags were taken writes a byte that wakes the driver again.

use crate::loom::sync::atomic::{AtomicBool, Ordering::SeqCst};
use crate::loom::sync::Mutex;
use std::io::{self, Read};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::sync::OnceLock;
use std::task::{Context, Poll, Waker};

/// Signal numbers a handler may be installed for (Linux has 64, with real-time ones).
const MAX_SIGNAL: usize = 65;

/// Signals whose handlers the operating system forbids, or that cannot be handled
/// safely by returning from a handler.
const FORBIDDEN: [libc::c_int; 5] = [
    libc::SIGILL,
    libc::SIGFPE,
    libc::SIGKILL,
    libc::SIGSEGV,
    libc::SIGSTOP,
];

/// The process-wide state, created on first use.
struct Globals {
    /// The self-pipe (a socket pair, both ends non-blocking): the handler writes into
    /// `sender`, the drivers read from duplicates of `receiver`.
    sender: UnixStream,
    receiver: UnixStream,
    signals: Box<[SignalSlot]>,
}

/// One signal number.
struct SignalSlot {
    /// Set by the handler, taken by `dispatch`.
    pending: AtomicBool,
    /// Installing the handler happens once.
    installed: OnceLock<io::Result<()>>,
    listeners: Mutex<Listeners>,
}

struct Listeners {
    /// Deliveries so far.
    count: u64,
    /// Wakers of waiting listeners, by key; `None` slots are free and in `free`.
    wakers: Vec<Option<Waker>>,
    free: Vec<usize>,
}

static GLOBALS: OnceLock<io::Result<Globals>> = OnceLock::new();

fn globals() -> io::Result<&'static Globals> {
    GLOBALS
        .get_or_init(|| {
            let (sender, receiver) = UnixStream::pair()?;
            sender.set_nonblocking(true)?;
            receiver.set_nonblocking(true)?;
            let signals = (0..MAX_SIGNAL)
                .map(|_| SignalSlot {
                    pending: AtomicBool::new(false),
                    installed: OnceLock::new(),
                    listeners: Mutex::new(Listeners {
                        count: 0,
                        wakers: Vec::new(),
                        free: Vec::new(),
                    }),
                })
                .collect();
            Ok(Globals {
                sender,
                receiver,
                signals,
            })
        })
        .as_ref()
        .map_err(|err| io::Error::new(err.kind(), err.to_string()))
}

/// A listener's place in the registry: its signal number and the count it has seen.
pub(crate) struct Registration {
    signum: usize,
    seen: u64,
    /// Its waker's key, once it has waited.
    key: Option<usize>,
}

/// Installs the handler for `signum` (once per process) and returns a listener that
/// sees deliveries from now on.
///
/// # Errors
///
/// For a number out of range or a forbidden signal, or if the operating system refuses
/// the handler or the pipe.
pub(crate) fn register(signum: libc::c_int) -> io::Result<Registration> {
    let index = usize::try_from(signum)
        .ok()
        .filter(|&index| index > 0 && index < MAX_SIGNAL)
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{signum} is not a signal number this platform can handle"),
            )
        })?;
    if FORBIDDEN.contains(&signum) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "signal {signum} cannot be handled (SIGILL, SIGFPE, SIGKILL, SIGSEGV, SIGSTOP)"
            ),
        ));
    }
    let globals = globals()?;
    let slot = &globals.signals[index];
    slot.installed
        .get_or_init(|| install_handler(signum))
        .as_ref()
        .map_err(|err| io::Error::new(err.kind(), err.to_string()))?;
    let seen = slot.listeners.lock().count;
    Ok(Registration {
        signum: index,
        seen,
        key: None,
    })
}

/// A duplicate of the self-pipe's reading end, for a driver to register.
pub(crate) fn pipe_receiver() -> io::Result<UnixStream> {
    globals()?.receiver.try_clone()
}

fn install_handler(signum: libc::c_int) -> io::Result<()> {
    // SAFETY: an all-zero `sigaction` is a valid value of this plain C struct; every
    // field that matters is set below.
    let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
    action.sa_sigaction = handler as *const () as libc::sighandler_t;
    action.sa_flags = libc::SA_RESTART;
    // SAFETY: `sa_mask` is a valid `sigset_t` owned by `action`.
    unsafe { libc::sigemptyset(&mut action.sa_mask) };
    // SAFETY: `action` is fully initialised; the handler only does async-signal-safe
    // work (see `handler`); a null old-action pointer is allowed.
    if unsafe { libc::sigaction(signum, &action, std::ptr::null_mut()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// The signal handler: flag, byte, nothing else (async-signal-safe).
extern "C" fn handler(signum: libc::c_int) {
    let errno = Errno::save();
    if let Some(Ok(globals)) = GLOBALS.get() {
        if let Some(slot) = usize::try_from(signum)
            .ok()
            .and_then(|index| globals.signals.get(index))
        {
            slot.pending.store(true, SeqCst);
        }
        let byte = 1u8;
        // SAFETY: `write` is async-signal-safe; the pointer and length describe `byte`.
        // A full pipe (EAGAIN) is fine: the bytes already in it wake the driver.
        let _ = unsafe { libc::write(globals.sender.as_raw_fd(), (&byte as *const u8).cast(), 1) };
    }
    errno.restore();
}

/// Called by a driver whose pipe registration became readable: drains the pipe, then
/// dispatches every pending signal.
pub(crate) fn on_pipe_readable() {
    let Some(Ok(globals)) = GLOBALS.get() else {
        return;
    };
    let mut buf = [0u8; 128];
    loop {
        match (&globals.receiver).read(&mut buf) {
            Ok(0) => break,
            Ok(_) => continue,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => break, // WouldBlock: drained
        }
    }
    dispatch(globals);
}

fn dispatch(globals: &Globals) {
    for slot in globals.signals.iter() {
        if !slot.pending.swap(false, SeqCst) {
            continue;
        }
        let wakers: Vec<Waker> = {
            let mut listeners = slot.listeners.lock();
            listeners.count += 1;
            listeners
                .wakers
                .iter_mut()
                .filter_map(Option::take)
                .collect()
        };
        for waker in wakers {
            waker.wake();
        }
    }
}

impl Registration {
    /// The signal number listened to.
    pub(crate) fn signum(&self) -> usize {
        self.signum
    }

    /// Ready when a delivery happened since the last one this listener saw.
    pub(crate) fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let Ok(globals) = globals() else {
            return Poll::Pending;
        };
        let mut listeners = globals.signals[self.signum].listeners.lock();
        if listeners.count != self.seen {
            self.seen = listeners.count;
            return Poll::Ready(());
        }
        let waker = Some(cx.waker().clone());
        match self.key {
            Some(key) => listeners.wakers[key] = waker,
            None => {
                let key = match listeners.free.pop() {
                    Some(key) => {
                        listeners.wakers[key] = waker;
                        key
                    }
                    None => {
                        listeners.wakers.push(waker);
                        listeners.wakers.len() - 1
                    }
                };
                self.key = Some(key);
            }
        }
        Poll::Pending
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        if let (Some(key), Ok(globals)) = (self.key, globals()) {
            let mut listeners = globals.signals[self.signum].listeners.lock();
            listeners.wakers[key] = None;
            listeners.free.push(key);
        }
    }
}

/// `errno`, saved on entry to the handler and restored on exit, so the interrupted code
/// never sees it change.
struct Errno(libc::c_int);

impl Errno {
    fn save() -> Errno {
        // SAFETY: the errno location is valid for the current thread.
        Errno(unsafe { *errno_location() })
    }

    fn restore(self) {
        // SAFETY: as in `save`.
        unsafe { *errno_location() = self.0 };
    }
}

/// The calling thread's `errno`.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn errno_location() -> *mut libc::c_int {
    // SAFETY: `__errno_location` has no preconditions; it returns the calling thread's
    // errno, valid for the thread's lifetime.
    unsafe { libc::__errno_location() }
}

/// The calling thread's `errno`.
#[cfg(any(target_os = "macos", target_os = "ios", target_os = "freebsd"))]
fn errno_location() -> *mut libc::c_int {
    // SAFETY: `__error` has no preconditions; it returns the calling thread's errno,
    // valid for the thread's lifetime.
    unsafe { libc::__error() }
}
