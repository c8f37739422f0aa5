//! Every text a lesson shows exists in both languages.
//!
//! Each crate with texts keeps them in `locales/app.yml`, English and
//! Chinese side by side (rust-i18n's format). Here, loaded with the same
//! loader rust-i18n compiles them with, for every crate:
//!
//! - every key has an English and a Chinese text, neither empty;
//! - both name the same `%{placeholders}` (a Chinese text that forgot
//!   `%{count}` would show less than the English one);
//! - every `t!("key"` in the crate's source has a text (rust-i18n would show
//!   the bare key to the student).

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use checks::root;
use regex::Regex;

const LANGUAGES: [&str; 2] = ["en", "zh-CN"];

/// `language → key → text`, as rust-i18n loads a crate's `locales/`.
type Texts = BTreeMap<String, BTreeMap<String, String>>;

/// `crate name → (its directory, its texts)`, for every crate with `locales/`.
fn crates_with_texts() -> BTreeMap<String, (PathBuf, Texts)> {
    let mut found = BTreeMap::new();
    for entry in fs::read_dir(root().join("crates")).unwrap() {
        let dir = entry.unwrap().path();
        let locales = dir.join("locales");
        if locales.is_dir() {
            let texts = rust_i18n_support::load_locales(locales.to_str().unwrap(), |_| false);
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            found.insert(name, (dir, texts));
        }
    }
    found
}

fn placeholders(text: &str) -> BTreeSet<String> {
    let pattern = Regex::new(r"%\{(\w+)\}").unwrap();
    pattern
        .captures_iter(text)
        .map(|c| c[1].to_owned())
        .collect()
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for path in entries.map(|e| e.unwrap().path()) {
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn every_text_is_in_both_languages_with_the_same_placeholders() {
    let crates = crates_with_texts();
    assert!(
        crates.contains_key("common"),
        "common/locales/app.yml is missing"
    );
    let mut problems = Vec::new();
    for (name, (_, texts)) in &crates {
        let keys: BTreeSet<&String> = texts.values().flat_map(|by_key| by_key.keys()).collect();
        for key in keys {
            let mut seen = Vec::new();
            for lang in LANGUAGES {
                match texts.get(lang).and_then(|by_key| by_key.get(key)) {
                    Some(text) if !text.trim().is_empty() => seen.push(placeholders(text)),
                    _ => problems.push(format!("{name}: `{key}` has no {lang} text")),
                }
            }
            if seen.len() == 2 && seen[0] != seen[1] {
                problems.push(format!(
                    "{name}: `{key}` names {:?} in English but {:?} in Chinese",
                    seen[0], seen[1]
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_key_the_code_looks_up_has_a_text() {
    let lookup = Regex::new(r#"\bt!\(\s*"([^"]+)""#).unwrap();
    let mut problems = Vec::new();
    let mut looked_up = 0;
    for (name, (dir, texts)) in crates_with_texts() {
        let english = texts.get("en").cloned().unwrap_or_default();
        let mut files = Vec::new();
        rust_files(&dir.join("src"), &mut files);
        for file in files {
            // Code only: a doc comment may show `t!` with a made-up key.
            let source: String = fs::read_to_string(&file)
                .unwrap()
                .lines()
                .filter(|line| !line.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            for key in lookup.captures_iter(&source).map(|c| c[1].to_owned()) {
                looked_up += 1;
                if !english.contains_key(&key) {
                    problems.push(format!(
                        "{name}: {} looks up `{key}`, which has no text",
                        file.display()
                    ));
                }
            }
        }
    }
    assert!(
        looked_up > 0,
        "no t!(\"…\") found: has the lookup pattern changed?"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
