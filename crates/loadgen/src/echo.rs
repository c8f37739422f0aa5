//! `loadgen echo`: load for `tcp-echo server` (or any server that greets with
//! `hello\r\n` and echoes).
//!
//! - ping-pong (default): each connection sends `--size` bytes, waits for all
//!   of them to come back, and sends again; we time each round trip.
//! - `--bulk`: each connection writes as fast as it can while reading the
//!   echo back: the throughput of one stream through the server.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::stats::Latency;

/// What `tcp-echo` sends first; skipped before measuring.
const GREETING: &[u8] = b"hello\r\n";

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Server address (loopback only).
    #[arg(long, default_value = "127.0.0.1:8124")]
    pub addr: SocketAddr,
    /// Connections open at once.
    #[arg(long, default_value_t = 50)]
    pub conns: usize,
    /// Bytes per message (ping-pong) or per write (--bulk).
    #[arg(long, default_value_t = 1024)]
    pub size: usize,
    /// How long to send, in seconds.
    #[arg(long, default_value_t = 5)]
    pub secs: u64,
    /// Stream as fast as possible instead of ping-pong.
    #[arg(long)]
    pub bulk: bool,
}

/// The result of a run.
#[derive(Debug, Default)]
pub struct Report {
    pub conns_ok: usize,
    pub errors: usize,
    pub corrupt: usize,
    pub messages: u64,
    pub bytes: u64,
    pub elapsed: Duration,
    pub latency: Latency,
}

impl Report {
    pub fn messages_per_sec(&self) -> f64 {
        self.messages as f64 / self.elapsed.as_secs_f64()
    }

    pub fn mb_per_sec(&self) -> f64 {
        self.bytes as f64 / 1e6 / self.elapsed.as_secs_f64()
    }

    pub fn to_json(&self, args: &Args) -> serde_json::Value {
        serde_json::json!({
            "mode": if args.bulk { "bulk" } else { "ping-pong" },
            "conns": args.conns, "conns_ok": self.conns_ok, "errors": self.errors,
            "corrupt": self.corrupt, "size": args.size,
            "secs": self.elapsed.as_secs_f64(), "messages": self.messages,
            "msgs_per_s": self.messages_per_sec(), "mb_per_s": self.mb_per_sec(),
            "p50_ms": self.latency.quantile_ms(0.5), "p99_ms": self.latency.quantile_ms(0.99),
        })
    }

    pub fn print(&self, args: &Args) {
        println!(
            "echo {} to {}: {}/{} connections ok, {} errors, {} corrupt, {:.1} s",
            if args.bulk { "bulk" } else { "ping-pong" },
            args.addr,
            self.conns_ok,
            args.conns,
            self.errors,
            self.corrupt,
            self.elapsed.as_secs_f64()
        );
        if args.bulk {
            println!("  {:.1} MB/s echoed", self.mb_per_sec());
        } else {
            println!(
                "  {:.0} messages/s, {:.1} MB/s echoed, round trip {}",
                self.messages_per_sec(),
                self.mb_per_sec(),
                self.latency.summary()
            );
        }
    }
}

/// What one connection measured.
#[derive(Debug, Default)]
struct ConnectionResult {
    messages: u64,
    bytes: u64,
    corrupt: bool,
    latency: Latency,
}

