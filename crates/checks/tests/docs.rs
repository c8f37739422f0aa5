//! The pages in `docs/` (English) and `docs/zh-CN/` (Chinese) show the real
//! code and the real output, and each lesson page keeps a lesson's shape.
//!
//! **Excerpts.** An excerpt is a fenced code block right after a marker
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
//! shows the whole file. Every `rust`, `js`, `html` and `toml` block is
//! either an excerpt or says why it is not checked, on the line before it:
//! `<!-- not-checked: the seed's Node code -->`. One name is one anchor:
//! a file with two `ANCHOR: name` lines of the same name fails.
//!
//! **Demo transcripts.** A `text` block after `<!-- demo-output: tcp-chat -->`
//! is what `tcp-chat demo` prints: each of its non-empty lines must appear,
//! in order, in the demo's output (lines between may be left out), once
//! both are trimmed and `IP:PORT` ports and durations are masked.
//!
//! **Lesson pages** (`chN-….md`, not the `-deeper` ones, in both editions):
//! at most 600 lines, at least one Mermaid diagram, and an exercises and a
//! summary section.
//!
//! To refresh every excerpt after changing the code:
//! `UPDATE_DOCS=1 cargo test -p checks --test docs`.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use checks::{root, workspace_binaries};
use regex::Regex;

const MARKER: &str = "<!-- excerpt: ";
const NOT_CHECKED: &str = "<!-- not-checked: ";
const DEMO_OUTPUT: &str = "<!-- demo-output: ";

/// The languages whose blocks must be excerpts or say why not.
const CHECKED_LANGUAGES: &[&str] = &["rust", "js", "javascript", "html", "toml"];

/// The most lines a lesson page may have.
const LESSON_LIMIT: usize = 600;

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

/// The text of an HTML comment marker on `line`, if it is one of `kind`.
fn marker<'a>(line: &'a str, kind: &str) -> Option<&'a str> {
    line.trim()
        .strip_prefix(kind)
        .and_then(|rest| rest.strip_suffix("-->"))
        .map(str::trim)
}

/// A demo transcript found in a page: which crate's demo, and its lines.
#[derive(Debug)]
struct Transcript {
    place: String,
    krate: String,
    /// The page's edition: `LANG` for the demo (`zh_CN.UTF-8` or `en_US.UTF-8`).
    lang: &'static str,
    lines: Vec<String>,
}

/// What checking one page found.
#[derive(Debug, Default)]
struct PageReport {
    problems: Vec<String>,
    /// The page as it should be (excerpts refreshed).
    fixed: String,
    transcripts: Vec<Transcript>,
}

