//! A multi-client chat server: every line a client sends goes to all the others.
//!
//! ```text
//! cargo run -p kairos --example chat                 # on 127.0.0.1:8082
//! cargo run -p kairos --example chat -- 0.0.0.0:7002
//! ```
//!
//! Connect several terminals with `nc 127.0.0.1 8082`. Each client is greeted with its
//! name; `/name NEW` renames it. Stop the server with Ctrl-C.

use futures::channel::mpsc;
use futures::StreamExt;
use kairos::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use kairos::net::{TcpListener, TcpStream};
use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

const USAGE: &str = "usage: chat [ADDRESS]   (default address 127.0.0.1:8082)";

/// Each client's outbox, by address.
#[derive(Default, Clone)]
pub struct Room {
    members: Arc<Mutex<HashMap<SocketAddr, mpsc::UnboundedSender<String>>>>,
}

impl Room {
    fn join(&self, addr: SocketAddr) -> mpsc::UnboundedReceiver<String> {
        let (sender, receiver) = mpsc::unbounded();
        self.members.lock().unwrap().insert(addr, sender);
        receiver
    }

    fn leave(&self, addr: SocketAddr) {
        self.members.lock().unwrap().remove(&addr);
    }

    /// Sends `line` to everyone but `from`.
    fn broadcast(&self, from: SocketAddr, line: &str) {
        for (addr, outbox) in self.members.lock().unwrap().iter() {
            if *addr != from {
                // A member that is leaving has dropped its receiver; that is fine.
                let _ = outbox.unbounded_send(line.to_string());
            }
        }
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
    let mut inbox = room.join(addr);
    let mut name = format!("guest-{}", addr.port());
    writer
        .write_all(format!("welcome, {name}! (/name NEW renames you)\n").as_bytes())
        .await?;
    room.broadcast(addr, &format!("* {name} joined\n"));
    // The writer side: forward what others say.
    let forward = kairos::spawn(async move {
        while let Some(line) = inbox.next().await {
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
                room.broadcast(addr, &format!("* {name} is now {new}\n"));
                name = new.trim().to_string();
            }
            None => room.broadcast(addr, &format!("{name}: {line}\n")),
        }
    }
    room.leave(addr);
    room.broadcast(addr, &format!("* {name} left\n"));
    forward.abort();
    Ok(())
}
