//! The server: the templates, the database and the routes, served by the
//! course's shared hyper loop (`common::http::serve`, as `http-static`).

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;

use crate::app::App;
use crate::pages::Pages;
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
}

impl Server {
    /// Takes a listener that is already bound (`main` binds, and explains
    /// a port in use), checks the template directory and opens the
    /// database.
    pub async fn new(listener: TcpListener, config: Config) -> Result<Server, StartError> {
        let pages = Pages::new(&config.templates, config.reload).map_err(StartError::Templates)?;
        let (store, closed) = Store::open(&config.db, config.busy_timeout).await?;
        Ok(Server {
            listener,
            app: Arc::new(App::new(pages, store, config.body_timeout)),
            closed,
            grace: config.grace,
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
        } = self;
        let handler = move |request| {
            let app = Arc::clone(&app);
            async move { app.respond(request).await }
        };
        common::http::serve(listener, handler, grace, shutdown).await;
        // `serve` has dropped the handler, and with it the last `Store`:
        // the database thread finishes its queue and closes the file.
        closed.wait().await;
        tracing::info!("database closed");
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
