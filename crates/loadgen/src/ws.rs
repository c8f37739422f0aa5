//! `loadgen ws`: load for `ws-chat` (or any WebSocket chat speaking the
//! seed's JSON in text frames, like the Node peer `../shared/peers/node/ws-chat.js`).
//!
//! N clients open a WebSocket to `--url` and log in; then each sends M
//! broadcasts carrying the time they were sent, as fast as it can or paced at
//! `--rate` messages/s in all. Every client counts the broadcasts it
//! receives from the others and how long each took (same process, same
//! clock): deliveries/s and the latency percentiles. Copies of a client's
//! own broadcasts, if a server sends them back, are counted apart as
//! `own_echoes`. The same measure as `loadgen chat`, over WebSocket.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::http::Uri;
use tokio_tungstenite::{WebSocketStream, client_async};

use crate::chat::{Incoming, Received, Report, collect, next_broadcast};

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The chat's WebSocket URL (ws://, loopback only); several (`--url A
    /// --url B`, or `A,B`) spread the clients over them in turn.
    #[arg(long, default_value = "ws://127.0.0.1:3000/ws", value_delimiter = ',', num_args = 1..)]
    pub url: Vec<String>,
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

type Socket = WebSocketStream<TcpStream>;

/// The loopback address a `ws://` URL names. No DNS: an IP, or `localhost`.
pub fn target(url: &str) -> Result<SocketAddr, String> {
    let uri: Uri = url.parse().map_err(|e| format!("{url}: {e}"))?;
    if uri.scheme_str() != Some("ws") {
        return Err(format!(
            "{url}: only ws:// URLs (plain WebSocket on loopback)"
        ));
    }
    let host = uri.host().unwrap_or_default();
    let ip: IpAddr = match host.trim_start_matches('[').trim_end_matches(']') {
        "localhost" => IpAddr::V4(Ipv4Addr::LOCALHOST),
        literal => literal
            .parse()
            .map_err(|_| format!("{url}: give the host as an IP address (no DNS lookups)"))?,
    };
    crate::require_loopback(SocketAddr::new(ip, uri.port_u16().unwrap_or(80)))
}

/// Runs the load and reports. Bounded by `--secs` (plus the time to log
/// in, itself bounded by [`crate::hard_deadline`]).
pub async fn run(args: &Args) -> Result<Report, String> {
    let targets = args
        .url
        .iter()
        .map(|url| Ok((target(url)?, url.clone())))
        .collect::<Result<Vec<(SocketAddr, String)>, String>>()?;
    if args.clients < 2 {
        return Err("--clients must be at least 2: a broadcast needs someone to hear it".into());
    }
    let login_by = tokio::time::Instant::now() + crate::hard_deadline(0);
    let tag = std::process::id();
    let mut logins = JoinSet::new();
    for i in 0..args.clients {
        // Client i talks to server i mod n: the clients spread evenly.
        let (addr, url) = targets[i % targets.len()].clone();
        logins.spawn(async move {
            let nickname = format!("lg{tag}-{i}");
            let result = tokio::time::timeout_at(login_by, login(addr, &url, &nickname)).await;
            (i, result.unwrap_or_else(|_| Err("login timed out".into())))
        });
    }
    let mut sockets: Vec<Option<Socket>> = (0..args.clients).map(|_| None).collect();
    while let Some(joined) = logins.join_next().await {
        let (i, socket) = joined.map_err(|e| e.to_string())?;
        sockets[i] = Some(socket.map_err(|e| format!("client {i}: {e}"))?);
    }

    // Everyone is in: start the clock.
    let clients = args.clients;
    let started = Instant::now();
    let stop_at = tokio::time::Instant::from_std(started + Duration::from_secs(args.secs));
    let expected_each = (args.msgs * (clients - 1)) as u64;
    let mut readers = JoinSet::new();
    let mut writers = JoinSet::new();
    for (i, socket) in sockets.into_iter().flatten().enumerate() {
        let (sink, stream) = socket.split();
        readers.spawn(receive(stream, i, expected_each, started, stop_at));
        let (msgs, rate) = (args.msgs, args.rate);
        writers.spawn(async move {
            let sending = send(sink, i, clients, msgs, rate, started);
            tokio::time::timeout_at(stop_at, sending)
                .await
                .unwrap_or_else(|_| Err("sending past --secs".into()))
        });
    }

    let report = Report {
        clients,
        expected: expected_each * clients as u64,
        ..Report::default()
    };
    Ok(collect(report, writers, readers, started).await)
}

