//! Graceful shutdown under load, in real time on real sockets: with 100 slow requests in
//! flight (each handler sleeps 300 ms), one request whose handler never ends, and 1,000
//! idle keep-alive connections, `Handle::shutdown(grace)`
//! - lets every slow request finish with its full response (and `Connection: close`),
//! - closes every idle connection within 100 ms,
//! - cuts the never-ending request at the grace deadline, and
//! - `serve` returns then.

mod support;

use http::{Request, Response};
use kairos::io::AsyncReadExt;
use kairos_http::server::Server;
use kairos_http::Body;
use kairos_service::service_fn;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::RawClient;

const SLOW: usize = 100;
const IDLE: usize = 1000;
const NAP: Duration = Duration::from_millis(300);
const GRACE: Duration = Duration::from_secs(1);

#[test]
fn shutdown_finishes_slow_requests_closes_idle_ones_and_cuts_the_endless_one() {
    assert!(support::raise_fd_limit() >= 2 * (IDLE + SLOW) as u64 + 256);
    let started = Arc::new(AtomicUsize::new(0));
    let runtime = kairos::runtime::Runtime::new().unwrap();
    let (addr, handle, serving) = runtime.block_on({
        let started = started.clone();
        async move {
            let server = Server::bind("127.0.0.1:0").await.unwrap();
            let (addr, handle) = (server.local_addr(), server.handle());
            let serving = kairos::spawn(server.serve(service_fn(move |req: Request<Body>| {
                let started = started.clone();
                async move {
                    let path = req.uri().path().to_owned();
                    if path != "/" {
                        started.fetch_add(1, Ordering::AcqRel);
                    }
                    match path.as_str() {
                        "/nap" => kairos::time::sleep(NAP).await,
                        "/forever" => std::future::pending::<()>().await,
                        _ => {}
                    }
                    Ok::<_, std::convert::Infallible>(Response::new(Body::from(path)))
                }
            })));
            (addr, handle, serving)
        }
    });

    support::client_runtime().block_on(async move {
        // Idle connections: one request each, then nothing.
        let mut idle = Vec::with_capacity(IDLE);
        for _ in 0..IDLE {
            idle.push(support::kept_alive(addr).await);
        }
        let mut slow = Vec::with_capacity(SLOW);
        for _ in 0..SLOW {
            let mut client = RawClient::connect(addr).await;
            client.send(b"GET /nap HTTP/1.1\r\nHost: x\r\n\r\n").await;
            slow.push(client);
        }
        let mut endless = RawClient::connect(addr).await;
        endless
            .send(b"GET /forever HTTP/1.1\r\nHost: x\r\n\r\n")
            .await;
        // Every handler has started (a condition, polled; not a guess at a duration).
        while started.load(Ordering::Acquire) < SLOW + 1 {
            kairos::time::sleep(Duration::from_millis(1)).await;
        }

        let idle_tasks: Vec<_> = idle
            .into_iter()
            .map(|mut client| {
                kairos::spawn(async move {
                    let mut rest = Vec::new();
                    let _ = client.reader.read_to_end(&mut rest).await;
                    (Instant::now(), rest)
                })
            })
            .collect();
        let slow_tasks: Vec<_> = slow
            .into_iter()
            .map(|mut client| {
                kairos::spawn(async move {
                    let res = client.response().await;
                    (res, client.is_closed().await)
                })
            })
            .collect();
        let endless_task = kairos::spawn(async move {
            let mut rest = Vec::new();
            let _ = endless.reader.read_to_end(&mut rest).await;
            (Instant::now(), rest)
        });

        let shutdown_at = Instant::now();
        handle.shutdown(GRACE);

        let mut idle_closes = Vec::with_capacity(IDLE);
        for task in idle_tasks {
            let (closed_at, rest) = task.await.unwrap();
            assert!(rest.is_empty(), "an idle connection got {rest:?}");
            idle_closes.push(closed_at - shutdown_at);
        }
        for task in slow_tasks {
            let (res, closed) = task.await.unwrap();
            let res = res.expect("a slow request lost its response");
            assert_eq!((res.status, res.text().as_str()), (200, "/nap"));
            assert_eq!(res.header("connection"), Some("close"));
            assert!(closed, "a finished request's connection stayed open");
        }
        let (cut_at, rest) = endless_task.await.unwrap();
        let cut_after = cut_at - shutdown_at;
        assert!(rest.is_empty(), "the endless request got {rest:?}");
        assert!(
            cut_after >= GRACE && cut_after < GRACE + Duration::from_millis(200),
            "the endless request was cut after {cut_after:?}"
        );
        let slowest_idle = *idle_closes.iter().max().unwrap();
        assert!(
            slowest_idle < Duration::from_millis(100),
            "an idle connection closed {slowest_idle:?} after the shutdown"
        );
        println!(
            "{IDLE} idle closed within {slowest_idle:?} (median {:?}); {SLOW} slow requests \
             answered; endless request cut after {cut_after:?}",
            support::quantile(&mut idle_closes, 0.5)
        );
    });
    let finished = runtime.block_on(serving).unwrap();
    assert!(finished.is_ok());
}
