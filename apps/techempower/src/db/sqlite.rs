//! The embedded SQLite backend: a file created and seeded on first start, a small pool of
//! connections, every query on the blocking pool (`kairos::task::spawn_blocking`).

use super::{random_id, Backend, DbError, Fortune, World, WORLD_ROWS};
use rusqlite::{params, Connection, OpenFlags};
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};

/// The 12 fortunes of the TechEmpower specification.
pub const FORTUNES: [&str; 12] = [
    "fortune: No such file or directory",
    "A computer scientist is someone who fixes things that aren't broken.",
    "After enough decimal places, nobody gives a damn.",
    "A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1",
    "A computer program does what you tell it to do, not what you want it to do.",
    "Emacs is a nice operating system, but I prefer UNIX. \u{2014} Tom Christaensen",
    "Any program that runs right is obsolete.",
    "A list is only as strong as its weakest link. \u{2014} Donald Knuth",
    "Feature: A bug with seniority.",
    "Computers make very fast, very accurate mistakes.",
    "<script>alert(\"This should not be displayed in a browser alert box.\");</script>",
    "\u{30d5}\u{30ec}\u{30fc}\u{30e0}\u{30ef}\u{30fc}\u{30af}\u{306e}\u{30d9}\u{30f3}\u{30c1}\u{30de}\u{30fc}\u{30af}",
];

/// SQLite with a pool of connections.
///
/// # Examples
///
/// ```
/// use techempower::db::{Backend, Sqlite};
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let dir = std::env::temp_dir().join(format!("tfb-sqlite-doc-{}", std::process::id()));
/// let db = Sqlite::open(&dir.join("db.sqlite"), 1).unwrap();
/// assert_eq!(db.fortunes().await.unwrap().len(), 12);
/// # std::fs::remove_dir_all(dir).ok();
/// # });
/// ```
#[derive(Clone)]
pub struct Sqlite {
    pool: Arc<ConnPool>,
}

struct ConnPool {
    idle: Mutex<Vec<Connection>>,
    available: Condvar,
}

impl Sqlite {
    /// Opens (creating and seeding if needed) the database at `path` with `connections`
    /// pooled connections.
    ///
    /// # Errors
    ///
    /// The file cannot be created or opened, or seeding failed.
    pub fn open(path: &Path, connections: usize) -> Result<Sqlite, DbError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| DbError(format!("{}: {e}", dir.display())))?;
        }
        let first = Connection::open(path).map_err(db_err)?;
        first
            .execute_batch(
                "PRAGMA journal_mode = WAL;
                 PRAGMA synchronous = NORMAL;
                 CREATE TABLE IF NOT EXISTS world (id INTEGER PRIMARY KEY, randomNumber INTEGER NOT NULL);
                 CREATE TABLE IF NOT EXISTS fortune (id INTEGER PRIMARY KEY, message TEXT NOT NULL);",
            )
            .map_err(db_err)?;
        seed(&first)?;
        let mut idle = vec![first];
        for _ in 1..connections.max(1) {
            let conn = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(db_err)?;
            idle.push(conn);
        }
        for conn in &idle {
            conn.busy_timeout(std::time::Duration::from_secs(5))
                .map_err(db_err)?;
        }
        Ok(Sqlite {
            pool: Arc::new(ConnPool {
                idle: Mutex::new(idle),
                available: Condvar::new(),
            }),
        })
    }

    /// Runs `f` with a pooled connection on the blocking pool.
    async fn with_conn<T, F>(&self, f: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, rusqlite::Error> + Send + 'static,
    {
        let pool = self.pool.clone();
        kairos::task::spawn_blocking(move || {
            let mut conn = {
                let mut idle = pool.idle.lock().unwrap_or_else(|e| e.into_inner());
                loop {
                    if let Some(conn) = idle.pop() {
                        break conn;
                    }
                    idle = pool.available.wait(idle).unwrap_or_else(|e| e.into_inner());
                }
            };
            let result = f(&mut conn);
            pool.idle
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(conn);
            pool.available.notify_one();
            result.map_err(db_err)
        })
        .await
        .map_err(|e| DbError(format!("database task failed: {e}")))?
    }
}

fn db_err(err: rusqlite::Error) -> DbError {
    DbError(err.to_string())
}

/// Fills empty tables: 10,000 worlds with random numbers, the 12 fortunes.
fn seed(conn: &Connection) -> Result<(), DbError> {
    let worlds: i64 = conn
        .query_row("SELECT count(*) FROM world", [], |row| row.get(0))
        .map_err(db_err)?;
    if worlds == 0 {
        conn.execute_batch("BEGIN").map_err(db_err)?;
        {
            let mut insert = conn
                .prepare("INSERT INTO world (id, randomNumber) VALUES (?1, ?2)")
                .map_err(db_err)?;
            for id in 1..=WORLD_ROWS as i32 {
                insert.execute(params![id, random_id()]).map_err(db_err)?;
            }
        }
        conn.execute_batch("COMMIT").map_err(db_err)?;
    }
    let fortunes: i64 = conn
        .query_row("SELECT count(*) FROM fortune", [], |row| row.get(0))
        .map_err(db_err)?;
    if fortunes == 0 {
        for (i, message) in FORTUNES.iter().enumerate() {
            conn.execute(
                "INSERT INTO fortune (id, message) VALUES (?1, ?2)",
                params![i as i32 + 1, message],
            )
            .map_err(db_err)?;
        }
    }
    Ok(())
}

fn read_world(conn: &Connection, id: i32) -> Result<World, rusqlite::Error> {
    let mut stmt = conn.prepare_cached("SELECT id, randomNumber FROM world WHERE id = ?1")?;
    stmt.query_row([id], |row| {
        Ok(World {
            id: row.get(0)?,
            random_number: row.get(1)?,
        })
    })
}

impl Backend for Sqlite {
    async fn random_worlds(&self, count: usize) -> Result<Vec<World>, DbError> {
        self.with_conn(move |conn| (0..count).map(|_| read_world(conn, random_id())).collect())
            .await
    }

    async fn update_worlds(&self, count: usize) -> Result<Vec<World>, DbError> {
        self.with_conn(move |conn| {
            let mut worlds = Vec::with_capacity(count);
            for _ in 0..count {
                let mut world = read_world(conn, random_id())?;
                world.random_number = random_id();
                worlds.push(world);
            }
            // Updates in id order, in one transaction: concurrent updaters never deadlock.
            let mut sorted = worlds.clone();
            sorted.sort_by_key(|w| w.id);
            let tx = conn.transaction()?;
            {
                let mut update =
                    tx.prepare_cached("UPDATE world SET randomNumber = ?1 WHERE id = ?2")?;
                for world in &sorted {
                    update.execute(params![world.random_number, world.id])?;
                }
            }
            tx.commit()?;
            Ok(worlds)
        })
        .await
    }

    async fn fortunes(&self) -> Result<Vec<Fortune>, DbError> {
        self.with_conn(|conn| {
            let mut stmt = conn.prepare_cached("SELECT id, message FROM fortune")?;
            let rows = stmt.query_map([], |row| {
                Ok(Fortune {
                    id: row.get(0)?,
                    message: row.get(1)?,
                })
            })?;
            rows.collect()
        })
        .await
    }
}
