//! HTTP/1.1, split by layer: heads (`parse`, `encode`), body framing (`decode`, `encode`),
//! buffering (`io`), the server connection state machine (`conn`), and the one place that
//! knows about services (`dispatch`).

pub(crate) mod conn;
pub(crate) mod date;
pub(crate) mod decode;
pub(crate) mod dispatch;
pub(crate) mod encode;
pub(crate) mod io;
pub(crate) mod parse;
pub(crate) mod pool;
