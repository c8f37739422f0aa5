//! `http-template demo`: the lesson in one process, narrated.
//!
//! We start the server on an ephemeral loopback port with a database in a
//! temporary directory, and send it requests with hyper's own client,
//! printing each request, the answer's status and headers that matter, and
//! the lines of the page that show the point.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use common::demo::{DemoArgs, Steps};
use common::lang::Lang;
use common::logging::demo_line;
use http::header::{ACCEPT_LANGUAGE, CONTENT_TYPE, LOCATION};
use http::{HeaderName, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use rust_i18n::t;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

use crate::server::{Config, Server};

const FORM: &str = "application/x-www-form-urlencoded";

/// Runs the server and drives it with a client, printing both sides, in
/// `lang` (the client asks for its pages in it too, with
/// `Accept-Language`). Logging must already be set up by
/// `common::logging::init_demo("server")` for the server's lines to show.
pub async fn run(args: &DemoArgs, lang: Lang) -> io::Result<()> {
    let locale = lang.code();
    let mut steps = Steps::new(args, lang);
    let data = tempfile::tempdir()?;
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let config = Config {
        templates: crate::server::find_templates(None),
        db: data.path().join("guestbook.sqlite3"),
        grace: Duration::from_secs(1),
        lang,
        ..Config::default()
    };
    let server = Server::new(listener, config)
        .await
        .map_err(io::Error::other)?;
    let addr = server.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(server.run(async {
        let _ = stopped.await;
    }));
    let dir = data.path().display();
    println!(
        "{}",
        t!("demo.serving", locale = locale, dir = dir, addr = addr)
    );
    let client = Client { addr, lang };

    steps.next(&t!("demo.step1", locale = locale)).await;
    let page = client.send(Method::GET, "/", None, "").await?;
    page.show(&[CONTENT_TYPE]);
    page.lines_with(&["<h1>", "<li>"]);

    steps.next(&t!("demo.step2", locale = locale)).await;
    let message = "Hello <script>alert(\"hi\")</script> 'quoted' 👋 你好";
    let body = serde_urlencoded::to_string([("name", "小明"), ("message", message)])
        .map_err(io::Error::other)?;
    let posted = client
        .send(Method::POST, "/guestbook", Some(FORM), &body)
        .await?;
    posted.show(&[LOCATION]);
    demo_line("client", t!("demo.stored", locale = locale));

    steps.next(&t!("demo.step3", locale = locale)).await;
    let list = client.send(Method::GET, "/guestbook", None, "").await?;
    list.show(&[]);
    list.lines_with(&["<h2>", "<p>Hello"]);

    steps.next(&t!("demo.step4", locale = locale)).await;
    let json = client.send(Method::GET, "/api/guestbook", None, "").await?;
    json.show(&[CONTENT_TYPE]);
    demo_line("client", format!("  body: {}", json.text()));

    steps.next(&t!("demo.step5", locale = locale)).await;
    let long = "x".repeat(1001);
    let body = serde_urlencoded::to_string([("name", "   "), ("message", long.as_str())])
        .map_err(io::Error::other)?;
    let rejected = client
        .send(Method::POST, "/guestbook", Some(FORM), &body)
        .await?;
    rejected.show(&[]);
    rejected.lines_with(&["class=\"problem\""]);

    steps.next(&t!("demo.step6", locale = locale)).await;
    let big = format!("name=big&message={}", "y".repeat(20 * 1024));
    client
        .send(Method::POST, "/guestbook", Some(FORM), &big)
        .await?
        .show_text();
    client
        .send(
            Method::POST,
            "/guestbook",
            Some("application/json"),
            r#"{"name":"a","message":"b"}"#,
        )
        .await?
        .show_text();

    steps.next(&t!("demo.step7", locale = locale)).await;
    let _ = stop.send(());
    server.await.map_err(io::Error::other)?;
    println!("\n{}", t!("demo.done", locale = locale));
    Ok(())
}

/// An answer, read whole.
struct Answer {
    status: StatusCode,
    headers: http::HeaderMap,
    body: Bytes,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Prints the status and the `headers` asked for.
    fn show(&self, headers: &[HeaderName]) {
        let mut line = format!(
            "{} {}",
            self.status.as_u16(),
            self.status.canonical_reason().unwrap_or("")
        );
        for name in headers {
            if let Some(value) = self.headers.get(name) {
                line.push_str(&format!("  {name}: {}", value.to_str().unwrap_or("?")));
            }
        }
        demo_line("client", line);
    }

    /// Prints the status and the (short, plain-text) body.
    fn show_text(&self) {
        self.show(&[]);
        demo_line("client", format!("  body: {:?}", self.text()));
    }

    /// Prints the lines of the body that contain one of `marks`, trimmed.
    fn lines_with(&self, marks: &[&str]) {
        for line in self.text().lines() {
            if marks.iter().any(|mark| line.contains(mark)) {
                demo_line("client", format!("  | {}", line.trim()));
            }
        }
    }
}

/// The demo's client: where the server is, and the language it asks for.
struct Client {
    addr: SocketAddr,
    lang: Lang,
}

impl Client {
    /// Sends one request on a fresh connection and reads the whole answer.
    /// (A fresh connection each time: after a 413 the server closes the one it
    /// refused, since it did not read that body.)
    async fn send(
        &self,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: &str,
    ) -> io::Result<Answer> {
        let mut shown = format!("{method} {path}");
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header("host", "demo")
            .header(ACCEPT_LANGUAGE, self.lang.code());
        if let Some(kind) = content_type {
            request = request.header(CONTENT_TYPE, kind);
            let preview: String = body.chars().take(60).collect();
            let more = if body.len() > preview.len() {
                "…"
            } else {
                ""
            };
            let len = body.len();
            let sent = t!(
                "demo.request_body",
                locale = self.lang.code(),
                kind = kind,
                len = len,
                preview = preview,
                more = more
            );
            shown.push_str(&format!("  {sent}"));
        }
        demo_line("client", shown);
        let request = request
            .body(Full::new(Bytes::from(body.to_owned())))
            .map_err(io::Error::other)?;
        let mut client = connect(self.addr).await?;
        let response = client
            .send_request(request)
            .await
            .map_err(io::Error::other)?;
        let (parts, body) = response.into_parts();
        let body = body.collect().await.map_err(io::Error::other)?.to_bytes();
        Ok(Answer {
            status: parts.status,
            headers: parts.headers,
            body,
        })
    }
}

/// Opens one HTTP/1.1 connection with hyper's client; its driver task runs
/// until the connection closes.
async fn connect(addr: SocketAddr) -> io::Result<SendRequest<Full<Bytes>>> {
    let stream = TcpStream::connect(addr).await?;
    let (client, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(io::Error::other)?;
    tokio::spawn(connection);
    Ok(client)
}
