//! Where a request path may lead: the rules a static server must keep.
//!
//! The seed's `fs.readFile(`.${url}`)` serves whatever file the URL names,
//! so `GET /assets/../../../etc/passwd` would read `/etc/passwd`. We check in
//! two steps:
//!
//! 1. [`RequestPath::parse`] looks only at the text the client sent: it
//!    percent-decodes it once and refuses anything that is not a list of
//!    plain names (`..`, `.env`, NUL, backslash). Nothing on disk has been
//!    touched yet, so its refusal (403) tells the client nothing about the
//!    disk.
//! 2. [`locate`] walks the disk from the root down those names. A symlink can
//!    still lead out (`assets/leak -> /etc`); when the walk meets one, we ask
//!    the OS for the canonical path and refuse it unless it is under the
//!    canonical root. That refusal looks exactly like a missing file (404),
//!    so a client cannot probe which links exist.

use std::path::{Component, Path, PathBuf};
use std::{fs, io};

use percent_encoding::percent_decode_str;

/// Why a request path was refused before we looked at the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// After percent-decoding, the bytes are not UTF-8 text.
    NotUtf8,
    /// A NUL byte (`%00`): C functions would end the file name there.
    Nul,
    /// A backslash (`\` or `%5C`): a path separator on Windows.
    Backslash,
    /// A segment `.` or `..`, or a name that starts with a dot (`.git`, `.env`).
    Dot,
    /// A segment the OS would not read as one plain name (`C:` on Windows).
    NotAName,
}

/// A request path that passed step 1: plain names, to be looked up under the root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestPath {
    /// The decoded names between the slashes, empty ones (`//`) dropped.
    segments: Vec<String>,
    /// The path ended with `/`: the client asks for a directory.
    trailing_slash: bool,
}

impl RequestPath {
    // ANCHOR: parse
    /// Step 1: decodes the path of a request (`/css/main%20file.css`) exactly
    /// once and checks every segment. The query string is not part of it.
    pub fn parse(raw: &str) -> Result<Self, Refused> {
        // From here on `decoded` is never decoded again: `%252e` becomes the
        // three characters `%2e`, a file name, not a dot.
        let decoded = percent_decode_str(raw)
            .decode_utf8()
            .map_err(|_| Refused::NotUtf8)?;
        if decoded.contains('\0') {
            return Err(Refused::Nul);
        }
        if decoded.contains('\\') {
            return Err(Refused::Backslash);
        }
        // `%2F` decoded to `/` splits here too: `..%2F` is the segment `..`.
        let mut segments = Vec::new();
        for segment in decoded.split('/').filter(|s| !s.is_empty()) {
            if segment.starts_with('.') {
                return Err(Refused::Dot); // `.`, `..`, `.git`, `.env`
            }
            // Belt and braces: the OS must see exactly one plain name.
            let mut parts = Path::new(segment).components();
            if !matches!(
                (parts.next(), parts.next()),
                (Some(Component::Normal(_)), None)
            ) {
                return Err(Refused::NotAName);
            }
            segments.push(segment.to_owned());
        }
        Ok(Self {
            segments,
            trailing_slash: decoded.ends_with('/'),
        })
    }
    // ANCHOR_END: parse

    /// The path in its normal form, `/a/b/` for a directory, each name
    /// percent-encoded again: safe to send back in a `Location` header.
    pub fn as_directory_url(&self) -> String {
        let mut url = String::from("/");
        for segment in &self.segments {
            url.extend(percent_encoding::utf8_percent_encode(segment, URL_SEGMENT));
            url.push('/');
        }
        url
    }
}

