//! The seed's chat room (chapter 2, 案例：聊天室) in one file: log in with a
//! nickname nobody else has, then send to everyone or to one person; the
//! room says who comes and goes, with the number online. The messages are
//! the seed's JSON objects, one per line.
//!
//! ```text
//! $ cargo run -p tcp-chat --example chat-server          # or: just ch2-chat-seed
//! listening on 127.0.0.1:8125
//! ```
//!
//! In two more terminals, `nc 127.0.0.1 8125`, and type one JSON object per
//! line:
//!
//! ```text
//! {"type":"login","nickname":"alice"}
//! {"type":"login","success":true,"message":"welcome, alice! 1 online","sumUsers":1}
//! {"type":"broadcast","message":"hi all"}
//! {"type":"broadcast","nickname":"alice","message":"hi all"}
//! {"type":"p2p","to":"bob","message":"psst"}
//! ```
//!
//! (`just ch2-chat-client alice` is a friendlier client, and speaks the same.)
//!
//! As naive as the seed, on purpose, and the full lesson (`src/server.rs`,
//! `src/room.rs`) says why it does more:
//! - each client's outgoing messages wait in a queue without a limit, as
//!   Node's `socket.write` buffers without one: a client that never reads
//!   makes the server hold everything sent to it. The full lesson bounds
//!   the queue and drops that client instead.
//! - nicknames are only checked for being taken, as in the seed. The full
//!   lesson also ignores case ("Alice" next to "alice"), and refuses empty,
//!   long or space-filled ones.
//! - no limit on connections, no idle timeout, no goodbye at Ctrl-C.
//!
//! Where the seed is wrong, this is not: the seed parses whatever one
//! `'data'` event holds, but TCP keeps no message boundaries, so one read
//! can hold half a message or three. Here a message is one line, read by a
//! codec that waits for the newline (and refuses a line over 64 KiB).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use clap::Parser;
use common::chat::{ClientMessage, LoginResult, P2pFrom, ServerMessage};
use common::cli::ListenArgs;
use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_util::codec::{FramedRead, LinesCodec};

/// The seed's chat room (chapter 2), in one file.
#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    listen: ListenArgs<8125>,
}

/// The seed's container: every logged-in user's nickname, and the sending
/// end of the queue their socket's writer reads. Every client's task holds
/// this map: `Arc` shares it, and `Mutex` lets one task change it at a time.
type Users = Arc<Mutex<HashMap<String, mpsc::UnboundedSender<String>>>>;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    common::exit::report("chat", serve(cli.listen).await)
}

async fn serve(listen: ListenArgs<8125>) -> Result<(), Box<dyn std::error::Error>> {
    let listener = common::net::bind_tcp(listen.addr()).await?;
    println!("listening on {}", listener.local_addr()?);
    let users = Users::default();
    loop {
        let (socket, peer) = listener.accept().await?;
        // Each client's task gets its own handle to the one map.
        tokio::spawn(handle_client(socket, peer, Arc::clone(&users)));
    }
}

// ANCHOR: handle_client
/// One client, from `'connection'` to `'end'`.
async fn handle_client(socket: TcpStream, peer: SocketAddr, users: Users) {
    eprintln!("client connected: {peer}");
    // Reading and writing go on at once: split the socket in two.
    let (reader, mut writer) = socket.into_split();
    // What is sent to this client waits in a channel; a task of its own
    // takes each line out and writes it to the socket.
    let (outbox, mut inbox) = mpsc::unbounded_channel::<String>();
    tokio::spawn(async move {
        while let Some(line) = inbox.recv().await {
            if writer.write_all(line.as_bytes()).await.is_err() {
                break; // the client is gone
            }
        }
    });

    // Framing: one message per line, whatever pieces TCP delivers it in.
    let mut lines = FramedRead::new(reader, LinesCodec::new_with_max_length(64 * 1024));
    let mut me: Option<String> = None;
    while let Some(next) = lines.next().await {
        let line = match next {
            Ok(line) => line,
            Err(error) => {
                // A line over the limit, or a broken connection: say so, end.
                let _ = outbox.send(to_line(&ServerMessage::error(error.to_string())));
                break;
            }
        };
        let reply = match serde_json::from_str::<ClientMessage>(&line) {
            Ok(message) => handle_message(message, &mut me, &outbox, &users),
            Err(error) => Some(ServerMessage::error(format!("invalid message: {error}"))),
        };
        if let Some(reply) = reply {
            let _ = outbox.send(to_line(&reply));
        }
    }

    // 'end' (or a line too long, or a broken connection): leave the room.
    if let Some(nickname) = me {
        let mut users = users.lock().unwrap_or_else(|e| e.into_inner());
        users.remove(&nickname);
        let left = format!("{nickname} left, {} online", users.len());
        send_to_all(&users, &ServerMessage::log(left));
    }
    eprintln!("client disconnected: {peer}");
}
// ANCHOR_END: handle_client

