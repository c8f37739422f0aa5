//! The seed's template step (chapter 4, 结合 http 服务渲染页面): on `GET /`,
//! fill a template with `message` and the `todos` list, and send the HTML.
//!
//! ```text
//! $ cargo run -p http-template --example todos    # or: just ch4-todos-seed
//! listening on 127.0.0.1:3000
//! ```
//!
//! Then open <http://127.0.0.1:3000/>, or `curl http://127.0.0.1:3000/`.
//!
//! art-template's `{{ each todos }} … {{ $value.title }} … {{ /each }}` is
//! minijinja's `{% for todo in todos %} … {{ todo.title }} … {% endfor %}`;
//! `template.render(text, data)` is `Environment::render_str(text, data)`.
//! Like art-template, minijinja escapes what it fills in (`<` becomes
//! `&lt;` in an `.html` template), so data cannot turn into markup.
//!
//! The full lesson (`src/pages.rs`, `src/app.rs`) keeps its templates in
//! `templates/` (one base page the others extend), adds a guestbook stored
//! in SQLite, and answers bad input with the right status.

use std::convert::Infallible;
use std::process::ExitCode;

use bytes::Bytes;
use clap::Parser;
use common::cli::ListenArgs;
use http::header::{CONTENT_TYPE, HeaderValue};
use http::{Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::json;

// ANCHOR: template
/// The seed's template, as the seed writes it inline.
const TEMPLATE: &str = r#"<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="UTF-8" /><title>Document</title></head>
<body>
  <h1>Hello {{ message }}</h1>
  <ul>
    {% for todo in todos %}
    <li>{{ todo.title }} <input type="checkbox" {{ "checked" if todo.completed }} /></li>
    {% endfor %}
  </ul>
</body>
</html>
"#;
// ANCHOR_END: template

/// The seed's template step (chapter 4).
#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    listen: ListenArgs<3000>,
}

// ANCHOR: handle
/// `(req, res) => { if (req.url === '/') … template.render(…) … res.end(html) }`
async fn handle(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    if request.uri().path() != "/" {
        let mut response = Response::new(Full::new(Bytes::from("404 Not Found.")));
        *response.status_mut() = StatusCode::NOT_FOUND;
        return Ok(response);
    }
    let data = json!({
        "message": "前端程序员",
        "todos": [
            { "title": "吃饭", "completed": true },
            { "title": "睡觉", "completed": true },
            { "title": "打豆豆", "completed": false },
        ],
    });
    // ANCHOR: render_str
    // A fresh environment each time keeps the example short; the full
    // lesson makes one at start and reuses its parsed templates.
    let mut env = minijinja::Environment::new();
    // Escape HTML as for a file named `.html` (a string has no name).
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    // `Serde` lets minijinja read any value serde can write (here, JSON).
    let data = minijinja::Value::from(minijinja::value::Serde(data));
    let (status, html) = match env.render_str(TEMPLATE, data) {
        Ok(html) => (StatusCode::OK, html),
        Err(error) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("template error: {error}"),
        ),
    };
    // ANCHOR_END: render_str
    let mut response = Response::new(Full::new(Bytes::from(html)));
    *response.status_mut() = status;
    let html_type = HeaderValue::from_static("text/html; charset=utf-8");
    response.headers_mut().insert(CONTENT_TYPE, html_type);
    Ok(response)
}
// ANCHOR_END: handle

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    common::exit::report("todos", serve(cli.listen).await)
}

/// `server.listen(port, hostname)`, then one task per connection (as in
/// `http-static`'s `examples/hello.rs`).
async fn serve(listen: ListenArgs<3000>) -> Result<(), Box<dyn std::error::Error>> {
    let listener = common::net::bind_tcp(listen.addr()).await?;
    println!("listening on {}", listener.local_addr()?);
    loop {
        let (stream, _peer) = listener.accept().await?;
        let connection =
            http1::Builder::new().serve_connection(TokioIo::new(stream), service_fn(handle));
        tokio::spawn(async move {
            let _ = connection.await;
        });
    }
}