/// The report as one JSON object (`--json`).
pub fn to_json(report: &Report, args: &Args) -> serde_json::Value {
    serde_json::json!({
        "test": "ws", "url": args.url.join(","), "clients": report.clients,
        "msgs": args.msgs, "rate": args.rate, "sent": report.sent,
        "deliveries": report.deliveries, "expected_deliveries": report.expected,
        "own_echoes": report.own_echoes, "errors": report.errors,
        "first_error": report.first_error, "elapsed_s": report.elapsed.as_secs_f64(),
        "deliveries_per_s": report.deliveries_per_sec(),
        "p50_ms": report.latency.quantile_ms(0.5), "p99_ms": report.latency.quantile_ms(0.99),
    })
}

/// The report as text.
pub fn print(report: &Report, args: &Args) {
    let pace = if args.rate > 0.0 {
        format!("paced at {} msg/s", args.rate)
    } else {
        "unpaced".to_owned()
    };
    println!(
        "ws {pace} on {}: {} clients x {} msgs, {} errors, {:.2} s",
        args.url.join(","),
        report.clients,
        args.msgs,
        report.errors,
        report.elapsed.as_secs_f64()
    );
    println!(
        "  {:.0} deliveries/s ({}/{} delivered, {} own echoes)",
        report.deliveries_per_sec(),
        report.deliveries,
        report.expected,
        report.own_echoes
    );
    println!("  delivery latency {}", report.latency.summary());
    if let Some(error) = &report.first_error {
        println!("  first error: {error}");
    }
}

/// Opens the WebSocket and logs in as `nickname`; returns once the server
/// said yes.
async fn login(addr: SocketAddr, url: &str, nickname: &str) -> Result<Socket, String> {
    let stream = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let (mut socket, _) = client_async(url, stream)
        .await
        .map_err(|e| format!("handshake: {e}"))?;
    let login = serde_json::json!({"type": "login", "nickname": nickname});
    socket
        .send(Message::text(login.to_string()))
        .await
        .map_err(|e| format!("login: {e}"))?;
    while let Some(frame) = socket.next().await {
        let frame = frame.map_err(|e| format!("login: {e}"))?;
        let Message::Text(text) = frame else { continue };
        let Ok(reply) = serde_json::from_str::<Incoming<'_>>(&text) else {
            continue;
        };
        if reply.kind == "login" {
            return match reply.success {
                Some(true) => Ok(socket),
                _ => Err(format!("login refused: {text}")),
            };
        }
    }
    Err("the server closed the connection during login".into())
}

/// Sends `msgs` broadcasts, each a text frame, when [`next_broadcast`] says.
async fn send(
    mut sink: SplitSink<Socket, Message>,
    i: usize,
    clients: usize,
    msgs: usize,
    rate: f64,
    started: Instant,
) -> Result<(u64, SplitSink<Socket, Message>), String> {
    let mut sent = 0;
    for seq in 0..msgs {
        let frame = next_broadcast(i, seq, clients, rate, started).await;
        sink.send(Message::text(frame))
            .await
            .map_err(|e| e.to_string())?;
        sent += 1;
    }
    Ok((sent, sink))
}

/// Reads until `expected` broadcasts from the others have arrived, or
/// `stop_at`; returns what arrived, and why it stopped early if it did.
async fn receive(
    mut stream: SplitStream<Socket>,
    me: usize,
    expected: u64,
    started: Instant,
    stop_at: tokio::time::Instant,
) -> (Received, Option<String>) {
    let mut received = Received::default();
    while received.deliveries < expected {
        let text = match tokio::time::timeout_at(stop_at, stream.next()).await {
            Err(_) => return (received, Some("deliveries missing at --secs".into())),
            Ok(None) => return (received, Some("the server closed the connection".into())),
            Ok(Some(Err(error))) => return (received, Some(format!("read: {error}"))),
            Ok(Some(Ok(Message::Text(text)))) => text,
            Ok(Some(Ok(Message::Close(frame)))) => {
                return (received, Some(format!("the server closed: {frame:?}")));
            }
            Ok(Some(Ok(_))) => continue,
        };
        if received
            .record(text.as_bytes(), me, started, Instant::now())
            .is_err()
        {
            return (received, Some(format!("not JSON: {text}")));
        }
    }
    (received, None)
}
