//! `copy_bidirectional` as a TCP proxy: bytes both ways, half-closes passed through,
//! and the byte counts.

mod io_support;

use io_support::on_both;
use kairos::io::{AsyncReadExt, AsyncWriteExt};
use kairos::net::{TcpListener, TcpStream};

#[test]
fn a_proxy_relays_both_directions_and_reports_the_counts() {
    on_both(|| async {
        // The upstream: replies with the request reversed, then closes.
        let upstream = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let upstream_addr = upstream.local_addr().unwrap();
        kairos::spawn(async move {
            let (mut socket, _) = upstream.accept().await.unwrap();
            let mut request = Vec::new();
            socket.read_to_end(&mut request).await.unwrap();
            request.reverse();
            socket.write_all(&request).await.unwrap();
        });
        // The proxy.
        let proxy = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let proxy_addr = proxy.local_addr().unwrap();
        let relay = kairos::spawn(async move {
            let (mut client, _) = proxy.accept().await.unwrap();
            let mut server = TcpStream::connect(upstream_addr).await.unwrap();
            kairos::io::copy_bidirectional(&mut client, &mut server)
                .await
                .unwrap()
        });
        let request: Vec<u8> = (0..100_000u32).map(|i| (i % 253) as u8).collect();
        let mut client = TcpStream::connect(proxy_addr).await.unwrap();
        client.write_all(&request).await.unwrap();
        // The half-close travels through the proxy: upstream's read_to_end ends.
        client.close().await.unwrap();
        let mut reply = Vec::new();
        client.read_to_end(&mut reply).await.unwrap();
        let mut expected = request.clone();
        expected.reverse();
        assert!(reply == expected, "the reply is not the reversed request");
        let (up, down) = relay.await.unwrap();
        assert_eq!((up, down), (request.len() as u64, request.len() as u64));
    });
}
