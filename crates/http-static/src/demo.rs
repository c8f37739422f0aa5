//! `http-static demo`: the lesson in one process, narrated.
//!
//! We make a tiny site in a temporary directory, serve it on an ephemeral
//! loopback port, and send requests with hyper's own client over one
//! keep-alive connection, printing each request and the answer's status,
//! the headers that matter, and the body.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use common::logging::demo_line;
use http::header::{CONTENT_LENGTH, CONTENT_RANGE, ETAG, IF_NONE_MATCH, RANGE};
use http::{HeaderName, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Empty};
use hyper::body::Incoming;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

use crate::server::{Config, Server};

const PAGE: &str = "<!DOCTYPE html>\n<h1>Hello World!</h1>\n<p>你好，世界！</p>\n";
const NOTE: &str = "0123456789abcdefghijklmnopqrstuvwxyz\n";

/// Runs the server on an ephemeral loopback port and drives it with a
/// client, printing both sides. Logging must already be set up by
/// `common::logging::init_demo("server")` for the server's lines to show.
pub async fn run() -> io::Result<()> {
    let site = tempfile::tempdir()?;
    std::fs::write(site.path().join("index.html"), PAGE)?;
    std::fs::write(site.path().join("note.txt"), NOTE)?;
    std::fs::write(site.path().join(".env"), "PASSWORD=hunter2\n")?;

    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let config = Config {
        root: site.path().to_path_buf(),
        grace: Duration::from_secs(1),
        ..Config::default()
    };
    let server = Server::new(listener, config)?;
    let addr = server.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(server.run(async {
        let _ = stopped.await;
    }));
    println!(
        "http-static demo: serving {} (index.html, note.txt, .env) on http://{addr}/",
        site.path().display()
    );

    let mut client = connect(addr).await?;

    step("1. GET /: the directory's index.html, with its type, length and validators");
    let page = send(&mut client, Method::GET, "/", &[]).await?;
    let etag = page
        .headers()
        .get(ETAG)
        .and_then(|tag| tag.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    show(page, &[CONTENT_LENGTH, ETAG]).await?;

    step("2. the browser asks again with If-None-Match: the copy it has is current");
    let again = send(&mut client, Method::GET, "/", &[(IF_NONE_MATCH, &etag)]).await?;
    show(again, &[ETAG]).await?;

    step("3. Range: bytes=10-19 asks for ten bytes of note.txt (a resumed download)");
    let part = send(
        &mut client,
        Method::GET,
        "/note.txt",
        &[(RANGE, "bytes=10-19")],
    )
    .await?;
    show(part, &[CONTENT_RANGE, CONTENT_LENGTH]).await?;

    step("4. a file that is not there: the seed's 404");
    show(
        send(&mut client, Method::GET, "/missing.html", &[]).await?,
        &[],
    )
    .await?;

    step("5. escaping the root with encoded dots, and asking for a dotfile: refused");
    let traversal = "/%2e%2e/%2e%2e/etc/passwd";
    show(send(&mut client, Method::GET, traversal, &[]).await?, &[]).await?;
    show(send(&mut client, Method::GET, "/.env", &[]).await?, &[]).await?;

    step("6. DELETE: a static server only reads, so 405 and the methods it allows");
    let allow = HeaderName::from_static("allow");
    show(
        send(&mut client, Method::DELETE, "/note.txt", &[]).await?,
        &[allow],
    )
    .await?;

    step("7. Ctrl-C, like server.close(): requests in flight finish, then it exits");
    drop(client);
    let _ = stop.send(());
    server.await.map_err(io::Error::other)?;
    match TcpStream::connect(addr).await {
        Err(error) => demo_line("client", format!("connecting again fails: {error}")),
        Ok(_) => demo_line("client", "connecting again worked (unexpected)"),
    }
    println!("\ndone: every request above went over one keep-alive connection on 127.0.0.1.");
    Ok(())
}

/// Opens one HTTP/1.1 connection with hyper's client; its driver task runs
/// until the connection closes.
async fn connect(addr: SocketAddr) -> io::Result<SendRequest<Empty<Bytes>>> {
    let stream = TcpStream::connect(addr).await?;
    let (client, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(io::Error::other)?;
    tokio::spawn(connection);
    Ok(client)
}

/// Sends one request and prints its request line and extra headers.
async fn send(
    client: &mut SendRequest<Empty<Bytes>>,
    method: Method,
    path: &str,
    headers: &[(HeaderName, &str)],
) -> io::Result<Response<Incoming>> {
    let mut line = format!("{method} {path}");
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header("host", "demo");
    for (name, value) in headers {
        line.push_str(&format!("  ({name}: {value})"));
        request = request.header(name, *value);
    }
    demo_line("client", line);
    let request = request.body(Empty::new()).map_err(io::Error::other)?;
    client.ready().await.map_err(io::Error::other)?;
    client.send_request(request).await.map_err(io::Error::other)
}

/// Prints the status, the `headers` asked for, and the body as text.
async fn show(response: Response<Incoming>, headers: &[HeaderName]) -> io::Result<()> {
    let status = response.status();
    let mut line = format!(
        "{} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    );
    for name in headers {
        if let Some(value) = response.headers().get(name) {
            line.push_str(&format!("  {name}: {}", value.to_str().unwrap_or("?")));
        }
    }
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(io::Error::other)?
        .to_bytes();
    demo_line("client", line);
    if status == StatusCode::NOT_MODIFIED {
        demo_line("client", "  (no body: the browser shows its cached copy)");
    } else if !body.is_empty() {
        demo_line(
            "client",
            format!("  body: {:?}", String::from_utf8_lossy(&body)),
        );
    }
    Ok(())
}

fn step(title: &str) {
    println!("\n── {title}");
}
