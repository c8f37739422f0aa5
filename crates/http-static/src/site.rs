//! One request in, one response out: the seed's `(req, res) => { … }` for a
//! whole directory of files.

use std::fs::Metadata;
use std::io::{self, SeekFrom};
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::respond::{
    empty, empty_body, forbidden, full, header, method_not_allowed, not_found, redirect, text,
    with_type,
};
use bytes::Bytes;
use common::lang::Lang;
use futures_util::TryStreamExt;
use http::header::{
    ACCEPT_RANGES, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, ETAG, HeaderMap, HeaderValue,
    IF_MODIFIED_SINCE, IF_NONE_MATCH, IF_RANGE, LAST_MODIFIED, RANGE,
};
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use rust_i18n::t;
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio_util::io::ReaderStream;
use tracing::{error, warn};

use crate::cache::{self, CachedFile, FileCache, FileInfo};
use crate::language::{self, marked};
use crate::listing;
use crate::path::{self, Found, Refused, RequestPath};
use crate::range::{self, Ranged};

/// A response body: bytes from memory, or a file streamed from disk.
pub use crate::respond::Body;

/// How much of a big file we read at a time. A download costs this much
/// memory (plus hyper's write buffer), whether the file is 1 MiB or 1 GiB.
const CHUNK: usize = 64 * 1024;

/// The files under one root directory, and how to answer for them.
#[derive(Debug)]
pub struct Site {
    /// The root, canonical (symlinks resolved, absolute): every file we
    /// serve must be under it.
    root: PathBuf,
    /// `--list`: answer a directory without `index.html` with a listing.
    list: bool,
    /// Small files kept in memory with their headers ready.
    cache: FileCache,
    /// `--lang`: our own answers' language when the browser names neither
    /// of ours, and the log's.
    lang: Lang,
}

/// Where the bytes of a response come from.
enum Source {
    /// A small file, whole, from the cache.
    Memory(Arc<CachedFile>),
    /// A bigger file, read from disk in [`CHUNK`]s as the client takes them.
    Disk(PathBuf, FileInfo),
}

impl Source {
    fn info(&self) -> &FileInfo {
        match self {
            Source::Memory(file) => &file.info,
            Source::Disk(_, info) => info,
        }
    }
}

