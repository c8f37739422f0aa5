//! `loadgen chat` and `loadgen chat-idle`: load for `tcp-chat server` (or
//! any chat server speaking the seed's JSON, one object per line, like the
//! Node peer `../shared/peers/node/chat.js`).
//!
//! - `chat`: N clients log in; then each sends M broadcasts carrying the
//!   time they were sent, as fast as it can or paced at `--rate` messages/s
//!   in all. Every client counts the broadcasts it receives from the others
//!   and how long each took (same process, same clock). A server that also
//!   sends a broadcast back to its sender (as `tcp-chat` does, like the
//!   seed) is measured fairly: those copies are counted apart, as
//!   `own_echoes`, and are not deliveries.
//! - `chat-idle`: N clients log in and say nothing; once the join
//!   announcements have all arrived we read the server's memory from
//!   `/proc/PID/status`. Raises this process's open-file limit itself.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::Deserialize;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::stats::Latency;

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Chat server address (loopback only); several (`--addr A --addr B`,
    /// or `A,B`) spread the clients over them in turn, for a cluster.
    #[arg(long, default_value = "127.0.0.1:8125", value_delimiter = ',', num_args = 1..)]
    pub addr: Vec<SocketAddr>,
    /// Clients: each logs in, sends and receives.
    #[arg(long, default_value_t = 50)]
    pub clients: usize,
    /// Broadcasts each client sends.
    #[arg(long, default_value_t = 200)]
    pub msgs: usize,
    /// Messages per second from all clients together; 0 sends as fast as
    /// possible.
    #[arg(long, default_value_t = 0.0)]
    pub rate: f64,
    /// Stop after this many seconds even if deliveries are missing.
    #[arg(long, default_value_t = 60)]
    pub secs: u64,
}

/// The result of a `chat` run.
#[derive(Debug, Default)]
pub struct Report {
    pub clients: usize,
    pub sent: u64,
    /// Broadcasts received by a client other than their sender.
    pub deliveries: u64,
    /// clients × msgs × (clients − 1).
    pub expected: u64,
    /// Copies of a client's own broadcasts sent back to it.
    pub own_echoes: u64,
    /// Broadcasts from one sender that arrived before an earlier one of theirs.
    pub out_of_order: u64,
    pub errors: usize,
    pub first_error: Option<String>,
    /// From the first send to the last delivery.
    pub elapsed: Duration,
    pub latency: Latency,
}

impl Report {
    pub fn deliveries_per_sec(&self) -> f64 {
        self.deliveries as f64 / self.elapsed.as_secs_f64()
    }

    pub fn to_json(&self, args: &Args) -> serde_json::Value {
        serde_json::json!({
            "test": "chat", "addr": addrs(&args.addr), "clients": self.clients,
            "msgs": args.msgs, "rate": args.rate, "sent": self.sent,
            "deliveries": self.deliveries, "expected_deliveries": self.expected,
            "own_echoes": self.own_echoes, "out_of_order": self.out_of_order,
            "errors": self.errors, "first_error": self.first_error,
            "elapsed_s": self.elapsed.as_secs_f64(),
            "deliveries_per_s": self.deliveries_per_sec(),
            "p50_ms": self.latency.quantile_ms(0.5), "p99_ms": self.latency.quantile_ms(0.99),
        })
    }

    pub fn print(&self, args: &Args) {
        let pace = if args.rate > 0.0 {
            format!("paced at {} msg/s", args.rate)
        } else {
            "unpaced".to_owned()
        };
        println!(
            "chat {pace} on {}: {} clients x {} msgs, {} errors, {:.2} s",
            addrs(&args.addr),
            self.clients,
            args.msgs,
            self.errors,
            self.elapsed.as_secs_f64()
        );
        println!(
            "  {:.0} deliveries/s ({}/{} delivered, {} own echoes, {} out of order)",
            self.deliveries_per_sec(),
            self.deliveries,
            self.expected,
            self.own_echoes,
            self.out_of_order
        );
        println!("  delivery latency {}", self.latency.summary());
        if let Some(error) = &self.first_error {
            println!("  first error: {error}");
        }
    }
}

/// `127.0.0.1:8125,127.0.0.1:8126`, for the report.
fn addrs(list: &[SocketAddr]) -> String {
    let list: Vec<String> = list.iter().map(SocketAddr::to_string).collect();
    list.join(",")
}

