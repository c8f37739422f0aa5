//! `udp-broadcast`: the chapter 3 broadcast sender and receiver, a demo and a lab.
//! See the crate docs (`src/lib.rs`) and docs/ch3-udp.md for the lesson.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, SocketAddrV4};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use common::demo::DemoArgs;
use common::lang::{Lang, LangArgs};
use rust_i18n::t;
use udp_broadcast::receiver::Stopped;
use udp_broadcast::sender::{LOOPBACK_BROADCAST, Plan};
use udp_broadcast::{receiver, sender};

// The same texts as the library's (`locales/app.yml`), for `t!` in `main`.
rust_i18n::i18n!("locales", fallback = "en");

/// UDP broadcast: one sender, every receiver on the port (chapter 3 of the
/// Node.js networking tutorial).
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
    /// Broadcast "hello #1", "hello #2", … every --interval.
    ///
    /// The default target, 127.255.255.255, is the loopback network's
    /// broadcast address: receivers on this machine hear it, nothing else
    /// does. In a classroom, use --to 255.255.255.255 (this LAN segment) or
    /// the LAN's own broadcast address, such as 192.168.10.255.
    Sender {
        /// The broadcast address to send to.
        #[arg(long, default_value_t = LOOPBACK_BROADCAST)]
        to: Ipv4Addr,
        /// The receivers' port.
        #[arg(long, default_value_t = 8000)]
        port: u16,
        /// The pause between two datagrams (e.g. 2s, 500ms).
        #[arg(long, default_value = "2s", value_parser = humantime::parse_duration)]
        interval: Duration,
        /// Stop after this many datagrams (default: until Ctrl-C).
        #[arg(long, value_name = "N")]
        count: Option<u64>,
    },
    /// Print every datagram that arrives; count what is missing.
    ///
    /// Several receivers can share one port: start two, in two terminals.
    /// A summary is printed on Ctrl-C or after --count datagrams.
    Receiver {
        /// The address to listen on. 127.255.255.255 hears broadcasts sent on
        /// this machine; 0.0.0.0 also hears a classroom LAN's.
        #[arg(long, default_value_t = IpAddr::V4(LOOPBACK_BROADCAST))]
        host: IpAddr,
        /// Port to listen on; 0 lets the OS pick a free one (printed at start).
        #[arg(long, default_value_t = 8000)]
        port: u16,
        /// Stop after this many datagrams (default: until Ctrl-C).
        #[arg(long, value_name = "N")]
        count: Option<u64>,
    },
    /// Two receivers and a sender in one process on loopback, narrated.
    Demo {
        #[command(flatten)]
        demo: DemoArgs,
    },
    /// Two sockets share one port: show that each broadcast reaches both
    /// (part of `just ch3-lab`).
    Lab {
        /// How many datagrams to send.
        #[arg(long, default_value_t = 6)]
        count: u64,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli: Cli = common::lang::parse(udp_broadcast::help_text);
    let lang = cli.lang.resolve();
    let result = match cli.command {
        Command::Sender {
            to,
            port,
            interval,
            count,
        } => send(SocketAddrV4::new(to, port), interval, count, lang).await,
        Command::Receiver { host, port, count } => {
            receive(SocketAddr::new(host, port), count, lang).await
        }
        Command::Demo { demo } => udp_broadcast::demo::run(&demo, lang)
            .await
            .map_err(Into::into),
        Command::Lab { count } => lab(count, lang).await,
    };
    common::exit::report_in(lang, "udp-broadcast", result)
}

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

async fn send(to: SocketAddrV4, interval: Duration, count: Option<u64>, lang: Lang) -> Result {
    let locale = lang.code();
    let socket = sender::open(to).await?;
    let addr = socket.local_addr()?;
    println!("{}", t!("sender.running", locale = locale, addr = addr));
    let plan = Plan {
        message: "hello".into(),
        interval,
        count,
    };
    let stop = common::shutdown::ctrl_c();
    let sent = sender::run(&socket, to, &plan, stop, lang, |text| {
        println!(
            "{}",
            t!("sender.sent", locale = locale, text = text, to = to)
        );
    })
    .await?;
    println!("{}", t!("sender.total", locale = locale, n = sent));
    Ok(())
}

async fn receive(addr: SocketAddr, count: Option<u64>, lang: Lang) -> Result {
    let socket = receiver::bind(addr)?;
    let addr = socket.local_addr()?;
    // Catch Ctrl-C from here on, before we say we are ready.
    let ctrl_c = common::shutdown::ctrl_c();
    // The one ready line on stdout, then, on stderr, how students reach us.
    common::net::announce_listening(addr);
    common::net::tell_students_udp(addr, lang, |to| receiver::how_students_send(to, lang));
    let print = |line| println!("{line}");
    let (heard, stopped) = receiver::run(&socket, count, ctrl_c, lang, print).await?;
    if stopped == Stopped::Asked {
        println!("{}", t!("receiver.stopped", locale = lang.code()));
    }
    for line in heard.summary() {
        println!("{line}");
    }
    Ok(())
}

async fn lab(count: u64, lang: Lang) -> Result {
    let report = udp_broadcast::lab::run(count).await?;
    if report.print(lang) {
        Ok(())
    } else {
        Err(t!("lab.failed", locale = lang.code()).into())
    }
}