// ANCHOR: handle_message
/// The seed's rules, one message at a time. Returns the answer for this
/// client, if there is one.
fn handle_message(
    message: ClientMessage,
    me: &mut Option<String>,
    outbox: &mpsc::UnboundedSender<String>,
    users: &Users,
) -> Option<ServerMessage> {
    // `lock` waits until no other task holds the map; the lock is released
    // when `users` goes out of scope, at the end of this function. (It fails
    // only if a task panicked while holding it; the map is still usable.)
    let mut users = users.lock().unwrap_or_else(|e| e.into_inner());
    match (message, me.as_deref()) {
        // ANCHOR: login
        // 用户登录: a nickname nobody has is stored with this client's queue.
        (ClientMessage::Login(login), None) => {
            let nickname = login.nickname;
            if users.contains_key(&nickname) {
                let taken = format!("nickname {nickname} is taken, choose another");
                return Some(login_answer(false, taken, users.len()));
            }
            users.insert(nickname.clone(), outbox.clone());
            let online = users.len();
            let welcome = format!("welcome, {nickname}! {online} online");
            let _ = outbox.send(to_line(&login_answer(true, welcome, online)));
            // 上线通知: everyone else hears who joined.
            let joined = ServerMessage::log(format!("{nickname} joined, {online} online"));
            for (name, user) in users.iter() {
                if *name != nickname {
                    let _ = user.send(to_line(&joined));
                }
            }
            *me = Some(nickname);
            None
        }
        // ANCHOR_END: login
        // 群发消息: to every socket in the container, the sender's too.
        (ClientMessage::Broadcast(broadcast), Some(me)) => {
            send_to_all(&users, &ServerMessage::broadcast(me, broadcast.message));
            None
        }
        // 私聊: to the one user named in `to`.
        (ClientMessage::P2p(p2p), Some(me)) => {
            let Some(user) = users.get(&p2p.to) else {
                return Some(ServerMessage::error(format!("{} is not online", p2p.to)));
            };
            let private = ServerMessage::P2p(P2pFrom {
                from: me.to_owned(),
                to: p2p.to,
                message: p2p.message,
            });
            let _ = user.send(to_line(&private));
            None
        }
        (ClientMessage::Login(_), Some(me)) => Some(ServerMessage::error(format!(
            "you are already logged in as {me}"
        ))),
        (_, None) => Some(ServerMessage::error("log in first")),
        (_, Some(_)) => Some(ServerMessage::error(
            "this room knows login, broadcast and p2p",
        )),
    }
}
// ANCHOR_END: handle_message

fn send_to_all(users: &HashMap<String, mpsc::UnboundedSender<String>>, message: &ServerMessage) {
    let line = to_line(message);
    for user in users.values() {
        let _ = user.send(line.clone());
    }
}

fn login_answer(success: bool, message: String, online: usize) -> ServerMessage {
    ServerMessage::Login(LoginResult {
        success,
        message,
        sum_users: online,
    })
}

/// A message as it goes on the wire: one line of JSON.
fn to_line(message: &ServerMessage) -> String {
    // Our own message types always serialise (strings, numbers, booleans).
    let json = serde_json::to_string(message).unwrap_or_default();
    json + "\n"
}
