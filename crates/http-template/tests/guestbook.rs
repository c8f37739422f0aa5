//! The guestbook: posting (every rule, the 303, 413 and 415), what is
//! stored and how it is shown, pages, the JSON API, a restart, 50 posts at
//! once, and another program holding the database lock.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::Value;
use support::{FORM, LIMIT, TestServer, config};

/// The names and messages on one JSON page, in order.
fn entries(page: &Value) -> Vec<(String, String)> {
    page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["name"].as_str().unwrap().to_owned(),
                m["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_valid_post_is_stored_then_redirected_to_the_list_with_303() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::with_db_in(data.path()).await;
    let empty = server.get("/guestbook").await;
    assert_eq!(empty.status, 200);
    assert!(
        empty.text().contains("No messages yet."),
        "{}",
        empty.text()
    );

    let reply = server.sign("  Alice  ", "\n  Hello there!  \n").await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(reply.header("location"), Some("/guestbook"));
    server.sign("Bob", "Second").await;

    // Following the redirect: newest first, trimmed.
    let html = server.get("/guestbook").await.text();
    let bob = html.find("Bob").unwrap();
    let alice = html.find("Alice").unwrap();
    assert!(bob < alice, "newest first: {html}");
    assert!(html.contains("<p>Hello there!</p>"), "{html}");
    assert!(html.contains("2 messages."), "{html}");

    let page = server.api("").await;
    assert_eq!(
        entries(&page),
        [
            ("Bob".into(), "Second".into()),
            ("Alice".into(), "Hello there!".into())
        ]
    );
    // The form page itself.
    let form = server.get("/guestbook/new").await;
    assert_eq!(form.status, 200);
    assert!(
        form.text()
            .contains("<form method=\"post\" action=\"/guestbook\">")
    );
}

#[tokio::test]
async fn every_rule_is_checked_and_the_form_comes_back_with_the_input() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::with_db_in(data.path()).await;
    let name_41 = "a".repeat(41);
    let message_1001 = "m".repeat(1001);
    // (name, message, problem shown for name, problem shown for message)
    let cases: [(&str, &str, Option<&str>, Option<&str>); 6] = [
        ("", "hi", Some("Please write a name."), None),
        ("   \n", "hi", Some("Please write a name."), None),
        (
            &name_41,
            "hi",
            Some("Your name is 41 characters long; 40 at most, please."),
            None,
        ),
        ("Al", "", None, Some("Please write a message.")),
        (
            "Al",
            &message_1001,
            None,
            Some("Your message is 1001 characters long; 1000 at most, please."),
        ),
        (
            "",
            " \t ",
            Some("Please write a name."),
            Some("Please write a message."),
        ),
    ];
    for (name, message, name_problem, message_problem) in cases {
        let reply = server.sign(name, message).await;
        assert_eq!(reply.status, 400, "{name:?} {message:?}");
        assert_eq!(
            reply.header("content-type"),
            Some("text/html; charset=utf-8")
        );
        let html = reply.text();
        match name_problem {
            Some(problem) => assert!(
                html.contains(&format!(
                    "<span class=\"problem\" id=\"name-problem\">{problem}</span>"
                )),
                "{html}"
            ),
            None => assert!(!html.contains("name-problem"), "{html}"),
        }
        match message_problem {
            Some(problem) => assert!(
                html.contains(&format!("id=\"message-problem\">{problem}</span>")),
                "{html}"
            ),
            None => assert!(!html.contains("message-problem"), "{html}"),
        }
        // What was typed is kept, as typed.
        assert!(
            html.contains(&format!("name=\"name\" value=\"{name}\"")),
            "{html}"
        );
        assert!(html.contains(&format!(">{message}</textarea>")), "{html}");
    }
    // Missing fields count as empty; a field sent twice is not a form.
    let reply = server.post_form("name=Al").await;
    assert_eq!(reply.status, 400);
    assert!(reply.text().contains("Please write a message."));
    let reply = server.post_form("name=a&name=b&message=x").await;
    assert_eq!(reply.status, 400);
    assert!(
        reply.text().contains("The form could not be read"),
        "{}",
        reply.text()
    );

    // The limits themselves are allowed, counted in characters.
    assert_eq!(server.sign(&"好".repeat(40), "ok").await.status, 303);
    assert_eq!(server.sign("Al", &"😀".repeat(1000)).await.status, 303);
    // Nothing invalid was stored.
    assert_eq!(server.api("").await["total"], 2);
}

