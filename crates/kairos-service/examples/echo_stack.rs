//! A client and a server built from the same filter stack, over TCP with a line protocol.
//!
//! ```text
//! cargo run -p kairos-service --example echo_stack
//! ```
//!
//! The protocol: the client sends one line, the server answers `OK <line in capitals>` or
//! `ERR <why>`. The server's handler fails on demand (`fail`), fails every other time
//! (`flaky`), and is slow (`slow`, 300 ms). Both sides wrap their service in the same
//! stack, outermost first: logging, a 200 ms timeout, load shedding, a concurrency limit.
//! The client puts a retry and a circuit breaker in front of it (client concerns: the
//! server must not retry on its clients' behalf). The program runs a fixed script of calls
//! against a server on an ephemeral loopback port, prints what each call saw, and exits:
//! a plain call, a flaky one that a retry rescues, a slow one that times out on every
//! attempt, failures that open the circuit breaker, a call it refuses at once, and a call
//! after its backoff that probes and closes it.

use kairos::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use kairos::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use kairos::net::{TcpListener, TcpStream};
use kairos::time::{Duration, Instant};
use kairos_service::filters::circuit_breaker::{CircuitBreakerConfig, CircuitBreakerError};
use kairos_service::filters::load_shed::LoadShedError;
use kairos_service::filters::retry::{retry_if, Backoff, RetryConfig};
use kairos_service::filters::timeout::TimeoutError;
use kairos_service::{service_fn, Service, ServiceBuilder};
use std::error::Error;
use std::fmt::Display;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

#[kairos::main]
async fn main() -> io::Result<()> {
    // The stack both sides share; each `service` call makes fresh filter state.
    let stack = ServiceBuilder::new()
        .log()
        .timeout(Duration::from_millis(200))
        .load_shed()
        .concurrency_limit(16);

    // The server: the stack around the application's handler.
    let flaky_calls = Arc::new(AtomicU32::new(0));
    let server = Arc::new(stack.service(service_fn(move |line: String| {
        let flaky_calls = flaky_calls.clone();
        async move {
            match line.as_str() {
                "fail" => Err(io::Error::other("the handler was asked to fail")),
                "flaky" if flaky_calls.fetch_add(1, Ordering::SeqCst) % 2 == 0 => {
                    Err(io::Error::other("flaky: failed this time"))
                }
                "slow" => {
                    kairos::time::sleep(Duration::from_millis(300)).await;
                    Ok(line.to_uppercase())
                }
                _ => Ok(line.to_uppercase()),
            }
        }
    })));
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    kairos::spawn(serve(listener, server));

    // The client: retry and a circuit breaker, then the same stack, around the transport.
    let backoff = Backoff::new(Duration::from_millis(5), Duration::from_millis(50));
    let breaker_backoff = Backoff::new(Duration::from_millis(250), Duration::from_secs(5));
    let client = ServiceBuilder::new()
        .retry(
            retry_if(worth_retrying),
            RetryConfig::new().backoff(backoff),
        )
        .circuit_breaker(
            CircuitBreakerConfig::new()
                .failures(4)
                .backoff(breaker_backoff),
        )
        .filter(stack)
        .service(LineClient::new(addr));

    for line in [
        "hello", "flaky", "slow", "fail", "fail", "hello", "pause", "hello",
    ] {
        if line == "pause" {
            println!("(waiting 250 ms for the circuit breaker's backoff)");
            kairos::time::sleep(Duration::from_millis(250)).await;
            continue;
        }
        let start = Instant::now();
        let outcome = client.call(line.to_string()).await;
        let took = start.elapsed().as_millis();
        match outcome {
            Ok(reply) => println!("{line:>6} -> {reply} ({took} ms)"),
            Err(error) => println!("{line:>6} -> error: {} ({took} ms)", chain(&error)),
        }
    }
    Ok(())
}

/// What one attempt of the client can fail with, filter by filter.
type AttemptError = CircuitBreakerError<TimeoutError<LoadShedError<io::Error>>>;

/// Retry failures, but not the circuit breaker's refusals: they say "do not call".
fn worth_retrying(result: &Result<String, AttemptError>) -> bool {
    matches!(result, Err(error) if !error.is_open())
}

/// An error and its sources, "outer: inner: ...".
fn chain(error: &dyn Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

/// Accepts connections; each gets a task that answers its lines one at a time.
async fn serve<S>(listener: TcpListener, service: Arc<S>)
where
    S: Service<String, Response = String> + Send + Sync + 'static,
    S::Error: Display,
    for<'a> S::Future<'a>: Send,
{
    loop {
        let Ok((stream, _peer)) = listener.accept().await else {
            continue;
        };
        let service = service.clone();
        kairos::spawn(async move {
            let (reader, mut writer) = stream.into_split();
            let mut reader = BufReader::new(reader);
            let mut line = String::new();
            while matches!(reader.read_line(&mut line).await, Ok(n) if n > 0) {
                let reply = match service.call(line.trim_end().to_string()).await {
                    Ok(text) => format!("OK {text}\n"),
                    Err(error) => format!("ERR {error}\n"),
                };
                if writer.write_all(reply.as_bytes()).await.is_err() {
                    break;
                }
                line.clear();
            }
        });
    }
}

/// The client's transport: one line out, one line back, over pooled connections.
struct LineClient {
    addr: SocketAddr,
    idle: Mutex<Vec<Connection>>,
}

struct Connection {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
}

impl LineClient {
    fn new(addr: SocketAddr) -> LineClient {
        LineClient {
            addr,
            idle: Mutex::new(Vec::new()),
        }
    }

    async fn exchange(&self, line: String) -> io::Result<String> {
        let pooled = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut connection = match pooled {
            Some(connection) => connection,
            None => {
                let (reader, writer) = TcpStream::connect(self.addr).await?.into_split();
                Connection {
                    reader: BufReader::new(reader),
                    writer,
                }
            }
        };
        connection
            .writer
            .write_all(format!("{line}\n").as_bytes())
            .await?;
        let mut reply = String::new();
        if connection.reader.read_line(&mut reply).await? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the server hung up",
            ));
        }
        // Only a connection that completed its exchange goes back to the pool: one
        // dropped mid-call (a timeout fired) may still have a reply in flight.
        self.idle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(connection);
        match reply.trim_end().split_once(' ') {
            Some(("OK", text)) => Ok(text.to_string()),
            Some(("ERR", why)) => Err(io::Error::other(format!("server: {why}"))),
            _ => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "not a reply line",
            )),
        }
    }
}

/// Network I/O dwarfs an allocation: the transport boxes its future.
impl Service<String> for LineClient {
    type Response = String;
    type Error = io::Error;
    type Future<'a> = Pin<Box<dyn Future<Output = io::Result<String>> + Send + 'a>>;

    fn call(&self, line: String) -> Self::Future<'_> {
        Box::pin(self.exchange(line))
    }
}
