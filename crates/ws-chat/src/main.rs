//! `ws-chat`: the chapter 6 WebSocket chat room, its page, and a demo.
//! See the crate docs (`src/lib.rs`) and docs/ch6-websocket.md for the lesson.
//!
//! The server is the default, so the command reads like the seed's
//! `node app.js`: `ws-chat --port 3000 --assets assets/ws-chat`; the one
//! subcommand is `demo`. `--lang zh-CN|en` (or `LANG`) chooses the
//! language of the log lines, errors and the demo; each browser chooses its
//! own on the page.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use chat_cluster::ClusterArgs;
use common::cli::ListenArgs;
use common::demo::DemoArgs;
use common::lang::{Lang, LangArgs};
use common::tls::TlsArgs;
use ws_chat::chat::QueueLimits;
use ws_chat::{Config, Server};

/// A WebSocket chat room and its browser page (chapter 6 of the Node.js
/// networking tutorial).
///
/// With no subcommand it serves the page and the chat on --host:--port;
/// open http://127.0.0.1:3000/ in two browser windows.
#[derive(Debug, Parser)]
#[command(version, about, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(flatten)]
    serve: ServeArgs,
    #[command(flatten)]
    lang: LangArgs,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Args)]
struct ServeArgs {
    #[command(flatten)]
    listen: ListenArgs<3000>,
    /// The directory with the chat page (index.html, chat.js, chat.css,
    /// echo-test.html) [default: assets/ws-chat, or else the repository's
    /// copy, so that the server starts from any directory].
    #[arg(long, value_name = "DIR")]
    assets: Option<PathBuf>,
    /// How many frames may wait for one chat client; a client that lets
    /// more pile up (by not reading) is disconnected.
    #[arg(long, value_name = "FRAMES", default_value_t = Config::default().queue.frames)]
    queue: usize,
    /// Also accept WebSockets opened by pages of this origin (e.g.
    /// http://192.168.1.23:8080); repeat for more. Pages this server served
    /// are always accepted, and clients that send no Origin (command-line
    /// tools) too.
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    allow_origins: Vec<String>,
    /// Serve the page over HTTPS and the chat over wss:// (chapter 5), with
    /// the certificate from --cert/--key, or else from a local certificate
    /// authority kept in --certs (made on first run; trust certs/ca.pem).
    #[arg(long)]
    tls: bool,
    #[command(flatten)]
    certificates: TlsArgs,
    /// Chapter 7: `--redis URL` (and `--room NAME`) shares the room with
    /// other servers on that Redis, tcp-chat's too.
    #[command(flatten)]
    cluster: ClusterArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server and scripted clients in one process on loopback and
    /// print every frame: login, two languages, broadcast, typing, p2p, bad
    /// input, /echo, and Ctrl-C.
    Demo {
        /// The directory with the chat page [default: as for the server].
        #[arg(long, value_name = "DIR")]
        assets: Option<PathBuf>,
        #[command(flatten)]
        demo: DemoArgs,
    },
}

// tokio's multi-threaded runtime, one worker per core: many clients' frames
// are encoded and decoded at once.
#[tokio::main]
async fn main() -> ExitCode {
    // `--help` in the user's language; `lang` for everything we print.
    let cli: Cli = common::lang::parse(ws_chat::help_text);
    let lang = cli.lang.resolve();
    let result = match cli.command {
        None => {
            common::logging::init();
            serve(cli.serve, lang).await
        }
        Some(Command::Demo { assets, demo }) => {
            common::logging::init_demo("server");
            ws_chat::demo::run(&assets_or_default(assets), &demo, lang)
                .await
                .map_err(Into::into)
        }
    };
    common::exit::report_in(lang, "ws-chat", result)
}

async fn serve(args: ServeArgs, lang: Lang) -> Result<(), Box<dyn std::error::Error>> {
    // Certificates first: a bad --cert is one sentence before anything binds.
    let tls = if args.tls {
        Some(ws_chat::server::tls_config(&args.certificates, lang)?)
    } else {
        None
    };
    let with_tls = tls.is_some();
    let listener = common::net::bind_tcp(args.listen.addr()).await?;
    let config = Config {
        assets: assets_or_default(args.assets),
        queue: QueueLimits {
            frames: args.queue.max(1),
            ..Config::default().queue
        },
        allowed_origins: args.allow_origins,
        tls,
        lang,
        ..Config::default()
    };
    let server = Server::new(listener, config)?;
    // Chapter 7: with --redis, join the other servers before saying we are ready.
    let cluster = ws_chat::cluster::Cluster::join(&args.cluster, server.room(), lang)
        .await
        .map_err(|error| error.in_lang(lang))?;
    let server = server.with_cluster(cluster);
    let addr = server.local_addr()?;
    // Catch Ctrl-C from here on, before we say we are ready.
    let ctrl_c = common::shutdown::ctrl_c();
    common::net::announce_listening(addr);
    // This machine's URL, and the students' (or that only this machine can).
    ws_chat::server::tell_where(addr, with_tls, lang);
    server.run(ctrl_c).await;
    Ok(())
}

/// `--assets`, or `assets/ws-chat` under the current directory, or else the
/// copy in the repository this binary was built from.
fn assets_or_default(assets: Option<PathBuf>) -> PathBuf {
    assets.unwrap_or_else(|| {
        let here = PathBuf::from("assets/ws-chat");
        if here.is_dir() {
            here
        } else {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/ws-chat"))
        }
    })
}
