//! This crate's `tests/` check the course as a whole; this library holds
//! what two of them share.
//!
//! - `tests/help.rs` builds every binary in the workspace and runs its
//!   `--help` (and each subcommand's), so a broken flag or a stale header
//!   fails CI. New crates are picked up by themselves.
//! - `tests/docs.rs` checks the pages in `docs/` (both editions): every
//!   code excerpt is still the code it claims to be, every code block is
//!   either an excerpt or says why it is not checked, a demo transcript is
//!   what the demo prints, and each lesson page keeps the lesson's shape.
//!   `UPDATE_DOCS=1 cargo test -p checks --test docs` rewrites the excerpts
//!   from the source.
//! - `tests/structure.rs`: no lesson crate depends on another, and `common`
//!   stays small.
//! - `tests/mermaid.rs` (ignored by default: it needs chromium and mdBook)
//!   builds both books and fails on any diagram mermaid could not draw.

use std::path::PathBuf;
use std::process::Command;

/// The repository's root.
///
/// Read when the test runs (cargo sets `CARGO_MANIFEST_DIR` for it), not
/// when it was compiled: a test binary reused from another checkout of the
/// repository must check this one.
pub fn root() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    manifest_dir.join("../..")
}

/// Builds every binary of the workspace and returns `(name, path)` for each.
///
/// `--tests` is there for the feature set, not for the tests: with it, cargo
/// resolves dependencies' features as `cargo test --workspace` did, so this
/// build reuses what that one compiled instead of compiling tokio and the rest
/// a second time (twice the time and disk in CI).
///
/// # Panics
///
/// If the build fails (with the compiler's errors), or cargo cannot run.
pub fn workspace_binaries() -> Vec<(String, PathBuf)> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    // The variables cargo set for this test (CARGO_PKG_NAME, …) are not
    // the build's: some build scripts (ring's) rerun when they change,
    // and everything above them would be rebuilt, now and on the next build.
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        let per_package = [
            "CARGO_MANIFEST_",
            "CARGO_PKG_",
            "CARGO_CRATE_",
            "CARGO_PRIMARY_",
        ];
        if per_package.iter().any(|prefix| key.starts_with(prefix)) || key == "CARGO_TARGET_TMPDIR"
        {
            command.env_remove(key.as_ref());
        }
    }
    let output = command
        .args(["build", "--workspace", "--bins", "--tests", "--quiet"])
        .arg("--message-format=json-render-diagnostics")
        .current_dir(root())
        .output();
    let Ok(output) = output else {
        panic!("cargo does not run");
    };
    // With json-render-diagnostics, compiler errors go to stderr as text.
    assert!(
        output.status.success(),
        "cargo build failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut binaries = Vec::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        // Only the binaries themselves, not the test harnesses built from them.
        let target = &message["target"];
        if target["kind"] != serde_json::json!(["bin"]) || message["profile"]["test"] == true {
            continue;
        }
        if let (Some(name), Some(path)) = (target["name"].as_str(), message["executable"].as_str())
        {
            binaries.push((name.to_owned(), PathBuf::from(path)));
        }
    }
    binaries.sort();
    binaries.dedup();
    binaries
}
