//! Binding a port and what to tell the user when that fails; accepting;
//! the `listening on` line; and resolving a client's host.

use std::io::{self, Write};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use rust_i18n::t;
use tokio::net::{TcpListener, TcpStream, UdpSocket};

use crate::lang::Lang;

/// Why a server could not start listening, worded for the person who typed
/// the command: what happened, and what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum BindError {
    #[error(
        "port {port} is already in use on {ip}: stop the program using it \
         (`lsof -i :{port}` shows which) or choose another port with --port",
        ip = .0.ip(), port = .0.port()
    )]
    InUse(SocketAddr),

    #[error(
        "permission denied to listen on port {port}: ports below 1024 need \
         root; choose a port from 1024 up with --port",
        port = .0.port()
    )]
    PrivilegedPort(SocketAddr),

    #[error(
        "cannot listen on {0}: {ip} is not an address of this machine; use \
         127.0.0.1, 0.0.0.0 or one of this machine's own addresses with --host",
        ip = .0.ip()
    )]
    NotLocal(SocketAddr),

    /// Anything else, as the OS says it (the cause is in the sentence,
    /// not repeated as a `source()`).
    #[error("cannot listen on {0}: {1}")]
    Other(SocketAddr, io::Error),
}

impl BindError {
    /// The same sentence in `lang` (`Display` is the English one).
    pub fn localized(&self, lang: Lang) -> String {
        let locale = lang.code();
        match self {
            Self::InUse(addr) => t!(
                "bind.in_use",
                locale = locale,
                ip = addr.ip(),
                port = addr.port()
            )
            .into(),
            Self::PrivilegedPort(addr) => {
                t!("bind.privileged", locale = locale, port = addr.port()).into()
            }
            Self::NotLocal(addr) => t!(
                "bind.not_local",
                locale = locale,
                addr = addr,
                ip = addr.ip()
            )
            .into(),
            Self::Other(addr, error) => {
                let error = crate::exit::io_error(error, lang);
                t!("bind.other", locale = locale, addr = addr, error = error).into()
            }
        }
    }

    /// Turns the OS error from `bind` into the sentence a user needs.
    pub fn explain(addr: SocketAddr, source: io::Error) -> Self {
        match source.kind() {
            io::ErrorKind::AddrInUse => Self::InUse(addr),
            io::ErrorKind::PermissionDenied if addr.port() < 1024 => Self::PrivilegedPort(addr),
            io::ErrorKind::AddrNotAvailable => Self::NotLocal(addr),
            _ => Self::Other(addr, source),
        }
    }
}

/// `server.listen(port, host)`: binds a TCP listener, or explains why not.
pub async fn bind_tcp(addr: SocketAddr) -> Result<TcpListener, BindError> {
    TcpListener::bind(addr)
        .await
        .map_err(|e| BindError::explain(addr, e))
}

/// `socket.bind(port, host)` for UDP, or explains why not.
pub async fn bind_udp(addr: SocketAddr) -> Result<UdpSocket, BindError> {
    UdpSocket::bind(addr)
        .await
        .map_err(|e| BindError::explain(addr, e))
}

