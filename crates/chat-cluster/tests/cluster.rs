//! Two or three nodes on one real `redis-server` (started by the test on a
//! Unix socket in a temporary directory, stopped by its PID).
//!
//! These are the library's own tests: several `Node`s in one process. The
//! chat lessons' tests run the same semantics across real processes.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use chat_cluster::{ClusterError, Event, Node, Remote, presence};
use common::lang::Lang;
use testkit::STEP;
use testkit::redis::RedisServer;
use tokio::sync::mpsc;

/// The next event from other nodes, in time.
async fn next(remote: &mut mpsc::Receiver<Remote>) -> Remote {
    tokio::time::timeout(STEP, remote.recv())
        .await
        .expect("an event in time")
        .expect("the node is running")
}

async fn start(redis: &RedisServer) -> (Node, mpsc::Receiver<Remote>) {
    Node::start(&redis.url(), "lobby", Lang::En).await.unwrap()
}

fn broadcast(from: &str, message: &str) -> Event {
    Event::Broadcast {
        from: from.into(),
        message: message.into(),
    }
}

#[tokio::test]
#[ignore = "needs redis-server (apt-get install redis-server)"]
async fn events_reach_the_other_nodes_in_order_and_not_their_sender() {
    let redis = RedisServer::start().await;
    let (a, mut from_a_side) = start(&redis).await;
    let (_b, mut at_b) = start(&redis).await;
    let (_c, mut at_c) = start(&redis).await;
    for i in 0..200 {
        a.publish(broadcast("alice", &format!("message {i}"))).await;
    }
    for at in [&mut at_b, &mut at_c] {
        for i in 0..200 {
            assert_eq!(
                next(at).await,
                Remote::Event(broadcast("alice", &format!("message {i}")))
            );
        }
    }
    // The sender's own node does not hear its events back.
    assert!(from_a_side.try_recv().is_err());
}

/// A burst far larger than the queue to Redis: while Redis answers, the
/// sender waits for room instead of dropping events (none is lost).
#[tokio::test]
#[ignore = "needs redis-server (apt-get install redis-server)"]
async fn a_burst_larger_than_the_queue_loses_nothing_while_redis_answers() {
    let redis = RedisServer::start().await;
    let (a, _) = start(&redis).await;
    let (_b, mut at_b) = start(&redis).await;
    let reader = tokio::spawn(async move {
        for i in 0..5000 {
            let expected = broadcast("alice", &format!("burst {i}"));
            assert_eq!(next(&mut at_b).await, Remote::Event(expected));
        }
    });
    for i in 0..5000 {
        a.publish(broadcast("alice", &format!("burst {i}"))).await;
    }
    reader.await.unwrap();
}

#[tokio::test]
#[ignore = "needs redis-server (apt-get install redis-server)"]
async fn a_nickname_is_unique_across_the_cluster_whatever_its_case() {
    let redis = RedisServer::start().await;
    let (a, _) = start(&redis).await;
    let (b, _) = start(&redis).await;
    // Race two nodes for fifty names at once: exactly one wins each.
    for i in 0..50 {
        let (upper, lower) = (format!("User{i}"), format!("user{i}"));
        let (won_a, won_b) = tokio::join!(a.claim(&upper), b.claim(&lower));
        assert!(won_a ^ won_b, "user{i}: a {won_a}, b {won_b}");
    }
    assert!(!a.claim("USER0").await);
    // Given back, it is free again.
    let holder = if b.claim("carol").await { &b } else { &a };
    holder.release("carol").await;
    assert!(a.claim("Carol").await);
}

#[tokio::test]
#[ignore = "needs redis-server (apt-get install redis-server)"]
async fn the_users_list_and_count_cover_every_node() {
    let redis = RedisServer::start().await;
    let (a, mut at_a) = start(&redis).await;
    let (b, _) = start(&redis).await;
    assert!(a.claim("alice").await);
    assert!(b.claim("bob").await);
    assert!(b.claim("Dave").await);
    assert_eq!(a.users().await.unwrap(), ["Dave", "alice", "bob"]);
    assert_eq!(b.online(0).await, 3);
    b.release("Dave").await;
    assert_eq!(a.users().await.unwrap(), ["alice", "bob"]);
    // A node that stops cleanly takes its users along at once, and says so.
    b.shutdown().await;
    assert_eq!(a.users().await.unwrap(), ["alice"]);
    let left = Event::Left {
        nickname: "bob".into(),
        online: 1,
    };
    assert_eq!(next(&mut at_a).await, Remote::Event(left));
    assert!(a.claim("Bob").await);
}

