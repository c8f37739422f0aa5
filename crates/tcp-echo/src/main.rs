//! `tcp-echo`: the chapter 2 echo server, its client, and a demo of both.
//! See the crate docs (`src/lib.rs`) and docs/ch2-tcp.md for the lesson.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use common::cli::ListenArgs;
use tcp_echo::client::{self, Event};
use tcp_echo::{Config, Server};

/// A TCP echo server and client (chapter 2 of the Node.js networking tutorial).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
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
    Demo,
}

// One thread, like Node's event loop. An echo server spends its time
// waiting on the network, not computing, and one thread can wait on
// thousands of sockets at once: that is what async is for. Measured against
// tokio's default (a worker per core), one thread echoes ~15% more messages
// with a third of the p99 latency on the course's 2-core machine, where the
// load generator needs the other core (docs/benchmarks.md).
#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
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
                ..Config::default()
            };
            serve(listen, config).await
        }
        Command::Client {
            host,
            port,
            message,
        } => connect(&host, port, &message).await,
        Command::Demo => {
            common::logging::init_demo("server");
            tcp_echo::demo::run().await.map_err(Into::into)
        }
    };
    common::exit::report("tcp-echo", result)
}

async fn serve(listen: ListenArgs<8124>, config: Config) -> Result<(), Box<dyn std::error::Error>> {
    let listener = common::net::bind_tcp(listen.addr()).await?;
    let server = Server::new(listener, config);
    // Catch Ctrl-C from here on, before we say we are ready.
    let ctrl_c = common::shutdown::ctrl_c();
    common::net::announce_listening(server.local_addr()?);
    server.run(ctrl_c).await;
    Ok(())
}

async fn connect(host: &str, port: u16, message: &str) -> Result<(), Box<dyn std::error::Error>> {
    let addr = common::net::resolve(host, port).await?;
    let message = format!("{message}\r\n");
    let result = client::run(addr, message.as_bytes(), |event| match event {
        Event::Connected(_) => println!("connected to server!"),
        Event::Data(chunk) => {
            // Like Node's `data.toString()`: the bytes as they came.
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(chunk);
            let _ = out.flush();
        }
        Event::Disconnected => println!("disconnected from server"),
    })
    .await;
    result.map(drop).map_err(|error| {
        format!("cannot talk to {addr}: {error} (is `tcp-echo server` running?)").into()
    })
}
