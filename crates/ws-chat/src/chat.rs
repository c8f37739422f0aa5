//! The chat on `/ws`: one JSON message per text frame, in the [`Room`].
//!
//! Each client's connection is two tasks, as in tcp-chat: this one reads
//! frames and answers them, and a writer takes frames from the client's
//! bounded queue and sends them. Reading never waits for writing, so a ping
//! is answered (tungstenite queues the pong as it reads) however slow the
//! client is to take its messages.
//!
//! Read it top to bottom: [`serve`] (one client, `io.on('connection')` to
//! `socket.on('disconnect')`), the session's read loop and its rules
//! (`Session::handle`, the seed's `socket.on(…)` handlers), the writer
//! task, then "What the seed leaves out".
//!
//! Lines marked "Chapter 7" share the room with other servers when the
//! server runs with `--redis` (see [`crate::cluster`]); without it,
//! `cluster` is `None` and they do nothing.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use common::chat::{ClientMessage, ServerMessage, explain_decode_error};
use common::lang::Lang;
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use rust_i18n::t;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_util::sync::CancellationToken;
use tracing::{debug, info};

use crate::cluster::Cluster;
use crate::room::{self, Inbox, Outbox, Room, Why};
use crate::upgrade::{WebSocket, close_frame, finish_closing};

/// What every chat session is given by the server, besides its socket.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// How far behind the client may fall before it is dropped.
    pub queue: QueueLimits,
    /// How long the closing handshake may take.
    pub grace: Duration,
    /// The server's `--lang`: the teacher's log lines are in it.
    pub log_lang: Lang,
}

// ANCHOR: serve
/// One client on `/ws`, from `io.on('connection')` to `socket.on('disconnect')`.
/// `lang` is the language this connection asked for: what the server
/// tells this client (answers, notices, errors) is in it. `cluster`: the
/// other servers sharing the room (chapter 7), with `--redis`.
pub async fn serve(
    socket: WebSocket,
    peer: SocketAddr,
    lang: Lang,
    room: Arc<Room>,
    settings: Settings,
    closing: CancellationToken,
    cluster: Cluster,
) {
    let log = settings.log_lang.code();
    info!(%peer, lang = lang.code(), "{}", t!("log.connected", locale = log));
    // `split` gives a sending half (to the writer task) and a receiving half
    // (read here): both can be busy at once.
    let (sink, mut stream) = socket.split();
    // The client's queue: what the room sends it waits here for the writer.
    let (outbox, inbox) = room::queue(settings.queue.frames, settings.queue.bytes);
    let mut writing = tokio::spawn(write_frames(sink, inbox));
    let mut session = Session {
        room: Arc::clone(&room),
        outbox,
        nickname: None,
        peer,
        lang,
        log_lang: settings.log_lang,
        cluster,
    };
    let ending = session.serve(&mut stream, &closing).await;

    session.still_logged_in();
    let Session {
        outbox,
        nickname,
        cluster,
        ..
    } = session;
    if let Some(nickname) = &nickname {
        let why = match &ending {
            Ending::TooSlow => Some(Why::TooSlow),
            Ending::TooBig => Some(Why::TooBig),
            Ending::NotUtf8 => Some(Why::NotUtf8),
            _ => None,
        };
        // Everyone is leaving at Ctrl-C: nobody to tell.
        let online = if matches!(ending, Ending::ServerClosing) {
            room.remove(nickname);
            room.online()
        } else {
            let online = room.leave(nickname, why);
            room.send_users_to_all();
            // Chapter 7: and on the other servers.
            cluster.left(nickname).await;
            online
        };
        let text = t!(
            "log.left",
            locale = log,
            nickname = nickname,
            count = online
        );
        info!(%peer, nickname, online, "{text}");
    }
    // Our outbox was the last sender to this queue (the room's copy went
    // with `leave`): dropping it lets the writer send what is queued, stop,
    // and hand the sending half back.
    drop(outbox);
    // Our last frame, when we are the ones closing, in the client's language.
    let locale = lang.code();
    let our_close = match &ending {
        Ending::ServerClosing => Some(close_frame(
            CloseCode::Away,
            t!("close.shutting_down", locale = locale),
        )),
        Ending::TooBig => Some(close_frame(
            CloseCode::Size,
            t!("close.too_big", locale = locale),
        )),
        Ending::NotUtf8 => Some(close_frame(
            CloseCode::Invalid,
            t!("close.not_utf8", locale = locale),
        )),
        _ => None,
    };
    match ending {
        // Nobody is reading (or can): do not wait for them.
        Ending::TooSlow | Ending::Broken(_) => writing.abort(),
        // The closing handshake: our frames go out, our Close if we are
        // closing, then we read until the client's Close (or its answer to
        // ours) has come and gone.
        _ => {
            let finish = async {
                if let Ok(Ok(mut sink)) = (&mut writing).await
                    && let Some(close) = our_close
                {
                    let _ = sink.send(close).await;
                }
                finish_closing(&mut stream).await;
            };
            if tokio::time::timeout(settings.grace, finish).await.is_err() {
                writing.abort();
            }
        }
    }
    let who = nickname.as_deref().unwrap_or("-");
    let how = ending.in_words(settings.log_lang);
    let text = t!("log.disconnected", locale = log, how = how);
    match ending {
        Ending::Broken(error) => info!(%peer, who, %error, "{text}"),
        _ => info!(%peer, who, "{text}"),
    }
}
// ANCHOR_END: serve