/// A message from the server (a line here, a text frame in `ws`), read
/// without copying its strings.
#[derive(Deserialize)]
pub(crate) struct Incoming<'a> {
    #[serde(rename = "type", borrow)]
    pub(crate) kind: &'a str,
    #[serde(default)]
    pub(crate) success: Option<bool>,
    #[serde(default, borrow)]
    message: Option<&'a str>,
}

/// What one client saw (TCP or WebSocket).
#[derive(Debug, Default)]
pub(crate) struct Received {
    pub(crate) deliveries: u64,
    pub(crate) own_echoes: u64,
    pub(crate) out_of_order: u64,
    pub(crate) last: Option<Instant>,
    pub(crate) latency: Latency,
}

impl Received {
    /// Counts one message from the server, arrived at `now`, for client
    /// `me`: a stamped broadcast from another client is a delivery (its
    /// latency recorded), and its `(sender, seq)` is returned; a copy of our
    /// own is an own echo. Anything else (joins, leaves, user lists, other
    /// people's broadcasts) is `None`. Not JSON: the parser's error.
    pub(crate) fn record(
        &mut self,
        json: &[u8],
        me: usize,
        started: Instant,
        now: Instant,
    ) -> serde_json::Result<Option<(usize, u64)>> {
        let message = serde_json::from_slice::<Incoming<'_>>(json)?;
        if message.kind != "broadcast" {
            return Ok(None);
        }
        let Some((sender, seq, stamp)) = message.message.and_then(parse_stamp) else {
            return Ok(None);
        };
        if sender == me {
            self.own_echoes += 1;
            return Ok(None);
        }
        let sent_at = started + Duration::from_micros(stamp);
        self.latency.record(now.saturating_duration_since(sent_at));
        self.deliveries += 1;
        self.last = Some(now);
        Ok(Some((sender, seq)))
    }
}

/// Waits for the `seq`-th broadcast of client `i` to be due, then returns
/// it: `"<sender> <seq> <µs since start>"` in the seed's JSON. Paced, client
/// `i` sends its `seq`-th at `(seq × clients + i) / rate` seconds, so all
/// clients together send `rate` per second, evenly spread; unpaced
/// (`rate` 0), at once.
pub(crate) async fn next_broadcast(
    i: usize,
    seq: usize,
    clients: usize,
    rate: f64,
    started: Instant,
) -> String {
    if rate > 0.0 {
        let at = Duration::from_secs_f64((seq * clients + i) as f64 / rate);
        tokio::time::sleep_until(tokio::time::Instant::from_std(started + at)).await;
    }
    let stamp = started.elapsed().as_micros();
    format!("{{\"type\":\"broadcast\",\"message\":\"{i} {seq} {stamp}\"}}")
}

/// Runs the load and reports. Bounded by `--secs` (plus the time to log
/// in, itself bounded by [`crate::hard_deadline`]).
pub async fn run(args: &Args) -> Result<Report, String> {
    for addr in &args.addr {
        crate::require_loopback(*addr)?;
    }
    if args.clients < 2 {
        return Err("--clients must be at least 2: a broadcast needs someone to hear it".into());
    }
    let login_by = tokio::time::Instant::now() + crate::hard_deadline(0);
    let tag = std::process::id();
    let mut logins = JoinSet::new();
    for i in 0..args.clients {
        // Client i talks to server i mod n: the clients spread evenly.
        let addr = args.addr[i % args.addr.len()];
        logins.spawn(async move {
            let result =
                tokio::time::timeout_at(login_by, login(addr, &format!("lg{tag}-{i}"))).await;
            (i, result.unwrap_or_else(|_| Err("login timed out".into())))
        });
    }
    let mut connections: Vec<Option<Client>> = (0..args.clients).map(|_| None).collect();
    while let Some(joined) = logins.join_next().await {
        let (i, client) = joined.map_err(|e| e.to_string())?;
        connections[i] = Some(client.map_err(|e| format!("client {i}: {e}"))?);
    }

    // Everyone is in: start the clock.
    let clients = args.clients;
    let started = Instant::now();
    let stop_at = tokio::time::Instant::from_std(started + Duration::from_secs(args.secs));
    let expected_each = (args.msgs * (clients - 1)) as u64;
    let mut readers = JoinSet::new();
    let mut writers = JoinSet::new();
    for (i, client) in connections.into_iter().flatten().enumerate() {
        let Client { reader, writer } = client;
        readers.spawn(receive(reader, i, clients, expected_each, started, stop_at));
        let (msgs, rate) = (args.msgs, args.rate);
        writers.spawn(async move {
            let sending = send(writer, i, clients, msgs, rate, started);
            tokio::time::timeout_at(stop_at, sending)
                .await
                .unwrap_or_else(|_| {
                    Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "sending past --secs",
                    ))
                })
        });
    }

    let report = Report {
        clients,
        expected: expected_each * clients as u64,
        ..Report::default()
    };
    Ok(collect(report, writers, readers, started).await)
}

