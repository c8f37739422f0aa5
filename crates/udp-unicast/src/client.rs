//! The seed's client: bind, `client.send('hello', 3000, 'localhost')`, print
//! the reply. Unlike the seed's, it stops waiting after a timeout.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use common::datagram::{MAX_DATAGRAM, receive_buffer};
use common::lang::Lang;
use rust_i18n::t;
use tokio::net::UdpSocket;

/// Why the client got no answer, worded for the person who ran it, in
/// their language: [`ClientError::message`] (`Display` is the English one).
#[derive(Debug)]
pub enum ClientError {
    /// More than one datagram can carry.
    TooLarge { len: usize },
    /// Nothing came back in time.
    NoReply {
        server: SocketAddr,
        waited: Duration,
    },
    /// The server's machine said "port unreachable".
    Refused { server: SocketAddr },
    /// Anything else, as the OS says it.
    Io {
        server: SocketAddr,
        source: io::Error,
    },
}

impl ClientError {
    /// The sentence for this error in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        let locale = lang.code();
        match self {
            Self::TooLarge { len } => {
                t!(
                    "client.too_large",
                    locale = locale,
                    len = len,
                    max = MAX_DATAGRAM
                )
            }
            Self::NoReply { server, waited } => t!(
                "client.no_reply",
                locale = locale,
                server = server,
                waited = humantime::format_duration(*waited)
            ),
            Self::Refused { server } => t!("client.refused", locale = locale, server = server),
            Self::Io { server, source } => t!(
                "client.io",
                locale = locale,
                server = server,
                error = common::exit::io_error(source, lang)
            ),
        }
        .into_owned()
    }
}

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for ClientError {}

/// What the client reports, in order, like the Node client's events.
#[derive(Debug)]
pub enum Event<'a> {
    /// `'listening'`: our socket is bound (`client running IP:PORT`).
    Running(SocketAddr),
    /// `'message'`: the reply and who sent it.
    Got(&'a [u8], SocketAddr),
}

// ANCHOR: client
/// Sends `message` from `socket` to `server` and waits up to `timeout` for
/// one reply, which it returns.
///
/// We `connect` the socket first. For UDP that sends nothing: it only fixes
/// the peer, so `send` needs no address, the OS drops datagrams from anyone
/// else, and if the server's machine answers "port unreachable" (ICMP), our
/// next `recv` fails with "connection refused" instead of waiting in vain.
pub async fn run(
    socket: &UdpSocket,
    server: SocketAddr,
    message: &[u8],
    timeout: Duration,
    on_event: impl Fn(Event<'_>),
) -> Result<Vec<u8>, ClientError> {
    // Checked before sending: the OS would refuse too (EMSGSIZE), less clearly.
    if message.len() > MAX_DATAGRAM {
        return Err(ClientError::TooLarge { len: message.len() });
    }
    let io_error = |source| ClientError::Io { server, source };
    on_event(Event::Running(socket.local_addr().map_err(io_error)?));
    // ANCHOR: exchange
    socket.connect(server).await.map_err(io_error)?;
    socket
        .send(message)
        .await
        .map_err(|error| explain(error, server))?;

    let mut buffer = receive_buffer();
    match tokio::time::timeout(timeout, socket.recv(&mut buffer)).await {
        Ok(Ok(len)) => {
            on_event(Event::Got(&buffer[..len], server));
            Ok(buffer[..len].to_vec())
        }
        Ok(Err(error)) => Err(explain(error, server)),
        Err(_elapsed) => Err(ClientError::NoReply {
            server,
            waited: timeout,
        }),
    }
    // ANCHOR_END: exchange
}
// ANCHOR_END: client

/// Turns an OS error into the sentence for it.
fn explain(error: io::Error, server: SocketAddr) -> ClientError {
    match error.kind() {
        io::ErrorKind::ConnectionRefused => ClientError::Refused { server },
        _ => ClientError::Io {
            server,
            source: error,
        },
    }
}

/// Where the client binds: the seed's port (8000 by default) on the
/// loopback address when the server is on this machine, so nothing else can
/// reach it, and on every interface otherwise (the OS then picks the one
/// that routes to the server).
pub fn local_addr_for(server: SocketAddr, port: u16) -> SocketAddr {
    let ip = match (server.is_ipv4(), server.ip().is_loopback()) {
        (true, true) => std::net::Ipv4Addr::LOCALHOST.into(),
        (true, false) => std::net::Ipv4Addr::UNSPECIFIED.into(),
        (false, true) => std::net::Ipv6Addr::LOCALHOST.into(),
        (false, false) => std::net::Ipv6Addr::UNSPECIFIED.into(),
    };
    SocketAddr::new(ip, port)
}
