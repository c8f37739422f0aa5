//! The server: `http.createServer(handler).listen(port, host)`, on hyper.
//!
//! hyper reads and writes HTTP/1.1 for us (keep-alive, chunking, a 400 for
//! a malformed request); we give it a function from request to response
//! ([`Site::respond`]) for each request, and run each connection as its
//! own task ([`serve`]). The access log is [`crate::access_log`].

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::lang::Lang;
use http::{Request, Response};
use hyper::body::{Body, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use rust_i18n::t;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;
use tokio_util::either::Either;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::{debug, info, warn};

use crate::access_log;
use crate::site::Site;

/// What the command-line flags can change.
#[derive(Debug, Clone)]
pub struct Config {
    /// `--root`: the directory to serve.
    pub root: PathBuf,
    /// `--list`: list directories that have no `index.html`.
    pub list: bool,
    /// After Ctrl-C, how long downloads in flight may go on before we close them.
    pub grace: Duration,
    /// `--tls` (chapter 5): serve HTTPS with this rustls config instead of
    /// plain HTTP.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// `--lang`: the log's language, and that of our own answers (404,
    /// listings) when a browser names neither of ours.
    pub lang: Lang,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            root: PathBuf::from("assets"),
            list: false,
            grace: Duration::from_secs(5),
            tls: None,
            lang: Lang::En,
        }
    }
}

/// A bound static file server, ready to [`run`](Server::run).
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    /// The files and how to answer for them, shared by every connection task.
    site: Arc<Site>,
    grace: Duration,
    tls: Option<Arc<rustls::ServerConfig>>,
    lang: Lang,
}

impl Server {
    /// Takes a listener that is already bound (binding is where the errors a
    /// user must fix happen, so `main` does it and explains). Fails if the
    /// root is not a directory.
    pub fn new(listener: TcpListener, config: Config) -> io::Result<Self> {
        let site = Site::new(&config.root, config.list, config.lang).map_err(|error| {
            let root = config.root.display();
            let why = t!(
                "root.cannot_serve",
                locale = config.lang.code(),
                root = root,
                error = common::exit::io_error(&error, config.lang)
            );
            io::Error::new(error.kind(), why.into_owned())
        })?;
        Ok(Self {
            listener,
            site: Arc::new(site),
            grace: config.grace,
            tls: config.tls,
            lang: config.lang,
        })
    }

    /// `server.address()`: where we really listen (the port, if it was 0).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The directory served, canonical.
    pub fn root(&self) -> &std::path::Path {
        self.site.root()
    }

    // ANCHOR: run
    /// Serves until `shutdown` resolves, then closes like `server.close()`:
    /// no new connections, requests in flight get [`Config::grace`] to
    /// finish (a download goes on), idle keep-alive connections are closed.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let Server {
            listener,
            site,
            grace,
            tls,
            lang,
        } = self;
        // What hyper calls for each request: the site's answer. (`serve`
        // logs it, one access-log line per request.)
        let handler = move |request: Request<Incoming>| {
            let site = Arc::clone(&site);
            async move { site.respond(&request).await }
        };
        let tls = tls.map(TlsAcceptor::from);
        serve(listener, handler, grace, tls, lang, shutdown).await;
    }
    // ANCHOR_END: run
}

