//! Every page in the visitor's language: by `Accept-Language`, by the
//! switch (`?lang=` and its cookie), else the server's `--lang`; with
//! `Vary` and an `ETag` per language, so a cache never mixes them up.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use common::lang::Lang;
use support::{TestServer, config};

/// `GET path` with extra header lines.
async fn get(server: &TestServer, path: &str, headers: &[&str]) -> support::Reply {
    let mut raw = format!("GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n");
    for header in headers {
        raw.push_str(header);
        raw.push_str("\r\n");
    }
    raw.push_str("\r\n");
    server.request(raw.as_bytes()).await
}

#[tokio::test]
async fn the_guestbook_follows_accept_language_with_vary_and_an_etag_per_language() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::with_db_in(data.path()).await;
    let english = get(&server, "/guestbook", &["Accept-Language: en-US,en;q=0.9"]).await;
    let chinese = get(
        &server,
        "/guestbook",
        &["Accept-Language: zh-CN,zh;q=0.9,en;q=0.8"],
    )
    .await;
    assert_eq!((english.status, chinese.status), (200, 200));
    assert!(
        english.text().contains("<h1>Guestbook</h1>"),
        "{}",
        english.text()
    );
    assert!(english.text().contains("No messages yet."));
    assert!(english.text().contains("<html lang=\"en\">"));
    assert!(
        chinese.text().contains("<h1>留言本</h1>"),
        "{}",
        chinese.text()
    );
    assert!(chinese.text().contains("还没有留言。"));
    assert!(chinese.text().contains("<html lang=\"zh-CN\">"));
    for reply in [&english, &chinese] {
        let vary = reply.header("vary").unwrap_or_default();
        assert!(vary.contains("Accept-Language"), "{vary}");
    }
    assert_eq!(english.header("content-language"), Some("en"));
    assert_eq!(chinese.header("content-language"), Some("zh-CN"));
    let (en_tag, zh_tag) = (
        english.header("etag").unwrap(),
        chinese.header("etag").unwrap(),
    );
    assert_ne!(en_tag, zh_tag);
    // A browser revalidating its Chinese copy gets a 304; with the English
    // page's tag it gets the Chinese page, not a 304.
    let again = format!("If-None-Match: {zh_tag}");
    let same = get(&server, "/guestbook", &["Accept-Language: zh-CN", &again]).await;
    assert_eq!(same.status, 304);
    let crossed = format!("If-None-Match: {en_tag}");
    let other = get(&server, "/guestbook", &["Accept-Language: zh-CN", &crossed]).await;
    assert_eq!(other.status, 200);
    assert!(other.text().contains("留言本"));
    server.stop().await;
}

#[tokio::test]
async fn without_accept_language_the_pages_follow_the_servers_lang() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(support::Config {
        lang: Lang::ZhCn,
        ..config(data.path())
    })
    .await;
    let page = server.get("/guestbook/new").await;
    assert!(page.text().contains("<h1>写留言</h1>"), "{}", page.text());
    let missing = server.get("/nope").await;
    assert_eq!(missing.text(), "404 Not Found：没有这个页面。\n");
    // A browser that names a language still gets it.
    let english = get(&server, "/guestbook/new", &["Accept-Language: en"]).await;
    assert!(english.text().contains("Sign the guestbook"));
    server.stop().await;
}

#[tokio::test]
async fn the_switch_sets_a_cookie_that_keeps_the_language() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::with_db_in(data.path()).await;
    let english = get(&server, "/", &["Accept-Language: en"]).await;
    assert!(
        english.text().contains("href=\"?lang=zh-CN\""),
        "{}",
        english.text()
    );
    let switched = get(&server, "/?lang=zh-CN", &["Accept-Language: en"]).await;
    assert!(
        switched
            .text()
            .contains("<a href=\"/guestbook\">留言本</a>")
    );
    let cookie = switched.header("set-cookie").unwrap();
    assert!(cookie.starts_with("lang=zh-CN;"), "{cookie}");
    let vary = switched.header("vary").unwrap_or_default();
    assert!(vary.contains("Cookie"), "{vary}");
    let kept = get(
        &server,
        "/guestbook",
        &["Accept-Language: en", "Cookie: lang=zh-CN"],
    )
    .await;
    assert!(kept.text().contains("<h1>留言本</h1>"));
    server.stop().await;
}

#[tokio::test]
async fn a_chinese_visitor_reads_the_forms_problems_in_chinese() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::with_db_in(data.path()).await;
    let body = "name=&message=hi";
    let raw = format!(
        "POST /guestbook HTTP/1.1\r\nHost: t\r\nConnection: close\r\nAccept-Language: zh-CN\r\n\
         Content-Type: {}\r\nContent-Length: {}\r\n\r\n{body}",
        support::FORM,
        body.len()
    );
    let reply = server.request(raw.as_bytes()).await;
    assert_eq!(reply.status, 400);
    assert!(reply.text().contains("请填写名字。"), "{}", reply.text());
    server.stop().await;
}

/// `--help` with `--lang zh-CN`, and with `LANG=zh_CN.UTF-8` in the
/// environment, is in Chinese; `--lang en` wins over LANG.
#[test]
fn help_speaks_the_users_language() {
    let help = |args: &[&str], lang: &str| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_http-template"))
            .args(args)
            .env("LANG", lang)
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .output()
            .unwrap();
        assert!(output.status.success());
        String::from_utf8(output.stdout).unwrap()
    };
    let chinese = help(&["--help", "--lang", "zh-CN"], "C");
    assert!(chinese.contains("SQLite 数据库文件"), "{chinese}");
    let from_lang = help(&["--help"], "zh_CN.UTF-8");
    assert!(from_lang.contains("SQLite 数据库文件"), "{from_lang}");
    let english = help(&["--help", "--lang", "en"], "zh_CN.UTF-8");
    assert!(english.contains("The SQLite database file"), "{english}");
}

/// The server as a process with `TZ=Asia/Shanghai`: the page shows the
/// stored UTC time eight hours later, the JSON keeps UTC.
#[tokio::test]
async fn the_guestbook_shows_times_in_the_servers_time_zone() {
    use tokio::io::AsyncBufReadExt;
    let data = tempfile::tempdir().unwrap();
    let db = data.path().join("guestbook.sqlite3");
    let templates = support::templates();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_http-template"))
        .args(["--lang", "en", "--port", "0", "--db"])
        .arg(&db)
        .arg("--templates")
        .arg(&templates)
        .env("TZ", "Asia/Shanghai")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let line = tokio::time::timeout(support::LIMIT, lines.next_line())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let addr: std::net::SocketAddr = line.strip_prefix("listening on ").unwrap().parse().unwrap();
    let body = "name=ming&message=hi";
    let raw = format!(
        "POST /guestbook HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Type: {}\r\n\
         Content-Length: {}\r\n\r\n{body}",
        support::FORM,
        body.len()
    );
    assert_eq!(
        testkit::http::exchange(addr, raw.as_bytes()).await.status,
        303
    );
    let json = testkit::http::get(addr, "/api/guestbook").await;
    let json: serde_json::Value = serde_json::from_slice(&json.body).unwrap();
    let utc = json["messages"][0]["time"].as_str().unwrap().to_owned();
    let page = testkit::http::get(addr, "/guestbook").await.text();
    let china = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
    let local = http_template::app::shown_in(&utc, &china);
    assert!(utc.ends_with('Z'), "{utc}");
    assert!(
        page.contains(&format!("<time datetime=\"{utc}\">{local}</time>")),
        "{utc} {local}\n{page}"
    );
}
