//! The upgrade: how an HTTP request becomes a WebSocket (RFC 6455, §4).
//!
//! The browser's `new WebSocket("ws://host/ws")` sends an ordinary GET:
//!
//! ```text
//! GET /ws HTTP/1.1
//! Connection: Upgrade
//! Upgrade: websocket
//! Sec-WebSocket-Version: 13
//! Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==
//! ```
//!
//! and we answer `101 Switching Protocols` with `Sec-WebSocket-Accept`, a
//! hash of the key that proves we understood. After that response the TCP
//! connection no longer carries HTTP: hyper hands it over to us
//! ([`hyper::upgrade::on`]) and tokio-tungstenite reads and writes frames on
//! it. Everything else (a plain GET, a wrong version) is refused in HTTP.

use std::future::Future;

use common::lang::Lang;
use futures_util::{Stream, StreamExt};
use http::header::{
    CONNECTION, HOST, HeaderMap, HeaderValue, ORIGIN, SEC_WEBSOCKET_ACCEPT, SEC_WEBSOCKET_KEY,
    SEC_WEBSOCKET_VERSION, UPGRADE,
};
use http::{Request, Response, StatusCode};
use hyper::upgrade::Upgraded;
use hyper_util::rt::TokioIo;
use rust_i18n::t;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_util::task::TaskTracker;
use tracing::debug;

use crate::MAX_MESSAGE;
use crate::server::{Body, text_response};

/// A WebSocket on a connection hyper has handed over.
pub type WebSocket = WebSocketStream<TokioIo<Upgraded>>;

/// Why a request to a WebSocket endpoint was not upgraded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No `Upgrade: websocket` (a browser's address bar, curl): 426.
    NotAnUpgrade,
    /// A WebSocket version other than 13, the only one there is: 426.
    WrongVersion,
    /// `Sec-WebSocket-Key` is missing: 400.
    NoKey,
}

// ANCHOR: accept_key
/// Checks that `headers` ask for a WebSocket, and returns what to answer in
/// `Sec-WebSocket-Accept`.
pub fn accept_key(headers: &HeaderMap) -> Result<HeaderValue, Refusal> {
    // `Connection: keep-alive, Upgrade` is fine too: it is a list of tokens.
    let connection_upgrade = headers
        .get_all(CONNECTION)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|token| token.trim().eq_ignore_ascii_case("upgrade"));
    let upgrade_websocket = headers
        .get(UPGRADE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.trim().eq_ignore_ascii_case("websocket"));
    if !connection_upgrade || !upgrade_websocket {
        return Err(Refusal::NotAnUpgrade);
    }
    if headers
        .get(SEC_WEBSOCKET_VERSION)
        .map(HeaderValue::as_bytes)
        != Some(b"13")
    {
        return Err(Refusal::WrongVersion);
    }
    let key = headers.get(SEC_WEBSOCKET_KEY).ok_or(Refusal::NoKey)?;
    // base64 of a SHA-1: always a valid header value.
    HeaderValue::from_str(&derive_accept_key(key.as_bytes())).map_err(|_| Refusal::NoKey)
}
// ANCHOR_END: accept_key

// ANCHOR: check_origin
/// Is this WebSocket request from a page we accept? `None` if it is, else
/// the origin to refuse (answered with [`refuse_origin`]'s 403). A browser
/// says which page opened it in `Origin` (`http://127.0.0.1:3000`); a
/// command-line client sends none, and is admitted. A page is admitted
/// when it came from this very server (its origin names the host the
/// request was sent to, the `Host` header) or from an origin given with
/// `--allow-origin`.
///
/// Without this, any web site a student visits could open a WebSocket to
/// `ws://127.0.0.1:3000/ws` from their browser and chat in their name:
/// browsers do not apply the same-origin policy to WebSockets, so the
/// server must (Socket.IO's `allowRequest`, `ws`'s `verifyClient`). A
/// server reachable by a name must check `Host` too (DNS rebinding).
pub fn check_origin(headers: &HeaderMap, allowed: &[String]) -> Option<String> {
    let origin = headers.get(ORIGIN)?;
    let origin = origin.to_str().unwrap_or("").trim();
    // `scheme://host[:port]`; what follows `://` is what `Host` names.
    let authority = origin.split_once("://").map(|(_, rest)| rest);
    let host = headers.get(HOST).and_then(|host| host.to_str().ok());
    let same_site = authority.is_some_and(|a| host.is_some_and(|h| a.eq_ignore_ascii_case(h)));
    let listed = allowed.iter().any(|o| o.eq_ignore_ascii_case(origin));
    if same_site || listed {
        None
    } else {
        Some(origin.to_owned())
    }
}

