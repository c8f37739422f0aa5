//! The seed's client: `net.createConnection`, write, print what comes back, end.

use std::io;
use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// What the client has to report, in order, like the Node client's events.
#[derive(Debug)]
pub enum Event<'a> {
    /// `'connect'`: the three-way handshake is done.
    Connected(SocketAddr),
    /// `'data'`: one chunk as it arrived (not one message: TCP has none).
    Data(&'a [u8]),
    /// `'end'`: the server ended its side; we are done.
    Disconnected,
}

// ANCHOR: client
/// Connects to `addr`, sends `message`, ends our side, and reports every
/// chunk that comes back until the server ends too. Returns all it received.
///
/// Sending and receiving run at the same time (`try_join!`): a message larger
/// than the socket buffers would otherwise deadlock, with us still writing
/// while the server waits for us to read its echo.
pub async fn run(
    addr: SocketAddr,
    message: &[u8],
    on_event: impl Fn(Event<'_>),
) -> io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect(addr).await?;
    on_event(Event::Connected(stream.peer_addr()?));

    // `split` gives a read half and a write half of the one socket, so the two
    // futures below can each borrow the part they use.
    let (mut reader, mut writer) = stream.split();
    let send = async {
        writer.write_all(message).await?;
        // `client.end()`: send FIN. We can still read: a half-closed socket.
        writer.shutdown().await
    };
    let receive = async {
        let mut received = Vec::new();
        let mut chunk = [0; 16 * 1024];
        loop {
            let n = reader.read(&mut chunk).await?;
            if n == 0 {
                return Ok(received); // the server's FIN
            }
            on_event(Event::Data(&chunk[..n]));
            received.extend_from_slice(&chunk[..n]);
        }
    };
    let ((), received) = tokio::try_join!(send, receive)?;
    on_event(Event::Disconnected);
    Ok(received)
}
// ANCHOR_END: client
