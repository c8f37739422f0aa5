//! Small builders for the responses the server sends: the seed's
//! `res.statusCode = …; res.setHeader('Content-Type', …); res.end(…)` in
//! one call each.

use std::convert::Infallible;
use std::io;

use bytes::Bytes;
use common::lang::Lang;
use http::header::{ALLOW, CONTENT_TYPE, HeaderValue, LOCATION};
use http::{Response, StatusCode};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full};
use rust_i18n::t;

/// A response body: bytes from memory, or a file streamed from disk.
/// Boxed, so that one handler can return either.
pub type Body = UnsyncBoxBody<Bytes, io::Error>;

/// A body of `bytes`, all in memory (`res.end(data)`).
pub fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never: Infallible| match never {})
        .boxed_unsync()
}

/// No body at all (a 304, a 303).
pub fn empty_body() -> Body {
    full(Bytes::new())
}

/// A response with status `status` and no body.
pub fn empty(status: StatusCode) -> Response<Body> {
    let mut response = Response::new(empty_body());
    *response.status_mut() = status;
    response
}

/// `res.end(text + '\n')` with `Content-Type: text/plain; charset=utf-8`.
/// The final newline ends the line, so that after `curl` the shell's
/// prompt starts on a line of its own.
pub fn text(status: StatusCode, body: &str) -> Response<Body> {
    with_type(status, "text/plain; charset=utf-8", format!("{body}\n"))
}

/// `res.statusCode = status; res.setHeader('Content-Type', content_type);
/// res.end(body)`.
pub fn with_type(
    status: StatusCode,
    content_type: &'static str,
    body: impl Into<Bytes>,
) -> Response<Body> {
    let mut response = Response::new(full(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// The seed's `404 Not Found.`, in `lang`.
pub fn not_found(lang: Lang) -> Response<Body> {
    text(
        StatusCode::NOT_FOUND,
        &t!("http.not_found", locale = lang.code()),
    )
}

/// `403 Forbidden.`, in `lang`.
pub fn forbidden(lang: Lang) -> Response<Body> {
    text(
        StatusCode::FORBIDDEN,
        &t!("http.forbidden", locale = lang.code()),
    )
}

/// `405 Method Not Allowed`, in `lang`, with the `Allow` header listing the
/// methods this path does answer (`"GET, HEAD"`).
pub fn method_not_allowed(lang: Lang, allow: &'static str) -> Response<Body> {
    let body = t!("http.method_not_allowed", locale = lang.code());
    let mut response = text(StatusCode::METHOD_NOT_ALLOWED, &body);
    response
        .headers_mut()
        .insert(ALLOW, HeaderValue::from_static(allow));
    response
}

/// A redirect (`301`, `303`, …) to `location`, a path the server built
/// itself, never one echoed from the request. `body` is the short text a
/// client that does not follow redirects shows.
pub fn redirect(status: StatusCode, location: &str, body: &str) -> Response<Body> {
    let mut response = text(status, body);
    response.headers_mut().insert(LOCATION, header(location));
    response
}

/// A header value from text the server built (digits, `/`, `-`,
/// percent-encoded paths); `invalid` if it somehow is not a valid one.
pub fn header(text: &str) -> HeaderValue {
    HeaderValue::try_from(text).unwrap_or(HeaderValue::from_static("invalid"))
}
