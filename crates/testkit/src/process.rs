//! A lesson's binary or example as its own process, as a user starts it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

use crate::STEP;

/// Builds `package`'s examples (a no-op when `cargo test` already built
/// them) and returns the path of the one called `name`, for
/// `cargo run -p package --example name` as a test starts it.
pub fn example(package: &str, name: &str) -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = std::process::Command::new(cargo)
        .args(["build", "-p", package, "--examples", "--quiet"])
        .arg("--message-format=json-render-diagnostics")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "cargo build -p {package} --examples failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if message["target"]["name"] == name
            && message["target"]["kind"] == serde_json::json!(["example"])
            && let Some(path) = message["executable"].as_str()
        {
            return PathBuf::from(path);
        }
    }
    panic!("{package} has no example named {name}");
}

/// A running process, with its stdout read line by line; killed when
/// dropped, so a failing test leaves nothing behind.
#[derive(Debug)]
pub struct Process {
    pub child: Child,
    stdout: Lines<BufReader<ChildStdout>>,
}

impl Process {
    /// Starts `program args…` with stdout piped and stderr captured.
    pub fn spawn(program: impl AsRef<Path>, args: &[&str]) -> Self {
        let mut child = Command::new(program.as_ref())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.as_ref().display()));
        let stdout = BufReader::new(child.stdout.take().unwrap()).lines();
        Self { child, stdout }
    }

    /// Starts a server (`program args…`, which should include `--port 0`)
    /// and waits for its first line, `listening on IP:PORT`: it is ready.
    pub async fn server(program: impl AsRef<Path>, args: &[&str]) -> (Self, SocketAddr) {
        let mut process = Self::spawn(program, args);
        let line = process.line().await.expect("the server printed a line");
        let addr = line
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("the first line is `listening on …`, not {line:?}"))
            .parse()
            .unwrap_or_else(|e| panic!("{line:?}: {e}"));
        (process, addr)
    }

    /// The next line on stdout (without its newline); `None` once stdout
    /// is closed. Fails the test after [`STEP`].
    pub async fn line(&mut self) -> Option<String> {
        tokio::time::timeout(STEP, self.stdout.next_line())
            .await
            .expect("a line within the step's time")
            .unwrap()
    }

    /// Lines until (and including) the first that contains `text`.
    pub async fn lines_until(&mut self, text: &str) -> Vec<String> {
        let mut lines = Vec::new();
        while let Some(line) = self.line().await {
            let found = line.contains(text);
            lines.push(line);
            if found {
                return lines;
            }
        }
        panic!("stdout ended before a line with {text:?}: {lines:#?}");
    }

    /// Sends a signal by name (`-INT` for Ctrl-C, `-TERM`, `-KILL`) with the
    /// `kill` command: the workspace forbids `unsafe`, which libc would need.
    pub async fn signal(&self, name: &str) {
        let pid = self.child.id().expect("still running").to_string();
        let status = Command::new("kill")
            .args([name, &pid])
            .status()
            .await
            .unwrap();
        assert!(status.success(), "kill {name} {pid}");
    }

    /// Waits (at most two [`STEP`]s) for the process to exit.
    pub async fn exit(&mut self) -> ExitStatus {
        tokio::time::timeout(STEP * 2, self.child.wait())
            .await
            .expect("the process exits in time")
            .unwrap()
    }

    /// Everything it wrote to stderr (read after it has exited).
    pub async fn stderr(&mut self) -> String {
        let mut text = String::new();
        if let Some(mut stderr) = self.child.stderr.take() {
            let read = stderr.read_to_string(&mut text);
            tokio::time::timeout(STEP, read)
                .await
                .expect("stderr closes in time")
                .unwrap();
        }
        text
    }

    /// Runs `program args…` to the end (at most two [`STEP`]s) and returns
    /// its status, stdout and stderr.
    pub async fn output(program: impl AsRef<Path>, args: &[&str]) -> (ExitStatus, String, String) {
        let run = Command::new(program.as_ref())
            .args(args)
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .output();
        let output = tokio::time::timeout(STEP * 2, run)
            .await
            .expect("the program ends in time")
            .unwrap();
        let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
        (output.status, text(&output.stdout), text(&output.stderr))
    }
}
