//! Unix domain streams: a listener on a socket file, connecting, pairs, halves,
//! readiness, conversions and errors.

mod io_support;

use io_support::on_both;
use kairos::io::{AsyncReadExt, AsyncWriteExt};
use kairos::net::{UnixListener, UnixStream};
use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A fresh socket path in the temporary directory, removed when dropped.
struct SocketPath(PathBuf);

impl SocketPath {
    fn new() -> SocketPath {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "kairos-unix-{}-{}.sock",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let path = std::env::temp_dir().join(name);
        let _ = std::fs::remove_file(&path);
        SocketPath(path)
    }
}

impl Drop for SocketPath {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn a_listener_serves_clients_on_a_socket_file() {
    on_both(|| async {
        let path = SocketPath::new();
        let listener = UnixListener::bind(&path.0).unwrap();
        assert_eq!(
            listener.local_addr().unwrap().as_pathname(),
            Some(path.0.as_path())
        );
        let server = kairos::spawn(async move {
            for _ in 0..10 {
                let (mut stream, _) = listener.accept().await.unwrap();
                kairos::spawn(async move {
                    // By path: `AsyncReadExt::split` (by value) would win method
                    // resolution.
                    let (mut reader, mut writer) = UnixStream::split(&mut stream);
                    kairos::io::copy(&mut reader, &mut writer).await.unwrap();
                });
            }
        });
        for i in 0..10u8 {
            let mut client = UnixStream::connect(&path.0).await.unwrap();
            assert_eq!(
                client.peer_addr().unwrap().as_pathname(),
                Some(path.0.as_path())
            );
            let message = vec![i; 1000 + i as usize];
            client.write_all(&message).await.unwrap();
            client.close().await.unwrap();
            let mut back = Vec::new();
            client.read_to_end(&mut back).await.unwrap();
            assert_eq!(back, message);
        }
        server.await.unwrap();
    });
}

#[test]
fn pairs_talk_through_owned_halves_in_two_tasks() {
    on_both(|| async {
        let (a, b) = UnixStream::pair().unwrap();
        let (mut a_read, mut a_write) = a.into_split();
        let (mut b_read, mut b_write) = b.into_split();
        let ping = kairos::spawn(async move {
            a_write.write_all(b"ping").await.unwrap();
            let mut buf = [0; 4];
            a_read.read_exact(&mut buf).await.unwrap();
            assert_eq!(&buf, b"pong");
            a_read.reunite(a_write).unwrap()
        });
        let mut buf = [0; 4];
        b_read.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"ping");
        b_write.write_all(b"pong").await.unwrap();
        let a = ping.await.unwrap();
        // Dropping the owned write half shut down b's write side: a reads end of stream.
        drop(b_write);
        let mut a = a;
        let mut rest = Vec::new();
        a.read_to_end(&mut rest).await.unwrap();
        assert!(rest.is_empty());
        drop(b_read);
    });
}

#[test]
fn try_read_and_try_write_follow_readiness() {
    on_both(|| async {
        let (a, b) = UnixStream::pair().unwrap();
        let mut buf = [0; 8];
        assert_eq!(
            b.try_read(&mut buf).unwrap_err().kind(),
            io::ErrorKind::WouldBlock
        );
        a.writable().await.unwrap();
        assert_eq!(a.try_write(b"data").unwrap(), 4);
        b.readable().await.unwrap();
        assert_eq!(b.try_read(&mut buf).unwrap(), 4);
        assert_eq!(&buf[..4], b"data");
        let bufs = [io::IoSlice::new(b"ab"), io::IoSlice::new(b"cd")];
        a.writable().await.unwrap();
        assert_eq!(a.try_write_vectored(&bufs).unwrap(), 4);
        b.readable().await.unwrap();
        let (mut x, mut y) = ([0; 1], [0; 3]);
        let n = b
            .try_read_vectored(&mut [io::IoSliceMut::new(&mut x), io::IoSliceMut::new(&mut y)])
            .unwrap();
        assert_eq!((n, &x, &y), (4, b"a", b"bcd"));
    });
}

#[test]
fn connecting_to_nothing_fails() {
    on_both(|| async {
        let path = SocketPath::new();
        let err = UnixStream::connect(&path.0).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound, "{err}");
        // A socket file nobody listens on any more.
        drop(UnixListener::bind(&path.0).unwrap());
        let err = UnixStream::connect(&path.0).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused, "{err}");
    });
}

#[test]
fn std_streams_and_listeners_convert_both_ways() {
    on_both(|| async {
        let path = SocketPath::new();
        let listener =
            UnixListener::from_std(std::os::unix::net::UnixListener::bind(&path.0).unwrap())
                .unwrap();
        let client =
            UnixStream::from_std(std::os::unix::net::UnixStream::connect(&path.0).unwrap())
                .unwrap();
        let (server, _) = listener.accept().await.unwrap();
        let mut std_server = server.into_std().unwrap();
        std_server.set_nonblocking(false).unwrap();
        let mut client = client;
        client.write_all(b"std").await.unwrap();
        let mut buf = [0; 3];
        std::io::Read::read_exact(&mut std_server, &mut buf).unwrap();
        assert_eq!(&buf, b"std");
        let std_listener = listener.into_std().unwrap();
        assert_eq!(
            std_listener.local_addr().unwrap().as_pathname(),
            Some(path.0.as_path())
        );
    });
}
