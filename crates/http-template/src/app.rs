//! One request in, one response out: the routes, and what each one does.
//!
//! | request | answer |
//! |---|---|
//! | `GET /` | the seed's todo page, rendered from `todos.html` |
//! | `GET /guestbook?page=N` | the messages, newest first, 20 a page |
//! | `GET /guestbook/new` | the form |
//! | `POST /guestbook` | store a message, then `303 See Other` to `/guestbook` |
//! | `GET /api/guestbook?page=N` | the same page as JSON |
//!
//! Every page and plain-text answer is in the visitor's language
//! ([`crate::language`]); the JSON is data, the same in both.

use std::time::Duration;

use crate::respond::{self, Body, method_not_allowed, not_found, with_type};
use bytes::Bytes;
use chrono::{DateTime, Local, TimeZone};
use common::lang::Lang;
use http::header::{CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, ETAG, HeaderValue, IF_NONE_MATCH};
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::Incoming;
use minijinja::value::Serde;
use minijinja::{Value, context};
use rust_i18n::t;
use serde::Serialize;
use tracing::{error, info, warn};

use crate::form::{self, Form, Problems};
use crate::language::{self, Chosen};
use crate::pages::Pages;
use crate::store::{Message, Store, StoreError};

/// The largest form body we read: 16 KiB is room for a 1000-character
/// message even if every character is an emoji (12 bytes once encoded).
pub const BODY_MAX: usize = 16 * 1024;

const HTML: &str = "text/html; charset=utf-8";

/// The seed's todo list (its 使用模板引擎 example).
#[derive(Debug, Serialize)]
struct Todo {
    title: &'static str,
    completed: bool,
}

const TODOS: [Todo; 3] = [
    Todo {
        title: "吃饭",
        completed: false,
    },
    Todo {
        title: "睡觉",
        completed: true,
    },
    Todo {
        title: "打豆豆",
        completed: false,
    },
];

/// Everything a request may need, shared by all connections.
#[derive(Debug)]
pub struct App {
    pages: Pages,
    store: Store,
    /// How long a client may take to send a form's body.
    body_timeout: Duration,
    /// The todo page's data, turned into a template value once.
    todos: Value,
    /// `--lang`: the pages' language when the browser names neither of
    /// ours, and the log's.
    lang: Lang,
}

/// A message as the page shows it: as stored, plus its time in the
/// server's time zone.
#[derive(Debug, Serialize)]
struct Shown<'a> {
    #[serde(flatten)]
    message: &'a Message,
    /// `2026-11-26 22:30:00`: the stored UTC time in local time.
    local_time: String,
}

impl App {
    pub fn new(pages: Pages, store: Store, body_timeout: Duration, lang: Lang) -> App {
        let todos = context! { message => "World", todos => Value::from(Serde(TODOS)) };
        App {
            pages,
            store,
            body_timeout,
            todos,
            lang,
        }
    }

    /// The templates this app renders.
    pub fn pages(&self) -> &Pages {
        &self.pages
    }

    // ANCHOR: respond
    /// Answers one request. Never fails: a problem becomes a 4xx or 5xx page.
    pub async fn respond(&self, request: Request<Incoming>) -> Response<Body> {
        // The visitor's language: `?lang=`, the cookie, Accept-Language,
        // else ours (see language.rs).
        let chosen = language::choose(request.uri().query(), request.headers(), self.lang);
        let lang = chosen.lang;
        let cached = request.headers().get(IF_NONE_MATCH).cloned();
        // Routing is a `match` on method and path, like the seed's
        // `if (url === '/') … else if …`. HEAD gets GET's headers: hyper
        // leaves the body out by itself.
        let requested_page = || form::requested_page(request.uri().query());
        let mut response = match (request.method(), request.uri().path()) {
            (&Method::GET | &Method::HEAD, "/") => {
                self.page(StatusCode::OK, "todos.html", &self.todos, lang)
            }
            (&Method::GET | &Method::HEAD, "/guestbook") => {
                self.guestbook(requested_page(), lang).await
            }
            (&Method::POST, "/guestbook") => self.post(request, lang).await,
            (&Method::GET | &Method::HEAD, "/guestbook/new") => {
                self.form(StatusCode::OK, &Form::default(), &Problems::default(), lang)
            }
            // JSON is data, the same in every language.
            (&Method::GET | &Method::HEAD, "/api/guestbook") => {
                return self.api(requested_page()).await;
            }
            (_, "/" | "/guestbook/new" | "/api/guestbook") => method_not_allowed(lang, "GET, HEAD"),
            (_, "/guestbook") => method_not_allowed(lang, "GET, HEAD, POST"),
            _ => not_found(lang),
        };
        language::mark(response.headers_mut(), chosen);
        revalidated(response, cached.as_ref(), chosen)
    }
    // ANCHOR_END: respond

