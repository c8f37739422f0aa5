//! The server: one port, one HTTP stack. hyper answers every request; the
//! two WebSocket paths answer with an upgrade and go on as WebSockets.
//!
//! The seed's Node version is `express` + `http.Server` + `socket.io`
//! attached to it; here hyper is the `http.Server`, [`Page`] is
//! `express.static`, and tokio-tungstenite is the WebSocket half of
//! Socket.IO.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use common::lang::Lang;
use http::header::{ACCEPT_LANGUAGE, CONTENT_TYPE, HeaderValue, VARY};
use http::{Method, Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use rust_i18n::t;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;
use tokio_util::either::Either;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::{debug, info, warn};

use crate::chat::{self, QueueLimits, Settings};
use crate::cluster::Cluster;
use crate::echo;
use crate::page::Page;
use crate::room::Room;
use crate::upgrade;

/// A response body: every answer of this server is small and in memory.
pub type Body = Full<Bytes>;

/// A plain-text response. Its text is in the language the request asked
/// for, so it says `Vary: Accept-Language` (a cache must not hand the
/// Chinese answer to an English browser).
pub fn text_response(status: StatusCode, text: String) -> Response<Body> {
    let mut response = Response::new(Body::new(Bytes::from(text)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert(VARY, HeaderValue::from_static("accept-language"));
    response
}

// ANCHOR: request_lang
/// The language a request asks for: `?lang=zh-CN` (the chat page puts its
/// chosen language on its WebSocket URL), else the browser's
/// `Accept-Language`, else `default` (the server's `--lang`).
pub fn request_lang<B>(request: &Request<B>, default: Lang) -> Lang {
    let from_query = request.uri().query().and_then(|query| {
        query
            .split('&')
            .find_map(|pair| pair.strip_prefix("lang="))
            .and_then(Lang::from_tag)
    });
    let from_header = || {
        let header = request.headers().get(ACCEPT_LANGUAGE)?.to_str().ok()?;
        Lang::from_accept_language(header)
    };
    from_query.or_else(from_header).unwrap_or(default)
}
// ANCHOR_END: request_lang

/// The page's address for a browser on this machine (`common::net`).
pub use common::net::local_url;

/// `--tls`: the rustls config for the page over HTTPS and the chat over
/// `wss://`, from `--cert/--key` or the local CA (made on first run).
pub fn tls_config(
    certificates: &common::tls::TlsArgs,
    lang: Lang,
) -> Result<Arc<rustls::ServerConfig>, Box<dyn std::error::Error>> {
    let identity = common::tls::Identity::load_or_make(certificates, lang)?;
    for note in &identity.notes {
        info!("{note}");
    }
    if let Some(ca) = &identity.ca {
        let ca = ca.display();
        info!("{}", t!("log.trust_ca", locale = lang.code(), ca = ca));
    }
    // HTTP/1.1 only: a browser offered h2 would speak HTTP/2, and a
    // WebSocket over HTTP/2 is another handshake (RFC 8441) that
    // tungstenite does not do.
    Ok(Arc::new(identity.server_config(&[b"http/1.1"], lang)?))
}

/// What the teacher needs after the `listening on` line: the page's
/// address on this machine, then (`tell_students`) the addresses
/// students' browsers use, one per LAN address, or that only this machine
/// can connect.
pub fn tell_where(bound: SocketAddr, tls: bool, lang: Lang) {
    let scheme = if tls { "https" } else { "http" };
    let url = local_url(scheme, bound);
    info!("{}", t!("log.open_local", locale = lang.code(), url = url));
    common::net::tell_students(bound, lang, |addr| format!("{scheme}://{addr}/"));
}

/// What the command-line flags can change.
#[derive(Debug, Clone)]
pub struct Config {
    /// `--assets`: the directory with the page (index.html, chat.js, …).
    pub assets: PathBuf,
    /// How far behind one chat client may fall: a client that lets more
    /// frames, or more bytes of them, pile up (by not reading) is dropped.
    ///
    /// The defaults absorb a burst: 50 clients each sending 200 messages at
    /// once is 9,800 frames (~750 KiB) for every client, most of them soon
    /// in the kernel's socket buffers or read. A queued frame costs 16 bytes
    /// plus its text, which is shared by every queue it is in; the byte
    /// bound caps what a client that stops reading can hold even when it is
    /// sent nothing but 64 KiB messages.
    pub queue: QueueLimits,
    /// After Ctrl-C, how long each WebSocket gets to finish its closing
    /// handshake (and each HTTP request to finish).
    pub grace: Duration,
    /// `--allow-origin`: pages of other origins (`http://host:port`) whose
    /// WebSockets are admitted, besides the pages this server served itself.
    pub allowed_origins: Vec<String>,
    /// `--tls` (chapter 5): serve the page over HTTPS and the chat over
    /// `wss://`, with this rustls config.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// `--lang` (or `LANG`): the teacher's language, for the log lines, and
    /// the chat's for a client that asks for none.
    pub lang: Lang,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            assets: PathBuf::from("assets/ws-chat"),
            queue: QueueLimits {
                frames: 16 * 1024,
                bytes: 2 * 1024 * 1024,
            },
            grace: Duration::from_secs(2),
            allowed_origins: Vec::new(),
            tls: None,
            lang: Lang::En,
        }
    }
}

/// What every connection task shares, through an `Arc`.
#[derive(Debug)]
struct App {
    /// The page's files.
    page: Page,
    /// The one chat room everyone on `/ws` joins.
    room: Arc<Room>,
    /// Every WebSocket session runs on this tracker, so that at shutdown we
    /// can wait for all of them (hyper stops tracking a connection once it
    /// has been upgraded).
    sessions: TaskTracker,
    /// Cancelled at Ctrl-C: every WebSocket session closes with 1001.
    closing: CancellationToken,
    config: Config,
    /// Chapter 7: the other servers sharing the room, with `--redis`.
    cluster: Cluster,
}

/// A bound WebSocket chat server, ready to [`run`](Server::run).
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    app: App,
}

