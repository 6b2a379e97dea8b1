//! The UDP echo example (`examples/udp_echo.rs`) answering several clients.

mod io_support;

#[allow(dead_code)] // the example's `main`
#[path = "../examples/udp_echo.rs"]
mod udp_echo;

use io_support::on_both;
use kairos::net::UdpSocket;

#[test]
fn the_udp_echo_example_answers_every_datagram() {
    on_both(|| async {
        let server = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let addr = server.local_addr().unwrap();
        let clients = 4;
        let per_client = 25;
        let serving =
            kairos::spawn(
                async move { udp_echo::serve(&server, Some(clients * per_client)).await },
            );
        let tasks: Vec<_> = (0..clients)
            .map(|c| {
                kairos::spawn(async move {
                    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
                    socket.connect(addr).await.unwrap();
                    let mut buf = [0; 64];
                    // One datagram in flight at a time: none is dropped.
                    for i in 0..per_client {
                        let message = format!("client {c} datagram {i}");
                        socket.send(message.as_bytes()).await.unwrap();
                        let n = socket.recv(&mut buf).await.unwrap();
                        assert_eq!(&buf[..n], message.as_bytes());
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        serving.await.unwrap().unwrap();
    });
}
