//! The seed's template step, `cargo run -p http-template --example todos`,
//! started as its own process on port 0.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use testkit::process::{Process, example};

#[tokio::test]
async fn the_seed_todo_page_is_rendered_from_its_template() {
    let (_server, addr) =
        Process::server(example("http-template", "todos"), &["--port", "0"]).await;
    let reply = testkit::http::get(addr, "/").await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let html = reply.text();
    assert!(html.contains("<h1>Hello 前端程序员</h1>"), "{html}");
    assert!(
        html.contains(r#"<li>吃饭 <input type="checkbox" checked /></li>"#),
        "{html}"
    );
    assert!(
        html.contains(r#"<li>打豆豆 <input type="checkbox"  /></li>"#),
        "{html}"
    );
    assert_eq!(testkit::http::get(addr, "/other").await.status, 404);
}
