//! The server's own answers (the `--list` page, 404, 403, 405) in the
//! visitor's language: by `Accept-Language`, by the switch (`?lang=` and
//! its cookie), else `--lang`; with `Vary` and an `ETag` per language.
//! Files from the root are sent as they are, except a page written in
//! both languages (`index.html` beside `index.zh-CN.html`).

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use common::lang::Lang;
use http_static::Config;
use support::{TestServer, site};

#[tokio::test]
async fn the_listing_follows_accept_language_with_vary_and_an_etag_per_language() {
    let dir = site();
    let server = TestServer::start(dir.path(), true, Duration::from_secs(5)).await;
    let english = server
        .get_with("/empty-dir/", &["Accept-Language: en-US,en;q=0.9"])
        .await;
    let chinese = server
        .get_with("/empty-dir/", &["Accept-Language: zh-CN,zh;q=0.9"])
        .await;
    assert_eq!((english.status, chinese.status), (200, 200));
    assert!(
        english.text().contains("<h1>Index of /empty-dir/</h1>"),
        "{}",
        english.text()
    );
    assert!(
        chinese.text().contains("<h1>目录 /empty-dir/ 的内容</h1>"),
        "{}",
        chinese.text()
    );
    assert!(english.text().contains("href=\"?lang=zh-CN\""));
    for reply in [&english, &chinese] {
        assert!(reply.header("vary").unwrap().contains("Accept-Language"));
    }
    assert_eq!(chinese.header("content-language"), Some("zh-CN"));
    let (en_tag, zh_tag) = (
        english.header("etag").unwrap(),
        chinese.header("etag").unwrap(),
    );
    assert_ne!(en_tag, zh_tag);
    let again = format!("If-None-Match: {zh_tag}");
    let same = server
        .get_with("/empty-dir/", &["Accept-Language: zh-CN", &again])
        .await;
    assert_eq!(same.status, 304);
    let crossed = format!("If-None-Match: {en_tag}");
    let other = server
        .get_with("/empty-dir/", &["Accept-Language: zh-CN", &crossed])
        .await;
    assert_eq!(other.status, 200);
    // The switch: `?lang=` answers in that language and remembers it.
    let switched = server
        .get_with("/empty-dir/?lang=zh-CN", &["Accept-Language: en"])
        .await;
    assert!(switched.text().contains("目录"));
    assert!(
        switched
            .header("set-cookie")
            .unwrap()
            .starts_with("lang=zh-CN;")
    );
    let kept = server
        .get_with("/nope", &["Accept-Language: en", "Cookie: lang=zh-CN"])
        .await;
    assert_eq!(kept.text(), "404 Not Found：没有这个文件。\n");
}

#[tokio::test]
async fn errors_default_to_the_servers_lang_and_files_are_not_translated() {
    let dir = site();
    let server = TestServer::with_config(Config {
        root: dir.path().to_path_buf(),
        lang: Lang::ZhCn,
        ..Config::default()
    })
    .await;
    let missing = server.get("/nope").await;
    assert_eq!(missing.text(), "404 Not Found：没有这个文件。\n");
    assert!(missing.header("vary").unwrap().contains("Accept-Language"));
    let english = server.get_with("/nope", &["Accept-Language: en"]).await;
    assert_eq!(english.text(), "404 Not Found.\n");
    let forbidden = server.get("/.env").await;
    assert_eq!(forbidden.text(), "403 Forbidden：不允许访问这个路径。\n");
    // A file is the same bytes whatever the browser asks, and says no Vary.
    let file = server
        .get_with("/hello.txt", &["Accept-Language: zh-CN"])
        .await;
    assert_eq!(file.text(), "Hello, file!\n");
    assert_eq!(file.header("vary"), None);
}

#[tokio::test]
async fn a_page_written_in_both_languages_is_sent_in_the_visitors() {
    let dir = site();
    std::fs::write(dir.path().join("index.zh-CN.html"), "<h1>首页</h1>\n").unwrap();
    let server = TestServer::serve(dir.path()).await;
    let chinese = server
        .get_with("/", &["Accept-Language: zh-CN,zh;q=0.9"])
        .await;
    assert_eq!(
        (chinese.status, chinese.text().as_str()),
        (200, "<h1>首页</h1>\n")
    );
    assert_eq!(chinese.header("content-language"), Some("zh-CN"));
    let english = server.get_with("/", &["Accept-Language: en"]).await;
    assert_eq!(english.text(), "<h1>home</h1>\n");
    for reply in [&chinese, &english] {
        assert!(reply.header("vary").unwrap().contains("Accept-Language"));
    }
    assert_ne!(chinese.header("etag"), english.header("etag"));
    // The switch works for it too.
    let switched = server.get_with("/index.html?lang=zh-CN", &[]).await;
    assert_eq!(switched.text(), "<h1>首页</h1>\n");
    // A file without a translation stays as it is, with no Vary.
    let sub = server.get_with("/sub/", &["Accept-Language: zh-CN"]).await;
    assert_eq!(
        (sub.text().as_str(), sub.header("vary")),
        ("<h1>sub</h1>\n", None)
    );
}

#[tokio::test]
async fn the_lessons_own_page_has_a_chinese_edition() {
    let assets = concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets");
    let server = TestServer::serve(std::path::Path::new(assets)).await;
    let chinese = server.get_with("/", &["Accept-Language: zh-CN"]).await;
    assert!(
        chinese.text().contains("<html lang=\"zh-CN\">"),
        "{}",
        chinese.text()
    );
    assert!(chinese.text().contains("这个页面"), "{}", chinese.text());
    let english = server.get_with("/", &["Accept-Language: en"]).await;
    assert!(
        english.text().contains("<html lang=\"en\">"),
        "{}",
        english.text()
    );
    assert!(english.text().contains("This page"), "{}", english.text());
}
