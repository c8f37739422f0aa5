//! `tcp-echo`: the chapter 2 echo server, its client, and a demo of both.
//! See the crate docs (`src/lib.rs`) and docs/ch2-tcp.md for the lesson.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use common::cli::ListenArgs;
use common::demo::DemoArgs;
use common::lang::{Lang, LangArgs};
use rust_i18n::t;
use tcp_echo::client::{self, Event};
use tcp_echo::{Config, Server};

// The binary's own lines (the client's) come from the same locales/app.yml.
rust_i18n::i18n!("locales", fallback = "en");

/// A TCP echo server and client (chapter 2 of the Node.js networking tutorial).
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
    /// Greet each client with "hello\r\n", then send back every byte it sends.
    ///
    /// Try it from a second terminal with `nc 127.0.0.1 8124` or
    /// `tcp-echo client`.
    Server {
        #[command(flatten)]
        listen: ListenArgs<8124>,
        /// Close new connections at once while this many are open
        /// (Node's server.maxConnections).
        #[arg(long, value_name = "N")]
        max_connections: Option<usize>,
        /// Close a connection that has been silent this many seconds
        /// (Node's socket.setTimeout).
        #[arg(long, value_name = "SECS")]
        idle_timeout: Option<u64>,
    },
    /// Connect, send MESSAGE, print what comes back, then disconnect.
    Client {
        /// Server address.
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        /// Server port.
        #[arg(long, default_value_t = 8124)]
        port: u16,
        /// What to send; "\r\n" is added, as in the seed's `world!\r\n`.
        #[arg(default_value = "world!")]
        message: String,
    },
    /// Run server and clients in one process on loopback and narrate both sides.
    Demo {
        #[command(flatten)]
        demo: DemoArgs,
    },
}

// One thread, like Node's event loop. An echo server spends its time
// waiting on the network, not computing, and one thread can wait on
// thousands of sockets at once: that is what async is for. Measured against
// tokio's default (a worker per core), one thread echoes ~15% more messages
// with a third of the p99 latency on the course's 2-core machine, where the
// load generator needs the other core (docs/benchmarks.md).
#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    // `--help` in the user's language; `lang` for all we print and log.
    let cli: Cli = common::lang::parse(tcp_echo::help_text);
    let lang = cli.lang.resolve();
    let result = match cli.command {
        Command::Server {
            listen,
            max_connections,
            idle_timeout,
        } => {
            common::logging::init();
            let config = Config {
                max_connections,
                idle_timeout: idle_timeout.map(Duration::from_secs),
                lang,
                ..Config::default()
            };
            serve(listen, config).await
        }
        Command::Client {
            host,
            port,
            message,
        } => connect(&host, port, &message, lang).await,
        Command::Demo { demo } => {
            common::logging::init_demo("server");
            tcp_echo::demo::run(&demo, lang).await.map_err(Into::into)
        }
    };
    common::exit::report_in(lang, "tcp-echo", result)
}

async fn serve(listen: ListenArgs<8124>, config: Config) -> Result<(), Box<dyn std::error::Error>> {
    let lang = config.lang;
    let listener = common::net::bind_tcp(listen.addr()).await?;
    let server = Server::new(listener, config);
    // Catch Ctrl-C from here on, before we say we are ready.
    let ctrl_c = common::shutdown::ctrl_c();
    let addr = server.local_addr()?;
    common::net::announce_listening(addr);
    // For a classroom (--host 0.0.0.0): how students reach us.
    common::net::tell_students(addr, lang, |at| format!("nc {} {}", at.ip(), at.port()));
    server.run(ctrl_c).await;
    Ok(())
}

async fn connect(
    host: &str,
    port: u16,
    message: &str,
    lang: Lang,
) -> Result<(), Box<dyn std::error::Error>> {
    let locale = lang.code();
    let addr = common::net::resolve_in(host, port, lang).await?;
    let message = format!("{message}\r\n");
    let result = client::run(addr, message.as_bytes(), |event| match event {
        Event::Connected(_) => println!("{}", t!("client.connected", locale = locale)),
        Event::Data(chunk) => {
            // Like Node's `data.toString()`: the bytes as they came.
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(chunk);
            let _ = out.flush();
        }
        Event::Disconnected => println!("{}", t!("client.disconnected", locale = locale)),
    })
    .await;
    result.map(drop).map_err(|error| {
        t!(
            "client.cannot",
            locale = locale,
            addr = addr,
            error = common::exit::io_error(&error, lang)
        )
        .into_owned()
        .into()
    })
}
