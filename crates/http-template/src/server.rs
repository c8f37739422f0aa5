//! The server: the templates, the database and the routes, served on
//! hyper by [`serve`], the same loop as `http-static`'s (where chapter 4
//! explains it line by line).

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::lang::Lang;
use http::header::CONTENT_LANGUAGE;
use http::{Request, Response};
use hyper::body::{Body as _, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use rust_i18n::t;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::{debug, info, warn};

use crate::app::App;
use crate::pages::Pages;
use crate::respond::Body;
use crate::store::{Closed, OpenError, Store};

/// What the command-line flags can change.
#[derive(Debug, Clone)]
pub struct Config {
    /// `--templates`: the directory of `*.html` templates.
    pub templates: PathBuf,
    /// `--db`: the SQLite file (created, with its directory, if missing).
    pub db: PathBuf,
    /// `--reload`: pick up edited templates, and show template errors.
    pub reload: bool,
    /// How long a write waits for another program's lock on the database.
    pub busy_timeout: Duration,
    /// How long a client may take to send a form's body (then 408).
    pub body_timeout: Duration,
    /// After Ctrl-C, how long requests in flight may go on.
    pub grace: Duration,
    /// `--lang`: the log's language, and the pages' when a browser names
    /// neither of ours.
    pub lang: Lang,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            templates: PathBuf::from("templates"),
            db: PathBuf::from("data/guestbook.sqlite3"),
            reload: false,
            busy_timeout: Duration::from_secs(5),
            body_timeout: Duration::from_secs(30),
            grace: Duration::from_secs(5),
            lang: Lang::En,
        }
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Templates(io::Error),
    #[error(transparent)]
    Database(#[from] OpenError),
}

/// A bound server with its templates and open database, ready to
/// [`run`](Server::run).
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    /// Templates and database, shared by every connection task.
    app: Arc<App>,
    /// Resolves when the database thread has closed the file.
    closed: Closed,
    grace: Duration,
    lang: Lang,
}

impl Server {
    /// Takes a listener that is already bound (`main` binds, and explains
    /// a port in use), checks the template directory and opens the
    /// database.
    pub async fn new(listener: TcpListener, config: Config) -> Result<Server, StartError> {
        let lang = config.lang;
        let pages =
            Pages::new(&config.templates, config.reload, lang).map_err(StartError::Templates)?;
        let (store, closed) = Store::open(&config.db, config.busy_timeout, lang).await?;
        Ok(Server {
            listener,
            app: Arc::new(App::new(pages, store, config.body_timeout, lang)),
            closed,
            grace: config.grace,
            lang,
        })
    }

    /// `server.address()`: where we really listen (the port, if it was 0).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The directory the templates come from.
    pub fn templates(&self) -> &std::path::Path {
        self.app.pages().dir()
    }

    /// Logs, for the teacher, where the pages are and the URLs to open.
    pub fn log_serving(&self) {
        let addr = self
            .local_addr()
            .map_or_else(|_| "?".into(), |a| a.to_string());
        let line = t!("log.serving", locale = self.lang.code(), addr = addr);
        info!(templates = %self.templates().display(), "{line}");
    }

    // ANCHOR: run
    /// Serves until `shutdown` resolves, then closes like `server.close()`
    /// (requests in flight finish), and returns once the database file is
    /// closed.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let Server {
            listener,
            app,
            closed,
            grace,
            lang,
        } = self;
        let handler = move |request| {
            let app = Arc::clone(&app);
            async move { app.respond(request).await }
        };
        serve(listener, handler, grace, lang, shutdown).await;
        // `serve` has dropped the handler, and with it the last `Store`:
        // the database thread finishes its queue and closes the file.
        closed.wait().await;
        tracing::info!("{}", t!("log.db_closed", locale = lang.code()));
    }
    // ANCHOR_END: run
}

// ANCHOR: find_templates
/// `--templates` if given; else `./templates` if there is one (running from
/// the repository root, as `just` and `cargo run` do); else the repository's
/// own `templates/`, found from where this crate was compiled, so that the
/// server also starts from another directory (the benchmark harness runs
/// it from `../shared/peers`).
pub fn find_templates(given: Option<PathBuf>) -> PathBuf {
    given.unwrap_or_else(|| {
        let here = PathBuf::from("templates");
        let repository = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../templates"));
        if here.is_dir() || !repository.is_dir() {
            here
        } else {
            repository
        }
    })
}
// ANCHOR_END: find_templates

/// `http.createServer(handler).listen(…)`: one task per connection, each
/// request answered by `handler` and logged in one line; at `shutdown`, no
/// new connections, and requests in flight get `grace` to finish.
///
/// The same as `http-static`'s loop, but for the access log: every page
/// here is built in memory, so its line is written as soon as the page is
/// ready, `GET /guestbook 200 2817 bytes in 1.2ms (zh-CN page)`, in `lang`.
pub async fn serve<H, F>(
    listener: TcpListener,
    handler: H,
    grace: Duration,
    lang: Lang,
    shutdown: impl Future<Output = ()>,
) where
    H: Fn(Request<Incoming>) -> F + Send + Sync + 'static,
    F: Future<Output = Response<Body>> + Send + 'static,
{
    // Every connection task calls the one handler: `Arc` shares it.
    let handler = Arc::new(handler);
    let mut http = http1::Builder::new();
    // A client gets 30 s to send its request headers, then it is closed.
    http.timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(30));
    // `graceful` asks every connection to finish at shutdown; `tracker`
    // waits for them, and `closing` ends them when the grace is over.
    let graceful = GracefulShutdown::new();
    let tracker = TaskTracker::new();
    let closing = CancellationToken::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = common::net::accept(&listener) => accepted,
            () = &mut shutdown => break,
        };
        let handler = Arc::clone(&handler);
        let service = service_fn(move |request: Request<Incoming>| {
            let (method, path) = (request.method().clone(), request.uri().path().to_owned());
            let started = Instant::now();
            let response = handler(request);
            async move {
                let response = response.await;
                let (status, bytes) = (
                    response.status().as_u16(),
                    response.body().size_hint().lower(),
                );
                let elapsed = format!("{:.1?}", started.elapsed());
                let line = format!("{method} {path} {status}");
                let locale = lang.code();
                let page = response.headers().get(CONTENT_LANGUAGE);
                let line = match page.and_then(|value| value.to_str().ok()) {
                    Some(page) => t!(
                        "log.request_page",
                        locale = locale,
                        line = line,
                        bytes = bytes,
                        elapsed = elapsed,
                        lang = page
                    ),
                    None => t!(
                        "log.request",
                        locale = locale,
                        line = line,
                        bytes = bytes,
                        elapsed = elapsed
                    ),
                };
                info!(%peer, "{line}");
                Ok::<_, Infallible>(response)
            }
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        let closing = closing.clone();
        tracker.spawn(async move {
            tokio::select! {
                result = connection => if let Err(error) = result {
                    debug!(%peer, %error, "{}", t!("log.connection_error", locale = lang.code()));
                },
                () = closing.cancelled() => {
                    debug!(%peer, "{}", t!("log.grace_over", locale = lang.code()));
                }
            }
        });
    }
    // `server.close()`: stop accepting, let requests in flight finish.
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
