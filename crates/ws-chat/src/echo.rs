//! `/echo`: every text or binary frame comes straight back.
//!
//! The seed's first example talks to `wss://echo.websocket.org`, a public
//! echo service that is gone; this is that service, on our own port. The
//! `/echo-test` page runs the seed's code against it.

use std::net::SocketAddr;
use std::time::Duration;

use common::lang::Lang;
use futures_util::{SinkExt, StreamExt};
use rust_i18n::t;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_util::sync::CancellationToken;
use tracing::debug;

use crate::upgrade::{WebSocket, close_frame, finish_closing};

// ANCHOR: echo
/// Sends back every data frame until the client closes, then completes the
/// closing handshake (at most `grace`). One frame at a time: we read the
/// next only once the last is sent, so a client that does not read its
/// echoes stops being read too (backpressure, like `pipe`). The reasons in
/// our Close frames are in `lang`, the connection's language.
pub async fn serve(
    mut socket: WebSocket,
    peer: SocketAddr,
    lang: Lang,
    grace: Duration,
    closing: CancellationToken,
) {
    let locale = lang.code();
    let our_close = loop {
        let next = tokio::select! {
            next = socket.next() => next,
            () = closing.cancelled() => {
                break Some(close_frame(CloseCode::Away, t!("close.shutting_down", locale = locale)));
            }
        };
        match next {
            // The same frame, text or binary, back to the sender.
            Some(Ok(frame @ (Message::Text(_) | Message::Binary(_)))) => {
                if socket.send(frame).await.is_err() {
                    break None;
                }
            }
            // Pings are answered by tungstenite, Close too.
            Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => {}
            Some(Ok(Message::Close(_))) | None => break None,
            Some(Err(WsError::Capacity(_))) => {
                break Some(close_frame(
                    CloseCode::Size,
                    t!("close.too_big", locale = locale),
                ));
            }
            Some(Err(error)) => {
                debug!(%peer, %error, "echo connection broke");
                return;
            }
        }
    };
    let finish = async {
        if let Some(close) = our_close {
            let _ = socket.send(close).await;
        }
        finish_closing(&mut socket).await;
    };
    let _ = tokio::time::timeout(grace, finish).await;
    debug!(%peer, "echo connection closed");
}
// ANCHOR_END: echo
