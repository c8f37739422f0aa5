//! The page in a real browser: Debian's chromium, headless, driven over
//! WebDriver (chromedriver) with fantoccini. Two pages log in as alice and
//! bob; they chat, see each other typing, send HTML that must stay text,
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

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use support::TestServer;
use tempfile::TempDir;
use tokio::net::TcpListener;
use ws_chat::Config;

/// How long one thing may take to show on a page (a loaded 2-core machine).
const SHOWS: Duration = Duration::from_secs(20);
/// The whole test, browsers included.
const WHOLE_TEST: Duration = Duration::from_secs(180);

/// Chromium's flags: headless, and nothing that reaches for the internet
/// (this machine's network is closed: without them chromium keeps trying).
const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1000,800",
];

/// A program on the PATH, or `None`.
fn on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// chromedriver on a free loopback port, in its own process group so that
/// the browsers it starts can be killed with it.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    fn start() -> Self {
        let program = on_path("chromedriver").unwrap_or_else(|| {
            panic!(
                "chromedriver is not installed: `apt-get install chromium chromium-driver` \
                 (.ci/run does this when they are missing)"
            )
        });
        // A port that is free now; chromedriver takes it a moment later.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut command = Command::new(program);
        command
            .arg(format!("--port={port}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let mut child = command.spawn().expect("chromedriver starts");
        // Ready when it says so on stdout (no sleeping and hoping).
        let stdout = child.stdout.take().unwrap();
        let (ready, said) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if line.contains("started successfully") {
                    let _ = ready.send(());
                }
            }
        });
        let driver = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        said.recv_timeout(SHOWS)
            .expect("chromedriver said it started");
        driver
    }

    /// A new headless chromium with a fresh profile.
    async fn browser(&self) -> Browser {
        let profile = TempDir::new().unwrap();
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|s| s.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let mut options = json!({ "args": args });
        if let Some(chromium) = on_path("chromium") {
            options["binary"] = json!(chromium);
        }
        let capabilities = json!({ "goog:chromeOptions": options });
        let Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let client = tokio::time::timeout(
            SHOWS,
            ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities)
                .connect(&self.url),
        )
        .await
        .expect("chromium starts in time")
        .expect("a WebDriver session");
        Browser {
            client,
            _profile: profile,
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // SIGKILL to the whole group: chromedriver and every chromium
        // process it started, even if the test failed half-way.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One browser window, with its own profile directory.
struct Browser {
    client: Client,
    _profile: TempDir,
}

impl Browser {
    async fn open(&self, url: &str) {
        self.client.goto(url).await.unwrap();
    }

    /// Runs `expression` in the page until it is `expected`; fails after
    /// [`SHOWS`] with what the page showed last.
    async fn until(&self, expression: &str, expected: Value) {
        let started = Instant::now();
        let script = format!("return ({expression});");
        loop {
            let value = self.client.execute(&script, vec![]).await.unwrap();
            if value == expected {
                return;
            }
            assert!(
                started.elapsed() < SHOWS,
                "`{expression}` stayed {value}, expected {expected}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn text_of(&self, id: &str) -> String {
        let script = format!("return document.getElementById('{id}').textContent;");
        let value = self.client.execute(&script, vec![]).await.unwrap();
        value.as_str().unwrap_or_default().to_owned()
    }

    async fn type_into(&self, id: &str, text: &str) {
        let input = self.client.find(Locator::Id(id)).await.unwrap();
        input.send_keys(text).await.unwrap();
    }

    async fn click(&self, id: &str) {
        self.client
            .find(Locator::Id(id))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }

    /// Opens the chat page and logs in as `nickname`.
    async fn log_in(&self, base: &str, nickname: &str) {
        self.open(&format!("{base}/")).await;
        self.until(
            "document.getElementById('status').textContent",
            json!("connected"),
        )
        .await;
        assert!(self.shown("login").await && !self.shown("chat").await);
        self.type_into("nickname", nickname).await;
        self.click("join").await;
        self.until("document.getElementById('me').textContent", json!(nickname))
            .await;
        assert!(!self.shown("login").await && self.shown("chat").await);
    }

    /// Whether the element is on screen (not hidden by `hidden` or CSS).
    async fn shown(&self, id: &str) -> bool {
        let element = self.client.find(Locator::Id(id)).await.unwrap();
        element.is_displayed().await.unwrap()
    }

    /// The last chat line: [who, text].
    async fn last_line(&self) -> Value {
        let script = "const li = document.querySelector('#messages li:last-child'); \
                      return li ? [li.querySelector('.nick')?.textContent ?? null, \
                                   li.querySelector('.text')?.textContent ?? li.textContent] : null;";
        self.client.execute(script, vec![]).await.unwrap()
    }

    async fn until_last_line(&self, who: &str, text: &str) {
        let expression = "(() => { const li = document.querySelector('#messages li:last-child'); \
                          return li ? [li.querySelector('.nick')?.textContent ?? null, \
                                       li.querySelector('.text')?.textContent ?? li.textContent] : null; })()";
        self.until(expression, json!([who, text])).await;
    }

    /// With `WS_CHAT_SCREENSHOTS=DIR`, saves what the page shows as DIR/NAME.png.
    async fn screenshot(&self, name: &str) {
        if let Some(dir) = std::env::var_os("WS_CHAT_SCREENSHOTS") {
            let png = self.client.screenshot().await.unwrap();
            std::fs::write(PathBuf::from(dir).join(format!("{name}.png")), png).unwrap();
        }
    }

    async fn close(self) {
        let _ = tokio::time::timeout(SHOWS, self.client.close()).await;
    }
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

    alice.log_in(&base, "alice").await;
    bob.log_in(&base, "bob").await;
    alice
        .until("document.getElementById('count').textContent", json!("2"))
        .await;
    assert_eq!(alice.text_of("users").await, "alicebob");

    // alice types: bob sees it; she sends: bob sees the message and the
    // notice goes.
    alice.type_into("message", "hello b").await;
    bob.until(
        "document.getElementById('typing').textContent",
        json!("alice is typing…"),
    )
    .await;
    alice.type_into("message", "ob").await;
    alice.click("send").await;
    bob.until_last_line("alice", "hello bob").await;
    assert_eq!(bob.text_of("typing").await, "");
    // Her own page showed it at once; the server did not send it back.
    assert_eq!(alice.last_line().await, json!(["alice", "hello bob"]));

    // HTML from a peer stays text.
    let attack = "<img src=x onerror=alert(1)>";
    alice.type_into("message", attack).await;
    alice.click("send").await;
    bob.until_last_line("alice", attack).await;
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
    alice.until_last_line("bob → you", "psst").await;
    alice.screenshot("alice").await;
    bob.screenshot("bob").await;

    // The server restarts on the same port: the pages see Close 1001, come
    // back with backoff, and log in again by themselves.
    server.stop().await;
    for page in [&alice, &bob] {
        page.until(
            "document.getElementById('status').textContent.startsWith('disconnected (1001')",
            json!(true),
        )
        .await;
    }
    let listener = TcpListener::bind(addr).await.unwrap();
    let server = TestServer::on(listener, Config::default());
    for page in [&alice, &bob] {
        page.until(
            "document.getElementById('status').textContent",
            json!("connected"),
        )
        .await;
        page.until("document.getElementById('count').textContent", json!("2"))
            .await;
    }
    assert_eq!(server.room.users(), ["alice", "bob"]);
    alice.type_into("message", "back again").await;
    alice.click("send").await;
    bob.until_last_line("alice", "back again").await;

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
