//! The chat client: `net.createConnection`, a login, then two things at
//! once: what the user types goes to the server, what the server sends is
//! printed.

use std::io;
use std::net::SocketAddr;

use common::chat::{ClientMessage, LoginResult, ServerMessage};
use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::mpsc;
use tokio_util::codec::FramedRead;

use crate::console::{self, HELP, Input};
use crate::framing::{Frame, FrameError, JsonStream, to_line};

/// A connection to a chat server that speaks in messages, not bytes.
#[derive(Debug)]
pub struct Connection {
    /// What the server sends, cut into messages by the same framing the
    /// server uses.
    incoming: FramedRead<OwnedReadHalf, JsonStream<ServerMessage>>,
    outgoing: OwnedWriteHalf,
}

impl Connection {
    /// `net.createConnection`.
    pub async fn connect(addr: SocketAddr) -> io::Result<Self> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let (reader, writer) = stream.into_split();
        Ok(Self {
            incoming: FramedRead::new(reader, JsonStream::new()),
            outgoing: writer,
        })
    }

    /// Sends one message, as one line of JSON.
    pub async fn send(&mut self, message: &ClientMessage) -> io::Result<()> {
        self.outgoing.write_all(&to_line(message)).await
    }

    /// Sends bytes as they are, whatever they are (the demo and the tests
    /// use it to show framing at work).
    pub async fn send_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.outgoing.write_all(bytes).await
    }

    /// The next message from the server; `None` once it has closed the
    /// connection. Something that is not a message is an error: our server
    /// never sends one.
    pub async fn receive(&mut self) -> io::Result<Option<ServerMessage>> {
        match self.incoming.next().await {
            None => Ok(None),
            Some(Ok(Frame::Message(message))) => Ok(Some(message)),
            Some(Ok(Frame::Invalid(why))) => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("the server sent something that is not a chat message: {why}"),
            )),
            Some(Err(FrameError::Io(error))) => Err(error),
            Some(Err(error @ FrameError::TooLong { .. })) => {
                Err(io::Error::new(io::ErrorKind::InvalidData, error))
            }
        }
    }

    /// Asks for `nickname` and waits for the answer.
    pub async fn login(&mut self, nickname: &str) -> io::Result<LoginResult> {
        self.send(&console::login(nickname)).await?;
        loop {
            match self.receive().await? {
                Some(ServerMessage::Login(answer)) => return Ok(answer),
                Some(_) => continue,
                None => return Err(closed()),
            }
        }
    }

    /// Ends our side (`socket.end()`): the server sees us leave.
    pub async fn close(mut self) -> io::Result<()> {
        self.outgoing.shutdown().await
    }
}

fn closed() -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        "the server closed the connection",
    )
}

/// What woke the chat loop.
enum Event {
    Typed(Option<String>),
    Received(io::Result<Option<ServerMessage>>),
}

// ANCHOR: chat
/// The interactive client. `typed` delivers the lines the user types (and
/// ends when they close their input); `show` prints one line for them.
/// Without `nickname`, the first typed line is the nickname; a refused
/// nickname is asked for again.
pub async fn chat(
    addr: SocketAddr,
    nickname: Option<String>,
    mut typed: mpsc::Receiver<String>,
    mut show: impl FnMut(&str),
) -> io::Result<()> {
    let mut server = Connection::connect(addr).await?;
    show(&format!("* connected to {addr}"));

    // 1. Log in, asking again until the server accepts a nickname.
    let mut candidate = nickname;
    let me = loop {
        let nickname = match candidate.take() {
            Some(nickname) => nickname,
            None => {
                show("choose a nickname:");
                match typed.recv().await {
                    Some(line) => line,
                    None => return server.close().await,
                }
            }
        };
        let answer = server.login(&nickname).await?;
        show(&console::render(
            &ServerMessage::Login(answer.clone()),
            &nickname,
        ));
        if answer.success {
            break nickname.trim().to_owned();
        }
    };
    show(&format!("* {HELP}"));

    // 2. Chat: wait for whichever comes first, a typed line or a message.
    loop {
        let event = tokio::select! {
            line = typed.recv() => Event::Typed(line),
            message = server.receive() => Event::Received(message),
        };
        match event {
            Event::Typed(None) => break,
            Event::Typed(Some(line)) => match console::parse_input(&line) {
                Ok(Input::Quit) => break,
                Ok(Input::Help) => show(&format!("* {HELP}")),
                Ok(input) => {
                    if let Some(message) = input.to_message() {
                        server.send(&message).await?;
                    }
                    if let Input::Private { to, message } = &input {
                        show(&console::render_sent_privately(to, message));
                    }
                }
                Err(why) => show(&format!("! {why}")),
            },
            Event::Received(Ok(Some(message))) => show(&console::render(&message, &me)),
            Event::Received(Ok(None)) => {
                show("! the server closed the connection");
                return Ok(());
            }
            Event::Received(Err(error)) => return Err(error),
        }
    }
    show("* bye");
    server.close().await
}
// ANCHOR_END: chat
