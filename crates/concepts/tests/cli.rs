//! The `concepts` binary speaks the user's language: `--lang`, or LANG.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::expect_used)]

use std::process::Command;

/// Runs `concepts` with `args` and LANG=`lang_env`; returns its stdout.
fn run(lang_env: &str, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_concepts"))
        .args(args)
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", lang_env)
        .output()
        .expect("concepts runs");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).expect("UTF-8")
}

#[test]
fn is_ip_in_english_with_lang_en() {
    let out = run(
        "zh_CN.UTF-8",
        &["--lang", "en", "is-ip", "::1", "localhost"],
    );
    assert!(
        out.contains("isIP=6") && out.contains("loopback: this machine"),
        "{out}"
    );
    assert!(out.contains("not an address"), "{out}");
}

#[test]
fn lang_from_the_environment_picks_chinese() {
    let out = run("zh_CN.UTF-8", &["is-ip", "192.168.1.23"]);
    assert!(out.contains("isIP=4") && out.contains("私有地址"), "{out}");
    let out = run("en_US.UTF-8", &["port", "8124"]);
    assert!(out.contains("user (registered"), "{out}");
}

#[test]
fn help_in_chinese() {
    let out = run("en_US.UTF-8", &["--lang", "zh-CN", "is-ip", "--help"]);
    assert!(out.contains("哪一类地址"), "{out}");
    let out = run("en_US.UTF-8", &["--lang", "zh-CN", "demo", "--help"]);
    assert!(out.contains("回车"), "{out}");
}

#[test]
fn demo_has_numbered_steps_in_chinese() {
    let out = run("zh_CN.UTF-8", &["demo"]);
    assert!(out.contains("── 第 1 步：这是 IP 地址吗？"), "{out}");
    assert!(out.contains("── 第 3 步：接下来试试"), "{out}");
}
