//! tokio-postgres over a Kairos `TcpStream` (through `TokioIo`), its connection future
//! spawned on Kairos, against a real PostgreSQL server.
//!
//! These tests need a server: set `DATABASE_URL` (`scripts/postgres-setup.sh` installs
//! PostgreSQL, creates the TechEmpower `hello_world` database and prints the URL), then run
//! `cargo test -p kairos-compat --test tokio_postgres -- --ignored`. `.ci/run` does.

use kairos_compat::TokioIo;
use std::time::Duration;
use tokio_postgres::{Client, Config, NoTls};

mod support;

const NEEDS_SERVER: &str = "needs a PostgreSQL server: DATABASE_URL (scripts/postgres-setup.sh)";

/// Connects with tokio-postgres over a Kairos socket, no tokio runtime involved.
async fn connect() -> Client {
    let url = std::env::var("DATABASE_URL").expect(NEEDS_SERVER);
    let config: Config = url.parse().expect("a valid DATABASE_URL");
    let host = match &config.get_hosts()[0] {
        tokio_postgres::config::Host::Tcp(host) => host.clone(),
        other => panic!("DATABASE_URL must name a TCP host, got {other:?}"),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let stream = kairos::time::timeout(
        Duration::from_secs(10),
        kairos::net::TcpStream::connect((host.as_str(), port)),
    )
    .await
    .expect("connect timed out")
    .expect("connect to PostgreSQL");
    stream.set_nodelay(true).unwrap();
    let (client, connection) = config
        .connect_raw(TokioIo::new(stream), NoTls)
        .await
        .expect("PostgreSQL handshake");
    kairos::spawn(async move {
        support::assert_no_tokio_runtime();
        if let Err(err) = connection.await {
            eprintln!("PostgreSQL connection error: {err}");
        }
    });
    client
}

#[kairos::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a PostgreSQL server: set DATABASE_URL (scripts/postgres-setup.sh); .ci/run runs it"]
async fn queries_over_a_kairos_socket() {
    support::assert_no_tokio_runtime();
    let client = connect().await;
    let row = client
        .query_one("SELECT $1::int4 + 1, 'kairos'::text", &[&41i32])
        .await
        .unwrap();
    assert_eq!(row.get::<_, i32>(0), 42);
    assert_eq!(row.get::<_, &str>(1), "kairos");

    // The TechEmpower tables the setup script seeds.
    let statement = client
        .prepare("SELECT id, randomnumber FROM world WHERE id = $1")
        .await
        .unwrap();
    for id in [1i32, 5000, 10000] {
        let row = client.query_one(&statement, &[&id]).await.unwrap();
        assert_eq!(row.get::<_, i32>(0), id);
        assert!((1..=10000).contains(&row.get::<_, i32>(1)));
    }
    let fortunes = client
        .query("SELECT message FROM fortune", &[])
        .await
        .unwrap();
    assert_eq!(fortunes.len(), 12);

    // Pipelined queries from concurrent tasks share the one connection.
    let client = std::sync::Arc::new(client);
    let tasks: Vec<_> = (0..20i32)
        .map(|i| {
            let client = client.clone();
            kairos::spawn(async move {
                let row = client
                    .query_one("SELECT $1::int4 * 2", &[&i])
                    .await
                    .unwrap();
                row.get::<_, i32>(0)
            })
        })
        .collect();
    for (i, task) in tasks.into_iter().enumerate() {
        assert_eq!(task.await.unwrap(), i as i32 * 2);
    }
}

#[kairos::test]
#[ignore = "needs a PostgreSQL server: set DATABASE_URL (scripts/postgres-setup.sh); .ci/run runs it"]
async fn a_transaction_commits_and_rolls_back() {
    let mut client = connect().await;
    client
        .batch_execute(
            "CREATE TEMPORARY TABLE ledger (id serial PRIMARY KEY, amount integer NOT NULL)",
        )
        .await
        .unwrap();

    let transaction = client.transaction().await.unwrap();
    transaction
        .execute(
            "INSERT INTO ledger (amount) VALUES ($1), ($2)",
            &[&10i32, &32i32],
        )
        .await
        .unwrap();
    transaction.commit().await.unwrap();

    let transaction = client.transaction().await.unwrap();
    transaction
        .execute("INSERT INTO ledger (amount) VALUES ($1)", &[&1000i32])
        .await
        .unwrap();
    transaction.rollback().await.unwrap();

    let total: i64 = client
        .query_one("SELECT COALESCE(SUM(amount), 0)::int8 FROM ledger", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(
        total, 42,
        "the committed rows count, the rolled-back one does not"
    );
}