/// The 403 for a page of another origin, in `lang`, with the way out.
pub fn refuse_origin(origin: &str, lang: Lang) -> Response<Body> {
    let text = t!("http.origin_refused", locale = lang.code(), origin = origin);
    text_response(StatusCode::FORBIDDEN, format!("{text}\n"))
}
// ANCHOR_END: check_origin

// ANCHOR: upgrade
/// Answers a WebSocket request on `path`: `101 Switching Protocols`, and
/// once hyper has sent it and let go of the connection, `session` runs on
/// it as a task of `tracker`. A request that is not an upgrade is refused
/// (in `lang`).
pub fn upgrade<S, F>(
    mut request: Request<hyper::body::Incoming>,
    lang: Lang,
    tracker: &TaskTracker,
    session: S,
) -> Response<Body>
where
    S: FnOnce(WebSocket) -> F + Send + 'static,
    F: Future<Output = ()> + Send + 'static,
{
    let accept = match accept_key(request.headers()) {
        Ok(accept) => accept,
        Err(refusal) => return refuse(request.uri().path(), refusal, lang),
    };
    // The connection is handed over only after our 101 has been written, so
    // we wait for it in a task and return the response now.
    let upgraded = hyper::upgrade::on(&mut request);
    tracker.spawn(async move {
        match upgraded.await {
            Ok(upgraded) => {
                let io = TokioIo::new(upgraded);
                let socket =
                    WebSocketStream::from_raw_socket(io, Role::Server, Some(config())).await;
                session(socket).await;
            }
            Err(error) => debug!(%error, "upgrade failed"),
        }
    });
    let mut response = Response::new(Body::default());
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = response.headers_mut();
    headers.insert(CONNECTION, HeaderValue::from_static("Upgrade"));
    headers.insert(UPGRADE, HeaderValue::from_static("websocket"));
    headers.insert(SEC_WEBSOCKET_ACCEPT, accept);
    response
}
// ANCHOR_END: upgrade

// ANCHOR: config
/// How tungstenite treats every WebSocket of this server.
pub fn config() -> WebSocketConfig {
    WebSocketConfig::default()
        // A frame or a message over the limit is an error before it is
        // buffered: the header says how long the payload is, so a client
        // announcing 1 GiB costs us nothing.
        .max_frame_size(Some(MAX_MESSAGE))
        .max_message_size(Some(MAX_MESSAGE))
        // Each connection's read buffer. Chat frames are small; 128 KiB
        // (the default) per client would be most of the server's memory.
        .read_buffer_size(4 * 1024)
        // Outgoing frames gather up to this much before a write to the
        // socket (a flush writes the rest at once).
        .write_buffer_size(16 * 1024)
}
// ANCHOR_END: config

/// The answer, in `lang`, to a request that is not a proper upgrade.
pub fn refuse(path: &str, refusal: Refusal, lang: Lang) -> Response<Body> {
    let locale = lang.code();
    let (status, text) = match refusal {
        Refusal::NotAnUpgrade => (
            StatusCode::UPGRADE_REQUIRED,
            t!("http.not_an_upgrade", locale = locale, path = path),
        ),
        Refusal::WrongVersion => (
            StatusCode::UPGRADE_REQUIRED,
            t!("http.wrong_version", locale = locale),
        ),
        Refusal::NoKey => (StatusCode::BAD_REQUEST, t!("http.no_key", locale = locale)),
    };
    let text = format!("{text}\n");
    let mut response = text_response(status, text);
    let headers = response.headers_mut();
    headers.insert(UPGRADE, HeaderValue::from_static("websocket"));
    headers.insert(CONNECTION, HeaderValue::from_static("Upgrade"));
    headers.insert(SEC_WEBSOCKET_VERSION, HeaderValue::from_static("13"));
    response
}

/// A Close frame with a code and a sentence for the other side (at most
/// 123 bytes: the frame's limit).
pub fn close_frame(code: CloseCode, reason: impl Into<String>) -> Message {
    let reason: String = reason.into();
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}

// ANCHOR: finish_closing
/// The end of the closing handshake: reads (and drops) whatever still comes
/// until the connection is closed. Reading is what sends tungstenite's
/// answer to the client's Close, and what receives the client's answer to
/// ours. The caller bounds it with a timeout.
pub async fn finish_closing<S>(stream: &mut S)
where
    S: Stream<Item = Result<Message, WsError>> + Unpin,
{
    while let Some(Ok(_)) = stream.next().await {}
}
// ANCHOR_END: finish_closing
