//! The room everyone on `/ws` joins: who is online, and how a message
//! reaches them. Socket.IO keeps this for the seed (its `io.sockets`); here
//! it is ours.
//!
//! As in `tcp-chat`, each member has a small queue, its [`Outbox`]: the room
//! drops a frame into every member's queue and moves on, and each client's
//! own writer task takes frames out and sends them (`chat::write_frames`).
//! So a client that is slow to read never makes the room wait for it.
//!
//! Read it top to bottom: the [`Room`] (join, broadcast, private message,
//! the users list, leave), then, under "What the seed leaves out", the
//! bounded queue behind each [`Outbox`].
//!
//! This is chapter 2's room (`tcp-chat/src/room.rs`) rewritten for
//! WebSocket frames instead of lines. The two are parallel on purpose,
//! method for method, so that the chapter 6 page can set them side by side.
//! What differs: a queued item is a text frame's JSON (no newline), and
//! the room speaks Socket.IO's three ways of sending, which the seed's
//! chapter 6 uses:
//!
//! | Socket.IO | here |
//! |---|---|
//! | `socket.emit(…)` (to this client) | [`Outbox::send`] |
//! | `socket.broadcast.emit(…)` (to everyone but this client) | [`Room::send_to_others`] |
//! | `io.emit('users', …)` (to everyone) | [`Room::send_users_to_all`] |
//!
//! What both rooms must agree on (the JSON messages, the nickname rule) is
//! `common::chat`.
//!
//! Two browsers in two languages share one room. So a notice ("bob
//! joined, 2 online") is kept as what happened, a [`Notice`], and put into
//! words for each member in that member's language, as it is queued.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use common::chat::{LoginResult, P2pFrom, ServerMessage, UserList, check_nickname};
use common::lang::Lang;
use rust_i18n::t;
use tokio::sync::mpsc::{self, error::TrySendError};
use tokio_util::sync::CancellationToken;

// ANCHOR: frame
/// One message as it goes on the wire: the JSON text of one text frame.
///
/// `Arc<str>` is reference-counted text: a broadcast is turned into JSON
/// once, and every member's queue holds a pointer to the same text. (Not a
/// whole tungstenite `Message`: 16 bytes per queued frame instead of 56,
/// and during a burst thousands of frames wait in each queue.)
pub type Frame = Arc<str>;

/// Turns a message into its frame's text.
pub fn frame(message: &ServerMessage) -> Frame {
    // Serialising our own message types cannot fail: they are plain
    // structs of strings, numbers and booleans, with string keys.
    let json = serde_json::to_string(message).unwrap_or_default();
    Arc::from(json)
}
// ANCHOR_END: frame

/// One logged-in user.
pub(crate) struct Member {
    /// The nickname as the user typed it (trimmed): what others see.
    pub(crate) nickname: String,
    /// Where to put frames for them.
    pub(crate) outbox: Outbox,
    /// The language their connection asked for: their notices are in it.
    pub(crate) lang: Lang,
}

/// Everyone logged in. One room is shared by every connection task, each
/// holding an `Arc<Room>` (a shared pointer: the room lives as long as
/// anyone holds one).
pub struct Room {
    /// Members by lowercased nickname, so "Alice" cannot log in next to
    /// "alice". A `BTreeMap` keeps them sorted, which the users list wants.
    ///
    /// Many tasks use the map at once, so a `Mutex` guards it: `lock()`
    /// waits until no other task holds it. A plain `std::sync::Mutex`, not
    /// tokio's: every use below takes the lock, does a little work that
    /// never waits (no `.await`), and lets go. (The compiler helps: a std
    /// `MutexGuard` cannot be held across an `.await` in a spawned task.)
    members: Mutex<BTreeMap<String, Member>>,
    /// Chapter 7: users logged in on the other servers of a cluster, by
    /// lowercased nickname (see `cluster`). Empty without `--redis`. They
    /// count as online and are in the users list; nothing is queued for
    /// them here (their own server does that). Locked after `members`.
    elsewhere: Mutex<BTreeMap<String, String>>,
}

impl Room {
    pub fn new() -> Self {
        Self {
            members: Mutex::new(BTreeMap::new()),
            elsewhere: Mutex::new(BTreeMap::new()),
        }
    }