    /// Renders template `name` with `data` into an HTML response in
    /// `lang`, with an `ETag` for that page in that language.
    fn page(&self, status: StatusCode, name: &str, data: &Value, lang: Lang) -> Response<Body> {
        match self.pages.render(name, data.clone(), lang) {
            Ok(html) => {
                let etag = language::etag(lang, html.as_bytes());
                let mut response = with_type(status, HTML, html);
                response.headers_mut().insert(ETAG, etag);
                response
            }
            Err(failed) => with_type(StatusCode::INTERNAL_SERVER_ERROR, HTML, failed.page),
        }
    }

    /// `GET /guestbook?page=N`: times stored in UTC, shown in local time.
    async fn guestbook(&self, requested: i64, lang: Lang) -> Response<Body> {
        match self.store.page(requested).await {
            Ok(page) => {
                let messages: Vec<Shown> = page
                    .messages
                    .iter()
                    .map(|message| Shown {
                        message,
                        local_time: shown_in(&message.time, &Local),
                    })
                    .collect();
                let data = context! {
                    page => Value::from(Serde(&page)),
                    messages => Value::from(Serde(&messages)),
                };
                self.page(StatusCode::OK, "guestbook/index.html", &data, lang)
            }
            Err(error) => self.store_failed(&error, lang),
        }
    }

    /// `GET /api/guestbook?page=N`: the same page as JSON.
    async fn api(&self, requested: i64) -> Response<Body> {
        match self.store.page(requested).await {
            Ok(page) => match serde_json::to_vec(&page) {
                Ok(json) => with_type(StatusCode::OK, "application/json", json),
                Err(error) => {
                    error!(%error, "{}", t!("log.json_failed", locale = self.lang.code()));
                    respond::text(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        &t!("http.internal", locale = self.lang.code()),
                    )
                }
            },
            Err(error) => self.store_failed(&error, self.lang),
        }
    }

    /// The form page, with what the visitor typed and what to fix.
    fn form(
        &self,
        status: StatusCode,
        form: &Form,
        problems: &Problems,
        lang: Lang,
    ) -> Response<Body> {
        let data = context! {
            form => Value::from(Serde(form)),
            problems => Value::from(Serde(problems)),
            name_max => form::NAME_MAX,
            message_max => form::MESSAGE_MAX,
        };
        self.page(status, "guestbook/new.html", &data, lang)
    }

    // ANCHOR: post
    /// `POST /guestbook`: check, store, and redirect (post/redirect/get).
    async fn post(&self, request: Request<Incoming>, lang: Lang) -> Response<Body> {
        let locale = lang.code();
        if !is_form(request.headers().get(CONTENT_TYPE)) {
            return respond::text(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                &t!("http.unsupported_type", locale = locale),
            );
        }
        let body = match read_body(request, self.body_timeout, lang).await {
            Ok(body) => body,
            Err(response) => return response,
        };
        let form = match Form::parse(&body) {
            Ok(form) => form,
            Err(error) => {
                let problem = t!("form.unreadable", locale = locale, error = error);
                let problems = Problems {
                    form: Some(problem.into_owned()),
                    ..Problems::default()
                };
                let empty = Form::default();
                return self.form(StatusCode::BAD_REQUEST, &empty, &problems, lang);
            }
        };
        // Invalid: 400, and the form again with what was typed and why not.
        let message = match form.validate(lang) {
            Ok(message) => message,
            Err(problems) => return self.form(StatusCode::BAD_REQUEST, &form, &problems, lang),
        };
        match self.store.add(message.name, message.message).await {
            // Valid: stored, then "go and GET /guestbook". Reloading that
            // page does not post the message again, as reloading a page that
            // answered the POST itself would.
            Ok(id) => {
                info!(id, "{}", t!("log.stored", locale = self.lang.code()));
                let body = t!("http.see_other", locale = locale);
                respond::redirect(StatusCode::SEE_OTHER, "/guestbook", &body)
            }
            Err(error) => self.store_failed(&error, lang),
        }
    }
    // ANCHOR_END: post

    /// A database failure: 503 (try again) when another program held the
    /// lock too long, else 500. The detail goes to the log only.
    fn store_failed(&self, error: &StoreError, lang: Lang) -> Response<Body> {
        let log = self.lang.code();
        match error {
            StoreError::Busy => {
                warn!(%error, "{}", t!("log.busy", locale = log));
                let mut response = respond::text(
                    StatusCode::SERVICE_UNAVAILABLE,
                    &t!("http.busy", locale = lang.code()),
                );
                response
                    .headers_mut()
                    .insert(http::header::RETRY_AFTER, HeaderValue::from_static("1"));
                response
            }
            _ => {
                error!(%error, "{}", t!("log.failed", locale = log));
                respond::text(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    &t!("http.internal", locale = lang.code()),
                )
            }
        }
    }
}

