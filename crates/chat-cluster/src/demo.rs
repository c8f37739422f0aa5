//! `chat-cluster demo`: one chat room on three servers, narrated. A
//! cluster is several processes by its nature, so the demo starts real
//! ones: its own `redis-server`, two `tcp-chat server` nodes (A and B) and
//! one `ws-chat` node (C), all with `--redis` on that Redis. Then alice
//! (a TCP client of node A), bob (node B) and carol (a WebSocket client of
//! node C, as the browser page is) chat, and every JSON line they send and
//! receive is printed. At the end node B is killed, and bob's departure
//! reaches the others once his presence has expired.

use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use common::chat::{Broadcast, ClientMessage, Login, P2pTo};
use common::demo::{DemoArgs, Steps};
use common::lang::Lang;
use common::logging::demo_line;
use futures_util::{SinkExt, StreamExt};
use rust_i18n::t;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::presence;

mod processes;

use processes::{Node, Redis, fail, sibling};

/// How long one exchange may take before the demo gives up. Each timeout
/// is around one exchange, never around a step: with `--step` the demo may
/// wait for Enter as long as the teacher talks.
const EXCHANGE: Duration = Duration::from_secs(5);

/// How long the others may wait to hear that a killed node's user left:
/// the presence key's lifetime, one sweep, and a margin.
const DEPARTURE: Duration = Duration::from_secs(20);

/// Starts Redis and the three nodes, runs the script, and stops them all,
/// in `lang` (the narration's, the nodes' logs' and the clients').
pub async fn run(args: &DemoArgs, lang: Lang) -> io::Result<()> {
    let locale = lang.code();
    let say = |key: &str| t!(key, locale = locale).into_owned();
    // Find both programs before starting anything.
    let tcp_chat = sibling("tcp-chat", lang)?;
    let ws_chat = sibling("ws-chat", lang)?;
    let mut steps = Steps::new(args, lang);
    println!("{}", say("demo.intro"));
    println!("{}", say("demo.legend"));

    steps.next(&say("demo.step.start")).await;
    let redis = Redis::start(lang).await?;
    let url = redis.url();
    let tmp = redis.dir().display().to_string();
    demo_line("demo", t!("demo.tmp", locale = locale, dir = tmp));
    demo_line(
        "redis",
        "redis-server --port 0 --unixsocket $TMP/redis.sock --save '' --appendonly no",
    );
    // The nodes speak the demo's language: their log, and what they send.
    let tcp_args = ["server", "--port", "0", "--redis", &url, "--lang", locale];
    let ws_args = ["--port", "0", "--redis", &url, "--lang", locale];
    let node_a = start_node("node A", &tcp_chat, &tcp_args, &tmp, lang).await?;
    let mut node_b = start_node("node B", &tcp_chat, &tcp_args, &tmp, lang).await?;
    let node_c = start_node("node C", &ws_chat, &ws_args, &tmp, lang).await?;

    steps.next(&say("demo.step.login")).await;
    let mut alice = TcpPerson::connect("alice", node_a.addr, lang).await?;
    alice.send(&login("alice")).await?;
    alice.hear(1).await?;
    let mut bob = TcpPerson::connect("bob", node_b.addr, lang).await?;
    bob.send(&login("bob")).await?;
    bob.hear(1).await?;
    alice.hear(1).await?;

    steps.next(&say("demo.step.browser")).await;
    let mut carol = WsPerson::connect("carol", node_c.addr, lang).await?;
    carol.send(&login("carol")).await?;
    carol.hear(2).await?; // the login answer and the page's user list
    alice.hear(1).await?;
    bob.hear(1).await?;

    steps.next(&say("demo.step.broadcast")).await;
    alice
        .send(&ClientMessage::Broadcast(Broadcast {
            message: say("demo.msg.hello"),
        }))
        .await?;
    alice.hear(1).await?; // tcp-chat echoes a broadcast to its sender
    bob.hear(1).await?;
    carol.hear(1).await?;

    steps.next(&say("demo.step.private")).await;
    bob.send(&ClientMessage::P2p(P2pTo {
        to: "carol".into(),
        message: say("demo.msg.psst"),
    }))
    .await?;
    bob.hear(1).await?; // node B's copy for bob, at once
    carol.hear(1).await?;

    steps.next(&say("demo.step.users")).await;
    alice.send(&ClientMessage::Users).await?;
    alice.hear(1).await?;

    steps.next(&say("demo.step.kill")).await;
    demo_line("demo", say("demo.killing"));
    node_b.kill().await?;
    let killed = Instant::now();
    bob.hear_closed().await?;
    // Nobody said goodbye for bob: another node notices that his presence
    // has expired, and announces it.
    alice.hear_within(1, DEPARTURE).await?;
    let waited = killed.elapsed();
    carol.hear_within(2, EXCHANGE).await?; // the notice and the new list
    let secs = waited.as_secs_f64().round();
    let ttl = presence::TTL.as_secs();
    let sweep = presence::REFRESH.as_secs();
    demo_line(
        "demo",
        t!(
            "demo.departure",
            locale = locale,
            secs = secs,
            ttl = ttl,
            sweep = sweep
        ),
    );

    steps.next(&say("demo.step.stop")).await;
    alice.close().await?;
    carol.close().await?;
    node_a.stop().await?;
    node_c.stop().await?;
    redis.stop().await?;
    demo_line("demo", say("demo.stopped"));
    println!("\n{}", say("demo.done"));
    Ok(())
}

