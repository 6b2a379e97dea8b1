//! TCP failures: a refused connect, a reset connection, a runtime without I/O, and
//! sockets that outlive their runtime.

mod io_support;

use io_support::{on_both, tcp_pair};
use kairos::io::{AsyncReadExt, AsyncWriteExt};
use kairos::net::{TcpListener, TcpStream, UdpSocket, UnixStream};
use kairos::runtime::Builder;
use std::io;
use std::time::Duration;

#[test]
fn connecting_to_a_closed_port_is_refused() {
    on_both(|| async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let err = TcpStream::connect(addr).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused, "{err}");
    });
}

#[test]
fn reading_a_reset_connection_is_an_error_not_a_hang() {
    on_both(|| async {
        let (mut client, server) = tcp_pair().await;
        // Linger zero: closing sends a reset instead of a FIN.
        server.set_linger(Some(Duration::ZERO)).unwrap();
        drop(server);
        let mut buf = [0; 16];
        let err = client.read(&mut buf).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::ConnectionReset, "{err}");
    });
}

#[test]
fn writing_to_a_reset_connection_fails() {
    on_both(|| async {
        let (mut client, server) = tcp_pair().await;
        server.set_linger(Some(Duration::ZERO)).unwrap();
        drop(server);
        client.readable().await.unwrap();
        let chunk = [0u8; 64 * 1024];
        let err = loop {
            if let Err(err) = client.write_all(&chunk).await {
                break err;
            }
        };
        assert!(
            matches!(
                err.kind(),
                io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe
            ),
            "{err}"
        );
    });
}

#[test]
fn binding_a_used_address_fails_with_addr_in_use() {
    on_both(|| async {
        let first = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let err = TcpListener::bind(first.local_addr().unwrap())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AddrInUse, "{err}");
    });
}

#[test]
fn sockets_on_a_runtime_without_io_name_enable_io() {
    let rt = Builder::new_current_thread().build().unwrap();
    rt.block_on(async {
        let errors = [
            TcpListener::bind("127.0.0.1:0").await.unwrap_err(),
            UdpSocket::bind("127.0.0.1:0").await.unwrap_err(),
            UnixStream::pair().unwrap_err(),
            TcpStream::from_std(
                std::net::TcpStream::connect(
                    std::net::TcpListener::bind("127.0.0.1:0")
                        .unwrap()
                        .local_addr()
                        .unwrap(),
                )
                .unwrap(),
            )
            .unwrap_err(),
        ];
        for err in errors {
            assert!(err.to_string().contains("enable_io"), "{err}");
        }
    });
}

#[test]
fn sockets_outside_a_runtime_say_so() {
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let err = TcpListener::from_std(std_listener).unwrap_err();
    assert!(err.to_string().contains("runtime"), "{err}");
}

#[test]
fn a_socket_that_outlives_its_runtime_fails_instead_of_hanging() {
    let rt = io_support::current_thread();
    let (mut client, server) = rt.block_on(tcp_pair());
    drop(rt);
    let other = io_support::current_thread();
    let err = other.block_on(async {
        let mut buf = [0; 4];
        client.read(&mut buf).await.unwrap_err()
    });
    assert!(err.to_string().contains("shut down"), "{err}");
    // Dropping the sockets after the runtime is gone is fine.
    drop((client, server));
}

#[test]
fn writes_after_close_fail() {
    on_both(|| async {
        let (mut client, _server) = tcp_pair().await;
        client.close().await.unwrap();
        let err = client.write_all(b"too late").await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::BrokenPipe, "{err}");
    });
}
