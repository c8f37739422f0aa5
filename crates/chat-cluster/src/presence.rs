//! Who is online across the cluster, kept in Redis keys that expire.
//!
//! | key | value | expires |
//! |---|---|---|
//! | `chat:ROOM:nick:NAME` (lower case) | the node id holding it | after [`TTL`] |
//! | `chat:ROOM:node:ID:alive` | `1` | after [`TTL`] |
//! | `chat:ROOM:node:ID:users` | a set: the node's nicknames | never (swept) |
//! | `chat:ROOM:nodes` | a set: the node ids | never (swept) |
//!
//! Every [`REFRESH`] each node renews its keys. A node that dies (killed,
//! unplugged) renews nothing: its `nick` and `alive` keys expire, and the
//! next node to sweep finds it, removes it from `nodes` (one node wins that
//! `SREM`), and announces its users' departure to everyone. Why expiry at
//! all: a dead node cannot say goodbye, and its users' names would be
//! taken forever.

use std::collections::BTreeSet;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, Weak};
use std::time::Duration;

use redis::AsyncCommands;
use rust_i18n::t;
use tokio::sync::mpsc;

use crate::{Event, Node, Remote, Shared};

/// How long a claim lives without being renewed. A dead node's users are
/// gone from the cluster within `TTL + REFRESH`.
pub const TTL: Duration = Duration::from_secs(9);

/// How often a node renews its claims and sweeps for dead nodes.
pub const REFRESH: Duration = Duration::from_secs(3);

/// A new random node id, such as `n3f9a1c…`.
pub(crate) fn new_node_id() -> String {
    // RandomState is seeded randomly per process: enough to tell nodes apart.
    let random = RandomState::new().hash_one((std::process::id(), std::time::SystemTime::now()));
    format!("n{random:016x}")
}

fn nick_key(room: &str, nickname: &str) -> String {
    format!("chat:{room}:nick:{}", nickname.to_lowercase())
}

fn users_key(room: &str, node: &str) -> String {
    format!("chat:{room}:node:{node}:users")
}

fn alive_key(room: &str, node: &str) -> String {
    format!("chat:{room}:node:{node}:alive")
}

fn nodes_key(room: &str) -> String {
    format!("chat:{room}:nodes")
}

// ANCHOR: claim
/// Claims `nickname` for `node`: one `SET … NX EX`, which Redis runs as
/// one step, so of two nodes racing for a name exactly one gets `OK`.
pub(crate) async fn claim(node: &Node, nickname: &str) -> redis::RedisResult<bool> {
    let Shared { room, id, .. } = &*node.shared;
    let mut redis = node.shared.redis.clone();
    let options = redis::SetOptions::default()
        .conditional_set(redis::ExistenceCheck::NX)
        .with_expiration(redis::SetExpiry::EX(TTL.as_secs()));
    let won: Option<String> = redis
        .set_options(nick_key(room, nickname), id, options)
        .await?;
    if won.is_some() {
        let _: () = redis::pipe()
            .sadd(users_key(room, id), nickname)
            .sadd(nodes_key(room), id)
            .query_async(&mut redis)
            .await?;
    }
    Ok(won.is_some())
}
// ANCHOR_END: claim

/// Deletes a key only if it still holds `value`: a claim this node lost
/// (during an outage) must not be taken from its new owner.
const DELETE_IF: &str = "if redis.call('GET', KEYS[1]) == ARGV[1] then \
                           return redis.call('DEL', KEYS[1]) end return 0";

/// Renews a claim held by this node, makes it again if it vanished (Redis
/// restarted empty), and says 0 when another node holds it now.
const RENEW: &str = "local v = redis.call('GET', KEYS[1]) \
                     if v == false or v == ARGV[1] then \
                       redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) return 1 end \
                     return 0";

pub(crate) async fn release(node: &Node, nickname: &str) -> redis::RedisResult<()> {
    let Shared { room, id, .. } = &*node.shared;
    let mut redis = node.shared.redis.clone();
    let _: () = redis::pipe()
        .cmd("EVAL")
        .arg(DELETE_IF)
        .arg(1)
        .arg(nick_key(room, nickname))
        .arg(id)
        .ignore()
        .srem(users_key(room, id), nickname)
        .ignore()
        .query_async(&mut redis)
        .await?;
    Ok(())
}

/// Removes this node's own keys (its claims are released before).
pub(crate) async fn leave(node: &Node) -> redis::RedisResult<()> {
    let Shared { room, id, .. } = &*node.shared;
    let mut redis = node.shared.redis.clone();
    redis::pipe()
        .srem(nodes_key(room), id)
        .ignore()
        .del(users_key(room, id))
        .ignore()
        .del(alive_key(room, id))
        .ignore()
        .query_async(&mut redis)
        .await
}

