//! Idle connections kept per host for reuse.
//!
//! A connection goes back to the pool when its response body has been read to the end
//! with nothing left over and both sides agreed to keep it. Checkout takes the most
//! recently used one (its peer is the least likely to have closed it), dropping those idle
//! longer than the idle timeout and those the server closed or sent unasked bytes on
//! while they waited ([`ClientConn::peer_is_quiet`]). At most `max_idle_per_host` wait
//! per host; more are closed.

use super::conn::ClientConn;
use kairos::time::Instant;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// A pool key: host and port (plain HTTP only).
pub(crate) type Key = (String, u16);

struct Idle {
    conn: ClientConn,
    since: Instant,
}

/// See the module docs.
pub(crate) struct Pool {
    idle: Mutex<HashMap<Key, Vec<Idle>>>,
    max_idle_per_host: usize,
    idle_timeout: Duration,
}

impl Pool {
    pub(crate) fn new(max_idle_per_host: usize, idle_timeout: Duration) -> Pool {
        Pool {
            idle: Mutex::new(HashMap::new()),
            max_idle_per_host,
            idle_timeout,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Vec<Idle>>> {
        // Each update is one push or pop: nothing is left half done by a panic.
        self.idle.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// An idle connection to `key`, if one is fresh enough and its server quiet.
    pub(crate) fn take(&self, key: &Key) -> Option<ClientConn> {
        let now = Instant::now();
        loop {
            // The lock is not held across the socket check.
            let entry = self.lock().get_mut(key)?.pop()?;
            if now.saturating_duration_since(entry.since) < self.idle_timeout
                && entry.conn.peer_is_quiet()
            {
                return Some(entry.conn);
            }
        }
    }

    /// Returns a connection for reuse.
    pub(crate) fn put(&self, key: Key, conn: ClientConn) {
        if self.max_idle_per_host == 0 {
            return;
        }
        let mut idle = self.lock();
        let list = idle.entry(key).or_default();
        if list.len() >= self.max_idle_per_host {
            list.remove(0);
        }
        list.push(Idle {
            conn,
            since: Instant::now(),
        });
    }

    /// Idle connections to `key` now.
    pub(crate) fn idle_count(&self, key: &Key) -> usize {
        self.lock().get(key).map_or(0, Vec::len)
    }
}