    pub(crate) fn members(&self) -> MutexGuard<'_, BTreeMap<String, Member>> {
        // A panic while the lock was held would "poison" it. Nothing here
        // can panic half-way through a change, so the map is still sound.
        self.members.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn elsewhere(&self) -> MutexGuard<'_, BTreeMap<String, String>> {
        self.elsewhere
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// How many users are online.
    pub fn online(&self) -> usize {
        let members = self.members();
        members.len() + self.elsewhere().len()
    }

    /// The nicknames online, sorted (ignoring case).
    pub fn users(&self) -> Vec<String> {
        everyone(&self.members(), &self.elsewhere())
    }

    // ANCHOR: join
    /// `{"type":"login","nickname":…}`. On success adds the user, answers
    /// `success: true` with the new count, tells everyone else, and returns
    /// the nickname as recorded. Otherwise answers `success: false` saying
    /// why, and returns `None`: the client may try again. `lang` is the
    /// connection's language: its answers and notices are in it.
    pub fn join(&self, requested: &str, outbox: &Outbox, lang: Lang) -> Option<String> {
        let mut members = self.members();
        let checked = check_nickname(requested, lang).and_then(|nickname| {
            let key = nickname.to_lowercase();
            if members.contains_key(&key) || self.elsewhere().contains_key(&key) {
                let locale = lang.code();
                Err(t!("chat.taken", locale = locale, nickname = nickname).into_owned())
            } else {
                Ok(nickname.to_owned())
            }
        });
        let nickname = match checked {
            Ok(nickname) => nickname,
            Err(reason) => {
                let reason = t!("chat.login_failed", locale = lang.code(), reason = reason);
                let online = members.len() + self.elsewhere().len();
                outbox.send(&login_answer(false, reason.into(), online));
                return None;
            }
        };
        let member = Member {
            nickname: nickname.clone(),
            outbox: outbox.clone(),
            lang,
        };
        members.insert(nickname.to_lowercase(), member);
        let online = members.len() + self.elsewhere().len();
        // We still hold the lock, so no broadcast can reach the newcomer
        // before this answer does.
        let welcome = t!(
            "chat.welcome",
            locale = lang.code(),
            nickname = nickname,
            count = online
        );
        outbox.send(&login_answer(true, welcome.into_owned(), online));
        let joined = Notice::Joined {
            nickname: nickname.clone(),
            online,
        };
        tell(&members, &joined, Some(&nickname.to_lowercase()));
        Some(nickname)
    }
    // ANCHOR_END: join

    // ANCHOR: send_to_others
    /// `socket.broadcast.emit(…)`: the message goes to every member except
    /// `me` (the sender, whose page has shown it already).
    pub fn send_to_others(&self, me: &str, message: &ServerMessage) {
        // Encode once, before taking the lock; every queue gets the same
        // reference-counted text.
        let item = frame(message);
        let me = me.to_lowercase();
        // Queue to everyone while holding the lock: two messages never
        // interleave, so every client sees them in the same order. `push`
        // never waits, so holding the lock here costs microseconds.
        for (key, member) in self.members().iter() {
            if *key != me {
                member.outbox.push(item.clone());
            }
        }
    }
    // ANCHOR_END: send_to_others

    // ANCHOR: send_users_to_all
    /// `io.emit('users', …)`: the users list to every member. The list is
    /// read and queued under one lock, so the last list anyone receives is
    /// the room as it is now, however many joins and leaves raced.
    pub fn send_users_to_all(&self) {
        let members = self.members();
        let users = everyone(&members, &self.elsewhere());
        let item = frame(&ServerMessage::Users(UserList { users }));
        for member in members.values() {
            member.outbox.push(item.clone());
        }
    }
    // ANCHOR_END: send_users_to_all

    /// `{"type":"p2p"}`: the message goes to `to` only; `false` if `to`
    /// is not online (the sender's session says so, in its language).
    pub fn send_private(&self, from: &str, to: &str, message: &str) -> bool {
        let members = self.members();
        let Some(target) = members.get(&to.to_lowercase()) else {
            return false;
        };
        target.outbox.send(&ServerMessage::P2p(P2pFrom {
            from: from.to_owned(),
            to: target.nickname.clone(),
            message: message.to_owned(),
        }));
        true
    }