/// Everyone online, from every node's set, sorted.
pub(crate) async fn users(node: &Node) -> redis::RedisResult<Vec<String>> {
    let room = &node.shared.room;
    let mut redis = node.shared.redis.clone();
    let nodes: Vec<String> = redis.smembers(nodes_key(room)).await?;
    let mut everyone = BTreeSet::new();
    for other in nodes {
        let users: Vec<String> = redis.smembers(users_key(room, &other)).await?;
        everyone.extend(users);
    }
    Ok(everyone.into_iter().collect())
}

/// Renews this node's keys and claims. A claim another node holds now (it
/// expired during an outage and was taken) is dropped and reported.
pub(crate) async fn heartbeat(node: &Node, to_lesson: &mpsc::Sender<Remote>) {
    if let Err(error) = try_heartbeat(node, to_lesson).await {
        tracing::debug!(%error, "heartbeat: Redis unreachable");
    }
}

async fn try_heartbeat(node: &Node, to_lesson: &mpsc::Sender<Remote>) -> redis::RedisResult<()> {
    let Shared { room, id, .. } = &*node.shared;
    let mut redis = node.shared.redis.clone();
    let ttl = TTL.as_secs();
    let _: () = redis::pipe()
        .set_ex(alive_key(room, id), 1, ttl)
        .ignore()
        .sadd(nodes_key(room), id)
        .ignore()
        .query_async(&mut redis)
        .await?;
    let local: Vec<String> = node.local().iter().cloned().collect();
    for nickname in local {
        let kept: i64 = redis::cmd("EVAL")
            .arg(RENEW)
            .arg(1)
            .arg(nick_key(room, &nickname))
            .arg(id)
            .arg(ttl)
            .query_async(&mut redis)
            .await?;
        if kept == 1 {
            let _: () = redis.sadd(users_key(room, id), &nickname).await?;
        } else {
            node.local().remove(&nickname);
            let _: () = redis.srem(users_key(room, id), &nickname).await?;
            let text = t!("log.taken_meanwhile", locale = node.shared.lang.code());
            tracing::warn!(nickname, "{text}");
            let _ = to_lesson.send(Remote::Lost { nickname }).await;
        }
    }
    Ok(())
}

// ANCHOR: sweep
/// Finds nodes that stopped renewing, and announces their users' departure.
async fn sweep(node: &Node) -> redis::RedisResult<()> {
    let Shared { room, id, .. } = &*node.shared;
    let mut redis = node.shared.redis.clone();
    let nodes: Vec<String> = redis.smembers(nodes_key(room)).await?;
    for other in nodes.into_iter().filter(|other| other != id) {
        let alive: bool = redis.exists(alive_key(room, &other)).await?;
        if alive {
            continue;
        }
        // One node wins this SREM (1), and only it announces the departures.
        let won: i64 = redis.srem(nodes_key(room), &other).await?;
        if won == 0 {
            continue;
        }
        let gone: Vec<String> = redis.smembers(users_key(room, &other)).await?;
        let _: () = redis.del(users_key(room, &other)).await?;
        // Its claims expire about now anyway; freed here, their names are
        // free the moment their departure is announced.
        for nickname in &gone {
            let _: i64 = redis::cmd("EVAL")
                .arg(DELETE_IF)
                .arg(1)
                .arg(nick_key(room, nickname))
                .arg(&other)
                .query_async(&mut redis)
                .await?;
        }
        let mut online = users(node).await?.len() + gone.len();
        let text = t!(
            "log.node_gone",
            locale = node.shared.lang.code(),
            users = gone.len()
        );
        tracing::info!(node = other, users = gone.len(), "{text}");
        for nickname in gone {
            online -= 1;
            let event = Event::Left { nickname, online };
            node.publish_about(other.clone(), event).await;
        }
    }
    Ok(())
}
// ANCHOR_END: sweep

/// Every [`REFRESH`]: renew, then sweep; until the node is dropped.
pub(crate) async fn keep_alive(node: Weak<Shared>, to_lesson: mpsc::Sender<Remote>) {
    let mut every = tokio::time::interval(REFRESH);
    every.tick().await; // the first tick is now: `start` has just renewed
    loop {
        every.tick().await;
        let Some(shared) = node.upgrade() else { return };
        let node = Node {
            shared: Arc::clone(&shared),
        };
        heartbeat(&node, &to_lesson).await;
        if let Err(error) = sweep(&node).await {
            tracing::debug!(%error, "sweep: Redis unreachable");
        }
    }
}
