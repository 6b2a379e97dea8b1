//! The client (next).
