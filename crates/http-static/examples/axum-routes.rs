//! The routes step (`examples/routes.rs`) once more, in a framework:
//! axum, which is to hyper what Express is to Node's `http` module (the
//! seed's 第三方 HTTP 服务框架).
//!
//! ```text
//! $ cargo run -p http-static --example axum-routes   # or: just ch4-axum-routes
//! listening on 127.0.0.1:3000
//! $ curl http://127.0.0.1:3000/a
//! Hello a!
//! ```
//!
//! Express's `app.get('/a', (req, res) => res.send('Hello a!'))` is axum's
//! `.route("/a", get(|| async { "Hello a!" }))`: a handler returns anything
//! that turns into a response (a `&str` is `200 OK` with `text/plain`), and
//! the framework does the matching, the 404 (`.fallback`) and the 405 for a
//! path asked with a method it has no handler for, which our `match` in
//! `routes.rs` does by hand.

use std::process::ExitCode;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use clap::Parser;
use common::cli::ListenArgs;

/// Three pages and a 404, in axum (chapter 4, third-party frameworks).
#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    listen: ListenArgs<3000>,
}

// ANCHOR: routes
/// `app.get('/', …)`, `app.get('/a', …)`, `app.get('/b', …)`, and
/// `app.use((req, res) => res.status(404).send(…))` for the rest.
fn app() -> Router {
    Router::new()
        .route("/", get(|| async { "Hello World!" }))
        .route("/a", get(|| async { "Hello a!" }))
        .route("/b", get(|| async { "Hello b!" }))
        .fallback(|| async { (StatusCode::NOT_FOUND, "404 Not Found.") })
}
// ANCHOR_END: routes

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    common::exit::report("axum-routes", serve(cli.listen).await)
}

/// `app.listen(3000)`: bind (one plain sentence if the port is taken),
/// then `axum::serve` accepts and runs a task per connection.
async fn serve(listen: ListenArgs<3000>) -> Result<(), Box<dyn std::error::Error>> {
    let listener = common::net::bind_tcp(listen.addr()).await?;
    // Catch Ctrl-C from here on, before we say we are ready.
    let ctrl_c = common::shutdown::ctrl_c();
    common::net::announce_listening(listener.local_addr()?);
    axum::serve(listener, app())
        .with_graceful_shutdown(ctrl_c)
        .await?;
    Ok(())
}