/// What to percent-encode in one URL path segment: everything but the
/// characters RFC 3986 calls unreserved.
pub const URL_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// What a request path leads to, after step 2.
#[derive(Debug)]
pub enum Found {
    /// A regular file under the root, with its metadata (symlinks followed).
    File { path: PathBuf, meta: fs::Metadata },
    /// A directory under the root that has no `index.html`.
    Directory(PathBuf),
    /// A directory asked for without the final `/` (`GET /css`): the client
    /// should come back as `/css/`, or the page's relative links would break.
    AddSlash,
    /// Nothing we serve: missing, a symlink leading out of the root, or not a
    /// regular file (a FIFO would block a reader forever, a device is no page).
    NotFound,
}

// ANCHOR: locate
/// Step 2: follows `request` from `root` (canonical: [`fs::canonicalize`]d
/// once at start-up) to what it names on disk.
///
/// These are blocking system calls made on the async thread, on purpose: an
/// `lstat` of a cached directory entry takes a microsecond, less than handing
/// it to tokio's blocking pool would. (On a network file system it would not
/// be so; there, `tokio::fs` is the right tool.)
pub fn locate(root: &Path, request: &RequestPath) -> io::Result<Found> {
    let mut path = root.to_path_buf();
    let mut last = None;
    let mut through_symlink = false;
    for segment in &request.segments {
        path.push(segment);
        // `symlink_metadata` is lstat: it reports a symlink itself instead
        // of following it, so we see every link on the way.
        let meta = fs::symlink_metadata(&path)?;
        through_symlink |= meta.file_type().is_symlink();
        last = Some(meta);
    }
    let meta = match last {
        Some(meta) => meta,
        None => fs::metadata(root)?, // `GET /`: the root itself
    };
    let Some((path, meta)) = inside_root(root, path, meta, through_symlink)? else {
        return Ok(Found::NotFound);
    };
    if meta.is_file() {
        return Ok(if request.trailing_slash {
            Found::NotFound // `/index.html/` names no directory
        } else {
            Found::File { path, meta }
        });
    }
    if !meta.is_dir() {
        return Ok(Found::NotFound);
    }
    if !request.trailing_slash && !request.segments.is_empty() {
        return Ok(Found::AddSlash);
    }
    let index = path.join("index.html");
    match fs::symlink_metadata(&index) {
        Ok(index_meta) => {
            let through_symlink = through_symlink || index_meta.file_type().is_symlink();
            match inside_root(root, index, index_meta, through_symlink)? {
                Some((index, meta)) if meta.is_file() => Ok(Found::File { path: index, meta }),
                _ => Ok(Found::NotFound),
            }
        }
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(Found::Directory(path)),
        Err(error) => Err(error),
    }
}

/// `path` with its metadata, if it is inside `root` once every symlink on
/// the way is followed; `None` if it leads out.
fn inside_root(
    root: &Path,
    path: PathBuf,
    lstat: fs::Metadata,
    through_symlink: bool,
) -> io::Result<Option<(PathBuf, fs::Metadata)>> {
    if !through_symlink {
        // We built `path` by pushing plain names onto the canonical root, and
        // no step was a link: it is canonical already, and under the root.
        return Ok(Some((path, lstat)));
    }
    // A link to nowhere, or a loop of links: nothing to serve.
    let Ok(canonical) = fs::canonicalize(&path) else {
        return Ok(None);
    };
    // `strip_prefix`, like `starts_with`, compares whole path components:
    // `/srv/assets-secret` is not under `/srv/assets`, though as strings
    // one starts with the other.
    let Ok(inside) = canonical.strip_prefix(root) else {
        return Ok(None);
    };
    // A link inside the root may not lead to a dotfile either.
    if inside
        .components()
        .any(|part| part.as_os_str().as_encoded_bytes().starts_with(b"."))
    {
        return Ok(None);
    }
    let meta = fs::metadata(&canonical)?;
    Ok(Some((canonical, meta)))
}
// ANCHOR_END: locate

/// Whether an error from [`locate`] just means "there is no such file here".
pub fn is_missing(error: &io::Error) -> bool {
    use io::ErrorKind::*;
    matches!(error.kind(), NotFound | NotADirectory | InvalidFilename)
}
