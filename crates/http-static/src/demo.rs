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
use common::demo::{DemoArgs, Steps};
use common::lang::Lang;
use common::logging::demo_line;
use http::header::{ACCEPT_LANGUAGE, CONTENT_LENGTH, CONTENT_RANGE, ETAG, IF_NONE_MATCH, RANGE};
use http::{HeaderName, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Empty};
use hyper::body::Incoming;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use rust_i18n::t;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

use crate::server::{Config, Server};

const PAGE: &str = "<!DOCTYPE html>\n<h1>Hello World!</h1>\n<p>你好，世界！</p>\n";
const NOTE: &str = "0123456789abcdefghijklmnopqrstuvwxyz\n";

/// Runs the server on an ephemeral loopback port and drives it with a
/// client, printing both sides, in `lang` (the client asks for it with
/// `Accept-Language`, so the server's own answers are in it too). Logging
/// must already be set up by `common::logging::init_demo("server")` for
/// the server's lines to show.
pub async fn run(args: &DemoArgs, lang: Lang) -> io::Result<()> {
    let locale = lang.code();
    let mut steps = Steps::new(args, lang);
    let site = tempfile::tempdir()?;
    std::fs::write(site.path().join("index.html"), PAGE)?;
    std::fs::write(site.path().join("note.txt"), NOTE)?;
    std::fs::write(site.path().join(".env"), "PASSWORD=hunter2\n")?;

    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let config = Config {
        root: site.path().to_path_buf(),
        grace: Duration::from_secs(1),
        lang,
        ..Config::default()
    };
    let server = Server::new(listener, config)?;
    let addr = server.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(server.run(async {
        let _ = stopped.await;
    }));
    let dir = site.path().display();
    println!(
        "{}",
        t!("demo.serving", locale = locale, dir = dir, addr = addr)
    );

    let mut client = Client {
        sender: connect(addr).await?,
        lang,
    };

    steps.next(&t!("demo.step1", locale = locale)).await;
    let page = client.send(Method::GET, "/", &[]).await?;
    let etag = page
        .headers()
        .get(ETAG)
        .and_then(|tag| tag.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    show(page, &[CONTENT_LENGTH, ETAG], lang).await?;

    steps.next(&t!("demo.step2", locale = locale)).await;
    let again = client
        .send(Method::GET, "/", &[(IF_NONE_MATCH, &etag)])
        .await?;
    show(again, &[ETAG], lang).await?;

    steps.next(&t!("demo.step3", locale = locale)).await;
    let range = [(RANGE, "bytes=10-19")];
    let part = client.send(Method::GET, "/note.txt", &range).await?;
    show(part, &[CONTENT_RANGE, CONTENT_LENGTH], lang).await?;

    steps.next(&t!("demo.step4", locale = locale)).await;
    let missing = client.send(Method::GET, "/missing.html", &[]).await?;
    show(missing, &[], lang).await?;

    steps.next(&t!("demo.step5", locale = locale)).await;
    let traversal = "/%2e%2e/%2e%2e/etc/passwd";
    show(client.send(Method::GET, traversal, &[]).await?, &[], lang).await?;
    show(client.send(Method::GET, "/.env", &[]).await?, &[], lang).await?;

    steps.next(&t!("demo.step6", locale = locale)).await;
    let allow = HeaderName::from_static("allow");
    let deleted = client.send(Method::DELETE, "/note.txt", &[]).await?;
    show(deleted, &[allow], lang).await?;

    steps.next(&t!("demo.step7", locale = locale)).await;
    drop(client);
    let _ = stop.send(());
    server.await.map_err(io::Error::other)?;
    match TcpStream::connect(addr).await {
        Err(error) => demo_line(
            "client",
            t!(
                "demo.connect_fails",
                locale = locale,
                error = common::exit::io_error(&error, lang)
            ),
        ),
        Ok(_) => demo_line("client", t!("demo.connect_worked", locale = locale)),
    }
    println!("\n{}", t!("demo.done", locale = locale));
    Ok(())
}

/// The demo's client: one keep-alive connection, asking for `lang`.
struct Client {
    sender: SendRequest<Empty<Bytes>>,
    lang: Lang,
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

impl Client {
    /// Sends one request and prints its request line and extra headers.
    async fn send(
        &mut self,
        method: Method,
        path: &str,
        headers: &[(HeaderName, &str)],
    ) -> io::Result<Response<Incoming>> {
        let client = &mut self.sender;
        let mut line = format!("{method} {path}");
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header("host", "demo")
            .header(ACCEPT_LANGUAGE, self.lang.code());
        for (name, value) in headers {
            line.push_str(&format!("  ({name}: {value})"));
            request = request.header(name, *value);
        }
        demo_line("client", line);
        let request = request.body(Empty::new()).map_err(io::Error::other)?;
        client.ready().await.map_err(io::Error::other)?;
        client.send_request(request).await.map_err(io::Error::other)
    }
}

/// Prints the status, the `headers` asked for, and the body as text.
async fn show(response: Response<Incoming>, headers: &[HeaderName], lang: Lang) -> io::Result<()> {
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
        demo_line("client", t!("demo.no_body", locale = lang.code()));
    } else if !body.is_empty() {
        demo_line(
            "client",
            format!("  body: {:?}", String::from_utf8_lossy(&body)),
        );
    }
    Ok(())
}