impl Site {
    /// Serves the directory `root`; fails if it is not one. `lang` is
    /// `--lang`.
    pub fn new(root: &Path, list: bool, lang: Lang) -> io::Result<Self> {
        let root = root.canonicalize()?;
        if !root.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::NotADirectory,
                format!("{} is not a directory", root.display()),
            ));
        }
        Ok(Self {
            root,
            list,
            cache: FileCache::default(),
            lang,
        })
    }

    /// The canonical root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    // ANCHOR: respond
    /// Answers one request. Never fails: a problem becomes a 4xx or 5xx.
    pub async fn respond<B>(&self, request: &Request<B>) -> Response<Body> {
        // Our own answers (a 404, a listing) are in the visitor's language
        // and `marked` so (language.rs); files as they are (but see `translated`).
        let chosen = language::choose(request.uri().query(), request.headers(), self.lang);
        let lang = chosen.lang;
        // `req.method`: files are read with GET, or HEAD for the headers only.
        let method = request.method();
        if method != Method::GET && method != Method::HEAD {
            return marked(method_not_allowed(lang, "GET, HEAD"), chosen);
        }
        // `req.url`: only its path, decoded once and checked (path.rs).
        let path = match RequestPath::parse(request.uri().path()) {
            Ok(path) => path,
            Err(Refused::NotUtf8) => {
                let body = t!("http.bad_request", locale = lang.code());
                return marked(text(StatusCode::BAD_REQUEST, &body), chosen);
            }
            Err(_) => return marked(forbidden(lang), chosen),
        };
        let found = match path::locate(&self.root, &path) {
            Ok(found) => found,
            Err(error) => return marked(self.failure(request, &error, lang), chosen),
        };
        let response = match found {
            Found::File { path, meta } => self.translated(request, path, meta, chosen).await,
            Found::Directory(dir) if self.list => self
                .listing(request, &dir, lang)
                .await
                .map(|r| marked(r, chosen)),
            Found::Directory(_) | Found::NotFound => Ok(marked(not_found(lang), chosen)),
            // `301` to a path we built: see [`RequestPath::as_directory_url`].
            Found::AddSlash => {
                let body = t!("http.moved", locale = lang.code());
                let to = path.as_directory_url();
                Ok(marked(
                    redirect(StatusCode::MOVED_PERMANENTLY, &to, &body),
                    chosen,
                ))
            }
        };
        response.unwrap_or_else(|error| marked(self.failure(request, &error, lang), chosen))
    }
    // ANCHOR_END: respond

    /// `--list`: the directory's page in `lang`, with an `ETag` for that
    /// language (or a 304 if the browser has this very page already).
    async fn listing<B>(
        &self,
        request: &Request<B>,
        dir: &Path,
        lang: Lang,
    ) -> io::Result<Response<Body>> {
        let html = listing::render(&self.root, dir, lang).await?;
        let etag = language::etag(lang, html.as_bytes());
        let cached = request.headers().get(IF_NONE_MATCH);
        let mut response = if cached.is_some_and(|tags| tags == etag) {
            empty(StatusCode::NOT_MODIFIED)
        } else {
            with_type(StatusCode::OK, "text/html; charset=utf-8", html)
        };
        response.headers_mut().insert(ETAG, etag);
        Ok(response)
    }

    /// A 404, 403 or 500 for an I/O error; a 500 is logged with the detail
    /// but answered without it (the client has no business with our paths).
    fn failure<B>(&self, request: &Request<B>, error: &io::Error, lang: Lang) -> Response<Body> {
        let log = self.lang.code();
        if path::is_missing(error) {
            return not_found(lang);
        }
        if error.kind() == io::ErrorKind::PermissionDenied {
            warn!(path = request.uri().path(), %error, "{}", t!("log.cannot_read", locale = log));
            return forbidden(lang);
        }
        error!(path = request.uri().path(), %error, "{}", t!("log.cannot_serve", locale = log));
        let body = t!("http.internal", locale = lang.code());
        text(StatusCode::INTERNAL_SERVER_ERROR, &body)
    }

    /// A file written in two languages, `index.html` (English) beside
    /// `index.zh-CN.html` (Chinese), is sent in the visitor's language and
    /// marked as varying by it (`Vary`, `Content-Language`), as our own
    /// answers are; any other file as it is. The Chinese one is taken only
    /// if it is a plain file (no symbolic link) in the same directory.
    async fn translated<B>(
        &self,
        request: &Request<B>,
        path: PathBuf,
        meta: Metadata,
        chosen: language::Chosen,
    ) -> io::Result<Response<Body>> {
        let lang = chosen.lang;
        let chinese = match (path.file_stem(), path.extension()) {
            (Some(stem), Some(ext)) => {
                let (stem, ext) = (stem.to_string_lossy(), ext.to_string_lossy());
                path.with_file_name(format!("{stem}.zh-CN.{ext}"))
            }
            _ => return self.file(request, path, &meta, lang).await,
        };
        let chinese_meta = match std::fs::symlink_metadata(&chinese) {
            Ok(found) if found.is_file() => found,
            _ => return self.file(request, path, &meta, lang).await,
        };
        let response = match lang {
            Lang::ZhCn => self.file(request, chinese, &chinese_meta, lang).await?,
            Lang::En => self.file(request, path, &meta, lang).await?,
        };
        Ok(marked(response, chosen))
    }

    // ANCHOR: file
    /// A regular file under the root: 200, 206, 304 or 416.
    async fn file<B>(
        &self,
        request: &Request<B>,
        path: PathBuf,
        meta: &Metadata,
        lang: Lang,
    ) -> io::Result<Response<Body>> {
        let source = self.source(path, meta).await?;
        let info = source.info();
        let headers = request.headers();
        if not_modified(headers, info) {
            let mut response = empty(StatusCode::NOT_MODIFIED);
            validators(response.headers_mut(), info);
            return Ok(response);
        }
        let part = match requested_range(headers, info) {
            Ranged::Whole => None,
            Ranged::Part(range) => Some(range),
            Ranged::Unsatisfiable => {
                let body = t!("http.range", locale = lang.code());
                let mut response = text(StatusCode::RANGE_NOT_SATISFIABLE, &body);
                let all = format!("bytes */{}", info.len);
                response.headers_mut().insert(CONTENT_RANGE, header(&all));
                // Its sentence is in the visitor's language: marked like our other answers.
                let chosen = language::Chosen {
                    lang,
                    from_url: false,
                };
                language::mark(response.headers_mut(), chosen);
                return Ok(response);
            }
        };
        let range = part.clone().unwrap_or(0..=info.len.saturating_sub(1));
        let len = if info.len == 0 {
            0
        } else {
            range.end() - range.start() + 1
        };
        // HEAD: the same headers, no body, and the file is not even opened.
        let body = if request.method() == Method::HEAD || len == 0 {
            empty_body()
        } else {
            body(&source, range.clone()).await?
        };
        let mut response = Response::new(body);
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, info.content_type.clone());
        headers.insert(CONTENT_LENGTH, HeaderValue::from(len));
        headers.insert(ACCEPT_RANGES, HeaderValue::from_static("bytes"));
        validators(headers, info);
        if part.is_some() {
            *response.status_mut() = StatusCode::PARTIAL_CONTENT;
            let part = format!("bytes {}-{}/{}", range.start(), range.end(), info.len);
            response.headers_mut().insert(CONTENT_RANGE, header(&part));
        }
        Ok(response)
    }
    // ANCHOR_END: file

    // ANCHOR: source
    /// The file's headers and bytes: from the cache if it holds this version
    /// of the file, else read whole into it if small, else left on disk.
    async fn source(&self, path: PathBuf, meta: &Metadata) -> io::Result<Source> {
        if let Some(file) = self.cache.get(&path, meta) {
            return Ok(Source::Memory(file));
        }
        let mut info = FileInfo::new(&path, meta);
        if info.len > cache::FILE_MAX {
            return Ok(Source::Disk(path, info));
        }
        let bytes = Bytes::from(tokio::fs::read(&path).await?);
        if bytes.len() as u64 != info.len {
            // Changed while we read it: send what we read, cache nothing.
            info.len = bytes.len() as u64;
            return Ok(Source::Memory(Arc::new(CachedFile { info, bytes })));
        }
        Ok(Source::Memory(
            self.cache.insert(path, CachedFile { info, bytes }),
        ))
    }
    // ANCHOR_END: source
}

