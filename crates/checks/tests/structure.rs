//! The shape the course promises (DEVELOPERS.md, "The lesson first"): each
//! lesson's code lives in its own crate, no lesson crate depends on
//! another, and `common` stays small enough to read in one sitting.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use checks::root;
use serde_json::Value;

/// The chapters' crates. `chat-cluster` (chapter 7) is the one lesson the
/// two chat lessons may use, for `--redis`.
const LESSONS: &[&str] = &[
    "concepts",
    "tcp-echo",
    "tcp-chat",
    "udp-unicast",
    "udp-broadcast",
    "udp-multicast",
    "http-static",
    "http-template",
    "https-server",
    "ws-chat",
    "chat-cluster",
];

/// Lesson → lesson dependencies that are allowed.
const ALLOWED: &[(&str, &str)] = &[("tcp-chat", "chat-cluster"), ("ws-chat", "chat-cluster")];

/// The most lines `common`'s source may have, tests excluded: still one
/// sitting. It was 800 until the lessons learnt Chinese (`lang`: the
/// language, `--help` in it; `demo`: paced steps; the students' addresses
/// in `net`; the chat's errors in both languages), about 460 lines more;
/// then 1,300 until clap's own words and the OS's errors were said in
/// Chinese too (`lang::clap_words_in_chinese`, `exit::io_error`) and UDP's
/// hints for the teacher stopped saying "connect" (`net::tell_students_udp`).
const COMMON_LIMIT: usize = 1520;

fn metadata() -> Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn no_lesson_crate_depends_on_another() {
    let metadata = metadata();
    let mut found = Vec::new();
    let mut lessons_seen = 0;
    for package in metadata["packages"].as_array().unwrap() {
        let name = package["name"].as_str().unwrap();
        if !LESSONS.contains(&name) {
            continue;
        }
        lessons_seen += 1;
        for dependency in package["dependencies"].as_array().unwrap() {
            let on = dependency["name"].as_str().unwrap();
            if LESSONS.contains(&on) && !ALLOWED.contains(&(name, on)) {
                found.push(format!("{name} depends on {on}"));
            }
        }
    }
    assert!(
        lessons_seen >= 9,
        "the lesson crates were not found in cargo metadata"
    );
    assert!(
        found.is_empty(),
        "lesson crates depending on lessons: {found:?}"
    );
}

/// Cargo puts every example in one directory, `target/debug/examples`:
/// two crates with an example of the same name overwrite each other's
/// binary (and a test could run the wrong one).
#[test]
fn example_names_are_unique_across_the_workspace() {
    let mut seen = std::collections::BTreeMap::new();
    let mut clashes = Vec::new();
    let metadata = metadata();
    for package in metadata["packages"].as_array().unwrap() {
        let crate_name = package["name"].as_str().unwrap();
        for target in package["targets"].as_array().unwrap() {
            if target["kind"]
                .as_array()
                .unwrap()
                .iter()
                .any(|k| k == "example")
            {
                let name = target["name"].as_str().unwrap().to_owned();
                if let Some(other) = seen.insert(name.clone(), crate_name) {
                    clashes.push(format!("{name}: in {other} and {crate_name}"));
                }
            }
        }
    }
    assert!(seen.len() >= 10, "the examples were not found: {seen:?}");
    assert!(clashes.is_empty(), "example names used twice: {clashes:?}");
}

/// `file`'s lines, without `#[cfg(test)]` items (a unit-test module).
fn non_test_lines(file: &Path) -> usize {
    let text = fs::read_to_string(file).unwrap();
    let mut lines = text.lines();
    let mut count = 0;
    while let Some(line) = lines.next() {
        if line.trim() != "#[cfg(test)]" {
            count += 1;
            continue;
        }
        // Skip the item that follows, to its closing brace.
        let mut depth = 0i32;
        let mut opened = false;
        for line in lines.by_ref() {
            depth += line.matches('{').count() as i32 - line.matches('}').count() as i32;
            opened |= line.contains('{');
            if opened && depth <= 0 {
                break;
            }
        }
    }
    count
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
    files
}

#[test]
fn common_is_small_enough_to_read_in_one_sitting() {
    let src = root().join("crates/common/src");
    let mut total = 0;
    let mut each = Vec::new();
    for file in rust_files(&src) {
        // Chapter 5's certificate plumbing and chapters 4–5's language per
        // request, behind the `tls` and `web` features, are counted apart:
        // the other lessons do not compile them.
        if file.components().any(|part| part.as_os_str() == "tls")
            || file.ends_with("tls.rs")
            || file.ends_with("web.rs")
        {
            continue;
        }
        let lines = non_test_lines(&file);
        each.push(format!("{lines:5} {}", file.display()));
        total += lines;
    }
    assert!(
        total <= COMMON_LIMIT,
        "common has {total} lines of non-test Rust, over {COMMON_LIMIT}:\n{}",
        each.join("\n")
    );
}

#[test]
fn the_line_count_skips_unit_tests_only() {
    let dir = std::env::temp_dir().join(format!("checks-structure-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let file = dir.join("sample.rs");
    fs::write(
        &file,
        "fn a() {}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn t() {\n        assert!(true);\n    }\n}\nfn b() {}\n",
    )
    .unwrap();
    assert_eq!(non_test_lines(&file), 3, "fn a, the blank line, fn b");
    fs::remove_dir_all(&dir).unwrap();
}

/// Every lesson recipe (`just chN-…`) passes its arguments on to the
/// program (`*args`, then `"$@"`): `just ch3-lab --lang en` or
/// `just ch2-echo --port 0` must not be refused by just itself.
#[test]
fn every_lesson_recipe_passes_its_arguments_on() {
    let justfile = fs::read_to_string(root().join("justfile")).unwrap();
    let mut lines = justfile.lines().peekable();
    let mut seen = 0;
    let mut refused = Vec::new();
    while let Some(line) = lines.next() {
        let Some((head, _)) = line.split_once(':') else {
            continue;
        };
        if !head.starts_with("ch") || line.starts_with(' ') || line.ends_with(":=") {
            continue;
        }
        seen += 1;
        let mut body = String::new();
        while let Some(next) = lines.peek().filter(|l| l.starts_with(' ')) {
            body.push_str(next);
            body.push('\n');
            lines.next();
        }
        if !head.contains(" *") || !body.contains("\"$@\"") {
            refused.push(head.to_owned());
        }
    }
    assert!(seen >= 30, "the lesson recipes were not found ({seen})");
    assert!(
        refused.is_empty(),
        "recipes that take no arguments: {refused:?}"
    );
}
