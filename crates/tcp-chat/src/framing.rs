//! Framing: where one JSON message ends and the next begins on a TCP stream.
//!
//! TCP delivers bytes, not messages (the seed's own table says so). One
//! `read` may hold half a message, three messages, or the first two bytes of a
//! Chinese character; a Node client writing `JSON.stringify(msg)` puts no
//! newline between messages at all. So we never parse "what one read gave
//! us". We keep the bytes in a buffer and ask serde_json for the first
//! complete JSON value in it:
//!
//! - a complete value: take exactly its bytes out of the buffer, hand it on;
//! - the value is unfinished (serde_json reached the end of the buffer): wait
//!   for more bytes, unless the buffer is over the limit, which ends the
//!   connection;
//! - bad JSON: report it, then throw bytes away up to the next newline and
//!   start again there ("resynchronise"), so one typo does not end the chat.
//!
//! Because we parse bytes, a UTF-8 character split between two reads is
//! simply an unfinished value until its last byte arrives.
//!
//! [`JsonStream`] is a [`Decoder`]: `FramedRead::new(socket, JsonStream::new())`
//! turns a socket into a stream of [`Frame`]s. Writing needs no decoder: the
//! server writes one JSON object per line, see [`to_line`].

use std::io;
use std::marker::PhantomData;

use bytes::{Buf, BytesMut};
use common::chat::ClientMessage;
use common::lang::Lang;
use rust_i18n::t;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio_util::codec::Decoder;

/// The longest message we accept: 64 KiB of JSON. It also bounds the read
/// buffer, and with it the memory one connection can make us hold.
pub const MAX_MESSAGE: usize = 64 * 1024;

/// What [`JsonStream`] cuts out of the byte stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame<T> {
    /// One well-formed message.
    Message(T),
    /// Bytes that are not a message: invalid JSON, or valid JSON of the wrong
    /// shape (`[1,2]`, an unknown `type`, a number where a string belongs).
    /// The text says what is wrong; the stream goes on after it.
    Invalid(String),
}

/// Why the stream cannot go on.
#[derive(Debug)]
pub enum FrameError {
    /// One message is longer than the limit. We cannot resynchronise inside
    /// it without buffering it, so the connection ends.
    TooLong { limit: usize },
    /// Reading the socket failed (a reset, for example).
    Io(io::Error),
}

