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
        stdout.contains("Usage:"),
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
