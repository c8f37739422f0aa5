//! `loadgen`: bounded, loopback-only load for the lessons' servers.
//!
//! ```text
//! loadgen echo --addr 127.0.0.1:8124 --conns 50 --size 1024 --secs 5
//! loadgen echo --addr 127.0.0.1:8124 --conns 1 --size 65536 --secs 5 --bulk
//! loadgen chat --addr 127.0.0.1:8125 --clients 50 --msgs 200 [--rate 1000]
//! loadgen chat-idle --addr 127.0.0.1:8125 --clients 5000 --server-pid PID
//! loadgen udp --addr 127.0.0.1:3000 --secs 5 [--window 16] [--sockets 4]
//! loadgen ws --url ws://127.0.0.1:3000/ws --clients 50 --msgs 200 [--rate 1000]
//! ```
//! `just bench-echo` and `just bench-chat` build everything in release mode
//! and run them.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Measures a lesson's server from this machine (loopback targets only;
/// every run is bounded in time).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// Worker threads. One leaves the other core to the server on a 2-core box.
    #[arg(long, default_value_t = 1, global = true)]
    threads: usize,
    /// Print one JSON object instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Ping-pong or bulk load on an echo server (`tcp-echo server`).
    Echo(loadgen::echo::Args),
    /// N chat clients log in, each sends M broadcasts; deliveries/s and
    /// delivery latency (`tcp-chat server`, or the Node peer).
    Chat(loadgen::chat::Args),
    /// N chat clients log in and stay silent; then the server's memory
    /// (raises this process's open-file limit itself).
    ChatIdle(loadgen::chat::IdleArgs),
    /// Request/response datagrams with a window in flight; loss counted
    /// (`udp-unicast server`, or the Node dgram peer).
    Udp(loadgen::udp::Args),
    /// N WebSocket chat clients log in, each sends M broadcasts;
    /// deliveries/s and delivery latency (`ws-chat`, or the Node ws peer).
    Ws(loadgen::ws::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = if cli.threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(cli.threads)
            .enable_all()
            .build()
    };
    let runtime = match runtime {
        Ok(runtime) => runtime,
        Err(error) => return common::exit::report("loadgen", Err(error)),
    };
    let result = runtime.block_on(async {
        match &cli.command {
            Command::Echo(args) => loadgen::echo::run(args).await.map(|report| {
                if cli.json {
                    println!("{}", report.to_json(args));
                } else {
                    report.print(args);
                }
            }),
            Command::Chat(args) => loadgen::chat::run(args).await.map(|report| {
                if cli.json {
                    println!("{}", report.to_json(args));
                } else {
                    report.print(args);
                }
            }),
            Command::ChatIdle(args) => loadgen::chat::run_idle(args).await.map(|report| {
                if cli.json {
                    println!("{}", report.to_json(args));
                } else {
                    report.print(args);
                }
            }),
            Command::Udp(args) => loadgen::udp::run(args).await.map(|report| {
                if cli.json {
                    println!("{}", report.to_json(args));
                } else {
                    report.print(args);
                }
            }),
            Command::Ws(args) => loadgen::ws::run(args).await.map(|report| {
                if cli.json {
                    println!("{}", loadgen::ws::to_json(&report, args));
                } else {
                    loadgen::ws::print(&report, args);
                }
            }),
        }
    });
    common::exit::report("loadgen", result)
}
