//! The chat page: the seed's `app.use(express.static('./public'))`, for the
//! handful of files the page has.
//!
//! Chapter 4's `http-static` is the full static file server (any file under
//! a root, caching, ranges). The page needs only its own files, so this
//! handler knows them by name: anything else is a 404, and a path that
//! tries to climb out with `..` a 403. Each file is read from `--assets`
//! when a browser asks for it, so a student who edits `chat.js` sees the
//! change on the next reload.

use std::io;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use common::lang::Lang;
use http::header::{ALLOW, CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use http::{Method, Response, StatusCode};
use rust_i18n::t;
use tracing::warn;

use crate::server::{Body, text_response};

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";

/// The page's files: the path a browser asks for, the file in `--assets`
/// that answers it, and its `Content-Type`.
const FILES: &[(&str, &str, &str)] = &[
    ("/", "index.html", HTML),
    ("/index.html", "index.html", HTML),
    ("/chat.css", "chat.css", "text/css; charset=utf-8"),
    ("/chat.js", "chat.js", JS),
    // The page's words in both languages, and its language switch.
    ("/texts.js", "texts.js", JS),
    // The seed's first WebSocket example, as a page of its own.
    ("/echo-test", "echo-test.html", HTML),
    ("/echo-test.html", "echo-test.html", HTML),
    ("/echo-test.js", "echo-test.js", JS),
];

/// The directory the page's files are read from.
#[derive(Debug)]
pub struct Page {
    dir: PathBuf,
    /// The server's language, for its log lines.
    log_lang: Lang,
}

impl Page {
    /// Serves the page from `dir`; fails (saying so in `lang`) if it is
    /// not a directory.
    pub fn new(dir: &Path, lang: Lang) -> io::Result<Self> {
        if !dir.is_dir() {
            let dir = dir.display();
            let why = t!("error.not_dir", locale = lang.code(), dir = dir);
            return Err(io::Error::new(io::ErrorKind::NotFound, why.into_owned()));
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            log_lang: lang,
        })
    }

    // ANCHOR: respond
    /// The answer to `GET path` (or `HEAD`, which hyper answers with the
    /// same headers and no body). The files are the same in every language
    /// (the page puts itself into words: `texts.js`); a refusal is said in
    /// `lang`, the request's.
    pub async fn respond(&self, method: &Method, path: &str, lang: Lang) -> Response<Body> {
        let say = |key: &str| format!("{}\n", t!(key, locale = lang.code()));
        if path.split('/').any(|segment| segment == "..") {
            return text_response(StatusCode::FORBIDDEN, say("http.forbidden"));
        }
        let Some(&(_, file, content_type)) = FILES.iter().find(|(url, ..)| *url == path) else {
            return text_response(StatusCode::NOT_FOUND, say("http.not_found"));
        };
        if method != Method::GET && method != Method::HEAD {
            let mut response = text_response(StatusCode::METHOD_NOT_ALLOWED, say("http.method"));
            response
                .headers_mut()
                .insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
            return response;
        }
        match tokio::fs::read(self.dir.join(file)).await {
            Ok(bytes) => {
                let mut response = Response::new(Body::new(Bytes::from(bytes)));
                let headers = response.headers_mut();
                headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
                // Ask the browser to check again each time: an edited file
                // shows on the next reload.
                headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
                response
            }
            Err(error) => {
                let text = t!("log.unreadable", locale = self.log_lang.code());
                warn!(%error, file, "{text}");
                let status = match error.kind() {
                    io::ErrorKind::NotFound => StatusCode::NOT_FOUND,
                    _ => StatusCode::INTERNAL_SERVER_ERROR,
                };
                text_response(status, format!("{status}\n"))
            }
        }
    }
    // ANCHOR_END: respond
}
