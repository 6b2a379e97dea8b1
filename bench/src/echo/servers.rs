//! The echo servers, one per runtime plus a thread-per-connection server on blocking std
//! sockets (the native-threads baseline). Each accepts on 127.0.0.1, sets `TCP_NODELAY`
//! on every connection, and runs one task (or thread) per connection that reads into a
//! 1 KiB buffer and writes back what it read, until the peer closes. The accept loop runs
//! inside the runtime (on a worker, for the multi-thread flavor).

use crate::runtimes::{AsyncStd, Kairos, Smol, Tokio};
use crate::{Flavor, Runtime};
use futures_lite::{AsyncReadExt, AsyncWriteExt};
use std::future::Future;
use std::io::{self, Read, Write};
use std::net::SocketAddr;

/// The per-connection buffer.
const BUFFER: usize = 1024;

/// Echoes on a stream of the runtime-neutral `futures-io` traits (Kairos, smol,
/// async-std).
async fn echo_futures_io<S>(mut stream: S)
where
    S: futures_lite::AsyncRead + futures_lite::AsyncWrite + Unpin,
{
    let mut buffer = [0u8; BUFFER];
    while let Ok(n @ 1..) = stream.read(&mut buffer).await {
        if stream.write_all(&buffer[..n]).await.is_err() {
            return;
        }
    }
}

/// Accepts connections forever, handing each to `serve` (which spawns its task).
async fn accept_loop<S, A>(mut accept: impl FnMut() -> A, mut serve: impl FnMut(S))
where
    A: Future<Output = io::Result<(S, SocketAddr)>>,
{
    loop {
        if let Ok((stream, _)) = accept().await {
            serve(stream);
        }
    }
}

/// Serves on `runtime` (`threads` for the thread-per-connection server) until the
/// process exits; `bound` is called with the listening address once it is known.
pub fn serve(runtime: &str, flavor: Flavor, bound: impl FnOnce(SocketAddr) + Send + 'static) {
    match runtime {
        "kairos" => serve_kairos(flavor, bound),
        "tokio" => serve_tokio(flavor, bound),
        "smol" => serve_smol(flavor, bound),
        "async-std" => serve_async_std(flavor, bound),
        "threads" => serve_threads(bound),
        other => panic!("no echo server for {other}"),
    }
}

fn serve_kairos(flavor: Flavor, bound: impl FnOnce(SocketAddr) + Send + 'static) {
    let rt = Kairos::build(flavor).expect("kairos runtime");
    let handle = rt.handle();
    rt.block_on(async move {
        let listener = kairos::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        bound(listener.local_addr().expect("local address"));
        accept_loop(
            || listener.accept(),
            |stream: kairos::net::TcpStream| {
                let _ = stream.set_nodelay(true);
                drop(handle.spawn(echo_futures_io(stream)));
            },
        )
        .await;
    });
}

fn serve_tokio(flavor: Flavor, bound: impl FnOnce(SocketAddr) + Send + 'static) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rt = Tokio::build(flavor).expect("tokio runtime");
    let handle = rt.handle();
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        bound(listener.local_addr().expect("local address"));
        accept_loop(
            || listener.accept(),
            |mut stream: tokio::net::TcpStream| {
                let _ = stream.set_nodelay(true);
                drop(handle.spawn(async move {
                    let mut buffer = [0u8; BUFFER];
                    while let Ok(n @ 1..) = stream.read(&mut buffer).await {
                        if stream.write_all(&buffer[..n]).await.is_err() {
                            return;
                        }
                    }
                }));
            },
        )
        .await;
    });
}

fn serve_smol(flavor: Flavor, bound: impl FnOnce(SocketAddr) + Send + 'static) {
    let rt = Smol::build(flavor).expect("smol executor");
    let executor = rt.handle();
    rt.block_on(async move {
        let listener =
            async_io::Async::<std::net::TcpListener>::bind(([127, 0, 0, 1], 0)).expect("bind");
        bound(listener.get_ref().local_addr().expect("local address"));
        accept_loop(
            || listener.accept(),
            |stream: async_io::Async<std::net::TcpStream>| {
                let _ = stream.get_ref().set_nodelay(true);
                executor.spawn(echo_futures_io(stream)).detach();
            },
        )
        .await;
    });
}

fn serve_async_std(flavor: Flavor, bound: impl FnOnce(SocketAddr) + Send + 'static) {
    let rt = AsyncStd::build(flavor).expect("async-std has a multi-thread flavor only");
    rt.block_on(async move {
        let listener = async_std::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        bound(listener.local_addr().expect("local address"));
        accept_loop(
            || listener.accept(),
            |stream: async_std::net::TcpStream| {
                let _ = stream.set_nodelay(true);
                drop(async_std::task::spawn(echo_futures_io(stream)));
            },
        )
        .await;
    });
}

fn serve_threads(bound: impl FnOnce(SocketAddr)) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    bound(listener.local_addr().expect("local address"));
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        std::thread::spawn(move || {
            let mut buffer = [0u8; BUFFER];
            while let Ok(n @ 1..) = stream.read(&mut buffer) {
                if stream.write_all(&buffer[..n]).is_err() {
                    return;
                }
            }
        });
    }
}
