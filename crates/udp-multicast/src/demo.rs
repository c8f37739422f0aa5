//! `udp-multicast demo`: the whole lesson in one process, narrated in the
//! terminal's language; `--step` waits for Enter before each step.

use std::io;
use std::net::Ipv4Addr;
use std::time::Duration;

use common::datagram::numbered;
use common::demo::{DemoArgs, Steps};
use common::lang::Lang;
use common::logging::demo_line;
use rust_i18n::t;
use tokio::net::UdpSocket;

use crate::group::SEED_GROUP;
use crate::receiver::Heard;
use crate::sender::Plan;
use crate::{Group, receiver, sender};

/// How long a receiver listens at most for datagrams that take 0.4 s. It
/// starts within a step, after any wait for Enter.
const PATIENCE: Duration = Duration::from_secs(3);

/// How long A listens after leaving, to show that nothing more arrives.
const LINGER: Duration = Duration::from_millis(600);

/// Two members, a sender, a member that leaves.
pub async fn run(args: &DemoArgs, lang: Lang) -> io::Result<()> {
    let locale = lang.code();
    let mut steps = Steps::new(args, lang);
    let interface = Ipv4Addr::LOCALHOST;
    let group = SEED_GROUP;
    let intro = t!(
        "demo.intro",
        locale = locale,
        group = group,
        interface = interface
    );
    println!("{intro}");

    steps.next(&t!("demo.step1", locale = locale)).await;
    for text in ["224.0.1.100", "239.1.2.3", "10.0.0.1", "255.255.255.255"] {
        match Group::parse(text, lang) {
            Ok(group) => demo_line("demo", t!("group.is_group", locale = locale, group = group)),
            Err(error) => demo_line("demo", error),
        }
    }

    steps.next(&t!("demo.step2", locale = locale)).await;
    let a = receiver::join(group, 0, interface, lang)?;
    let port = a.local_addr()?.port();
    let b = receiver::join(group, port, interface, lang)?;
    let joined = t!(
        "receiver.joined",
        locale = locale,
        group = group,
        interface = interface
    );
    for (name, socket) in [("A", &a), ("B", &b)] {
        demo_line(name, format!("listening on {}", socket.local_addr()?));
        demo_line(name, &joined);
    }

    steps.next(&t!("demo.step3", locale = locale)).await;
    let socket = sender::open(interface, 1, lang).await?;
    let addr = socket.local_addr()?;
    demo_line("sender", t!("sender.running", locale = locale, addr = addr));
    let (mut heard_a, mut heard_b) = (Heard::new(lang), Heard::new(lang));
    let numbers = 3;
    let send = send(&socket, (group, port), numbers, lang);
    let (_, (), ()) = tokio::try_join!(
        send,
        listen("A", &a, &mut heard_a, numbers),
        listen("B", &b, &mut heard_b, numbers),
    )?;

    steps.next(&t!("demo.step4", locale = locale)).await;
    receiver::leave(&a, group, interface)?;
    demo_line("A", t!("demo.left", locale = locale, group = group));
    let target = format!("{group}:{port}");
    let send_more = async {
        for n in 4..=5 {
            let text = numbered("hello", n);
            socket
                .send_to(text.as_bytes(), (group.addr(), port))
                .await?;
            demo_line(
                "sender",
                t!("sender.sent", locale = locale, text = text, to = target),
            );
        }
        Ok::<_, io::Error>(())
    };
    let never = std::pin::pin!(std::future::pending());
    let listen_a =
        receiver::after_leaving(&a, &mut heard_a, LINGER, never, |line| demo_line("A", line));
    let ((), after, ()) = tokio::try_join!(send_more, listen_a, listen("B", &b, &mut heard_b, 2))?;
    let linger = humantime::format_duration(LINGER);
    demo_line(
        "A",
        match after {
            0 => t!("demo.after_nothing", locale = locale, linger = linger),
            n => t!("demo.after_some", locale = locale, n = n),
        },
    );

    steps.next(&t!("demo.step5", locale = locale)).await;
    for (name, heard) in [("A", heard_a), ("B", heard_b)] {
        for line in heard.summary() {
            demo_line(name, line);
        }
    }
    println!("\n{}", t!("demo.done", locale = locale));
    Ok(())
}

/// Sends `count` numbered datagrams, 200 ms apart, narrated.
async fn send(socket: &UdpSocket, to: (Group, u16), count: u64, lang: Lang) -> io::Result<u64> {
    let locale = lang.code();
    let plan = Plan {
        message: "hello".into(),
        interval: Duration::from_millis(200),
        count: Some(count),
    };
    let target = format!("{}:{}", to.0, to.1);
    let never = std::future::pending();
    sender::run(socket, to, &plan, never, lang, |text| {
        demo_line(
            "sender",
            t!("sender.sent", locale = locale, text = text, to = target),
        );
    })
    .await
}

/// Receives `count` datagrams (or gives up after [`PATIENCE`]), narrated.
async fn listen(
    name: &'static str,
    socket: &UdpSocket,
    heard: &mut Heard,
    count: u64,
) -> io::Result<()> {
    let patience = std::pin::pin!(tokio::time::sleep(PATIENCE));
    receiver::receive(socket, heard, Some(count), patience, |line| {
        demo_line(name, line)
    })
    .await
    .map(drop)
}