impl std::fmt::Display for FrameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::TooLong { limit } => write!(
                f,
                "message too long: the limit is {} KiB per message",
                limit / 1024
            ),
            Self::Io(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for FrameError {}

// `FramedRead` reports socket errors through the decoder's error type.
impl From<io::Error> for FrameError {
    fn from(error: io::Error) -> Self {
        Self::Io(error)
    }
}

/// A [`Decoder`] for a stream of JSON values of type `T` (`ClientMessage` on
/// the server, `ServerMessage` in the client), separated by whitespace or by
/// nothing at all.
#[derive(Debug)]
pub struct JsonStream<T> {
    /// The most bytes one message may take.
    limit: usize,
    /// True after invalid JSON, until the next newline has been thrown away.
    skipping: bool,
    /// The language of the [`Frame::Invalid`] sentences (the server's
    /// answer to a bad line: the client reads it).
    lang: Lang,
    /// How a JSON value that is not a `T` is explained, in `lang`.
    explain: fn(&[u8], &serde_json::Error, Lang) -> String,
    /// `T` is only produced, never stored; `fn() -> T` says so (and keeps
    /// the decoder `Send` whatever `T` is).
    message: PhantomData<fn() -> T>,
}

impl<T> Default for JsonStream<T> {
    fn default() -> Self {
        Self::with_limit(MAX_MESSAGE)
    }
}

impl<T> JsonStream<T> {
    /// A decoder with the 64 KiB limit.
    pub fn new() -> Self {
        Self::default()
    }

    /// A decoder that accepts messages up to `limit` bytes.
    pub fn with_limit(limit: usize) -> Self {
        Self {
            limit,
            skipping: false,
            lang: Lang::En,
            explain: |_, error, _| error.to_string(),
            message: PhantomData,
        }
    }
}

impl JsonStream<ClientMessage> {
    /// The server's decoder for one client, its errors in `lang`. An
    /// unknown type's error lists what this room accepts: all but `typing`,
    /// which only ws-chat (chapter 6) relays.
    pub fn for_server(lang: Lang) -> Self {
        Self {
            lang,
            explain: |line, error, lang| {
                let accepted = common::chat::CLIENT_TYPES_WITHOUT_TYPING;
                common::chat::explain_decode_error_for(line, error, lang, accepted)
            },
            ..Self::new()
        }
    }
}

// ANCHOR: decode
impl<T: DeserializeOwned> Decoder for JsonStream<T> {
    type Item = Frame<T>;
    type Error = FrameError;

    /// Called by `FramedRead` each time bytes arrive, with everything buffered
    /// so far: returns the next frame, or `None` to wait for more bytes.
    fn decode(&mut self, buffer: &mut BytesMut) -> Result<Option<Frame<T>>, FrameError> {
        if self.skipping {
            // After bad JSON: drop everything up to and including the next
            // newline. Without one, drop it all and keep looking.
            let Some(newline) = buffer.iter().position(|&byte| byte == b'\n') else {
                buffer.clear();
                return Ok(None);
            };
            buffer.advance(newline + 1);
            self.skipping = false;
        }
        // Whitespace (newlines included) between messages is not a message.
        let start = buffer
            .iter()
            .position(|byte| !matches!(byte, b' ' | b'\t' | b'\r' | b'\n'))
            .unwrap_or(buffer.len());
        buffer.advance(start);
        if buffer.is_empty() {
            return Ok(None);
        }

        // Ask serde_json for the first JSON value in the buffer, and where it ends.
        let mut values = serde_json::Deserializer::from_slice(buffer).into_iter::<Value>();
        match values.next() {
            Some(Ok(value)) => {
                let end = values.byte_offset();
                if end > self.limit {
                    return Err(FrameError::TooLong { limit: self.limit });
                }
                let json = buffer.split_to(end);
                // Valid JSON; is it a message? `ClientMessage`'s own errors
                // name the field that is wrong.
                Ok(Some(match serde_json::from_value::<T>(value) {
                    Ok(message) => Frame::Message(message),
                    Err(error) => Frame::Invalid((self.explain)(&json, &error, self.lang)),
                }))
            }
            // The value is not finished yet: wait for more bytes, but only
            // up to the limit, so a client cannot make us buffer forever.
            Some(Err(error)) if error.is_eof() => {
                if buffer.len() > self.limit {
                    Err(FrameError::TooLong { limit: self.limit })
                } else {
                    Ok(None)
                }
            }
            Some(Err(error)) => {
                self.skipping = true;
                let locale = self.lang.code();
                // serde's own sentence in English; in Chinese, where it went wrong.
                let error = match self.lang {
                    Lang::En => error.to_string(),
                    Lang::ZhCn => {
                        let (line, column) = (error.line(), error.column());
                        t!(
                            "chat.json_at",
                            locale = locale,
                            line = line,
                            column = column
                        )
                        .into()
                    }
                };
                let why = t!("chat.invalid_json", locale = locale, error = error);
                Ok(Some(Frame::Invalid(why.into())))
            }
            None => Ok(None),
        }
    }

    /// The client ended its side: anything left that is not whitespace was
    /// a message cut short.
    fn decode_eof(&mut self, buffer: &mut BytesMut) -> Result<Option<Frame<T>>, FrameError> {
        if let Some(frame) = self.decode(buffer)? {
            return Ok(Some(frame));
        }
        if buffer.is_empty() {
            return Ok(None);
        }
        buffer.clear();
        let why = t!("chat.cut_short", locale = self.lang.code());
        Ok(Some(Frame::Invalid(why.into())))
    }
}
// ANCHOR_END: decode

/// One message as it goes on the wire: compact JSON and a `\n`.
pub fn to_line<M: Serialize>(message: &M) -> Vec<u8> {
    // Serialising our own message types cannot fail: they are plain structs
    // of strings and numbers, with string keys.
    #[allow(clippy::expect_used)]
    let mut line = serde_json::to_vec(message).expect("messages serialise to JSON");
    line.push(b'\n');
    line
}
