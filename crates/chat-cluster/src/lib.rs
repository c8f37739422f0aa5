//! Chapter 7 (beyond the seed): one chat room across several server
//! processes, through a real Redis.
//!
//! One process holds one room: its members are in its memory. A chat
//! service that outgrows one process runs several ("nodes"), and users on
//! different nodes must still meet. Socket.IO's answer, which the seed's
//! chapter 6 uses, is its Redis adapter; this crate is the same idea:
//!
//! - **messages** go through Redis **pub/sub**: every node publishes what
//!   happens in its room on the room's channel and hears what the others
//!   publish ([`Event`]: joined, left, broadcast, private message, typing:
//!   structured, never rendered text, so each node writes them for its own
//!   clients, in their language);
//! - **who is online** is kept in Redis **keys that expire** ([`presence`]):
//!   a node claims a nickname atomically (`SET … NX`), and refreshes its
//!   claims every few seconds; a node that dies stops refreshing, and its
//!   users are gone from the cluster within [`presence::TTL`].
//!
//! A lesson (`tcp-chat server`, `ws-chat`) takes `--redis URL` and `--room
//! NAME` ([`ClusterArgs`]), starts a [`Node`] with [`Node::start`], and from
//! then on: [`Node::claim`] at login, [`Node::publish`] for what happens in
//! its room, [`Node::release`] when a user leaves, and a loop over the
//! [`Remote`]s the node hands it. Without `--redis`, nothing changes.
//!
//! What Redis does not give: messages published while a node cannot reach
//! Redis are lost to the other nodes (pub/sub keeps nothing; the local room
//! goes on), and they are not replayed later. See `docs/ch7-cluster.md`.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::lang::Lang;
use redis::AsyncCommands;
use redis::aio::ConnectionManager;
use rust_i18n::t;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TrySendError;
use tokio::task::JoinHandle;

pub mod demo;
pub mod presence;

rust_i18n::i18n!("locales", fallback = "en");

/// A `--help` text in `lang`, for `common::lang::parse` (the `chat-cluster`
/// binary's).
pub fn help_text(lang: Lang, key: &str) -> Option<String> {
    _rust_i18n_try_translate(lang.code(), key).map(|text| text.into_owned())
}

/// `--redis` and `--room`, for a chat server: flatten into its arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct ClusterArgs {
    /// Share the room with other servers through this Redis
    /// (redis://127.0.0.1:6379, or unix:///path/to/redis.sock); without it,
    /// the room is this server's alone
    #[arg(long, value_name = "URL")]
    pub redis: Option<String>,

    /// The room's name on that Redis: servers with the same Redis and room
    /// share one room
    #[arg(long, default_value = "lobby", value_name = "NAME")]
    pub room: String,
}

// ANCHOR: event
/// What happens in a room, as nodes tell each other. The sender is always
/// set by the node that publishes, from its own record of who is logged in
/// on which connection: nothing a client sends ends up here as a name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Event {
    /// `nickname` logged in; `online` users in the whole cluster now.
    Joined { nickname: String, online: usize },
    /// `nickname` left (or its node died); `online` users now.
    Left { nickname: String, online: usize },
    /// A message to the whole room.
    Broadcast { from: String, message: String },
    /// A message to one user, wherever they are.
    Private {
        from: String,
        to: String,
        message: String,
    },
    /// Someone started or stopped typing (ws-chat's notice).
    Typing { nickname: String, typing: bool },
}
// ANCHOR_END: event

/// An [`Event`] on the wire: which room, which node it is about.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Envelope {
    room: String,
    /// The node whose user it is about (the publisher's own id, or a dead
    /// node's when another node announces that its users left).
    node: String,
    event: Event,
}

/// What a node hands its lesson.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Remote {
    /// Something happened on another node.
    Event(Event),
    /// Redis came back after an outage, and `nickname`, logged in here
    /// meanwhile, had been taken on another node: the lesson asks that user
    /// to log in again (the node has already dropped the claim).
    Lost { nickname: String },
}

/// Why a node could not start. Each says what to do ([`in_lang`](Self::in_lang)).
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("--redis {url}: not a Redis URL ({source}); write it like redis://127.0.0.1:6379")]
    BadUrl {
        url: String,
        source: redis::RedisError,
    },
    #[error(
        "cannot reach Redis at {url} ({source}); start one with `just redis` \
         (or `redis-server --save '' --appendonly no`)"
    )]
    Unreachable {
        url: String,
        source: redis::RedisError,
    },
}