impl Server {
    /// Takes a listener that is already bound (`main` binds, and explains a
    /// port in use). Fails if the assets directory is missing.
    pub fn new(listener: TcpListener, config: Config) -> io::Result<Self> {
        let page = Page::new(&config.assets, config.lang).map_err(|error| {
            let dir = config.assets.display();
            let locale = config.lang.code();
            let text = t!("error.assets", locale = locale, dir = dir, error = error);
            io::Error::new(error.kind(), text.into_owned())
        })?;
        let app = App {
            page,
            room: Arc::new(Room::new()),
            sessions: TaskTracker::new(),
            closing: CancellationToken::new(),
            config,
            cluster: Cluster::default(),
        };
        Ok(Self { listener, app })
    }

    /// Chapter 7: shares the room with other servers (see
    /// [`Cluster::join`], which takes this server's [`room`](Self::room)).
    pub fn with_cluster(mut self, cluster: Cluster) -> Self {
        self.app.cluster = cluster;
        self
    }

    /// `server.address()`: where we really listen (the port, if it was 0).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The chat room, to look at from a test or the demo.
    pub fn room(&self) -> Arc<Room> {
        Arc::clone(&self.app.room)
    }

    // ANCHOR: run
    /// Serves until `shutdown` resolves. Then: no new connections, every
    /// WebSocket is closed with 1001 ("going away"), HTTP requests in flight
    /// finish, and this returns.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let Server { listener, app } = self;
        // Every connection task reads the app: `Arc` shares one copy.
        let app = Arc::new(app);
        let mut http = http1::Builder::new();
        // A client gets 30 s to send its request headers, then it is closed.
        http.timer(TokioTimer::new())
            .header_read_timeout(Duration::from_secs(30));
        // HTTP connections run on their own tracker: at Ctrl-C each is asked
        // to finish its request in flight, and after `grace` it is dropped.
        let connections = TaskTracker::new();
        let dropped = CancellationToken::new();
        let tls = app.config.tls.clone().map(TlsAcceptor::from);
        tokio::pin!(shutdown);

        loop {
            let (stream, peer) = tokio::select! {
                accepted = common::net::accept(&listener) => accepted,
                () = &mut shutdown => break,
            };
            // Chat frames are small and should leave at once (no Nagle).
            let _ = stream.set_nodelay(true);
            let app = Arc::clone(&app);
            let closing = app.closing.clone();
            let service = service_fn(move |request| {
                let app = Arc::clone(&app);
                async move { Ok::<_, Infallible>(route(&app, peer, request).await) }
            });
            let (http, tls, dropped) = (http.clone(), tls.clone(), dropped.clone());
            connections.spawn(async move {
                // Plain HTTP, or (with `--tls`) the same after a TLS handshake.
                let Some(io) = tls_or_plain(tls, stream, peer).await else {
                    return;
                };
                // `with_upgrades`: let a request take the connection over
                // (`hyper::upgrade::on`) once its 101 response has been sent.
                let connection = http
                    .serve_connection(TokioIo::new(io), service)
                    .with_upgrades();
                tokio::pin!(connection);
                let result = tokio::select! {
                    result = connection.as_mut() => result,
                    () = closing.cancelled() => {
                        // Finish the request in flight, then close.
                        connection.as_mut().graceful_shutdown();
                        tokio::select! {
                            result = connection => result,
                            () = dropped.cancelled() => Ok(()),
                        }
                    }
                };
                // A malformed request ends here: hyper has already answered
                // 400 and closed; only this connection is affected.
                if let Err(error) = result {
                    debug!(%peer, %error, "HTTP connection ended with an error");
                }
            });
        }

