//! stderr, written in batches, for the server's logs.
//!
//! At tens of thousands of requests a second, one `write` system call per
//! access-log line is a cost worth avoiding: with wrk on the 1 KiB file the
//! server spends about 10.5 µs of CPU per request, of which the access log
//! is about 1.3 µs, and batching its writes saved about 0.4 µs of that
//! (docs/benchmarks.md). So lines collect in a buffer and go out together.

use std::io::{self, IsTerminal, Write};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tracing::{Level, Metadata};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// Lines collect here until there are this many bytes (or the next flush).
const BATCH: usize = 32 * 1024;

/// stderr, written in batches. Lines collect in a buffer that goes out when
/// it holds [`BATCH`] bytes, or when [`BatchedStderr::flush_every`] ticks;
/// warnings and errors go out at once. A crash can lose the last
/// tick's worth of access lines, never a warning.
#[derive(Debug, Clone, Default)]
pub struct BatchedStderr {
    buffer: Arc<Mutex<Vec<u8>>>,
}

impl BatchedStderr {
    /// Logging for the server: `RUST_LOG` (default `info`) to stderr through
    /// this batch buffer, formatted like `common::logging::init`'s.
    pub fn init(&self) {
        let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(self.clone())
            .with_ansi(io::stderr().is_terminal())
            .with_target(false)
            .try_init();
    }

    /// Writes out whatever is buffered.
    pub fn flush(&self) {
        write_out(&mut self.buffer.lock().unwrap_or_else(PoisonError::into_inner));
    }

    /// Flushes every `period`, forever: spawn it next to the server.
    pub async fn flush_every(self, period: Duration) {
        let mut tick = tokio::time::interval(period);
        loop {
            tick.tick().await;
            self.flush();
        }
    }
}

fn write_out(buffer: &mut Vec<u8>) {
    if !buffer.is_empty() {
        // Nobody to tell if stderr is gone; the server goes on.
        let _ = io::stderr().write_all(buffer);
        buffer.clear();
    }
}

/// One log line's access to the buffer (tracing writes each line whole).
#[derive(Debug)]
pub struct Batch<'a> {
    buffer: MutexGuard<'a, Vec<u8>>,
    /// A warning or an error: written out at once.
    urgent: bool,
}

impl<'a> MakeWriter<'a> for BatchedStderr {
    type Writer = Batch<'a>;

    fn make_writer(&'a self) -> Batch<'a> {
        Batch {
            buffer: self.buffer.lock().unwrap_or_else(PoisonError::into_inner),
            urgent: false,
        }
    }

    fn make_writer_for(&'a self, meta: &Metadata<'_>) -> Batch<'a> {
        let mut batch = self.make_writer();
        batch.urgent = *meta.level() <= Level::WARN;
        batch
    }
}

impl Write for Batch<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        if self.urgent || self.buffer.len() >= BATCH {
            write_out(&mut self.buffer);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