impl ClusterError {
    /// The same sentence in `lang`, for the lesson to print before it exits.
    pub fn in_lang(&self, lang: Lang) -> String {
        let locale = lang.code();
        match self {
            ClusterError::BadUrl { url, source } => {
                t!("error.bad_url", locale = locale, url = url, error = source).into()
            }
            ClusterError::Unreachable { url, source } => t!(
                "error.unreachable",
                locale = locale,
                url = url,
                error = source
            )
            .into(),
        }
    }
}

// ANCHOR: queue
/// How many events may wait for Redis, and for the lesson. Both are
/// bounded: a slow lesson makes the subscriber wait, Redis's output buffer
/// for this node grows, and past its limit Redis disconnects the node,
/// which then reconnects (below). Nothing grows without bound.
const QUEUE: usize = 1024;
// ANCHOR_END: queue

/// Backoff between reconnection attempts: from 100 ms, doubling, to 5 s.
const BACKOFF_MIN: Duration = Duration::from_millis(100);
const BACKOFF_MAX: Duration = Duration::from_secs(5);

/// One server process's place in the cluster. Cheap to clone (an `Arc`
/// inside); its background tasks stop when the last clone is dropped.
#[derive(Clone)]
pub struct Node {
    shared: Arc<Shared>,
}

struct Shared {
    room: String,
    id: String,
    /// The language of this node's log lines (the teacher's).
    lang: Lang,
    redis: ConnectionManager,
    /// The nicknames this node has claimed, as their users wrote them.
    local: Mutex<BTreeSet<String>>,
    /// Events waiting to be published, in order.
    outbox: mpsc::Sender<Envelope>,
    /// Whether the last publish reached Redis (set by the publishing task).
    reachable: Arc<AtomicBool>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl std::fmt::Debug for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Node")
            .field("id", &self.shared.id)
            .field("room", &self.shared.room)
            .finish_non_exhaustive()
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        let tasks = self.tasks.get_mut().map(std::mem::take).unwrap_or_default();
        for task in tasks {
            task.abort();
        }
    }
}

