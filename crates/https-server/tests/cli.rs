//! `https-server` as a student runs it: `serve` and `inspect` as processes,
//! the certificate mistakes a user can make, the example and the demo;
//! and, ignored by a plain `cargo test` (`.ci/run` installs curl and
//! openssl and runs them), the same server checked by curl and openssl.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::Path;

use testkit::process::{Process, example};

const BINARY: &str = env!("CARGO_BIN_EXE_https-server");

/// `https-server serve --port 0 --certs DIR`, ready.
async fn serve(certs: &Path, extra: &[&str]) -> (Process, std::net::SocketAddr) {
    let certs = certs.display().to_string();
    let mut args = vec!["--lang", "en", "serve", "--port", "0", "--certs", &certs];
    args.extend_from_slice(extra);
    Process::server(BINARY, &args).await
}

#[tokio::test]
async fn serve_then_inspect_trusted_untrusted_and_for_another_name() {
    let certs = tempfile::tempdir().unwrap();
    let (mut server, addr) = serve(certs.path(), &[]).await;
    let ca = certs.path().join("ca.pem").display().to_string();
    let target = format!("localhost:{}", addr.port());

    let (status, out, _) = Process::output(
        BINARY,
        &["--lang", "en", "inspect", "--cacert", &ca, &target],
    )
    .await;
    assert!(status.success(), "{out}");
    assert!(out.contains("TLS version:   TLSv1_3"), "{out}");
    assert!(out.contains("ALPN:          h2"), "{out}");
    assert!(out.contains("names    127.0.0.1, ::1, localhost"), "{out}");
    assert!(out.contains("verified: trusted by"), "{out}");

    let (status, out, err) = Process::output(BINARY, &["--lang", "en", "inspect", &target]).await;
    assert_eq!(status.code(), Some(1), "{out}{err}");
    assert!(
        out.contains("NOT verified against the system's trust store"),
        "{out}{err}"
    );
    assert!(
        out.contains("unknown issuer") || err.contains("trust store is empty"),
        "{out}{err}"
    );

    let (status, out, _) = Process::output(
        BINARY,
        &[
            "--lang",
            "en",
            "inspect",
            "--cacert",
            &ca,
            "--sni",
            "example.com",
            &target,
        ],
    )
    .await;
    assert_eq!(status.code(), Some(1));
    assert!(
        out.contains("name mismatch: the certificate is not for example.com"),
        "{out}"
    );

    // The same in Chinese, for a student whose LANG is zh_CN.UTF-8.
    let args = ["inspect", "--cacert", &ca, "--sni", "example.com", &target];
    let output = std::process::Command::new(BINARY)
        .args(args)
        .env("LANG", "zh_CN.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(out.contains("TLS 版本：     TLSv1_3"), "{out}");
    assert!(out.contains("证书链（按服务端发来的顺序）："), "{out}");
    assert!(
        out.contains("名字不符：这张证书不是给 example.com 用的"),
        "{out}"
    );
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains("example.com 的证书不受信任"), "{err}");

    // Ctrl-C: exit 0, and the log said where the CA is.
    server.signal("-INT").await;
    assert!(server.exit().await.success());
    let log = server.stderr().await;
    assert!(log.contains("made a new local CA"), "{log}");
    assert!(log.contains("curl --cacert"), "{log}");
}

#[tokio::test]
async fn a_second_run_reuses_the_certificates() {
    let certs = tempfile::tempdir().unwrap();
    let (mut first, _) = serve(certs.path(), &[]).await;
    first.signal("-INT").await;
    first.exit().await;
    let made = fs::read(certs.path().join("server.pem")).unwrap();
    let (mut second, _) = serve(certs.path(), &[]).await;
    second.signal("-INT").await;
    second.exit().await;
    assert!(second.stderr().await.contains("reusing the certificates"));
    assert_eq!(fs::read(certs.path().join("server.pem")).unwrap(), made);
}

