//! `ws-chat demo`: the whole lesson in one process, narrated: three chat
//! clients, the echo endpoint, the bad inputs, and Ctrl-C.

use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use common::chat::{Broadcast, ClientMessage, Login, P2pTo, Typing};
use common::demo::{DemoArgs, Steps};
use common::lang::Lang;
use common::logging::demo_line;
use rust_i18n::t;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::Message;

use crate::client::{ChatClient, Received};
use crate::server::{Config, Server};

/// How long any one exchange may take before the demo gives up. Each
/// timeout is around one exchange, never around a step: with `--step` the
/// demo may wait for Enter as long as the teacher talks.
const STEP: Duration = Duration::from_secs(5);

/// Runs the server on an ephemeral loopback port and drives it with
/// scripted clients, printing every frame, in `lang`. Logging must already
/// be set up by `common::logging::init_demo("server")` for the server's
/// lines to show.
pub async fn run(assets: &Path, args: &DemoArgs, lang: Lang) -> io::Result<()> {
    let locale = lang.code();
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let config = Config {
        assets: assets.to_path_buf(),
        grace: Duration::from_secs(1),
        lang,
        ..Config::default()
    };
    let server = Server::new(listener, config)?;
    let addr = server.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(server.run(async {
        let _ = stopped.await;
    }));
    // Each connection says its language on the URL, as the page does.
    let chat = format!("ws://{addr}/ws?lang={locale}");
    println!("{}", t!("demo.intro", locale = locale, addr = addr));
    let mut steps = Steps::new(args, lang);
    let say = |key: &str| t!(key, locale = locale).into_owned();

    steps.next(&say("demo.step.login")).await;
    let mut alice = Person::connect("alice", &chat, lang).await?;
    alice.login("alice").await?;
    alice.hear(2).await?; // login answer, users
    let mut bob = Person::connect("bob", &chat, lang).await?;
    bob.login("bob").await?;
    bob.hear(2).await?;
    alice.hear(2).await?; // "bob joined", users

    // carol's page is in the other language: the room speaks to each in theirs.
    let other = if lang == Lang::En {
        Lang::ZhCn
    } else {
        Lang::En
    };
    let (name, code) = (say(&format!("demo.lang.{}", other.code())), other.code());
    let title = t!(
        "demo.step.languages",
        locale = locale,
        other = name,
        code = code
    );
    steps.next(&title).await;
    let carol_url = format!("ws://{addr}/ws?lang={code}");
    let mut carol = Person::connect("carol", &carol_url, lang).await?;
    carol.login("ALICE").await?;
    carol.hear(1).await?;
    carol.login("carol").await?;
    carol.hear(2).await?;
    alice.hear(2).await?;
    bob.hear(2).await?;

    steps.next(&say("demo.step.broadcast")).await;
    alice
        .send(&ClientMessage::Typing(Typing { typing: true }))
        .await?;
    bob.hear(1).await?;
    carol.hear(1).await?;
    alice
        .send(&ClientMessage::Broadcast(Broadcast {
            message: say("demo.msg.hello"),
        }))
        .await?;
    bob.hear(1).await?;
    carol.hear(1).await?;

    steps.next(&say("demo.step.private")).await;
    bob.send(&ClientMessage::P2p(P2pTo {
        to: "alice".into(),
        message: say("demo.msg.psst"),
    }))
    .await?;
    alice.hear(1).await?;
    bob.send(&ClientMessage::P2p(P2pTo {
        to: "dave".into(),
        message: say("demo.msg.anyone"),
    }))
    .await?;
    bob.hear(1).await?;

    steps.next(&say("demo.step.bad_input")).await;
    bob.send_frame(Message::text("hello?")).await?;
    bob.hear(1).await?;
    carol.send_frame(Message::binary(vec![1, 2, 3])).await?;
    carol.hear(1).await?;

    steps.next(&say("demo.step.too_big")).await;
    carol
        .send_frame(Message::text("x".repeat(70 * 1024)))
        .await?;
    carol.hear(1).await?;
    alice.hear(2).await?;
    bob.hear(2).await?;

    steps.next(&say("demo.step.echo")).await;
    let mut echo = Person::connect("echo", &format!("ws://{addr}/echo"), lang).await?;
    echo.send_frame(Message::text("Hello WebSockets!")).await?;
    echo.hear(1).await?;
    echo.send_frame(Message::binary(vec![0, 159, 146, 150]))
        .await?;
    echo.hear(1).await?;
    echo.client.close().await.map_err(io::Error::other)?;

    steps.next(&say("demo.step.not_upgrade")).await;
    demo_line("curl", status_line(addr, "/ws", lang).await?);

    steps.next(&say("demo.step.ctrl_c")).await;
    let _ = stop.send(());
    alice.hear(1).await?;
    bob.hear(1).await?;
    server.await.map_err(io::Error::other)?;
    println!("\n{}", say("demo.done"));
    Ok(())
}

