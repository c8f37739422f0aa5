//! The chat server: `net.createServer`, one task per client, one shared room.
//!
//! The seed's version (and `examples/chat-server.rs`) reads each client's data,
//! parses it, and writes to the sockets in its container. Read this one top
//! to bottom:
//!
//! 1. [`Server::run`]: the accept loop, one task per client;
//! 2. `handle_connection`: one client, from `'connection'` to `'close'`:
//!    its reader (this task) and its writer (a task of its own);
//! 3. `Session::handle`: the seed's rules, message by message: login,
//!    broadcast, p2p, users;
//! 4. `write_lines`: the writer task;
//! 5. below "What the seed leaves out": the limits a classroom needs
//!    (connections, idle time, queue sizes), how a connection ended, and
//!    a Ctrl-C that tells everyone goodbye.
//!
//! Lines marked "Chapter 7" share the room with other servers when the
//! server runs with `--redis` (see [`crate::cluster`]); without it,
//! `cluster` is `None` and they do nothing.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use common::chat::{CLIENT_TYPES_WITHOUT_TYPING, ClientMessage, P2pTo, ServerMessage};
use common::lang::Lang;
use futures_util::StreamExt;
use rust_i18n::t;
use tokio::io::AsyncWriteExt;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_util::codec::FramedRead;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::{debug, info, warn};

use crate::cluster::Cluster;
use crate::framing::{Frame, FrameError, JsonStream, to_line};
use crate::room::{self, Inbox, Outbox, Room, Why};

/// What every client is told when the server stops, in its language.
pub fn shutdown_notice(lang: Lang) -> String {
    t!("chat.shutdown", locale = lang.code()).into()
}

/// How much of a client's stream we buffer to begin with. It grows for a
/// long message (up to the 64 KiB limit) and stays small for an idle client:
/// with thousands connected, this buffer is most of what each one costs.
const READ_BUFFER: usize = 1024;

/// The most bytes one write to a socket carries when lines are waiting.
const BATCH: usize = 16 * 1024;

/// A bound chat server, ready to [`run`](Server::run).
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    config: Config,
    /// The one room everyone joins.
    room: Arc<Room>,
    /// Open connections (logged in or not), as a `watch` channel so a test
    /// or the demo can wait for a number: `server.getConnections()`.
    open: Arc<watch::Sender<usize>>,
    /// Chapter 7: the other servers sharing this room, with `--redis`.
    cluster: Cluster,
}

impl Server {
    /// Takes a listener that is already bound (`main` binds, and explains a
    /// port in use).
    pub fn new(listener: TcpListener, config: Config) -> Self {
        Self {
            listener,
            config,
            room: Arc::new(Room::new()),
            open: Arc::new(watch::Sender::new(0)),
            cluster: Cluster::default(),
        }
    }

    /// Chapter 7: shares the room with other servers (see
    /// [`Cluster::join`], which takes this server's [`room`](Self::room)).
    pub fn with_cluster(mut self, cluster: Cluster) -> Self {
        self.cluster = cluster;
        self
    }

    /// `server.address()`: where we really listen.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The number of open connections, live (see `tcp-echo`'s twin).
    pub fn connections(&self) -> watch::Receiver<usize> {
        self.open.subscribe()
    }

    /// The room, to look at from a test or the demo.
    pub fn room(&self) -> Arc<Room> {
        Arc::clone(&self.room)
    }

