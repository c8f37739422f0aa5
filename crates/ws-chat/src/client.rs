//! A chat client in Rust, doing what the page's `chat.js` does with the
//! browser's `WebSocket`: connect, send JSON in text frames, read the
//! server's. The demo and the tests use it.

use std::io;

use common::chat::{ClientMessage, ServerMessage};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

/// The client's end of a WebSocket.
pub type ClientSocket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// What the server sent, as the client sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum Received {
    /// A chat message (a text frame that parsed).
    Message(ServerMessage),
    /// A text frame that is not a chat message (from `/echo`, say).
    Text(String),
    /// A binary frame.
    Binary(Vec<u8>),
    /// The server closed, with its code and reason if it gave them
    /// (`ws.onclose`'s `event.code`, `event.reason`).
    Closed(Option<CloseFrame>),
}

/// One WebSocket connection to the chat server (or to `/echo`).
#[derive(Debug)]
pub struct ChatClient {
    socket: ClientSocket,
}

impl ChatClient {
    /// `new WebSocket(url)`, waiting for `onopen`.
    pub async fn connect(url: &str) -> Result<Self, WsError> {
        let (socket, _response) = connect_async(url).await?;
        Ok(Self { socket })
    }

    /// `ws.send(JSON.stringify(message))`.
    pub async fn send(&mut self, message: &ClientMessage) -> Result<(), WsError> {
        let json = serde_json::to_string(message).map_err(|e| WsError::Io(io::Error::other(e)))?;
        self.socket.send(Message::text(json)).await
    }

    /// Sends any frame as it is (text that is not JSON, binary, …).
    pub async fn send_frame(&mut self, frame: Message) -> Result<(), WsError> {
        self.socket.send(frame).await
    }

    /// The next thing the server sent (`ws.onmessage` / `ws.onclose`);
    /// `None` once the connection is gone. Pings are answered underneath.
    pub async fn receive(&mut self) -> Option<Result<Received, WsError>> {
        loop {
            let frame = match self.socket.next().await? {
                Ok(frame) => frame,
                Err(WsError::ConnectionClosed | WsError::AlreadyClosed) => return None,
                Err(error) => return Some(Err(error)),
            };
            return Some(Ok(match frame {
                Message::Text(text) => match serde_json::from_str(&text) {
                    Ok(message) => Received::Message(message),
                    Err(_) => Received::Text(text.to_string()),
                },
                Message::Binary(bytes) => Received::Binary(bytes.to_vec()),
                Message::Close(frame) => Received::Closed(frame),
                Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => continue,
            }));
        }
    }

    /// `ws.close()`: starts the closing handshake and waits for it to end.
    pub async fn close(mut self) -> Result<(), WsError> {
        self.socket.close(None).await?;
        while let Some(Ok(_)) = self.socket.next().await {}
        Ok(())
    }

    /// The socket itself, for what this type does not cover.
    pub fn socket(&mut self) -> &mut ClientSocket {
        &mut self.socket
    }
}
