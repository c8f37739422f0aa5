//! `http-static`: the chapter 4 static file server, and a demo of it.
//! See the crate docs (`src/lib.rs`) and docs/ch4-http.md for the lesson.
//!
//! The server is the default, so the command reads like the seed's
//! `node server.js`: `http-static --port 3000 --root assets`; the one
//! subcommand is `demo`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use std::sync::Arc;

use common::cli::ListenArgs;
use common::demo::DemoArgs;
use common::lang::{Lang, LangArgs};
use common::tls::{Identity, TlsArgs};
use http_static::{Config, Server};

/// A static file server on hyper (chapter 4 of the Node.js networking tutorial).
///
/// With no subcommand it serves --root on --host:--port; open
/// http://127.0.0.1:3000/ in a browser or use curl from a second terminal.
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
    /// The directory to serve; nothing outside it is ever sent.
    #[arg(long, default_value = "assets", value_name = "DIR")]
    root: PathBuf,
    /// List a directory that has no index.html (instead of 404).
    #[arg(long)]
    list: bool,
    /// Serve HTTPS instead of HTTP (chapter 5), with the certificate from
    /// --cert/--key, or else from a local certificate authority kept in
    /// --certs (made on first run; trust certs/ca.pem).
    #[arg(long)]
    tls: bool,
    #[command(flatten)]
    certificates: TlsArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server and a client in one process on loopback and narrate
    /// 200, 304, 206, 404, 403 and 405.
    Demo(DemoArgs),
}

// tokio's multi-threaded runtime, one worker per core: request handling is
// CPU work (decoding paths, checking headers, building responses) worth
// spreading over the cores.
#[tokio::main]
async fn main() -> ExitCode {
    // `--help` in the user's language (--lang, else LANG).
    let cli: Cli = common::lang::parse(http_static::help_text);
    let lang = cli.lang.resolve();
    let result = match cli.command {
        None => {
            // The access log goes through tracing-appender's non-blocking
            // writer: a line is handed to a logging thread, which writes
            // what has piled up in one go (a `BufWriter`, flushed each time
            // the thread has caught up). `_flushed` writes out the rest
            // when we stop.
            // The queue to that thread holds at most 8,192 lines (allocated
            // up front: 256 KiB; the default, 128,000, is 4 MiB); if it is
            // ever full, a request waits for the log rather than lose a line.
            let stderr = std::io::BufWriter::with_capacity(32 * 1024, std::io::stderr());
            let (log, _flushed) = tracing_appender::non_blocking::NonBlockingBuilder::default()
                .buffered_lines_limit(8 * 1024)
                .lossy(false)
                .finish(stderr);
            let filter = tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
            let _ = tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_timer(common::logging::local_time())
                .with_writer(log)
                .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
                .with_target(false)
                .try_init();
            serve(cli.serve, lang).await
        }
        Some(Command::Demo(args)) => {
            common::logging::init_demo("server");
            http_static::demo::run(&args, lang)
                .await
                .map_err(Into::into)
        }
    };
    common::exit::report_in(lang, "http-static", result)
}

async fn serve(args: ServeArgs, lang: Lang) -> Result<(), Box<dyn std::error::Error>> {
    // Certificates first: a bad --cert is one sentence before anything binds.
    let scheme = if args.tls { "https" } else { "http" };
    let tls = if args.tls {
        let identity = Identity::load_or_make(&args.certificates, lang)?;
        for note in &identity.notes {
            tracing::info!("{note}");
        }
        if let Some(ca) = &identity.ca {
            tracing::info!("{}", http_static::text::trust_ca(lang, ca));
        }
        Some(Arc::new(tls_config(&identity, lang)?))
    } else {
        None
    };
    let listener = common::net::bind_tcp(args.listen.addr()).await?;
    let config = Config {
        root: args.root,
        list: args.list,
        tls,
        lang,
        ..Config::default()
    };
    let server = Server::new(listener, config)?;
    // Catch Ctrl-C from here on, before we say we are ready.
    let ctrl_c = common::shutdown::ctrl_c();
    let addr = server.local_addr()?;
    common::net::announce_listening(addr);
    // For the teacher: the addresses students open (or "this machine only").
    common::net::tell_students(addr, lang, |addr| format!("{scheme}://{addr}/"));
    let serving = http_static::text::serving(lang, &common::net::local_url(scheme, addr));
    tracing::info!(root = %server.root().display(), "{serving}");
    server.run(ctrl_c).await;
    Ok(())
}

/// The TLS config for `--tls`: HTTP/1.1 only (chapter 5's `https-server`
/// shows HTTP/2), and no session resumption, as the benchmark's nginx peer
/// is configured (`ssl_session_cache off; ssl_session_tickets off`): every
/// new connection is a full handshake.
fn tls_config(
    identity: &Identity,
    lang: Lang,
) -> Result<rustls::ServerConfig, common::tls::TlsError> {
    let mut config = identity.server_config(&[b"http/1.1"], lang)?;
    config.session_storage = Arc::new(rustls::server::NoServerSessionStorage {});
    config.send_tls13_tickets = 0;
    Ok(config)
}