impl Node {
    /// Connects to the Redis at `url` and joins `room`: one connection for
    /// commands (it reconnects by itself), one for the subscription (which
    /// this node re-makes and re-subscribes when it breaks: a pub/sub
    /// connection does not). Returns the node and the events from others.
    /// `lang` is the language of its log lines.
    pub async fn start(
        url: &str,
        room: &str,
        lang: Lang,
    ) -> Result<(Node, mpsc::Receiver<Remote>), ClusterError> {
        let client = redis::Client::open(url).map_err(|source| ClusterError::BadUrl {
            url: url.to_owned(),
            source,
        })?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(Duration::from_secs(2)))
            .set_number_of_retries(1)
            .set_max_delay(BACKOFF_MAX);
        let redis = client
            .get_connection_manager_with_config(config)
            .await
            .map_err(|source| ClusterError::Unreachable {
                url: url.to_owned(),
                source,
            })?;
        // Subscribed before `start` returns: an event published by another
        // node from then on reaches this one.
        let unreachable = |source| ClusterError::Unreachable {
            url: url.to_owned(),
            source,
        };
        let mut pubsub = client.get_async_pubsub().await.map_err(unreachable)?;
        pubsub
            .subscribe(format!("chat:{room}:events"))
            .await
            .map_err(unreachable)?;
        let (outbox, waiting) = mpsc::channel(QUEUE);
        let (to_lesson, remote) = mpsc::channel(QUEUE);
        let node = Node {
            shared: Arc::new(Shared {
                room: room.to_owned(),
                id: presence::new_node_id(),
                lang,
                redis,
                local: Mutex::new(BTreeSet::new()),
                outbox,
                reachable: Arc::new(AtomicBool::new(true)),
                tasks: Mutex::new(Vec::new()),
            }),
        };
        presence::heartbeat(&node, &to_lesson).await;
        let weak = Arc::downgrade(&node.shared);
        let tasks = vec![
            tokio::spawn(publish_loop(
                node.shared.redis.clone(),
                node.channel(),
                waiting,
                Arc::clone(&node.shared.reachable),
                lang,
            )),
            tokio::spawn(subscribe_loop(
                client,
                pubsub,
                weak.clone(),
                to_lesson.clone(),
            )),
            tokio::spawn(presence::keep_alive(weak, to_lesson)),
        ];
        *node.lock_tasks() = tasks;
        Ok((node, remote))
    }

    /// Whether `nickname` is claimed here (by a user logged in on this node).
    pub fn holds(&self, nickname: &str) -> bool {
        let wanted = nickname.to_lowercase();
        self.local()
            .iter()
            .any(|held| held.to_lowercase() == wanted)
    }

    /// This node's id (random, new each run), as the keys and events name it.
    pub fn id(&self) -> &str {
        &self.shared.id
    }

    /// The room's pub/sub channel.
    fn channel(&self) -> String {
        format!("chat:{}:events", self.shared.room)
    }

    fn lock_tasks(&self) -> std::sync::MutexGuard<'_, Vec<JoinHandle<()>>> {
        self.shared
            .tasks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn local(&self) -> std::sync::MutexGuard<'_, BTreeSet<String>> {
        self.shared
            .local
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Tells the other nodes what happened here: the event joins a bounded
    /// queue to Redis, in order. When the queue is full while Redis answers
    /// (a burst), this waits for room, at most [`WAIT_FOR_ROOM`]: the sender's
    /// session slows down rather than its messages being lost. When Redis
    /// cannot be reached, it never waits: the event stays local.
    pub async fn publish(&self, event: Event) {
        self.publish_about(self.shared.id.clone(), event).await;
    }

    async fn publish_about(&self, node: String, event: Event) {
        let envelope = Envelope {
            room: self.shared.room.clone(),
            node,
            event,
        };
        let outbox = &self.shared.outbox;
        let queued = match outbox.try_send(envelope) {
            Ok(()) => true,
            Err(TrySendError::Full(item)) if self.shared.reachable.load(Ordering::Relaxed) => {
                let wait = tokio::time::timeout(WAIT_FOR_ROOM, outbox.send(item));
                matches!(wait.await, Ok(Ok(())))
            }
            Err(_) => false,
        };
        if !queued {
            tracing::debug!("an event stayed local: Redis is unreachable or too slow");
        }
    }

    /// Claims `nickname` for a user logging in here: `true` if it is theirs
    /// now. Case does not matter (`Alice` and `alice` are one name), and
    /// two nodes claiming one name at once get one `true` between them:
    /// Redis runs the claim as one command. When Redis cannot be reached,
    /// the login goes ahead locally and is registered once Redis is back
    /// (see [`Remote::Lost`]).
    pub async fn claim(&self, nickname: &str) -> bool {
        // Held here already: by someone else on this node.
        if self.holds(nickname) {
            return false;
        }
        match presence::claim(self, nickname).await {
            Ok(won) => {
                if won {
                    self.local().insert(nickname.to_owned());
                }
                won
            }
            Err(error) => {
                let text = t!("log.claim_offline", locale = self.shared.lang.code());
                tracing::warn!(%error, nickname, "{text}");
                self.local().insert(nickname.to_owned());
                true
            }
        }
    }

    /// Gives `nickname` back when its user leaves this node. `false` if
    /// this node did not hold it (it was lost to another node meanwhile:
    /// then there is no departure to announce).
    pub async fn release(&self, nickname: &str) -> bool {
        let held = self.local().remove(nickname);
        if held && let Err(error) = presence::release(self, nickname).await {
            tracing::debug!(%error, nickname, "release: Redis unreachable; the claim expires");
        }
        held
    }

    /// Leaves the cluster when the server stops: publishes what is still
    /// queued, announces that this node's users left (with the count the
    /// others will have), gives back every claim and removes this node at
    /// once, rather than letting them expire. Waits at most about 2 s.
    pub async fn shutdown(&self) {
        let drained = async {
            while self.shared.outbox.capacity() < self.shared.outbox.max_capacity() {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        };
        let _ = tokio::time::timeout(WAIT_FOR_ROOM, drained).await;
        let local: Vec<String> = self.local().iter().cloned().collect();
        let mut online = self.online(local.len()).await;
        let mut redis = self.shared.redis.clone();
        for nickname in local {
            self.release(&nickname).await;
            online = online.saturating_sub(1);
            let envelope = Envelope {
                room: self.shared.room.clone(),
                node: self.shared.id.clone(),
                event: Event::Left { nickname, online },
            };
            if let Ok(json) = serde_json::to_string(&envelope) {
                let sent: redis::RedisResult<i64> = redis.publish(self.channel(), json).await;
                if sent.is_err() {
                    break; // Redis is away: the others' sweep announces them
                }
            }
        }
        if let Err(error) = presence::leave(self).await {
            tracing::debug!(%error, "shutdown: Redis unreachable; the keys expire");
        }
    }

    /// Everyone online in the cluster, sorted; `None` if Redis cannot be
    /// reached (the lesson then shows its own room).
    pub async fn users(&self) -> Option<Vec<String>> {
        presence::users(self).await.ok()
    }

    /// Who is online on the cluster, counted for a join or leave notice: the
    /// cluster's count, or `local` when Redis cannot be reached.
    pub async fn online(&self, local: usize) -> usize {
        self.users().await.map_or(local, |users| users.len())
    }
}