#[tokio::test]
async fn text_is_stored_exactly_and_shown_escaped() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::with_db_in(data.path()).await;
    let name = "<b>Bob</b> & \"Al\"";
    let message = "<script>alert('x')</script>\nquotes ' \" 😀 你好，世界";
    let injection = "Robert'); DROP TABLE messages;--";
    assert_eq!(server.sign(name, message).await.status, 303);
    assert_eq!(server.sign(injection, "hi").await.status, 303);

    let page = server.api("").await;
    assert_eq!(
        entries(&page),
        [
            (injection.into(), "hi".into()),
            (name.into(), message.into())
        ]
    );
    let html = server.get("/guestbook").await.text();
    assert!(!html.contains("<script>"), "{html}");
    assert!(!html.contains("<b>Bob"), "{html}");
    assert!(
        html.contains("&lt;b&gt;Bob&lt;&#x2f;b&gt; &amp; &quot;Al&quot;"),
        "{html}"
    );
    assert!(
        html.contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;&#x2f;script&gt;\nquotes &#x27; &quot; 😀 你好，世界"),
        "{html}"
    );
    assert!(
        html.contains("Robert&#x27;); DROP TABLE messages;--"),
        "{html}"
    );
    // And the 400 page escapes the input it shows again.
    let reply = server.sign("", "<script>x</script>").await;
    assert!(
        reply
            .text()
            .contains(">&lt;script&gt;x&lt;&#x2f;script&gt;</textarea>")
    );
}

#[tokio::test]
async fn a_body_over_16_kib_is_413_and_a_body_that_is_not_a_form_is_415() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::with_db_in(data.path()).await;
    let limit = http_template::app::BODY_MAX;

    // Exactly 16 KiB is read (an extra field is ignored)…
    let head = "name=Al&message=ok&pad=";
    let body = format!("{head}{}", "p".repeat(limit - head.len()));
    assert_eq!(server.post_form(&body).await.status, 303);
    // …one byte more is not, announced by Content-Length…
    let body = format!("{head}{}", "p".repeat(limit + 1 - head.len()));
    let reply = server.post_form(&body).await;
    assert_eq!(reply.status, 413);
    assert_eq!(reply.header("connection"), Some("close"));
    // …nor sent in chunks without a length: counted as it comes.
    let chunk = "p".repeat(8 * 1024);
    let mut raw = format!(
        "POST /guestbook HTTP/1.1\r\nHost: t\r\nContent-Type: {FORM}\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    for _ in 0..3 {
        raw.push_str(&format!("{:x}\r\n{chunk}\r\n", chunk.len()));
    }
    raw.push_str("0\r\n\r\n");
    assert_eq!(server.request(raw.as_bytes()).await.status, 413);

    for kind in [
        None,
        Some("text/plain"),
        Some("application/json"),
        Some("multipart/form-data; boundary=x"),
        Some("not a type"),
    ] {
        let reply = server.post(kind, b"name=Al&message=hi").await;
        assert_eq!(reply.status, 415, "{kind:?}");
        assert!(reply.text().contains("application/x-www-form-urlencoded"));
    }
    // Parameters and case do not matter.
    let reply = server
        .post(
            Some("Application/X-WWW-Form-URLencoded; charset=UTF-8"),
            b"name=Al&message=hi",
        )
        .await;
    assert_eq!(reply.status, 303);
    assert_eq!(server.api("").await["total"], 2);
}

