//! `http-template`: the chapter 4 template pages and guestbook, and a demo.
//! See the crate docs (`src/lib.rs`) and docs/ch4-http.md for the lesson.
//!
//! The server is the default, as for `http-static`:
//! `http-template --port 3000 --db data/guestbook.sqlite3`; the one
//! subcommand is `demo`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use common::cli::ListenArgs;
use common::demo::DemoArgs;
use common::lang::{Lang, LangArgs};
use http_template::{Config, Server};

/// Template pages and a SQLite guestbook on hyper (chapter 4 of the Node.js
/// networking tutorial).
///
/// With no subcommand it serves the todo page on / and the guestbook on
/// /guestbook; open http://127.0.0.1:3000/ in a browser or use curl.
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
    /// The directory of templates [default: ./templates, or, if there is
    /// none here, the templates/ of the course repository this was built from]
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
    /// The SQLite database file; created, with its directory, if missing.
    #[arg(long, value_name = "FILE", default_value = "data/guestbook.sqlite3")]
    db: PathBuf,
    /// Pick up edited templates on the next request, and show template
    /// errors (file and line) in the page: for editing live in class.
    #[arg(long)]
    reload: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server (temporary database) and a client in one process on
    /// loopback and narrate: the todo page, a post and its redirect, the
    /// guestbook, a rejected post.
    Demo(DemoArgs),
}

// tokio's multi-threaded runtime, one worker per core: request handling is
// CPU work (paths, headers, templates) worth spreading over the cores.
#[tokio::main]
async fn main() -> ExitCode {
    // `--help` in the user's language (--lang, else LANG).
    let cli: Cli = common::lang::parse(http_template::help_text);
    let lang = cli.lang.resolve();
    let result = match cli.command {
        None => {
            common::logging::init();
            serve(cli.serve, lang).await
        }
        Some(Command::Demo(args)) => {
            common::logging::init_demo("server");
            http_template::demo::run(&args, lang)
                .await
                .map_err(Into::into)
        }
    };
    common::exit::report_in(lang, "http-template", result)
}

async fn serve(args: ServeArgs, lang: Lang) -> Result<(), Box<dyn std::error::Error>> {
    let listener = common::net::bind_tcp(args.listen.addr()).await?;
    let config = Config {
        templates: http_template::server::find_templates(args.templates),
        db: args.db,
        reload: args.reload,
        lang,
        ..Config::default()
    };
    let server = Server::new(listener, config).await?;
    // Catch Ctrl-C from here on, before we say we are ready.
    let ctrl_c = common::shutdown::ctrl_c();
    let addr = server.local_addr()?;
    common::net::announce_listening(addr);
    // For the teacher: the addresses students open (or "this machine only").
    common::net::tell_students(addr, lang, |addr| format!("http://{addr}/guestbook"));
    server.log_serving();
    server.run(ctrl_c).await;
    Ok(())
}
