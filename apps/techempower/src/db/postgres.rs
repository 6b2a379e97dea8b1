//! The PostgreSQL backend: tokio-postgres over Kairos sockets (through kairos-compat's
//! `TokioIo`), its connection futures spawned on Kairos; no tokio runtime anywhere.
//!
//! Each backend holds a few connections; a request uses one, round robin, and sends its
//! queries concurrently, which tokio-postgres pipelines on the connection. Create one
//! backend per runtime (a connection's future runs on the runtime that made it).

use super::{random_id, Backend, DbError, Fortune, World};
use futures_util::future::try_join_all;
use kairos_compat::TokioIo;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio_postgres::{Client, Config, NoTls, Statement};

/// A handful of PostgreSQL connections with their prepared statements.
#[derive(Clone)]
pub struct Postgres {
    connections: Arc<[Connection]>,
    next: Arc<AtomicUsize>,
}

struct Connection {
    client: Client,
    world: Statement,
    fortunes: Statement,
    update: Statement,
}

impl Postgres {
    /// Connects `connections` times to the database at `url`
    /// (`postgres://user:password@host:port/database`) and prepares the statements. Must run
    /// inside a Kairos runtime with I/O enabled; the connections are driven by tasks spawned
    /// on it.
    ///
    /// # Errors
    ///
    /// A malformed URL, a refused connection, failed authentication or a missing table.
    pub async fn connect(url: &str, connections: usize) -> Result<Postgres, DbError> {
        let config: Config = url
            .parse()
            .map_err(|e| DbError(format!("DATABASE_URL: {e}")))?;
        let host = match config.get_hosts().first() {
            Some(tokio_postgres::config::Host::Tcp(host)) => host.clone(),
            _ => return Err(DbError("DATABASE_URL must name a TCP host".into())),
        };
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let mut opened = Vec::with_capacity(connections.max(1));
        for _ in 0..connections.max(1) {
            let stream = kairos::net::TcpStream::connect((host.as_str(), port))
                .await
                .map_err(|e| DbError(format!("{host}:{port}: {e}")))?;
            stream
                .set_nodelay(true)
                .map_err(|e| DbError(e.to_string()))?;
            let (client, connection) = config
                .connect_raw(TokioIo::new(stream), NoTls)
                .await
                .map_err(pg_err)?;
            kairos::spawn(async move {
                if let Err(err) = connection.await {
                    eprintln!("techempower: PostgreSQL connection: {err}");
                }
            });
            let world = client
                .prepare("SELECT id, randomnumber FROM world WHERE id = $1")
                .await
                .map_err(pg_err)?;
            let fortunes = client
                .prepare("SELECT id, message FROM fortune")
                .await
                .map_err(pg_err)?;
            let update = client
                .prepare(
                    "UPDATE world SET randomnumber = new.randomnumber \
                     FROM UNNEST($1::int4[], $2::int4[]) AS new(id, randomnumber) \
                     WHERE world.id = new.id",
                )
                .await
                .map_err(pg_err)?;
            opened.push(Connection {
                client,
                world,
                fortunes,
                update,
            });
        }
        Ok(Postgres {
            connections: opened.into(),
            next: Arc::new(AtomicUsize::new(0)),
        })
    }

    fn connection(&self) -> &Connection {
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.connections.len();
        &self.connections[i]
    }
}

impl Connection {
    async fn read_worlds(&self, count: usize) -> Result<Vec<World>, DbError> {
        let queries = (0..count).map(|_| async move {
            let id = random_id();
            let row = self.client.query_one(&self.world, &[&id]).await?;
            Ok::<_, tokio_postgres::Error>(World {
                id: row.get(0),
                random_number: row.get(1),
            })
        });
        try_join_all(queries).await.map_err(pg_err)
    }
}

impl Backend for Postgres {
    async fn random_worlds(&self, count: usize) -> Result<Vec<World>, DbError> {
        self.connection().read_worlds(count).await
    }

    async fn update_worlds(&self, count: usize) -> Result<Vec<World>, DbError> {
        let connection = self.connection();
        let mut worlds = connection.read_worlds(count).await?;
        for world in &mut worlds {
            world.random_number = random_id();
        }
        // One UPDATE for the batch, in id order (concurrent updaters never deadlock); an
        // id drawn twice is written once, with its last number, as sequential updates
        // would leave it.
        let mut sorted = worlds.clone();
        sorted.sort_by_key(|w| w.id);
        let mut ids: Vec<i32> = Vec::with_capacity(sorted.len());
        let mut numbers: Vec<i32> = Vec::with_capacity(sorted.len());
        for world in sorted {
            if ids.last() == Some(&world.id) {
                *numbers.last_mut().expect("pushed with the id") = world.random_number;
            } else {
                ids.push(world.id);
                numbers.push(world.random_number);
            }
        }
        connection
            .client
            .execute(&connection.update, &[&ids, &numbers])
            .await
            .map_err(pg_err)?;
        Ok(worlds)
    }

    async fn fortunes(&self) -> Result<Vec<Fortune>, DbError> {
        let connection = self.connection();
        let rows = connection
            .client
            .query(&connection.fortunes, &[])
            .await
            .map_err(pg_err)?;
        Ok(rows
            .iter()
            .map(|row| Fortune {
                id: row.get(0),
                message: row.get(1),
            })
            .collect())
    }
}

fn pg_err(err: tokio_postgres::Error) -> DbError {
    DbError(format!("PostgreSQL: {err}"))
}
