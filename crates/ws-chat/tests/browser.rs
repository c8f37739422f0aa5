//! The page in a real browser: Debian's chromium, headless, driven over
//! WebDriver (chromedriver) with fantoccini. Two pages log in as alice and
//! bob, alice's page in English and bob's in Chinese (each chosen with the
//! page's switch, so the test does not depend on the browser's language);
//! they chat, see each other typing, send HTML that must stay text,
//! write privately, and reconnect by themselves after the server restarts.
//!
//! Needs the Debian packages `chromium` and `chromium-driver`, so it is
//! ignored by a plain `cargo test`: run it with
//! `cargo test -p ws-chat --test browser -- --include-ignored` after
//! `apt-get install chromium chromium-driver` (`.ci/run` installs them and
//! runs every ignored test). Everything is bounded: each wait has a
//! timeout, the whole test has one, and chromedriver (with every browser it
//! started) is killed when the test ends, however it ends.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::TestServer;
use testkit::browser::Locator;
use testkit::browser::{Browser, Driver};
use tokio::net::TcpListener;
use ws_chat::Config;

/// The whole test, browsers included.
const WHOLE_TEST: Duration = Duration::from_secs(180);

/// The page's language: which switch to press, and its "connected".
#[derive(Clone, Copy)]
struct Language {
    switch: &'static str,
    connected: &'static str,
}

const ENGLISH: Language = Language {
    switch: "lang-en",
    connected: "connected",
};
const CHINESE: Language = Language {
    switch: "lang-zh",
    connected: "已连接",
};

/// Opens the chat page, chooses `language` with the switch, and logs in
/// as `nickname`.
async fn log_in(browser: &Browser, base: &str, nickname: &str, language: Language) {
    browser.open(&format!("{base}/")).await;
    browser.click(language.switch).await;
    // Switching reconnects (the server's texts are chosen at the handshake).
    browser
        .until(
            "document.getElementById('status').textContent",
            json!(language.connected),
        )
        .await;
    assert!(browser.shown("login").await && !browser.shown("chat").await);
    browser.type_into("nickname", nickname).await;
    browser.click("join").await;
    browser
        .until("document.getElementById('me').textContent", json!(nickname))
        .await;
    assert!(!browser.shown("login").await && browser.shown("chat").await);
}

/// The last chat line, as `[who, text]`.
const LAST_LINE: &str = "(() => { const li = document.querySelector('#messages li:last-child'); \
    return li ? [li.querySelector('.nick')?.textContent ?? null, \
                 li.querySelector('.text')?.textContent ?? li.textContent] : null; })()";

async fn last_line(browser: &Browser) -> Value {
    browser.run(&format!("return {LAST_LINE};")).await
}

