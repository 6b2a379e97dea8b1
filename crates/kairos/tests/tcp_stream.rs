//! TCP streams on loopback: bytes both ways, halves, readiness and `try_*`, vectored
//! I/O, peeking, options, conversions, and a read future dropped with bytes waiting.

mod io_support;

use io_support::{on_both, tcp_pair};
use kairos::io::{AsyncReadExt, AsyncWriteExt, Interest};
use kairos::net::{TcpListener, TcpStream};
use std::future::Future;
use std::io::{self, IoSlice, IoSliceMut};
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

#[test]
fn a_megabyte_echoes_through_owned_halves() {
    on_both(|| async {
        let (client, server) = tcp_pair().await;
        let echo = kairos::spawn(async move {
            let (mut reader, mut writer) = server.into_split();
            let copied = kairos::io::copy(&mut reader, &mut writer).await.unwrap();
            writer.close().await.unwrap();
            copied
        });
        let data = pattern(1 << 20);
        let (mut reader, mut writer) = client.into_split();
        let sent = data.clone();
        let sender = kairos::spawn(async move {
            writer.write_all(&sent).await.unwrap();
            writer.close().await.unwrap();
        });
        let mut received = Vec::new();
        reader.read_to_end(&mut received).await.unwrap();
        sender.await.unwrap();
        assert_eq!(echo.await.unwrap(), data.len() as u64);
        assert!(received == data, "echoed bytes differ");
    });
}

#[test]
fn borrowed_halves_read_and_write_at_once() {
    on_both(|| async {
        let (mut client, mut server) = tcp_pair().await;
        let data = pattern(256 * 1024);
        // `TcpStream::split` by path: `AsyncReadExt::split` (by value) would win method
        // resolution.
        let (mut read_half, mut write_half) = TcpStream::split(&mut client);
        let writing = write_half.write_all(&data);
        let mut back = vec![0; data.len()];
        let server_echo = async {
            let (mut reader, mut writer) = TcpStream::split(&mut server);
            kairos::io::copy(&mut (&mut reader).take(data.len() as u64), &mut writer)
                .await
                .unwrap();
        };
        let reading = read_half.read_exact(&mut back);
        let (written, (), read) = futures::join!(writing, server_echo, reading);
        written.unwrap();
        read.unwrap();
        assert!(back == data);
    });
}

#[test]
fn try_read_and_try_write_follow_readiness() {
    on_both(|| async {
        let (client, server) = tcp_pair().await;
        assert_eq!(server.peer_addr().unwrap(), client.local_addr().unwrap());
        let ready = client.ready(Interest::WRITABLE).await.unwrap();
        assert!(ready.is_writable());
        client.writable().await.unwrap();
        assert_eq!(client.try_write(b"ping").unwrap(), 4);
        let mut buf = [0; 16];
        let n = loop {
            server.readable().await.unwrap();
            match server.try_read(&mut buf) {
                Ok(n) => break n,
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => continue,
                Err(err) => panic!("{err}"),
            }
        };
        assert_eq!(&buf[..n], b"ping");
        // Drained: the short read cleared readiness, so this fails without waiting.
        let err = server.try_read(&mut buf).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
        // A custom operation that finds nothing clears readiness too; new data sets it
        // again.
        client.try_write(b"more").unwrap();
        server.readable().await.unwrap();
        let err = server
            .try_io(Interest::READABLE, || -> io::Result<()> {
                Err(io::ErrorKind::WouldBlock.into())
            })
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
        assert_eq!(
            server.try_read(&mut buf).unwrap_err().kind(),
            io::ErrorKind::WouldBlock,
            "readiness was cleared, so the bytes wait for the next event"
        );
        client.try_write(b"!").unwrap();
        server.readable().await.unwrap();
        let n = server.try_read(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"more!");
    });
}

#[test]
fn vectored_writes_and_reads_move_every_slice() {
    on_both(|| async {
        let (mut client, mut server) = tcp_pair().await;
        let slices = [
            IoSlice::new(b"one "),
            IoSlice::new(b"two "),
            IoSlice::new(b"three"),
        ];
        let mut written = 0;
        while written < 13 {
            // Loopback takes all 13 bytes at once in practice; the loop only keeps the
            // test honest if it does not.
            let n = client.write_vectored(&slices).await.unwrap();
            assert!(n > 0);
            written += n;
            if n < 13 {
                client.write_all(&b"one two three"[n..]).await.unwrap();
                written = 13;
            }
        }
        client.close().await.unwrap();
        let (mut a, mut b) = ([0; 4], [0; 32]);
        let mut got = Vec::new();
        loop {
            let mut bufs = [IoSliceMut::new(&mut a), IoSliceMut::new(&mut b)];
            let n = server.read_vectored(&mut bufs).await.unwrap();
            if n == 0 {
                break;
            }
            got.extend_from_slice(&a[..n.min(4)]);
            if n > 4 {
                got.extend_from_slice(&b[..n - 4]);
            }
        }
        assert_eq!(got, b"one two three");
    });
}

