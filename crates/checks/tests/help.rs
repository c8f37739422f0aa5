//! Every binary in the workspace answers `--help`, and so does each of its
//! subcommands. Lesson binaries also have a `demo` subcommand (the contract
//! in the README). Crates added later are found by themselves.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::Command;

use checks::workspace_binaries;

/// Runs `binary args…`, expects success, returns stdout.
fn help(binary: &PathBuf, args: &[&str]) -> String {
    let output = Command::new(binary)
        .args(args)
        .output()
        .expect("binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{} {args:?} failed: {}",
        binary.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("Usage:") || stdout.contains("用法："),
        "{} {args:?}:\n{stdout}",
        binary.display()
    );
    stdout
}

/// The subcommand names in a clap help text's `Commands:` section.
fn subcommands(help_text: &str) -> Vec<String> {
    help_text
        .lines()
        .skip_while(|line| !line.starts_with("Commands:"))
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}

/// Does `text` have Chinese in it?
fn has_chinese(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// The lessons' help speaks the student's language: with `--lang zh-CN` the
/// program's and every subcommand's description and options are in
/// Chinese, clap's own words too (`用法：`, `选项：`, `显示帮助`, no
/// `[default: …]`); with `--lang en` they are not. `LANG=zh_CN.UTF-8` alone
/// picks Chinese too.
#[test]
fn every_lesson_explains_itself_in_chinese_and_english() {
    let mut problems = Vec::new();
    for (name, path) in &workspace_binaries() {
        // loadgen measures the lessons; it is not one, and stays English.
        if name == "loadgen" {
            continue;
        }
        let top = help(path, &["--lang", "en", "--help"]);
        for command in std::iter::once(None).chain(subcommands(&top).into_iter().map(Some)) {
            let mut args: Vec<&str> = command.iter().map(String::as_str).collect();
            args.extend(["--help", "--lang"]);
            let english = help(path, &[args.as_slice(), &["en"]].concat());
            let chinese = help(path, &[args.as_slice(), &["zh-CN"]].concat());
            let place = format!("{name} {}", command.as_deref().unwrap_or(""));
            if has_chinese(&english) {
                problems.push(format!("{place}: Chinese in the English help:\n{english}"));
            }
            // Every line that describes something, not only one of them.
            let untranslated: Vec<&str> = chinese
                .lines()
                .filter(|line| line.starts_with("  ") && line.trim_start().starts_with('-'))
                .filter(|line| !line.contains("--help") && !line.contains("--version"))
                .filter(|line| !has_chinese(line))
                .collect();
            let clap_english = ["Usage:", "Options:", "Commands:", "Print help", "[default:"]
                .iter()
                .any(|words| chinese.contains(words));
            if !has_chinese(chinese.lines().next().unwrap_or(""))
                || !untranslated.is_empty()
                || clap_english
            {
                problems.push(format!(
                    "{place}: not all in Chinese with --lang zh-CN:\n{chinese}"
                ));
            }
        }
        let output = Command::new(path)
            .arg("--help")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env("LANG", "zh_CN.UTF-8")
            .output()
            .unwrap();
        if !has_chinese(&String::from_utf8_lossy(&output.stdout)) {
            problems.push(format!("{name}: LANG=zh_CN.UTF-8 does not pick Chinese"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn every_binary_and_subcommand_has_help() {
    let binaries = workspace_binaries();
    let names: Vec<&str> = binaries.iter().map(|(name, _)| name.as_str()).collect();
    for expected in ["tcp-echo", "loadgen", "concepts"] {
        assert!(names.contains(&expected), "{expected} not among {names:?}");
    }
    for (name, path) in &binaries {
        let top = help(path, &["--help"]);
        let commands = subcommands(&top);
        for command in &commands {
            help(path, &[command, "--help"]);
        }
        // loadgen measures the lessons; it is not one.
        if name != "loadgen" {
            assert!(
                commands.iter().any(|c| c == "demo"),
                "{name} has no `demo` subcommand: {commands:?}"
            );
        }
    }
}
