//! `https-server demo`: the handshake, narrated, all on loopback in one
//! process.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use common::logging::demo_line;
use common::tls::Identity;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

use crate::client;
use crate::page::Certificate;
use crate::redirect;
use crate::server::{ALPN, Config, Server};

fn step(title: &str) {
    println!("\n── {title}");
}

fn other(error: impl ToString) -> io::Error {
    io::Error::other(error.to_string())
}

/// Runs the server on ephemeral loopback ports and drives it with clients.
pub async fn run() -> io::Result<()> {
    let dir = tempfile::tempdir()?;
    step("1. the certificates: a local certificate authority, and a server certificate it signs");
    let identity = Identity::local(dir.path(), &[]).map_err(other)?;
    for note in &identity.notes {
        demo_line(
            "certs",
            note.replace(&dir.path().display().to_string(), "a new directory"),
        );
    }
    let ca_path = identity.ca.clone().unwrap_or_default();
    let ca = common::tls::read_certs(&ca_path).map_err(other)?;
    let ca_cert = Certificate::of(&ca[0]);
    demo_line(
        "certs",
        format!("CA: {} (it signed itself)", ca_cert.subject),
    );
    if let Ok(parsed) = common::tls::parse(&ca[0]) {
        let names: Vec<String> = common::tls::permitted_names(&parsed).into_iter().collect();
        demo_line(
            "certs",
            format!(
                "CA: may vouch only for {} (name constraints)",
                names.join(", ")
            ),
        );
    }
    let leaf = Certificate::of(&identity.chain[0]);
    demo_line(
        "certs",
        format!("server: {}, issued by the CA", leaf.subject),
    );
    demo_line("certs", format!("server: for {}", leaf.names.join(", ")));

    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let config = Config {
        hsts: Some(Duration::from_secs(300)),
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
        stop.clone().cancelled_owned(),
    ));
    println!("\nhttps-server demo: HTTPS on {addr}, plain HTTP redirected on {redirect_addr}");
    let authority = format!("localhost:{}", addr.port());

    step("2. a client that trusts the CA: the handshake, then HTTP/2 (ALPN chose h2)");
    let roots = client::roots(Some(&ca_path)).map_err(other)?;
    let tls = client::connect(addr, "localhost", roots.clone(), &ALPN).await?;
    describe(&tls);
    let answer = client::get(tls, &authority, "/connection.json").await?;
    demo_line(
        "client",
        format!(
            "GET /connection.json: {} over {:?}",
            answer.status, answer.version
        ),
    );
    if let Some(hsts) = answer.headers.get("strict-transport-security") {
        demo_line(
            "client",
            format!(
                "strict-transport-security: {}",
                hsts.to_str().unwrap_or("?")
            ),
        );
    }

    step("3. the same handler over HTTP/1.1, for a client that offers only http/1.1");
    let tls = client::connect(addr, "localhost", roots.clone(), &[b"http/1.1"]).await?;
    describe(&tls);
    let answer = client::get(tls, &authority, "/").await?;
    demo_line(
        "client",
        format!(
            "GET /: {} over {:?}, {} bytes of page",
            answer.status,
            answer.version,
            answer.body.len()
        ),
    );

    step(
        "4. a client that trusts other CAs, not ours (as a browser before you import ca.pem): refused",
    );
    let elsewhere = tempfile::tempdir()?;
    let stranger = Identity::local(elsewhere.path(), &[]).map_err(other)?;
    let stranger_roots = client::roots(stranger.ca.as_deref()).map_err(other)?;
    refused(
        client::connect(addr, "localhost", stranger_roots, &ALPN).await,
        "localhost",
    );

    step("5. a client that asks for another name (SNI example.com): refused");
    refused(
        client::connect(addr, "example.com", roots, &ALPN).await,
        "example.com",
    );

    step("6. plain HTTP sent to the HTTPS port: a 400 that says so, not a silent close");
    let reply = plain_get(addr, &authority, "/").await?;
    show_reply(&reply);

    step("7. the redirect: plain HTTP on the other port is sent on to https (307)");
    let reply = plain_get(
        redirect_addr,
        &format!("localhost:{}", redirect_addr.port()),
        "/hello?x=1",
    )
    .await?;
    show_reply(&reply);

    step("8. Ctrl-C: both listeners close");
    stop.cancel();
    let _ = https.await;
    let _ = redirecting.await;
    println!("\ndone: every step above ran on 127.0.0.1 in this one process.");
    Ok(())
}

/// What the handshake agreed on, from the client's side.
fn describe(tls: &tokio_rustls::client::TlsStream<TcpStream>) {
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
    demo_line(
        "client",
        format!("handshake done: {version}, {suite}, ALPN {alpn}"),
    );
}

fn refused(result: io::Result<tokio_rustls::client::TlsStream<TcpStream>>, name: &str) {
    match result {
        Ok(_) => demo_line("client", "connected (unexpected)"),
        Err(error) => {
            let why = client::tls_error(&error)
                .map_or_else(|| error.to_string(), |e| client::explain(e, name));
            demo_line("client", why);
        }
    }
}

/// `GET path` in plain HTTP/1.1, the answer as text.
async fn plain_get(addr: SocketAddr, host: &str, path: &str) -> io::Result<String> {
    let mut stream = TcpStream::connect(addr).await?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
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
