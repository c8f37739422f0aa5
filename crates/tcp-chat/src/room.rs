//! The room: who is online, and how a line reaches them. The seed's "容器"
//! (container) that keeps each user's nickname and socket.
//!
//! The seed writes straight to every socket. We put a small queue in front
//! of each client instead, its [`Outbox`]: the room drops a line into every
//! member's queue and moves on, and each client's own writer task takes
//! lines out and writes them to its socket (`server::write_lines`). So a
//! client that is slow to read never makes the room wait for it.
//!
//! Read it top to bottom: the [`Room`] (join, broadcast, private message,
//! leave: the seed's rules), then, under "What the seed leaves out", the
//! bounded queue behind each [`Outbox`].
//!
//! `ws-chat` (chapter 6) has a room of its own, written for WebSocket
//! frames instead of lines. The two are parallel on purpose, method for
//! method, so that the chapter 6 page can set them side by side; what both
//! must agree on (the JSON messages, the nickname rule) is `common::chat`.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use common::chat::{LoginResult, P2pFrom, ServerMessage, UserList, check_nickname};
use common::lang::Lang;
use rust_i18n::t;
use tokio::sync::mpsc::{self, error::TrySendError};
use tokio_util::sync::CancellationToken;

use crate::framing::to_line;

/// One message as it goes on the wire: a line of JSON, ready to write.
///
/// `Arc<[u8]>` is reference-counted bytes: a broadcast is turned into JSON
/// once, and every member's queue holds a pointer to the same bytes. (Not
/// `bytes::Bytes`: 16 bytes per queued line instead of 32, which is most of
/// what a burst costs the server.)
pub type Line = Arc<[u8]>;

/// Turns a message into its line.
pub fn line(message: &ServerMessage) -> Line {
    Arc::from(to_line(message))
}

/// One logged-in user.
pub(crate) struct Member {
    /// The nickname as the user typed it (trimmed): what others see.
    pub(crate) nickname: String,
    /// Where to put lines for them.
    pub(crate) outbox: Outbox,
    /// The language the room's notices are written in for them. The server
    /// gives every connection its own (`--lang`): a `nc` user cannot say
    /// theirs. Kept per member so that each notice is written per receiver.
    pub(crate) lang: Lang,
}

/// Why the server made someone leave, said to each member in their language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// Their queue overflowed: they were not reading.
    TooSlow,
    /// They sent nothing for this long.
    Idle(Duration),
}

impl Why {
    /// In words, in `lang`.
    pub fn in_lang(&self, lang: Lang) -> String {
        match self {
            Why::TooSlow => t!("chat.why.too_slow", locale = lang.code()).into(),
            Why::Idle(after) => {
                let time = duration_in(*after, lang);
                t!("chat.why.idle", locale = lang.code(), time = time).into()
            }
        }
    }
}

/// `30s`, `300ms` (`30 秒`, `300 毫秒`): a timeout as a person writes it.
pub fn duration_in(duration: Duration, lang: Lang) -> String {
    let locale = lang.code();
    if duration.subsec_millis() == 0 {
        let n = duration.as_secs();
        t!("time.secs", locale = locale, n = n).into()
    } else {
        let n = duration.as_millis();
        t!("time.ms", locale = locale, n = n).into()
    }
}

