//! The database seam: the app talks to a [`Backend`]. Two backends: SQLite (embedded,
//! created and seeded on first start, the default) and PostgreSQL (chosen by
//! `DATABASE_URL`, over tokio-postgres on Kairos sockets).

mod postgres;
mod sqlite;

pub use self::postgres::Postgres;
pub use self::sqlite::Sqlite;

use serde::Serialize;
use std::cell::Cell;
use std::future::Future;

/// Rows in the World table.
pub const WORLD_ROWS: u32 = 10_000;

/// A row of the World table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct World {
    /// 1..=10,000.
    pub id: i32,
    /// 1..=10,000.
    #[serde(rename = "randomNumber")]
    pub random_number: i32,
}

/// A row of the Fortune table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fortune {
    /// The row id (0 for the one added at request time).
    pub id: i32,
    /// The message, any UTF-8.
    pub message: String,
}

/// A database error, as text (the app answers 500 with it).
#[derive(Debug)]
pub struct DbError(pub String);

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DbError {}

/// What the tests need of a database. Implementations run queries off the async workers.
///
/// # Examples
///
/// ```
/// use techempower::db::{Backend, Sqlite};
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let dir = std::env::temp_dir().join(format!("tfb-doc-{}", std::process::id()));
/// let db = Sqlite::open(&dir.join("db.sqlite"), 2).unwrap();
/// let worlds = db.random_worlds(3).await.unwrap();
/// assert_eq!(worlds.len(), 3);
/// # std::fs::remove_dir_all(dir).ok();
/// # });
/// ```
pub trait Backend: Send + Sync + 'static {
    /// `count` rows chosen at random, each read with its own query.
    fn random_worlds(
        &self,
        count: usize,
    ) -> impl Future<Output = Result<Vec<World>, DbError>> + Send;

    /// `count` random rows, each given a new random number and written back.
    fn update_worlds(
        &self,
        count: usize,
    ) -> impl Future<Output = Result<Vec<World>, DbError>> + Send;

    /// Every fortune.
    fn fortunes(&self) -> impl Future<Output = Result<Vec<Fortune>, DbError>> + Send;
}

thread_local! {
    static RNG: Cell<u64> = Cell::new(seed());
}

fn seed() -> u64 {
    let time = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let local = 0u8;
    // The address of a local differs per thread: threads start on different sequences.
    (time ^ (&local as *const u8 as u64).rotate_left(32)) | 1
}

/// A random number in `1..=WORLD_ROWS` (xorshift64*, per thread).
pub fn random_id() -> i32 {
    RNG.with(|state| {
        let mut x = state.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        state.set(x);
        (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as i32 % WORLD_ROWS as i32 + 1
    })
}