/// The longest a sender waits for room in a full queue while Redis answers.
const WAIT_FOR_ROOM: Duration = Duration::from_secs(1);

/// At most this many queued events go to Redis in one round trip.
const BATCH: usize = 64;

/// Publishes queued events in order, on one connection: what is waiting
/// goes in one pipeline (one round trip to Redis for up to [`BATCH`]), so a
/// burst of messages does not wait for one round trip each.
///
/// When a publish fails, Redis is away: one warning, and from then on
/// nothing is published until Redis answers a `PING` again. Everything
/// queued until that moment is dropped: what happened during an outage
/// stays on its node, and is not replayed afterwards.
async fn publish_loop(
    mut redis: ConnectionManager,
    channel: String,
    mut waiting: mpsc::Receiver<Envelope>,
    reachable: Arc<AtomicBool>,
    lang: Lang,
) {
    let locale = lang.code();
    let mut batch = Vec::with_capacity(BATCH);
    while waiting.recv_many(&mut batch, BATCH).await > 0 {
        let mut pipe = redis::pipe();
        for envelope in batch.drain(..) {
            if let Ok(json) = serde_json::to_string(&envelope) {
                pipe.publish(&channel, json).ignore();
            }
        }
        let sent: redis::RedisResult<()> = pipe.query_async(&mut redis).await;
        if let Err(error) = sent {
            let text = t!("log.publish_failed", locale = locale);
            tracing::warn!(%error, "{text}");
            // Senders stop waiting for room: their events stay local.
            reachable.store(false, Ordering::Relaxed);
            let mut backoff = BACKOFF_MIN;
            loop {
                tokio::time::sleep(backoff).await;
                let pong: redis::RedisResult<String> =
                    redis::cmd("PING").query_async(&mut redis).await;
                if pong.is_ok() {
                    break;
                }
                backoff = (backoff * 2).min(BACKOFF_MAX);
            }
            while waiting.try_recv().is_ok() {}
            reachable.store(true, Ordering::Relaxed);
            tracing::info!("{}", t!("log.publishing_again", locale = locale));
        }
    }
}

/// Hears the room's channel and hands other nodes' events to the lesson.
/// When the subscription breaks (Redis stopped, or disconnected this node
/// for reading too slowly), it logs one warning, reconnects with backoff,
/// subscribes again, and re-registers this node's users.
async fn subscribe_loop(
    client: redis::Client,
    first: redis::aio::PubSub,
    node: std::sync::Weak<Shared>,
    to_lesson: mpsc::Sender<Remote>,
) {
    use futures_util::StreamExt;

    let mut backoff = BACKOFF_MIN;
    let mut outage = false;
    let mut first = Some(first);
    loop {
        let Some(shared) = node.upgrade() else { return };
        let (id, room) = (shared.id.clone(), shared.room.clone());
        let locale = shared.lang.code();
        let channel = format!("chat:{room}:events");
        drop(shared);
        // ANCHOR: resubscribe
        let subscribed = match first.take() {
            Some(pubsub) => Ok(pubsub),
            None => {
                async {
                    let mut pubsub = client.get_async_pubsub().await?;
                    pubsub.subscribe(&channel).await?;
                    redis::RedisResult::Ok(pubsub)
                }
                .await
            }
        };
        match subscribed {
            Ok(pubsub) => {
                if outage {
                    tracing::info!("{}", t!("log.back", locale = locale));
                    if let Some(shared) = node.upgrade() {
                        presence::heartbeat(&Node { shared }, &to_lesson).await;
                    }
                    outage = false;
                }
                backoff = BACKOFF_MIN;
                // ANCHOR_END: resubscribe
                let mut messages = pubsub.into_on_message();
                while let Some(message) = messages.next().await {
                    let Ok(payload) = message.get_payload::<String>() else {
                        continue;
                    };
                    let Ok(envelope) = serde_json::from_str::<Envelope>(&payload) else {
                        let text = t!("log.not_an_event", locale = locale);
                        tracing::warn!(payload, "{text}");
                        continue;
                    };
                    if envelope.node == id || envelope.room != room {
                        continue;
                    }
                    // Waits while the lesson is busy: the bound that holds
                    // this node's share of Redis's memory (see QUEUE).
                    if to_lesson.send(Remote::Event(envelope.event)).await.is_err() {
                        return; // the lesson has stopped
                    }
                }
                if !outage {
                    tracing::warn!("{}", t!("log.lost", locale = locale));
                    outage = true;
                }
            }
            Err(error) => {
                if !outage {
                    let text = t!("log.lost", locale = locale);
                    tracing::warn!(%error, "{text}");
                    outage = true;
                }
            }
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(BACKOFF_MAX);
    }
}
