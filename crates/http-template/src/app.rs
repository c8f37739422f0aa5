//! One request in, one response out: the routes, and what each one does.
//!
//! | request | answer |
//! |---|---|
//! | `GET /` | the seed's todo page, rendered from `todos.html` |
//! | `GET /guestbook?page=N` | the messages, newest first, 20 a page |
//! | `GET /guestbook/new` | the form |
//! | `POST /guestbook` | store a message, then `303 See Other` to `/guestbook` |
//! | `GET /api/guestbook?page=N` | the same page as JSON |

use std::time::Duration;

use crate::respond::{self, Body, method_not_allowed, not_found, with_type};
use bytes::Bytes;
use http::header::{CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::Incoming;
use minijinja::value::Serde;
use minijinja::{Value, context};
use serde::Serialize;
use tracing::{error, warn};

use crate::form::{self, Form, Problems};
use crate::pages::Pages;
use crate::store::{Store, StoreError};

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
}

impl App {
    pub fn new(pages: Pages, store: Store, body_timeout: Duration) -> App {
        let todos = context! { message => "World", todos => Value::from(Serde(TODOS)) };
        App {
            pages,
            store,
            body_timeout,
            todos,
        }
    }

    /// The templates this app renders.
    pub fn pages(&self) -> &Pages {
        &self.pages
    }

    // ANCHOR: respond
    /// Answers one request. Never fails: a problem becomes a 4xx or 5xx page.
    pub async fn respond(&self, request: Request<Incoming>) -> Response<Body> {
        // Routing is a `match` on method and path, like the seed's
        // `if (url === '/') … else if …`. HEAD gets GET's headers: hyper
        // leaves the body out by itself.
        let requested_page = || form::requested_page(request.uri().query());
        match (request.method(), request.uri().path()) {
            (&Method::GET | &Method::HEAD, "/") => {
                self.page(StatusCode::OK, "todos.html", &self.todos)
            }
            (&Method::GET | &Method::HEAD, "/guestbook") => self.guestbook(requested_page()).await,
            (&Method::POST, "/guestbook") => self.post(request).await,
            (&Method::GET | &Method::HEAD, "/guestbook/new") => {
                self.form(StatusCode::OK, &Form::default(), &Problems::default())
            }
            (&Method::GET | &Method::HEAD, "/api/guestbook") => self.api(requested_page()).await,
            (_, "/" | "/guestbook/new" | "/api/guestbook") => method_not_allowed("GET, HEAD"),
            (_, "/guestbook") => method_not_allowed("GET, HEAD, POST"),
            _ => not_found(),
        }
    }
    // ANCHOR_END: respond

    /// Renders template `name` with `data` into an HTML response.
    fn page(&self, status: StatusCode, name: &str, data: &Value) -> Response<Body> {
        match self.pages.render(name, data.clone()) {
            Ok(html) => with_type(status, HTML, html),
            Err(failed) => with_type(StatusCode::INTERNAL_SERVER_ERROR, HTML, failed.page),
        }
    }

    /// `GET /guestbook?page=N`.
    async fn guestbook(&self, requested: i64) -> Response<Body> {
        match self.store.page(requested).await {
            Ok(page) => self.page(
                StatusCode::OK,
                "guestbook/index.html",
                &context! { page => Value::from(Serde(&page)) },
            ),
            Err(error) => self.store_failed(&error),
        }
    }

    /// `GET /api/guestbook?page=N`: the same page as JSON.
    async fn api(&self, requested: i64) -> Response<Body> {
        match self.store.page(requested).await {
            Ok(page) => match serde_json::to_vec(&page) {
                Ok(json) => with_type(StatusCode::OK, "application/json", json),
                Err(error) => {
                    error!(%error, "cannot encode the page as JSON");
                    respond::text(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "500 Internal Server Error.",
                    )
                }
            },
            Err(error) => self.store_failed(&error),
        }
    }

    /// The form page, with what the visitor typed and what to fix.
    fn form(&self, status: StatusCode, form: &Form, problems: &Problems) -> Response<Body> {
        let data = context! {
            form => Value::from(Serde(form)),
            problems => Value::from(Serde(problems)),
            name_max => form::NAME_MAX,
            message_max => form::MESSAGE_MAX,
        };
        self.page(status, "guestbook/new.html", &data)
    }

    // ANCHOR: post
    /// `POST /guestbook`: check, store, and redirect (post/redirect/get).
    async fn post(&self, request: Request<Incoming>) -> Response<Body> {
        if !is_form(request.headers().get(CONTENT_TYPE)) {
            return respond::text(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "415 Unsupported Media Type: send the form as application/x-www-form-urlencoded.",
            );
        }
        let body = match read_body(request, self.body_timeout).await {
            Ok(body) => body,
            Err(response) => return response,
        };
        let form = match Form::parse(&body) {
            Ok(form) => form,
            Err(error) => {
                let problems = Problems {
                    form: Some(format!("The form could not be read: {error}.")),
                    ..Problems::default()
                };
                return self.form(StatusCode::BAD_REQUEST, &Form::default(), &problems);
            }
        };
        // Invalid: 400, and the form again with what was typed and why not.
        let message = match form.validate() {
            Ok(message) => message,
            Err(problems) => return self.form(StatusCode::BAD_REQUEST, &form, &problems),
        };
        match self.store.add(message.name, message.message).await {
            // Valid: stored, then "go and GET /guestbook". Reloading that
            // page does not post the message again, as reloading a page that
            // answered the POST itself would.
            Ok(_id) => respond::redirect(StatusCode::SEE_OTHER, "/guestbook", "303 See Other."),
            Err(error) => self.store_failed(&error),
        }
    }
    // ANCHOR_END: post

    /// A database failure: 503 (try again) when another program held the
    /// lock too long, else 500. The detail goes to the log only.
    fn store_failed(&self, error: &StoreError) -> Response<Body> {
        match error {
            StoreError::Busy => {
                warn!(%error, "guestbook unavailable");
                let mut response = respond::text(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "503 Service Unavailable: the guestbook is busy, please try again.",
                );
                response
                    .headers_mut()
                    .insert(http::header::RETRY_AFTER, HeaderValue::from_static("1"));
                response
            }
            _ => {
                error!(%error, "guestbook failed");
                respond::text(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "500 Internal Server Error.",
                )
            }
        }
    }
}

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
async fn read_body(request: Request<Incoming>, timeout: Duration) -> Result<Bytes, Response<Body>> {
    // We stop reading, so this connection cannot carry another request.
    let refuse = |status, text| {
        let mut response = respond::text(status, text);
        response
            .headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
        response
    };
    let too_large = || {
        refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            "413 Payload Too Large: a guestbook form is at most 16 KiB.",
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
            "408 Request Timeout: the form's body came too slowly.",
        ));
    };
    match body {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.is::<LengthLimitError>() => Err(too_large()),
        Err(error) => {
            // The client went away mid-body, or sent broken chunking.
            warn!(%error, "cannot read the request body");
            Err(respond::text(StatusCode::BAD_REQUEST, "400 Bad Request."))
        }
    }
}
// ANCHOR_END: read_body
