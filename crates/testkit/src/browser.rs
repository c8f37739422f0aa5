//! A real browser for the tests that need one: Debian's chromium,
//! headless, driven over WebDriver (chromedriver) with fantoccini.
//!
//! Needs the Debian packages `chromium` and `chromium-driver`; the tests
//! that use it are `#[ignore]`d by default and run by `.ci/run`, which
//! installs them. Everything is bounded: each wait has a timeout, and
//! chromedriver (with every browser it started) is killed when the
//! [`Driver`] is dropped, however the test ends.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub use fantoccini::Locator;
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use tempfile::TempDir;

/// How long one thing may take to show in a page (a loaded 2-core machine).
pub const SHOWS: Duration = Duration::from_secs(20);

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
    "--allow-file-access-from-files",
    "--window-size=1000,800",
];

/// A program on the PATH, or `None`.
pub fn on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// chromedriver on a free loopback port, in its own process group so that
/// the browsers it starts can be killed with it.
#[derive(Debug)]
pub struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    /// Starts chromedriver and waits until it says it has started.
    pub fn start() -> Self {
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
    pub async fn browser(&self) -> Browser {
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
#[derive(Debug)]
pub struct Browser {
    /// The WebDriver session, for what the helpers below do not cover.
    pub client: Client,
    _profile: TempDir,
}

impl Browser {
    /// Goes to `url` (an `http://127.0.0.1:…` page, or a `file://` one).
    pub async fn open(&self, url: &str) {
        self.client.goto(url).await.unwrap();
    }

    /// Runs `script` (a function body: `return …;`) in the page.
    pub async fn run(&self, script: &str) -> Value {
        self.client.execute(script, vec![]).await.unwrap()
    }

    /// Evaluates `expression` in the page until it is `expected`; fails
    /// after [`SHOWS`] with what the page showed last.
    pub async fn until(&self, expression: &str, expected: Value) {
        let started = Instant::now();
        let script = format!("return ({expression});");
        loop {
            let value = self.run(&script).await;
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

    /// The text of the element with this `id`.
    pub async fn text_of(&self, id: &str) -> String {
        let script = format!("return document.getElementById('{id}').textContent;");
        let value = self.run(&script).await;
        value.as_str().unwrap_or_default().to_owned()
    }

    /// Types `text` into the input with this `id`.
    pub async fn type_into(&self, id: &str, text: &str) {
        let input = self.client.find(Locator::Id(id)).await.unwrap();
        input.send_keys(text).await.unwrap();
    }

    /// Clicks the element with this `id`.
    pub async fn click(&self, id: &str) {
        let element = self.client.find(Locator::Id(id)).await.unwrap();
        element.click().await.unwrap();
    }

    /// Whether the element is on screen (not hidden by `hidden` or CSS).
    pub async fn shown(&self, id: &str) -> bool {
        let element = self.client.find(Locator::Id(id)).await.unwrap();
        element.is_displayed().await.unwrap()
    }

    /// With `SCREENSHOTS=DIR` set, saves what the page shows as DIR/NAME.png.
    pub async fn screenshot(&self, name: &str) {
        if let Some(dir) = std::env::var_os("SCREENSHOTS") {
            let png = self.client.screenshot().await.unwrap();
            std::fs::write(PathBuf::from(dir).join(format!("{name}.png")), png).unwrap();
        }
    }

    /// Ends the session (the window closes).
    pub async fn close(self) {
        let _ = tokio::time::timeout(SHOWS, self.client.close()).await;
    }
}