/// Prints the command line (`$TMP` for the temporary directory, whose name
/// changes every run) and starts the node; prints where it listens.
async fn start_node(
    name: &'static str,
    program: &Path,
    args: &[&str],
    tmp: &str,
    lang: Lang,
) -> io::Result<Node> {
    let args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
    let program_name = program.file_name().unwrap_or_default().to_string_lossy();
    let line = format!("{program_name} {}", args.join(" ")).replace(tmp, "$TMP");
    demo_line(name, line);
    let node = Node::start(name, program, &args, lang).await?;
    demo_line(name, format!("listening on {}", node.addr));
    Ok(node)
}

fn login(nickname: &str) -> ClientMessage {
    ClientMessage::Login(Login {
        nickname: nickname.into(),
    })
}

fn json(message: &ClientMessage) -> String {
    serde_json::to_string(message).unwrap_or_default()
}

fn timed_out(who: &str, lang: Lang) -> io::Error {
    let text = t!("demo.timed_out", locale = lang.code(), who = who);
    io::Error::new(io::ErrorKind::TimedOut, text.into_owned())
}

/// A scripted user of a tcp-chat node: one JSON object per line, both ways,
/// each printed as it is sent (`→`) or received (`←`).
struct TcpPerson {
    name: &'static str,
    lines: Lines<BufReader<OwnedReadHalf>>,
    writer: OwnedWriteHalf,
    lang: Lang,
}

impl TcpPerson {
    async fn connect(name: &'static str, addr: SocketAddr, lang: Lang) -> io::Result<Self> {
        let stream = tokio::time::timeout(EXCHANGE, TcpStream::connect(addr))
            .await
            .map_err(|_| timed_out(name, lang))??;
        stream.set_nodelay(true)?;
        let (reader, writer) = stream.into_split();
        demo_line(
            name,
            t!(
                "demo.connected",
                locale = lang.code(),
                to = addr.to_string()
            ),
        );
        Ok(Self {
            name,
            lines: BufReader::new(reader).lines(),
            writer,
            lang,
        })
    }

    async fn send(&mut self, message: &ClientMessage) -> io::Result<()> {
        let line = json(message);
        demo_line(self.name, format!("→ {line}"));
        self.writer.write_all(format!("{line}\n").as_bytes()).await
    }

