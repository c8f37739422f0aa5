//! The demo's processes: a `redis-server` of its own and the chat servers
//! (the nodes), each a child process that is killed if the demo ends early
//! (`kill_on_drop`), so nothing is left running after an error.

use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use common::lang::Lang;
use rust_i18n::t;
use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};

/// How long a process may take to say it is ready, or to stop.
const START: Duration = Duration::from_secs(10);

/// A `redis-server` for this demo only: it listens on a Unix socket in a
/// new temporary directory (no TCP port, so it cannot clash with a Redis
/// already running, and nothing leaves the machine), and keeps nothing on
/// disk (`--save '' --appendonly no`).
pub struct Redis {
    dir: TempDir,
    child: Child,
}

impl Redis {
    /// Starts it and waits for its "Ready to accept connections" line.
    pub async fn start(lang: Lang) -> io::Result<Self> {
        let dir = tempfile::tempdir()?;
        let socket = dir.path().join("redis.sock");
        let spawned = Command::new("redis-server")
            .args(["--port", "0", "--unixsocket"])
            .arg(&socket)
            .args([
                "--unixsocketperm",
                "700",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .arg("--dir")
            .arg(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                return Err(fail(t!("demo.no_redis", locale = lang.code())));
            }
            Err(error) => return Err(error),
        };
        let mut lines = lines_of(child.stdout.take())?;
        let ready = async {
            while let Some(line) = lines.next_line().await? {
                if line.to_lowercase().contains("ready to accept connections") {
                    return Ok(true);
                }
            }
            Ok::<_, io::Error>(false)
        };
        if !matches!(tokio::time::timeout(START, ready).await, Ok(Ok(true))) {
            return Err(fail(t!("demo.redis_failed", locale = lang.code())));
        }
        // Keep reading its log, so that it never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Self { dir, child })
    }

    /// `unix:///tmp/…/redis.sock`, for the nodes' `--redis`.
    pub fn url(&self) -> String {
        format!("unix://{}", self.dir.path().join("redis.sock").display())
    }

    /// The temporary directory (shown once: its name changes every run).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Kills it by its PID and waits until it is gone; the directory goes too.
    pub async fn stop(mut self) -> io::Result<()> {
        self.child.kill().await
    }
}

/// A chat server started as a process of its own: one node of the cluster.
pub struct Node {
    name: &'static str,
    child: Child,
    /// Where it listens, from its first line (`listening on IP:PORT`).
    pub addr: SocketAddr,
}

impl Node {
    /// Runs `program args…`, waits for its `listening on` line, and from
    /// then on passes its log (stderr) on to ours, each line marked with
    /// `name`. Its log is not part of the transcript on stdout: its lines
    /// come when the node writes them, in no fixed order with ours.
    pub async fn start(
        name: &'static str,
        program: &Path,
        args: &[String],
        lang: Lang,
    ) -> io::Result<Self> {
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()?;
        let mut log = lines_of(child.stderr.take())?;
        tokio::spawn(async move {
            while let Ok(Some(line)) = log.next_line().await {
                eprintln!("  {name:>6} | {line}");
            }
        });
        let mut out = lines_of(child.stdout.take())?;
        let first = tokio::time::timeout(START, out.next_line()).await;
        let addr = match first {
            Ok(Ok(Some(line))) => line
                .strip_prefix("listening on ")
                .and_then(|addr| addr.parse().ok()),
            _ => None,
        };
        let Some(addr) = addr else {
            return Err(fail(t!(
                "demo.node_failed",
                locale = lang.code(),
                node = name
            )));
        };
        tokio::spawn(async move { while let Ok(Some(_)) = out.next_line().await {} });
        Ok(Self { name, child, addr })
    }

    /// SIGKILL: the process ends at once, with no chance to say goodbye to
    /// Redis or to its clients (what a crash or a pulled plug looks like).
    pub async fn kill(&mut self) -> io::Result<()> {
        self.child.kill().await
    }

    /// SIGTERM (what `kill PID` sends; Ctrl-C is SIGINT): the node stops
    /// cleanly, telling its clients and the other nodes. If it has not
    /// ended within a few seconds, SIGKILL.
    pub async fn stop(mut self) -> io::Result<()> {
        if let Some(pid) = self.child.id() {
            Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status()
                .await?;
        }
        match tokio::time::timeout(START, self.child.wait()).await {
            Ok(status) => status.map(drop),
            Err(_) => {
                eprintln!("  {:>6} | SIGKILL", self.name);
                self.child.kill().await
            }
        }
    }
}

/// The binary `name` next to the running `chat-cluster`, where cargo puts
/// every binary of the workspace. They are not dependencies of this crate
/// (the chat lessons depend on it: that would be a cycle), so they must be
/// built: `cargo build --bin tcp-chat --bin ws-chat`.
pub fn sibling(name: &str, lang: Lang) -> io::Result<PathBuf> {
    let path = std::env::current_exe()?.with_file_name(name);
    if path.is_file() {
        return Ok(path);
    }
    let dir = path
        .parent()
        .unwrap_or(Path::new("."))
        .display()
        .to_string();
    Err(fail(t!(
        "demo.not_built",
        locale = lang.code(),
        name = name,
        dir = dir
    )))
}

fn lines_of<R: AsyncRead + Unpin>(pipe: Option<R>) -> io::Result<tokio::io::Lines<BufReader<R>>> {
    let pipe = pipe.ok_or_else(|| io::Error::other("no pipe"))?;
    Ok(BufReader::new(pipe).lines())
}

/// An error that is one sentence for the user.
pub fn fail(text: impl Into<String>) -> io::Error {
    io::Error::other(text.into())
}