    /// Serves until `shutdown` resolves; then every client is told the
    /// server is shutting down, every connection is closed, and this returns.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let Server {
            listener,
            config,
            room,
            open,
            cluster,
        } = self;
        // Every connection task reads the config and the room: `Arc` shares
        // one copy between them (cloning an `Arc` copies a pointer, not the
        // room).
        let config = Arc::new(config);
        // For Ctrl-C: connection tasks are spawned on the `TaskTracker` so
        // that we can wait for all of them at the end, and cancelling the
        // `CancellationToken` `closing` tells each of them to say goodbye.
        let tracker = TaskTracker::new();
        let closing = CancellationToken::new();
        // `pin!` lets `select!` poll the same `shutdown` on every turn.
        tokio::pin!(shutdown);

        loop {
            // Whichever comes first: a new client, or Ctrl-C.
            let (socket, peer) = tokio::select! {
                accepted = common::net::accept(&listener) => accepted,
                () = &mut shutdown => break,
            };
            // `server.maxConnections`, if set (see `refuse`).
            if let Some(max) = config.max_connections
                && *open.borrow() >= max
            {
                refuse(&socket, max, config.lang);
                warn!(%peer, max, "{}", t!("log.refused", locale = config.lang.code()));
                continue;
            }
            open.send_modify(|n| *n += 1);
            let connected = t!("log.connected", locale = config.lang.code());
            info!(%peer, open = *open.borrow(), "{connected}");
            let (room, config, closing, open, cluster) = (
                Arc::clone(&room),
                Arc::clone(&config),
                closing.clone(),
                Arc::clone(&open),
                cluster.clone(),
            );
            // One task per client, running alongside all the others. `move`
            // gives the task its own handles, cloned just above.
            tracker.spawn(async move {
                handle_connection(socket, peer, room, &config, closing, cluster).await;
                open.send_modify(|n| *n -= 1);
            });
        }

        // Stop accepting (`server.close()`), then tell every connection to
        // say goodbye and close; each one takes at most `grace`.
        drop(listener);
        let locale = config.lang.code();
        info!(
            open = *open.borrow(),
            "{}",
            t!("log.closing", locale = locale)
        );
        closing.cancel();
        tracker.close();
        tracker.wait().await;
        // Chapter 7: the other servers hear that our users left.
        cluster.shutdown().await;
        info!("{}", t!("log.closed", locale = locale));
    }
}

// ANCHOR: connection
/// One client, from `'connection'` to `'close'`.
async fn handle_connection(
    socket: TcpStream,
    peer: SocketAddr,
    room: Arc<Room>,
    config: &Config,
    closing: CancellationToken,
    cluster: Cluster,
) {
    // Chat lines are small and should leave at once, not wait to be merged
    // with the next one (Nagle's algorithm; Node's `socket.setNoDelay()`).
    let _ = socket.set_nodelay(true);
    // `into_split` gives two owned halves, so reading and writing can go on
    // in different tasks.
    let (reader, writer) = socket.into_split();
    let (outbox, queue) = room::queue(config.queue, config.queue_bytes);
    // The writer gets its own task: we keep reading what this client sends
    // while its earlier lines are still on their way to it.
    let mut writing = tokio::spawn(write_lines(writer, queue));

    // The server speaks its own language (`--lang`) to every connection: a
    // student typing into `nc` has no way to tell us theirs.
    let lang = config.lang;
    let mut session = Session {
        room: Arc::clone(&room),
        outbox,
        nickname: None,
        lang,
        peer,
        cluster,
    };
    let decoder = JsonStream::for_server(lang);
    let frames = FramedRead::with_capacity(reader, decoder, READ_BUFFER);
    let ending = session.serve(frames, config.idle_timeout, &closing).await;

    session.still_logged_in();
    let Session {
        outbox,
        nickname,
        cluster,
        ..
    } = session;
    let locale = lang.code();
    if let Some(nickname) = &nickname {
        let why = match &ending {
            Ending::TooSlow => Some(Why::TooSlow),
            Ending::Idle(after) => Some(Why::Idle(*after)),
            _ => None,
        };
        if let Ending::ServerClosing = ending {
            room.remove(nickname);
        } else if let Some(count) = room.leave(nickname, why) {
            info!(%peer, "{}", t!("log.left", locale = locale, nickname = nickname, count = count));
            // Chapter 7: and on the other servers.
            cluster.left(nickname).await;
        }
    }
    if let Ending::ServerClosing = ending {
        outbox.send(&ServerMessage::log(shutdown_notice(lang)));
    }
    // Our outbox was the last sender to this queue (the room's copy went
    // with `leave`): dropping it lets the writer finish what is queued, then
    // close. A client that is not reading gets no more time.
    drop(outbox);
    if let Ending::TooSlow = ending {
        writing.abort();
    } else if tokio::time::timeout(config.grace, &mut writing)
        .await
        .is_err()
    {
        writing.abort();
    }
    // One line per disconnect, saying how in words.
    let who = nickname.as_deref().unwrap_or("-");
    let how = ending.in_lang(lang);
    info!(%peer, who, "{}", t!("log.disconnected", locale = locale, how = how));
}
// ANCHOR_END: connection

/// One client's side of the conversation.
struct Session {
    room: Arc<Room>,
    /// Where replies to this client go: the same queue as the room's lines,
    /// so replies and broadcasts reach it in the order they happened.
    outbox: Outbox,
    /// `None` until a login succeeds. The server's record of who this is:
    /// `nickname` and `from` in what others receive always come from here.
    nickname: Option<String>,
    /// The language we answer this client in.
    lang: Lang,
    /// Who it is on the network, for the log.
    peer: SocketAddr,
    /// Chapter 7: the other servers, with `--redis`.
    cluster: Cluster,
}