    /// Prints the next `n` lines this user receives.
    async fn hear(&mut self, n: usize) -> io::Result<()> {
        self.hear_within(n, EXCHANGE).await
    }

    async fn hear_within(&mut self, n: usize, limit: Duration) -> io::Result<()> {
        for _ in 0..n {
            let line = tokio::time::timeout(limit, self.lines.next_line())
                .await
                .map_err(|_| timed_out(self.name, self.lang))??;
            let gone = || t!("demo.gone", locale = self.lang.code(), who = self.name);
            let line = line.ok_or_else(|| fail(gone()))?;
            demo_line(self.name, format!("← {line}"));
        }
        Ok(())
    }

    /// Waits for the server's end of the connection to close (its process
    /// died: the kernel closes its sockets).
    async fn hear_closed(&mut self) -> io::Result<()> {
        let end = tokio::time::timeout(EXCHANGE, self.lines.next_line())
            .await
            .map_err(|_| timed_out(self.name, self.lang))?;
        match end {
            Ok(Some(line)) => demo_line(self.name, format!("← {line}")),
            // A reset or an end of stream: either way, the server is gone.
            Ok(None) | Err(_) => demo_line(
                self.name,
                t!("demo.closed_by_server", locale = self.lang.code()),
            ),
        }
        Ok(())
    }

    async fn close(mut self) -> io::Result<()> {
        demo_line(self.name, t!("demo.closes", locale = self.lang.code()));
        self.writer.shutdown().await
    }
}

/// A scripted user of the ws-chat node, as the browser page is: one JSON
/// object per WebSocket text frame.
struct WsPerson {
    name: &'static str,
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    lang: Lang,
}

impl WsPerson {
    async fn connect(name: &'static str, addr: SocketAddr, lang: Lang) -> io::Result<Self> {
        // The page says its language on the URL; so do we.
        let url = format!("ws://{addr}/ws?lang={}", lang.code());
        let (socket, _response) =
            tokio::time::timeout(EXCHANGE, tokio_tungstenite::connect_async(&url))
                .await
                .map_err(|_| timed_out(name, lang))?
                .map_err(io::Error::other)?;
        demo_line(name, t!("demo.connected", locale = lang.code(), to = url));
        Ok(Self { name, socket, lang })
    }

    async fn send(&mut self, message: &ClientMessage) -> io::Result<()> {
        let text = json(message);
        demo_line(self.name, format!("→ {text}"));
        self.socket
            .send(Message::text(text))
            .await
            .map_err(io::Error::other)
    }

    /// Prints the next `n` text frames this user receives.
    async fn hear(&mut self, n: usize) -> io::Result<()> {
        self.hear_within(n, EXCHANGE).await
    }

    async fn hear_within(&mut self, n: usize, limit: Duration) -> io::Result<()> {
        let mut heard = 0;
        while heard < n {
            let frame = tokio::time::timeout(limit, self.socket.next())
                .await
                .map_err(|_| timed_out(self.name, self.lang))?;
            let gone = || t!("demo.gone", locale = self.lang.code(), who = self.name);
            let frame = frame.ok_or_else(|| fail(gone()))?;
            match frame.map_err(io::Error::other)? {
                Message::Text(text) => {
                    demo_line(self.name, format!("← {text}"));
                    heard += 1;
                }
                // Pings are answered underneath; nothing else is expected.
                Message::Close(_) => return Err(fail(gone())),
                _ => {}
            }
        }
        Ok(())
    }

    async fn close(mut self) -> io::Result<()> {
        demo_line(self.name, t!("demo.closes", locale = self.lang.code()));
        self.socket.close(None).await.map_err(io::Error::other)?;
        // Until the server's Close answers ours (bounded).
        let rest = async { while let Some(Ok(_)) = self.socket.next().await {} };
        let _ = tokio::time::timeout(EXCHANGE, rest).await;
        Ok(())
    }
}
