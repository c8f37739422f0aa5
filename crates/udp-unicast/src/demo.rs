//! `udp-unicast demo`: the whole lesson in one process, narrated in the
//! terminal's language; `--step` waits for Enter before each step.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use common::datagram::{MAX_DATAGRAM, printable_in};
use common::demo::{DemoArgs, Steps};
use common::lang::Lang;
use common::logging::demo_line;
use rust_i18n::t;
use tokio::net::UdpSocket;
use tokio::sync::oneshot;

use crate::client::{self, Event};
use crate::server::Server;

const LOOPBACK: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 0);

/// Runs the server on an ephemeral loopback port and drives it with
/// clients, printing both sides. Every timeout is around one exchange, so
/// none fires while `--step` waits for Enter.
pub async fn run(args: &DemoArgs, lang: Lang) -> io::Result<()> {
    let locale = lang.code();
    let mut steps = Steps::new(args, lang);
    let server = Server::new(UdpSocket::bind(LOOPBACK).await?, lang);
    let addr = server.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(server.run(
        async {
            let _ = stopped.await;
        },
        |line| demo_line("server", line),
    ));
    println!("{}", t!("demo.intro", locale = locale, addr = addr));

    steps.next(&t!("demo.step1", locale = locale)).await;
    let socket = UdpSocket::bind(LOOPBACK).await?;
    ask(&socket, addr, b"hello", Duration::from_secs(2), lang).await;

    steps.next(&t!("demo.step2", locale = locale)).await;
    let socket = UdpSocket::bind(LOOPBACK).await?;
    socket.connect(addr).await?;
    for word in ["one", "two", "three"] {
        let word_shown = format!("{word:?}");
        demo_line(
            "client",
            t!("demo.send", locale = locale, word = word_shown),
        );
        socket.send(word.as_bytes()).await?;
    }
    let mut reply = [0; 16];
    for _ in 0..3 {
        let Ok(received) =
            tokio::time::timeout(Duration::from_secs(2), socket.recv(&mut reply)).await
        else {
            demo_line("client", t!("demo.lost", locale = locale));
            break;
        };
        let got = printable_in(&reply[..received?], lang);
        demo_line(
            "client",
            t!("client.got", locale = locale, msg = got, from = addr),
        );
    }

    steps.next(&t!("demo.step3", locale = locale)).await;
    let silent = UdpSocket::bind(LOOPBACK).await?;
    let socket = UdpSocket::bind(LOOPBACK).await?;
    let quiet = silent.local_addr()?;
    ask(&socket, quiet, b"hello?", Duration::from_millis(300), lang).await;

    steps.next(&t!("demo.step4", locale = locale)).await;
    let closed = silent.local_addr()?;
    drop(silent);
    let socket = UdpSocket::bind(LOOPBACK).await?;
    ask(&socket, closed, b"hello?", Duration::from_secs(2), lang).await;

    steps.next(&t!("demo.step5", locale = locale)).await;
    let socket = UdpSocket::bind(LOOPBACK).await?;
    let too_big = vec![b'x'; MAX_DATAGRAM + 1];
    ask(&socket, addr, &too_big, Duration::from_secs(2), lang).await;
    let socket = UdpSocket::bind(LOOPBACK).await?;
    let largest = vec![b'x'; MAX_DATAGRAM];
    ask(&socket, addr, &largest, Duration::from_secs(2), lang).await;

    steps.next(&t!("demo.step6", locale = locale)).await;
    let _ = stop.send(());
    let answered = server.await.map_err(io::Error::other)??;
    demo_line("demo", t!("demo.answered", locale = locale, n = answered));
    let again = UdpSocket::bind(addr).await;
    demo_line(
        "demo",
        match again {
            Ok(_) => t!("demo.rebind_ok", locale = locale, addr = addr),
            Err(error) => t!(
                "demo.rebind_failed",
                locale = locale,
                addr = addr,
                error = common::exit::io_error(&error, lang)
            ),
        },
    );
    println!("\n{}", t!("demo.done", locale = locale));
    Ok(())
}

/// Runs the client once and narrates what happened.
async fn ask(
    socket: &UdpSocket,
    server: SocketAddr,
    message: &[u8],
    timeout: Duration,
    lang: Lang,
) {
    let locale = lang.code();
    if message.len() > 100 {
        let len = message.len();
        demo_line("client", t!("demo.sending", locale = locale, len = len));
    }
    let result = client::run(socket, server, message, timeout, |event| match event {
        Event::Running(addr) => {
            demo_line("client", t!("client.running", locale = locale, addr = addr));
        }
        Event::Got(reply, from) => {
            let msg = printable_in(reply, lang);
            demo_line(
                "client",
                t!("client.got", locale = locale, msg = msg, from = from),
            );
        }
    })
    .await;
    if let Err(error) = result {
        let error = error.message(lang);
        demo_line("client", t!("demo.error", locale = locale, error = error));
    }
}