impl Session {
    // ANCHOR: handle
    /// Answers one message, by what it is and whether we are logged in.
    async fn handle(&mut self, message: ClientMessage) {
        debug!(?message, who = ?self.nickname, "message");
        let locale = self.lang.code();
        self.still_logged_in();
        let Some(me) = self.nickname.as_deref() else {
            match message {
                ClientMessage::Login(login) => self.log_in(&login.nickname).await,
                _ => self.error(t!("chat.log_in_first", locale = locale)),
            }
            return;
        };
        match message {
            ClientMessage::Login(_) => {
                self.error(t!("chat.already", locale = locale, nickname = me))
            }
            // The seed writes a broadcast to every socket, the sender's too.
            ClientMessage::Broadcast(broadcast) => {
                // Chapter 7: and the other servers write it to theirs.
                self.cluster.broadcast(me, &broadcast.message).await;
                let message = ServerMessage::broadcast(me, broadcast.message);
                self.room.send_to_all(&message);
            }
            ClientMessage::P2p(P2pTo { to, message }) => {
                let sent = self.room.send_private(me, &to, &message, self.lang);
                // Chapter 7: or to someone on another server.
                if let Err(why) = sent
                    && !self.cluster.send_private(me, &to, &message).await
                {
                    self.error(why);
                }
            }
            ClientMessage::Users => self.outbox.send(&self.room.users_message()),
            // `typing` is in the shared protocol for ws-chat: this room
            // answers it as the unknown type it is here, listing what it takes.
            ClientMessage::Typing(_) => {
                let unknown =
                    common::chat::unknown_type_in("typing", CLIENT_TYPES_WITHOUT_TYPING, self.lang);
                self.error(t!("chat.no_typing", locale = locale, unknown = unknown));
            }
        }
    }
    // ANCHOR_END: handle

    /// `{"type":"login"}`: joins the room under that nickname, or says why not.
    async fn log_in(&mut self, requested: &str) {
        // Chapter 7: the nickname must be free on every server, not only here.
        if !self.cluster.claim(requested, &self.outbox, self.lang).await {
            return;
        }
        self.nickname = self.room.join(requested, &self.outbox, self.lang);
        // Chapter 7: tell the other servers (or give the claim back).
        let joined = self.nickname.as_deref();
        self.cluster.joined(requested, joined).await;
        if let Some(nickname) = &self.nickname {
            let count = self.room.online();
            let locale = self.lang.code();
            let said = t!(
                "log.logged_in",
                locale = locale,
                nickname = nickname,
                count = count
            );
            info!(peer = %self.peer, "{said}");
        }
    }

    /// Chapter 7: a cluster may have logged this client out (its nickname
    /// was taken on another server while Redis was away; see `cluster`).
    fn still_logged_in(&mut self) {
        if self.cluster.is_linked()
            && let Some(me) = &self.nickname
            && !self.room.holds(me, &self.outbox)
        {
            self.nickname = None;
        }
    }

    /// `{"type":"error","message":why}` to this client; the connection goes on.
    fn error(&self, why: impl Into<String>) {
        self.outbox.send(&ServerMessage::error(why));
    }

    /// Reads messages and answers them until the connection has to end.
    async fn serve(
        &mut self,
        mut frames: FramedRead<OwnedReadHalf, JsonStream<ClientMessage>>,
        idle_timeout: Option<Duration>,
        closing: &CancellationToken,
    ) -> Ending {
        loop {
            // Wait for whichever comes first: a message, silence for too
            // long, our queue overflowing, or Ctrl-C.
            let event = tokio::select! {
                next = frames.next() => Event::Frame(next),
                () = idle(idle_timeout) => Event::Idle,
                () = self.outbox.overflowed() => Event::Overflowed,
                () = closing.cancelled() => Event::Closing,
            };
            match event {
                Event::Frame(Some(Ok(Frame::Message(message)))) => self.handle(message).await,
                Event::Frame(Some(Ok(Frame::Invalid(why)))) => self.error(why),
                Event::Frame(Some(Err(FrameError::TooLong { limit }))) => {
                    let kib = limit / 1024;
                    self.error(t!("chat.too_long", locale = self.lang.code(), kib = kib));
                    return Ending::TooLong;
                }
                Event::Frame(Some(Err(FrameError::Io(error)))) => return Ending::Broken(error),
                Event::Frame(None) => return Ending::ClientEnded,
                Event::Idle => return Ending::Idle(idle_timeout.unwrap_or_default()),
                Event::Overflowed => return Ending::TooSlow,
                Event::Closing => return Ending::ServerClosing,
            }
        }
    }
}

