//! `cargo run --release -p techempower`: the TechEmpower tests on port 8080.
//!
//! ```text
//! techempower [--host HOST] [--port PORT] [--db PATH] [--multi-thread [--listeners N]] [--service-only]
//! ```
//!
//! `/plaintext` and `/json` are answered directly by the server from the request's bytes
//! (`techempower::app::direct`); `--service-only` sends them through the app's service
//! like every other test (to measure what the direct answer saves).
//!
//! By default one current-thread runtime runs per core, each with its own `SO_REUSEPORT`
//! listener on the port (the kernel spreads connections; no work stealing, no cross-thread
//! wake-ups). `--multi-thread` serves from one work-stealing runtime instead, with one
//! listener or `--listeners N`. docs/DESIGN.md, "HTTP", has the measurements behind the
//! default.
//!
//! `PORT` and `HOST` in the environment work too (the flags win). The database is the
//! embedded SQLite file (default `techempower.sqlite` in the current directory, created and
//! seeded on first start) unless `DATABASE_URL` names a PostgreSQL database
//! (`postgres://benchmarkdbuser:benchmarkdbpass@127.0.0.1/hello_world`, as
//! `scripts/postgres-setup.sh` creates it). Ctrl-C shuts down gracefully.

use kairos_http::server::Server;
use std::path::PathBuf;
use std::time::Duration;
use techempower::app::App;
use techempower::db::{Backend, Postgres, Sqlite};

const USAGE: &str =
    "usage: techempower [--host HOST] [--port PORT] [--db PATH] [--multi-thread [--listeners N]] [--service-only]";

#[derive(Clone)]
struct Args {
    per_core: bool,
    host: String,
    port: u16,
    db: PathBuf,
    listeners: Option<usize>,
    /// `/plaintext` and `/json` answered directly (`--service-only`: by the service).
    direct: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        per_core: true,
        host: std::env::var("HOST").unwrap_or_else(|_| "0.0.0.0".into()),
        port: match std::env::var("PORT") {
            Ok(port) => port
                .parse()
                .map_err(|_| format!("PORT is not a port: {port}"))?,
            Err(_) => 8080,
        },
        db: PathBuf::from("techempower.sqlite"),
        listeners: None,
        direct: true,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--host" => args.host = value()?,
            "--port" => {
                let v = value()?;
                args.port = v.parse().map_err(|_| format!("not a port: {v}"))?;
            }
            "--db" => args.db = PathBuf::from(value()?),
            "--listeners" => {
                let v = value()?;
                args.listeners = Some(v.parse().map_err(|_| format!("not a count: {v}"))?);
            }
            "--per-core" => args.per_core = true,
            "--multi-thread" => args.per_core = false,
            "--service-only" => args.direct = false,
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unexpected argument: {other}")),
        }
    }
    Ok(args)
}

fn main() {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}\n{USAGE}");
            std::process::exit(2);
        }
    };
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let db = match std::env::var("DATABASE_URL") {
        // Connections are made inside each runtime (their futures run there).
        Ok(url) => Database::Postgres(url),
        Err(_) => match Sqlite::open(&args.db, cores * 2) {
            Ok(db) => Database::Sqlite(db),
            Err(err) => {
                eprintln!("techempower: {}: {err}", args.db.display());
                std::process::exit(1);
            }
        },
    };
    let mut args = args;
    if args.per_core && args.port == 0 {
        // Every runtime must listen on the same port: pick one now.
        match std::net::TcpListener::bind((args.host.as_str(), 0)).and_then(|l| l.local_addr()) {
            Ok(addr) => args.port = addr.port(),
            Err(err) => {
                eprintln!("techempower: {}: {err}", args.host);
                std::process::exit(1);
            }
        }
    }
    let result = if args.per_core {
        let threads: Vec<_> = (0..cores)
            .map(|core| {
                let (args, db) = (args.clone(), db.clone());
                std::thread::spawn(move || {
                    let runtime = kairos::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .map_err(|e| e.to_string())?;
                    runtime
                        .block_on(run(args, db, core == 0, true))
                        .map_err(|e| e.to_string())
                })
            })
            .collect();
        threads.into_iter().try_for_each(|t| {
            t.join()
                .unwrap_or_else(|_| Err("a server thread panicked".into()))
        })
    } else {
        kairos::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())
            .and_then(|runtime| {
                runtime
                    .block_on(run(args, db, true, false))
                    .map_err(|e| e.to_string())
            })
    };
    if let Err(err) = result {
        eprintln!("techempower: {err}");
        std::process::exit(1);
    }
}

/// Which database the app uses.
#[derive(Clone)]
enum Database {
    Sqlite(Sqlite),
    /// The URL; each runtime opens its own connections.
    Postgres(String),
}

/// Connects to the database (a PostgreSQL backend per runtime), then serves until Ctrl-C;
/// `announce` prints where to point a browser and wrk.
async fn run(
    args: Args,
    db: Database,
    announce: bool,
    reuseport: bool,
) -> Result<(), Box<dyn std::error::Error>> {
    match db {
        Database::Sqlite(sqlite) => {
            let name = args.db.display().to_string();
            serve(args, sqlite, &name, announce, reuseport).await
        }
        Database::Postgres(url) => {
            let postgres = Postgres::connect(&url, 2).await?;
            let name = redact(&url);
            serve(args, postgres, &name, announce, reuseport).await
        }
    }
}

/// The URL without its password, for the banner.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            let user = credentials.split(':').next().unwrap_or_default();
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

async fn serve<D: Backend>(
    args: Args,
    db: D,
    db_name: &str,
    announce: bool,
    reuseport: bool,
) -> Result<(), Box<dyn std::error::Error>> {
    // Always busy under a benchmark: keep each connection's buffers between requests.
    let mut builder = Server::builder()
        .reuseport(reuseport)
        .release_idle_buffers(false);
    if args.direct {
        builder = builder.direct(techempower::app::direct);
    }
    if let Some(n) = args.listeners {
        builder = builder.listeners(n);
    }
    let server = builder.bind((args.host.as_str(), args.port)).await?;
    let addr = server.local_addr();
    let shown = if addr.ip().is_unspecified() {
        format!("127.0.0.1:{}", addr.port())
    } else {
        addr.to_string()
    };
    if announce {
        println!("TechEmpower tests on Kairos, listening on {addr} (database {db_name})");
        println!("  browser:  http://{shown}/fortunes   (also /plaintext /json /db /queries?queries=20 /updates?queries=20)");
        println!("  wrk:      wrk -t2 -c256 -d10s http://{shown}/plaintext");
        println!("Ctrl-C stops it.");
    }
    let handle = server.handle();
    kairos::spawn(async move {
        if kairos::signal::ctrl_c().await.is_ok() {
            handle.shutdown(Duration::from_secs(5));
        }
    });
    server.serve(App::new(db)).await?;
    Ok(())
}
