//! `LogConfig`: the levels of the completion events.

use tracing::Level;

/// The levels at which a [`Log`](super::Log) records completed calls.
///
/// # Examples
///
/// ```
/// use kairos_service::filters::log::LogConfig;
/// use tracing::Level;
///
/// let config = LogConfig::new().success(Level::INFO).failure(Level::ERROR);
/// assert_eq!(config.success_level(), Level::INFO);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogConfig {
    success: Level,
    failure: Level,
}

impl Default for LogConfig {
    fn default() -> LogConfig {
        LogConfig::new()
    }
}

impl LogConfig {
    /// Successes (and cancellations) at `DEBUG`, failures at `WARN`.
    pub fn new() -> LogConfig {
        LogConfig {
            success: Level::DEBUG,
            failure: Level::WARN,
        }
    }

    /// The level of success and cancellation events.
    pub fn success(mut self, level: Level) -> LogConfig {
        self.success = level;
        self
    }

    /// The level of failure events.
    pub fn failure(mut self, level: Level) -> LogConfig {
        self.failure = level;
        self
    }

    /// The level of success and cancellation events.
    pub fn success_level(&self) -> Level {
        self.success
    }

    /// The level of failure events.
    pub fn failure_level(&self) -> Level {
        self.failure
    }
}
