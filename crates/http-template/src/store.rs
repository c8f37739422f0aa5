//! The guestbook's messages, in one SQLite file, through rusqlite.
//!
//! SQLite is a library, not a server: a query runs on the calling thread
//! and blocks it until the disk answers. A tokio worker thread must never
//! block (every connection it drives would stall), so all database work
//! happens on **one thread of its own**, which owns the only connection.
//! Requests send it jobs over a channel and await the answer.
//!
//! Why one dedicated thread rather than `tokio::task::spawn_blocking` for
//! each query? SQLite lets one writer in at a time anyway; with a single
//! connection on a single thread, our own writes queue in the channel
//! instead of racing for the file lock, so none of them can fail with
//! "database is locked". The connection and its prepared statements are
//! reused for every query, and the bounded channel is the backpressure: when
//! [`QUEUE`] jobs are waiting, a request waits for a slot. (Reads could run
//! in parallel on a pool of connections; but the one thread needs about
//! 20 µs for a guestbook page's queries, less than rendering the page
//! takes, so it is not what limits us: see docs/benchmarks.md.)
//!
//! Another *program* can still hold the lock (the `sqlite3` shell in a
//! second terminal, say): WAL mode lets readers and our writer work side by
//! side, and `busy_timeout` makes SQLite wait for a writer's lock instead of
//! failing at once. Only past that wait does a request get a 503.

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::lang::Lang;
use rusqlite::{Connection, ErrorCode, params};
use serde::Serialize;
use tokio::sync::{mpsc, oneshot};
use tracing::info;

/// How many jobs may wait for the database thread before a request waits
/// to hand in its own.
pub const QUEUE: usize = 256;

/// Messages on one page of the guestbook.
pub const PER_PAGE: u32 = 20;

/// The table, created the first time the file is opened. The `CHECK`s
/// repeat the form's rules in the database itself: a bug in the server can
/// not store an empty or a 5 MB message. SQLite's `length()` counts
/// characters, as `str::chars().count()` does.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS messages (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 40),
    message    TEXT    NOT NULL CHECK (length(message) BETWEEN 1 AND 1000),
    created_at INTEGER NOT NULL DEFAULT (unixepoch())
);";

/// One stored message, as pages and the JSON API show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub id: i64,
    pub name: String,
    pub message: String,
    /// When it was posted, in UTC: `2026-11-25T20:30:00Z` (ISO 8601).
    pub time: String,
}

/// One page of messages, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Page {
    /// This page's number, from 1.
    pub page: u32,
    /// How many pages there are (at least 1, even with no messages).
    pub pages: u32,
    /// How many messages there are in all.
    pub total: u64,
    pub messages: Vec<Message>,
}

/// Why a database call failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another program held the lock for longer than `busy_timeout`.
    #[error("the database is busy (another program holds its lock)")]
    Busy,
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
    /// The database thread is gone (it panicked, or the server is stopping).
    #[error("the database thread has stopped")]
    Stopped,
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        match error.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy,
            _ => StoreError::Sqlite(error),
        }
    }
}

/// A job for the database thread: a function that gets the connection.
type Job = Box<dyn FnOnce(&mut Connection) + Send>;

/// A handle to the database thread. Cheap to clone: every clone sends to
/// the same thread, which ends when the last clone is dropped.
#[derive(Debug, Clone)]
pub struct Store {
    jobs: mpsc::Sender<Job>,
}

impl Store {
    // ANCHOR: open
    /// Opens (or creates, with its directory and table) the database at
    /// `path` on a new thread, and returns a handle to it, and a [`Closed`]
    /// to wait for the thread to end. `busy_timeout` is how long a write
    /// waits for another program's lock; `lang` is the log's language.
    pub async fn open(
        path: &Path,
        busy_timeout: Duration,
        lang: Lang,
    ) -> Result<(Store, Closed), OpenError> {
        let path = path.to_path_buf();
        let (jobs, mut queue) = mpsc::channel::<Job>(QUEUE);
        let (opened, open_result) = oneshot::channel();
        let (finished, closed) = oneshot::channel::<()>();
        std::thread::Builder::new()
            .name("guestbook-db".into())
            .spawn(move || {
                // Dropped when this thread ends, whichever way: that is
                // what `Closed::wait` waits for.
                let _finished = finished;
                let mut connection = match connect(&path, busy_timeout, lang) {
                    Ok(connection) => connection,
                    Err(error) => {
                        let _ = opened.send(Err(error));
                        return;
                    }
                };
                let _ = opened.send(Ok(()));
                // `blocking_recv`: this thread is ours, it may wait. The loop
                // ends when every `Store` is dropped; dropping the connection
                // then closes the file (and folds the WAL back into it).
                while let Some(job) = queue.blocking_recv() {
                    job(&mut connection);
                }
            })
            .map_err(|error| OpenError::Thread { error })?;
        open_result.await.map_err(|_| OpenError::Thread {
            error: std::io::Error::other("the database thread ended"),
        })??;
        Ok((Store { jobs }, Closed(closed)))
    }
    // ANCHOR_END: open

