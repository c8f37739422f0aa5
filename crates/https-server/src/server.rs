//! The HTTPS server: chapter 4's HTTP server, with each accepted TCP stream
//! wrapped in TLS before hyper sees it.
//!
//! Node's `https.createServer({ key, cert }, handler)` takes the very
//! handler `http.createServer(handler)` took; so does ours. The one change
//! is in the accept loop: between `accept()` and hyper there is
//! `acceptor.accept(stream)`, the TLS handshake, after which the stream
//! reads and writes plain bytes while TLS encrypts them underneath.
//!
//! Read it top to bottom: [`Server::run`] (the accept loop), then
//! `handle_connection` (what one client gets: the handshake, then HTTP/2 or
//! HTTP/1.1 as they agreed), then, under "What the seed leaves out", what a
//! TLS port must do with clients that do not speak TLS, or never finish.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use common::tls::Identity;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, HOST, HeaderValue, STRICT_TRANSPORT_SECURITY};
use http::{Method, Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::{Body as _, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use rustls_pki_types::CertificateDer;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_util::task::TaskTracker;
use tracing::{debug, info, warn};

use crate::page::{self, Connection};

/// A response body: every answer here is small and in memory.
pub type Body = Full<Bytes>;

/// What the command-line flags can change.
#[derive(Debug, Clone)]
pub struct Config {
    /// `--hsts`: send `Strict-Transport-Security` with this max-age.
    pub hsts: Option<Duration>,
    /// A client gets this long to complete its TLS handshake.
    pub handshake_timeout: Duration,
    /// After Ctrl-C, how long requests in flight may go on.
    pub grace: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            hsts: None,
            handshake_timeout: Duration::from_secs(10),
            grace: Duration::from_secs(2),
        }
    }
}

/// A bound HTTPS server, ready to [`run`](Server::run).
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    /// What the TLS handshake needs: our certificate and key, the protocol
    /// versions and ALPN protocols we offer (a rustls `ServerConfig`).
    tls: Arc<rustls::ServerConfig>,
    /// The chain we send, for the page that shows it.
    chain: Arc<Vec<CertificateDer<'static>>>,
    config: Config,
}

/// The protocols we offer in the handshake (ALPN), in order of preference:
/// HTTP/2, then HTTP/1.1. The client picks one; hyper then speaks it.
pub const ALPN: [&[u8]; 2] = [b"h2", b"http/1.1"];

impl Server {
    /// Takes a bound listener and the certificate to present.
    pub fn new(
        listener: TcpListener,
        identity: &Identity,
        config: Config,
    ) -> Result<Self, common::tls::TlsError> {
        let tls = Arc::new(identity.server_config(&ALPN)?);
        Ok(Self {
            listener,
            tls,
            chain: Arc::new(identity.chain.clone()),
            config,
        })
    }

    /// `server.address()`: where we really listen.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    // ANCHOR: run
    /// Accepts connections until `shutdown` resolves, each in a task of
    /// its own; then lets requests in flight finish (at most the grace
    /// period) and returns.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let Server {
            listener,
            tls,
            chain,
            config,
        } = self;
        // Does the TLS handshake on each accepted stream.
        let acceptor = TlsAcceptor::from(tls);
        let config = Arc::new(config);
        // `graceful` asks every connection to finish at shutdown;
        // `tracker` waits for the connection tasks.
        let graceful = Arc::new(GracefulShutdown::new());
        let tracker = TaskTracker::new();
        tokio::pin!(shutdown);
        loop {
            let (stream, peer) = tokio::select! {
                accepted = common::net::accept(&listener) => accepted,
                () = &mut shutdown => break,
            };
            // Each task gets its own handles (cheap clones of `Arc`s).
            let (acceptor, chain) = (acceptor.clone(), Arc::clone(&chain));
            let (config, graceful) = (Arc::clone(&config), Arc::clone(&graceful));
            tracker.spawn(async move {
                handle_connection(stream, peer, acceptor, chain, &config, &graceful).await;
            });
        }
        drop(listener);
        tracker.close();
        info!(grace = ?config.grace, "shutting down: finishing requests in flight");
        if let Ok(graceful) = Arc::try_unwrap(graceful) {
            let _ = tokio::time::timeout(config.grace, graceful.shutdown()).await;
        }
        let _ = tokio::time::timeout(config.grace, tracker.wait()).await;
        info!("server closed");
    }
    // ANCHOR_END: run
}

