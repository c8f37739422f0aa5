//! `udp-multicast`: the chapter 3 multicast sender and receiver, a demo and a lab.
//! See the crate docs (`src/lib.rs`) and docs/ch3-udp.md for the lesson.

use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use common::demo::DemoArgs;
use common::lang::{Lang, LangArgs};
use rust_i18n::t;
use udp_multicast::group::SEED_GROUP;
use udp_multicast::receiver::Listening;
use udp_multicast::sender::Plan;
use udp_multicast::{Group, receiver, sender};

// The same texts as the library's (`locales/app.yml`), for `t!` in `main`.
rust_i18n::i18n!("locales", fallback = "en");

/// UDP multicast: a sender, and receivers that join a group (chapter 3 of
/// the Node.js networking tutorial).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    lang: LangArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Send "hello #1", "hello #2", … to the group every --interval.
    ///
    /// By default out of the loopback interface: members on this machine
    /// hear it, nothing leaves it. In a classroom, use --interface with this
    /// machine's LAN address (and the receivers too).
    Sender {
        /// The multicast group (224.0.0.0 to 239.255.255.255).
        #[arg(long, default_value_t = SEED_GROUP, value_parser = parse_group)]
        group: Group,
        /// The receivers' port.
        #[arg(long, default_value_t = 8000)]
        port: u16,
        /// The IPv4 address of the interface to send out of.
        #[arg(long, default_value_t = Ipv4Addr::LOCALHOST)]
        interface: Ipv4Addr,
        /// How many routers a datagram may cross (setMulticastTTL); 1 = this network.
        #[arg(long, default_value_t = 1)]
        ttl: u32,
        /// The pause between two datagrams (e.g. 2s, 500ms).
        #[arg(long, default_value = "2s", value_parser = humantime::parse_duration)]
        interval: Duration,
        /// Stop after this many datagrams (default: until Ctrl-C).
        #[arg(long, value_name = "N")]
        count: Option<u64>,
    },
    /// Join the group and print every datagram that arrives; count what is missing.
    ///
    /// Several receivers can share one port: start two, in two terminals.
    /// A summary is printed on Ctrl-C, after --count datagrams, or after
    /// --leave-after N datagrams and --linger more of listening.
    Receiver {
        /// The multicast group to join (224.0.0.0 to 239.255.255.255).
        #[arg(long, default_value_t = SEED_GROUP, value_parser = parse_group)]
        group: Group,
        /// The port to listen on; 0 lets the OS pick a free one (printed at start).
        #[arg(long, default_value_t = 8000)]
        port: u16,
        /// The IPv4 address of the interface to join the group on.
        #[arg(long, default_value_t = Ipv4Addr::LOCALHOST)]
        interface: Ipv4Addr,
        /// Stop after this many datagrams (default: until Ctrl-C).
        #[arg(long, value_name = "N", conflicts_with = "leave_after")]
        count: Option<u64>,
        /// Leave the group (dropMembership) after this many datagrams, then
        /// report whether anything more arrived.
        #[arg(long, value_name = "N")]
        leave_after: Option<u64>,
        /// With --leave-after: how long to keep listening after leaving.
        #[arg(long, default_value = "3s", value_parser = humantime::parse_duration)]
        linger: Duration,
    },
    /// Two members and a sender in one process on loopback, narrated.
    Demo {
        #[command(flatten)]
        demo: DemoArgs,
    },
    /// Two members on one port: each multicast reaches both, and after one
    /// leaves, only the other (part of `just ch3-lab`).
    Lab {
        /// How many datagrams to send before and after leaving.
        #[arg(long, default_value_t = 3)]
        count: u64,
    },
}

/// `--group`: a multicast group, or why not, in the language of the
/// command line (a parser has only the text: `--lang` is read again).
fn parse_group(text: &str) -> std::result::Result<Group, String> {
    Group::parse(text, Lang::from_args_or_system(std::env::args_os()))
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli: Cli = common::lang::parse(udp_multicast::help_text);
    let lang = cli.lang.resolve();
    let result = match cli.command {
        Command::Sender {
            group,
            port,
            interface,
            ttl,
            interval,
            count,
        } => send((group, port), interface, ttl, interval, count, lang).await,
        Command::Receiver {
            group,
            port,
            interface,
            count,
            leave_after,
            linger,
        } => {
            let listening = Listening {
                count,
                leave_after,
                linger,
            };
            receive((group, port), interface, &listening, lang).await
        }
        Command::Demo { demo } => udp_multicast::demo::run(&demo, lang)
            .await
            .map_err(Into::into),
        Command::Lab { count } => lab(count, lang).await,
    };
    common::exit::report_in(lang, "udp-multicast", result)
}

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

async fn send(
    to: (Group, u16),
    interface: Ipv4Addr,
    ttl: u32,
    interval: Duration,
    count: Option<u64>,
    lang: Lang,
) -> Result {
    let locale = lang.code();
    let socket = sender::open(interface, ttl, lang).await?;
    let addr = socket.local_addr()?;
    println!("{}", t!("sender.running", locale = locale, addr = addr));
    let plan = Plan {
        message: "hello".into(),
        interval,
        count,
    };
    let (group, port) = to;
    let target = format!("{group}:{port}");
    let stop = common::shutdown::ctrl_c();
    let sent = sender::run(&socket, to, &plan, stop, lang, |text| {
        println!(
            "{}",
            t!("sender.sent", locale = locale, text = text, to = target)
        );
    })
    .await?;
    println!("{}", t!("sender.total", locale = locale, n = sent));
    Ok(())
}

async fn receive(
    (group, port): (Group, u16),
    interface: Ipv4Addr,
    listening: &Listening,
    lang: Lang,
) -> Result {
    let socket = receiver::join(group, port, interface, lang)?;
    let addr = socket.local_addr()?;
    // Catch Ctrl-C from here on, before we say we are ready.
    let ctrl_c = common::shutdown::ctrl_c();
    // The one ready line on stdout; then, on stderr, how students reach us:
    // through the interface we joined on (loopback: only this machine).
    common::net::announce_listening(addr);
    let (locale, iface) = (lang.code(), interface);
    if interface.is_loopback() {
        eprintln!("{}", t!("receiver.local_only", locale = locale));
    } else {
        let joined_on = SocketAddr::from((interface, addr.port()));
        common::net::tell_students_udp(joined_on, lang, |_| {
            receiver::how_students_send(group, addr.port(), lang)
        });
    }
    println!(
        "{}",
        t!(
            "receiver.joined",
            locale = locale,
            group = group,
            interface = iface
        )
    );
    let print = |line: String| println!("{line}");
    let heard = receiver::run(&socket, (group, interface), listening, ctrl_c, lang, print).await?;
    for line in heard.summary() {
        println!("{line}");
    }
    Ok(())
}

async fn lab(count: u64, lang: Lang) -> Result {
    let report = udp_multicast::lab::run(count).await?;
    if report.print(lang) {
        Ok(())
    } else {
        Err(t!("lab.failed", locale = lang.code()).into())
    }
}
