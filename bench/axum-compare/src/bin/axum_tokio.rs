//! axum on tokio, the way axum's documentation serves it.

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(axum_compare::address()).await?;
    println!("axum on tokio: http://{}/json", listener.local_addr()?);
    axum::serve(listener, axum_compare::router()).await
}
