//! Small builders for the responses the routes send: the seed's
//! `res.statusCode = …; res.setHeader('Content-Type', …); res.end(…)` in
//! one call each. Every page here is built in memory, so a body is
//! `Full<Bytes>`: all of it at once.

use bytes::Bytes;
use common::lang::Lang;
use http::header::{ALLOW, CONTENT_TYPE, HeaderValue, LOCATION};
use http::{Response, StatusCode};
use http_body_util::Full;
use rust_i18n::t;

/// A response body, all in memory (`res.end(data)`).
pub type Body = Full<Bytes>;

/// `res.statusCode = status; res.setHeader('Content-Type', content_type);
/// res.end(body)`.
pub fn with_type(
    status: StatusCode,
    content_type: &'static str,
    body: impl Into<Bytes>,
) -> Response<Body> {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// `res.end(text + '\n')` with `Content-Type: text/plain; charset=utf-8`.
/// The final newline ends the line, so that after `curl` the shell's
/// prompt starts on a line of its own.
pub fn text(status: StatusCode, body: &str) -> Response<Body> {
    with_type(status, "text/plain; charset=utf-8", format!("{body}\n"))
}

/// The seed's `404 Not Found.`, in `lang`.
pub fn not_found(lang: Lang) -> Response<Body> {
    text(
        StatusCode::NOT_FOUND,
        &t!("http.not_found", locale = lang.code()),
    )
}

/// `405 Method Not Allowed`, with the `Allow` header listing the methods
/// this path does answer (`"GET, HEAD"`).
pub fn method_not_allowed(lang: Lang, allow: &'static str) -> Response<Body> {
    let body = t!("http.method_not_allowed", locale = lang.code());
    let mut response = text(StatusCode::METHOD_NOT_ALLOWED, &body);
    response
        .headers_mut()
        .insert(ALLOW, HeaderValue::from_static(allow));
    response
}

/// A redirect (`303 See Other` after a post) to `location`, a path of our
/// own; `body` is what a client that does not follow redirects shows.
pub fn redirect(status: StatusCode, location: &'static str, body: &str) -> Response<Body> {
    let mut response = text(status, body);
    response
        .headers_mut()
        .insert(LOCATION, HeaderValue::from_static(location));
    response
}