/// Runs `serve` with `args`, which must fail: its stderr.
async fn fails(args: &[&str]) -> String {
    let mut all = vec!["--lang", "en", "serve", "--port", "0"];
    all.extend_from_slice(args);
    let (status, out, err) = Process::output(BINARY, &all).await;
    assert_eq!(status.code(), Some(1), "{out}{err}");
    assert!(out.is_empty(), "nothing listened: {out}");
    assert_eq!(err.trim().lines().count(), 1, "one sentence: {err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[tokio::test]
async fn certificate_mistakes_are_one_sentence_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, text: &str| {
        let path = dir.path().join(name);
        fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    // Two certificates with their keys, to mix them up.
    let a = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let b = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert_a = file("a.pem", &a.cert.pem());
    let key_a = file("a-key.pem", &a.signing_key.serialize_pem());
    let key_b = file("b-key.pem", &b.signing_key.serialize_pem());
    let not_pem = file("notes.txt", "this is not a certificate\n");

    let err = fails(&["--cert", &not_pem, "--key", &key_a]).await;
    assert!(
        err.contains("notes.txt") && err.contains("no certificate"),
        "{err}"
    );
    let err = fails(&["--cert", &cert_a, "--key", &not_pem]).await;
    assert!(err.contains("notes.txt is not a PEM private key"), "{err}");
    let err = fails(&["--cert", &cert_a, "--key", &key_b]).await;
    assert!(err.contains("do not go together"), "{err}");
    let missing = dir.path().join("missing.pem").display().to_string();
    let err = fails(&["--cert", &missing, "--key", &key_a]).await;
    assert!(
        err.contains("cannot read") && err.contains("missing.pem"),
        "{err}"
    );
    // A --certs directory that cannot be made: under a regular file.
    let under_a_file = format!("{not_pem}/certs");
    let err = fails(&["--certs", &under_a_file]).await;
    assert!(err.contains("cannot write the certificates"), "{err}");
}

#[tokio::test]
async fn an_expired_certificate_starts_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    params.not_before = rcgen::date_time_ymd(2020, 1, 1);
    params.not_after = rcgen::date_time_ymd(2021, 1, 1);
    let cert = params.self_signed(&key).unwrap();
    let (cert_file, key_file) = (dir.path().join("old.pem"), dir.path().join("old-key.pem"));
    fs::write(&cert_file, cert.pem()).unwrap();
    fs::write(&key_file, key.serialize_pem()).unwrap();
    let (cert_file, key_file) = (
        cert_file.display().to_string(),
        key_file.display().to_string(),
    );
    let args = [
        "--lang", "en", "serve", "--port", "0", "--cert", &cert_file, "--key", &key_file,
    ];
    let (mut server, _) = Process::server(BINARY, &args).await;
    server.signal("-INT").await;
    assert!(server.exit().await.success());
    let log = server.stderr().await;
    assert!(log.contains("warning:") && log.contains("expired"), "{log}");
}

#[tokio::test]
async fn the_hello_example_serves_hello_world_to_a_client_that_trusts_its_certificate() {
    let (mut hello, addr) =
        Process::server(example("https-server", "https-hello"), &["--port", "0"]).await;
    let curl_line = hello.line().await.unwrap();
    let cert = curl_line
        .strip_prefix("curl --cacert ")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("{curl_line}"))
        .to_owned();
    assert!(
        curl_line.ends_with(&format!("https://localhost:{}/", addr.port())),
        "{curl_line}"
    );
    let reply = testkit::tls::exchange(
        addr,
        Path::new(&cert),
        b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(
        (reply.status, reply.text().as_str()),
        (200, "hello world\n")
    );
    let _ = fs::remove_file(cert);
}

#[tokio::test]
async fn the_demo_narrates_every_step() {
    let (status, out, err) = Process::output(BINARY, &["--lang", "en", "demo"]).await;
    assert!(status.success(), "{out}{err}");
    for expected in [
        "made a new local CA",
        "ALPN h2",
        "GET /connection.json: 200 OK over HTTP/2.0",
        "over HTTP/1.1",
        "unknown issuer",
        "name mismatch: the certificate is not for example.com",
        "HTTP/1.1 400 Bad Request",
        "HTTP/1.1 307 Temporary Redirect",
        "done: every step above ran on 127.0.0.1",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
}

#[tokio::test]
#[ignore = "needs curl: apt-get install curl"]
async fn curl_trusts_the_server_with_the_local_ca_and_refuses_it_without() {
    let certs = tempfile::tempdir().unwrap();
    let (_server, addr) = serve(certs.path(), &["--hsts"]).await;
    let ca = certs.path().join("ca.pem").display().to_string();
    let url = format!("https://localhost:{}/connection.json", addr.port());
    let (status, out, err) = Process::output("curl", &["-sS", "-i", "--cacert", &ca, &url]).await;
    assert!(status.success(), "{err}");
    assert!(
        out.starts_with("HTTP/2 200"),
        "curl speaks HTTP/2 when offered: {out}"
    );
    assert!(
        out.contains("strict-transport-security: max-age=300"),
        "{out}"
    );
    assert!(out.contains("\"sni\":\"localhost\""), "{out}");
    let (status, _, err) = Process::output("curl", &["-sS", &url]).await;
    assert!(!status.success());
    assert!(err.contains("certificate"), "curl says why: {err}");
}

#[tokio::test]
#[ignore = "needs openssl: apt-get install openssl"]
async fn openssl_sees_the_same_chain_and_verifies_it_with_the_ca() {
    let certs = tempfile::tempdir().unwrap();
    let (_server, addr) = serve(certs.path(), &["--san", "teacher.local"]).await;
    let ca = certs.path().join("ca.pem").display().to_string();
    let connect = format!("127.0.0.1:{}", addr.port());
    let args = [
        "s_client",
        "-connect",
        &connect,
        "-servername",
        "localhost",
        "-CAfile",
        &ca,
        "-verify_return_error",
        "-alpn",
        "h2",
    ];
    let (_, text, _) = Process::output("openssl", &args).await;
    assert!(text.contains("Verify return code: 0 (ok)"), "{text}");
    assert!(text.contains("ALPN protocol: h2"), "{text}");
    assert!(text.contains("TLSv1.3"), "{text}");
}
