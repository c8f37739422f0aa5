//! The server: `server.on('message', (msg, rinfo) => server.send('world', …))`.

use std::future::Future;
use std::io::{self, Write};
use std::net::SocketAddr;

use common::udp::{printable, receive_buffer};
use tokio::net::UdpSocket;
use tracing::{info, warn};

/// What the server answers to every datagram, as in the seed.
pub const REPLY: &[u8] = b"world";

/// A bound UDP server, ready to [`run`](Server::run).
#[derive(Debug)]
pub struct Server {
    socket: UdpSocket,
}

impl Server {
    /// Takes a socket that is already bound: binding is where the errors a
    /// user must fix happen (port in use), so `main` does it and explains.
    pub fn new(socket: UdpSocket) -> Self {
        Self { socket }
    }

    /// `server.address()`: where we really listen (the port, if it was 0).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.socket.local_addr()
    }

    // ANCHOR: run
    /// For every datagram, prints `server got MSG from IP:PORT` to `log` and
    /// answers `world` to its sender, until `shutdown` resolves (the seed's
    /// `server.close()`). Returns how many datagrams it answered.
    ///
    /// There is no connection to accept and no task per client: one socket
    /// receives from everybody, and each datagram says who sent it.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()>,
        mut log: impl Write,
    ) -> io::Result<u64> {
        let socket = self.socket;
        tokio::pin!(shutdown);
        // One buffer as large as any datagram: a smaller one would cut
        // longer datagrams short without telling us.
        let mut buffer = receive_buffer();
        let mut answered = 0;
        loop {
            // Wait until a datagram is queued, or Ctrl-C.
            tokio::select! {
                ready = socket.readable() => ready?,
                () = &mut shutdown => break,
            }
            // Then answer every datagram already queued before we print: the
            // log is buffered and written once per batch. One at a time you
            // see each line at once; under a flood, printing costs one write
            // to the terminal per batch instead of per datagram. (libuv does
            // the same for Node: up to 32 datagrams per wake-up.)
            loop {
                let (len, from) = match socket.try_recv_from(&mut buffer) {
                    Ok(received) => received,
                    Err(error) if error.kind() == io::ErrorKind::WouldBlock => break,
                    Err(error) => {
                        warn!(%error, "receive failed");
                        break;
                    }
                };
                // A closed stdout must not stop the server: ignore log errors.
                let _ = writeln!(log, "server got {} from {from}", printable(&buffer[..len]));
                // `server.send('world', rinfo.port, rinfo.address)`. If the
                // send buffer is full this waits: that is UDP's only
                // backpressure, and it never reaches the client.
                match socket.send_to(REPLY, from).await {
                    Ok(_) => answered += 1,
                    Err(error) => warn!(%from, %error, "could not answer"),
                }
            }
            let _ = log.flush();
        }
        info!(answered, "server closed");
        Ok(answered)
    }
    // ANCHOR_END: run
}