/// One client's side of the conversation.
struct Session {
    room: Arc<Room>,
    /// Where replies to this client go: the same queue as the room's frames,
    /// so replies and broadcasts reach it in the order they happened.
    outbox: Outbox,
    /// `None` until a login succeeds. The server's record of who this is:
    /// `nickname` and `from` in what others receive always come from here.
    nickname: Option<String>,
    /// Where the client connects from, for the log.
    peer: SocketAddr,
    /// The client's language: answers and errors to it are in it.
    lang: Lang,
    /// The teacher's language, for the log.
    log_lang: Lang,
    /// Chapter 7: the other servers, with `--redis`.
    cluster: Cluster,
}

impl Session {
    // ANCHOR: read_loop
    /// Reads frames and answers them until the connection has to end.
    async fn serve(
        &mut self,
        stream: &mut SplitStream<WebSocket>,
        closing: &CancellationToken,
    ) -> Ending {
        loop {
            // Whichever comes first: a frame, our queue overflowing, Ctrl-C.
            let next = tokio::select! {
                next = stream.next() => next,
                () = self.outbox.overflowed() => return Ending::TooSlow,
                () = closing.cancelled() => return Ending::ServerClosing,
            };
            match next {
                Some(Ok(Message::Text(text))) => self.handle_text(&text).await,
                Some(Ok(Message::Binary(_))) => {
                    self.error(t!("chat.binary", locale = self.lang.code()));
                }
                // tungstenite has already queued the pong for a ping; we
                // never send pings, so a pong is unsolicited and ignored.
                Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => {}
                // A Close frame is answered by tungstenite, never relayed.
                Some(Ok(Message::Close(_))) | None => return Ending::ClientClosed,
                Some(Err(WsError::Capacity(_))) => return Ending::TooBig,
                Some(Err(WsError::Utf8(_))) => return Ending::NotUtf8,
                Some(Err(WsError::ConnectionClosed | WsError::AlreadyClosed)) => {
                    return Ending::ClientClosed;
                }
                Some(Err(error)) => return Ending::Broken(error),
            }
        }
    }
    // ANCHOR_END: read_loop

