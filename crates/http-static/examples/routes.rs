//! The seed's second step, "根据不同 url 处理不同请求": one server, several
//! pages, chosen by the request's URL.
//!
//! | request | answer |
//! |---|---|
//! | `GET /` | `Hello World!` |
//! | `GET /a` | `Hello a!` |
//! | `GET /b` | `Hello b!` |
//! | anything else | `404 Not Found.` with status 404 |
//!
//! ```text
//! $ cargo run -p http-static --example routes      # or: just ch4-routes
//! listening on 127.0.0.1:3000
//! ```
//!
//! In a second terminal:
//!
//! ```text
//! $ curl http://127.0.0.1:3000/a
//! Hello a!
//! $ curl -i http://127.0.0.1:3000/c
//! HTTP/1.1 404 Not Found
//! …
//! 404 Not Found.
//! ```
//!
//! The seed's `if (url === '/') … else if …` chain is a Rust `match` on the
//! path: the compiler checks that every case ends in a response.

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

/// Three pages and a 404 (chapter 4, routing by URL).
#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    listen: ListenArgs<3000>,
}

// ANCHOR: routes
/// `const url = req.url; if (url === '/') … else { res.statusCode = 404 … }`
async fn route(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let (status, body) = match request.uri().path() {
        "/" => (StatusCode::OK, "Hello World!"),
        "/a" => (StatusCode::OK, "Hello a!"),
        "/b" => (StatusCode::OK, "Hello b!"),
        _ => (StatusCode::NOT_FOUND, "404 Not Found."),
    };
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    Ok(response)
}
// ANCHOR_END: routes

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    common::logging::init();
    // Ctrl-C ends the example with exit code 0, like the lesson's servers.
    let served = tokio::select! {
        served = serve(cli.listen) => served,
        () = common::shutdown::ctrl_c() => Ok(()),
    };
    common::exit::report("routes", served)
}

/// As in `hello.rs`: bind, then one hyper connection task per client.
async fn serve(listen: ListenArgs<3000>) -> Result<(), Box<dyn std::error::Error>> {
    let listener = common::net::bind_tcp(listen.addr()).await?;
    common::net::announce_listening(listener.local_addr()?);
    loop {
        let (stream, _peer) = listener.accept().await?;
        let connection =
            http1::Builder::new().serve_connection(TokioIo::new(stream), service_fn(route));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection failed");
            }
        });
    }
}
