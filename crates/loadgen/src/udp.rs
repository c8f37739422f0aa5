//! `loadgen udp`: request/response load for `udp-unicast server` (or any
//! server that answers each datagram with one datagram, like the seed's).
//!
//! Each of `--sockets` sockets keeps `--window` requests (`hello #N`) in
//! flight: a reply frees a slot, and so does a request unanswered after
//! `--loss-timeout-ms`, which is then counted as lost. UDP gives no delivery
//! guarantee, so loss is part of the result, not an error. Replies carry no
//! request number (the server answers `world`), so they are matched to
//! requests in send order: exact on loopback, approximate after a loss.

use std::collections::VecDeque;
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::{Duration, Instant};

use tokio::net::UdpSocket;

use crate::stats::Latency;

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Server address (loopback only).
    #[arg(long, default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,
    /// How long to send, in seconds.
    #[arg(long, default_value_t = 5)]
    pub secs: u64,
    /// Requests in flight per socket (1 to 4096).
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=4096))]
    pub window: u16,
    /// Client sockets, each on its own port with its own window (1 to 1024).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub sockets: u16,
    /// Request size in bytes: "hello #N" padded with 'x' (at most 65,507).
    #[arg(long, default_value_t = 0)]
    pub size: usize,
    /// A request unanswered this long is counted as lost and its slot reused.
    #[arg(long, default_value_t = 200)]
    pub loss_timeout_ms: u64,
    /// The reply the server should send; others count as `unexpected`.
    #[arg(long, default_value = "world")]
    pub expect: String,
}

/// The result of a run.
#[derive(Debug, Default)]
pub struct Report {
    pub sent: u64,
    pub replies: u64,
    /// Replies that arrived before `--secs` was up: the throughput.
    pub replies_in_time: u64,
    /// Requests given up on after the loss timeout.
    pub timeouts: u64,
    pub unexpected: u64,
    pub errors: u64,
    pub first_error: Option<String>,
    pub secs: f64,
    pub latency: Latency,
}

impl Report {
    pub fn datagrams_per_sec(&self) -> f64 {
        self.replies_in_time as f64 / self.secs
    }

    /// Requests that never got a reply.
    pub fn lost(&self) -> u64 {
        self.sent.saturating_sub(self.replies)
    }

    pub fn loss_pct(&self) -> f64 {
        if self.sent == 0 {
            0.0
        } else {
            100.0 * self.lost() as f64 / self.sent as f64
        }
    }

    pub fn to_json(&self, args: &Args) -> serde_json::Value {
        serde_json::json!({
            "mode": "udp request/response", "addr": args.addr.to_string(),
            "sockets": args.sockets, "window": args.window, "secs": self.secs,
            "sent": self.sent, "replies": self.replies, "dgrams_per_s": self.datagrams_per_sec(),
            "lost": self.lost(), "loss_pct": self.loss_pct(), "timeouts": self.timeouts,
            "unexpected": self.unexpected, "errors": self.errors, "first_error": self.first_error,
            "p50_ms": self.latency.quantile_ms(0.5), "p99_ms": self.latency.quantile_ms(0.99),
        })
    }

    pub fn print(&self, args: &Args) {
        println!(
            "udp to {}: {} sockets x {} in flight, {:.1} s",
            args.addr, args.sockets, args.window, self.secs
        );
        println!(
            "  {:.0} datagrams/s answered, round trip {}",
            self.datagrams_per_sec(),
            self.latency.summary()
        );
        println!(
            "  sent {}, replies {}, lost {} ({:.3}%), unexpected {}, errors {}",
            self.sent,
            self.replies,
            self.lost(),
            self.loss_pct(),
            self.unexpected,
            self.errors
        );
        if let Some(error) = &self.first_error {
            println!("  first error: {error}");
        }
    }

    fn merge(&mut self, other: Report) {
        self.sent += other.sent;
        self.replies += other.replies;
        self.replies_in_time += other.replies_in_time;
        self.timeouts += other.timeouts;
        self.unexpected += other.unexpected;
        self.errors += other.errors;
        self.latency.merge(&other.latency);
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }
}