/// A scripted client that narrates what it sends and receives.
struct Person {
    name: &'static str,
    client: ChatClient,
    /// The demo's language, for the narration (not the connection's).
    lang: Lang,
}

impl Person {
    async fn connect(name: &'static str, url: &str, lang: Lang) -> io::Result<Self> {
        let client = tokio::time::timeout(STEP, ChatClient::connect(url))
            .await
            .map_err(|_| timed_out(name, "demo.doing.connecting", lang))?
            .map_err(io::Error::other)?;
        demo_line(name, t!("demo.connected", locale = lang.code(), url = url));
        Ok(Self { name, client, lang })
    }

    async fn login(&mut self, nickname: &str) -> io::Result<()> {
        self.send(&ClientMessage::Login(Login {
            nickname: nickname.into(),
        }))
        .await
    }

    async fn send(&mut self, message: &ClientMessage) -> io::Result<()> {
        let json = serde_json::to_string(message).map_err(io::Error::other)?;
        self.send_frame(Message::text(json)).await
    }

    async fn send_frame(&mut self, frame: Message) -> io::Result<()> {
        demo_line(
            self.name,
            format!("→ {}", describe_frame(&frame, self.lang)),
        );
        self.client
            .send_frame(frame)
            .await
            .map_err(io::Error::other)
    }

    /// Prints the next `n` frames this client receives.
    async fn hear(&mut self, n: usize) -> io::Result<()> {
        for _ in 0..n {
            let gone = || t!("demo.gone", locale = self.lang.code(), who = self.name);
            let received = tokio::time::timeout(STEP, self.client.receive())
                .await
                .map_err(|_| timed_out(self.name, "demo.doing.waiting", self.lang))?
                .ok_or_else(|| io::Error::other(gone().into_owned()))?
                .map_err(io::Error::other)?;
            demo_line(self.name, format!("← {}", describe(&received, self.lang)));
        }
        Ok(())
    }
}

fn timed_out(name: &str, doing: &str, lang: Lang) -> io::Error {
    let locale = lang.code();
    let doing = t!(doing, locale = locale);
    let text = t!("demo.timed_out", locale = locale, who = name, doing = doing);
    io::Error::new(io::ErrorKind::TimedOut, text.into_owned())
}

fn describe(received: &Received, lang: Lang) -> String {
    let locale = lang.code();
    match received {
        Received::Message(message) => serde_json::to_string(message).unwrap_or_default(),
        Received::Text(text) => {
            let text = format!("{text:?}");
            t!("demo.text_frame", locale = locale, text = text).into()
        }
        Received::Binary(bytes) => {
            let bytes = format!("{bytes:?}");
            t!("demo.binary_frame", locale = locale, bytes = bytes).into()
        }
        Received::Closed(Some(frame)) => format!(
            "Close {} {:?}",
            u16::from(frame.code),
            frame.reason.as_str()
        ),
        Received::Closed(None) => t!("demo.no_code", locale = locale).into(),
    }
}

fn describe_frame(frame: &Message, lang: Lang) -> String {
    let locale = lang.code();
    match frame {
        Message::Text(text) if text.len() > 80 => {
            t!("demo.long_text", locale = locale, bytes = text.len()).into()
        }
        Message::Text(text) => text.to_string(),
        Message::Binary(bytes) => {
            let bytes = format!("{:?}", &bytes[..]);
            t!("demo.binary_frame", locale = locale, bytes = bytes).into()
        }
        other => format!("{other:?}"),
    }
}

/// `curl -i http://addr/path` (with the demo's language in
/// `Accept-Language`), reduced to its body: a refusal's body starts with
/// its status (`426 Upgrade Required: …`), so that is said once.
async fn status_line(addr: SocketAddr, path: &str, lang: Lang) -> io::Result<String> {
    let mut stream = TcpStream::connect(addr).await?;
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept-Language: {}\r\nConnection: close\r\n\r\n",
        lang.code()
    );
    stream.write_all(request.as_bytes()).await?;
    let mut response = Vec::new();
    tokio::time::timeout(STEP, stream.read_to_end(&mut response))
        .await
        .map_err(|_| timed_out("curl", "demo.doing.reading", lang))??;
    let response = String::from_utf8_lossy(&response);
    let status = response.lines().next().unwrap_or_default();
    let body = response.split("\r\n\r\n").nth(1).unwrap_or_default().trim();
    // "HTTP/1.1 426 Upgrade Required" without its "HTTP/1.1 ".
    let code = status.split_once(' ').map_or(status, |(_, code)| code);
    let answer = if body.starts_with(code) { body } else { status };
    Ok(format!("GET {path} → {answer}"))
}
