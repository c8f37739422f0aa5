//! Every Mermaid diagram in both books is drawn: the books are built with
//! mdBook and mdbook-mermaid, each page with a diagram is opened in a real
//! headless chromium, and the test waits until mermaid has processed every
//! block. A block mermaid cannot parse is drawn as an error diagram (an
//! `<svg aria-roledescription="error">`), which fails the test; so does a
//! block left undrawn.
//!
//! Ignored by a plain `cargo test`: it needs chromium, chromium-driver,
//! mdbook and mdbook-mermaid, which `.ci/run` installs (`apt-get install
//! chromium chromium-driver`; `cargo install --locked mdbook --version
//! 0.5.4` and `mdbook-mermaid --version 0.17.1`, as `just book` does).

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use checks::root;
use serde_json::json;
use testkit::browser::{Browser, Driver};

/// Runs `program args…` in the repository; fails the test if it fails.
fn run(program: &str, args: &[&str]) {
    let output = Command::new(program)
        .args(args)
        .current_dir(root())
        .output()
        .unwrap_or_else(|e| panic!("{program} does not run ({e}): is it installed?"));
    assert!(
        output.status.success(),
        "{program} {args:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The built pages that hold at least one diagram.
fn pages_with_diagrams(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            pages_with_diagrams(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "html")
            && fs::read_to_string(&path).is_ok_and(|html| html.contains("class=\"mermaid\""))
        {
            found.push(path);
        }
    }
}

/// What the page's diagrams came to: `[blocks, drawn, errors, first error]`.
const DIAGRAMS: &str = "(() => {
    const blocks = document.querySelectorAll('pre.mermaid');
    const pending = document.querySelectorAll('pre.mermaid:not([data-processed])').length;
    const errors = document.querySelectorAll('svg[aria-roledescription=\"error\"]');
    const drawn = document.querySelectorAll('pre.mermaid svg').length;
    return [blocks.length, pending, drawn, errors.length,
            errors.length ? errors[0].textContent.slice(0, 200) : null];
})()";

async fn check_page(browser: &Browser, page: &Path) -> Option<String> {
    browser.open(&format!("file://{}", page.display())).await;
    // Wait until mermaid has processed every block, drawn or not.
    browser
        .until(
            "document.querySelectorAll('pre.mermaid:not([data-processed])').length",
            json!(0),
        )
        .await;
    let found = browser.run(&format!("return {DIAGRAMS};")).await;
    let count = |i: usize| found[i].as_u64().unwrap_or(0);
    let (blocks, drawn, errors) = (count(0), count(2), count(3));
    if errors > 0 {
        return Some(format!(
            "{}: {errors} of {blocks} diagrams could not be drawn: {}",
            page.display(),
            found[4]
        ));
    }
    if drawn != blocks || blocks == 0 {
        return Some(format!(
            "{}: {drawn} of {blocks} diagrams drawn",
            page.display()
        ));
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium, chromium-driver, mdbook and mdbook-mermaid: .ci/run installs them"]
async fn every_diagram_in_both_books_is_drawn() {
    let out = tempfile::tempdir().unwrap();
    let english = out.path().join("book");
    let chinese = english.join("zh-CN");
    // The book's own copy of mermaid (git-ignored), then both books.
    run("mdbook-mermaid", &["install", "docs"]);
    run("mdbook-mermaid", &["install", "docs/zh-CN"]);
    run(
        "mdbook",
        &["build", "docs", "-d", &english.display().to_string()],
    );
    run(
        "mdbook",
        &["build", "docs/zh-CN", "-d", &chinese.display().to_string()],
    );

    let mut pages = Vec::new();
    pages_with_diagrams(&english, &mut pages);
    pages.sort();
    let in_chinese = pages.iter().filter(|p| p.starts_with(&chinese)).count();
    assert!(
        pages.len() - in_chinese >= 5 && in_chinese >= 5,
        "diagrams expected in every chapter of both books, found in {pages:?}"
    );

    let driver = Driver::start();
    let browser = driver.browser().await;
    let mut problems = Vec::new();
    for page in &pages {
        problems.extend(check_page(&browser, page).await);
    }
    browser.close().await;
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium, chromium-driver and mdbook-mermaid: .ci/run installs them"]
async fn a_diagram_that_does_not_parse_is_caught() {
    // The check itself must be able to fail: a page with one good and one
    // broken diagram, drawn by the book's mermaid the way mdBook loads it.
    run("mdbook-mermaid", &["install", "docs"]);
    let dir = tempfile::tempdir().unwrap();
    for script in ["mermaid.min.js", "mermaid-init.js"] {
        fs::copy(root().join("docs").join(script), dir.path().join(script)).unwrap();
    }
    let page = dir.path().join("page.html");
    fs::write(
        &page,
        "<html><body>\
         <pre class=\"mermaid\">flowchart LR\n  A --> B</pre>\
         <pre class=\"mermaid\">flowchart LR\n  A --> B --></pre>\
         <script src=\"mermaid.min.js\"></script><script src=\"mermaid-init.js\"></script>\
         </body></html>",
    )
    .unwrap();
    let driver = Driver::start();
    let browser = driver.browser().await;
    let problem = check_page(&browser, &page).await;
    browser.close().await;
    let problem = problem.expect("the broken diagram is reported");
    assert!(
        problem.contains("1 of 2 diagrams could not be drawn"),
        "{problem}"
    );
}
