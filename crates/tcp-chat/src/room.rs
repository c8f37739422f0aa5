//! The room: who is online, and how a line reaches them (the seed's "容器"
//! of nicknames and sockets).

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use bytes::Bytes;
use common::protocol::{BroadcastFrom, LoginResult, P2pFrom, ServerMessage, UserList};
use tokio::sync::mpsc::{self, error::TrySendError};
use tokio_util::sync::CancellationToken;

use crate::framing::to_line;

/// The longest nickname, in characters.
pub const MAX_NICKNAME: usize = 32;

// ANCHOR: outbox
/// The way to one client: the sending end of its bounded queue of lines
/// (its connection's writer task takes them out and writes them to the
/// socket), and the token that disconnects it.
#[derive(Debug, Clone)]
pub struct Outbox {
    /// Lines waiting to be written to this client, at most the queue's
    /// capacity of them.
    lines: mpsc::Sender<Bytes>,
    /// Cancelled when the queue is full: the client's connection task waits
    /// on it and then closes the connection.
    overflowed: CancellationToken,
}

impl Outbox {
    /// Wraps the sending end of a client's queue.
    pub fn new(lines: mpsc::Sender<Bytes>) -> Self {
        Self {
            lines,
            overflowed: CancellationToken::new(),
        }
    }

    /// Queues `line` for this client without ever waiting.
    ///
    /// This is the room's backpressure rule. A full queue means the client
    /// has not read its socket for a while (its socket buffers are full too).
    /// Waiting for it would stall whoever is sending, and with them the whole
    /// room; queueing without a limit would let one stuck client eat the
    /// server's memory. So we do neither: we give up on that client.
    pub fn push(&self, line: Bytes) {
        match self.lines.try_send(line) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => self.overflowed.cancel(),
            // The connection is already closing; nobody is left to read it.
            Err(TrySendError::Closed(_)) => {}
        }
    }

    /// Queues one message, serialised as one line.
    pub fn send(&self, message: &ServerMessage) {
        self.push(to_line(message));
    }

    /// Resolves once a [`push`](Self::push) has found the queue full.
    pub async fn overflowed(&self) {
        self.overflowed.cancelled().await;
    }
}
// ANCHOR_END: outbox

/// One logged-in user.
#[derive(Debug)]
struct Member {
    /// The nickname as the user typed it (trimmed): what others see.
    nickname: String,
    /// Where to put lines for them.
    outbox: Outbox,
}

/// Everyone logged in. Shared by all connection tasks through an `Arc`.
#[derive(Debug, Default)]
pub struct Room {
    /// Members by lowercased nickname, so "Alice" cannot log in next to
    /// "alice". A `BTreeMap` keeps them sorted, which the users list wants.
    ///
    /// A plain `std::sync::Mutex`, not tokio's: every use below takes the
    /// lock, does a little work that never waits (no `.await`), and lets go.
    /// (The compiler helps: a std `MutexGuard` cannot be held across an
    /// `.await` in a spawned task.)
    members: Mutex<BTreeMap<String, Member>>,
}

impl Room {
    pub fn new() -> Self {
        Self::default()
    }

    fn members(&self) -> MutexGuard<'_, BTreeMap<String, Member>> {
        // A panic while the lock was held would "poison" it. Nothing here
        // can panic half-way through a change, so the map is still sound.
        self.members.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many users are online.
    pub fn online(&self) -> usize {
        self.members().len()
    }

    /// The nicknames online, sorted (ignoring case).
    pub fn users(&self) -> Vec<String> {
        self.members()
            .values()
            .map(|member| member.nickname.clone())
            .collect()
    }