    /// `{"type":"users"}`: the answer.
    pub fn users_message(&self) -> ServerMessage {
        ServerMessage::Users(UserList {
            users: self.users(),
        })
    }

    /// A user left: remove them and tell everyone still here, with the new
    /// count, and `why` when the server made them leave. Returns how many
    /// are still online.
    pub fn leave(&self, nickname: &str, why: Option<Why>) -> usize {
        let mut members = self.members();
        let Some(Member { nickname, .. }) = members.remove(&nickname.to_lowercase()) else {
            return members.len() + self.elsewhere().len();
        };
        let online = members.len() + self.elsewhere().len();
        tell(
            &members,
            &Notice::Left {
                nickname,
                online,
                why,
            },
            None,
        );
        online
    }

    /// Removes a user without telling anyone (the server is shutting down:
    /// everyone is leaving).
    pub fn remove(&self, nickname: &str) {
        self.members().remove(&nickname.to_lowercase());
    }
}

/// Everyone's nicknames, here and elsewhere, sorted (ignoring case): both
/// maps are keyed by lowercased nickname.
fn everyone(
    members: &BTreeMap<String, Member>,
    elsewhere: &BTreeMap<String, String>,
) -> Vec<String> {
    let here = members.iter().map(|(key, m)| (key, &m.nickname));
    let all: BTreeMap<_, _> = here.chain(elsewhere.iter()).collect();
    all.into_values().cloned().collect()
}

impl Default for Room {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Room {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Room")
            .field("users", &self.users())
            .finish()
    }
}

// ANCHOR: notice
/// Something that happened in the room, kept as facts rather than as text:
/// each member reads it in their own language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// "alice joined, 2 online" / "alice 进入了聊天室，当前在线人数：2"
    Joined { nickname: String, online: usize },
    /// "bob left, 1 online", with why when the server made them leave.
    Left {
        nickname: String,
        online: usize,
        why: Option<Why>,
    },
}

/// Why the server made someone leave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// Their queue overflowed: they were not reading.
    TooSlow,
    /// They sent a message over 64 KiB.
    TooBig,
    /// They sent a text frame that is not UTF-8.
    NotUtf8,
}

impl Notice {
    /// The notice in words, in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        let locale = lang.code();
        match self {
            Notice::Joined { nickname, online } => t!(
                "chat.joined",
                locale = locale,
                nickname = nickname,
                count = online
            )
            .into(),
            Notice::Left {
                nickname,
                online,
                why: None,
            } => t!(
                "chat.left",
                locale = locale,
                nickname = nickname,
                count = online
            )
            .into(),
            Notice::Left {
                nickname,
                online,
                why: Some(why),
            } => {
                let why = why.text(lang);
                let count = online;
                t!(
                    "chat.left_because",
                    locale = locale,
                    nickname = nickname,
                    why = why,
                    count = count
                )
                .into()
            }
        }
    }
}

impl Why {
    /// The reason in words, in `lang`.
    pub fn text(self, lang: Lang) -> String {
        let key = match self {
            Why::TooSlow => "chat.why.too_slow",
            Why::TooBig => "chat.why.too_big",
            Why::NotUtf8 => "chat.why.not_utf8",
        };
        t!(key, locale = lang.code()).into()
    }
}

/// Queues `notice` as a `{"type":"log"}` frame for every member but the
/// one keyed `except`, each in their language. It is put into words once
/// per language that someone reads, not once per member.
pub(crate) fn tell(members: &BTreeMap<String, Member>, notice: &Notice, except: Option<&str>) {
    let mut in_words: Vec<(Lang, Frame)> = Vec::new();
    for (key, member) in members {
        if Some(key.as_str()) == except {
            continue;
        }
        let item = match in_words.iter().find(|(lang, _)| *lang == member.lang) {
            Some((_, item)) => item.clone(),
            None => {
                let item = frame(&ServerMessage::log(notice.text(member.lang)));
                in_words.push((member.lang, item.clone()));
                item
            }
        };
        member.outbox.push(item);
    }
}
// ANCHOR_END: notice

pub(crate) fn login_answer(success: bool, message: String, online: usize) -> ServerMessage {
    ServerMessage::Login(LoginResult {
        success,
        message,
        sum_users: online,
    })
}

