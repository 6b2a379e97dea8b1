//! axum on Kairos: a multi-thread Kairos runtime, hyper over Kairos sockets.

use hyper_util::service::TowerToHyperService;
use kairos_compat::HyperIo;

#[kairos::main]
async fn main() -> std::io::Result<()> {
    let listener = kairos::net::TcpListener::bind(axum_compare::address()).await?;
    println!("axum on kairos: http://{}/json", listener.local_addr()?);
    let service = TowerToHyperService::new(axum_compare::router());
    loop {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        let service = service.clone();
        kairos::spawn(async move {
            // No timer, as `axum::serve` on tokio: no header-read timeout on either side.
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(HyperIo::new(stream), service)
                .await;
        });
    }
}
