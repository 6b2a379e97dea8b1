//! Unix domain datagrams: pairs, bound sockets addressed by path, unbound senders,
//! non-blocking operations.

mod io_support;

use io_support::on_both;
use kairos::net::UnixDatagram;
use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

fn socket_path() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let path = std::env::temp_dir().join(format!(
        "kairos-dgram-{}-{}.sock",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_file(&path);
    path
}

#[test]
fn pairs_keep_datagram_boundaries() {
    on_both(|| async {
        let (a, b) = UnixDatagram::pair().unwrap();
        a.send(b"one").await.unwrap();
        a.send(b"two two").await.unwrap();
        let mut buf = [0; 32];
        assert_eq!(b.recv(&mut buf).await.unwrap(), 3);
        assert_eq!(&buf[..3], b"one");
        assert_eq!(b.recv(&mut buf).await.unwrap(), 7);
        assert_eq!(&buf[..7], b"two two");
    });
}

#[test]
fn bound_sockets_exchange_datagrams_by_path() {
    on_both(|| async {
        let (server_path, client_path) = (socket_path(), socket_path());
        let server = UnixDatagram::bind(&server_path).unwrap();
        let client = UnixDatagram::bind(&client_path).unwrap();
        client.send_to(b"request", &server_path).await.unwrap();
        let mut buf = [0; 32];
        let (n, from) = server.recv_from(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"request");
        assert_eq!(from.as_pathname(), Some(client_path.as_path()));
        server
            .send_to(b"reply", from.as_pathname().unwrap())
            .await
            .unwrap();
        let n = client.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"reply");
        for path in [server_path, client_path] {
            std::fs::remove_file(path).unwrap();
        }
    });
}

#[test]
fn an_unbound_socket_sends_after_connect() {
    on_both(|| async {
        let path = socket_path();
        let server = UnixDatagram::bind(&path).unwrap();
        let client = UnixDatagram::unbound().unwrap();
        client.connect(&path).unwrap();
        assert_eq!(
            client.peer_addr().unwrap().as_pathname(),
            Some(path.as_path())
        );
        client.send(b"hello").await.unwrap();
        let mut buf = [0; 8];
        let (n, from) = server.recv_from(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"hello");
        assert!(from.is_unnamed());
        std::fs::remove_file(path).unwrap();
    });
}

#[test]
fn try_operations_follow_readiness() {
    on_both(|| async {
        let (a, b) = UnixDatagram::pair().unwrap();
        let mut buf = [0; 8];
        assert_eq!(
            b.try_recv(&mut buf).unwrap_err().kind(),
            io::ErrorKind::WouldBlock
        );
        a.writable().await.unwrap();
        a.try_send(b"now").unwrap();
        b.readable().await.unwrap();
        assert_eq!(b.try_recv(&mut buf).unwrap(), 3);
        assert_eq!(
            b.try_recv(&mut buf).unwrap_err().kind(),
            io::ErrorKind::WouldBlock
        );
        a.shutdown(std::net::Shutdown::Both).unwrap();
        let std_socket = b.into_std().unwrap();
        assert!(std_socket.local_addr().unwrap().is_unnamed());
    });
}
