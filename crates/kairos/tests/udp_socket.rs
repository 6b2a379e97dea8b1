//! UDP on loopback: addressed and connected datagrams, peeking, non-blocking operations,
//! a socket shared by tasks, errors reported by the network, options.

mod io_support;

use io_support::on_both;
use kairos::io::Interest;
use kairos::net::UdpSocket;
use std::io;
use std::net::Ipv4Addr;
use std::sync::Arc;

async fn bind() -> UdpSocket {
    UdpSocket::bind("127.0.0.1:0").await.unwrap()
}

#[test]
fn send_to_and_recv_from_carry_datagrams_and_sources() {
    on_both(|| async {
        let (a, b) = (bind().await, bind().await);
        let b_addr = b.local_addr().unwrap();
        assert_eq!(a.send_to(b"first", b_addr).await.unwrap(), 5);
        assert_eq!(
            a.send_to(b"second", ("127.0.0.1", b_addr.port()))
                .await
                .unwrap(),
            6
        );
        let mut buf = [0; 64];
        let (n, from) = b.recv_from(&mut buf).await.unwrap();
        assert_eq!((&buf[..n], from), (&b"first"[..], a.local_addr().unwrap()));
        let (n, _) = b.recv_from(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"second");
    });
}

#[test]
fn connected_sockets_send_and_recv() {
    on_both(|| async {
        let (a, b, stranger) = (bind().await, bind().await, bind().await);
        a.connect(b.local_addr().unwrap()).await.unwrap();
        b.connect(a.local_addr().unwrap()).await.unwrap();
        assert_eq!(a.peer_addr().unwrap(), b.local_addr().unwrap());
        // A connected socket drops datagrams from other sources.
        stranger
            .send_to(b"noise", a.local_addr().unwrap())
            .await
            .unwrap();
        b.send(b"signal").await.unwrap();
        let mut buf = [0; 16];
        let n = a.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"signal");
    });
}

#[test]
fn peek_from_leaves_the_datagram_queued() {
    on_both(|| async {
        let (a, b) = (bind().await, bind().await);
        a.send_to(b"peekaboo", b.local_addr().unwrap())
            .await
            .unwrap();
        let mut buf = [0; 16];
        let (n, from) = b.peek_from(&mut buf).await.unwrap();
        assert_eq!(
            (&buf[..n], from),
            (&b"peekaboo"[..], a.local_addr().unwrap())
        );
        let (n, _) = b.recv_from(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"peekaboo");
    });
}

#[test]
fn try_operations_follow_readiness() {
    on_both(|| async {
        let (a, b) = (bind().await, bind().await);
        a.connect(b.local_addr().unwrap()).await.unwrap();
        let mut buf = [0; 16];
        assert_eq!(
            b.try_recv_from(&mut buf).unwrap_err().kind(),
            io::ErrorKind::WouldBlock
        );
        a.writable().await.unwrap();
        a.try_send(b"quick").unwrap();
        a.try_send_to(b"direct", b.local_addr().unwrap()).unwrap();
        let mut got = Vec::new();
        while got.len() < 2 {
            let ready = b.ready(Interest::READABLE).await.unwrap();
            assert!(ready.is_readable());
            match b.try_recv_from(&mut buf) {
                Ok((n, _)) => got.push(buf[..n].to_vec()),
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => {}
                Err(err) => panic!("{err}"),
            }
        }
        assert_eq!(got, [b"quick".to_vec(), b"direct".to_vec()]);
    });
}

#[test]
fn a_shared_socket_receives_in_one_task_and_sends_in_another() {
    on_both(|| async {
        let server = Arc::new(bind().await);
        let client = bind().await;
        client.connect(server.local_addr().unwrap()).await.unwrap();
        let (tx, rx) = futures::channel::mpsc::unbounded::<(Vec<u8>, std::net::SocketAddr)>();
        let receiver = {
            let server = server.clone();
            kairos::spawn(async move {
                let mut buf = [0; 64];
                for _ in 0..100 {
                    let (n, from) = server.recv_from(&mut buf).await.unwrap();
                    tx.unbounded_send((buf[..n].to_vec(), from)).unwrap();
                }
            })
        };
        let sender = kairos::spawn(async move {
            use futures::StreamExt;
            let mut rx = rx;
            while let Some((datagram, to)) = rx.next().await {
                server.send_to(&datagram, to).await.unwrap();
            }
        });
        // One datagram in flight at a time, so none is dropped by a full buffer.
        let mut buf = [0; 64];
        for i in 0..100u32 {
            client.send(&i.to_be_bytes()).await.unwrap();
            let n = client.recv(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], i.to_be_bytes());
        }
        receiver.await.unwrap();
        sender.await.unwrap();
    });
}

#[test]
fn a_closed_port_reports_connection_refused_on_a_connected_socket() {
    on_both(|| async {
        let (a, gone) = (bind().await, bind().await);
        let gone_addr = gone.local_addr().unwrap();
        drop(gone);
        a.connect(gone_addr).await.unwrap();
        a.send(b"anyone?").await.unwrap();
        let mut buf = [0; 8];
        let err = a.recv(&mut buf).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused, "{err}");
    });
}

#[test]
fn broadcast_and_multicast_options_round_trip() {
    on_both(|| async {
        let socket = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        socket.set_broadcast(true).unwrap();
        assert!(socket.broadcast().unwrap());
        socket.set_multicast_loop_v4(false).unwrap();
        assert!(!socket.multicast_loop_v4().unwrap());
        socket.set_multicast_ttl_v4(4).unwrap();
        assert_eq!(socket.multicast_ttl_v4().unwrap(), 4);
        socket.set_ttl(17).unwrap();
        assert_eq!(socket.ttl().unwrap(), 17);
        assert!(socket.take_error().unwrap().is_none());
    });
}

#[test]
fn multicast_datagrams_loop_back_to_a_group_member() {
    on_both(|| async {
        let group = Ipv4Addr::new(239, 255, 42, 99);
        let receiver = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        receiver
            .join_multicast_v4(group, Ipv4Addr::LOCALHOST)
            .unwrap();
        let port = receiver.local_addr().unwrap().port();
        let sender = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        socket2::SockRef::from(&sender)
            .set_multicast_if_v4(&Ipv4Addr::LOCALHOST)
            .unwrap();
        sender.set_multicast_loop_v4(true).unwrap();
        sender.send_to(b"to the group", (group, port)).unwrap();
        let mut buf = [0; 32];
        let (n, _) = receiver.recv_from(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"to the group");
        receiver
            .leave_multicast_v4(group, Ipv4Addr::LOCALHOST)
            .unwrap();
    });
}

#[test]
fn std_sockets_convert_both_ways() {
    on_both(|| async {
        let socket =
            UdpSocket::from_std(std::net::UdpSocket::bind("127.0.0.1:0").unwrap()).unwrap();
        let addr = socket.local_addr().unwrap();
        let std_socket = socket.into_std().unwrap();
        assert_eq!(std_socket.local_addr().unwrap(), addr);
    });
}
