//! The `Range` header: which bytes of a file the client asks for.
//!
//! A download manager resuming at byte 1000 sends `Range: bytes=1000-`; a
//! video player seeking sends `bytes=5000000-5999999`. RFC 9110 §14.1.2 has
//! three forms for one range, and this module reads exactly those:
//!
//! | header | means | on a 1000-byte file |
//! |---|---|---|
//! | `bytes=a-b` | bytes a to b, both included | `bytes=0-99`: the first 100 |
//! | `bytes=a-` | from byte a to the end | `bytes=900-`: the last 100 |
//! | `bytes=-n` | the last n bytes | `bytes=-100`: the last 100 |
//!
//! The parser is ours, small and tested, because it must make the calls the
//! RFC leaves to the server, and the range crates we looked at made them
//! differently (`bytes=-5000` on a 1000-byte file is the *whole* file, not an
//! error; `bytes=0-0` on an empty file is unsatisfiable, not byte 0).

use std::ops::RangeInclusive;

/// What to do with a request's `Range` header, for a file of a given length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ranged {
    /// No usable range: answer `200` with the whole file. This covers no
    /// header, a header we cannot read (the RFC says to ignore it), another
    /// unit than bytes, and several ranges (`bytes=0-1,5-6`), which a server
    /// may answer with the whole file instead of a multipart body.
    Whole,
    /// One satisfiable range, already clamped to the file: answer `206`.
    Part(RangeInclusive<u64>),
    /// A well-formed range that lies wholly past the end: answer `416` with
    /// `Content-Range: bytes */LEN`.
    Unsatisfiable,
}

// ANCHOR: range
/// Reads a `Range` header value against a file of `len` bytes.
pub fn parse(header: &str, len: u64) -> Ranged {
    let Some((unit, specs)) = header.split_once('=') else {
        return Ranged::Whole;
    };
    if !unit.trim().eq_ignore_ascii_case("bytes") || specs.contains(',') {
        return Ranged::Whole;
    }
    let Some((first, last)) = specs.trim().split_once('-') else {
        return Ranged::Whole;
    };
    // Each side is empty (`None`) or a number; anything else is no range.
    let (Some(first), Some(last)) = (position(first), position(last)) else {
        return Ranged::Whole;
    };
    match (first, last) {
        // bytes=5-2 is not a range: ignore the header.
        (Some(first), Some(last)) if last < first => Ranged::Whole,
        // bytes=a-b and bytes=a-: a must be inside the file; b is clamped to it.
        (Some(first), last) => {
            if first >= len {
                return Ranged::Unsatisfiable;
            }
            let last = last.map_or(len - 1, |last| last.min(len - 1));
            Ranged::Part(first..=last)
        }
        // bytes=-n: the last n bytes, or the whole file if it is shorter.
        (None, Some(suffix)) => {
            if suffix == 0 || len == 0 {
                return Ranged::Unsatisfiable;
            }
            Ranged::Part(len.saturating_sub(suffix)..=len - 1)
        }
        // bytes=-
        (None, None) => Ranged::Whole,
    }
}

/// One side of `a-b`: `Some(None)` when empty, `Some(Some(n))` for digits,
/// `None` for anything else (including a number too big for a `u64`).
fn position(text: &str) -> Option<Option<u64>> {
    let text = text.trim();
    if text.is_empty() {
        return Some(None);
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok().map(Some)
}
// ANCHOR_END: range
