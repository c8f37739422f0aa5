//! `udp-unicast`: the chapter 3 unicast server, its client, a demo and a lab.
//! See the crate docs (`src/lib.rs`) and docs/ch3-udp.md for the lesson.

use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use common::cli::ListenArgs;
use common::demo::DemoArgs;
use common::lang::{Lang, LangArgs};
use rust_i18n::t;
use udp_unicast::Server;
use udp_unicast::client::{self, Event};

// The same texts as the library's (`locales/app.yml`), for `t!` in `main`.
rust_i18n::i18n!("locales", fallback = "en");

/// UDP unicast: a server that answers "world" and its client (chapter 3 of
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
    /// Print every datagram that arrives and answer "world" to its sender.
    ///
    /// Prints `listening on IP:PORT` when ready. Try it from a second
    /// terminal with `udp-unicast client` or `nc -u 127.0.0.1 3000`.
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
    Demo {
        #[command(flatten)]
        demo: DemoArgs,
    },
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
    let cli: Cli = common::lang::parse(udp_unicast::help_text);
    let lang = cli.lang.resolve();
    let result = match cli.command {
        Command::Server { listen } => {
            common::logging::init();
            serve(listen, lang).await
        }
        Command::Client {
            server,
            port,
            timeout,
            message,
        } => ask(&server, port, timeout, &message, lang).await,
        Command::Demo { demo } => {
            common::logging::init_demo("server");
            udp_unicast::demo::run(&demo, lang)
                .await
                .map_err(Into::into)
        }
        Command::Lab { count } => lab(count, lang).await,
    };
    common::exit::report_in(lang, "udp-unicast", result)
}

async fn serve(listen: ListenArgs<3000>, lang: Lang) -> Result<(), Box<dyn std::error::Error>> {
    let socket = common::net::bind_udp(listen.addr()).await?;
    let server = Server::new(socket, lang);
    let addr = server.local_addr()?;
    // Catch Ctrl-C from here on, before we say we are ready.
    let ctrl_c = common::shutdown::ctrl_c();
    // The one ready line on stdout (the seed's 'listening' event; scripts
    // wait for it), then, on stderr, how students reach us.
    common::net::announce_listening(addr);
    common::net::tell_students_udp(addr, lang, |to| {
        udp_unicast::server::how_students_send(to, lang)
    });
    tracing::info!("{}", t!("server.ready", locale = lang.code()));
    // `console.log`: each line to stdout as it happens.
    server.run(ctrl_c, |line| println!("{line}")).await?;
    Ok(())
}

async fn ask(
    server: &str,
    port: u16,
    timeout: Duration,
    message: &str,
    lang: Lang,
) -> Result<(), Box<dyn std::error::Error>> {
    let locale = lang.code();
    // `localhost` works as in the seed; we take its first address.
    let server = tokio::net::lookup_host(server)
        .await
        .map_err(|error| {
            // Not the OS's errors but the resolver's own English words
            // ("invalid port value", "failed to lookup address
            // information: …"): said in `lang` by what they mean.
            let error = match (error.raw_os_error(), error.kind()) {
                (Some(_), _) => common::exit::io_error(&error, lang),
                (None, std::io::ErrorKind::InvalidInput) => {
                    t!("client.bad_format", locale = locale).into_owned()
                }
                (None, _) => t!("client.unknown_host", locale = locale).into_owned(),
            };
            t!(
                "client.resolve",
                locale = locale,
                server = server,
                error = error
            )
        })?
        .next()
        .ok_or_else(|| t!("client.no_address", locale = locale, server = server))?;
    let local = client::local_addr_for(server, port);
    let socket = common::net::bind_udp(local).await?;
    let on_event = |event: Event<'_>| match event {
        Event::Running(addr) => println!("{}", t!("client.running", locale = locale, addr = addr)),
        Event::Got(reply, from) => {
            let msg = common::datagram::printable_in(reply, lang);
            println!(
                "{}",
                t!("client.got", locale = locale, msg = msg, from = from)
            );
        }
    };
    client::run(&socket, server, message.as_bytes(), timeout, on_event)
        .await
        .map_err(|error| error.message(lang))?;
    Ok(())
}

async fn lab(count: u64, lang: Lang) -> Result<(), Box<dyn std::error::Error>> {
    let report = udp_unicast::lab::run(count).await?;
    if report.print(lang) {
        Ok(())
    } else {
        Err(t!("lab.failed", locale = lang.code()).into())
    }
}
