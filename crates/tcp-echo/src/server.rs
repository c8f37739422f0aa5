//! The echo server: `net.createServer((c) => { c.write('hello\r\n'); c.pipe(c) })`,
//! the seed's server (`examples/echo-server.rs`) made ready for a classroom.
//!
//! Read it top to bottom:
//!
//! 1. [`Server::run`]: `server.listen` and the `'connection'` event, an
//!    accept loop that gives each client its own task;
//! 2. `echo`: the seed's `c.write('hello\r\n'); c.pipe(c)`, written out
//!    so that the half-close and backpressure show;
//! 3. below "What the seed leaves out": a limit on connections
//!    (`server.maxConnections`), an idle timeout (`socket.setTimeout`), a
//!    live count of open connections (`server.getConnections()`), and a
//!    Ctrl-C that lets clients finish (`server.close()`).

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use common::lang::Lang;
use rust_i18n::t;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::{info, warn};

/// The greeting every client gets first, as in the seed.
pub const GREETING: &[u8] = b"hello\r\n";

/// How much of the stream we hold at a time. This buffer is all the memory a
/// connection costs, however much the client sends: we never read more until
/// the last piece has been written back. 64 KiB per `read` keeps the number
/// of system calls low when a client streams (16 KiB echoed 3x slower).
const CHUNK: usize = 64 * 1024;

/// A bound echo server, ready to [`run`](Server::run).
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    config: Config,
    /// The number of open connections: `server.getConnections()`.
    ///
    /// A `watch` channel holds one value that anyone can read, and that a
    /// reader can wait on until it changes (a test waits for "0 open").
    /// `Arc` (atomically reference-counted) lets every connection task own
    /// a handle to the same channel: the count lives until the last handle
    /// is dropped.
    open: Arc<watch::Sender<usize>>,
}

impl Server {
    /// Takes a listener that is already bound: binding is where the errors a
    /// user must fix happen (port in use), so `main` does it and explains.
    pub fn new(listener: TcpListener, config: Config) -> Self {
        Self {
            listener,
            config,
            open: Arc::new(watch::Sender::new(0)),
        }
    }

    /// `server.address()`: where we really listen (the port, if it was 0).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// `server.getConnections()`, live: `*connections().borrow()` is the
    /// count now, and `.wait_for(|n| *n == 0)` waits until all are gone.
    pub fn connections(&self) -> watch::Receiver<usize> {
        self.open.subscribe()
    }

    /// Accepts connections until `shutdown` resolves, then closes like
    /// `server.close()`: no new connections, the open ones get
    /// [`Config::grace`] to finish, then the rest are closed.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let Server {
            listener,
            config,
            open,
        } = self;
        // For Ctrl-C (see "What the seed leaves out"): every connection task
        // is spawned on the `TaskTracker`, so that at shutdown we can wait
        // for all of them, and `closing`, a `CancellationToken`, is a flag
        // every task can wait on: cancelling it tells the stragglers to stop.
        let tracker = TaskTracker::new();
        let closing = CancellationToken::new();
        // `select!` below polls `shutdown` again on every turn of the loop;
        // `pin!` fixes it in place so that it can be polled by reference.
        tokio::pin!(shutdown);

        // ANCHOR: accept
        loop {
            // `select!` waits for whichever comes first: a new client (the
            // `'connection'` event) or Ctrl-C, which ends the loop.
            let (socket, peer) = tokio::select! {
                accepted = common::net::accept(&listener) => accepted,
                () = &mut shutdown => break,
            };

            // `server.maxConnections`, if set: read as "if there is a
            // maximum, and that many are open".
            if let Some(max) = config.max_connections
                && *open.borrow() >= max
            {
                // Dropping the socket closes it: the client sees the
                // connection end before any greeting.
                warn!(%peer, max, "{}", t!("log.refused", locale = config.lang.code()));
                continue;
            }

            // Counts this connection until its task ends, however it ends.
            let guard = OpenConnection::new(&open);
            let connected = t!("log.connected", locale = config.lang.code());
            info!(%peer, open = guard.count(), "{connected}");
            // One task per client: `spawn` runs it concurrently with this loop
            // and with every other client, as Node's event loop would.
            tracker.spawn(handle_connection(
                socket,
                peer,
                guard,
                config.idle_timeout,
                config.lang,
                closing.clone(),
            ));
        }
        // ANCHOR_END: accept

        // `server.close()`: dropping the listener stops accepting, so new
        // clients are refused by the OS from here on.
        drop(listener);
        tracker.close();
        let still_open = *open.borrow();
        let say = |key: &str| t!(key, locale = config.lang.code()).into_owned();
        info!(open = still_open, grace = ?config.grace, "{}", say("log.closing"));
        if tokio::time::timeout(config.grace, tracker.wait())
            .await
            .is_err()
        {
            warn!(open = *open.borrow(), "{}", say("log.grace_over"));
            closing.cancel();
            tracker.wait().await;
        }
        info!("{}", say("log.closed"));
    }
}