        // `server.close()`: stop accepting, then tell every WebSocket to go
        // (each takes at most `grace`) and let HTTP requests in flight finish.
        drop(listener);
        let log = app.config.lang.code();
        let online = app.room.online();
        info!(online, "{}", t!("log.shutting_down", locale = log));
        app.closing.cancel();
        app.sessions.close();
        connections.close();
        if tokio::time::timeout(app.config.grace, connections.wait())
            .await
            .is_err()
        {
            warn!("{}", t!("log.grace_over", locale = log));
            dropped.cancel();
        }
        connections.wait().await;
        app.sessions.wait().await;
        // Chapter 7: the other servers hear that our users left.
        app.cluster.shutdown().await;
        info!("{}", t!("log.closed", locale = log));
    }
    // ANCHOR_END: run
}

// ANCHOR: route
/// One HTTP request: an upgrade to one of the two WebSockets, the echo test
/// page, or a file of the page. Each request has its language (`lang`):
/// a chat connection keeps it for all it is told.
async fn route(app: &Arc<App>, peer: SocketAddr, request: Request<Incoming>) -> Response<Body> {
    debug!(%peer, method = %request.method(), uri = %request.uri(), "request");
    let lang = request_lang(&request, app.config.lang);
    // A page from another site may open a WebSocket to us in its visitor's
    // browser (cross-site WebSocket hijacking): refuse it before upgrading.
    if matches!(request.uri().path(), "/ws" | "/echo")
        && let Some(origin) = upgrade::check_origin(request.headers(), &app.config.allowed_origins)
    {
        warn!(
            origin,
            "{}",
            t!("log.origin_refused", locale = app.config.lang.code())
        );
        return upgrade::refuse_origin(&origin, lang);
    }
    match (request.method(), request.uri().path()) {
        (&Method::GET, "/ws") => {
            let room = Arc::clone(&app.room);
            let closing = app.closing.clone();
            let cluster = app.cluster.clone();
            let settings = Settings {
                queue: app.config.queue,
                grace: app.config.grace,
                log_lang: app.config.lang,
            };
            upgrade::upgrade(request, lang, &app.sessions, move |socket| {
                chat::serve(socket, peer, lang, room, settings, closing, cluster)
            })
        }
        (&Method::GET, "/echo") => {
            let closing = app.closing.clone();
            let grace = app.config.grace;
            upgrade::upgrade(request, lang, &app.sessions, move |socket| {
                echo::serve(socket, peer, lang, grace, closing)
            })
        }
        (_, "/ws" | "/echo") => {
            let text = t!("http.ws_method", locale = lang.code());
            text_response(StatusCode::METHOD_NOT_ALLOWED, format!("{text}\n"))
        }
        // Everything else is a file of the page (`express.static`).
        (method, path) => app.page.respond(method, path, lang).await,
    }
}
// ANCHOR_END: route

// ─────────────── HTTPS and `wss://`: `--tls` (chapter 5) ───────────────────

/// How long a client may take over its TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The accepted stream as it is, or wrapped in TLS once the handshake is
/// done (`Either` is one type for both). `None` if the handshake failed or
/// took too long. The same as `http-static`'s; chapter 5's `https-server`
/// explains each case.
async fn tls_or_plain(
    tls: Option<TlsAcceptor>,
    stream: TcpStream,
    peer: SocketAddr,
) -> Option<Either<TcpStream, TlsStream<TcpStream>>> {
    let Some(acceptor) = tls else {
        return Some(Either::Left(stream));
    };
    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
        Ok(Ok(tls)) => Some(Either::Right(tls)),
        Ok(Err(error)) => {
            debug!(%peer, %error, "TLS handshake failed");
            None
        }
        Err(_) => {
            debug!(%peer, "no TLS handshake in time: closed");
            None
        }
    }
}
