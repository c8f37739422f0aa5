//! What a person types into `tcp-chat client`, and what they read back.
//!
//! Both directions are plain functions of strings, so they are tested
//! without a terminal or a socket.

use std::borrow::Cow;

use common::chat::{Broadcast, ClientMessage, Login, P2pTo, ServerMessage};

/// The commands, as `/help` shows them.
pub const HELP: &str = "type a line to send it to everyone; \
     @nickname message: to one person only; /users: who is online; /quit: leave";

/// One line typed by the user, understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Plain text: a message for everyone.
    Broadcast(String),
    /// `@bob hello`: a message for bob only.
    Private { to: String, message: String },
    /// `/users`: who is online?
    Users,
    /// `/quit`: leave the room.
    Quit,
    /// `/help`: show the commands.
    Help,
    /// An empty line: nothing to do.
    Nothing,
}

// ANCHOR: parse_input
/// Understands one typed line, or says what is wrong with it.
///
/// ```
/// use tcp_chat::console::{parse_input, Input};
/// assert_eq!(parse_input("/users"), Ok(Input::Users));
/// assert_eq!(
///     parse_input("@bob see you at 5"),
///     Ok(Input::Private { to: "bob".into(), message: "see you at 5".into() })
/// );
/// ```
pub fn parse_input(line: &str) -> Result<Input, String> {
    let line = line.trim();
    if line.is_empty() {
        return Ok(Input::Nothing);
    }
    if let Some(rest) = line.strip_prefix('@') {
        let (to, message) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        let message = message.trim();
        return match (to, message) {
            ("", _) => Err("write @nickname and then your message".into()),
            (to, "") => Err(format!(
                "nothing to send: write @{to} and then your message"
            )),
            (to, message) => Ok(Input::Private {
                to: to.to_owned(),
                message: message.to_owned(),
            }),
        };
    }
    if let Some(command) = line.strip_prefix('/') {
        // `//text` sends "/text" to everyone.
        if command.starts_with('/') {
            return Ok(Input::Broadcast(command.to_owned()));
        }
        let name = command.split_whitespace().next().unwrap_or("");
        return match name.to_lowercase().as_str() {
            "users" => Ok(Input::Users),
            "quit" | "exit" => Ok(Input::Quit),
            "help" | "?" => Ok(Input::Help),
            _ => Err(format!("unknown command /{name}: {HELP}")),
        };
    }
    Ok(Input::Broadcast(line.to_owned()))
}
// ANCHOR_END: parse_input

impl Input {
    /// The message this input sends to the server, if it sends one.
    pub fn to_message(&self) -> Option<ClientMessage> {
        match self {
            Input::Broadcast(message) => Some(ClientMessage::Broadcast(Broadcast {
                message: message.clone(),
            })),
            Input::Private { to, message } => Some(ClientMessage::P2p(P2pTo {
                to: to.clone(),
                message: message.clone(),
            })),
            Input::Users => Some(ClientMessage::Users),
            Input::Quit | Input::Help | Input::Nothing => None,
        }
    }
}

/// `{"type":"login","nickname":…}`
pub fn login(nickname: &str) -> ClientMessage {
    ClientMessage::Login(Login {
        nickname: nickname.to_owned(),
    })
}

// ANCHOR: render
/// One message from the server as the user should read it; `me` is our own
/// nickname, to write "you".
///
/// `[alice] hi` · `[alice → you] psst` · `* bob joined, 3 online` ·
/// `! nickname alice is taken, choose another`
pub fn render(message: &ServerMessage, me: &str) -> String {
    match message {
        ServerMessage::Login(answer) if answer.success => format!("* {}", clean(&answer.message)),
        ServerMessage::Login(answer) => format!("! {}", clean(&answer.message)),
        ServerMessage::Broadcast(b) => format!("[{}] {}", clean(&b.nickname), clean(&b.message)),
        ServerMessage::P2p(p) => {
            let to = if p.to.to_lowercase() == me.to_lowercase() {
                "you"
            } else {
                &p.to
            };
            format!("[{} → {}] {}", clean(&p.from), clean(to), clean(&p.message))
        }
        ServerMessage::Log(log) => format!("* {}", clean(&log.message)),
        ServerMessage::Users(list) => {
            format!(
                "* online ({}): {}",
                list.users.len(),
                clean(&list.users.join(", "))
            )
        }
        ServerMessage::Error(error) => format!("! {}", clean(&error.message)),
        ServerMessage::Typing(t) if t.typing => format!("* {} is typing…", clean(&t.nickname)),
        ServerMessage::Typing(t) => format!("* {} stopped typing", clean(&t.nickname)),
    }
}
// ANCHOR_END: render

/// What we print of our own private message (the server sends it to the
/// other person only).
pub fn render_sent_privately(to: &str, message: &str) -> String {
    format!("[you → {}] {}", clean(to), clean(message))
}

/// Text from other people, made safe to print: control characters (a
/// newline that fakes a second message, an escape sequence that clears the
/// screen) are shown as escapes instead of being obeyed by the terminal.
fn clean(text: &str) -> Cow<'_, str> {
    if text.chars().any(char::is_control) {
        Cow::Owned(
            text.chars()
                .map(|c| {
                    if c.is_control() {
                        c.escape_default().to_string()
                    } else {
                        c.to_string()
                    }
                })
                .collect(),
        )
    } else {
        Cow::Borrowed(text)
    }
}