    // ANCHOR: join
    /// `{"type":"login","nickname":…}`. On success adds the user, answers
    /// `success: true` with the new count, tells everyone else, and returns
    /// the nickname as recorded. Otherwise answers `success: false` saying
    /// why, and returns `None`: the client may try again.
    pub fn join(&self, requested: &str, outbox: &Outbox) -> Option<String> {
        let mut members = self.members();
        let checked = check_nickname(requested).and_then(|nickname| {
            if members.contains_key(&nickname.to_lowercase()) {
                Err(format!("nickname {nickname} is taken, choose another"))
            } else {
                Ok(nickname.to_owned())
            }
        });
        let nickname = match checked {
            Ok(nickname) => nickname,
            Err(reason) => {
                outbox.send(&login_answer(false, reason, members.len()));
                return None;
            }
        };
        let member = Member {
            nickname: nickname.clone(),
            outbox: outbox.clone(),
        };
        members.insert(nickname.to_lowercase(), member);
        let online = members.len();
        // We still hold the lock, so no broadcast can reach the newcomer
        // before this answer does.
        let welcome = format!("welcome, {nickname}! {online} online");
        outbox.send(&login_answer(true, welcome, online));
        let joined = format!("{nickname} joined, {online} online");
        let joined = to_line(&ServerMessage::log(joined));
        for member in members.values().filter(|m| m.nickname != nickname) {
            member.outbox.push(joined.clone());
        }
        Some(nickname)
    }
    // ANCHOR_END: join

    /// A user left: remove them and tell everyone still here, with the new
    /// count. `why` is added in brackets when the server made them leave.
    pub fn leave(&self, nickname: &str, why: Option<&str>) {
        let mut members = self.members();
        if members.remove(&nickname.to_lowercase()).is_none() {
            return;
        }
        let online = members.len();
        let text = match why {
            Some(why) => format!("{nickname} left ({why}), {online} online"),
            None => format!("{nickname} left, {online} online"),
        };
        let left = to_line(&ServerMessage::log(text));
        for member in members.values() {
            member.outbox.push(left.clone());
        }
    }

    /// Removes a user without telling anyone (the server is shutting down:
    /// everyone is leaving).
    pub fn remove(&self, nickname: &str) {
        self.members().remove(&nickname.to_lowercase());
    }

    // ANCHOR: broadcast
    /// `{"type":"broadcast"}`: the line goes to every member, the sender
    /// included (the seed writes to every socket in its container).
    pub fn broadcast(&self, from: &str, message: &str) {
        // Serialise once, before taking the lock; every queue gets the same
        // reference-counted bytes.
        let line = to_line(&ServerMessage::Broadcast(BroadcastFrom {
            nickname: from.to_owned(),
            message: message.to_owned(),
        }));
        // Queue to everyone while holding the lock: two broadcasts never
        // interleave, so every client sees them in the same order. `push`
        // never waits, so holding the lock here costs microseconds.
        for member in self.members().values() {
            member.outbox.push(line.clone());
        }
    }
    // ANCHOR_END: broadcast

    /// `{"type":"p2p"}`: the message goes to `to` only; `Err` says why not.
    pub fn send_private(&self, from: &str, to: &str, message: &str) -> Result<(), String> {
        let members = self.members();
        let Some(target) = members.get(&to.to_lowercase()) else {
            return Err(format!("{to} is not online"));
        };
        target.outbox.send(&ServerMessage::P2p(P2pFrom {
            from: from.to_owned(),
            to: target.nickname.clone(),
            message: message.to_owned(),
        }));
        Ok(())
    }

    /// `{"type":"users"}`: the answer.
    pub fn users_message(&self) -> ServerMessage {
        ServerMessage::Users(UserList {
            users: self.users(),
        })
    }
}

fn login_answer(success: bool, message: String, online: usize) -> ServerMessage {
    ServerMessage::Login(LoginResult {
        success,
        message,
        sum_users: online,
    })
}

/// Checks a requested nickname. Returns it without surrounding spaces, or
/// a sentence saying what is wrong with it.
pub fn check_nickname(requested: &str) -> Result<&str, String> {
    let nickname = requested.trim();
    if nickname.is_empty() {
        return Err("a nickname cannot be empty or only spaces".into());
    }
    if nickname.chars().count() > MAX_NICKNAME {
        return Err(format!(
            "nickname too long: at most {MAX_NICKNAME} characters"
        ));
    }
    if nickname.chars().any(char::is_control) {
        return Err("a nickname cannot contain control characters".into());
    }
    if nickname.chars().any(char::is_whitespace) {
        return Err("a nickname cannot contain spaces: others write @nickname to reach you".into());
    }
    Ok(nickname)
}
