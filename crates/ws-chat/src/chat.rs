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

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use common::chat::{ClientMessage, ServerMessage};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_util::sync::CancellationToken;
use tracing::{debug, info};

use crate::room::{self, Inbox, Outbox, Room};
use crate::upgrade::{WebSocket, close_frame, finish_closing};

/// What a client is told when it sends anything before logging in.
const LOG_IN_FIRST: &str = r#"log in first: {"type":"login","nickname":"your name"}"#;

// ANCHOR: serve
/// One client on `/ws`, from `io.on('connection')` to `socket.on('disconnect')`.
pub async fn serve(
    socket: WebSocket,
    peer: SocketAddr,
    room: Arc<Room>,
    limits: QueueLimits,
    grace: Duration,
    closing: CancellationToken,
) {
    // `split` gives a sending half (to the writer task) and a receiving half
    // (read here): both can be busy at once.
    let (sink, mut stream) = socket.split();
    // The client's queue: what the room sends it waits here for the writer.
    let (outbox, inbox) = room::queue(limits.frames, limits.bytes);
    let mut writing = tokio::spawn(write_frames(sink, inbox));
    let mut session = Session {
        room: Arc::clone(&room),
        outbox,
        nickname: None,
    };
    debug!(%peer, "WebSocket open");
    let ending = session.serve(&mut stream, &closing).await;

    let Session {
        outbox, nickname, ..
    } = session;
    if let Some(nickname) = &nickname {
        match &ending {
            // Everyone is leaving: nobody to tell.
            Ending::ServerClosing => room.remove(nickname),
            Ending::TooSlow => room.leave(nickname, Some("too slow to keep up: dropped")),
            Ending::TooBig => room.leave(nickname, Some("sent a message over 64 KiB")),
            Ending::NotUtf8 => room.leave(nickname, Some("sent text that is not UTF-8")),
            _ => room.leave(nickname, None),
        }
        if !matches!(ending, Ending::ServerClosing) {
            room.send_users_to_all();
        }
    }
    // Our outbox was the last sender to this queue (the room's copy went
    // with `leave`): dropping it lets the writer send what is queued, stop,
    // and hand the sending half back.
    drop(outbox);
    // Our last frame, when we are the ones closing.
    let our_close = match &ending {
        Ending::ServerClosing => Some(close_frame(CloseCode::Away, "the server is shutting down")),
        Ending::TooBig => Some(close_frame(
            CloseCode::Size,
            "message too big: the limit is 64 KiB",
        )),
        Ending::NotUtf8 => Some(close_frame(
            CloseCode::Invalid,
            "a text frame must be UTF-8",
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
            if tokio::time::timeout(grace, finish).await.is_err() {
                writing.abort();
            }
        }
    }
    let who = nickname.as_deref().unwrap_or("-");
    match ending {
        Ending::Broken(error) => info!(%peer, who, %error, "client disconnected abruptly"),
        ending => info!(%peer, who, ?ending, "client disconnected"),
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
                Some(Ok(Message::Text(text))) => self.handle_text(&text),
                Some(Ok(Message::Binary(_))) => self.error(
                    "binary frames are not part of the chat: send each message as JSON in a text frame",
                ),
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
    fn handle_text(&mut self, text: &str) {
        match serde_json::from_str::<ClientMessage>(text) {
            Ok(message) => self.handle(message),
            Err(error) => self.error(format!("invalid message: {error}")),
        }
    }

    // ANCHOR: handle
    /// Answers one message, by what it is and whether we are logged in.
    fn handle(&mut self, message: ClientMessage) {
        debug!(?message, who = ?self.nickname, "message");
        let Some(me) = self.nickname.as_deref() else {
            match message {
                ClientMessage::Login(login) => {
                    self.nickname = self.room.join(&login.nickname, &self.outbox);
                    if self.nickname.is_some() {
                        // `io.emit('users', …)`: everyone's list changed.
                        self.room.send_users_to_all();
                    }
                }
                _ => self.error(LOG_IN_FIRST),
            }
            return;
        };
        match message {
            ClientMessage::Login(_) => self.error(format!("you are already logged in as {me}")),
            // `socket.broadcast.emit`: everyone but the sender, whose page
            // has shown the message already.
            ClientMessage::Broadcast(broadcast) => self
                .room
                .send_to_others(me, &ServerMessage::broadcast(me, broadcast.message)),
            ClientMessage::P2p(p2p) => {
                if let Err(why) = self.room.send_private(me, &p2p.to, &p2p.message) {
                    self.error(why);
                }
            }
            // `socket.emit`: to this client only.
            ClientMessage::Users => self.outbox.send(&self.room.users_message()),
            ClientMessage::Typing(typing) => self
                .room
                .send_to_others(me, &ServerMessage::typing(me, typing.typing)),
        }
    }
    // ANCHOR_END: handle

    /// `{"type":"error","message":why}` to this client; the connection goes on.
    fn error(&self, why: impl Into<String>) {
        self.outbox.send(&ServerMessage::error(why));
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