/// Runs the load for `args.secs` seconds and reports. Bounded by
/// [`crate::hard_deadline`] even if the server stops answering.
pub async fn run(args: &Args) -> Result<Report, String> {
    crate::require_loopback(args.addr)?;
    let size = args.size.max(1);
    let started = Instant::now();
    let stop_at = started + Duration::from_secs(args.secs);
    let cut_off = tokio::time::Instant::from_std(started) + crate::hard_deadline(args.secs);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..args.conns {
        let (addr, bulk) = (args.addr, args.bulk);
        tasks.spawn(async move {
            let connection = async move {
                let mut stream = connect(addr).await?;
                if bulk {
                    bulk_stream(stream, size, stop_at).await
                } else {
                    ping_pong(&mut stream, size, stop_at).await
                }
            };
            tokio::time::timeout_at(cut_off, connection)
                .await
                .unwrap_or_else(|_| Err(io::Error::new(io::ErrorKind::TimedOut, "run cut off")))
        });
    }

    let mut report = Report::default();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(Ok(result)) => {
                report.conns_ok += 1;
                report.messages += result.messages;
                report.bytes += result.bytes;
                report.corrupt += usize::from(result.corrupt);
                report.latency.merge(&result.latency);
            }
            Ok(Err(_)) | Err(_) => report.errors += 1,
        }
    }
    report.elapsed = started.elapsed().max(Duration::from_millis(1));
    if report.conns_ok == 0 {
        return Err(format!("no connection to {} succeeded", args.addr));
    }
    Ok(report)
}

async fn connect(addr: SocketAddr) -> io::Result<TcpStream> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let mut greeting = [0; GREETING.len()];
    stream.read_exact(&mut greeting).await?;
    if greeting != GREETING {
        return Err(io::Error::other(
            "no hello\\r\\n greeting: is this tcp-echo?",
        ));
    }
    Ok(stream)
}

async fn ping_pong(
    stream: &mut TcpStream,
    size: usize,
    stop_at: Instant,
) -> io::Result<ConnectionResult> {
    let mut result = ConnectionResult::default();
    let mut message = vec![0u8; size];
    let mut echo = vec![0u8; size];
    let mut seq: u64 = 0;
    while Instant::now() < stop_at {
        // A different first 8 bytes each time, so a stale echo is caught.
        seq += 1;
        let stamp = seq.to_le_bytes();
        let n = stamp.len().min(size);
        message[..n].copy_from_slice(&stamp[..n]);

        let sent = Instant::now();
        stream.write_all(&message).await?;
        stream.read_exact(&mut echo).await?;
        result.latency.record(sent.elapsed());
        result.messages += 1;
        result.bytes += size as u64;
        if echo != message {
            result.corrupt = true;
        }
    }
    Ok(result)
}

async fn bulk_stream(
    stream: TcpStream,
    size: usize,
    stop_at: Instant,
) -> io::Result<ConnectionResult> {
    // Owned halves, so the reader can be its own task: with `--threads 2`
    // writing and reading then run on two cores at once.
    let (mut reader, mut writer) = stream.into_split();
    let pattern: Arc<[u8]> = (0..size).map(|i| (i % 251) as u8).collect();
    let expected = Arc::clone(&pattern);
    let receive = tokio::spawn(async move {
        let mut buffer = vec![0u8; 256 * 1024];
        let mut received = 0u64;
        let mut corrupt = false;
        loop {
            let n = reader.read(&mut buffer).await?;
            if n == 0 {
                return Ok::<_, io::Error>((received, corrupt));
            }
            // Byte k of the stream must be pattern[k % size]: compare slice
            // by slice (a memcmp), not byte by byte, to keep up with the server.
            let mut chunk = &buffer[..n];
            let mut at = (received % expected.len() as u64) as usize;
            while !chunk.is_empty() {
                let len = chunk.len().min(expected.len() - at);
                corrupt |= chunk[..len] != expected[at..at + len];
                chunk = &chunk[len..];
                at = (at + len) % expected.len();
            }
            received += n as u64;
        }
    });
    let mut sent = 0u64;
    while Instant::now() < stop_at {
        writer.write_all(&pattern).await?;
        sent += pattern.len() as u64;
    }
    writer.shutdown().await?;
    let (received, corrupt) = receive.await.map_err(io::Error::other)??;
    Ok(ConnectionResult {
        messages: 0,
        bytes: received,
        corrupt: corrupt || received != sent,
        latency: Latency::new(),
    })
}