// ANCHOR: serve
/// Serves HTTP/1.1 on `listener`, answering each request with `handler`
/// and logging it ([`access_log`]), until `shutdown` resolves. Then it
/// closes like `server.close()`: no new connections, requests in flight
/// get `grace` to finish (a download goes on), idle keep-alive connections
/// are closed, and after `grace` whatever is left is cut off. With `tls`,
/// each connection is HTTPS (chapter 5): the same, after a TLS handshake.
/// The log speaks `lang`.
pub async fn serve<H, F, B>(
    listener: TcpListener,
    handler: H,
    grace: Duration,
    tls: Option<TlsAcceptor>,
    lang: Lang,
    shutdown: impl Future<Output = ()>,
) where
    H: Fn(Request<Incoming>) -> F + Send + Sync + 'static,
    F: Future<Output = Response<B>> + Send + 'static,
    B: Body<Data = Bytes> + Send + Unpin + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    // Every connection task calls the one handler: `Arc` shares it (a
    // pointer with a count; the handler lives while any task holds one).
    let handler = Arc::new(handler);
    let mut http = http1::Builder::new();
    // A client gets 30 s to send its request headers, then it is closed:
    // one that trickles a byte at a time cannot hold a connection forever.
    http.timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(30));
    // `graceful` asks every connection to finish at shutdown; `tracker`
    // and `closing` wait for them and, after the grace period, end them.
    let graceful = GracefulShutdown::new();
    let tracker = TaskTracker::new();
    let closing = CancellationToken::new();
    tokio::pin!(shutdown);

    loop {
        let (stream, peer) = tokio::select! {
            accepted = common::net::accept(&listener) => accepted,
            () = &mut shutdown => break,
        };
        // Small responses go out at once instead of waiting for more.
        let _ = stream.set_nodelay(true);
        let handler = Arc::clone(&handler);
        // `service_fn` turns our async function into what hyper calls
        // for each request on this connection (keep-alive: many).
        let service = service_fn(move |request: Request<Incoming>| {
            let (method, uri) = (request.method().clone(), request.uri().clone());
            let started = Instant::now();
            let response = handler(request);
            async move {
                let response = response.await;
                Ok::<_, Infallible>(access_log::wrap(method, uri, started, response, lang))
            }
        });
        let (http, tls) = (http.clone(), tls.clone());
        let (watcher, closing) = (graceful.watcher(), closing.clone());
        tracker.spawn(async move {
            // Plain HTTP, or (with `--tls`) the same after a TLS handshake.
            let Some(io) = tls_or_plain(tls, stream, peer, lang).await else {
                return;
            };
            let connection = watcher.watch(http.serve_connection(TokioIo::new(io), service));
            tokio::select! {
                // A malformed request ends here: hyper has already sent
                // a 400 and closed; only this connection is affected.
                result = connection => if let Err(error) = result {
                    debug!(%peer, %error, "{}", t!("log.connection_error", locale = lang.code()));
                },
                () = closing.cancelled() => {
                    debug!(%peer, "{}", t!("log.grace_over", locale = lang.code()));
                }
            }
        });
    }

    // `server.close()`: dropping the listener stops accepting.
    drop(listener);
    tracker.close();
    let locale = lang.code();
    info!(
        open = graceful.count(),
        ?grace,
        "{}",
        t!("log.shutting_down", locale = locale)
    );
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(grace) => {
            warn!("{}", t!("log.grace_over_all", locale = locale));
            closing.cancel();
        }
    }
    tracker.wait().await;
    info!("{}", t!("log.closed", locale = locale));
}
// ANCHOR_END: serve

// ─────────────────────── HTTPS: `--tls` (chapter 5) ────────────────────────

/// How long a client may take over its TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The accepted stream as it is, or wrapped in TLS once the handshake is
/// done: `Either` is one type for both, so the rest of the loop is the
/// same. `None` if the handshake failed or took too long (chapter 5's
/// `https-server` explains each case).
async fn tls_or_plain(
    tls: Option<TlsAcceptor>,
    stream: TcpStream,
    peer: SocketAddr,
    lang: Lang,
) -> Option<Either<TcpStream, TlsStream<TcpStream>>> {
    let Some(acceptor) = tls else {
        return Some(Either::Left(stream));
    };
    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
        Ok(Ok(tls)) => Some(Either::Right(tls)),
        Ok(Err(error)) => {
            debug!(%peer, %error, "{}", t!("log.handshake_failed", locale = lang.code()));
            None
        }
        Err(_) => {
            debug!(%peer, "{}", t!("log.handshake_timeout", locale = lang.code()));
            None
        }
    }
}