/// A notice written once per language, for everyone in the room: each
/// member gets the line in theirs, encoded only once per language.
pub(crate) fn notify<'a>(members: impl Iterator<Item = &'a Member>, text: impl Fn(Lang) -> String) {
    let mut lines: Vec<(Lang, Line)> = Vec::new();
    for member in members {
        let cached = lines.iter().find(|(lang, _)| *lang == member.lang);
        let encoded = match cached {
            Some((_, encoded)) => encoded.clone(),
            None => {
                let encoded = line(&ServerMessage::log(text(member.lang)));
                lines.push((member.lang, encoded.clone()));
                encoded
            }
        };
        member.outbox.push(encoded);
    }
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
        let members = self.members();
        let here = members.iter().map(|(key, m)| (key, &m.nickname));
        let elsewhere = self.elsewhere();
        // Both maps are keyed by lowercased nickname: one sorted list.
        let everyone: BTreeMap<_, _> = here.chain(elsewhere.iter()).collect();
        everyone.into_values().cloned().collect()
    }

    // ANCHOR: join
    /// `{"type":"login","nickname":…}`. On success adds the user, answers
    /// `success: true` with the new count, tells everyone else, and returns
    /// the nickname as recorded. Otherwise answers `success: false` saying
    /// why, and returns `None`: the client may try again. `lang` is the
    /// language this member is spoken to in.
    pub fn join(&self, requested: &str, outbox: &Outbox, lang: Lang) -> Option<String> {
        let locale = lang.code();
        let mut members = self.members();
        let checked = check_nickname(requested, lang).and_then(|nickname| {
            let key = nickname.to_lowercase();
            if members.contains_key(&key) || self.elsewhere().contains_key(&key) {
                Err(t!("chat.taken", locale = locale, nickname = nickname).into())
            } else {
                Ok(nickname.to_owned())
            }
        });
        let nickname = match checked {
            Ok(nickname) => nickname,
            Err(reason) => {
                // The seed's "登录失败" in Chinese.
                let reason = t!("chat.login_failed", locale = locale, reason = reason);
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
        let count = members.len() + self.elsewhere().len();
        // We still hold the lock, so no broadcast can reach the newcomer
        // before this answer does. (The seed's "登录成功" in Chinese.)
        let welcome = t!(
            "chat.welcome",
            locale = locale,
            nickname = nickname,
            count = count
        );
        outbox.send(&login_answer(true, welcome.into(), count));
        // "xxx 进入了聊天室，当前在线人数：xx", to each in their language.
        let others = members.values().filter(|m| m.nickname != nickname);
        notify(others, |lang| {
            let locale = lang.code();
            t!(
                "chat.joined",
                locale = locale,
                nickname = nickname,
                count = count
            )
            .into()
        });
        Some(nickname)
    }
    // ANCHOR_END: join

    // ANCHOR: send_to_all
    /// `{"type":"broadcast"}`: the line goes to every member, the sender
    /// too, as the seed writes it to every socket.
    pub fn send_to_all(&self, message: &ServerMessage) {
        // Encode once, before taking the lock; every queue gets the same
        // reference-counted bytes.
        let item = line(message);
        // Queue to everyone while holding the lock: two messages never
        // interleave, so every client sees them in the same order. `push`
        // never waits, so holding the lock here costs microseconds.
        for member in self.members().values() {
            member.outbox.push(item.clone());
        }
    }
    // ANCHOR_END: send_to_all

    /// `{"type":"p2p"}`: the message goes to `to`, and a copy to the
    /// sender: the server's answer that it was delivered, which the client
    /// shows as `[you → bob] …`. `Err` says why not, in `lang`.
    pub fn send_private(
        &self,
        from: &str,
        to: &str,
        message: &str,
        lang: Lang,
    ) -> Result<(), String> {
        let members = self.members();
        let Some(target) = members.get(&to.to_lowercase()) else {
            return Err(t!("chat.not_online", locale = lang.code(), to = to).into());
        };
        let delivered = line(&ServerMessage::P2p(P2pFrom {
            from: from.to_owned(),
            to: target.nickname.clone(),
            message: message.to_owned(),
        }));
        target.outbox.push(delivered.clone());
        if let Some(sender) = members.get(&from.to_lowercase())
            && sender.nickname != target.nickname
        {
            sender.outbox.push(delivered);
        }
        Ok(())
    }

    /// `{"type":"users"}`: the answer.
    pub fn users_message(&self) -> ServerMessage {
        ServerMessage::Users(UserList {
            users: self.users(),
        })
    }

    /// A user left: remove them and tell everyone still here, with the new
    /// count, each in their language. `why` is added in brackets when the
    /// server made them leave. Returns how many are still online, or `None`
    /// if they were not here.
    pub fn leave(&self, nickname: &str, why: Option<Why>) -> Option<usize> {
        let mut members = self.members();
        let Member { nickname, .. } = members.remove(&nickname.to_lowercase())?;
        let count = members.len() + self.elsewhere().len();
        notify(members.values(), |lang| {
            let locale = lang.code();
            match why {
                Some(why) => {
                    let why = why.in_lang(lang);
                    t!(
                        "chat.left_because",
                        locale = locale,
                        nickname = nickname,
                        why = why,
                        count = count
                    )
                    .into()
                }
                None => t!(
                    "chat.left",
                    locale = locale,
                    nickname = nickname,
                    count = count
                )
                .into(),
            }
        });
        Some(count)
    }

    /// Removes a user without telling anyone (the server is shutting down:
    /// everyone is leaving).
    pub fn remove(&self, nickname: &str) {
        self.members().remove(&nickname.to_lowercase());
    }
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

pub(crate) fn login_answer(success: bool, message: String, online: usize) -> ServerMessage {
    ServerMessage::Login(LoginResult {
        success,
        message,
        sum_users: online,
    })
}

// ───────────────────────── What the seed leaves out ─────────────────────────
//
// The seed writes to each socket and hopes. A client that stops reading
// (a paused terminal, a sleeping laptop) then makes the server buffer
// everything the room says to it, without limit. Each client's queue here
// is bounded twice, in lines and in bytes, and a client that fills it is
// dropped instead of stalling the room.

/// How many bytes may wait in one client's queue, and how many do.
#[derive(Debug)]
struct Budget {
    limit: usize,
    /// An atomic counter: the room adds to it and the client's writer task
    /// takes from it, from different threads, without a lock.
    queued: AtomicUsize,
}

/// A client's queue, bounded twice: at most `lines` lines, and at most
/// `bytes` bytes of them. The count alone would let a client that stops
/// reading hold `lines` of the largest messages allowed; the byte bound caps
/// what it can cost whatever the messages are.
///
/// The [`Outbox`] goes to the room; the [`Inbox`] to the client's writer.
pub fn queue(lines: usize, bytes: usize) -> (Outbox, Inbox) {
    // An `mpsc` channel ("multi-producer, single-consumer"): any number of
    // senders (the room, the client's own task) put lines in, one receiver
    // (the writer task) takes them out in order. Bounded: it holds at most
    // `lines`.
    let (sender, receiver) = mpsc::channel(lines);
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
/// connection's writer task takes lines out and writes them to the socket),
/// and the token that disconnects it. Cloning it makes another handle to
/// the same queue.
#[derive(Debug, Clone)]
pub struct Outbox {
    /// Lines waiting to be written to this client, at most the queue's
    /// capacity of them.
    queue: mpsc::Sender<Line>,
    /// Cancelled when the queue is full: the client's connection task waits
    /// on it and then closes the connection.
    overflowed: CancellationToken,
    /// The byte bound, shared with the [`Inbox`].
    budget: Arc<Budget>,
}

impl Outbox {
    // ANCHOR: push
    /// Queues `line` for this client without ever waiting.
    ///
    /// This is the room's backpressure rule. A full queue means the client
    /// has not read its socket for a while (its socket buffers are full too).
    /// Waiting for it would stall whoever is sending, and with them the whole
    /// room; queueing without a limit would let one stuck client eat the
    /// server's memory. So we do neither: we give up on that client.
    pub fn push(&self, line: Line) {
        let bytes = line.len();
        let queued = self.budget.queued.fetch_add(bytes, Ordering::Relaxed) + bytes;
        if queued > self.budget.limit {
            self.budget.queued.fetch_sub(bytes, Ordering::Relaxed);
            self.overflowed.cancel();
            return;
        }
        match self.queue.try_send(line) {
            Ok(()) => return,
            Err(TrySendError::Full(_)) => self.overflowed.cancel(),
            // The connection is already closing; nobody is left to read it.
            Err(TrySendError::Closed(_)) => {}
        }
        // Not queued after all: its bytes are not waiting.
        self.budget.queued.fetch_sub(bytes, Ordering::Relaxed);
    }
    // ANCHOR_END: push

    /// Queues one message for this client (Socket.IO's `socket.emit`).
    pub fn send(&self, message: &ServerMessage) {
        self.push(line(message));
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

/// The receiving end of a [`queue`]: the client's writer takes lines here,
/// and each line taken frees its bytes.
#[derive(Debug)]
pub struct Inbox {
    receiver: mpsc::Receiver<Line>,
    budget: Arc<Budget>,
}

impl Inbox {
    /// The next line; `None` once every [`Outbox`] is gone and all is taken.
    pub async fn recv(&mut self) -> Option<Line> {
        let line = self.receiver.recv().await?;
        self.budget.queued.fetch_sub(line.len(), Ordering::Relaxed);
        Some(line)
    }

    /// The next line if one is waiting now.
    pub fn try_recv(&mut self) -> Option<Line> {
        let line = self.receiver.try_recv().ok()?;
        self.budget.queued.fetch_sub(line.len(), Ordering::Relaxed);
        Some(line)
    }
}
