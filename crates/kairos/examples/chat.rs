//! A multi-client chat server: every line a client sends goes to all the others.
//!
//! ```text
//! cargo run -p kairos --example chat                 # on 127.0.0.1:8082
//! cargo run -p kairos --example chat -- 0.0.0.0:7002
//! ```
//!
//! Connect several terminals with `nc 127.0.0.1 8082`. Each client is greeted with its
//! name; `/name NEW` renames it. Stop the server with Ctrl-C.

use futures::StreamExt;
use kairos::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use kairos::net::{TcpListener, TcpStream};
use kairos::sync::broadcast::{self, error::RecvError};
use std::io;
use std::net::SocketAddr;

const USAGE: &str = "usage: chat [ADDRESS]   (default address 127.0.0.1:8082)";

/// The room: every line said, with who said it, to everyone listening.
#[derive(Clone)]
pub struct Room {
    lines: broadcast::Sender<(SocketAddr, String)>,
}

impl Default for Room {
    fn default() -> Room {
        // A client more than 256 lines behind skips ahead (and is told so).
        let (lines, _) = broadcast::channel(256);
        Room { lines }
    }
}

impl Room {
    /// Sends `line` to everyone but `from`.
    fn broadcast(&self, from: SocketAddr, line: String) {
        // Nobody listening is fine.
        let _ = self.lines.send((from, line));
    }
}

#[kairos::main]
async fn main() -> io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8082".into());
    if addr == "-h" || addr == "--help" {
        println!("{USAGE}");
        return Ok(());
    }
    let listener = TcpListener::bind(&addr).await?;
    println!(
        "chat server on {}; connect with `nc` or telnet",
        listener.local_addr()?
    );
    println!("{USAGE}");
    let serving = kairos::spawn(serve(listener, Room::default()));
    kairos::signal::ctrl_c().await?;
    println!("shutting down");
    serving.abort();
    Ok(())
}

/// Accepts clients forever.
pub async fn serve(listener: TcpListener, room: Room) -> io::Result<()> {
    loop {
        let (socket, addr) = listener.accept().await?;
        let room = room.clone();
        kairos::spawn(async move {
            if let Err(err) = client(socket, addr, room).await {
                eprintln!("{addr}: {err}");
            }
        });
    }
}

async fn client(socket: TcpStream, addr: SocketAddr, room: Room) -> io::Result<()> {
    let (reader, mut writer) = socket.into_split();
    // Listen before announcing ourselves, so no line said after the welcome is missed.
    let mut inbox = room.lines.subscribe();
    let mut name = format!("guest-{}", addr.port());
    writer
        .write_all(format!("welcome, {name}! (/name NEW renames you)\n").as_bytes())
        .await?;
    room.broadcast(addr, format!("* {name} joined\n"));
    // The writer side: forward what others say.
    let forward = kairos::spawn(async move {
        loop {
            let line = match inbox.recv().await {
                Ok((from, _)) if from == addr => continue,
                Ok((_, line)) => line,
                Err(RecvError::Lagged(missed)) => format!("* you missed {missed} lines\n"),
                Err(RecvError::Closed) => break,
            };
            if writer.write_all(line.as_bytes()).await.is_err() {
                break;
            }
        }
    });
    let mut lines = BufReader::new(reader).lines();
    while let Some(line) = lines.next().await {
        let line = line?;
        match line.strip_prefix("/name ") {
            Some(new) => {
                room.broadcast(addr, format!("* {name} is now {new}\n"));
                name = new.trim().to_string();
            }
            None => room.broadcast(addr, format!("{name}: {line}\n")),
        }
    }
    room.broadcast(addr, format!("* {name} left\n"));
    forward.abort();
    Ok(())
}
