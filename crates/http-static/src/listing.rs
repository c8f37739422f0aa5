//! `--list`: an HTML page listing a directory that has no `index.html`.
//!
//! File names come from whoever put files in the root, so they are text we
//! do not control: a file named `<script>alert(1)</script>.txt` must show as
//! that text, not run. Every name is percent-encoded for the link and
//! HTML-escaped for the page.

use std::io;
use std::path::Path;

use common::lang::Lang;
use percent_encoding::utf8_percent_encode;
use rust_i18n::t;

use crate::path::URL_SEGMENT;

/// A directory with more entries than this is cut short: the page (and
/// the memory to build it) stays bounded.
pub const MAX_ENTRIES: usize = 10_000;

/// Renders the listing of `dir` (under `root`), its words in `lang`.
/// Reading a directory can be slow, so it runs on tokio's blocking pool.
pub async fn render(root: &Path, dir: &Path, lang: Lang) -> io::Result<String> {
    let (root, dir) = (root.to_path_buf(), dir.to_path_buf());
    tokio::task::spawn_blocking(move || render_blocking(&root, &dir, lang))
        .await
        .map_err(io::Error::other)?
}

fn render_blocking(root: &Path, dir: &Path, lang: Lang) -> io::Result<String> {
    let locale = lang.code();
    let mut names: Vec<(String, bool)> = Vec::new();
    let mut more = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        // Names that are not UTF-8 cannot be asked for (see path.rs), and
        // dotfiles are never served: neither is listed.
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if name.starts_with('.') {
            continue;
        }
        if names.len() == MAX_ENTRIES {
            more += 1;
            continue;
        }
        // `file_type` does not follow symlinks; `metadata` does, so a link to
        // a directory is listed as one.
        let is_dir = std::fs::metadata(entry.path()).is_ok_and(|m| m.is_dir());
        names.push((name, is_dir));
    }
    names.sort();

    let inside = dir.strip_prefix(root).unwrap_or(Path::new(""));
    let is_root = inside.as_os_str().is_empty();
    let title = if is_root {
        "/".to_owned()
    } else {
        format!("/{}/", inside.display())
    };
    let title = escape_html(&t!("listing.title", locale = locale, path = title));
    // The switch to the other language: `?lang=` here, then a cookie.
    let (other, switch) = match lang {
        Lang::En => ("zh-CN", t!("listing.switch", locale = locale)),
        Lang::ZhCn => ("en", t!("listing.switch", locale = locale)),
    };
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"{locale}\">\n<head><meta charset=\"utf-8\"><title>{title}</title></head>\n\
         <body>\n<p><a id=\"lang-switch\" href=\"?lang={other}\">{switch}</a></p>\n<h1>{title}</h1>\n<ul>\n"
    );
    // The way up, except at the root: above it there is nothing we serve.
    if !is_root {
        html.push_str("<li><a href=\"../\">../</a></li>\n");
    }
    for (name, is_dir) in &names {
        let slash = if *is_dir { "/" } else { "" };
        let href = escape_html(&utf8_percent_encode(name, URL_SEGMENT).to_string());
        let text = escape_html(name);
        html.push_str(&format!(
            "<li><a href=\"{href}{slash}\">{text}{slash}</a></li>\n"
        ));
    }
    if more > 0 {
        let more = t!("listing.more", locale = locale, count = more);
        html.push_str(&format!("<li>{more}</li>\n"));
    }
    html.push_str("</ul>\n</body>\n</html>\n");
    Ok(html)
}

// ANCHOR: escape
/// Makes text safe inside HTML, in an element or a quoted attribute.
pub fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}
// ANCHOR_END: escape
