//! A real `redis-server` for chapter 7's tests: started in a temporary
//! directory, listening only on a Unix socket there (no TCP port at all,
//! so nothing can clash and nothing leaves the machine), with no
//! persistence, and stopped by its PID.

use std::path::PathBuf;
use std::process::Stdio;

use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::STEP;

/// A running `redis-server`; killed when dropped.
#[derive(Debug)]
pub struct RedisServer {
    dir: TempDir,
    child: Option<Child>,
}

impl RedisServer {
    /// Starts one and waits until it says it is ready.
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut server = Self { dir, child: None };
        server.restart().await;
        server
    }

    /// `unix:///…/redis.sock`, for `--redis`.
    pub fn url(&self) -> String {
        format!("unix://{}", self.socket().display())
    }

    fn socket(&self) -> PathBuf {
        self.dir.path().join("redis.sock")
    }

    /// Starts it (again, after [`stop`](Self::stop)), empty, on the same
    /// socket: what a node sees when Redis restarts without persistence.
    pub async fn restart(&mut self) {
        assert!(self.child.is_none(), "redis-server is already running");
        let mut child = Command::new("redis-server")
            .args(["--port", "0", "--unixsocket"])
            .arg(self.socket())
            .args([
                "--unixsocketperm",
                "700",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .arg("--dir")
            .arg(self.dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("redis-server runs (apt-get install redis-server)");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let ready = async {
            while let Some(line) = lines.next_line().await.unwrap() {
                if line.to_lowercase().contains("ready to accept connections") {
                    return true;
                }
            }
            false
        };
        let ready = tokio::time::timeout(STEP, ready).await;
        assert!(matches!(ready, Ok(true)), "redis-server did not start");
        // Keep reading its log so that it never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        self.child = Some(child);
    }

    /// Kills it by its PID (SIGKILL), and waits until it is gone.
    pub async fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().await.unwrap();
        }
        let _ = std::fs::remove_file(self.socket());
    }
}
