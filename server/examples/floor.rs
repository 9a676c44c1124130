//! The floor for scripts/bench-server.sh: a bare hyper responder that
//! answers every request with a constant body, on the same runtime and
//! connection settings as the server, and nothing else.
//!
//! `cargo run --release -p aliyun-sg-egress-server --example floor`

#![forbid(unsafe_code)]

use std::convert::Infallible;

use bytes::Bytes;
use http_body_util::Full;
use hyper::Response;
use hyper_util::rt::TokioIo;

const BODY: &str = "<ModifySecurityGroupEgressRuleResponse><RequestId>473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E</RequestId></ModifySecurityGroupEgressRuleResponse>";

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let listen = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".into());
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    println!("listening on http://{}", listener.local_addr()?);
    loop {
        let (stream, _) = listener.accept().await?;
        let _ = stream.set_nodelay(true);
        tokio::spawn(async move {
            let service = hyper::service::service_fn(|_request| async {
                Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(
                    BODY.as_bytes(),
                ))))
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
