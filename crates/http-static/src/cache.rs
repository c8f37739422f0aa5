//! What we know about a file before sending it, and the small files we keep.
//!
//! Serving `index.html` a hundred thousand times a second should not mean
//! opening, reading and closing it a hundred thousand times, nor formatting
//! its `ETag` and `Last-Modified` again each time. [`FileCache`] keeps files
//! of at most [`FILE_MAX`] bytes in memory, [`TOTAL_MAX`] bytes in all, with
//! their header values ready. It is checked against the disk on every
//! request: the entry is used only while the file's length and modification
//! time are the ones it was read with, so an edited file is served new at
//! once. Bigger files are never read whole: they are streamed from disk.

use std::collections::HashMap;
use std::fs::Metadata;
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::HeaderValue;
use mime_guess::mime;

/// Files up to this size are kept in memory (the 100 KiB benchmark file fits).
pub const FILE_MAX: u64 = 128 * 1024;

/// The most the cache holds in all; when full, new files are streamed from
/// disk instead, so memory stays bounded whatever the root holds.
pub const TOTAL_MAX: u64 = 16 * 1024 * 1024;

/// A file's length, dates and type, as response header values.
#[derive(Debug, Clone)]
pub struct FileInfo {
    /// `Content-Length` of the whole file.
    pub len: u64,
    /// The modification time to the second: all an HTTP date can say, so
    /// `If-Modified-Since` is compared with this.
    pub modified: SystemTime,
    /// The exact modification time, to tell an edited file from the cached one.
    pub exact_modified: SystemTime,
    /// `"len-mtime"` in hex: changes whenever the file does.
    pub etag: HeaderValue,
    /// `modified` as an HTTP date: `Tue, 15 Nov 1994 08:12:31 GMT`.
    pub last_modified: HeaderValue,
    /// From the file name's extension, with `charset=utf-8` on text.
    pub content_type: HeaderValue,
}

impl FileInfo {
    /// Computes the header values for the file at `path` (not opened).
    pub fn new(path: &Path, meta: &Metadata) -> Self {
        let exact_modified = meta.modified().unwrap_or(UNIX_EPOCH);
        let since_epoch = exact_modified
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let modified = UNIX_EPOCH + Duration::from_secs(since_epoch.as_secs());
        let etag = format!("\"{:x}-{:x}\"", meta.len(), since_epoch.as_nanos());
        Self {
            len: meta.len(),
            modified,
            exact_modified,
            etag: header_value(etag),
            last_modified: header_value(httpdate::fmt_http_date(modified)),
            content_type: content_type(path),
        }
    }

    /// Whether `meta` still describes the file this was made from.
    fn is_current(&self, meta: &Metadata) -> bool {
        self.len == meta.len() && Ok(self.exact_modified) == meta.modified().map_err(drop)
    }
}

// ANCHOR: content_type
/// `mime.getType(path)`: the type from the extension (`.css` → `text/css`),
/// `application/octet-stream` when unknown. Text gets `; charset=utf-8`, or
/// a browser may guess another encoding for the seed's Chinese page.
fn content_type(path: &Path) -> HeaderValue {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let is_text = mime.type_() == mime::TEXT
        || mime.subtype() == mime::JAVASCRIPT
        || mime.subtype() == mime::JSON
        || mime.suffix() == Some(mime::XML);
    if is_text && mime.get_param(mime::CHARSET).is_none() {
        header_value(format!("{mime}; charset=utf-8"))
    } else {
        header_value(mime.to_string())
    }
}
// ANCHOR_END: content_type

/// A header value from text we made ourselves (always visible ASCII).
fn header_value(text: String) -> HeaderValue {
    HeaderValue::try_from(text).unwrap_or(HeaderValue::from_static("invalid"))
}

/// A small file, whole, with its headers.
#[derive(Debug)]
pub struct CachedFile {
    pub info: FileInfo,
    pub bytes: Bytes,
}

/// Small files by canonical path. Shared by every connection (`Arc<Site>`),
/// so behind a lock: a read lock on a hit, which all threads can hold at once.
#[derive(Debug, Default)]
pub struct FileCache {
    inner: RwLock<Entries>,
}

#[derive(Debug, Default)]
struct Entries {
    /// The files, by the path we opened them at.
    files: HashMap<PathBuf, Arc<CachedFile>>,
    /// The sum of their lengths, kept at or under [`TOTAL_MAX`].
    bytes: u64,
}

impl FileCache {
    /// The cached copy of the file at `path`, if there is one and `meta`
    /// (fresh from the disk) says the file has not changed since.
    pub fn get(&self, path: &Path, meta: &Metadata) -> Option<Arc<CachedFile>> {
        let entries = self.inner.read().unwrap_or_else(PoisonError::into_inner);
        let file = entries.files.get(path)?;
        file.info.is_current(meta).then(|| Arc::clone(file))
    }

    /// Keeps `file` for next time, replacing an older copy, unless that
    /// would pass [`TOTAL_MAX`]. Returns it either way.
    pub fn insert(&self, path: PathBuf, file: CachedFile) -> Arc<CachedFile> {
        let file = Arc::new(file);
        let mut entries = self.inner.write().unwrap_or_else(PoisonError::into_inner);
        let old = entries
            .files
            .get(&path)
            .map_or(0, |old| old.bytes.len() as u64);
        let bytes = entries.bytes - old + file.bytes.len() as u64;
        if bytes <= TOTAL_MAX {
            entries.bytes = bytes;
            entries.files.insert(path, Arc::clone(&file));
        }
        file
    }
}
