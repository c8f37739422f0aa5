//! Hello World over HTTPS, in one file. (The seed's chapter 5 is only a
//! placeholder, 占位; this is the program it would have started with.)
//!
//! ```text
//! $ cargo run -p https-server --example https-hello  # or: just ch5-https-hello
//! listening on 127.0.0.1:8443
//! curl --cacert /tmp/https-hello-8443.pem https://localhost:8443/
//! ```
//!
//! Run the printed `curl` line in a second terminal: `hello world`. Without
//! `--cacert`, curl refuses ("self-signed certificate"): nobody it trusts
//! vouches for this certificate, only the certificate itself.
//!
//! | Node | Rust (here) |
//! |---|---|
//! | `https.createServer({ key, cert }, handler)` | a rustls `ServerConfig` with the key and certificate, a `TlsAcceptor`, and hyper with `handler` |
//! | `server.listen(8443)` | `TcpListener::bind` |
//! | each connection's TLS handshake (done by Node) | `acceptor.accept(stream).await` |
//!
//! The full lesson (`src/server.rs`) keeps its certificates from one run to
//! the next, signed by a local certificate authority, and speaks HTTP/2 too.

use std::convert::Infallible;
use std::process::ExitCode;
use std::sync::Arc;

use bytes::Bytes;
use clap::Parser;
use common::cli::ListenArgs;
use http::{Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use rustls_pki_types::PrivateKeyDer;
use tokio_rustls::TlsAcceptor;

/// Hello World over HTTPS (chapter 5).
#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    listen: ListenArgs<8443>,
}

/// The handler: the same as an HTTP server's. It never sees TLS.
async fn hello(_request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    Ok(Response::new(Full::new(Bytes::from("hello world\n"))))
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    common::exit::report("hello", serve(cli.listen).await)
}

// ANCHOR: serve
async fn serve(listen: ListenArgs<8443>) -> Result<(), Box<dyn std::error::Error>> {
    // 1. A certificate for localhost, made now, signed by its own key
    //    ("self-signed"): rcgen does what `openssl req -x509` would.
    let names = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
    let made = rcgen::generate_simple_self_signed(names)?;
    let key = PrivateKeyDer::Pkcs8(made.signing_key.serialize_der().into());
    // 2. What TLS needs: our certificate and key. The crypto (`ring`) is
    //    named, not left to a process-wide default.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(vec![made.cert.der().clone()], key)?;
    let acceptor = TlsAcceptor::from(Arc::new(config));

    let listener = common::net::bind_tcp(listen.addr()).await?;
    let addr = listener.local_addr()?;
    println!("listening on {addr}");
    // The certificate, for the client to trust (curl's --cacert).
    let file = std::env::temp_dir().join(format!("https-hello-{}.pem", addr.port()));
    std::fs::write(&file, made.cert.pem())?;
    println!(
        "curl --cacert {} https://localhost:{}/",
        file.display(),
        addr.port()
    );
    loop {
        let (stream, _peer) = listener.accept().await?;
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            // 3. The handshake; a client that fails it is simply dropped.
            let Ok(tls) = acceptor.accept(stream).await else {
                return;
            };
            // 4. HTTP, inside TLS: hyper reads and writes plain bytes.
            let http = http1::Builder::new().serve_connection(TokioIo::new(tls), service_fn(hello));
            let _ = http.await;
        });
    }
}
// ANCHOR_END: serve
