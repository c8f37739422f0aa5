//! Chapter 7 (beyond the seed): this room shared with other servers through
//! Redis, Socket.IO's Redis adapter done by hand (`ws-chat --redis URL`).
//!
//! The lesson above this module is one process with one [`Room`]. Here the
//! room joins a cluster through a `chat_cluster::Node`: what happens in it
//! is published as an [`Event`] (joined, left, broadcast, private message,
//! typing: facts, never rendered text), and what the other servers publish
//! is applied to it as if it had happened here, each notice written in its
//! reader's language. The room keeps the names logged in elsewhere
//! (`Room::elsewhere`), so the count and the page's online list cover
//! everyone, including `tcp-chat` users in a terminal on the same Redis.
//!
//! | Socket.IO with `@socket.io/redis-adapter` | here |
//! |---|---|
//! | `socket.broadcast.emit(…)` reaches other servers' sockets | [`Cluster::broadcast`] |
//! | `io.to(socketId).emit(…)` on another server | [`Cluster::send_private`] |
//! | the adapter's subscription to its channel | `chat_cluster::Node::start` |
//! | (no counterpart: Socket.IO leaves unique names to you) | [`Cluster::claim`] |
//!
//! The session (`chat.rs`) calls in at the places marked "Chapter 7".
//! Without `--redis` there is no `Cluster`, and nothing changes.
//!
//! When Redis goes away and comes back, a name claimed here meanwhile may
//! have been taken on another server. Its user here is then logged out and
//! asked to log in again (a `login` answer with `success: false`: the page
//! shows its login form with the reason).

use std::sync::{Arc, Weak};

use chat_cluster::{ClusterArgs, ClusterError, Event, Node, Remote, presence};
use common::chat::{ServerMessage, check_nickname};
use common::lang::Lang;
use rust_i18n::t;
use tokio::sync::mpsc;
use tracing::{info, warn};

use crate::room::{Notice, Outbox, Room, login_answer, tell};

/// This server's link to the others. Without `--redis` it is empty
/// ([`Cluster::default`]) and each method does nothing, so the session
/// calls them without asking. Cloning it copies a pointer (`Arc`).
#[derive(Debug, Clone, Default)]
pub struct Cluster(Option<Arc<Linked>>);

/// The link itself, with `--redis`.
#[derive(Debug)]
struct Linked {
    node: Node,
    room: Arc<Room>,
    /// The teacher's language, for the log.
    lang: Lang,
}

impl Cluster {
    /// With `--redis`: connects to Redis, joins `--room`, and starts applying
    /// what the other servers publish to `room`. Without: an empty link.
    pub async fn join(
        args: &ClusterArgs,
        room: Arc<Room>,
        lang: Lang,
    ) -> Result<Cluster, ClusterError> {
        let Some(url) = &args.redis else {
            return Ok(Cluster::default());
        };
        let (node, remote) = Node::start(url, &args.room, lang).await?;
        let linked = Arc::new(Linked { node, room, lang });
        linked.resync().await;
        // The task holds a `Weak`: it stops when the server drops the link.
        tokio::spawn(follow(Arc::downgrade(&linked), remote));
        Ok(Cluster(Some(linked)))
    }

    /// Whether this server shares its room (it runs with `--redis`).
    pub fn is_linked(&self) -> bool {
        self.0.is_some()
    }

    /// Before a login: claims the nickname on every server at once. `false`
    /// if another user has it anywhere; the refusal is already on its way
    /// to the client, worded as on one server. A nickname the room will
    /// refuse anyway (empty, too long, …) is not claimed: `join` says why.
    pub async fn claim(&self, requested: &str, outbox: &Outbox, lang: Lang) -> bool {
        let Some(this) = &self.0 else { return true };
        let Ok(nickname) = check_nickname(requested, lang) else {
            return true;
        };
        if this.node.claim(nickname).await {
            // The welcome counts the whole cluster: who Redis has now, even
            // those whose `joined` is still on its way here.
            this.resync().await;
            return true;
        }
        let locale = lang.code();
        let taken = t!("chat.taken", locale = locale, nickname = nickname);
        let reason = t!("chat.login_failed", locale = locale, reason = taken);
        outbox.send(&login_answer(false, reason.into(), this.room.online()));
        false
    }

