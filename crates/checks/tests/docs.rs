//! The code shown in `docs/` is the real code.
//!
//! In a doc page, an excerpt is a fenced code block right after a marker
//! naming its source:
//!
//! ````markdown
//! <!-- excerpt: crates/tcp-echo/src/server.rs#echo -->
//! ```rust
//! …the lines between `// ANCHOR: echo` and `// ANCHOR_END: echo`…
//! ```
//! ````
//!
//! A marker without `#name` (`<!-- excerpt: templates/todos.html -->`)
//! shows the whole file: for short files such as templates, where an
//! `ANCHOR` comment would have to be in the template's own syntax.
//!
//! This test fails when a block no longer matches its source. To refresh
//! every excerpt after changing the code:
//! `UPDATE_DOCS=1 cargo test -p checks --test docs`.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::{Path, PathBuf};

const MARKER: &str = "<!-- excerpt: ";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The lines between `ANCHOR: name` and `ANCHOR_END: name` in `file`,
/// without any other anchor lines, with common indentation removed.
fn anchored(file: &Path, name: &str) -> Result<String, String> {
    let text = fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let start = format!("ANCHOR: {name}");
    let end = format!("ANCHOR_END: {name}");
    let is_marker =
        |line: &str, marker: &str| line.trim_end().ends_with(marker) && line.contains(marker);
    let mut lines = text.lines();
    lines
        .by_ref()
        .find(|line| is_marker(line, &start))
        .ok_or_else(|| format!("{}: no `{start}`", file.display()))?;
    let mut body: Vec<&str> = Vec::new();
    for line in lines {
        if is_marker(line, &end) {
            let indent = body
                .iter()
                .filter(|l| !l.trim().is_empty())
                .map(|l| l.len() - l.trim_start().len())
                .min()
                .unwrap_or(0);
            let body: Vec<&str> = body.iter().map(|l| l.get(indent..).unwrap_or("")).collect();
            return Ok(body.join("\n"));
        }
        if !line.contains("ANCHOR: ") && !line.contains("ANCHOR_END: ") {
            body.push(line);
        }
    }
    Err(format!("{}: no `{end}`", file.display()))
}

/// All of `file`, without its final newline.
fn whole(file: &Path) -> Result<String, String> {
    let text = fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    Ok(text.strip_suffix('\n').unwrap_or(&text).to_owned())
}

/// Checks (or, with `update`, rewrites) the excerpts of one page. Returns the
/// problems found and the page as it should be.
fn check_page(page: &Path, update: bool) -> (Vec<String>, String) {
    let text = fs::read_to_string(page).expect("doc page is readable");
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<String> = Vec::new();
    let mut problems = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        out.push(line.to_owned());
        i += 1;
        let Some(reference) = line
            .trim()
            .strip_prefix(MARKER)
            .and_then(|r| r.strip_suffix("-->"))
        else {
            continue;
        };
        let reference = reference.trim();
        let place = format!("{}:{i}", page.display());
        let (file, anchor) = match reference.split_once('#') {
            Some((file, anchor)) => (file, Some(anchor)),
            None => (reference, None),
        };
        let Some(fence) = lines.get(i).filter(|l| l.starts_with("```")) else {
            problems.push(format!(
                "{place}: excerpt marker not followed by a ``` block"
            ));
            continue;
        };
        let Some(close) = lines[i + 1..].iter().position(|l| l.trim_end() == "```") else {
            problems.push(format!("{place}: unclosed code block"));
            continue;
        };
        let shown = lines[i + 1..i + 1 + close].join("\n");
        let source = match anchor {
            Some(anchor) => anchored(&root().join(file), anchor),
            None => whole(&root().join(file)),
        };
        match source {
            Ok(source) if source == shown => {}
            Ok(source) if update => {
                out.push((*fence).to_owned());
                out.extend(source.lines().map(str::to_owned));
                out.push("```".to_owned());
                i += close + 2;
                continue;
            }
            Ok(source) => problems.push(format!(
                "{place}: the excerpt of {reference} no longer matches the source.\n\
                 --- in the doc:\n{shown}\n--- in the source:\n{source}\n\
                 (UPDATE_DOCS=1 cargo test -p checks --test docs refreshes it)"
            )),
            Err(error) => problems.push(format!("{place}: {error}")),
        }
        // Copy the block unchanged.
        out.extend(lines[i..i + close + 2].iter().map(|l| (*l).to_owned()));
        i += close + 2;
    }
    let mut page_text = out.join("\n");
    page_text.push('\n');
    (problems, page_text)
}

fn doc_pages() -> Vec<PathBuf> {
    let mut pages: Vec<PathBuf> = fs::read_dir(root().join("docs"))
        .expect("docs/ exists")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .collect();
    pages.sort();
    pages
}

#[test]
fn doc_excerpts_match_their_source() {
    let update = std::env::var_os("UPDATE_DOCS").is_some();
    let mut problems = Vec::new();
    let mut excerpts = 0;
    for page in doc_pages() {
        let (found, fixed) = check_page(&page, update);
        excerpts += fs::read_to_string(&page).unwrap().matches(MARKER).count();
        if update {
            fs::write(&page, fixed).expect("doc page is writable");
        }
        problems.extend(found);
    }
    assert!(
        excerpts > 0,
        "no excerpts found in docs/: is the marker format still {MARKER}…?"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn a_changed_excerpt_is_caught() {
    // The checker itself must be able to fail: feed it a page whose excerpt
    // differs from the source by one character.
    let dir = std::env::temp_dir().join(format!("checks-docs-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let page = dir.join("page.md");
    let source = anchored(&root().join("crates/tcp-echo/src/server.rs"), "echo").unwrap();
    let tampered = source.replacen("hello", "hullo", 1);
    assert_ne!(source, tampered);
    fs::write(
        &page,
        format!("{MARKER}crates/tcp-echo/src/server.rs#echo -->\n```rust\n{tampered}\n```\n"),
    )
    .unwrap();
    let (problems, fixed) = check_page(&page, false);
    assert_eq!(problems.len(), 1, "{problems:?}");
    let (_, updated) = check_page(&page, true);
    assert!(
        updated.contains(&source),
        "update rewrites the block:\n{updated}\n{fixed}"
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_changed_whole_file_excerpt_is_caught() {
    let dir = std::env::temp_dir().join(format!("checks-docs-whole-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let page = dir.join("page.md");
    let source = whole(&root().join("templates/todos.html")).unwrap();
    let tampered = source.replacen("todos", "todo", 1);
    assert_ne!(source, tampered);
    fs::write(
        &page,
        format!("{MARKER}templates/todos.html -->\n```html\n{source}\n```\n"),
    )
    .unwrap();
    assert_eq!(check_page(&page, false).0, Vec::<String>::new());
    fs::write(
        &page,
        format!("{MARKER}templates/todos.html -->\n```html\n{tampered}\n```\n"),
    )
    .unwrap();
    assert_eq!(check_page(&page, false).0.len(), 1);
    fs::remove_dir_all(&dir).unwrap();
}