/// Adds up what every sender and reader reported (`tcp-chat` and `ws-chat`
/// runs alike). A sender hands back its connection (`W`), which is kept open
/// until every reader is done: closing one would make the server announce a
/// leave in the middle of the count.
pub(crate) async fn collect<W, E>(
    mut report: Report,
    mut writers: JoinSet<Result<(u64, W), E>>,
    mut readers: JoinSet<(Received, Option<String>)>,
    started: Instant,
) -> Report
where
    W: Send + 'static,
    E: std::fmt::Display + Send + 'static,
{
    let note = |report: &mut Report, error: String| {
        report.errors += 1;
        report.first_error.get_or_insert(error);
    };
    let mut open_writers = Vec::new();
    while let Some(joined) = writers.join_next().await {
        match joined {
            Ok(Ok((sent, writer))) => {
                report.sent += sent;
                open_writers.push(writer);
            }
            Ok(Err(error)) => note(&mut report, format!("send: {error}")),
            Err(error) => note(&mut report, error.to_string()),
        }
    }
    let mut last = started;
    while let Some(joined) = readers.join_next().await {
        let received = match joined {
            Ok((received, None)) => received,
            Ok((received, Some(error))) => {
                note(&mut report, error);
                received
            }
            Err(error) => {
                note(&mut report, error.to_string());
                continue;
            }
        };
        report.deliveries += received.deliveries;
        report.own_echoes += received.own_echoes;
        report.out_of_order += received.out_of_order;
        report.latency.merge(&received.latency);
        last = last.max(received.last.unwrap_or(started));
    }
    drop(open_writers);
    report.elapsed = last.duration_since(started).max(Duration::from_micros(1));
    report
}

struct Client {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
}

/// Connects and logs in as `nickname`; returns once the server said yes.
async fn login(addr: SocketAddr, nickname: &str) -> Result<Client, String> {
    let stream = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    let login = serde_json::json!({"type": "login", "nickname": nickname});
    writer
        .write_all(format!("{login}\n").as_bytes())
        .await
        .map_err(|e| format!("login: {e}"))?;
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .await
            .map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("the server closed the connection during login".into());
        }
        let Ok(reply) = serde_json::from_slice::<Incoming<'_>>(&line) else {
            continue;
        };
        if reply.kind == "login" {
            return match reply.success {
                Some(true) => Ok(Client { reader, writer }),
                _ => Err(format!(
                    "login refused: {}",
                    String::from_utf8_lossy(&line).trim()
                )),
            };
        }
    }
}

/// Sends `msgs` broadcasts, each a line, when [`next_broadcast`] says.
async fn send(
    mut writer: OwnedWriteHalf,
    i: usize,
    clients: usize,
    msgs: usize,
    rate: f64,
    started: Instant,
) -> io::Result<(u64, OwnedWriteHalf)> {
    let mut sent = 0;
    for seq in 0..msgs {
        let mut line = next_broadcast(i, seq, clients, rate, started).await;
        line.push('\n');
        writer.write_all(line.as_bytes()).await?;
        sent += 1;
    }
    Ok((sent, writer))
}

