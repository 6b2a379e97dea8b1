//! `TcpSocket`: options set before connecting or listening, the listen backlog, and
//! connecting from a bound local address.

mod io_support;

use io_support::on_both;
use kairos::io::{AsyncReadExt, AsyncWriteExt};
use kairos::net::{TcpSocket, TcpStream};
use std::net::SocketAddr;
use std::time::Duration;

#[test]
fn options_round_trip() {
    on_both(|| async {
        let socket = TcpSocket::new_v4().unwrap();
        socket.set_reuseaddr(true).unwrap();
        assert!(socket.reuseaddr().unwrap());
        socket.set_reuseport(true).unwrap();
        assert!(socket.reuseport().unwrap());
        socket.set_send_buffer_size(64 * 1024).unwrap();
        assert!(socket.send_buffer_size().unwrap() >= 64 * 1024);
        socket.set_recv_buffer_size(64 * 1024).unwrap();
        assert!(socket.recv_buffer_size().unwrap() >= 64 * 1024);
        socket.set_keepalive(true).unwrap();
        assert!(socket.keepalive().unwrap());
        socket.set_nodelay(true).unwrap();
        assert!(socket.nodelay().unwrap());
        socket.set_linger(Some(Duration::from_secs(1))).unwrap();
        assert_eq!(socket.linger().unwrap(), Some(Duration::from_secs(1)));
        assert!(socket.take_error().unwrap().is_none());
    });
}

#[test]
fn two_listeners_share_a_port_with_reuseport() {
    on_both(|| async {
        let first = TcpSocket::new_v4().unwrap();
        first.set_reuseport(true).unwrap();
        first.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = first.local_addr().unwrap();
        let second = TcpSocket::new_v4().unwrap();
        second.set_reuseport(true).unwrap();
        second.bind(addr).unwrap();
        let first = first.listen(16).unwrap();
        let second = second.listen(16).unwrap();
        assert_eq!(first.local_addr().unwrap(), second.local_addr().unwrap());
        // Connections land on one of the two.
        let client = TcpStream::connect(addr).await.unwrap();
        let accepted = futures::future::select(Box::pin(first.accept()), Box::pin(second.accept()))
            .await
            .factor_first()
            .0
            .unwrap();
        assert_eq!(accepted.1, client.local_addr().unwrap());
    });
}

#[test]
fn connect_from_a_bound_address_and_listen_with_a_backlog() {
    on_both(|| async {
        let server = TcpSocket::new_v4().unwrap();
        server.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let listener = server.listen(2).unwrap();
        let addr = listener.local_addr().unwrap();

        let client = TcpSocket::new_v4().unwrap();
        client.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let from: SocketAddr = client.local_addr().unwrap();
        let mut stream = client.connect(addr).await.unwrap();
        assert_eq!(stream.local_addr().unwrap(), from);
        let (mut accepted, peer) = listener.accept().await.unwrap();
        assert_eq!(peer, from);
        stream.write_all(b"hi").await.unwrap();
        let mut buf = [0; 2];
        accepted.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"hi");
    });
}

#[test]
fn from_std_stream_keeps_the_connection() {
    on_both(|| async {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let std_stream = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let socket = TcpSocket::from_std_stream(std_stream).unwrap();
        socket.set_nodelay(true).unwrap();
        assert!(socket.nodelay().unwrap());
        assert_eq!(
            socket.local_addr().unwrap().ip(),
            listener.local_addr().unwrap().ip()
        );
    });
}

#[test]
fn ipv6_sockets_work_where_the_loopback_has_ipv6() {
    on_both(|| async {
        let socket = TcpSocket::new_v6().unwrap();
        match socket.bind("[::1]:0".parse().unwrap()) {
            Ok(()) => {}
            // A sandbox without IPv6 on its loopback: nothing more to test.
            Err(err) if err.kind() == std::io::ErrorKind::AddrNotAvailable => return,
            Err(err) => panic!("{err}"),
        }
        let listener = socket.listen(8).unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (mut server, _) = listener.accept().await.unwrap();
        client.write_all(b"v6").await.unwrap();
        let mut buf = [0; 2];
        server.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"v6");
    });
}
