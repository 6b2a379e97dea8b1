//! The measured alternative (`Builder::dedicated_driver_thread`, see docs/DESIGN.md,
//! "Driver") still serves sockets and timers, and shuts down cleanly.

use kairos::io::{AsyncReadExt, AsyncWriteExt};
use kairos::net::{TcpListener, TcpStream};
use kairos::time::{sleep, Duration, Instant};

#[test]
fn a_dedicated_driver_thread_serves_io_and_timers() {
    let rt = kairos::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .dedicated_driver_thread(true)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = kairos::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut buf = [0; 4];
            socket.read_exact(&mut buf).await.unwrap();
            socket.write_all(&buf).await.unwrap();
        });
        let mut client = TcpStream::connect(addr).await.unwrap();
        client.write_all(b"ping").await.unwrap();
        let mut buf = [0; 4];
        client.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"ping");
        server.await.unwrap();
        let start = Instant::now();
        kairos::spawn(sleep(Duration::from_millis(2)))
            .await
            .unwrap();
        assert!(start.elapsed() >= Duration::from_millis(2));
    });
    drop(rt);
}
