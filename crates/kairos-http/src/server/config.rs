//! The server's settings, each limit with its default.

use std::time::Duration;

/// Default [`Builder::max_request_line`](super::Builder::max_request_line).
pub const DEFAULT_MAX_REQUEST_LINE: usize = 8 * 1024;
/// Default [`Builder::max_head_size`](super::Builder::max_head_size).
pub const DEFAULT_MAX_HEAD_SIZE: usize = 64 * 1024;
/// Default [`Builder::max_headers`](super::Builder::max_headers).
pub const DEFAULT_MAX_HEADERS: usize = 100;
/// Default [`Builder::max_body_size`](super::Builder::max_body_size).
pub const DEFAULT_MAX_BODY_SIZE: u64 = 16 * 1024 * 1024;
/// Default [`Builder::header_read_timeout`](super::Builder::header_read_timeout).
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Default [`Builder::body_read_timeout`](super::Builder::body_read_timeout).
pub const DEFAULT_BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// Default [`Builder::keep_alive_timeout`](super::Builder::keep_alive_timeout).
pub const DEFAULT_KEEP_ALIVE_TIMEOUT: Duration = Duration::from_secs(60);
/// Default [`Builder::shrink_idle_after`](super::Builder::shrink_idle_after).
pub const DEFAULT_SHRINK_IDLE_AFTER: Duration = Duration::from_secs(1);
/// Default [`Builder::max_connections`](super::Builder::max_connections).
pub const DEFAULT_MAX_CONNECTIONS: usize = 10_000;
/// Default [`Builder::drain_limit`](super::Builder::drain_limit).
pub const DEFAULT_DRAIN_LIMIT: u64 = 64 * 1024;

/// Everything a connection consults, shared by all connections of a server.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) max_request_line: usize,
    pub(crate) max_head_size: usize,
    pub(crate) max_headers: usize,
    pub(crate) max_body_size: u64,
    pub(crate) header_read_timeout: Duration,
    pub(crate) body_read_timeout: Duration,
    pub(crate) keep_alive_timeout: Duration,
    pub(crate) keep_alive: bool,
    pub(crate) max_connections: usize,
    pub(crate) drain_limit: u64,
    pub(crate) nodelay: bool,
    pub(crate) release_idle_buffers: bool,
    pub(crate) shrink_idle_after: Option<Duration>,
    pub(crate) listeners: Option<usize>,
    pub(crate) reuseport: bool,
    /// Answers requests before the service is asked (`Builder::direct`).
    pub(crate) direct: Option<super::direct::Direct>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            max_request_line: DEFAULT_MAX_REQUEST_LINE,
            max_head_size: DEFAULT_MAX_HEAD_SIZE,
            max_headers: DEFAULT_MAX_HEADERS,
            max_body_size: DEFAULT_MAX_BODY_SIZE,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            body_read_timeout: DEFAULT_BODY_READ_TIMEOUT,
            keep_alive_timeout: DEFAULT_KEEP_ALIVE_TIMEOUT,
            keep_alive: true,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            drain_limit: DEFAULT_DRAIN_LIMIT,
            nodelay: true,
            release_idle_buffers: true,
            shrink_idle_after: Some(DEFAULT_SHRINK_IDLE_AFTER),
            listeners: None,
            reuseport: false,
            direct: None,
        }
    }
}

impl Config {
    /// How long an idle connection waits before it shrinks, if it shrinks at all (not
    /// when its keep-alive timeout comes first).
    pub(crate) fn shrink_after(&self) -> Option<Duration> {
        self.shrink_idle_after
            .filter(|after| after.is_zero() || *after < self.keep_alive_timeout)
    }

    pub(crate) fn shrinks(&self) -> bool {
        self.shrink_after().is_some()
    }

    pub(crate) fn head_limits(&self) -> crate::h1::parse::HeadLimits {
        crate::h1::parse::HeadLimits {
            max_request_line: self.max_request_line,
            max_head_size: self.max_head_size,
            max_headers: self.max_headers,
        }
    }
}
