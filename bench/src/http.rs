//! One-off requests outside the load generator (sanity checks, the baseline's body).

use std::net::SocketAddr;

use anyhow::ensure;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HOST, HeaderValue};
use hyper::{Method, Request, StatusCode};

pub async fn request(
    addr: SocketAddr,
    method: Method,
    path: &str,
    auth: &HeaderValue,
    body: Option<Vec<u8>>,
) -> anyhow::Result<(StatusCode, Bytes)> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    let (mut s, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header(HOST, addr.to_string())
        .header(AUTHORIZATION, auth.clone());
    if body.is_some() {
        req = req.header(CONTENT_TYPE, "application/json");
    }
    let resp = s
        .send_request(req.body(Full::new(Bytes::from(body.unwrap_or_default())))?)
        .await?;
    let status = resp.status();
    Ok((status, resp.into_body().collect().await?.to_bytes()))
}

pub async fn get_json(
    addr: SocketAddr,
    path: &str,
    auth: &HeaderValue,
) -> anyhow::Result<serde_json::Value> {
    let (status, body) = request(addr, Method::GET, path, auth, None).await?;
    ensure!(
        status == StatusCode::OK,
        "GET {path}: {status}: {}",
        String::from_utf8_lossy(&body)
    );
    Ok(serde_json::from_slice(&body)?)
}
