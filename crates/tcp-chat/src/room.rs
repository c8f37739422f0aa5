//! The room: who is online, and how a line reaches them (the seed's "容器"
//! of nicknames and sockets).
//!
//! The room itself lives in `common::chat`, because chapter 6's WebSocket
//! chat (`ws-chat`) keeps the same one: the login rules, a bounded queue per
//! client, and a client that cannot keep up dropped instead of stalling the
//! others ([`Outbox::push`]). What is TCP's own is how a message travels:
//! as one line of JSON ([`Lines`]).

use std::sync::Arc;

use common::chat::Wire;
use common::protocol::ServerMessage;

use crate::framing::to_line;

pub use common::chat::{MAX_NICKNAME, check_nickname};

/// On a TCP stream a message travels as one line of JSON.
#[derive(Debug)]
pub struct Lines;

impl Wire for Lines {
    /// The line's bytes, reference-counted: a broadcast is serialised once
    /// and every queue holds the same allocation. (`Arc<[u8]>` rather than
    /// `bytes::Bytes`: 16 bytes per queued line instead of 32, which is
    /// most of what a burst costs the server.)
    type Item = Arc<[u8]>;

    fn encode(message: &ServerMessage) -> Arc<[u8]> {
        Arc::from(to_line(message))
    }

    /// A queued line counts its length against the client's byte bound.
    fn bytes(line: &Arc<[u8]>) -> usize {
        line.len()
    }
}

/// The way to one client: its bounded queue of lines.
pub type Outbox = common::chat::Outbox<Lines>;

/// The other end of that queue, where the client's writer task takes lines.
pub type Inbox = common::chat::Inbox<Lines>;

/// Everyone logged in. Shared by all connection tasks through an `Arc`.
pub type Room = common::chat::Room<Lines>;
