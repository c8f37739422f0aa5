//! The seed's first HTTP server, "Hello World": every request gets
//! `200 OK`, `Content-Type: text/plain` and the body `Hello World\n`.
//!
//! ```text
//! $ cargo run -p http-static --example hello       # or: just ch4-hello
//! listening on 127.0.0.1:3000
//! ```
//!
//! In a second terminal (or a browser at http://127.0.0.1:3000/):
//!
//! ```text
//! $ curl -i http://127.0.0.1:3000/anything
//! HTTP/1.1 200 OK
//! content-type: text/plain
//! content-length: 12
//!
//! Hello World
//! ```
//!
//! Node's `http.createServer(handler)` is hyper's `serve_connection(io,
//! service_fn(handler))`, once per accepted TCP connection; `res.statusCode`
//! and `res.setHeader` become fields of the `Response` the handler returns.

use std::convert::Infallible;
use std::process::ExitCode;

use bytes::Bytes;
use clap::Parser;
use common::cli::ListenArgs;
use http::header::{CONTENT_TYPE, HeaderValue};
use http::{Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;

/// Hello World over HTTP (chapter 4, the seed's first server).
#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    listen: ListenArgs<3000>,
}

// ANCHOR: hello
/// `(req, res) => { res.statusCode = 200; res.setHeader(…); res.end('Hello World\n') }`
async fn hello(_request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let mut response = Response::new(Full::new(Bytes::from("Hello World\n")));
    *response.status_mut() = StatusCode::OK; // the default; shown as in the seed
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    Ok(response)
}
// ANCHOR_END: hello

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    common::logging::init();
    // Ctrl-C ends the example with exit code 0, like the lesson's servers.
    let served = tokio::select! {
        served = serve(cli.listen) => served,
        () = common::shutdown::ctrl_c() => Ok(()),
    };
    common::exit::report("hello", served)
}

// ANCHOR: serve
/// `server.listen(port, hostname, callback)`, then one task per connection.
async fn serve(listen: ListenArgs<3000>) -> Result<(), Box<dyn std::error::Error>> {
    let listener = common::net::bind_tcp(listen.addr()).await?;
    common::net::announce_listening(listener.local_addr()?);
    loop {
        // (An accept error ends this example; src/server.rs logs and goes on.)
        let (stream, _peer) = listener.accept().await?;
        // hyper speaks HTTP/1.1 on the socket; `TokioIo` adapts tokio's
        // socket to hyper's I/O traits.
        let connection =
            http1::Builder::new().serve_connection(TokioIo::new(stream), service_fn(hello));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection failed");
            }
        });
    }
}
// ANCHOR_END: serve