#[tokio::test]
async fn pages_hold_20_newest_first_and_any_page_value_gets_a_page() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::with_db_in(data.path()).await;
    // Empty: page 1 of 1, whatever was asked.
    let page = server.api("?page=5").await;
    assert_eq!(
        (page["page"].as_u64(), page["pages"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(page["messages"].as_array().unwrap().len(), 0);

    for i in 1..=45 {
        assert_eq!(server.sign("n", &format!("message {i}")).await.status, 303);
    }
    let numbers = |page: &Value| -> Vec<u32> {
        entries(page)
            .iter()
            .map(|(_, m)| m.trim_start_matches("message ").parse().unwrap())
            .collect()
    };
    let first = server.api("?page=1").await;
    assert_eq!(
        (first["total"].as_u64(), first["pages"].as_u64()),
        (Some(45), Some(3))
    );
    assert_eq!(numbers(&first), (26..=45).rev().collect::<Vec<_>>());
    assert_eq!(
        numbers(&server.api("?page=2").await),
        (6..=25).rev().collect::<Vec<_>>()
    );
    assert_eq!(
        numbers(&server.api("?page=3").await),
        (1..=5).rev().collect::<Vec<_>>()
    );

    for (query, expected) in [
        ("", 1),
        ("?page=0", 1),
        ("?page=-1", 1),
        ("?page=abc", 1),
        ("?page=", 1),
        ("?page=2.5", 1),
        ("?page=99999999999999999999", 1),
        ("?page=4", 3),
        ("?page=999", 3),
        ("?page=%32", 2),
    ] {
        let page = server.api(query).await;
        assert_eq!(page["page"].as_u64(), Some(expected), "{query}");
        let html = server.get(&format!("/guestbook{query}")).await;
        assert_eq!(html.status, 200, "{query}");
        assert!(
            html.text().contains(&format!("page {expected} of 3")),
            "{query}: {}",
            html.text()
        );
    }
    // The links between pages.
    let middle = server.get("/guestbook?page=2").await.text();
    assert!(
        middle.contains("<a href=\"/guestbook?page=1\">newer</a>"),
        "{middle}"
    );
    assert!(
        middle.contains("<a href=\"/guestbook?page=3\">older</a>"),
        "{middle}"
    );
    // Switching the language stays on this page.
    assert!(
        middle.contains("href=\"?page=2&amp;lang=zh-CN\""),
        "{middle}"
    );
    let first = server.get("/guestbook").await.text();
    assert!(first.contains("href=\"?lang=zh-CN\""), "{first}");
}

#[tokio::test]
async fn the_json_api_has_the_page_and_each_message_with_its_time() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::with_db_in(data.path()).await;
    server.sign("小明", "你好 👋").await;
    let reply = server.get("/api/guestbook?page=1").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    let page: Value = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(page["page"], 1);
    assert_eq!(page["pages"], 1);
    assert_eq!(page["total"], 1);
    let message = &page["messages"][0];
    assert_eq!(message["id"], 1);
    assert_eq!(message["name"], "小明");
    assert_eq!(message["message"], "你好 👋");
    // ISO 8601 in UTC: 2026-11-25T20:30:00Z.
    let time = message["time"].as_str().unwrap();
    assert_eq!(time.len(), 20, "{time}");
    assert!(time.ends_with('Z') && time.as_bytes()[10] == b'T', "{time}");
}

#[tokio::test]
async fn messages_survive_a_restart_of_the_server() {
    let data = tempfile::tempdir().unwrap();
    let db = data.path().join("sub/dir/guestbook.sqlite3");
    let first = TestServer::start(http_template::Config {
        db: db.clone(),
        ..config(data.path())
    })
    .await;
    assert!(
        db.exists(),
        "the file and its directories are created at start"
    );
    first.sign("Alice", "before the restart").await;
    let addr = first.addr;
    first.stop().await;
    // Stopped: nobody listens there any more.
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());

    let second = TestServer::start(http_template::Config {
        db,
        ..config(data.path())
    })
    .await;
    second.sign("Bob", "after").await;
    assert_eq!(
        entries(&second.api("").await),
        [
            ("Bob".into(), "after".into()),
            ("Alice".into(), "before the restart".into())
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_posts_all_land() {
    let data = tempfile::tempdir().unwrap();
    let server = std::sync::Arc::new(TestServer::with_db_in(data.path()).await);
    let mut posts = tokio::task::JoinSet::new();
    for i in 0..50 {
        let server = std::sync::Arc::clone(&server);
        posts.spawn(async move {
            server
                .sign(&format!("client {i}"), &format!("post {i}"))
                .await
        });
    }
    let mut statuses = Vec::new();
    while let Some(reply) = posts.join_next().await {
        let reply = reply.unwrap();
        statuses.push((reply.status, reply.text()));
    }
    assert!(
        statuses.iter().all(|(status, _)| *status == 303),
        "{statuses:?}"
    );

    let mut stored = BTreeSet::new();
    for page in 1..=3 {
        for (_, message) in entries(&server.api(&format!("?page={page}")).await) {
            stored.insert(message);
        }
    }
    let expected: BTreeSet<String> = (0..50).map(|i| format!("post {i}")).collect();
    assert_eq!(stored, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_program_holding_the_lock_makes_posts_wait_then_503() {
    let data = tempfile::tempdir().unwrap();
    let patient = TestServer::with_db_in(data.path()).await;
    let impatient = TestServer::start(http_template::Config {
        busy_timeout: Duration::from_millis(50),
        ..config(data.path())
    })
    .await;

    // Another program (as the `sqlite3` shell would) takes the write lock.
    let other = rusqlite::Connection::open(data.path().join("guestbook.sqlite3")).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();

    // Past its busy timeout, a post is told to try again; nothing breaks.
    let reply = impatient.sign("Al", "too soon").await;
    assert_eq!(reply.status, 503, "{}", reply.text());
    assert_eq!(reply.header("retry-after"), Some("1"));
    assert!(reply.text().contains("busy"), "{}", reply.text());
    // Reading is not blocked by a writer (WAL).
    assert_eq!(impatient.api("").await["total"], 0);

    // Within its busy timeout, a post waits for the lock and then lands.
    let waiting = tokio::spawn(async move { patient.sign("Al", "waited").await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    other.execute_batch("COMMIT").unwrap();
    let reply = tokio::time::timeout(LIMIT, waiting).await.unwrap().unwrap();
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(
        entries(&impatient.api("").await),
        [("Al".into(), "waited".into())]
    );
}

#[tokio::test]
async fn a_body_that_trickles_in_too_slowly_gets_408_and_the_server_goes_on() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(http_template::Config {
        body_timeout: Duration::from_millis(200),
        ..config(data.path())
    })
    .await;
    // Announces 20 bytes, sends 5, then nothing: the server does not wait
    // for the rest forever.
    let reply = server
        .request(
            format!(
                "POST /guestbook HTTP/1.1\r\nHost: t\r\nContent-Type: {FORM}\r\nContent-Length: 20\r\n\r\nname="
            )
            .as_bytes(),
        )
        .await;
    assert_eq!(reply.status, 408, "{}", reply.text());
    assert_eq!(reply.header("connection"), Some("close"));
    assert_eq!(server.sign("Al", "still here").await.status, 303);
}

#[tokio::test]
async fn a_database_path_that_cannot_be_created_stops_the_start_with_a_sentence() {
    let data = tempfile::tempdir().unwrap();
    let file = data.path().join("a-file");
    std::fs::write(&file, "not a directory").unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let error = http_template::Server::new(
        listener,
        http_template::Config {
            db: file.join("guestbook.sqlite3"),
            ..config(data.path())
        },
    )
    .await
    .unwrap_err();
    let text = error.to_string();
    assert!(text.starts_with("cannot create the directory "), "{text}");
    assert!(text.contains("a-file for the database: "), "{text}");
    // The cause is in the sentence once, not repeated as a `source`.
    assert!(std::error::Error::source(&error).is_none());
}
