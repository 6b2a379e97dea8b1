//! A UDP echo server: each datagram goes back to its sender.
//!
//! ```text
//! cargo run -p kairos --example udp_echo                    # on 127.0.0.1:8081
//! cargo run -p kairos --example udp_echo -- 0.0.0.0:7001 --exit-after 10
//! ```
//!
//! Try it with `nc -u 127.0.0.1 8081`. With `--exit-after N` it exits after echoing N
//! datagrams.

use kairos::net::UdpSocket;
use std::io;

const USAGE: &str = "usage: udp_echo [ADDRESS] [--exit-after N]   (default address 127.0.0.1:8081)";

#[kairos::main]
async fn main() -> io::Result<()> {
    let mut addr = "127.0.0.1:8081".to_string();
    let mut exit_after = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--exit-after" => exit_after = args.next().and_then(|n| n.parse().ok()),
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            _ => addr = arg,
        }
    }
    let socket = UdpSocket::bind(&addr).await?;
    println!("UDP echo server on {}", socket.local_addr()?);
    println!("{USAGE}");
    serve(&socket, exit_after).await
}

/// Echoes datagrams; with `exit_after`, returns after that many.
pub async fn serve(socket: &UdpSocket, exit_after: Option<usize>) -> io::Result<()> {
    let mut buf = vec![0; 64 * 1024];
    let mut echoed = 0;
    while exit_after.is_none_or(|limit| echoed < limit) {
        let (n, peer) = socket.recv_from(&mut buf).await?;
        socket.send_to(&buf[..n], peer).await?;
        echoed += 1;
    }
    Ok(())
}
