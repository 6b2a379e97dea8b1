//! hyper 1.x on Kairos: its runtime traits implemented with Kairos streams, tasks and
//! timers.

mod executor;
mod io;
mod timer;

pub use self::executor::HyperExecutor;
pub use self::io::HyperIo;
pub use self::timer::{HyperSleep, HyperTimer};