// ANCHOR: connection
/// One client: the TLS handshake, then HTTP over it.
async fn handle_connection(
    stream: TcpStream,
    peer: SocketAddr,
    acceptor: TlsAcceptor,
    chain: Arc<Vec<CertificateDer<'static>>>,
    config: &Config,
    graceful: &GracefulShutdown,
) {
    // ANCHOR: handshake
    // The handshake, and the check before it, get a deadline: a client that
    // connects and says nothing must not hold a connection forever.
    let handshake = tokio::time::timeout(config.handshake_timeout, async {
        let stream = tls_or_answer(stream, peer).await?;
        // `acceptor.accept`: ClientHello in, ServerHello and our
        // certificate out, keys agreed; `Err` if the client gave up, spoke
        // garbage, or offered only protocol versions we refuse.
        match acceptor.accept(stream).await {
            Ok(tls) => Some(tls),
            Err(error) => {
                debug!(%peer, %error, "TLS handshake failed: closed");
                None
            }
        }
    });
    let tls = match handshake.await {
        Ok(Some(tls)) => tls,
        Ok(None) => return,
        Err(_) => {
            debug!(%peer, timeout = ?config.handshake_timeout, "no handshake in time: closed");
            return;
        }
    };
    // ANCHOR_END: handshake
    // What the handshake agreed on (the version, the cipher suite, ALPN,
    // the name the client asked for), for the page.
    let connection = Arc::new(Connection::of(tls.get_ref().1, &chain));
    debug!(%peer, protocol = connection.alpn.as_deref().unwrap_or("-"), "TLS handshake done");
    let hsts = config.hsts;
    let service = service_fn(move |request| {
        let connection = Arc::clone(&connection);
        async move { Ok::<_, Infallible>(respond(request, &connection, hsts)) }
    });
    // hyper-util's `auto` builder speaks HTTP/2 or HTTP/1.1, whichever the
    // client chose in the handshake (an HTTP/2 client starts with its
    // "preface", which `auto` recognises).
    let mut http = auto::Builder::new(TokioExecutor::new());
    http.http1()
        .timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(30));
    let connection = http.serve_connection(TokioIo::new(tls), service);
    if let Err(error) = graceful.watch(connection.into_owned()).await {
        debug!(%peer, %error, "connection ended with an error");
    }
}
// ANCHOR_END: connection

// ANCHOR: respond
/// The handler: the same function an HTTP server would have; it cannot
/// tell that TLS is underneath (but for what it is shown).
fn respond(
    request: Request<Incoming>,
    connection: &Connection,
    hsts: Option<Duration>,
) -> Response<Body> {
    let mut response = match request.uri().path() {
        "/" => page::html(connection, request.version()),
        "/connection.json" => page::json(connection, request.version()),
        _ => text(StatusCode::NOT_FOUND, "404 Not Found.\n".into()),
    };
    // HEAD: the same headers, no body. (hyper leaves the body out for us
    // over HTTP/1.1, not over HTTP/2, where a body would break the stream.)
    if request.method() == Method::HEAD {
        let length = response.body().size_hint().exact().unwrap_or(0);
        response.headers_mut().insert(CONTENT_LENGTH, length.into());
        *response.body_mut() = Body::default();
    }
    // HSTS: "for this long, reach this host over HTTPS only". Sent over
    // HTTPS alone: over plain HTTP anyone could forge or strip it.
    if let Some(max_age) = hsts {
        let value = format!("max-age={}", max_age.as_secs());
        if let Ok(value) = HeaderValue::from_str(&value) {
            response
                .headers_mut()
                .insert(STRICT_TRANSPORT_SECURITY, value);
        }
    }
    response
}
// ANCHOR_END: respond

/// A plain-text response.
pub fn text(status: StatusCode, body: String) -> Response<Body> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

// ───────────────────────── What the seed leaves out ─────────────────────────
//
// A TLS port meets clients that do not speak TLS: a browser sent to
// http://host:8443/, a port scanner, a client that connects and waits. Each
// gets an answer or is closed; none blocks the others.

/// The first byte of a TLS connection is a handshake record's type, 22
/// (0x16): the stream is handed back for the handshake. Plain HTTP starts
/// with a method's capital letter: that client gets a 400 saying so (as
/// nginx answers "The plain HTTP request was sent to HTTPS port");
/// anything else is closed.
// ANCHOR: tls_or_answer
async fn tls_or_answer(stream: TcpStream, peer: SocketAddr) -> Option<TcpStream> {
    // ANCHOR: peek
    let mut first = [0; 1];
    // `peek` reads without taking: the TLS handshake still sees the byte.
    match stream.peek(&mut first).await {
        Ok(0) => return None, // closed before saying anything
        Ok(_) if first[0] == 0x16 => return Some(stream),
        Ok(_) if first[0].is_ascii_uppercase() => {}
        Ok(_) => {
            debug!(%peer, first = first[0], "neither TLS nor HTTP: closed");
            return None;
        }
        Err(error) => {
            debug!(%peer, %error, "connection broke before the handshake");
            return None;
        }
    }
    // ANCHOR_END: peek
    info!(%peer, "plain HTTP on the HTTPS port: answered 400");
    // Answered by hyper, so that the request is read before the answer and
    // the client sees the 400 (not a reset).
    let service = service_fn(|request: Request<Incoming>| async move {
        let host = request.headers().get(HOST).and_then(|h| h.to_str().ok());
        let url = host.map_or_else(
            || ".".to_owned(),
            |host| {
                let path = request.uri().path_and_query().map_or("/", |p| p.as_str());
                format!(": https://{host}{path}")
            },
        );
        let body = format!(
            "400 Bad Request: this port speaks HTTPS, and the request came in plain HTTP. \
             Ask for the https:// address instead{url}\n"
        );
        Ok::<_, Infallible>(text(StatusCode::BAD_REQUEST, body))
    });
    let mut http = hyper::server::conn::http1::Builder::new();
    // half_close: a client that sends its request and then shuts its
    // sending side (`nc -N`) still gets the answer.
    http.keep_alive(false)
        .half_close(true)
        .timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(5));
    if let Err(error) = http.serve_connection(TokioIo::new(stream), service).await {
        warn!(%peer, %error, "could not answer the plain HTTP request");
    }
    None
}
// ANCHOR_END: tls_or_answer
