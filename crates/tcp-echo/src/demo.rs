//! `tcp-echo demo`: the whole lesson in one process, narrated.

use std::io;
use std::time::Duration;

use common::demo::{DemoArgs, Steps};
use common::lang::Lang;
use common::logging::demo_line;
use rust_i18n::t;
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

use crate::client::{self, Event};
use crate::server::{Config, GREETING, Server};

/// Runs the server on an ephemeral loopback port and drives it with clients,
/// printing both sides. Logging must already be set up by
/// `common::logging::init_demo("server")` for the server's lines to show.
/// `args` says whether to wait for Enter between steps; `lang` is the
/// narration's language.
pub async fn run(args: &DemoArgs, lang: Lang) -> io::Result<()> {
    let locale = lang.code();
    let mut steps = Steps::new(args, lang);
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let server = Server::new(
        listener,
        Config {
            grace: Duration::from_secs(1),
            lang,
            ..Config::default()
        },
    );
    let addr = server.local_addr()?;
    let mut connections = server.connections();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(server.run(async {
        let _ = stopped.await;
    }));
    println!("{}", t!("demo.listening", locale = locale, addr = addr));

    steps.next(&t!("demo.step1", locale = locale)).await;
    let echoed = client::run(addr, b"world!\r\n", |event| narrate(event, lang)).await?;
    let all = format!("{:?}", text(&echoed));
    demo_line("client", t!("demo.in_all", locale = locale, text = all));
    wait_until_closed(&mut connections).await;

    steps.next(&t!("demo.step2", locale = locale)).await;
    let payload: Vec<u8> = (0..1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    let echoed = client::run(addr, &payload, |event| {
        if let Event::Connected(_) = event {
            demo_line("client", t!("demo.sending", locale = locale));
        }
    })
    .await?;
    let same = echoed.get(GREETING.len()..) == Some(&payload[..]);
    let verdict = t!(
        if same {
            "demo.identical"
        } else {
            "demo.different"
        },
        locale = locale
    );
    let n = echoed.len() - GREETING.len();
    let received = t!("demo.received", locale = locale, n = n, verdict = verdict);
    demo_line("client", received);
    wait_until_closed(&mut connections).await;

    steps.next(&t!("demo.step3", locale = locale)).await;
    let mut first = TcpStream::connect(addr).await?;
    let mut second = TcpStream::connect(addr).await?;
    let mut greeting = [0; GREETING.len()];
    first.read_exact(&mut greeting).await?;
    second.read_exact(&mut greeting).await?;
    let open = *connections
        .wait_for(|n| *n == 2)
        .await
        .map_err(io::Error::other)?;
    demo_line("demo", t!("demo.counts", locale = locale, open = open));
    drop((first, second));
    wait_until_closed(&mut connections).await;

    steps.next(&t!("demo.step4", locale = locale)).await;
    let _ = stop.send(());
    server.await.map_err(io::Error::other)?;
    match TcpStream::connect(addr).await {
        Err(error) => demo_line(
            "client",
            t!(
                "demo.again_fails",
                locale = locale,
                error = common::exit::io_error(&error, lang)
            ),
        ),
        Ok(_) => demo_line("client", t!("demo.again_worked", locale = locale)),
    }
    println!("\n{}", t!("demo.done", locale = locale));
    Ok(())
}

/// Prints a client event as a transcript line.
fn narrate(event: Event<'_>, lang: Lang) {
    let locale = lang.code();
    let line = match event {
        Event::Connected(addr) => t!("demo.connected_to", locale = locale, addr = addr),
        Event::Data(chunk) => {
            let shown = format!("{:?}", text(chunk));
            t!("demo.data", locale = locale, text = shown)
        }
        Event::Disconnected => t!("client.disconnected", locale = locale),
    };
    demo_line("client", line);
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Waits until the server has seen every demo client go, so the server's
/// "client disconnected" line lands in the right step.
async fn wait_until_closed(connections: &mut tokio::sync::watch::Receiver<usize>) {
    let _ = connections.wait_for(|n| *n == 0).await;
}
