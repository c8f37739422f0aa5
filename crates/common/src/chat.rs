//! The chat room's "language protocol" (seed chapter 2, 数据格式设计): what
//! `tcp-chat` (chapter 2) and `ws-chat` (chapter 6) must agree on, and
//! nothing else. Each lesson keeps its own room, written for its own wire.
//!
//! TCP only moves bytes; the two ends must agree on what the bytes mean. The
//! seed picks JSON objects with a `"type"` field, and so do we:
//!
//! | direction | JSON |
//! |---|---|
//! | client → server | `{"type":"login","nickname":"alice"}` |
//! | | `{"type":"broadcast","message":"hi"}` |
//! | | `{"type":"p2p","to":"bob","message":"psst"}` |
//! | | `{"type":"users"}` |
//! | | `{"type":"typing","typing":true}` (ws-chat) |
//! | server → client | `{"type":"login","success":true,"message":"…","sumUsers":3}` |
//! | | `{"type":"broadcast","nickname":"alice","message":"hi"}` |
//! | | `{"type":"p2p","from":"alice","to":"bob","message":"psst"}` |
//! | | `{"type":"log","message":"bob joined, 3 online"}` |
//! | | `{"type":"users","users":["alice","bob"]}` |
//! | | `{"type":"error","message":"…"}` |
//! | | `{"type":"typing","nickname":"alice","typing":true}` (ws-chat) |
//!
//! Each message is a Rust enum variant; serde writes the variant's name into
//! `"type"` (`#[serde(tag = "type")]`). Reading is done by hand in
//! `decode_tagged` instead of by `#[derive(Deserialize)]`, for one reason a
//! student will meet at once: the derived code says "invalid type: integer,
//! expected a string" without saying *which field*. Ours says
//! "field `nickname`: invalid type: integer `5`, expected a string".
//!
//! Both rooms also apply one rule to nicknames, [`check_nickname`], so that a
//! name that works in the terminal works in the browser too. How a message
//! is framed on the wire is each lesson's own business.

use rust_i18n::t;
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::lang::Lang;

/// What a client sends to the chat server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ClientMessage {
    /// `{"type":"login","nickname":…}`: register a nickname; must come first.
    Login(Login),
    /// `{"type":"broadcast","message":…}`: a message to the whole room.
    Broadcast(Broadcast),
    /// `{"type":"p2p","to":…,"message":…}`: a private message to one user.
    P2p(P2pTo),
    /// `{"type":"users"}`: ask who is online.
    Users,
    /// `{"type":"typing","typing":…}`: "I am typing" (`true`) or "I
    /// stopped" (`false`). New in chapter 6 (the seed's "{user} 正在输入");
    /// ws-chat relays it, tcp-chat answers that it does not.
    Typing(Typing),
}

/// The body of a login request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Login {
    pub nickname: String,
}

/// The body of a broadcast request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Broadcast {
    pub message: String,
}

/// The body of a private-message request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct P2pTo {
    pub to: String,
    pub message: String,
}

/// The body of a typing notice from a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Typing {
    pub typing: bool,
}

/// What the chat server sends to a client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ServerMessage {
    /// The answer to a login: did it work, why (not), and how many are online.
    Login(LoginResult),
    /// Someone's broadcast; `nickname` is the sender as the server knows it.
    Broadcast(BroadcastFrom),
    /// A private message; `from` is the sender as the server knows it.
    P2p(P2pFrom),
    /// A notice about the room, such as a user joining or leaving.
    Log(Text),
    /// The nicknames online, sorted.
    Users(UserList),
    /// Something the client sent could not be done; the connection goes on.
    Error(Text),
    /// Someone started (`true`) or stopped (`false`) typing.
    Typing(TypingFrom),
}

/// The body of a login answer. `sumUsers` keeps the seed's camelCase on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginResult {
    pub success: bool,
    pub message: String,
    #[serde(rename = "sumUsers")]
    pub sum_users: usize,
}

/// The body of a broadcast as delivered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BroadcastFrom {
    pub nickname: String,
    pub message: String,
}

/// The body of a private message as delivered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct P2pFrom {
    pub from: String,
    pub to: String,
    pub message: String,
}

/// A body that is just a `message` (used by `log` and `error`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    pub message: String,
}

/// The body of a users list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserList {
    pub users: Vec<String>,
}

/// The body of a typing notice as delivered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypingFrom {
    pub nickname: String,
    pub typing: bool,
}