#[test]
fn peek_leaves_the_bytes_for_the_next_read() {
    on_both(|| async {
        let (mut client, mut server) = tcp_pair().await;
        client.write_all(b"hello world").await.unwrap();
        let mut peeked = [0; 5];
        let n = server.peek(&mut peeked).await.unwrap();
        assert_eq!(&peeked[..n], &b"hello"[..n]);
        let mut all = [0; 11];
        server.read_exact(&mut all).await.unwrap();
        assert_eq!(&all, b"hello world");
    });
}

#[test]
fn a_dropped_read_future_loses_no_bytes() {
    on_both(|| async {
        let (mut client, mut server) = tcp_pair().await;
        let mut buf = [0; 64];
        {
            // Poll a read once: nothing is there yet, so it registers and waits.
            let mut read = pin!(server.read(&mut buf));
            let first = read.as_mut().poll(&mut Context::from_waker(Waker::noop()));
            assert!(first.is_pending());
            client.write_all(b"precious").await.unwrap();
            // Dropped here without being polled again, with the bytes in the kernel.
        }
        server.readable().await.unwrap();
        let n = server.read(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"precious");
    });
}

#[test]
fn closing_the_write_half_is_end_of_stream_for_the_peer_only() {
    on_both(|| async {
        let (mut client, mut server) = tcp_pair().await;
        client.write_all(b"last words").await.unwrap();
        client.close().await.unwrap();
        let mut got = Vec::new();
        server.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, b"last words");
        // The other direction still works after the half-close.
        server.write_all(b"reply").await.unwrap();
        drop(server);
        let mut reply = Vec::new();
        client.read_to_end(&mut reply).await.unwrap();
        assert_eq!(reply, b"reply");
    });
}

#[test]
fn halves_reunite_only_with_their_own_stream() {
    on_both(|| async {
        let (a, b) = tcp_pair().await;
        let (a_read, a_write) = a.into_split();
        let (b_read, b_write) = b.into_split();
        let err = a_read.reunite(b_write).unwrap_err();
        let (a_read, b_write) = (err.0, err.1);
        let a = a_read.reunite(a_write).unwrap();
        let b = b_write.reunite(b_read).unwrap();
        // The reunited streams still talk to each other.
        let (mut a, mut b) = (a, b);
        a.write_all(b"ok").await.unwrap();
        let mut buf = [0; 2];
        b.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"ok");
    });
}

#[test]
fn socket_options_round_trip() {
    on_both(|| async {
        let (client, _server) = tcp_pair().await;
        client.set_nodelay(true).unwrap();
        assert!(client.nodelay().unwrap());
        client.set_ttl(42).unwrap();
        assert_eq!(client.ttl().unwrap(), 42);
        client.set_linger(Some(Duration::from_secs(3))).unwrap();
        assert_eq!(client.linger().unwrap(), Some(Duration::from_secs(3)));
        assert!(client.take_error().unwrap().is_none());
    });
}

#[test]
fn std_streams_convert_both_ways() {
    on_both(|| async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let std_listener = listener.into_std().unwrap();
        let addr = std_listener.local_addr().unwrap();
        let listener = TcpListener::from_std(std_listener).unwrap();
        let std_client = std::net::TcpStream::connect(addr).unwrap();
        let mut client = TcpStream::from_std(std_client).unwrap();
        let (server, _) = listener.accept().await.unwrap();
        let mut std_server = server.into_std().unwrap();
        std_server.set_nonblocking(false).unwrap();
        client.write_all(b"to std").await.unwrap();
        let mut buf = [0; 6];
        std::io::Read::read_exact(&mut std_server, &mut buf).unwrap();
        assert_eq!(&buf, b"to std");
    });
}

#[test]
fn poll_accept_and_hundreds_of_concurrent_connections() {
    on_both(|| async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let clients: Vec<_> = (0..200u32)
            .map(|i| {
                kairos::spawn(async move {
                    let mut stream = TcpStream::connect(addr).await.unwrap();
                    stream.write_all(&i.to_be_bytes()).await.unwrap();
                    let mut back = [0; 4];
                    stream.read_exact(&mut back).await.unwrap();
                    assert_eq!(u32::from_be_bytes(back), i + 1);
                })
            })
            .collect();
        for _ in 0..200 {
            let (mut stream, _) = std::future::poll_fn(|cx| match listener.poll_accept(cx) {
                Poll::Ready(result) => Poll::Ready(result),
                Poll::Pending => Poll::Pending,
            })
            .await
            .unwrap();
            kairos::spawn(async move {
                let mut buf = [0; 4];
                stream.read_exact(&mut buf).await.unwrap();
                let reply = u32::from_be_bytes(buf) + 1;
                stream.write_all(&reply.to_be_bytes()).await.unwrap();
            });
        }
        for client in clients {
            client.await.unwrap();
        }
    });
}
