//! Names and address forms: `lookup_host`, and connecting and binding through every
//! `ToSocketAddrs` form, including host names resolved on the blocking pool.

mod io_support;

use io_support::on_both;
use kairos::net::{lookup_host, TcpListener, TcpStream};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, SocketAddrV4};

#[test]
fn lookup_host_resolves_names_and_literals() {
    on_both(|| async {
        let addrs: Vec<SocketAddr> = lookup_host("localhost:4321").await.unwrap().collect();
        assert!(!addrs.is_empty());
        assert!(addrs
            .iter()
            .all(|a| a.port() == 4321 && a.ip().is_loopback()));
        let literal: Vec<_> = lookup_host("127.0.0.1:80").await.unwrap().collect();
        assert_eq!(literal, ["127.0.0.1:80".parse::<SocketAddr>().unwrap()]);
        let pair: Vec<_> = lookup_host(("localhost", 99)).await.unwrap().collect();
        assert!(pair.iter().all(|a| a.port() == 99));
    });
}

#[test]
fn unresolvable_names_are_errors() {
    on_both(|| async {
        // `.invalid` never resolves (RFC 2606), and the machine may have no network.
        assert!(lookup_host("no-such-host.invalid:80").await.is_err());
        assert!(lookup_host("missing a port").await.is_err());
        let err = TcpStream::connect("no-such-host.invalid:1")
            .await
            .unwrap_err();
        let _ = err.to_string();
    });
}

#[test]
fn every_address_form_connects() {
    on_both(|| async {
        let listener = TcpListener::bind(("localhost", 0)).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let port = addr.port();
        let v4 = SocketAddrV4::new(Ipv4Addr::LOCALHOST, port);
        let streams = [
            TcpStream::connect(addr).await,
            TcpStream::connect(v4).await,
            TcpStream::connect((IpAddr::V4(Ipv4Addr::LOCALHOST), port)).await,
            TcpStream::connect((Ipv4Addr::LOCALHOST, port)).await,
            TcpStream::connect(format!("127.0.0.1:{port}")).await,
            TcpStream::connect(&[addr][..]).await,
            TcpStream::connect(vec![addr]).await,
            TcpStream::connect([addr]).await,
            TcpStream::connect((String::from("127.0.0.1"), port)).await,
        ];
        for stream in streams {
            assert_eq!(stream.unwrap().peer_addr().unwrap().port(), port);
        }
    });
}

#[test]
fn connect_tries_each_address_until_one_works() {
    on_both(|| async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let closed_addr = closed.local_addr().unwrap();
        drop(closed);
        let stream = TcpStream::connect(&[closed_addr, listener.local_addr().unwrap()][..])
            .await
            .unwrap();
        assert_eq!(stream.peer_addr().unwrap(), listener.local_addr().unwrap());
    });
}