impl ServerMessage {
    /// `{"type":"broadcast","nickname":…,"message":…}`
    pub fn broadcast(nickname: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Broadcast(BroadcastFrom {
            nickname: nickname.into(),
            message: message.into(),
        })
    }

    /// `{"type":"typing","nickname":…,"typing":…}`
    pub fn typing(nickname: impl Into<String>, typing: bool) -> Self {
        Self::Typing(TypingFrom {
            nickname: nickname.into(),
            typing,
        })
    }

    /// `{"type":"log","message":…}`
    pub fn log(message: impl Into<String>) -> Self {
        Self::Log(Text {
            message: message.into(),
        })
    }

    /// `{"type":"error","message":…}`
    pub fn error(message: impl Into<String>) -> Self {
        Self::Error(Text {
            message: message.into(),
        })
    }
}

/// The `"type"`s a client may send, and a server.
const CLIENT_TYPES: &str = "login, broadcast, p2p, users, typing";
const SERVER_TYPES: &str = "login, broadcast, p2p, log, users, error, typing";

impl<'de> Deserialize<'de> for ClientMessage {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let (kind, body) = decode_tagged(deserializer)?;
        Ok(match kind.as_str() {
            "login" => Self::Login(body.fields()?),
            "broadcast" => Self::Broadcast(body.fields()?),
            "p2p" => Self::P2p(body.fields()?),
            "users" => Self::Users,
            "typing" => Self::Typing(body.fields()?),
            other => return Err(unknown_type(other, CLIENT_TYPES)),
        })
    }
}

impl<'de> Deserialize<'de> for ServerMessage {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let (kind, body) = decode_tagged(deserializer)?;
        Ok(match kind.as_str() {
            "login" => Self::Login(body.fields()?),
            "broadcast" => Self::Broadcast(body.fields()?),
            "p2p" => Self::P2p(body.fields()?),
            "log" => Self::Log(body.fields()?),
            "users" => Self::Users(body.fields()?),
            "error" => Self::Error(body.fields()?),
            "typing" => Self::Typing(body.fields()?),
            other => return Err(unknown_type(other, SERVER_TYPES)),
        })
    }
}

/// A message's fields once its `"type"` has been taken out.
struct Body(Map<String, Value>);

impl Body {
    /// Reads the fields into `T`, naming the field when one is wrong.
    fn fields<T: DeserializeOwned, E: serde::de::Error>(self) -> Result<T, E> {
        serde_path_to_error::deserialize(Value::Object(self.0)).map_err(|error| {
            let path = error.path().to_string();
            if path == "." {
                // "missing field `nickname`" already names it.
                E::custom(error.into_inner())
            } else {
                E::custom(format_args!("field `{path}`: {}", error.into_inner()))
            }
        })
    }
}

/// Reads one JSON object and splits it into its `"type"` and the other fields.
fn decode_tagged<'de, D: Deserializer<'de>>(deserializer: D) -> Result<(String, Body), D::Error> {
    let value = Value::deserialize(deserializer)?;
    let Value::Object(mut fields) = value else {
        return Err(D::Error::custom(format_args!(
            "a message must be a JSON object like {{\"type\":\"login\",…}}, not {}",
            json_kind_in(&value, Lang::En)
        )));
    };
    match fields.remove("type") {
        Some(Value::String(kind)) => Ok((kind, Body(fields))),
        Some(other) => Err(D::Error::custom(format_args!(
            "field `type` must be a string, not {}",
            json_kind_in(&other, Lang::En)
        ))),
        None => Err(D::Error::missing_field("type")),
    }
}

fn unknown_type<E: serde::de::Error>(kind: &str, known: &str) -> E {
    E::custom(format_args!(
        "unknown message type `{kind}`, expected one of {known}"
    ))
}

/// The `"type"`s a room that relays no typing notices (tcp-chat) accepts:
/// its errors list these, so that they name only what it takes.
pub const CLIENT_TYPES_WITHOUT_TYPING: &str = "login, broadcast, p2p, users";

/// Why the server could not read `line` as a [`ClientMessage`], in `lang`,
/// for the `{"type":"error"}` answer: `error` is what decoding it said.
///
/// English is serde's own sentence (ours, for the checks above). In
/// Chinese the line is looked at again, step by step as the decoder does,
/// to say the same in Chinese; only serde's detail of a wrong field's
/// value (`invalid type: integer `5`, expected a string`) stays English.
pub fn explain_decode_error(line: &[u8], error: &serde_json::Error, lang: Lang) -> String {
    explain_decode_error_for(line, error, lang, CLIENT_TYPES)
}

