//! What a person types into `tcp-chat client`, and what they read back.
//!
//! Both directions are plain functions of strings, so they are tested
//! without a terminal or a socket. What the client itself says is in the
//! user's language (`--lang`, or LANG); what others write is shown as is.

use std::borrow::Cow;

use common::chat::{Broadcast, ClientMessage, Login, P2pTo, ServerMessage};
use common::lang::Lang;
use rust_i18n::t;

/// The commands, as `/help` shows them, in `lang`.
pub fn help(lang: Lang) -> String {
    t!("client.help", locale = lang.code()).into()
}

/// What is wrong with a typed line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputError {
    /// `@` without a nickname.
    NoTarget,
    /// `@bob` without a message.
    NothingToSend { to: String },
    /// `/dance`.
    UnknownCommand { name: String },
}

impl InputError {
    /// The sentence the user reads, in `lang`.
    pub fn in_lang(&self, lang: Lang) -> String {
        let locale = lang.code();
        match self {
            InputError::NoTarget => t!("console.no_target", locale = locale),
            InputError::NothingToSend { to } => {
                t!("console.nothing_to_send", locale = locale, to = to)
            }
            InputError::UnknownCommand { name } => {
                let help = help(lang);
                t!(
                    "console.unknown_command",
                    locale = locale,
                    name = name,
                    help = help
                )
            }
        }
        .into()
    }
}

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
pub fn parse_input(line: &str) -> Result<Input, InputError> {
    let line = line.trim();
    if line.is_empty() {
        return Ok(Input::Nothing);
    }
    if let Some(rest) = line.strip_prefix('@') {
        let (to, message) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        let message = message.trim();
        return match (to, message) {
            ("", _) => Err(InputError::NoTarget),
            (to, "") => Err(InputError::NothingToSend { to: to.to_owned() }),
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
            _ => Err(InputError::UnknownCommand {
                name: name.to_owned(),
            }),
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
/// nickname, to write "you" (in `lang`, as the client's own words).
///
/// `[alice] hi` · `[alice → you] psst` · `[you → bob] psst` (the server's
/// copy of our own private message: it was delivered) ·
/// `* bob joined, 3 online` · `! nickname alice is taken, choose another`
pub fn render(message: &ServerMessage, me: &str, lang: Lang) -> String {
    let locale = lang.code();
    let you = t!("console.you", locale = locale);
    let is_me = |name: &str| name.to_lowercase() == me.to_lowercase();
    match message {
        ServerMessage::Login(answer) if answer.success => format!("* {}", clean(&answer.message)),
        ServerMessage::Login(answer) => format!("! {}", clean(&answer.message)),
        ServerMessage::Broadcast(b) => format!("[{}] {}", clean(&b.nickname), clean(&b.message)),
        ServerMessage::P2p(p) => {
            let from = if is_me(&p.from) { &you } else { &p.from[..] };
            let to = if is_me(&p.to) { &you } else { &p.to[..] };
            format!("[{} → {}] {}", clean(from), clean(to), clean(&p.message))
        }
        ServerMessage::Log(log) => format!("* {}", clean(&log.message)),
        ServerMessage::Users(list) => {
            let count = list.users.len();
            let users = clean(&list.users.join(", ")).into_owned();
            t!(
                "console.online",
                locale = locale,
                count = count,
                users = users
            )
            .into()
        }
        ServerMessage::Error(error) => format!("! {}", clean(&error.message)),
        ServerMessage::Typing(typing) => {
            let key = if typing.typing {
                "console.typing"
            } else {
                "console.stopped_typing"
            };
            let nickname = clean(&typing.nickname).into_owned();
            t!(key, locale = locale, nickname = nickname).into()
        }
    }
}
// ANCHOR_END: render

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
