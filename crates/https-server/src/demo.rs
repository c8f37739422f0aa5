//! `https-server demo`: the handshake, narrated, all on loopback in one
//! process.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use common::demo::{DemoArgs, Steps};
use common::lang::Lang;
use common::logging::demo_line;
use common::tls::Identity;
use http::header::ACCEPT_LANGUAGE;
use rust_i18n::t;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

use crate::client;
use crate::page::Certificate;
use crate::redirect;
use crate::server::{ALPN, Config, Server};

fn other(error: impl ToString) -> io::Error {
    io::Error::other(error.to_string())
}

/// Runs the server on ephemeral loopback ports and drives it with
/// clients, narrated in `lang` (the clients ask for it too).
pub async fn run(args: &DemoArgs, lang: Lang) -> io::Result<()> {
    let locale = lang.code();
    let mut steps = Steps::new(args, lang);
    let dir = tempfile::tempdir()?;
    steps.next(&t!("demo.step1", locale = locale)).await;
    let identity = Identity::local(dir.path(), &[], lang).map_err(other)?;
    let new_dir = t!("demo.new_dir", locale = locale);
    for note in &identity.notes {
        demo_line(
            "certs",
            note.replace(&dir.path().display().to_string(), &new_dir),
        );
    }
    let ca_path = identity.ca.clone().unwrap_or_default();
    let ca = common::tls::read_certs(&ca_path, lang).map_err(other)?;
    let ca_cert = Certificate::of(&ca[0], lang);
    let subject = &ca_cert.subject;
    demo_line("certs", t!("demo.ca", locale = locale, subject = subject));
    if let Ok(parsed) = common::tls::parse(&ca[0], lang) {
        let names: Vec<String> = common::tls::permitted_names(&parsed).into_iter().collect();
        let names = lang.list(&names);
        demo_line("certs", t!("demo.ca_names", locale = locale, names = names));
    }
    let leaf = Certificate::of(&identity.chain[0], lang);
    let (subject, names) = (&leaf.subject, lang.list(&leaf.names));
    demo_line(
        "certs",
        t!("demo.server_cert", locale = locale, subject = subject),
    );
    demo_line(
        "certs",
        t!("demo.server_names", locale = locale, names = names),
    );

    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let config = Config {
        hsts: Some(Duration::from_secs(300)),
        lang,
        ..Config::default()
    };
    let server = Server::new(listener, &identity, config).map_err(other)?;
    let addr = server.local_addr()?;
    let redirector = TcpListener::bind("127.0.0.1:0").await?;
    let redirect_addr = redirector.local_addr()?;
    let stop = CancellationToken::new();
    let https = tokio::spawn(server.run(stop.clone().cancelled_owned()));
    let redirecting = tokio::spawn(redirect::serve(
        redirector,
        addr.port(),
        false,
        lang,
        stop.clone().cancelled_owned(),
    ));
    let serving = t!(
        "demo.serving",
        locale = locale,
        addr = addr,
        redirect = redirect_addr
    );
    println!("\n{serving}");
    let authority = format!("localhost:{}", addr.port());

    steps.next(&t!("demo.step2", locale = locale)).await;
    let roots = client::roots(Some(&ca_path), lang).map_err(other)?;
    let tls = client::connect(addr, "localhost", roots.clone(), &ALPN).await?;
    describe(&tls, lang);
    let answer = client::get(tls, &authority, "/connection.json").await?;
    let (status, version) = (answer.status, format!("{:?}", answer.version));
    let got = t!(
        "demo.got",
        locale = locale,
        path = "/connection.json",
        status = status,
        version = version
    );
    demo_line("client", got);
    if let Some(hsts) = answer.headers.get("strict-transport-security") {
        demo_line(
            "client",
            format!(
                "strict-transport-security: {}",
                hsts.to_str().unwrap_or("?")
            ),
        );
    }

    steps.next(&t!("demo.step3", locale = locale)).await;
    let tls = client::connect(addr, "localhost", roots.clone(), &[b"http/1.1"]).await?;
    describe(&tls, lang);
    let answer = client::get(tls, &authority, "/").await?;
    let (status, version) = (answer.status, format!("{:?}", answer.version));
    let bytes = answer.body.len();
    let got = t!(
        "demo.got_page",
        locale = locale,
        status = status,
        version = version,
        bytes = bytes
    );
    demo_line("client", got);

    steps.next(&t!("demo.step4", locale = locale)).await;
    let elsewhere = tempfile::tempdir()?;
    let stranger = Identity::local(elsewhere.path(), &[], lang).map_err(other)?;
    let stranger_roots = client::roots(stranger.ca.as_deref(), lang).map_err(other)?;
    refused(
        client::connect(addr, "localhost", stranger_roots, &ALPN).await,
        "localhost",
        lang,
    );

    steps.next(&t!("demo.step5", locale = locale)).await;
    refused(
        client::connect(addr, "example.com", roots, &ALPN).await,
        "example.com",
        lang,
    );

    steps.next(&t!("demo.step6", locale = locale)).await;
    let reply = plain_get(addr, &authority, "/", lang).await?;
    show_reply(&reply);

    steps.next(&t!("demo.step7", locale = locale)).await;
    let reply = plain_get(
        redirect_addr,
        &format!("localhost:{}", redirect_addr.port()),
        "/hello?x=1",
        lang,
    )
    .await?;
    show_reply(&reply);

    steps.next(&t!("demo.step8", locale = locale)).await;
    stop.cancel();
    let _ = https.await;
    let _ = redirecting.await;
    println!("\n{}", t!("demo.done", locale = locale));
    Ok(())
}

/// What the handshake agreed on, from the client's side.
fn describe(tls: &tokio_rustls::client::TlsStream<TcpStream>, lang: Lang) {
    let session = tls.get_ref().1;
    let version = session
        .protocol_version()
        .map_or_else(|| "?".into(), |v| format!("{v:?}"));
    let suite = session
        .negotiated_cipher_suite()
        .map_or_else(|| "?".into(), |s| format!("{:?}", s.suite()));
    let alpn = session.alpn_protocol().map_or_else(
        || "none".into(),
        |p| String::from_utf8_lossy(p).into_owned(),
    );
    let line = t!(
        "demo.handshake",
        locale = lang.code(),
        version = version,
        suite = suite,
        alpn = alpn
    );
    demo_line("client", line);
}

fn refused(result: io::Result<tokio_rustls::client::TlsStream<TcpStream>>, name: &str, lang: Lang) {
    match result {
        Ok(_) => demo_line("client", t!("demo.unexpected", locale = lang.code())),
        Err(error) => {
            let why = client::tls_error(&error)
                .map_or_else(|| error.to_string(), |e| client::explain(e, name, lang));
            demo_line("client", why);
        }
    }
}

/// `GET path` in plain HTTP/1.1, the answer as text.
async fn plain_get(addr: SocketAddr, host: &str, path: &str, lang: Lang) -> io::Result<String> {
    let mut stream = TcpStream::connect(addr).await?;
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\n{ACCEPT_LANGUAGE}: {}\r\nConnection: close\r\n\r\n",
        lang.code()
    );
    stream.write_all(request.as_bytes()).await?;
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer))
        .await
        .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "no answer"))??;
    Ok(String::from_utf8_lossy(&answer).into_owned())
}

fn show_reply(reply: &str) {
    let (head, body) = reply.split_once("\r\n\r\n").unwrap_or((reply, ""));
    for line in head.lines() {
        if line.starts_with("HTTP/") || line.to_ascii_lowercase().starts_with("location") {
            demo_line("client", line);
        }
    }
    demo_line("client", body.trim_end());
}