/// A `304 Not Modified` instead of `response` when the browser's cached
/// copy (`If-None-Match`) is this very page in this very language.
fn revalidated(
    response: Response<Body>,
    cached: Option<&HeaderValue>,
    chosen: Chosen,
) -> Response<Body> {
    let same = match (cached, response.headers().get(ETAG)) {
        (Some(cached), Some(ours)) => cached
            .to_str()
            .is_ok_and(|tags| tags.split(',').any(|tag| tag.trim() == ours)),
        _ => false,
    };
    if !same || response.status() != StatusCode::OK {
        return response;
    }
    let mut not_modified = Response::new(Body::default());
    *not_modified.status_mut() = StatusCode::NOT_MODIFIED;
    for name in [ETAG, http::header::VARY, http::header::CONTENT_LANGUAGE] {
        if let Some(value) = response.headers().get(&name) {
            not_modified.headers_mut().insert(name, value.clone());
        }
    }
    language::mark(not_modified.headers_mut(), chosen);
    not_modified
}

// ANCHOR: local_time
/// A time stored in UTC (`2026-11-26T14:30:00Z`) as the clock on the wall
/// of `zone` shows it: `2026-11-26 22:30:00` in China (UTC+8). The page
/// shows the server's local time (`chrono::Local`: `TZ`, else the system's
/// zone); the database and the JSON keep UTC, the same wherever read.
pub fn shown_in<Tz: TimeZone>(utc: &str, zone: &Tz) -> String
where
    Tz::Offset: std::fmt::Display,
{
    match DateTime::parse_from_rfc3339(utc) {
        Ok(time) => time
            .with_timezone(zone)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string(),
        Err(_) => utc.to_owned(),
    }
}
// ANCHOR_END: local_time

/// Whether `Content-Type` says urlencoded form (parameters such as
/// `; charset=UTF-8` allowed), parsed by the `mime` crate.
fn is_form(content_type: Option<&HeaderValue>) -> bool {
    content_type
        .and_then(|value| value.to_str().ok()?.parse::<mime::Mime>().ok())
        .is_some_and(|kind| kind.essence_str() == mime::APPLICATION_WWW_FORM_URLENCODED.as_ref())
}

// ANCHOR: read_body
/// The request body, at most [`BODY_MAX`] bytes, within `timeout`. A
/// bigger one is refused with 413: at once when `Content-Length` announces
/// it, else as soon as that many bytes have come (a chunked body has no
/// length up front). One that trickles in slower than `timeout` gets 408,
/// so a client cannot hold a connection open by sending a byte a minute.
async fn read_body(
    request: Request<Incoming>,
    timeout: Duration,
    lang: Lang,
) -> Result<Bytes, Response<Body>> {
    let locale = lang.code();
    // We stop reading, so this connection cannot carry another request.
    let refuse = |status, text: &str| {
        let mut response = respond::text(status, text);
        response
            .headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
        response
    };
    let too_large = || {
        refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            &t!("http.too_large", locale = locale),
        )
    };
    let announced = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|len| len.to_str().ok()?.parse::<u64>().ok());
    if announced.is_some_and(|len| len > BODY_MAX as u64) {
        return Err(too_large());
    }
    // `Limited` counts the bytes as they come and fails past the limit, so
    // memory use is bounded whatever the client sends.
    let body = Limited::new(request.into_body(), BODY_MAX).collect();
    let Ok(body) = tokio::time::timeout(timeout, body).await else {
        return Err(refuse(
            StatusCode::REQUEST_TIMEOUT,
            &t!("http.timeout", locale = locale),
        ));
    };
    match body {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.is::<LengthLimitError>() => Err(too_large()),
        Err(error) => {
            // The client went away mid-body, or sent broken chunking.
            warn!(%error, "{}", t!("log.body_unreadable", locale = locale));
            Err(respond::text(
                StatusCode::BAD_REQUEST,
                &t!("http.bad_request", locale = locale),
            ))
        }
    }
}
// ANCHOR_END: read_body

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    #[test]
    fn utc_times_are_shown_in_the_local_zone() {
        let china = FixedOffset::east_opt(8 * 3600).unwrap();
        assert_eq!(
            shown_in("2026-11-26T14:30:00Z", &china),
            "2026-11-26 22:30:00"
        );
        assert_eq!(
            shown_in("2026-11-26T20:00:05Z", &china),
            "2026-11-27 04:00:05"
        );
        let utc = FixedOffset::east_opt(0).unwrap();
        assert_eq!(
            shown_in("2026-11-26T14:30:00Z", &utc),
            "2026-11-26 14:30:00"
        );
        assert_eq!(shown_in("not a time", &china), "not a time");
    }
}
