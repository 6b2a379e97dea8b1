//! The echo example (`examples/echo.rs`) served to 1,000 concurrent clients, on both
//! schedulers, every byte checked.

mod io_support;

#[allow(dead_code)] // the example's `main`
#[path = "../examples/echo.rs"]
mod echo;

use io_support::on_both;
use kairos::io::{AsyncReadExt, AsyncWriteExt};
use kairos::net::{TcpListener, TcpStream};

const CLIENTS: usize = 1_000;
const BYTES_PER_CLIENT: usize = 16 * 1024;

/// Two descriptors per connection (client and server side) plus the runtime's own.
fn raise_descriptor_limit() {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid out-pointer.
    let got = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
    assert_eq!(got, 0);
    let wanted = (4 * CLIENTS as libc::rlim_t).min(limit.rlim_max);
    if limit.rlim_cur < wanted {
        limit.rlim_cur = wanted;
        // SAFETY: `limit` is a valid, initialized in-pointer.
        let set = unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) };
        assert_eq!(set, 0, "cannot raise RLIMIT_NOFILE to {wanted}");
    }
}

/// The bytes client `id` sends: distinct per client, so crossed wires are caught.
fn payload(id: usize) -> Vec<u8> {
    (0..BYTES_PER_CLIENT)
        .map(|i| (i.wrapping_mul(7) ^ id.wrapping_mul(131)) as u8)
        .collect()
}

async fn client(addr: std::net::SocketAddr, id: usize) {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let sent = payload(id);
    let to_send = sent.clone();
    let sender = kairos::spawn(async move {
        // Uneven pieces, so the server sees writes of every size.
        for piece in to_send.chunks(1000 + id % 3000) {
            writer.write_all(piece).await.unwrap();
        }
        writer.close().await.unwrap();
    });
    let mut echoed = Vec::with_capacity(BYTES_PER_CLIENT);
    reader.read_to_end(&mut echoed).await.unwrap();
    sender.await.unwrap();
    assert!(echoed == sent, "client {id} got back different bytes");
}

#[test]
fn the_echo_example_serves_a_thousand_concurrent_clients() {
    raise_descriptor_limit();
    on_both(|| async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = kairos::spawn(echo::serve(listener, Some(CLIENTS)));
        let clients: Vec<_> = (0..CLIENTS)
            .map(|id| kairos::spawn(client(addr, id)))
            .collect();
        for task in clients {
            task.await.unwrap();
        }
        server.await.unwrap().unwrap();
        eprintln!(
            "{CLIENTS} clients x {BYTES_PER_CLIENT} bytes echoed and checked ({} MiB each way)",
            (CLIENTS * BYTES_PER_CLIENT) >> 20
        );
    });
}
