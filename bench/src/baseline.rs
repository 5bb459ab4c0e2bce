//! The baseline: a minimal axum server answering `GET /customers/{id}` with fixed bytes from
//! memory, run as a separate process so that it gets the same treatment as Fieldwork.

use std::path::Path;

use bytes::Bytes;
use hyper::header::CONTENT_TYPE;

pub fn baseline_server(listen: &str, body_file: &Path) -> anyhow::Result<()> {
    use axum::extract::Path as P;
    let body = Bytes::from(std::fs::read(body_file)?);
    // Same runtime shape as `fieldwork serve`: the default multi-threaded runtime.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let app = axum::Router::new().route(
            "/customers/{id}",
            axum::routing::get(move |P(_id): P<String>| {
                let body = body.clone();
                async move { ([(CONTENT_TYPE, "application/json")], body) }
            }),
        );
        let listener = tokio::net::TcpListener::bind(listen).await?;
        println!("Base URL: http://{}", listener.local_addr()?);
        axum::serve(listener, app).await?;
        Ok(())
    })
}