/// [`explain_decode_error`] for a room that accepts only the `"type"`s in
/// `accepted` (`, `-separated, such as [`CLIENT_TYPES_WITHOUT_TYPING`]):
/// an unknown type's error lists those.
pub fn explain_decode_error_for(
    line: &[u8],
    error: &serde_json::Error,
    lang: Lang,
    accepted: &str,
) -> String {
    if lang == Lang::En {
        // The list appears only in the unknown-type sentence.
        return error.to_string().replace(CLIENT_TYPES, accepted);
    }
    let locale = lang.code();
    let value: Value = match serde_json::from_slice(line) {
        Ok(value) => value,
        Err(e) => {
            let (line, column) = (e.line(), e.column());
            return t!(
                "chat.decode.not_json",
                locale = locale,
                line = line,
                column = column
            )
            .into();
        }
    };
    let Value::Object(mut fields) = value else {
        let kind = json_kind_in(&value, lang);
        return t!("chat.decode.not_object", locale = locale, kind = kind).into();
    };
    let kind = match fields.remove("type") {
        Some(Value::String(kind)) => kind,
        Some(other) => {
            let kind = json_kind_in(&other, lang);
            return t!("chat.decode.type_not_string", locale = locale, kind = kind).into();
        }
        None => return t!("chat.decode.missing_field", locale = locale, field = "type").into(),
    };
    if !CLIENT_TYPES.split(", ").any(|known| known == kind) {
        let known = accepted;
        return t!(
            "chat.decode.unknown_type",
            locale = locale,
            kind = kind,
            known = known
        )
        .into();
    }
    // The type is known, so one of its fields is wrong: `Body::fields` named it.
    let text = error.to_string();
    let detail = text.split(" at line ").next().unwrap_or(&text);
    if let Some(field) = detail
        .strip_prefix("missing field `")
        .and_then(|r| r.split('`').next())
    {
        return t!("chat.decode.missing_field", locale = locale, field = field).into();
    }
    if let Some((field, detail)) = detail
        .strip_prefix("field `")
        .and_then(|r| r.split_once("`: "))
    {
        return t!(
            "chat.decode.bad_field",
            locale = locale,
            field = field,
            detail = detail
        )
        .into();
    }
    t!("chat.decode.other", locale = locale, detail = detail).into()
}

/// "unknown message type `typing`, expected one of …" in `lang`, for a
/// room that decoded a type it does not take (tcp-chat and `typing`).
pub fn unknown_type_in(kind: &str, accepted: &str, lang: Lang) -> String {
    t!(
        "chat.decode.unknown_type",
        locale = lang.code(),
        kind = kind,
        known = accepted
    )
    .into()
}

/// "an array", "数组", … for the sentences above.
fn json_kind_in(value: &Value, lang: Lang) -> String {
    let key = match value {
        Value::Null => "chat.kind.null",
        Value::Bool(_) => "chat.kind.boolean",
        Value::Number(_) => "chat.kind.number",
        Value::String(_) => "chat.kind.string",
        Value::Array(_) => "chat.kind.array",
        Value::Object(_) => "chat.kind.object",
    };
    t!(key, locale = lang.code()).into()
}

/// The longest nickname, in characters.
pub const MAX_NICKNAME: usize = 32;

// ANCHOR: check_nickname
/// Checks a requested nickname. Returns it without surrounding spaces, or
/// a sentence in `lang` saying what is wrong with it. (Whether it is taken
/// is each room's business: both compare ignoring case.)
pub fn check_nickname(requested: &str, lang: Lang) -> Result<&str, String> {
    let locale = lang.code();
    let nickname = requested.trim();
    if nickname.is_empty() {
        return Err(t!("chat.nickname.empty", locale = locale).into());
    }
    if nickname.chars().count() > MAX_NICKNAME {
        return Err(t!(
            "chat.nickname.too_long",
            locale = locale,
            max = MAX_NICKNAME
        )
        .into());
    }
    if nickname.chars().any(char::is_control) {
        return Err(t!("chat.nickname.control", locale = locale).into());
    }
    if nickname.chars().any(char::is_whitespace) {
        return Err(t!("chat.nickname.space", locale = locale).into());
    }
    if nickname.starts_with(['@', '/']) {
        // "@bob hi" is a private message and "/users" a command in the
        // clients: a user called "/quit" or "@x" could not be told apart.
        return Err(t!("chat.nickname.command", locale = locale).into());
    }
    Ok(nickname)
}
// ANCHOR_END: check_nickname