/// `listener.accept()`, riding out the errors that are nobody's fault.
///
/// Accepting can fail for reasons that have nothing to do with the client
/// knocking: most often "too many open files" (EMFILE), when the process has
/// used all its file descriptors. Stopping the server for that would punish
/// every connected client, so we log it, give connections a moment to
/// close, and try again. Cancel-safe: use it in `select!`.
pub async fn accept(listener: &TcpListener) -> (TcpStream, SocketAddr) {
    loop {
        match listener.accept().await {
            Ok(connection) => return connection,
            Err(error) => {
                tracing::warn!(%error, "accept failed; trying again in 100 ms");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// A client's `--host` and `--port` as the address to connect to: the
/// first one the name resolves to (`localhost` works, as in the seed), or
/// one sentence naming the host that could not be found.
pub async fn resolve(host: &str, port: u16) -> Result<SocketAddr, String> {
    resolve_in(host, port, Lang::En).await
}

/// [`resolve`], its sentence in `lang`.
pub async fn resolve_in(host: &str, port: u16, lang: Lang) -> Result<SocketAddr, String> {
    let locale = lang.code();
    tokio::net::lookup_host((host, port))
        .await
        .map_err(|error| {
            let error = crate::exit::io_error(&error, lang);
            t!(
                "resolve.not_found",
                locale = locale,
                host = host,
                error = error
            )
            .into_owned()
        })?
        .next()
        .ok_or_else(|| t!("resolve.no_address", locale = locale, host = host).into_owned())
}

/// Prints the one stdout line every server prints when it is ready:
/// `listening on IP:PORT`, with the address really bound (so `--port 0`
/// shows the port the OS picked). Scripts and tests wait for this line.
pub fn announce_listening(addr: SocketAddr) {
    let mut out = io::stdout().lock();
    // A closed stdout must not stop a server; there is nobody to tell.
    let _ = writeln!(out, "listening on {addr}");
    let _ = out.flush();
}

/// A web page's address for a browser on this machine: a server bound to
/// every interface (`0.0.0.0`, `::`) is reached on loopback here (a browser
/// cannot open `http://0.0.0.0/`).
pub fn local_url(scheme: &str, bound: SocketAddr) -> String {
    let ip = match bound.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("{scheme}://{}/", SocketAddr::new(ip, bound.port()))
}

/// Tells the teacher, after the `listening on` line, how students reach
/// this server (on stderr, so the stdout contract stays one line).
///
/// Bound to every interface (`0.0.0.0` or `::`): one line per address of
/// this machine that a classroom LAN can reach, as `join` writes it (a URL,
/// an `nc` command), and a hint about firewalls. Bound to loopback: a
/// reminder that only this machine can connect.
pub fn tell_students(bound: SocketAddr, lang: Lang, join: impl Fn(SocketAddr) -> String) {
    tell(
        bound,
        lang,
        join,
        "students.local_only",
        "students.firewall",
    );
}

/// [`tell_students`] for a UDP socket: nobody *connects* to it, students
/// send it datagrams, and the hints say so.
pub fn tell_students_udp(bound: SocketAddr, lang: Lang, join: impl Fn(SocketAddr) -> String) {
    tell(
        bound,
        lang,
        join,
        "students.local_only_udp",
        "students.firewall_udp",
    );
}

fn tell(
    bound: SocketAddr,
    lang: Lang,
    join: impl Fn(SocketAddr) -> String,
    local_only: &str,
    firewall: &str,
) {
    let locale = lang.code();
    if bound.ip().is_loopback() {
        eprintln!("{}", t!(local_only, locale = locale));
        return;
    }
    let addresses = if bound.ip().is_unspecified() {
        lan_addresses(bound.is_ipv6())
    } else {
        vec![bound.ip()]
    };
    if addresses.is_empty() {
        eprintln!("{}", t!("students.no_lan", locale = locale));
    }
    for ip in addresses {
        let how = join(SocketAddr::new(ip, bound.port()));
        eprintln!("{}", t!("students.join", locale = locale, how = how));
    }
    eprintln!("{}", t!(firewall, locale = locale, port = bound.port()));
}

/// This machine's addresses a classroom can reach: not loopback, not
/// link-local (169.254.x.x, fe80::), not a container bridge (docker0,
/// br-…, veth…, virbr…, cni…); IPv4 first, IPv6 too when bound to `::`.
fn lan_addresses(with_ipv6: bool) -> Vec<IpAddr> {
    const BRIDGES: [&str; 7] = ["docker", "br-", "veth", "virbr", "cni", "flannel", "podman"];
    let Ok(interfaces) = if_addrs::get_if_addrs() else {
        return Vec::new();
    };
    let mut found: Vec<IpAddr> = interfaces
        .into_iter()
        .filter(|iface| !BRIDGES.iter().any(|bridge| iface.name.starts_with(bridge)))
        .map(|iface| iface.ip())
        .filter(|ip| match ip {
            IpAddr::V4(v4) => !v4.is_loopback() && !v4.is_link_local(),
            IpAddr::V6(v6) => {
                with_ipv6 && !v6.is_loopback() && (v6.segments()[0] & 0xffc0) != 0xfe80
            }
        })
        .collect();
    found.sort_by_key(|ip| (ip.is_ipv6(), *ip));
    found.dedup();
    found
}
