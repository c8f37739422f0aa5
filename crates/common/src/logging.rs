//! Logs go to stderr through `tracing`, so stdout stays for the lesson's output.

use std::fmt;
use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::FormatTime;

/// `info` and above unless `RUST_LOG` says otherwise (`RUST_LOG=debug`).
fn filter() -> EnvFilter {
    EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"))
}

/// Logging for a server or client run from the command line: timestamped
/// lines on stderr. Calling it twice is harmless.
pub fn init() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter())
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .try_init();
}

/// Logging for a `demo` subcommand: the server's log lines join the
/// transcript on stdout, each marked with `role`, so they read alongside the
/// client's lines:
///
/// ```text
///   server | client connected peer=127.0.0.1:50312 open=1
///   client | connected to server!
/// ```
pub fn init_demo(role: &'static str) {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter())
        .with_writer(std::io::stdout)
        .with_ansi(false)
        .with_timer(Role(role))
        .with_level(false)
        .with_target(false)
        .try_init();
}

/// Prints a line of a demo transcript for a role that is not the logger,
/// in the same layout as [`init_demo`]'s lines.
pub fn demo_line(role: &str, text: impl fmt::Display) {
    println!("  {role:>6} | {text}");
}

/// The transcript's `  role |` prefix. tracing's formatter writes the time
/// first on each line; a demo has no use for the time, so this "timer"
/// writes the role there instead.
struct Role(&'static str);

impl FormatTime for Role {
    fn format_time(&self, writer: &mut Writer<'_>) -> fmt::Result {
        write!(writer, "  {:>6} |", self.0)
    }
}
