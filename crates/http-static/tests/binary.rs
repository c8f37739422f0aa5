//! The `http-static` binary as a user runs it: the `listening on` line,
//! access-log lines on stderr, a clean exit 0 on SIGTERM (what Ctrl-C and
//! `kill` send), and one plain sentence when it cannot start.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::sync::mpsc;

use support::{Reply, site};

const BIN: &str = env!("CARGO_BIN_EXE_http-static");

/// Sends one request with a blocking socket and returns the answer.
fn get(addr: &str, path: &str) -> Reply {
    use std::io::Write;
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(support::LIMIT)).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    Reply::parse(&answer)
}

#[test]
fn serves_logs_each_request_and_exits_0_on_sigterm() {
    let dir = site();
    let mut child = Running(
        Command::new(BIN)
            .args(["--lang", "en", "--port", "0", "--root"])
            .arg(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let child = &mut child.0;
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap()
        .to_owned();

    // stderr, line by line, on a thread (the log is written by a logging
    // thread: lines arrive soon after, and all of them by the exit, when
    // the pipe closes).
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let (lines, log) = mpsc::channel();
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });

    assert_eq!(get(&addr, "/hello.txt").text(), "Hello, file!\n");
    let logged = loop {
        let line = log
            .recv_timeout(support::LIMIT)
            .expect("an access-log line");
        if line.contains("GET /hello.txt") {
            break line;
        }
    };
    assert!(
        logged.contains("GET /hello.txt 200 13 bytes in "),
        "{logged}"
    );
    // Stamped with the local time to the second (`15:45:51 `), as every
    // lesson's log: not UTC with microseconds.
    let stamp: Vec<char> = logged.chars().take(9).collect();
    let shape: String = stamp
        .iter()
        .map(|c| if c.is_ascii_digit() { '9' } else { *c })
        .collect();
    assert_eq!(shape, "99:99:99 ", "{logged}");

    assert_eq!(get(&addr, "/nope").status, 404);
    // SIGTERM to our own child, by its id.
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    // The rest of stderr, until the pipe closes: the process has exited.
    let mut rest = Vec::new();
    loop {
        match log.recv_timeout(support::LIMIT) {
            Ok(line) => rest.push(line),
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => panic!("still running after SIGTERM: {rest:?}"),
        }
    }
    assert_eq!(child.wait().unwrap().code(), Some(0));
    assert!(rest.iter().any(|l| l.contains("GET /nope 404")), "{rest:?}");
    assert!(rest.iter().any(|l| l.contains("server closed")), "{rest:?}");
}

/// Our child process, killed by its own handle if a test fails midway.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs the binary expecting it to fail at start; returns its stderr.
fn fails(args: &[&str]) -> String {
    let output = Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!output.status.success(), "{args:?} started");
    String::from_utf8(output.stderr).unwrap()
}

#[test]
fn a_missing_root_or_a_busy_port_is_one_sentence_and_a_failure() {
    let error = fails(&["--port", "0", "--root", "/nonexistent/site"]);
    assert!(
        error.starts_with("http-static: cannot serve /nonexistent/site"),
        "{error}"
    );
    assert!(error.contains("--root"), "{error}");
    assert_eq!(error.lines().count(), 1, "{error}");

    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let dir = site();
    let error = fails(&["--port", &port, "--root", dir.path().to_str().unwrap()]);
    assert!(error.contains("already in use"), "{error}");
    assert_eq!(error.lines().count(), 1, "{error}");
}

#[test]
fn demo_narrates_every_status_it_promises() {
    let output = Command::new(BIN).arg("demo").output().unwrap();
    assert!(output.status.success());
    let transcript = String::from_utf8(output.stdout).unwrap();
    for status in [
        "200 OK",
        "304 Not Modified",
        "206 Partial Content",
        "404 Not Found",
        "403 Forbidden",
        "405 Method Not Allowed",
        "connecting again fails",
    ] {
        assert!(
            transcript.contains(status),
            "{status} missing:\n{transcript}"
        );
    }
}

/// `--help` with `--lang zh-CN`, or `LANG=zh_CN.UTF-8`, is in Chinese;
/// `--lang en` wins over LANG.
#[test]
fn help_speaks_the_users_language() {
    let help = |args: &[&str], lang: &str| {
        let output = Command::new(env!("CARGO_BIN_EXE_http-static"))
            .args(args)
            .env("LANG", lang)
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .output()
            .unwrap();
        assert!(output.status.success());
        String::from_utf8(output.stdout).unwrap()
    };
    assert!(help(&["--help", "--lang", "zh-CN"], "C").contains("要提供的目录"));
    assert!(help(&["--help"], "zh_CN.UTF-8").contains("要提供的目录"));
    assert!(help(&["--help", "--lang", "en"], "zh_CN.UTF-8").contains("The directory to serve"));
}
