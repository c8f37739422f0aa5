//! Logs go to stderr through `tracing`, so stdout stays for the lesson's output.

use std::fmt;
use std::io::IsTerminal;

use tracing::{Event, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

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
        .event_format(DemoFormat { role })
        .try_init();
}

/// Prints a line of a demo transcript for a role that is not the logger,
/// in the same layout as [`init_demo`]'s lines.
pub fn demo_line(role: &str, text: impl fmt::Display) {
    println!("  {role:>6} | {text}");
}

/// A `Write` that turns each line written to it into a demo transcript line
/// for `role`, for code that prints to any writer (a server's stdout log):
/// `writeln!(transcript, "server got hello")` prints `  server | server got hello`.
#[derive(Debug)]
pub struct Transcript {
    role: &'static str,
    /// Bytes written since the last newline.
    pending: Vec<u8>,
}

impl Transcript {
    pub fn new(role: &'static str) -> Self {
        Self {
            role,
            pending: Vec::new(),
        }
    }
}

impl std::io::Write for Transcript {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(bytes);
        while let Some(end) = self.pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=end).collect();
            demo_line(self.role, String::from_utf8_lossy(&line[..end]));
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.pending.is_empty() {
            demo_line(self.role, String::from_utf8_lossy(&self.pending));
            self.pending.clear();
        }
        Ok(())
    }
}

/// The transcript layout: `  role | message field=value`.
struct DemoFormat {
    role: &'static str,
}

impl<S, N> FormatEvent<S, N> for DemoFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        write!(writer, "  {:>6} | ", self.role)?;
        ctx.field_format().format_fields(writer.by_ref(), event)?;
        writeln!(writer)
    }
}