    /// After a login: tells the other servers who joined, or gives the
    /// claim back if the room refused the name after all.
    pub async fn joined(&self, requested: &str, joined: Option<&str>) {
        let Some(this) = &self.0 else { return };
        match joined {
            Some(nickname) => {
                this.node
                    .publish(Event::Joined {
                        nickname: nickname.to_owned(),
                        online: this.room.online(),
                    })
                    .await
            }
            None => {
                if let Ok(nickname) = check_nickname(requested, this.lang) {
                    this.node.release(nickname).await;
                }
            }
        }
    }

    /// A user left this server: their name is free, and the others hear it.
    pub async fn left(&self, nickname: &str) {
        let Some(this) = &self.0 else { return };
        if this.node.release(nickname).await {
            this.node
                .publish(Event::Left {
                    nickname: nickname.to_owned(),
                    online: this.room.online(),
                })
                .await;
        }
    }

    /// A broadcast from a user here, for the users elsewhere.
    pub async fn broadcast(&self, from: &str, message: &str) {
        let Some(this) = &self.0 else { return };
        this.node
            .publish(Event::Broadcast {
                from: from.to_owned(),
                message: message.to_owned(),
            })
            .await;
    }

    /// "is typing…" from a user here, for the pages elsewhere.
    pub async fn typing(&self, nickname: &str, typing: bool) {
        let Some(this) = &self.0 else { return };
        this.node
            .publish(Event::Typing {
                nickname: nickname.to_owned(),
                typing,
            })
            .await;
    }

    /// A private message to `to`, if `to` is logged in on another server:
    /// it goes there through Redis, and this returns `true`. `false`: not
    /// elsewhere (the room answers as on one server).
    pub async fn send_private(&self, from: &str, to: &str, message: &str) -> bool {
        let Some(this) = &self.0 else { return false };
        let Some(to) = this.room.elsewhere().get(&to.to_lowercase()).cloned() else {
            return false;
        };
        this.node
            .publish(Event::Private {
                from: from.to_owned(),
                to,
                message: message.to_owned(),
            })
            .await;
        true
    }

    /// The server is stopping: the others hear that its users left.
    pub async fn shutdown(&self) {
        if let Some(this) = &self.0 {
            this.node.shutdown().await;
        }
    }
}

impl Linked {
    /// One event from another server, applied to the room here.
    fn apply(&self, remote: Remote) {
        let log = self.lang.code();
        match remote {
            Remote::Event(Event::Joined { nickname, .. }) => self.arrived(&nickname),
            Remote::Event(Event::Left { nickname, .. }) => self.departed(&nickname),
            // ANCHOR: apply
            // The sender is on another server: everyone here gets it.
            Remote::Event(Event::Broadcast { from, message }) => {
                let message = ServerMessage::broadcast(&from, message);
                self.room.send_to_others(&from, &message);
            }
            // Delivered if `to` is here.
            Remote::Event(Event::Private { from, to, message }) => {
                self.room.send_private(&from, &to, &message);
            }
            Remote::Event(Event::Typing { nickname, typing }) => {
                let message = ServerMessage::typing(&nickname, typing);
                self.room.send_to_others(&nickname, &message);
            }
            // ANCHOR_END: apply
            Remote::Lost { nickname } => {
                self.room.lost(&nickname);
                warn!("{}", t!("log.lost", locale = log, nickname = nickname));
            }
        }
    }

    /// Asks Redis who is online and corrects the names kept as elsewhere:
    /// an event missed while Redis was away is made good within a few
    /// seconds. `None` from Redis (unreachable): the last list stays.
    /// The names this node claimed are not elsewhere, even before their
    /// users are in the room (a login between its claim and its join).
    async fn resync(&self) {
        let Some(mut everyone) = self.node.users().await else {
            return;
        };
        everyone.retain(|nickname| !self.node.holds(nickname));
        // Whoever came or went without our hearing it is announced now;
        // their own event, when it comes, finds them known and says nothing.
        let (came, went) = self.room.compare_elsewhere(&everyone);
        for nickname in came {
            self.arrived(&nickname);
        }
        for nickname in went {
            self.departed(&nickname);
        }
    }

    /// `nickname` logged in on another server: told here, and logged.
    fn arrived(&self, nickname: &str) {
        if let Some(count) = self.room.arrived(nickname) {
            let log = self.lang.code();
            let text = t!(
                "log.joined_elsewhere",
                locale = log,
                nickname = nickname,
                count = count
            );
            info!("{text}");
        }
    }

