//! A TCP echo server: every connection gets back exactly the bytes it sends.
//!
//! ```text
//! cargo run -p kairos --example echo                       # on 127.0.0.1:8080
//! cargo run -p kairos --example echo -- 0.0.0.0:7000       # another address
//! cargo run -p kairos --example echo -- 127.0.0.1:0 --exit-after 3
//! ```
//!
//! Talk to it with `cargo run -p kairos --example echo_client`, or `nc 127.0.0.1 8080`.
//! With `--exit-after N` it stops accepting after N connections and exits once they are
//! all served (the tests use it).

use kairos::io::{AsyncReadExt, AsyncWriteExt};
use kairos::net::{TcpListener, TcpStream};
use kairos::time::{sleep, Duration};
use std::io;

const USAGE: &str = "usage: echo [ADDRESS] [--exit-after N]   (default address 127.0.0.1:8080)";

#[kairos::main]
async fn main() -> io::Result<()> {
    if std::env::args().any(|arg| arg == "-h" || arg == "--help") {
        println!("a TCP echo server\n{USAGE}");
        return Ok(());
    }
    let (addr, exit_after) = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}\n{USAGE}");
            std::process::exit(2);
        }
    };
    let listener = TcpListener::bind(&addr).await?;
    println!("echo server listening on {}", listener.local_addr()?);
    println!("{USAGE}");
    println!(
        "try: cargo run -p kairos --example echo_client -- {}",
        listener.local_addr()?
    );
    serve(listener, exit_after).await
}

/// `[ADDRESS] [--exit-after N]`.
fn parse_args(mut args: impl Iterator<Item = String>) -> Result<(String, Option<usize>), String> {
    let mut addr = None;
    let mut exit_after = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--exit-after" => {
                let n = args.next().ok_or("--exit-after needs a number")?;
                exit_after = Some(n.parse().map_err(|_| format!("not a number: {n}"))?);
            }
            _ if addr.is_none() => addr = Some(arg),
            _ => return Err(format!("unexpected argument: {arg}")),
        }
    }
    Ok((addr.unwrap_or_else(|| "127.0.0.1:8080".into()), exit_after))
}

/// Accepts connections and echoes each in its own task; with `exit_after`, returns once
/// that many connections were accepted and served.
pub async fn serve(listener: TcpListener, exit_after: Option<usize>) -> io::Result<()> {
    let mut served = Vec::new();
    while exit_after.is_none_or(|limit| served.len() < limit) {
        let (socket, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(err) if is_out_of_descriptors(&err) => {
                // Out of file descriptors: wait for connections to close.
                eprintln!("accept: {err}; backing off");
                sleep(Duration::from_millis(50)).await;
                continue;
            }
            Err(err) => return Err(err),
        };
        let connection = kairos::spawn(async move {
            if let Err(err) = echo(socket).await {
                eprintln!("{peer}: {err}");
            }
        });
        if exit_after.is_some() {
            served.push(connection);
        }
    }
    for connection in served {
        let _ = connection.await;
    }
    Ok(())
}

/// Echoes until the peer closes its side, then closes ours.
async fn echo(mut socket: TcpStream) -> io::Result<()> {
    let mut buf = vec![0; 16 * 1024];
    loop {
        let n = socket.read(&mut buf).await?;
        if n == 0 {
            return socket.close().await;
        }
        socket.write_all(&buf[..n]).await?;
    }
}

fn is_out_of_descriptors(err: &io::Error) -> bool {
    matches!(err.raw_os_error(), Some(libc::EMFILE | libc::ENFILE))
}