// ANCHOR: write_lines
/// The writer task: takes lines from the client's queue and writes them to
/// its socket, until every sender is gone; then closes our side (`end()`).
async fn write_lines(mut socket: OwnedWriteHalf, mut queue: Inbox) -> io::Result<()> {
    while let Some(line) = queue.recv().await {
        // When the room is busy, more lines are already waiting: send them
        // with this one, one system call for many lines.
        let mut batch = line.to_vec();
        while batch.len() < BATCH
            && let Some(line) = queue.try_recv()
        {
            batch.extend_from_slice(&line);
        }
        // This waits while the client's socket buffer is full, which is when
        // the queue above fills up.
        socket.write_all(&batch).await?;
    }
    socket.shutdown().await
}
// ANCHOR_END: write_lines

// ───────────────────────── What the seed leaves out ─────────────────────────
//
// The limits a classroom server needs, and how a connection can end: a
// room that is full, a client that goes quiet, sends too much or stops
// reading, and Ctrl-C.

/// What the command-line flags can change.
#[derive(Debug, Clone)]
pub struct Config {
    /// `server.maxConnections`: beyond this many, a new client is told the
    /// room is full and disconnected.
    pub max_connections: Option<usize>,
    /// `socket.setTimeout`: a client silent this long is disconnected (and
    /// announced as having left).
    pub idle_timeout: Option<Duration>,
    /// How many lines may wait for one client, at most. A client that lets
    /// its queue fill up (by not reading) is disconnected.
    ///
    /// The default, 16,384, absorbs a burst: with 50 clients each sending
    /// 200 messages at once, one queue held up to ~3,000 lines (measured)
    /// while its client caught up.
    pub queue: usize,
    /// How many bytes those lines may add up to, at most: what one client
    /// that stops reading can cost us, whatever the size of the messages
    /// (without it, 16,384 messages of 64 KiB would be a gigabyte).
    pub queue_bytes: usize,
    /// After Ctrl-C, how long we try to deliver each client's goodbye.
    pub grace: Duration,
    /// The language the server speaks to every client and logs in.
    pub lang: Lang,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            max_connections: None,
            idle_timeout: None,
            queue: 16 * 1024,
            queue_bytes: 2 * 1024 * 1024,
            grace: Duration::from_secs(2),
            lang: Lang::En,
        }
    }
}

/// Tells a client we will not serve that the room is full. The socket is
/// brand new, so its send buffer is empty and a non-blocking write of one
/// short line fits; dropping the socket afterwards closes it.
fn refuse(socket: &TcpStream, max: usize, lang: Lang) {
    let message = t!("chat.full", locale = lang.code(), max = max);
    let _ = socket.try_write(&to_line(&ServerMessage::error(message)));
}

/// How a connection ended.
#[derive(Debug)]
enum Ending {
    /// The client closed its side (`end`), or its process exited.
    ClientEnded,
    /// The connection broke (a reset).
    Broken(io::Error),
    /// Nothing arrived for the idle timeout.
    Idle(Duration),
    /// One message was over the size limit.
    TooLong,
    /// The client's queue overflowed: it was not reading.
    TooSlow,
    /// Ctrl-C.
    ServerClosing,
}

impl Ending {
    /// How it ended, in words, for the log.
    fn in_lang(&self, lang: Lang) -> String {
        let locale = lang.code();
        match self {
            Ending::ClientEnded => t!("ending.client_ended", locale = locale),
            Ending::Broken(error) => t!("ending.broken", locale = locale, error = error),
            Ending::Idle(after) => {
                let time = room::duration_in(*after, lang);
                t!("ending.idle", locale = locale, time = time)
            }
            Ending::TooLong => t!("ending.too_long", locale = locale),
            Ending::TooSlow => t!("ending.too_slow", locale = locale),
            Ending::ServerClosing => t!("ending.server_closing", locale = locale),
        }
        .into()
    }
}

/// What woke the read loop.
enum Event {
    Frame(Option<Result<Frame<ClientMessage>, FrameError>>),
    Idle,
    Overflowed,
    Closing,
}

/// Resolves after `limit`, or never when there is no limit.
async fn idle(limit: Option<Duration>) {
    match limit {
        Some(limit) => tokio::time::sleep(limit).await,
        None => std::future::pending().await,
    }
}