    // ANCHOR: call
    /// Runs `work` on the database thread and returns its result.
    async fn call<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |connection| {
            // The request may have gone (client disconnected): then nobody
            // wants the answer, and that is fine.
            let _ = reply.send(work(connection));
        });
        self.jobs.send(job).await.map_err(|_| StoreError::Stopped)?;
        Ok(answer.await.map_err(|_| StoreError::Stopped)??)
    }
    // ANCHOR_END: call

    // ANCHOR: add
    /// Stores a message (already checked by the form) and returns its id.
    /// The values travel as bound parameters (`?1`, `?2`), never as part
    /// of the SQL text: a name like `'); DROP TABLE messages; --` is stored
    /// as the harmless text it is.
    pub async fn add(&self, name: String, message: String) -> Result<i64, StoreError> {
        self.call(move |connection| {
            connection
                .prepare_cached("INSERT INTO messages (name, message) VALUES (?1, ?2)")?
                .insert(params![name, message])
        })
        .await
    }
    // ANCHOR_END: add

    // ANCHOR: page
    /// Page `requested` of the guestbook, newest first. A number past the
    /// last page gives the last page, and one below 1 the first: a stale or
    /// mistyped link still shows messages, never an error.
    pub async fn page(&self, requested: i64) -> Result<Page, StoreError> {
        self.call(move |connection| {
            // One transaction, so the count and the rows agree even if a
            // message is posted between the two queries.
            let transaction = connection.transaction()?;
            // SQLite's integers are i64.
            let total: i64 = transaction
                .prepare_cached("SELECT COUNT(*) FROM messages")?
                .query_row([], |row| row.get(0))?;
            let pages = (total.max(0) as u64).div_ceil(u64::from(PER_PAGE)).max(1);
            let pages = u32::try_from(pages).unwrap_or(u32::MAX);
            let page = u32::try_from(requested.clamp(1, i64::from(pages))).unwrap_or(1);
            let messages = transaction
                .prepare_cached(
                    "SELECT id, name, message,
                            strftime('%Y-%m-%dT%H:%M:%SZ', created_at, 'unixepoch')
                     FROM messages ORDER BY id DESC LIMIT ?1 OFFSET ?2",
                )?
                .query_map(
                    params![PER_PAGE, i64::from(page - 1) * i64::from(PER_PAGE)],
                    |row| {
                        Ok(Message {
                            id: row.get(0)?,
                            name: row.get(1)?,
                            message: row.get(2)?,
                            time: row.get(3)?,
                        })
                    },
                )?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            transaction.commit()?;
            Ok(Page {
                page,
                pages,
                total: total.max(0) as u64,
                messages,
            })
        })
        .await
    }
    // ANCHOR_END: page
}

/// Resolves when the database thread has closed the file: after the last
/// [`Store`] handle is dropped and every job sent before has run.
#[derive(Debug)]
pub struct Closed(oneshot::Receiver<()>);

impl Closed {
    pub async fn wait(self) {
        let _ = self.0.await;
    }
}

/// Why the database could not be opened, worded for the person who typed
/// `--db`.
/// (The cause is part of the sentence, not a separate `source`, so that
/// `common::exit::report` prints it once.)
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot create the directory {dir} for the database: {error}")]
    Directory { dir: PathBuf, error: std::io::Error },
    #[error("cannot open the database {path}: {error}")]
    Sqlite {
        path: PathBuf,
        error: rusqlite::Error,
    },
    #[error("cannot start the database thread: {error}")]
    Thread { error: std::io::Error },
}

// ANCHOR: connect
/// Opens the file, creating its directory and the table on first use.
fn connect(path: &Path, busy_timeout: Duration, lang: Lang) -> Result<Connection, OpenError> {
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|error| OpenError::Directory {
            dir: dir.to_path_buf(),
            error,
        })?;
    }
    let sqlite = |error| OpenError::Sqlite {
        path: path.to_path_buf(),
        error,
    };
    let connection = Connection::open(path).map_err(sqlite)?;
    // Wait this long for another program's lock before giving up.
    connection.busy_timeout(busy_timeout).map_err(sqlite)?;
    // Write-ahead log: readers never block the writer, nor it them; NORMAL
    // sync is safe in WAL mode (a crash loses no committed message, a power
    // cut at most the last ones) and much faster than FULL.
    connection
        .pragma_update(None, "journal_mode", "WAL")
        .map_err(sqlite)?;
    connection
        .pragma_update(None, "synchronous", "NORMAL")
        .map_err(sqlite)?;
    connection.execute_batch(SCHEMA).map_err(sqlite)?;
    let count: i64 = connection
        .query_row("SELECT COUNT(*) FROM messages", [], |row| row.get(0))
        .map_err(sqlite)?;
    let open = rust_i18n::t!("log.db_open", locale = lang.code());
    info!(path = %path.display(), messages = count, "{open}");
    Ok(connection)
}
// ANCHOR_END: connect