#[tokio::test]
#[ignore = "needs redis-server (apt-get install redis-server)"]
async fn a_node_that_dies_loses_its_users_and_the_others_hear_they_left() {
    let redis = RedisServer::start().await;
    let (a, mut at_a) = start(&redis).await;
    let (b, _) = start(&redis).await;
    assert!(a.claim("alice").await);
    assert!(b.claim("bob").await);
    // Dropping the node stops its tasks without a goodbye: as SIGKILL would.
    drop(b);
    let left = tokio::time::timeout(presence::TTL + presence::REFRESH * 2, at_a.recv()).await;
    let left = left.expect("bob's departure within TTL + refresh").unwrap();
    assert_eq!(
        left,
        Remote::Event(Event::Left {
            nickname: "bob".into(),
            online: 1
        })
    );
    assert_eq!(a.users().await.unwrap(), ["alice"]);
    // bob's name is free again.
    let (c, _) = start(&redis).await;
    assert!(c.claim("bob").await);
}

#[tokio::test]
#[ignore = "needs redis-server (apt-get install redis-server)"]
async fn when_redis_restarts_the_nodes_resubscribe_and_register_again() {
    let mut redis = RedisServer::start().await;
    let (a, mut at_a) = start(&redis).await;
    let (b, mut at_b) = start(&redis).await;
    assert!(a.claim("alice").await);
    redis.stop().await;
    // Meanwhile: a publish stays local (no panic, no queue growing), and a
    // login goes ahead locally.
    for i in 0..2000 {
        a.publish(broadcast("alice", &format!("lost {i}"))).await;
    }
    assert!(b.claim("bob").await);
    redis.restart().await;
    // Both come back: subscribed again (events flow both ways) and their
    // users registered in the new, empty Redis.
    let deadline = tokio::time::Instant::now() + STEP * 2;
    loop {
        let users = a.users().await.unwrap_or_default();
        if users == ["alice", "bob"] {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "users after restart: {users:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The subscription may come back a moment after the keys: publish until heard.
    let heard = async {
        loop {
            a.publish(broadcast("alice", "back")).await;
            match tokio::time::timeout(Duration::from_millis(200), at_b.recv()).await {
                Ok(Some(Remote::Event(event))) if event == broadcast("alice", "back") => return,
                Ok(Some(Remote::Event(Event::Broadcast { message, .. })))
                    if message.starts_with("lost") =>
                {
                    panic!("an event published during the outage was replayed: {message}")
                }
                _ => {}
            }
        }
    };
    tokio::time::timeout(STEP * 2, heard)
        .await
        .expect("b hears a again");
    b.publish(broadcast("bob", "me too")).await;
    loop {
        if next(&mut at_a).await == Remote::Event(broadcast("bob", "me too")) {
            break;
        }
    }
}

#[tokio::test]
#[ignore = "needs redis-server (apt-get install redis-server)"]
async fn a_name_taken_elsewhere_during_an_outage_is_reported_lost() {
    let mut redis = RedisServer::start().await;
    let (a, mut at_a) = start(&redis).await;
    redis.stop().await;
    // carol logs in on a while Redis is away...
    assert!(a.claim("carol").await);
    redis.restart().await;
    // ...and someone else takes "Carol" on another node first.
    let (b, _) = start(&redis).await;
    assert!(b.claim("Carol").await);
    let lost = tokio::time::timeout(presence::REFRESH * 3 + STEP, async {
        loop {
            if let Some(Remote::Lost { nickname }) = at_a.recv().await {
                return nickname;
            }
        }
    })
    .await
    .expect("a reports the lost name");
    assert_eq!(lost, "carol");
    assert_eq!(b.users().await.unwrap(), ["Carol"]);
}

#[tokio::test]
async fn a_bad_url_and_an_absent_redis_are_said_in_one_sentence() {
    let error = Node::start("http://example.com", "lobby", Lang::En)
        .await
        .err()
        .unwrap();
    assert!(matches!(error, ClusterError::BadUrl { .. }), "{error}");
    assert!(
        error.to_string().contains("redis://127.0.0.1:6379"),
        "{error}"
    );
    let dir = std::env::temp_dir().join("no-redis-here.sock");
    let url = format!("unix://{}", dir.display());
    let error = Node::start(&url, "lobby", Lang::En).await.err().unwrap();
    let text = error.to_string();
    assert!(matches!(error, ClusterError::Unreachable { .. }), "{text}");
    assert!(text.contains(&url) && text.contains("just redis"), "{text}");
    // The lessons print it in the user's language.
    let chinese = error.in_lang(Lang::ZhCn);
    assert!(
        chinese.contains("连不上") && chinese.contains(&url),
        "{chinese}"
    );
}