/// One client, from `connection` to `close`: the echo, unless the server
/// is closing first.
async fn handle_connection(
    mut socket: TcpStream,
    peer: SocketAddr,
    open: OpenConnection,
    idle_timeout: Option<Duration>,
    lang: Lang,
    closing: CancellationToken,
) {
    let ending = tokio::select! {
        ending = echo(&mut socket, idle_timeout) => ending,
        () = closing.cancelled() => Ok(Ending::ServerClosing),
    };
    // Dropping the socket closes it; then the count goes down.
    drop(socket);
    let open = open.close();
    // One log line per disconnect, in words, in the teacher's language.
    let say = |key: &str| t!(key, locale = lang.code()).into_owned();
    match ending {
        Ok(Ending::ClientEnded) => info!(%peer, open, "{}", say("log.disconnected")),
        Ok(Ending::Idle(after)) => info!(%peer, open, ?after, "{}", say("log.idle")),
        Ok(Ending::ServerClosing) => info!(%peer, open, "{}", say("log.closed_for_shutdown")),
        // A reset or a broken pipe is the client's doing and ends only this
        // connection; the server goes on.
        Err(error) => info!(%peer, open, %error, "{}", say("log.abrupt")),
    }
}

// ANCHOR: echo
/// `c.write('hello\r\n'); c.pipe(c)`: greet, then send back every byte the
/// client sends, until the client ends its side.
async fn echo(socket: &mut TcpStream, idle_timeout: Option<Duration>) -> io::Result<Ending> {
    socket.write_all(GREETING).await?;
    let mut buffer = vec![0; CHUNK];
    loop {
        // `read` gives whatever has arrived, from 1 byte to CHUNK: TCP keeps
        // no message boundaries, so we never assume "one read = one write".
        let Some(n) = within(idle_timeout, socket.read(&mut buffer)).await? else {
            return Ok(Ending::Idle(idle_timeout.unwrap_or_default()));
        };
        if n == 0 {
            // 0 bytes means the client sent FIN (`socket.end()`): everything
            // it sent has been echoed, so we end our side too. Until now its
            // half-closed connection could still receive.
            socket.shutdown().await?;
            return Ok(Ending::ClientEnded);
        }
        // Writing waits while the client is not reading (its receive window
        // is full), and while we wait we read nothing more: the client's
        // sends slow down in turn. That is backpressure, what `pipe` does.
        if within(idle_timeout, socket.write_all(&buffer[..n]))
            .await?
            .is_none()
        {
            return Ok(Ending::Idle(idle_timeout.unwrap_or_default()));
        }
    }
}
// ANCHOR_END: echo

// ───────────────────────── What the seed leaves out ─────────────────────────
//
// Everything below keeps a classroom's server healthy: the flags that limit
// connections and idle time, the count of open connections, how a
// connection ended (for the log), and the idle timer itself.

/// What the command-line flags can change.
#[derive(Debug, Clone)]
pub struct Config {
    /// `server.maxConnections`: connections beyond this many are closed at once.
    pub max_connections: Option<usize>,
    /// `socket.setTimeout(ms)`: a connection silent for this long is closed.
    pub idle_timeout: Option<Duration>,
    /// After Ctrl-C, how long open connections may go on before we close them.
    pub grace: Duration,
    /// The language of the log lines (the teacher's: `--lang`, or LANG).
    pub lang: Lang,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            max_connections: None,
            idle_timeout: None,
            grace: Duration::from_secs(3),
            lang: Lang::En,
        }
    }
}

/// Counts one open connection for as long as it lives: `+1` when made, `-1`
/// when dropped, whichever way the connection task ends (even by a panic).
struct OpenConnection {
    open: Arc<watch::Sender<usize>>,
}

impl OpenConnection {
    fn new(open: &Arc<watch::Sender<usize>>) -> Self {
        open.send_modify(|n| *n += 1);
        Self {
            open: Arc::clone(open),
        }
    }

    /// How many connections are open now, this one included.
    fn count(&self) -> usize {
        *self.open.borrow()
    }

    /// Stops counting this connection; returns how many are still open.
    fn close(self) -> usize {
        let open = Arc::clone(&self.open);
        drop(self);
        *open.borrow()
    }
}

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.open.send_modify(|n| *n -= 1);
    }
}

/// How a connection ended, for the log.
enum Ending {
    /// The client ended its side (FIN) and got every byte back.
    ClientEnded,
    /// The client was silent for longer than the idle timeout.
    Idle(Duration),
    /// The server was shutting down and the grace period ran out.
    ServerClosing,
}

/// Runs `io` with the idle timeout, if there is one: `None` when it ran out.
async fn within<T>(
    limit: Option<Duration>,
    io: impl Future<Output = io::Result<T>>,
) -> io::Result<Option<T>> {
    match limit {
        Some(limit) => match tokio::time::timeout(limit, io).await {
            Ok(result) => result.map(Some),
            Err(_elapsed) => Ok(None),
        },
        None => io.await.map(Some),
    }
}