    /// One text frame: a JSON message, or an error saying why it is not one.
    async fn handle_text(&mut self, text: &str) {
        match serde_json::from_str::<ClientMessage>(text) {
            Ok(message) => self.handle(message).await,
            Err(error) => {
                // serde's sentence in English; the same said in Chinese.
                let why = explain_decode_error(text.as_bytes(), &error, self.lang);
                self.error(t!("chat.invalid", locale = self.lang.code(), why = why));
            }
        }
    }

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
                self.error(t!("chat.already", locale = locale, nickname = me));
            }
            // `socket.broadcast.emit`: everyone but the sender, whose page
            // has shown the message already.
            ClientMessage::Broadcast(broadcast) => {
                // Chapter 7: and the other servers' users.
                self.cluster.broadcast(me, &broadcast.message).await;
                let message = ServerMessage::broadcast(me, broadcast.message);
                self.room.send_to_others(me, &message);
            }
            ClientMessage::P2p(p2p) => {
                // Chapter 7: or to someone on another server.
                let sent = self.room.send_private(me, &p2p.to, &p2p.message)
                    || self.cluster.send_private(me, &p2p.to, &p2p.message).await;
                if !sent {
                    self.error(t!("chat.not_online", locale = locale, nickname = p2p.to));
                }
            }
            // `socket.emit`: to this client only.
            ClientMessage::Users => self.outbox.send(&self.room.users_message()),
            ClientMessage::Typing(typing) => {
                // Chapter 7: and the other servers' pages.
                self.cluster.typing(me, typing.typing).await;
                let message = ServerMessage::typing(me, typing.typing);
                self.room.send_to_others(me, &message);
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
        if let Some(nickname) = self.nickname.clone() {
            // `io.emit('users', …)`: everyone's list changed.
            self.room.send_users_to_all();
            self.log_login(&nickname);
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

    /// The teacher's log line for a login.
    fn log_login(&self, nickname: &str) {
        let online = self.room.online();
        let locale = self.log_lang.code();
        let text = t!(
            "log.login",
            locale = locale,
            nickname = nickname,
            count = online
        );
        info!(peer = %self.peer, nickname, online, "{text}");
    }
}

// ANCHOR: write_frames
/// The writer task: takes frames from the client's queue and sends them,
/// until every sender is gone; then hands the sending half back.
async fn write_frames(
    mut sink: SplitSink<WebSocket, Message>,
    mut queue: Inbox,
) -> Result<SplitSink<WebSocket, Message>, WsError> {
    while let Some(text) = queue.recv().await {
        // `feed` adds a frame to tungstenite's write buffer; when more are
        // already waiting, they join it, and one `flush` (one system call
        // for many frames) sends them all.
        sink.feed(Message::text(&*text)).await?;
        while let Some(text) = queue.try_recv() {
            sink.feed(Message::text(&*text)).await?;
        }
        // This waits while the client's socket buffer is full, which is when
        // the queue above fills up.
        sink.flush().await?;
    }
    Ok(sink)
}
// ANCHOR_END: write_frames

// ───────────────────────── What the seed leaves out ─────────────────────────
//
// How far behind a client may fall before it is dropped, and every way a
// session can end: the client closing, breaking the protocol, sending too
// much or reading too slowly, and Ctrl-C.

/// How far behind a client may fall before it is dropped.
#[derive(Debug, Clone, Copy)]
pub struct QueueLimits {
    /// Frames waiting for it.
    pub frames: usize,
    /// Bytes of text in those frames.
    pub bytes: usize,
}

/// How a chat connection ended.
#[derive(Debug)]
enum Ending {
    /// The client sent a Close frame (`ws.close()`), or the stream ended.
    ClientClosed,
    /// The connection broke without a closing handshake (a tab killed, a
    /// reset) or the client broke the protocol.
    Broken(WsError),
    /// A message over the size limit.
    TooBig,
    /// A text frame that is not UTF-8 (the protocol requires it).
    NotUtf8,
    /// The client's queue overflowed: it was not reading.
    TooSlow,
    /// Ctrl-C.
    ServerClosing,
}

impl Ending {
    /// How it ended, in words, for the teacher's log.
    fn in_words(&self, lang: Lang) -> String {
        let key = match self {
            Ending::ClientClosed => "ending.client_closed",
            Ending::Broken(_) => "ending.broken",
            Ending::TooBig => "ending.too_big",
            Ending::NotUtf8 => "ending.not_utf8",
            Ending::TooSlow => "ending.too_slow",
            Ending::ServerClosing => "ending.server_closing",
        };
        t!(key, locale = lang.code()).into()
    }
}
