//! The chat room both chat lessons share: who is online, the login rules,
//! and how a message reaches each member without one slow client stalling
//! the others (the seed's "容器" of nicknames and sockets).
//!
//! `tcp-chat` (chapter 2) and `ws-chat` (chapter 6) differ only in how a
//! message travels: a line of JSON on a TCP stream, or a WebSocket text
//! frame. That difference is the [`Wire`] trait; the room is generic over it.
//!
//! The room speaks in Socket.IO's terms (chapter 6) because they name the
//! three ways a chat server sends:
//!
//! | Socket.IO | here |
//! |---|---|
//! | `socket.emit(…)` (to this client) | [`Outbox::send`] |
//! | `socket.broadcast.emit(…)` (to everyone but this client) | [`Room::send_to_others`] |
//! | `io.emit(…)` (to everyone) | [`Room::send_to_all`] |

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::mpsc::{self, error::TrySendError};
use tokio_util::sync::CancellationToken;

use crate::protocol::{LoginResult, P2pFrom, ServerMessage, UserList};

/// The longest nickname, in characters.
pub const MAX_NICKNAME: usize = 32;

/// How a [`ServerMessage`] travels to a client on one transport.
pub trait Wire {
    /// What a client's queue holds, ready to be written. A broadcast is
    /// encoded once and this is cloned for every member, so it should be
    /// cheap to clone (reference-counted bytes).
    type Item: Clone + Send + 'static;

    /// Turns a message into what goes on the wire.
    fn encode(message: &ServerMessage) -> Self::Item;

    /// How many bytes `item` holds, for a queue bounded in bytes as well as
    /// in items ([`queue`]). The default, 0, leaves bytes uncounted.
    fn bytes(item: &Self::Item) -> usize {
        let _ = item;
        0
    }
}

/// How many bytes may wait in one client's queue, and how many do.
#[derive(Debug)]
struct Budget {
    limit: usize,
    queued: AtomicUsize,
}

/// A client's queue, bounded twice: at most `items` items, and at most
/// `bytes` bytes of them ([`Wire::bytes`]). The count alone would let a
/// client that stops reading hold `items` of the largest messages allowed;
/// the byte bound caps what it can cost whatever the messages are.
///
/// The [`Outbox`] goes to the room; the [`Inbox`] to the client's writer.
pub fn queue<W: Wire>(items: usize, bytes: usize) -> (Outbox<W>, Inbox<W>) {
    let (sender, receiver) = mpsc::channel(items);
    let budget = Arc::new(Budget {
        limit: bytes,
        queued: AtomicUsize::new(0),
    });
    let outbox = Outbox {
        queue: sender,
        overflowed: CancellationToken::new(),
        budget: Arc::clone(&budget),
    };
    (outbox, Inbox { receiver, budget })
}

/// The receiving end of a [`queue`]: the client's writer takes items here,
/// and each item taken frees its bytes.
pub struct Inbox<W: Wire> {
    receiver: mpsc::Receiver<W::Item>,
    budget: Arc<Budget>,
}

impl<W: Wire> Inbox<W> {
    /// The next item; `None` once every [`Outbox`] is gone and all is taken.
    pub async fn recv(&mut self) -> Option<W::Item> {
        let item = self.receiver.recv().await?;
        self.taken(&item);
        Some(item)
    }

    /// The next item if one is waiting now.
    pub fn try_recv(&mut self) -> Option<W::Item> {
        let item = self.receiver.try_recv().ok()?;
        self.taken(&item);
        Some(item)
    }

    fn taken(&self, item: &W::Item) {
        self.budget
            .queued
            .fetch_sub(W::bytes(item), Ordering::Relaxed);
    }
}

impl<W: Wire> fmt::Debug for Inbox<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inbox")
            .field("queued_bytes", &self.budget.queued.load(Ordering::Relaxed))
            .finish()
    }
}

// ANCHOR: outbox
/// The way to one client: the sending end of its bounded queue (its
/// connection's writer task takes items out and writes them to the socket),
/// and the token that disconnects it.
pub struct Outbox<W: Wire> {
    /// Items waiting to be written to this client, at most the queue's
    /// capacity of them.
    queue: mpsc::Sender<W::Item>,
    /// Cancelled when the queue is full: the client's connection task waits
    /// on it and then closes the connection.
    overflowed: CancellationToken,
    /// The byte bound, shared with the [`Inbox`].
    budget: Arc<Budget>,
}

impl<W: Wire> Outbox<W> {
    /// Queues `item` for this client without ever waiting.
    ///
    /// This is the room's backpressure rule. A full queue means the client
    /// has not read its socket for a while (its socket buffers are full too).
    /// Waiting for it would stall whoever is sending, and with them the whole
    /// room; queueing without a limit would let one stuck client eat the
    /// server's memory. So we do neither: we give up on that client.
    pub fn push(&self, item: W::Item) {
        let bytes = W::bytes(&item);
        let queued = self.budget.queued.fetch_add(bytes, Ordering::Relaxed) + bytes;
        if queued > self.budget.limit {
            self.budget.queued.fetch_sub(bytes, Ordering::Relaxed);
            self.overflowed.cancel();
            return;
        }
        match self.queue.try_send(item) {
            Ok(()) => return,
            Err(TrySendError::Full(_)) => self.overflowed.cancel(),
            // The connection is already closing; nobody is left to read it.
            Err(TrySendError::Closed(_)) => {}
        }
        // Not queued after all: its bytes are not waiting.
        self.budget.queued.fetch_sub(bytes, Ordering::Relaxed);
    }