    /// `nickname` left another server (or it died): told here, and logged.
    fn departed(&self, nickname: &str) {
        if let Some(count) = self.room.departed(nickname) {
            let log = self.lang.code();
            let text = t!(
                "log.left_elsewhere",
                locale = log,
                nickname = nickname,
                count = count
            );
            info!("{text}");
        }
    }
}

/// Applies the other servers' events as they come, and resyncs every few
/// seconds, until the cluster is dropped.
async fn follow(cluster: Weak<Linked>, mut remote: mpsc::Receiver<Remote>) {
    let mut every = tokio::time::interval(presence::REFRESH);
    loop {
        tokio::select! {
            next = remote.recv() => {
                let (Some(next), Some(cluster)) = (next, cluster.upgrade()) else { return };
                cluster.apply(next);
            }
            _ = every.tick() => {
                let Some(cluster) = cluster.upgrade() else { return };
                cluster.resync().await;
            }
        }
    }
}

/// The room's side of the cluster: users who are not here.
impl Room {
    /// `nickname` logged in on another server: everyone here is told, with
    /// the cluster's count (returned), and gets the new users list. `None`
    /// if it is a user here (a stale event from an outage).
    fn arrived(&self, nickname: &str) -> Option<usize> {
        let key = nickname.to_lowercase();
        let members = self.members();
        if members.contains_key(&key) {
            return None;
        }
        let mut elsewhere = self.elsewhere();
        // Known already (the last resync saw them): everyone here was told.
        if elsewhere.insert(key, nickname.to_owned()).is_some() {
            return None;
        }
        let online = members.len() + elsewhere.len();
        drop(elsewhere);
        let nickname = nickname.to_owned();
        tell(&members, &Notice::Joined { nickname, online }, None);
        drop(members);
        self.send_users_to_all();
        Some(online)
    }

    /// `nickname` left another server (or it died): everyone here is told.
    fn departed(&self, nickname: &str) -> Option<usize> {
        let key = nickname.to_lowercase();
        let members = self.members();
        if members.contains_key(&key) {
            return None;
        }
        let mut elsewhere = self.elsewhere();
        // Not known here (gone already, or never seen): nobody to tell.
        elsewhere.remove(&key)?;
        let online = members.len() + elsewhere.len();
        drop(elsewhere);
        let nickname = nickname.to_owned();
        let left = Notice::Left {
            nickname,
            online,
            why: None,
        };
        tell(&members, &left, None);
        drop(members);
        self.send_users_to_all();
        Some(online)
    }

    /// `nickname`, logged in here while Redis was away, belongs to a user
    /// on another server now: ours is logged out and asked to log in again.
    fn lost(&self, nickname: &str) {
        let mut members = self.members();
        let Some(member) = members.remove(&nickname.to_lowercase()) else {
            return;
        };
        let online = members.len() + self.elsewhere().len();
        let locale = member.lang.code();
        let text = t!("chat.lost", locale = locale, nickname = member.nickname);
        member
            .outbox
            .send(&login_answer(false, text.into(), online));
        drop(members);
        self.send_users_to_all();
    }

    /// Whether the member called `nickname` is still the client behind
    /// `outbox` (not logged out by [`lost`](Self::lost)).
    pub(crate) fn holds(&self, nickname: &str, outbox: &Outbox) -> bool {
        let members = self.members();
        let member = members.get(&nickname.to_lowercase());
        member.is_some_and(|member| member.outbox.is(outbox))
    }

    /// Everyone Redis says is online, against the users known elsewhere:
    /// who came (not here, not known) and who went (known, no longer there).
    fn compare_elsewhere(&self, everyone: &[String]) -> (Vec<String>, Vec<String>) {
        let members = self.members();
        let elsewhere = self.elsewhere();
        let now: std::collections::BTreeMap<String, &String> = everyone
            .iter()
            .map(|nickname| (nickname.to_lowercase(), nickname))
            .filter(|(key, _)| !members.contains_key(key))
            .collect();
        let came = now
            .iter()
            .filter(|(key, _)| !elsewhere.contains_key(*key))
            .map(|(_, nickname)| (*nickname).clone())
            .collect();
        let went = elsewhere
            .iter()
            .filter(|(key, _)| !now.contains_key(*key))
            .map(|(_, nickname)| nickname.clone())
            .collect();
        (came, went)
    }
}
