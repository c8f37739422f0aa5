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

/// Logging for a server or client run from the command line: lines on
/// stderr stamped with the local time to the second (`14:05:31`), easy to
/// read on a projector. chrono reads the time zone itself (`TZ`,
/// /etc/localtime), so this works in a multi-threaded program, where the
/// `time` crate's local offset gives up. Calling it twice is harmless.
pub fn init() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter())
        .with_timer(local_time())
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .try_init();
}

/// The local time to the second, as log lines show it (for a lesson that
/// sets up its own logger, as http-static does for its access log).
pub fn local_time() -> tracing_subscriber::fmt::time::ChronoLocal {
    tracing_subscriber::fmt::time::ChronoLocal::new("%H:%M:%S".to_owned())
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Formats one time stamp on a thread of a multi-threaded runtime, as
    /// a server's log line would be.
    #[test]
    fn the_time_is_local_to_the_second_on_any_thread() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .unwrap();
        let stamp = runtime.block_on(async {
            tokio::spawn(async {
                let mut text = String::new();
                local_time()
                    .format_time(&mut Writer::new(&mut text))
                    .unwrap();
                text
            })
            .await
            .unwrap()
        });
        let digits = |part: &str| part.len() == 2 && part.chars().all(|c| c.is_ascii_digit());
        let parts: Vec<&str> = stamp.split(':').collect();
        assert!(
            parts.len() == 3 && parts.iter().all(|part| digits(part)),
            "{stamp:?}"
        );
    }
}