/// Runs the load for `args.secs` seconds and reports. Bounded by
/// [`crate::hard_deadline`] even if the server stops answering.
pub async fn run(args: &Args) -> Result<Report, String> {
    let addr = crate::require_loopback(args.addr)?;
    if args.size > common::datagram::MAX_DATAGRAM {
        return Err(format!(
            "--size {} is more than one datagram carries ({})",
            args.size,
            common::datagram::MAX_DATAGRAM
        ));
    }
    let started = Instant::now();
    let stop_at = started + Duration::from_secs(args.secs);
    let cut_off = tokio::time::Instant::from_std(started) + crate::hard_deadline(args.secs);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..args.sockets {
        let args = args.clone();
        tasks.spawn(async move {
            tokio::time::timeout_at(cut_off, one_socket(addr, &args, stop_at))
                .await
                .unwrap_or_else(|_| Report {
                    errors: 1,
                    first_error: Some("run cut off".into()),
                    ..Report::default()
                })
        });
    }
    let mut report = Report::default();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(result) => report.merge(result),
            Err(error) => {
                report.errors += 1;
                report.first_error.get_or_insert_with(|| error.to_string());
            }
        }
    }
    report.secs = args.secs.max(1) as f64;
    if report.replies == 0 {
        let why = report.first_error.as_deref().unwrap_or("no reply at all");
        return Err(format!("no reply from {addr}: {why}"));
    }
    Ok(report)
}

/// One socket's share: keep the window full until `stop_at`, then wait up to
/// the loss timeout for the last replies.
async fn one_socket(addr: SocketAddr, args: &Args, stop_at: Instant) -> Report {
    let mut report = Report::default();
    if let Err(error) = drive(addr, args, stop_at, &mut report).await {
        report.errors += 1;
        report.first_error = Some(error.to_string());
    }
    report
}

async fn drive(
    addr: SocketAddr,
    args: &Args,
    stop_at: Instant,
    report: &mut Report,
) -> io::Result<()> {
    let local: SocketAddr = if addr.is_ipv4() {
        (Ipv4Addr::LOCALHOST, 0).into()
    } else {
        (Ipv6Addr::LOCALHOST, 0).into()
    };
    let socket = UdpSocket::bind(local).await?;
    // Connected: only the server's datagrams reach us, and a closed port
    // shows up as "connection refused".
    socket.connect(addr).await?;
    let loss_timeout = Duration::from_millis(args.loss_timeout_ms.clamp(1, 10_000));
    let give_up_at = stop_at + loss_timeout;
    let window = usize::from(args.window);
    // When each request in flight was sent, oldest first.
    let mut in_flight: VecDeque<Instant> = VecDeque::with_capacity(window);
    let mut buffer = common::datagram::receive_buffer();
    let mut seq = 0u64;
    loop {
        let now = Instant::now();
        let sending = now < stop_at;
        if !sending && (in_flight.is_empty() || now >= give_up_at) {
            report.timeouts += in_flight.len() as u64;
            return Ok(());
        }
        while sending && in_flight.len() < window {
            seq += 1;
            let mut request = common::datagram::numbered("hello", seq).into_bytes();
            if request.len() < args.size {
                request.resize(args.size, b'x');
            }
            socket.send(&request).await?;
            in_flight.push_back(Instant::now());
            report.sent += 1;
        }
        // Wake for a reply, for the oldest request's loss timeout, or at the end.
        let mut wake = if sending { stop_at } else { give_up_at };
        if let Some(oldest) = in_flight.front() {
            wake = wake.min(*oldest + loss_timeout);
        }
        let wake = tokio::time::Instant::from_std(wake);
        match tokio::time::timeout_at(wake, socket.readable()).await {
            Ok(ready) => {
                ready?;
                // Take every reply already queued.
                loop {
                    let len = match socket.try_recv(&mut buffer) {
                        Ok(len) => len,
                        Err(error) if error.kind() == io::ErrorKind::WouldBlock => break,
                        Err(error) => return Err(error),
                    };
                    let arrived = Instant::now();
                    report.replies += 1;
                    if arrived < stop_at {
                        report.replies_in_time += 1;
                    }
                    if buffer[..len] != *args.expect.as_bytes() {
                        report.unexpected += 1;
                    }
                    // A reply to a request already counted lost finds none.
                    if let Some(sent) = in_flight.pop_front() {
                        report.latency.record(arrived - sent);
                    }
                }
            }
            Err(_timer) => {
                let now = Instant::now();
                while in_flight
                    .front()
                    .is_some_and(|sent| now.duration_since(*sent) >= loss_timeout)
                {
                    in_flight.pop_front();
                    report.timeouts += 1;
                }
            }
        }
    }
}
