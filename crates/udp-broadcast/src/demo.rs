//! `udp-broadcast demo`: the whole lesson in one process, narrated in the
//! terminal's language; `--step` waits for Enter before each step.

use std::io;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::time::Duration;

use common::demo::{DemoArgs, Steps};
use common::lang::Lang;
use common::logging::demo_line;
use rust_i18n::t;
use tokio::net::UdpSocket;

use crate::receiver;
use crate::sender::{self, LOOPBACK_BROADCAST, Plan};

/// How long the receivers listen at most: the three datagrams take 0.4 s.
/// It starts inside step 2, after any wait for Enter.
const PATIENCE: Duration = Duration::from_secs(3);

/// Two receivers on one port, a sender without and then with SO_BROADCAST.
pub async fn run(args: &DemoArgs, lang: Lang) -> io::Result<()> {
    let locale = lang.code();
    let mut steps = Steps::new(args, lang);
    let first =
        receiver::bind(SocketAddr::from((LOOPBACK_BROADCAST, 0))).map_err(io::Error::other)?;
    let port = first.local_addr()?.port();
    let second =
        receiver::bind(SocketAddr::from((LOOPBACK_BROADCAST, port))).map_err(io::Error::other)?;
    let to = SocketAddrV4::new(LOOPBACK_BROADCAST, port);
    println!("{}", t!("demo.intro", locale = locale, to = to));
    // What each receiver prints first, as `udp-broadcast receiver` does.
    demo_line("A", format!("listening on {}", first.local_addr()?));
    demo_line("B", format!("listening on {}", second.local_addr()?));

    steps.next(&t!("demo.step1", locale = locale)).await;
    let plain = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).await?;
    match plain.send_to(b"hello", to).await {
        Ok(_) => demo_line("sender", t!("demo.unexpected", locale = locale)),
        Err(error) => demo_line("sender", sender::explain(error, to, lang)),
    }

    steps.next(&t!("demo.step2", locale = locale)).await;
    let socket = sender::open(to).await.map_err(io::Error::other)?;
    let addr = socket.local_addr()?;
    demo_line("sender", t!("sender.running", locale = locale, addr = addr));
    let plan = Plan {
        message: "hello".into(),
        interval: Duration::from_millis(200),
        count: Some(3),
    };
    let never = std::future::pending();
    let send = sender::run(&socket, to, &plan, never, lang, |text| {
        demo_line(
            "sender",
            t!("sender.sent", locale = locale, text = text, to = to),
        );
    });
    let listen = |name: &'static str, socket: UdpSocket| async move {
        // Bounded: a lost datagram must not hang the demo.
        let stop = tokio::time::sleep(PATIENCE);
        let print = |line| demo_line(name, line);
        let (heard, _) = receiver::run(&socket, Some(3), stop, lang, print).await?;
        Ok::<_, io::Error>(heard)
    };
    let (_, a, b) = tokio::try_join!(send, listen("A", first), listen("B", second))?;

    steps.next(&t!("demo.step3", locale = locale)).await;
    for (name, heard) in [("A", a), ("B", b)] {
        for line in heard.summary() {
            demo_line(name, line);
        }
    }
    println!("\n{}", t!("demo.done", locale = locale));
    Ok(())
}