/// Checks (or, with `update`, rewrites) the excerpts and markers of one page.
fn check_page(page: &Path, update: bool) -> PageReport {
    let text = fs::read_to_string(page).expect("doc page is readable");
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<String> = Vec::new();
    let mut report = PageReport::default();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let place = format!("{}:{}", page.display(), i + 1);
        // A fence: check that a block that must be marked is.
        if let Some(info) = line.strip_prefix("```")
            && !info.is_empty()
        {
            let language = info.split([',', ' ']).next().unwrap_or("");
            let before = if i > 0 { lines[i - 1] } else { "" };
            let marked = marker(before, MARKER).is_some() || marker(before, NOT_CHECKED).is_some();
            if CHECKED_LANGUAGES.contains(&language) && !marked {
                report.problems.push(format!(
                    "{place}: a ```{language} block with neither `{MARKER}…-->` nor \
                     `{NOT_CHECKED}why -->` on the line before it"
                ));
            }
            // Copy the block as it is (excerpts are handled at their marker).
            let close = lines[i + 1..]
                .iter()
                .position(|l| l.trim_end() == "```")
                .map_or(lines.len(), |c| i + 1 + c);
            out.extend(
                lines[i..=close.min(lines.len() - 1)]
                    .iter()
                    .map(|l| (*l).to_owned()),
            );
            i = close + 1;
            continue;
        }
        out.push(line.to_owned());
        i += 1;
        if let Some(krate) = marker(line, DEMO_OUTPUT) {
            match block_after(&lines, i) {
                Some((_, body)) => report.transcripts.push(Transcript {
                    place: place.clone(),
                    krate: krate.to_owned(),
                    lang: if page.components().any(|part| part.as_os_str() == "zh-CN") {
                        "zh_CN.UTF-8"
                    } else {
                        "en_US.UTF-8"
                    },
                    lines: body.iter().map(|l| (*l).to_owned()).collect(),
                }),
                None => report.problems.push(format!(
                    "{place}: demo-output marker not followed by a ``` block"
                )),
            }
            continue;
        }
        let Some(reference) = marker(line, MARKER) else {
            continue;
        };
        let (file, anchor) = match reference.split_once('#') {
            Some((file, anchor)) => (file, Some(anchor)),
            None => (reference, None),
        };
        let Some((fence, body)) = block_after(&lines, i) else {
            report.problems.push(format!(
                "{place}: excerpt marker not followed by a ``` block"
            ));
            continue;
        };
        let shown = body.join("\n");
        let source = match anchor {
            Some(anchor) => anchored(&root().join(file), anchor),
            None => whole(&root().join(file)),
        };
        let block_len = body.len() + 2;
        match source {
            Ok(source) if source == shown => {}
            Ok(source) if update => {
                out.push(fence.to_owned());
                out.extend(source.lines().map(str::to_owned));
                out.push("```".to_owned());
                i += block_len;
                continue;
            }
            Ok(source) => report.problems.push(format!(
                "{place}: the excerpt of {reference} no longer matches the source.\n\
                 --- in the doc:\n{shown}\n--- in the source:\n{source}\n\
                 (UPDATE_DOCS=1 cargo test -p checks --test docs refreshes it)"
            )),
            Err(error) => report.problems.push(format!("{place}: {error}")),
        }
        // Copy the block unchanged.
        out.extend(lines[i..i + block_len].iter().map(|l| (*l).to_owned()));
        i += block_len;
    }
    report.fixed = out.join("\n") + "\n";
    report
}

/// The fenced block starting at line `i`: its opening fence and its body.
fn block_after<'a>(lines: &[&'a str], i: usize) -> Option<(&'a str, Vec<&'a str>)> {
    let fence = lines.get(i).filter(|l| l.starts_with("```"))?;
    let close = lines[i + 1..].iter().position(|l| l.trim_end() == "```")?;
    Some((fence, lines[i + 1..i + 1 + close].to_vec()))
}

/// Every Markdown page: `docs/` with `docs/zh-CN/`, and the READMEs.
fn doc_pages() -> Vec<PathBuf> {
    let mut pages = Vec::new();
    for dir in [root().join("docs"), root().join("docs/zh-CN"), root()] {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for path in entries.filter_map(|entry| entry.ok().map(|e| e.path())) {
            let is_md = path.extension().is_some_and(|ext| ext == "md");
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            if is_md && (dir != root() || name.starts_with("README")) {
                pages.push(path);
            }
        }
    }
    pages.sort();
    pages
}

/// Masks what changes from run to run: ports after an address, durations.
fn masked(line: &str) -> String {
    static PORT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:.]+\]|localhost):\d{1,5}").unwrap()
    });
    static DURATION: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b\d+(?:\.\d+)?(?:ns|µs|us|ms|s)\b").unwrap());
    let line = PORT.replace_all(line.trim(), "$1:PORT");
    DURATION.replace_all(&line, "DURATION").into_owned()
}

/// The lines of `shown` that do not appear, in order, in `output`.
fn missing_from(shown: &[String], output: &str) -> Vec<String> {
    let output: Vec<String> = output.lines().map(masked).collect();
    let mut from = 0;
    let mut missing = Vec::new();
    for line in shown.iter().map(|l| masked(l)).filter(|l| !l.is_empty()) {
        match output[from..].iter().position(|l| *l == line) {
            Some(at) => from += at + 1,
            None => missing.push(line),
        }
    }
    missing
}

