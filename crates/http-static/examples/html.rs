//! The seed's third step, "响应 HTML 内容": answer every request with the
//! page `assets/index.html`, read from disk, as `text/html; charset=utf-8`.
//!
//! ```text
//! $ cargo run -p http-static --example html
//! listening on 127.0.0.1:3000
//! ```
//!
//! Open http://127.0.0.1:3000/ in a browser: the page shows, but unstyled
//! and without its picture, because the stylesheet, script and image
//! requests get the same HTML back. Serving those properly is the next
//! step, the static file server (`just ch4-static`).
//!
//! Like the seed's `fs.readFile`, this reads the whole file into memory for
//! every request: fine for one small page, wrong for a 2 GiB video. The
//! static server streams big files instead (see docs/ch4-http.md).

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

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

/// Every request gets assets/index.html (chapter 4, responding with HTML).
#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    listen: ListenArgs<3000>,
    /// The page to send.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/index.html"))]
    page: PathBuf,
}

// ANCHOR: html
/// `fs.readFile('./index.html', (err, data) => { … res.end(data) })`. Where
/// the seed throws on a read error (and the whole server dies), we answer
/// this one request with a 500 and log why.
async fn page(path: &Path) -> Response<Full<Bytes>> {
    let (status, content_type, body) = match tokio::fs::read(path).await {
        Ok(html) => (
            StatusCode::OK,
            "text/html; charset=utf-8",
            Bytes::from(html),
        ),
        Err(error) => {
            tracing::error!(path = %path.display(), %error, "cannot read the page");
            let text = Bytes::from_static(b"500 Internal Server Error.");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "text/plain; charset=utf-8",
                text,
            )
        }
    };
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}
// ANCHOR_END: html

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    common::logging::init();
    // Ctrl-C ends the example with exit code 0, like the lesson's servers.
    let served = tokio::select! {
        served = serve(cli.listen, cli.page) => served,
        () = common::shutdown::ctrl_c() => Ok(()),
    };
    common::exit::report("html", served)
}

/// As in `hello.rs`; the handler borrows the page's path from an `Arc`
/// shared by every connection.
async fn serve(listen: ListenArgs<3000>, path: PathBuf) -> Result<(), Box<dyn std::error::Error>> {
    let listener = common::net::bind_tcp(listen.addr()).await?;
    common::net::announce_listening(listener.local_addr()?);
    let path = Arc::new(path);
    loop {
        let (stream, _peer) = listener.accept().await?;
        let path = Arc::clone(&path);
        let service = service_fn(move |_request: Request<Incoming>| {
            let path = Arc::clone(&path);
            async move { Ok::<_, Infallible>(page(&path).await) }
        });
        let connection = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection failed");
            }
        });
    }
}