/// Reads until `expected` broadcasts from the others have arrived, or
/// `stop_at`; returns what arrived, and why it stopped early if it did.
async fn receive(
    mut reader: BufReader<OwnedReadHalf>,
    me: usize,
    clients: usize,
    expected: u64,
    started: Instant,
    stop_at: tokio::time::Instant,
) -> (Received, Option<String>) {
    let mut received = Received::default();
    // The next sequence number expected from each sender.
    let mut next_seq = vec![0u64; clients];
    let mut line = Vec::new();
    while received.deliveries < expected {
        line.clear();
        match tokio::time::timeout_at(stop_at, reader.read_until(b'\n', &mut line)).await {
            Err(_) => return (received, Some("deliveries missing at --secs".into())),
            Ok(Ok(0)) => return (received, Some("the server closed the connection".into())),
            Ok(Ok(_)) => {}
            Ok(Err(error)) => return (received, Some(format!("read: {error}"))),
        }
        let now = Instant::now();
        let Ok(delivered) = received.record(&line, me, started, now) else {
            let line = String::from_utf8_lossy(&line).into_owned();
            return (received, Some(format!("not JSON: {line}")));
        };
        // Each sender's broadcasts must arrive in the order it sent them.
        if let Some((sender, seq)) = delivered
            && let Some(next) = next_seq.get_mut(sender)
        {
            if seq < *next {
                received.out_of_order += 1;
            }
            *next = (*next).max(seq + 1);
        }
    }
    (received, None)
}

/// `"<sender> <seq> <µs>"` → its three numbers.
fn parse_stamp(text: &str) -> Option<(usize, u64, u64)> {
    let mut parts = text.split(' ');
    let sender = parts.next()?.parse().ok()?;
    let seq = parts.next()?.parse().ok()?;
    let stamp = parts.next()?.parse().ok()?;
    Some((sender, seq, stamp))
}

#[derive(Debug, Clone, clap::Args)]
pub struct IdleArgs {
    /// Chat server address (loopback only).
    #[arg(long, default_value = "127.0.0.1:8125")]
    pub addr: SocketAddr,
    /// Clients to log in and hold, saying nothing.
    #[arg(long, default_value_t = 5000)]
    pub clients: usize,
    /// The server's process id, to read its memory from /proc/PID/status.
    #[arg(long, value_name = "PID")]
    pub server_pid: Option<u32>,
    /// Seconds to hold everyone after the room has gone quiet, before measuring.
    #[arg(long, default_value_t = 2)]
    pub hold: u64,
    /// Give up after this many seconds.
    #[arg(long, default_value_t = 120)]
    pub secs: u64,
}

/// The result of a `chat-idle` run. Memory figures are in KiB, `None`
/// without `--server-pid`.
#[derive(Debug, Default)]
pub struct IdleReport {
    pub clients: usize,
    pub announcements: u64,
    pub login_time: Duration,
    pub quiet_time: Duration,
    pub rss_before_kib: Option<u64>,
    pub rss_kib: Option<u64>,
    pub peak_kib: Option<u64>,
}

impl IdleReport {
    pub fn to_json(&self, args: &IdleArgs) -> serde_json::Value {
        serde_json::json!({
            "test": "chat-idle", "addr": args.addr.to_string(), "clients": self.clients,
            "announcements": self.announcements, "login_s": self.login_time.as_secs_f64(),
            "quiet_s": self.quiet_time.as_secs_f64(), "rss_before_kib": self.rss_before_kib,
            "rss_kib": self.rss_kib, "peak_rss_kib": self.peak_kib,
        })
    }

    pub fn print(&self, args: &IdleArgs) {
        println!(
            "chat-idle on {}: {} clients logged in in {:.1} s; all {} join announcements in after {:.1} s",
            args.addr,
            self.clients,
            self.login_time.as_secs_f64(),
            self.announcements,
            self.quiet_time.as_secs_f64()
        );
        if let (Some(before), Some(rss), Some(peak)) =
            (self.rss_before_kib, self.rss_kib, self.peak_kib)
        {
            let each = rss.saturating_sub(before) as f64 / self.clients as f64;
            println!(
                "  server RSS {:.1} MiB holding them ({:.1} MiB before, {each:.1} KiB per client), peak {:.1} MiB",
                rss as f64 / 1024.0,
                before as f64 / 1024.0,
                peak as f64 / 1024.0
            );
        }
    }
}

