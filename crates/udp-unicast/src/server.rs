//! The server: `server.on('message', (msg, rinfo) => server.send('world', …))`.

use std::future::Future;
use std::io;
use std::net::SocketAddr;

use common::datagram::{printable_in, receive_buffer};
use common::lang::Lang;
use rust_i18n::t;
use tokio::net::UdpSocket;
use tracing::{info, warn};

/// What the server answers to every datagram: the seed's five bytes, with
/// no line end. A datagram is a message by itself: it needs no newline to
/// say where it ends (chapter 2's TCP lines did). `nc -u` shows exactly
/// these bytes, so what you type next lands right after `world`.
pub const REPLY: &[u8] = b"world";

/// A bound UDP server, ready to [`run`](Server::run).
#[derive(Debug)]
pub struct Server {
    socket: UdpSocket,
    /// The language of its lines and logs (the terminal's).
    lang: Lang,
}

impl Server {
    /// Takes a socket that is already bound: binding is where the errors a
    /// user must fix happen (port in use), so `main` does it and explains.
    pub fn new(socket: UdpSocket, lang: Lang) -> Self {
        Self { socket, lang }
    }

    /// `server.address()`: where we really listen (the port, if it was 0).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.socket.local_addr()
    }

    // ANCHOR: run
    /// For every datagram: calls `log` with the seed's line, `server got
    /// MSG from IP:PORT` (in the server's language: one line per datagram,
    /// naming its sender), and answers `world` to its sender; until
    /// `shutdown` resolves (the seed's `server.close()`). Returns how many
    /// datagrams it answered.
    ///
    /// There is no connection to accept and no task per client: one socket
    /// receives from everybody, and each datagram says who sent it.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()>,
        mut log: impl FnMut(String),
    ) -> io::Result<u64> {
        let Self { socket, lang } = self;
        let locale = lang.code();
        // `select!` below polls `shutdown` on every turn of the loop; `pin!`
        // fixes it in place so that it can be polled by reference.
        tokio::pin!(shutdown);
        // One buffer as large as any datagram: a smaller one would cut
        // longer datagrams short without telling us.
        let mut buffer = receive_buffer();
        let mut answered = 0;
        loop {
            // ANCHOR: select
            // The next datagram and who sent it (the seed's `msg` and
            // `rinfo`), or Ctrl-C, whichever comes first.
            let (len, from) = tokio::select! {
                received = socket.recv_from(&mut buffer) => match received {
                    Ok(received) => received,
                    // Ends nothing (Windows reports here a reply that
                    // found its client gone: WSAECONNRESET).
                    Err(error) => {
                        warn!(%error, "{}", t!("server.receive_failed", locale = locale));
                        continue;
                    }
                },
                () = &mut shutdown => break,
            };
            // ANCHOR_END: select
            let msg = printable_in(&buffer[..len], lang);
            log(t!("server.got", locale = locale, msg = msg, from = from).into_owned());
            // `server.send('world', rinfo.port, rinfo.address)`. If the
            // send buffer is full this waits: that is UDP's only
            // backpressure, and it never reaches the client.
            match socket.send_to(REPLY, from).await {
                Ok(_) => answered += 1,
                Err(error) => {
                    warn!(%from, %error, "{}", t!("server.reply_failed", locale = locale));
                }
            }
        }
        info!(answered, "{}", t!("server.closed", locale = locale));
        Ok(answered)
    }
    // ANCHOR_END: run
}

/// What a student types on their own machine to send this server a
/// datagram at `to` (one of our LAN addresses): for `tell_students`.
pub fn how_students_send(to: SocketAddr, lang: Lang) -> String {
    t!(
        "server.students",
        locale = lang.code(),
        ip = to.ip(),
        port = to.port(),
        addr = to
    )
    .into_owned()
}
