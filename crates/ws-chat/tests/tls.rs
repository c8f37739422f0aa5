//! `ws-chat --tls` (chapter 5): the page over HTTPS and the chat over
//! `wss://`, with a certificate from a local CA made in a temporary directory.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;

use common::lang::Lang;
use common::tls::Identity;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use support::STEP;
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;
use ws_chat::Config;

#[tokio::test]
async fn a_wss_round_trip_and_the_page_over_https() {
    let certs = tempfile::tempdir().unwrap();
    let identity = Identity::local(certs.path(), &[], Lang::En).unwrap();
    let config = Config {
        tls: Some(Arc::new(
            identity.server_config(&[b"http/1.1"], Lang::En).unwrap(),
        )),
        ..Config::default()
    };
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = support::TestServer::on(listener, config);
    let ca = identity.ca.unwrap();

    // The page, over HTTPS.
    let page = testkit::tls::exchange(
        server.addr,
        &ca,
        b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("chat.js"), "{}", page.text());

    // The chat, over wss://: log in, say something, hear it from the room.
    let tls = testkit::tls::connect(server.addr, &ca, &[b"http/1.1"]).await;
    let (mut ws, _) = tokio_tungstenite::client_async("wss://localhost/ws", tls)
        .await
        .unwrap();
    ws.send(Message::text(
        json!({"type": "login", "nickname": "alice"}).to_string(),
    ))
    .await
    .unwrap();
    let answer = next_json(&mut ws).await;
    assert_eq!(answer["success"], true, "{answer}");
    ws.send(Message::text(json!({"type": "users"}).to_string()))
        .await
        .unwrap();
    loop {
        let message = next_json(&mut ws).await;
        if message["type"] == "users" && message["users"] == json!(["alice"]) {
            break;
        }
    }
}

async fn next_json<S>(ws: &mut S) -> Value
where
    S: StreamExt<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    loop {
        let frame = tokio::time::timeout(STEP, ws.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        if let Message::Text(text) = frame {
            return serde_json::from_str(&text).unwrap();
        }
    }
}