// ───────────────────────── What the seed leaves out ─────────────────────────
//
// Socket.IO buffers for a client that stops reading (a background tab, a
// sleeping laptop) without limit. Each client's queue here is bounded
// twice, in frames and in bytes of their text, and a client that fills it
// is dropped instead of stalling the room.

/// How many bytes may wait in one client's queue, and how many do.
#[derive(Debug)]
struct Budget {
    limit: usize,
    /// An atomic counter: the room adds to it and the client's writer task
    /// takes from it, from different threads, without a lock.
    queued: AtomicUsize,
}

/// A client's queue, bounded twice: at most `frames` frames, and at most
/// `bytes` bytes of their text. The count alone would let a client that
/// stops reading hold `frames` of the largest messages allowed; the byte
/// bound caps what it can cost whatever the messages are.
///
/// The [`Outbox`] goes to the room; the [`Inbox`] to the client's writer.
pub fn queue(frames: usize, bytes: usize) -> (Outbox, Inbox) {
    // An `mpsc` channel ("multi-producer, single-consumer"): any number of
    // senders (the room, the client's own task) put frames in, one receiver
    // (the writer task) takes them out in order. Bounded: it holds at most
    // `frames`.
    let (sender, receiver) = mpsc::channel(frames);
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

// ANCHOR: outbox
/// The way to one client: the sending end of its bounded queue (its
/// connection's writer task takes frames out and sends them),
/// and the token that disconnects it. Cloning it makes another handle to
/// the same queue.
#[derive(Debug, Clone)]
pub struct Outbox {
    /// Frames waiting to be sent to this client, at most the queue's
    /// capacity of them.
    queue: mpsc::Sender<Frame>,
    /// Cancelled when the queue is full: the client's connection task waits
    /// on it and then closes the connection.
    overflowed: CancellationToken,
    /// The byte bound, shared with the [`Inbox`].
    budget: Arc<Budget>,
}

impl Outbox {
    /// Queues `frame` for this client without ever waiting.
    ///
    /// This is the room's backpressure rule. A full queue means the client
    /// has not read its socket for a while (its socket buffers are full too).
    /// Waiting for it would stall whoever is sending, and with them the whole
    /// room; queueing without a limit would let one stuck client eat the
    /// server's memory. So we do neither: we give up on that client.
    pub fn push(&self, frame: Frame) {
        let bytes = frame.len();
        let queued = self.budget.queued.fetch_add(bytes, Ordering::Relaxed) + bytes;
        if queued > self.budget.limit {
            self.budget.queued.fetch_sub(bytes, Ordering::Relaxed);
            self.overflowed.cancel();
            return;
        }
        match self.queue.try_send(frame) {
            Ok(()) => return,
            Err(TrySendError::Full(_)) => self.overflowed.cancel(),
            // The connection is already closing; nobody is left to read it.
            Err(TrySendError::Closed(_)) => {}
        }
        // Not queued after all: its bytes are not waiting.
        self.budget.queued.fetch_sub(bytes, Ordering::Relaxed);
    }

    /// Queues one message for this client (Socket.IO's `socket.emit`).
    pub fn send(&self, message: &ServerMessage) {
        self.push(frame(message));
    }

    /// Whether `other` is a handle to the same client's queue.
    pub fn is(&self, other: &Outbox) -> bool {
        self.queue.same_channel(&other.queue)
    }

    /// Resolves once a [`push`](Self::push) has found the queue full.
    pub async fn overflowed(&self) {
        self.overflowed.cancelled().await;
    }
}
// ANCHOR_END: outbox

/// The receiving end of a [`queue`]: the client's writer takes frames
/// here, and each frame taken frees its bytes.
#[derive(Debug)]
pub struct Inbox {
    receiver: mpsc::Receiver<Frame>,
    budget: Arc<Budget>,
}

impl Inbox {
    /// The next frame; `None` once every [`Outbox`] is gone and all is taken.
    pub async fn recv(&mut self) -> Option<Frame> {
        let frame = self.receiver.recv().await?;
        self.budget.queued.fetch_sub(frame.len(), Ordering::Relaxed);
        Some(frame)
    }

    /// The next frame if one is waiting now.
    pub fn try_recv(&mut self) -> Option<Frame> {
        let frame = self.receiver.try_recv().ok()?;
        self.budget.queued.fetch_sub(frame.len(), Ordering::Relaxed);
        Some(frame)
    }
}
