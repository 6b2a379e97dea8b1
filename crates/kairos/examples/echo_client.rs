//! A client for the echo server: sends each line of input and prints what comes back.
//!
//! ```text
//! cargo run -p kairos --example echo_client                          # to 127.0.0.1:8080
//! cargo run -p kairos --example echo_client -- 127.0.0.1:7000 hello  # one message
//! ```
//!
//! Without a message it reads lines from standard input until end of input.

use futures::StreamExt;
use kairos::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use kairos::net::TcpStream;
use std::io;

const USAGE: &str = "usage: echo_client [ADDRESS] [MESSAGE...]   (default address 127.0.0.1:8080)";

#[kairos::main]
async fn main() -> io::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8080".into());
    if addr == "-h" || addr == "--help" {
        println!("{USAGE}");
        return Ok(());
    }
    let message: Vec<String> = args.collect();
    let stream = match TcpStream::connect(&addr).await {
        Ok(stream) => stream,
        Err(err) => {
            eprintln!("cannot connect to {addr}: {err}\nstart the server first: cargo run -p kairos --example echo\n{USAGE}");
            std::process::exit(1);
        }
    };
    stream.set_nodelay(true)?;
    let (reader, mut writer) = stream.into_split();
    let mut replies = BufReader::new(reader).lines();
    if !message.is_empty() {
        writer
            .write_all(format!("{}\n", message.join(" ")).as_bytes())
            .await?;
        writer.close().await?;
        while let Some(line) = replies.next().await {
            println!("{}", line?);
        }
        return Ok(());
    }
    eprintln!("connected to {addr}; type lines, end with Ctrl-D\n{USAGE}");
    loop {
        // Standard input is blocking: read it on the blocking pool.
        let line = kairos::task::spawn_blocking(|| {
            let mut line = String::new();
            io::stdin()
                .read_line(&mut line)
                .map(|n| (n > 0).then_some(line))
        })
        .await
        .map_err(io::Error::other)??;
        let Some(line) = line else { break };
        writer.write_all(line.as_bytes()).await?;
        match replies.next().await {
            Some(reply) => println!("{}", reply?),
            None => break,
        }
    }
    writer.close().await?;
    // Whatever the server still sends after our end of input.
    while let Some(reply) = replies.next().await {
        println!("{}", reply?);
    }
    Ok(())
}
