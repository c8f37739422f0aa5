//! The chat client: `net.createConnection`, a login, then two things at
//! once: what the user types goes to the server, what the server sends is
//! printed.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use common::chat::{ClientMessage, LoginResult, ServerMessage};
use common::lang::Lang;
use futures_util::StreamExt;
use rust_i18n::t;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::mpsc;
use tokio_util::codec::FramedRead;

use crate::console::{self, Input};
use crate::framing::{Frame, FrameError, JsonStream, to_line};

/// A connection to a chat server that speaks in messages, not bytes.
#[derive(Debug)]
pub struct Connection {
    /// What the server sends, cut into messages by the same framing the
    /// server uses.
    incoming: FramedRead<OwnedReadHalf, JsonStream<ServerMessage>>,
    outgoing: OwnedWriteHalf,
    /// The language of our own errors (the user's).
    lang: Lang,
}

impl Connection {
    /// `net.createConnection`; our errors will be in `lang`.
    pub async fn connect(addr: SocketAddr, lang: Lang) -> io::Result<Self> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let (reader, writer) = stream.into_split();
        Ok(Self {
            incoming: FramedRead::new(reader, JsonStream::new()),
            outgoing: writer,
            lang,
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
                t!("client.not_a_message", locale = self.lang.code(), why = why).into_owned(),
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
                None => return Err(closed(self.lang)),
            }
        }
    }

    /// Ends our side (`socket.end()`): the server sees us leave.
    pub async fn close(mut self) -> io::Result<()> {
        self.outgoing.shutdown().await
    }

    /// Ends our side, then hands `each` what the server still sends (the
    /// answer to our last line, say) until it closes its side too, for at
    /// most `linger`: leaving does not cut off a reply on its way.
    pub async fn finish(
        mut self,
        linger: Duration,
        mut each: impl FnMut(ServerMessage),
    ) -> io::Result<()> {
        self.outgoing.shutdown().await?;
        let rest = async {
            while let Ok(Some(message)) = self.receive().await {
                each(message);
            }
        };
        let _ = tokio::time::timeout(linger, rest).await;
        Ok(())
    }
}

fn closed(lang: Lang) -> io::Error {
    let text = t!("client.server_closed", locale = lang.code());
    io::Error::new(io::ErrorKind::UnexpectedEof, text.into_owned())
}

/// What woke the chat loop.
enum Event {
    Typed(Option<String>),
    Received(io::Result<Option<ServerMessage>>),
}

// ANCHOR: chat
/// The interactive client. `typed` delivers the lines the user types (and
/// ends when they close their input); `show` prints one line for them, in
/// `lang`. Without `nickname`, the first typed line is the nickname; a
/// refused nickname is asked for again.
pub async fn chat(
    addr: SocketAddr,
    nickname: Option<String>,
    mut typed: mpsc::Receiver<String>,
    lang: Lang,
    mut show: impl FnMut(&str),
) -> io::Result<()> {
    let locale = lang.code();
    let mut server = Connection::connect(addr, lang).await?;
    show(&t!("client.connected", locale = locale, addr = addr));

    // 1. Log in, asking again until the server accepts a nickname.
    let mut candidate = nickname;
    'logging_in: loop {
        let me = loop {
            let nickname = match candidate.take() {
                Some(nickname) => nickname,
                None => {
                    show(&t!("client.choose", locale = locale));
                    match typed.recv().await {
                        // `/quit` leaves here too, rather than being a name.
                        Some(line) if line.trim() == "/quit" => {
                            show(&t!("client.bye", locale = locale));
                            return server.close().await;
                        }
                        Some(line) => line,
                        None => return server.close().await,
                    }
                }
            };
            let answer = server.login(&nickname).await?;
            let answer_line =
                console::render(&ServerMessage::Login(answer.clone()), &nickname, lang);
            show(&answer_line);
            if answer.success {
                break nickname.trim().to_owned();
            }
        };
        let help = format!("* {}", console::help(lang));
        show(&help);

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
                    Ok(Input::Help) => show(&help),
                    // A private message is shown as `[you → bob] …` only when
                    // the server's copy comes back: then it was delivered.
                    Ok(input) => {
                        if let Some(message) = input.to_message() {
                            server.send(&message).await?;
                        }
                    }
                    Err(why) => show(&format!("! {}", why.in_lang(lang))),
                },
                // Chapter 7: a cluster logged us out (our nickname was taken on
                // another server while Redis was away): choose another.
                Event::Received(Ok(Some(ServerMessage::Login(answer)))) if !answer.success => {
                    show(&console::render(&ServerMessage::Login(answer), &me, lang));
                    continue 'logging_in;
                }
                Event::Received(Ok(Some(message))) => show(&console::render(&message, &me, lang)),
                Event::Received(Ok(None)) => {
                    show(&t!("client.closed", locale = locale));
                    return Ok(());
                }
                Event::Received(Err(error)) => return Err(error),
            }
        }
        // 3. Leave, showing what the server still had for us.
        let linger = Duration::from_secs(1);
        server
            .finish(linger, |message| {
                show(&console::render(&message, &me, lang))
            })
            .await?;
        show(&t!("client.bye", locale = locale));
        return Ok(());
    }
}
// ANCHOR_END: chat