async fn until_last_line(browser: &Browser, who: &str, text: &str) {
    browser.until(LAST_LINE, json!([who, text])).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver: apt-get install chromium chromium-driver"]
async fn two_browsers_chat_type_stay_safe_and_reconnect() {
    tokio::time::timeout(WHOLE_TEST, chat_in_two_browsers())
        .await
        .expect("the browser test finished in time");
}

async fn chat_in_two_browsers() {
    let server = TestServer::start().await;
    let addr = server.addr;
    let base = format!("http://{addr}");
    let driver = Driver::start();
    let alice = driver.browser().await;
    let bob = driver.browser().await;

    log_in(&alice, &base, "alice", ENGLISH).await;
    log_in(&bob, &base, "bob", CHINESE).await;
    alice
        .until("document.getElementById('count').textContent", json!("2"))
        .await;
    assert_eq!(alice.text_of("users").await, "alicebob");
    // Each page in its language: its own words, and the server's.
    let heading = "document.querySelector('.people h2').textContent";
    alice.until(heading, json!("Online (2)")).await;
    bob.until(heading, json!("在线 (2)")).await;
    assert_eq!(
        bob.run("return document.documentElement.lang;").await,
        json!("zh-CN")
    );
    let first_notice = "document.querySelector('#messages li.notice').textContent";
    bob.until(
        first_notice,
        json!("登录成功，欢迎你，bob！当前在线人数：2"),
    )
    .await;
    alice
        .until(
            "Array.from(document.querySelectorAll('#messages li.notice')).pop().textContent",
            json!("bob joined, 2 online"),
        )
        .await;

    // alice types: bob sees it; she sends: bob sees the message and the
    // notice goes.
    alice.type_into("message", "hello b").await;
    bob.until(
        "document.getElementById('typing').textContent",
        json!("alice 正在输入…"),
    )
    .await;
    alice.type_into("message", "ob").await;
    alice.click("send").await;
    until_last_line(&bob, "alice", "hello bob").await;
    assert_eq!(bob.text_of("typing").await, "");
    // Her own page showed it at once; the server did not send it back.
    assert_eq!(last_line(&alice).await, json!(["alice", "hello bob"]));

    // HTML from a peer stays text.
    let attack = "<img src=x onerror=alert(1)>";
    alice.type_into("message", attack).await;
    alice.click("send").await;
    until_last_line(&bob, "alice", attack).await;
    for page in [&alice, &bob] {
        page.until("document.querySelectorAll('img').length", json!(0))
            .await;
        assert!(
            page.client.get_alert_text().await.is_err(),
            "an alert is open"
        );
    }

    // A private message: bob clicks alice's name, the input gets "@alice ".
    let alice_in_bobs_list = bob
        .client
        .find(Locator::XPath("//ul[@id='users']/li[text()='alice']"))
        .await
        .unwrap();
    alice_in_bobs_list.click().await.unwrap();
    bob.type_into("message", "psst").await;
    bob.click("send").await;
    until_last_line(&alice, "bob → you", "psst").await;
    alice.screenshot("alice").await;
    bob.screenshot("bob").await;

    // The server restarts on the same port: the pages see Close 1001, come
    // back with backoff, and log in again by themselves.
    server.stop().await;
    alice
        .until(
            "document.getElementById('status').textContent.startsWith('disconnected (1001')",
            json!(true),
        )
        .await;
    bob.until(
        "document.getElementById('status').textContent.startsWith('连接断开了（1001: 服务端正在关闭')",
        json!(true),
    )
    .await;
    let listener = TcpListener::bind(addr).await.unwrap();
    let server = TestServer::on(listener, Config::default());
    for (page, language) in [(&alice, ENGLISH), (&bob, CHINESE)] {
        page.until(
            "document.getElementById('status').textContent",
            json!(language.connected),
        )
        .await;
        page.until("document.getElementById('count').textContent", json!("2"))
            .await;
    }
    assert_eq!(server.room.users(), ["alice", "bob"]);
    alice.type_into("message", "back again").await;
    alice.click("send").await;
    until_last_line(&bob, "alice", "back again").await;

    // The choice is remembered: bob's page opens in Chinese again.
    bob.open(&format!("{base}/")).await;
    bob.until(
        "document.querySelector('label[for=nickname]').textContent",
        json!("取一个昵称"),
    )
    .await;

    // The seed's echo example, as a page.
    alice.open(&format!("{base}/echo-test")).await;
    alice
        .until(
            "document.getElementById('log').textContent.includes('Connection closed.')",
            json!(true),
        )
        .await;
    let log = alice.text_of("log").await;
    assert!(log.contains("Received Message: Hello WebSockets!"), "{log}");
    assert!(
        log.contains("Received ArrayBuffer of 4 bytes: 0,1,2,255"),
        "{log}"
    );
    // `ws.close()` without a code: the close is clean, its code 1005 ("none given").
    assert!(log.contains("code=1005 wasClean=true"), "{log}");

    alice.close().await;
    bob.close().await;
    server.stop().await;
    // The profiles are temporary directories, removed with `alice` and
    // `bob`; dropping the driver ends chromedriver and its browsers.
    drop(driver);
}