    /// `socket.emit(…)`: queues one message for this client.
    pub fn send(&self, message: &ServerMessage) {
        self.push(W::encode(message));
    }

    /// Resolves once a [`push`](Self::push) has found the queue full.
    pub async fn overflowed(&self) {
        self.overflowed.cancelled().await;
    }
}
// ANCHOR_END: outbox

// Written out rather than derived: a derive would demand `W: Clone`, but
// only the queue and the token are cloned.
impl<W: Wire> Clone for Outbox<W> {
    fn clone(&self) -> Self {
        Self {
            queue: self.queue.clone(),
            overflowed: self.overflowed.clone(),
            budget: self.budget.clone(),
        }
    }
}

impl<W: Wire> fmt::Debug for Outbox<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Outbox")
            .field(
                "queued",
                &(self.queue.max_capacity() - self.queue.capacity()),
            )
            .field("overflowed", &self.overflowed.is_cancelled())
            .finish()
    }
}

/// One logged-in user.
struct Member<W: Wire> {
    /// The nickname as the user typed it (trimmed): what others see.
    nickname: String,
    /// Where to put messages for them.
    outbox: Outbox<W>,
}

/// Everyone logged in. Shared by all connection tasks through an `Arc`.
pub struct Room<W: Wire> {
    /// Members by lowercased nickname, so "Alice" cannot log in next to
    /// "alice". A `BTreeMap` keeps them sorted, which the users list wants.
    ///
    /// A plain `std::sync::Mutex`, not tokio's: every use below takes the
    /// lock, does a little work that never waits (no `.await`), and lets go.
    /// (The compiler helps: a std `MutexGuard` cannot be held across an
    /// `.await` in a spawned task.)
    members: Mutex<BTreeMap<String, Member<W>>>,
}

impl<W: Wire> Default for Room<W> {
    fn default() -> Self {
        Self {
            members: Mutex::new(BTreeMap::new()),
        }
    }
}

impl<W: Wire> fmt::Debug for Room<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Room")
            .field("users", &self.users())
            .finish()
    }
}

impl<W: Wire> Room<W> {
    pub fn new() -> Self {
        Self::default()
    }

    fn members(&self) -> MutexGuard<'_, BTreeMap<String, Member<W>>> {
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
        users_of(&self.members())
    }

    // ANCHOR: join
    /// `{"type":"login","nickname":…}`. On success adds the user, answers
    /// `success: true` with the new count, tells everyone else, and returns
    /// the nickname as recorded. Otherwise answers `success: false` saying
    /// why, and returns `None`: the client may try again.
    pub fn join(&self, requested: &str, outbox: &Outbox<W>) -> Option<String> {
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
        let joined = W::encode(&ServerMessage::log(format!(
            "{nickname} joined, {online} online"
        )));
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
        let Some(Member { nickname, .. }) = members.remove(&nickname.to_lowercase()) else {
            return;
        };
        let online = members.len();
        let text = match why {
            Some(why) => format!("{nickname} left ({why}), {online} online"),
            None => format!("{nickname} left, {online} online"),
        };
        let left = W::encode(&ServerMessage::log(text));
        for member in members.values() {
            member.outbox.push(left.clone());
        }
    }

    /// Removes a user without telling anyone (the server is shutting down:
    /// everyone is leaving).
    pub fn remove(&self, nickname: &str) {
        self.members().remove(&nickname.to_lowercase());
    }

    // ANCHOR: send_to_all
    /// `io.emit(…)`: the message goes to every member.
    pub fn send_to_all(&self, message: &ServerMessage) {
        // Encode once, before taking the lock; every queue gets the same
        // reference-counted bytes.
        let item = W::encode(message);
        // Queue to everyone while holding the lock: two messages never
        // interleave, so every client sees them in the same order. `push`
        // never waits, so holding the lock here costs microseconds.
        for member in self.members().values() {
            member.outbox.push(item.clone());
        }
    }
    // ANCHOR_END: send_to_all

    /// `socket.broadcast.emit(…)`: the message goes to every member except
    /// `me` (the sender, who has already shown it).
    pub fn send_to_others(&self, me: &str, message: &ServerMessage) {
        let item = W::encode(message);
        let me = me.to_lowercase();
        for (key, member) in self.members().iter() {
            if *key != me {
                member.outbox.push(item.clone());
            }
        }
    }

    /// `io.emit('users', …)`: the users list to every member. The list is
    /// read and queued under one lock, so the last list anyone receives is
    /// the room as it is now, however many joins and leaves raced.
    pub fn send_users_to_all(&self) {
        let members = self.members();
        let item = W::encode(&ServerMessage::Users(UserList {
            users: users_of(&members),
        }));
        for member in members.values() {
            member.outbox.push(item.clone());
        }
    }

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

fn users_of<W: Wire>(members: &BTreeMap<String, Member<W>>) -> Vec<String> {
    members
        .values()
        .map(|member| member.nickname.clone())
        .collect()
}

fn login_answer(success: bool, message: String, online: usize) -> ServerMessage {
    ServerMessage::Login(LoginResult {
        success,
        message,
        sum_users: online,
    })
}

// ANCHOR: check_nickname
/// Checks a requested nickname. Returns it without surrounding spaces, or
/// a sentence saying what is wrong with it. (Whether it is taken is the
/// room's business: [`Room::join`] compares ignoring case.)
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
    if nickname.starts_with(['@', '/']) {
        // "@bob hi" is a private message and "/users" a command in the
        // clients: a user called "/quit" or "@x" could not be told apart.
        return Err(
            "a nickname cannot start with @ or /: the chat clients read those as commands".into(),
        );
    }
    Ok(nickname)
}
// ANCHOR_END: check_nickname
