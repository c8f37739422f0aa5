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
use common::lang::Lang;
use common::tls::Identity;
use http::header::{
    CONTENT_LENGTH, CONTENT_TYPE, ETAG, HOST, HeaderValue, IF_NONE_MATCH, STRICT_TRANSPORT_SECURITY,
};
use http::{Method, Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::{Body as _, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use rust_i18n::t;
use rustls_pki_types::CertificateDer;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_util::task::TaskTracker;
use tracing::{debug, info, warn};

use crate::language;
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
    /// `--lang`: the log's language, and the page's when a browser names
    /// neither of ours.
    pub lang: Lang,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            hsts: None,
            handshake_timeout: Duration::from_secs(10),
            grace: Duration::from_secs(2),
            lang: Lang::En,
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
        let tls = Arc::new(identity.server_config(&ALPN, config.lang)?);
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
        let locale = config.lang.code();
        info!(grace = ?config.grace, "{}", t!("log.shutting_down", locale = locale));
        if let Ok(graceful) = Arc::try_unwrap(graceful) {
            let _ = tokio::time::timeout(config.grace, graceful.shutdown()).await;
        }
        let _ = tokio::time::timeout(config.grace, tracker.wait()).await;
        info!("{}", t!("log.closed", locale = locale));
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
    let locale = config.lang.code();
    let handshake = tokio::time::timeout(config.handshake_timeout, async {
        let stream = tls_or_answer(stream, peer, config.lang).await?;
        // `acceptor.accept`: ClientHello in, ServerHello and our
        // certificate out, keys agreed; `Err` if the client gave up, spoke
        // garbage, or offered only protocol versions we refuse.
        match acceptor.accept(stream).await {
            Ok(tls) => Some(tls),
            Err(error) => {
                debug!(%peer, %error, "{}", t!("log.handshake_failed", locale = locale));
                None
            }
        }
    });
    let tls = match handshake.await {
        Ok(Some(tls)) => tls,
        Ok(None) => return,
        Err(_) => {
            let why = t!("log.handshake_timeout", locale = locale);
            debug!(%peer, timeout = ?config.handshake_timeout, "{why}");
            return;
        }
    };
    // ANCHOR_END: handshake
    // What the handshake agreed on (the version, the cipher suite, ALPN,
    // the name the client asked for), for the page.
    let connection = Arc::new(Connection::of(tls.get_ref().1, &chain, config.lang));
    // One line per connection for the teacher: who, and what was agreed.
    let alpn = connection.alpn.as_deref().unwrap_or("-");
    let version = &connection.version;
    info!(%peer, "{}", t!("log.connected", locale = locale, version = version, alpn = alpn));
    let (hsts, lang) = (config.hsts, config.lang);
    let service = service_fn(move |request| {
        let connection = Arc::clone(&connection);
        async move { Ok::<_, Infallible>(respond(request, &connection, hsts, lang)) }
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
        debug!(%peer, %error, "{}", t!("log.connection_error", locale = locale));
    }
}
// ANCHOR_END: connection

// ANCHOR: respond
/// The handler: the same function an HTTP server would have; it cannot
/// tell that TLS is underneath (but for what it is shown). The page is in
/// the visitor's language (`?lang=`, cookie, `Accept-Language`, else
/// `default`: see language.rs).
fn respond(
    request: Request<Incoming>,
    connection: &Connection,
    hsts: Option<Duration>,
    default: Lang,
) -> Response<Body> {
    let chosen = language::choose(request.uri().query(), request.headers(), default);
    let lang = chosen.lang;
    let mut response = match request.uri().path() {
        "/" => page::html(connection, request.version(), lang),
        "/connection.json" => page::json(connection, request.version()),
        _ => text(
            StatusCode::NOT_FOUND,
            &t!("http.not_found", locale = lang.code()),
        ),
    };
    if request.uri().path() != "/connection.json" {
        language::mark(response.headers_mut(), chosen);
    }
    // The browser's copy is this very page in this very language: 304.
    let cached = request.headers().get(IF_NONE_MATCH);
    if let (Some(cached), Some(ours)) = (cached, response.headers().get(ETAG))
        && cached == ours
    {
        *response.status_mut() = StatusCode::NOT_MODIFIED;
        *response.body_mut() = Body::default();
    }
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

/// A plain-text response; the final newline ends curl's line, so the
/// shell's prompt starts on a line of its own.
pub fn text(status: StatusCode, body: &str) -> Response<Body> {
    let mut response = Response::new(Full::new(Bytes::from(format!("{body}\n"))));
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
async fn tls_or_answer(stream: TcpStream, peer: SocketAddr, lang: Lang) -> Option<TcpStream> {
    let locale = lang.code();
    // ANCHOR: peek
    let mut first = [0; 1];
    // `peek` reads without taking: the TLS handshake still sees the byte.
    match stream.peek(&mut first).await {
        Ok(0) => return None, // closed before saying anything
        Ok(_) if first[0] == 0x16 => return Some(stream),
        Ok(_) if first[0].is_ascii_uppercase() => {}
        Ok(_) => {
            debug!(%peer, first = first[0], "{}", t!("log.neither", locale = locale));
            return None;
        }
        Err(error) => {
            debug!(%peer, %error, "{}", t!("log.broke", locale = locale));
            return None;
        }
    }
    // ANCHOR_END: peek
    info!(%peer, "{}", t!("log.plain_http", locale = locale));
    // Answered by hyper, so that the request is read before the answer and
    // the client sees the 400 (not a reset).
    let service = service_fn(move |request: Request<Incoming>| async move {
        // The visitor's language, else ours (no cookie: this is another origin).
        let lang = language::choose(None, request.headers(), lang).lang;
        let host = request.headers().get(HOST).and_then(|h| h.to_str().ok());
        let (colon, stop) = match lang {
            Lang::En => (": ", "."),
            Lang::ZhCn => ("：", "。"),
        };
        let url = host.map_or_else(
            || stop.to_owned(),
            |host| {
                let path = request.uri().path_and_query().map_or("/", |p| p.as_str());
                format!("{colon}https://{host}{path}")
            },
        );
        let body = t!("http.plain_on_tls", locale = lang.code(), url = url);
        Ok::<_, Infallible>(text(StatusCode::BAD_REQUEST, &body))
    });
    let mut http = hyper::server::conn::http1::Builder::new();
    // half_close: a client that sends its request and then shuts its
    // sending side (`nc -N`) still gets the answer.
    http.keep_alive(false)
        .half_close(true)
        .timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(5));
    if let Err(error) = http.serve_connection(TokioIo::new(stream), service).await {
        warn!(%peer, %error, "{}", t!("log.plain_failed", locale = locale));
    }
    None
}
// ANCHOR_END: tls_or_answer