/// Runs `binary demo` (at most two minutes) in the language `lang` names
/// (a `LANG` value) and returns what it printed.
fn demo_output(binary: &Path, lang: &str) -> String {
    let mut child = Command::new(binary)
        .arg("demo")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", lang)
        .current_dir(root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the demo starts");
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("{} demo ran for over two minutes", binary.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{} demo failed", binary.display());
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn doc_excerpts_match_their_source_and_every_code_block_is_accounted_for() {
    let update = std::env::var_os("UPDATE_DOCS").is_some();
    let mut problems = Vec::new();
    let mut excerpts = 0;
    for page in doc_pages() {
        let report = check_page(&page, update);
        excerpts += fs::read_to_string(&page).unwrap().matches(MARKER).count();
        if update {
            fs::write(&page, &report.fixed).expect("doc page is writable");
        }
        problems.extend(report.problems);
    }
    assert!(
        excerpts > 0,
        "no excerpts found in docs/: is the marker format still {MARKER}…?"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn demo_transcripts_are_what_the_demos_print() {
    check_transcripts(|krate| !NEEDS_REDIS.contains(&krate));
}

/// Demos that start a `redis-server` (chapter 7): their transcripts are
/// checked by the ignored test below, which CI runs with redis-server
/// installed, so that `cargo test --workspace` needs only Rust.
const NEEDS_REDIS: &[&str] = &["chat-cluster"];

#[test]
#[ignore = "needs redis-server (apt-get install redis-server)"]
fn the_cluster_demo_transcripts_are_what_the_demo_prints() {
    check_transcripts(|krate| NEEDS_REDIS.contains(&krate));
}

/// Runs the demos whose crate `which` picks, in each page's language, and
/// checks that each transcript in the pages is still what they print.
fn check_transcripts(which: impl Fn(&str) -> bool) {
    let transcripts: Vec<Transcript> = doc_pages()
        .iter()
        .flat_map(|page| check_page(page, false).transcripts)
        .filter(|transcript| which(&transcript.krate))
        .collect();
    if transcripts.is_empty() {
        return;
    }
    let binaries: BTreeMap<String, PathBuf> = workspace_binaries().into_iter().collect();
    let wanted: BTreeSet<(&str, &str)> = transcripts
        .iter()
        .map(|t| (t.krate.as_str(), t.lang))
        .collect();
    let mut outputs = BTreeMap::new();
    for (krate, lang) in wanted {
        let binary = binaries
            .get(krate)
            .unwrap_or_else(|| panic!("demo-output names {krate}, which is no binary"));
        outputs.insert((krate, lang), demo_output(binary, lang));
    }
    let mut problems = Vec::new();
    for transcript in &transcripts {
        let output = &outputs[&(transcript.krate.as_str(), transcript.lang)];
        let missing = missing_from(&transcript.lines, output);
        if !missing.is_empty() {
            problems.push(format!(
                "{}: `{} demo` no longer prints (in this order):\n{}",
                transcript.place,
                transcript.krate,
                missing.join("\n")
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// Files that hold anchors: the code and the assets pages excerpt.
fn anchored_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for path in entries.filter_map(|entry| entry.ok().map(|e| e.path())) {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if path.is_dir() && name != "target" && !name.starts_with('.') {
            anchored_files(&path, found);
        } else if ["rs", "js", "html", "css", "toml"]
            .iter()
            .any(|ext| path.extension().is_some_and(|e| e == *ext))
        {
            found.push(path);
        }
    }
}

#[test]
fn no_file_has_two_anchors_of_one_name() {
    let mut files = Vec::new();
    for dir in ["crates", "assets", "templates"] {
        anchored_files(&root().join(dir), &mut files);
    }
    let mut problems = Vec::new();
    for file in files {
        let text = fs::read_to_string(&file).unwrap_or_default();
        let mut seen = BTreeSet::new();
        for line in text.lines() {
            let Some((_, name)) = line.split_once("ANCHOR: ") else {
                continue;
            };
            if !seen.insert(name.trim().to_owned()) {
                problems.push(format!(
                    "{}: two anchors named {}",
                    file.display(),
                    name.trim()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn each_lesson_page_is_a_lesson() {
    let mut problems = Vec::new();
    let mut lessons = 0;
    for page in doc_pages() {
        let name = page.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("ch") || name.ends_with("-deeper.md") {
            continue;
        }
        lessons += 1;
        let text = fs::read_to_string(&page).unwrap();
        let chinese = page.parent().is_some_and(|dir| dir.ends_with("zh-CN"));
        let (exercises, summary) = if chinese {
            ("## 练习", "## 总结")
        } else {
            ("## Exercises", "## Summary")
        };
        let place = page.display();
        let count = text.lines().count();
        if count > LESSON_LIMIT {
            problems.push(format!("{place}: {count} lines, over {LESSON_LIMIT}"));
        }
        if !text.contains("```mermaid") {
            problems.push(format!("{place}: no diagram (a ```mermaid block)"));
        }
        for heading in [exercises, summary] {
            if !text.lines().any(|line| line.trim_end() == heading) {
                problems.push(format!("{place}: no `{heading}` section"));
            }
        }
    }
    assert!(lessons >= 5, "only {lessons} lesson pages found");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A scratch directory for the checker's own tests.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("checks-docs-{name}-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_changed_excerpt_is_caught() {
    // The checker itself must be able to fail: feed it a page whose excerpt
    // differs from the source by one character.
    let dir = scratch("excerpt");
    let page = dir.join("page.md");
    let source = anchored(&root().join("crates/tcp-echo/src/server.rs"), "echo").unwrap();
    let tampered = source.replacen("hello", "hullo", 1);
    assert_ne!(source, tampered);
    fs::write(
        &page,
        format!("{MARKER}crates/tcp-echo/src/server.rs#echo -->\n```rust\n{tampered}\n```\n"),
    )
    .unwrap();
    let report = check_page(&page, false);
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    let updated = check_page(&page, true).fixed;
    assert!(
        updated.contains(&source),
        "update rewrites the block:\n{updated}"
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_changed_whole_file_excerpt_is_caught() {
    let dir = scratch("whole");
    let page = dir.join("page.md");
    let source = whole(&root().join("templates/todos.html")).unwrap();
    let tampered = source.replacen("todos", "todo", 1);
    assert_ne!(source, tampered);
    fs::write(
        &page,
        format!("{MARKER}templates/todos.html -->\n```html\n{source}\n```\n"),
    )
    .unwrap();
    assert!(check_page(&page, false).problems.is_empty());
    fs::write(
        &page,
        format!("{MARKER}templates/todos.html -->\n```html\n{tampered}\n```\n"),
    )
    .unwrap();
    assert_eq!(check_page(&page, false).problems.len(), 1);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_unmarked_code_block_is_caught_and_a_reason_is_enough() {
    let dir = scratch("unmarked");
    let page = dir.join("page.md");
    fs::write(&page, "Some Rust:\n\n```rust\nfn main() {}\n```\n").unwrap();
    let problems = check_page(&page, false).problems;
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("```rust block"), "{problems:?}");
    fs::write(
        &page,
        "<!-- not-checked: a sketch -->\n```rust\nfn main() {}\n```\n\n```sh\nls\n```\n",
    )
    .unwrap();
    assert!(check_page(&page, false).problems.is_empty());
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_transcript_matches_in_order_with_ports_and_durations_masked() {
    let output = "listening on 127.0.0.1:41234\n  client | connected to 127.0.0.1:41234\n  \
                  server | GET / 200 12 bytes in 96.1µs\n  client | bye\n";
    let shown = |text: &str| text.lines().map(str::to_owned).collect::<Vec<_>>();
    // Other ports and durations, a line left out: still the same output.
    let same = shown("  client | connected to 127.0.0.1:5000\n  client | bye");
    assert!(missing_from(&same, output).is_empty());
    let timed = shown("server | GET / 200 12 bytes in 3ms");
    assert!(missing_from(&timed, output).is_empty());
    // Another word, or the right lines in the wrong order: caught.
    let changed = shown("client | connected to 127.0.0.1:5000\nclient | goodbye");
    assert_eq!(missing_from(&changed, output), ["client | goodbye"]);
    let reordered = shown("client | bye\nclient | connected to 127.0.0.1:1");
    assert_eq!(missing_from(&reordered, output).len(), 1);
}

#[test]
fn a_demo_output_marker_is_collected() {
    let dir = scratch("demo");
    let page = dir.join("page.md");
    fs::write(
        &page,
        "<!-- demo-output: tcp-echo -->\n```text\n  client | connected to server!\n```\n",
    )
    .unwrap();
    let report = check_page(&page, false);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.transcripts.len(), 1);
    assert_eq!(report.transcripts[0].krate, "tcp-echo");
    fs::remove_dir_all(&dir).unwrap();
}
