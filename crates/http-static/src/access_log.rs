//! One line per request on stderr, written when the response is done:
//!
//! ```text
//! INFO GET /css/main.css 200 412 bytes in 96µs
//! INFO GET /20m.bin 200 3407872 of 20971520 bytes in 1.2s (cut off)
//! ```
//!
//! (or in Chinese, with `--lang zh-CN`: `GET /css/main.css 200，412 字节，用时 96µs`)
//!
//! "Done" means the body has been handed to the socket, or the client went
//! away: hyper drops the body either way, and our [`Logged`] wrapper writes
//! the line in its `Drop`. So a 20 MiB download is logged with its real
//! duration, and one cut short says how far it got.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::Bytes;
use common::lang::Lang;
use http::header::CONTENT_LENGTH;
use http::{Method, Response, StatusCode, Uri};
use hyper::body::{Body, Frame, SizeHint};
use rust_i18n::t;
use tracing::info;

/// A response body that counts what it sends and logs the request when dropped.
#[derive(Debug)]
pub struct Logged<B> {
    inner: B,
    method: Method,
    uri: Uri,
    status: StatusCode,
    /// The `Content-Length` we promised, to tell a download cut short.
    expected: Option<u64>,
    /// Bytes handed to hyper so far (it may still have the last ones in
    /// its buffer when a client goes away).
    sent: u64,
    started: Instant,
    /// The log's language (`--lang`).
    lang: Lang,
}

/// Wraps `response`'s body so that its request is logged when it is done.
pub fn wrap<B: Body>(
    method: Method,
    uri: Uri,
    started: Instant,
    response: Response<B>,
    lang: Lang,
) -> Response<Logged<B>> {
    let status = response.status();
    let expected = response
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|len| len.to_str().ok()?.parse().ok());
    response.map(|inner| Logged {
        expected,
        inner,
        method,
        uri,
        status,
        sent: 0,
        started,
        lang,
    })
}

impl<B> Body for Logged<B>
where
    B: Body<Data = Bytes> + Unpin,
{
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled
            && let Some(data) = frame.data_ref()
        {
            self.sent += data.len() as u64;
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl<B> Drop for Logged<B> {
    fn drop(&mut self) {
        let (method, path, status) = (&self.method, self.uri.path(), self.status.as_u16());
        let elapsed = format!("{:.1?}", self.started.elapsed());
        let (line, sent, locale) = (
            format!("{method} {path} {status}"),
            self.sent,
            self.lang.code(),
        );
        match self.expected {
            Some(expected) if sent < expected && method != Method::HEAD => info!(
                "{}",
                t!(
                    "log.request_cut",
                    locale = locale,
                    line = line,
                    sent = sent,
                    expected = expected,
                    elapsed = elapsed
                )
            ),
            _ => info!(
                "{}",
                t!(
                    "log.request",
                    locale = locale,
                    line = line,
                    sent = sent,
                    elapsed = elapsed
                )
            ),
        }
    }
}