/// Logs in `--clients` silent clients, waits for every join announcement
/// to arrive (n × (n − 1) / 2 of them: each pair's earlier client hears of
/// the later one), holds, and reads the server's memory.
pub async fn run_idle(args: &IdleArgs) -> Result<IdleReport, String> {
    crate::require_loopback(args.addr)?;
    // Each client is a socket, and a socket is an open file: raise our soft
    // limit as far as the hard limit allows instead of asking the user to
    // run `ulimit -n`.
    let needed = args.clients as u64 + 64;
    let limit = rlimit::increase_nofile_limit(needed).map_err(|e| e.to_string())?;
    if limit < needed {
        return Err(format!(
            "{} clients need {needed} open files, and this system allows {limit} \
             (the hard limit, `ulimit -Hn`)",
            args.clients
        ));
    }
    let cut_off = tokio::time::Instant::now() + Duration::from_secs(args.secs);
    let rss_before = args.server_pid.map(read_memory).transpose()?;

    let heard = Arc::new(AtomicU64::new(0));
    let logged_in = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    // Log in 64 at a time: the server need not accept 5,000 at once, and we
    // measure holding them, not a connection storm.
    let gate = Arc::new(Semaphore::new(64));
    let mut clients = JoinSet::new();
    for i in 0..args.clients {
        let (addr, gate) = (args.addr, Arc::clone(&gate));
        let (heard, logged_in) = (Arc::clone(&heard), Arc::clone(&logged_in));
        let tag = std::process::id();
        clients.spawn(async move {
            let client = {
                let _permit = gate.acquire().await.map_err(|e| e.to_string())?;
                login(addr, &format!("idle{tag}-{i}")).await?
            };
            logged_in.fetch_add(1, Ordering::Relaxed);
            drain(client, &heard).await;
            Ok::<(), String>(())
        });
    }
    // Wait for all logins and all announcements, checking a few times a second.
    let all = (args.clients * args.clients.saturating_sub(1) / 2) as u64;
    let mut logged_in_at = None;
    loop {
        if let Some(Ok(Err(error))) = clients.try_join_next() {
            return Err(error);
        }
        if logged_in_at.is_none() && logged_in.load(Ordering::Relaxed) == args.clients as u64 {
            logged_in_at = Some(started.elapsed());
        }
        if heard.load(Ordering::Relaxed) >= all {
            break;
        }
        if tokio::time::Instant::now() >= cut_off {
            return Err(format!(
                "only {} of {all} join announcements arrived in {} s",
                heard.load(Ordering::Relaxed),
                args.secs
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let quiet_time = started.elapsed();
    tokio::time::sleep(Duration::from_secs(args.hold)).await;
    let after = args.server_pid.map(read_memory).transpose()?;
    clients.abort_all();
    Ok(IdleReport {
        clients: args.clients,
        announcements: heard.load(Ordering::Relaxed),
        login_time: logged_in_at.unwrap_or(quiet_time),
        quiet_time,
        rss_before_kib: rss_before.map(|m| m.0),
        rss_kib: after.map(|m| m.0),
        peak_kib: after.map(|m| m.1),
    })
}

/// Reads and counts lines (the join announcements) until the connection ends.
async fn drain(client: Client, heard: &AtomicU64) {
    let Client { reader, writer } = client;
    // Lines that arrived with the login answer are already in the buffer.
    let buffered = reader.buffer().iter().filter(|&&b| b == b'\n').count();
    heard.fetch_add(buffered as u64, Ordering::Relaxed);
    let mut reader = reader.into_inner();
    // Keep our side open: closing it would be leaving.
    let _writer = writer;
    let mut chunk = [0u8; 4096];
    while let Ok(n @ 1..) = reader.read(&mut chunk).await {
        let lines = chunk[..n].iter().filter(|&&b| b == b'\n').count();
        heard.fetch_add(lines as u64, Ordering::Relaxed);
    }
}

/// (VmRSS, VmHWM) of a process, in KiB.
fn read_memory(pid: u32) -> Result<(u64, u64), String> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .ok_or_else(|| format!("{path}: no {name}"))
    };
    Ok((field("VmRSS:")?, field("VmHWM:")?))
}

#[cfg(test)]
mod tests {
    use super::parse_stamp;

    #[test]
    fn stamps_round_trip() {
        assert_eq!(parse_stamp("3 17 123456"), Some((3, 17, 123456)));
        assert_eq!(parse_stamp("hello"), None);
        assert_eq!(parse_stamp("1 2"), None);
    }
}
