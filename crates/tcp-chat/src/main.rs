//! `tcp-chat`: the chapter 2 chat room server, its interactive client, and a
//! demo of both. See the crate docs (`src/lib.rs`) and docs/ch2-tcp.md.

use std::error::Error;
use std::process::ExitCode;
use std::time::Duration;

use chat_cluster::ClusterArgs;
use clap::{Parser, Subcommand};
use common::cli::ListenArgs;
use common::demo::DemoArgs;
use common::lang::{Lang, LangArgs};
use rust_i18n::t;
use tcp_chat::{Config, Server};
use tokio::sync::mpsc;

// The binary's own lines (the client's hint) come from the same texts.
rust_i18n::i18n!("locales", fallback = "en");

/// A TCP chat room and its client (chapter 2 of the Node.js networking tutorial).
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
    /// Run the chat room. Clients send one JSON object per line (login,
    /// broadcast, p2p, users); see docs/ch2-tcp.md for the protocol.
    ///
    /// Try it from other terminals with `tcp-chat client` or
    /// `nc 127.0.0.1 8125`.
    Server {
        #[command(flatten)]
        listen: ListenArgs<8125>,
        /// Turn away new clients while this many are connected
        /// (Node's server.maxConnections).
        #[arg(long, value_name = "N")]
        max_connections: Option<usize>,
        /// Disconnect a client that has sent nothing for this many seconds
        /// (Node's socket.setTimeout).
        #[arg(long, value_name = "SECS")]
        idle_timeout: Option<u64>,
        /// Chapter 7: `--redis URL` (and `--room NAME`) shares the room
        /// with other servers on that Redis.
        #[command(flatten)]
        cluster: ClusterArgs,
    },
    /// Join a chat room: type a line to send it to everyone, `@name text` to
    /// send it to one person, `/users` to see who is online, `/quit` to leave.
    Client {
        /// Server address.
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        /// Server port.
        #[arg(long, default_value_t = 8125)]
        port: u16,
        /// Your nickname; asked for if not given.
        #[arg(value_name = "NAME", conflicts_with = "nickname")]
        name: Option<String>,
        /// Your nickname (the same as NAME).
        #[arg(long)]
        nickname: Option<String>,
    },
    /// Run the server and three scripted clients in one process on loopback,
    /// printing every line they exchange.
    Demo {
        #[command(flatten)]
        demo: DemoArgs,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    // `--help` in the user's language; `lang` for all we print and log.
    let cli: Cli = common::lang::parse(tcp_chat::help_text);
    let lang = cli.lang.resolve();
    let result = match cli.command {
        Command::Server {
            listen,
            max_connections,
            idle_timeout,
            cluster,
        } => {
            common::logging::init();
            let config = Config {
                max_connections,
                idle_timeout: idle_timeout.map(Duration::from_secs),
                lang,
                ..Config::default()
            };
            serve(listen, config, cluster).await
        }
        Command::Client {
            host,
            port,
            name,
            nickname,
        } => join(&host, port, name.or(nickname), lang).await,
        Command::Demo { demo } => {
            common::logging::init_demo("server");
            tcp_chat::demo::run(&demo, lang).await.map_err(Into::into)
        }
    };
    common::exit::report_in(lang, "tcp-chat", result)
}

async fn serve(
    listen: ListenArgs<8125>,
    config: Config,
    cluster: ClusterArgs,
) -> Result<(), Box<dyn Error>> {
    let lang = config.lang;
    let listener = common::net::bind_tcp(listen.addr()).await?;
    let server = Server::new(listener, config);
    // Chapter 7: with --redis, join the other servers before saying we are ready.
    let cluster = tcp_chat::cluster::Cluster::join(&cluster, server.room(), lang)
        .await
        .map_err(|error| error.in_lang(lang))?;
    let server = server.with_cluster(cluster);
    // Catch Ctrl-C from here on, before we say we are ready.
    let ctrl_c = common::shutdown::ctrl_c();
    let addr = server.local_addr()?;
    common::net::announce_listening(addr);
    // For a classroom (--host 0.0.0.0): how students join.
    common::net::tell_students(addr, lang, |at| {
        let (ip, port) = (at.ip(), at.port());
        format!("just ch2-chat-client NAME --host {ip} --port {port}   (nc {ip} {port})")
    });
    server.run(ctrl_c).await;
    Ok(())
}

async fn join(
    host: &str,
    port: u16,
    nickname: Option<String>,
    lang: Lang,
) -> Result<(), Box<dyn Error>> {
    let addr = common::net::resolve(host, port).await?;
    // Reading the terminal blocks, so a plain thread does it and hands each
    // line over a channel; the chat loop then waits for typed lines and
    // server messages alike.
    let (lines, typed) = mpsc::channel(16);
    std::thread::spawn(move || {
        for line in std::io::stdin().lines() {
            let Ok(line) = line else { break };
            if lines.blocking_send(line).is_err() {
                break;
            }
        }
    });
    tcp_chat::client::chat(addr, nickname, typed, lang, |line| println!("{line}"))
        .await
        .map_err(|error| {
            // A hint that fits what went wrong: nothing listening there, or
            // something that does not speak the chat's JSON.
            let locale = lang.code();
            let hint = match error.kind() {
                std::io::ErrorKind::ConnectionRefused => t!("client.hint.start", locale = locale),
                std::io::ErrorKind::InvalidData => t!("client.hint.port", locale = locale),
                _ => "".into(),
            };
            t!(
                "client.cannot",
                locale = locale,
                addr = addr,
                error = error,
                hint = hint
            )
            .into_owned()
            .into()
        })
}
