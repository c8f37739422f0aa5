//! `chat-cluster demo`: chapter 7's chat room on three servers at once,
//! through a real Redis, narrated step by step (see `src/demo.rs` and
//! docs/ch7-cluster.md).
//!
//! ```text
//! just ch7-demo                # builds tcp-chat, ws-chat and this, then runs the demo
//! just ch7-demo --step         # waits for Enter between steps
//! just ch7-demo --lang zh-CN   # in Chinese (or LANG=zh_CN.UTF-8)
//! ```
//!
//! It starts its own `redis-server` (on a Unix socket in a temporary
//! directory; `apt-get install redis-server` if it is missing), two
//! `tcp-chat server --redis …` and one `ws-chat --redis …` as processes,
//! found next to this program (`cargo build --bin tcp-chat --bin ws-chat`),
//! and stops them all at the end. What each user sends and receives is on
//! stdout; the servers' own log lines on stderr, marked `node A`, ….
//!
//! To run the cluster yourself and join it from terminals and a browser:
//! `just ch7-cluster`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use common::demo::DemoArgs;
use common::lang::LangArgs;

/// Chapter 7: one chat room across several server processes, through Redis.
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
    /// Start a Redis, two tcp-chat servers and one ws-chat server as
    /// processes on loopback, and narrate alice, bob and carol chatting
    /// across them; then kill one server and watch its user leave.
    Demo {
        #[command(flatten)]
        demo: DemoArgs,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    // `--help` in the user's language; `lang` for everything we print.
    let cli: Cli = common::lang::parse(chat_cluster::help_text);
    let lang = cli.lang.resolve();
    let result = match cli.command {
        Command::Demo { demo } => chat_cluster::demo::run(&demo, lang).await,
    };
    common::exit::report_in(lang, "chat-cluster", result)
}
