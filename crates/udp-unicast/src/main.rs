//! `udp-unicast`: the chapter 3 unicast server, its client, a demo and a lab.
//! See the crate docs (`src/lib.rs`) and docs/ch3-udp.md for the lesson.

use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use common::cli::ListenArgs;
use udp_unicast::Server;
use udp_unicast::client::{self, Event};

/// UDP unicast: a server that answers "world" and its client (chapter 3 of
/// the Node.js networking tutorial).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print every datagram that arrives and answer "world" to its sender.
    ///
    /// Prints `listening on IP:PORT`, then the seed's `server running
    /// IP:PORT`. Try it from a second terminal with `udp-unicast client` or
    /// `nc -u 127.0.0.1 3000`.
    Server {
        #[command(flatten)]
        listen: ListenArgs<3000>,
    },
    /// Send MESSAGE to the server and print its reply.
    Client {
        /// The server's address.
        #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:3000")]
        server: String,
        /// Our own port, as the seed's `client.bind(8000)`; 0 lets the OS pick.
        #[arg(long, default_value_t = 8000)]
        port: u16,
        /// Give up if no reply arrives within this long (e.g. 2s, 500ms).
        #[arg(long, default_value = "2s", value_parser = humantime::parse_duration)]
        timeout: Duration,
        /// What to send (at most 65,507 bytes: one datagram).
        #[arg(default_value = "hello")]
        message: String,
    },
    /// Run server and clients in one process on loopback and narrate both sides.
    Demo,
    /// Two sockets share one port: show that each unicast datagram reaches
    /// only one of them (part of `just ch3-lab`).
    Lab {
        /// How many datagrams to send.
        #[arg(long, default_value_t = 6)]
        count: u64,
    },
}

// One socket and one task, like Node's event loop: a single thread is all
// this needs. It also spares a second thread being woken for every
// datagram, which doubled the CPU cost per datagram in our benchmark.
#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Server { listen } => {
            common::logging::init();
            serve(listen).await
        }
        Command::Client {
            server,
            port,
            timeout,
            message,
        } => ask(&server, port, timeout, &message).await,
        Command::Demo => {
            common::logging::init_demo("server");
            udp_unicast::demo::run().await.map_err(Into::into)
        }
        Command::Lab { count } => lab(count).await,
    };
    common::exit::report("udp-unicast", result)
}

async fn serve(listen: ListenArgs<3000>) -> Result<(), Box<dyn std::error::Error>> {
    let socket = common::net::bind_udp(listen.addr()).await?;
    let server = Server::new(socket);
    let addr = server.local_addr()?;
    // The workspace's readiness line first (scripts wait for it), then the
    // seed's `'listening'` event line.
    // Catch Ctrl-C from here on, before we say we are ready.
    let ctrl_c = common::shutdown::ctrl_c();
    common::net::announce_listening(addr);
    println!("server running {addr}");
    // `console.log`: each line to stdout as it happens.
    server.run(ctrl_c, |line| println!("{line}")).await?;
    Ok(())
}

async fn ask(
    server: &str,
    port: u16,
    timeout: Duration,
    message: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    // `localhost` works as in the seed; we take its first address.
    let server = tokio::net::lookup_host(server)
        .await
        .map_err(|error| format!("cannot resolve {server}: {error} (expected HOST:PORT)"))?
        .next()
        .ok_or_else(|| format!("{server} has no address"))?;
    let local = client::local_addr_for(server, port);
    let socket = common::net::bind_udp(local).await?;
    client::run(
        &socket,
        server,
        message.as_bytes(),
        timeout,
        |event| match event {
            Event::Running(addr) => println!("client running {addr}"),
            Event::Got(reply, from) => {
                println!(
                    "client got {} from {from}",
                    common::datagram::printable(reply)
                );
            }
        },
    )
    .await?;
    Ok(())
}

async fn lab(count: u64) -> Result<(), Box<dyn std::error::Error>> {
    let report = udp_unicast::lab::run(count).await?;
    if report.print() {
        Ok(())
    } else {
        Err("the lab saw something other than what the lesson says".into())
    }
}