// ANCHOR: conditional
/// Whether the client's cached copy is still good, so a `304 Not Modified`
/// with no body will do. `If-None-Match` (ETags) wins over
/// `If-Modified-Since` (dates) when a client sends both (RFC 9110 §13.2.2).
fn not_modified(headers: &HeaderMap, info: &FileInfo) -> bool {
    if let Some(tags) = headers.get(IF_NONE_MATCH) {
        let ours = info.etag.as_bytes();
        return tags.to_str().is_ok_and(|tags| {
            tags.trim() == "*"
                || tags
                    .split(',')
                    .map(|tag| tag.trim().trim_start_matches("W/"))
                    .any(|tag| tag.as_bytes() == ours)
        });
    }
    headers
        .get(IF_MODIFIED_SINCE)
        .and_then(|date| httpdate::parse_http_date(date.to_str().ok()?).ok())
        .is_some_and(|since| info.modified <= since)
}
// ANCHOR_END: conditional

/// The `Range` to answer, if any. `If-Range` makes it conditional: "only if
/// the file is still the one I have half of" (the same ETag or date);
/// otherwise the client gets the whole new file.
fn requested_range(headers: &HeaderMap, info: &FileInfo) -> Ranged {
    let Some(range) = headers.get(RANGE).and_then(|r| r.to_str().ok()) else {
        return Ranged::Whole;
    };
    if let Some(if_range) = headers.get(IF_RANGE) {
        let same = if_range == info.etag
            || (!if_range.as_bytes().starts_with(b"\"") && if_range == info.last_modified);
        if !same {
            return Ranged::Whole;
        }
    }
    range::parse(range, info.len)
}

/// `ETag` and `Last-Modified`, the validators a client sends back later.
fn validators(headers: &mut HeaderMap, info: &FileInfo) {
    headers.insert(ETAG, info.etag.clone());
    headers.insert(LAST_MODIFIED, info.last_modified.clone());
}

// ANCHOR: body
/// The bytes `range` of the file: a slice of the cached copy (no copying:
/// `Bytes` shares the buffer), or the file streamed in [`CHUNK`]s, never
/// read whole (the seed's `fs.readFile` reads all of it first).
async fn body(source: &Source, range: RangeInclusive<u64>) -> io::Result<Body> {
    let (start, len) = (*range.start(), range.end() - range.start() + 1);
    match source {
        Source::Memory(file) => {
            let start = usize::try_from(start).map_err(io::Error::other)?;
            let end = usize::try_from(start as u64 + len).map_err(io::Error::other)?;
            Ok(full(file.bytes.slice(start..end)))
        }
        Source::Disk(path, _) => {
            let mut file = tokio::fs::File::open(path).await?;
            if start > 0 {
                file.seek(SeekFrom::Start(start)).await?;
            }
            // `take` stops at the range's end even if the file grows meanwhile.
            let chunks = ReaderStream::with_capacity(file.take(len), CHUNK);
            Ok(StreamBody::new(chunks.map_ok(Frame::data)).boxed_unsync())
        }
    }
}
// ANCHOR_END: body
