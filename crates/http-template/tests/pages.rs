//! The template side: the seed's todo page, escaping, `--reload`, the 500
//! page for a broken or missing template, and the routes that are not there.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::{TestServer, config, templates_copy};

#[tokio::test]
async fn the_todo_page_is_the_seeds_rendered_through_the_base_layout() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::with_db_in(data.path()).await;
    let reply = server.get("/").await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let html = reply.text();
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(html.contains("<title>Document</title>"), "{html}");
    assert!(html.contains("<h1>Hello World</h1>"), "{html}");
    // From base.html: the layout the page extends.
    assert!(
        html.contains("<a href=\"/guestbook\">Guestbook</a>"),
        "{html}"
    );
    // Each todo once, in order, checked only when completed.
    let items: Vec<&str> = html.lines().filter(|l| l.contains("<li>")).collect();
    assert_eq!(items.len(), 3, "{html}");
    for (item, (title, completed)) in
        items
            .iter()
            .zip([("吃饭", false), ("睡觉", true), ("打豆豆", false)])
    {
        assert!(
            item.contains(&format!("<li>{title} <input type=\"checkbox\"")),
            "{item}"
        );
        assert_eq!(item.contains("checked"), completed, "{item}");
    }
    // HEAD: the same headers, no body.
    let head = server
        .request(b"HEAD / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .await;
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(
        head.header("content-length"),
        reply.header("content-length")
    );
}

#[tokio::test]
async fn html_templates_from_the_directory_are_escaped() {
    let data = tempfile::tempdir().unwrap();
    let templates = templates_copy();
    std::fs::write(
        templates.path().join("todos.html"),
        "{% extends \"base.html\" %}{% block content %}<p>{{ \"<script>alert('x')</script> & \\\"q\\\"\" }}</p><p>{{ message }}</p>{% endblock %}",
    )
    .unwrap();
    let server = TestServer::start(http_template::Config {
        templates: templates.path().to_path_buf(),
        ..config(data.path())
    })
    .await;
    let html = server.get("/").await.text();
    assert!(
        html.contains(
            "<p>&lt;script&gt;alert(&#x27;x&#x27;)&lt;&#x2f;script&gt; &amp; &quot;q&quot;</p>"
        ),
        "{html}"
    );
    assert!(!html.contains("<script>"), "{html}");
}

#[tokio::test]
async fn with_reload_an_edited_template_is_used_and_errors_are_shown_with_file_and_line() {
    let data = tempfile::tempdir().unwrap();
    let templates = templates_copy();
    let todos = templates.path().join("todos.html");
    let original = std::fs::read_to_string(&todos).unwrap();
    let server = TestServer::start(http_template::Config {
        templates: templates.path().to_path_buf(),
        reload: true,
        ..config(data.path())
    })
    .await;
    assert!(
        server
            .get("/")
            .await
            .text()
            .contains("<h1>Hello World</h1>")
    );

    // Edited: the next request shows it.
    std::fs::write(&todos, original.replace("<h1>Hello", "<h1>Bonjour,")).unwrap();
    let reply = server.get("/").await;
    assert!(
        reply.text().contains("<h1>Bonjour, World</h1>"),
        "{}",
        reply.text()
    );

    // A syntax error on line 3: 500, and the page says where.
    std::fs::write(
        &todos,
        "{% extends \"base.html\" %}\n{% block content %}\n{% for todo in todos %}<li>{{ todo.title }}</li>\n{% endblock %}\n",
    )
    .unwrap();
    let reply = server.get("/").await;
    assert_eq!(reply.status, 500);
    assert_eq!(
        reply.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let page = reply.text();
    assert!(page.contains("500 Internal Server Error"), "{page}");
    assert!(page.contains("syntax error"), "{page}");
    assert!(page.contains("(in todos.html:4)"), "{page}");
    // The template's own text in the error is escaped like any other value.
    assert!(page.contains("{% for todo in todos %}&lt;li&gt;"), "{page}");

    // A missing template: 500 naming it.
    std::fs::remove_file(&todos).unwrap();
    let reply = server.get("/").await;
    assert_eq!(reply.status, 500);
    assert!(
        reply.text().contains("template not found"),
        "{}",
        reply.text()
    );
    assert!(reply.text().contains("todos.html"), "{}", reply.text());

    // Fixed again: back to normal, no restart.
    std::fs::write(&todos, &original).unwrap();
    let reply = server.get("/").await;
    assert_eq!(reply.status, 200);
    assert!(reply.text().contains("<h1>Hello World</h1>"));
}

#[tokio::test]
async fn without_reload_templates_load_once_and_errors_stay_in_the_log() {
    let data = tempfile::tempdir().unwrap();
    let templates = templates_copy();
    let todos = templates.path().join("todos.html");
    let original = std::fs::read_to_string(&todos).unwrap();
    let server = TestServer::start(http_template::Config {
        templates: templates.path().to_path_buf(),
        ..config(data.path())
    })
    .await;
    assert!(
        server
            .get("/")
            .await
            .text()
            .contains("<h1>Hello World</h1>")
    );
    // Loaded and kept: an edit is not seen until a restart.
    std::fs::write(&todos, original.replace("<h1>Hello", "<h1>Bonjour,")).unwrap();
    assert!(
        server
            .get("/")
            .await
            .text()
            .contains("<h1>Hello World</h1>")
    );

    // A template that fails: the visitor gets a 500 without the detail.
    std::fs::write(templates.path().join("guestbook/new.html"), "{% if %}").unwrap();
    let reply = server.get("/guestbook/new").await;
    assert_eq!(reply.status, 500);
    let page = reply.text();
    assert!(page.contains("500 Internal Server Error"), "{page}");
    assert!(!page.contains("new.html"), "{page}");
    assert!(!page.contains("syntax"), "{page}");
    assert!(!page.contains("<pre>"), "{page}");
}

#[tokio::test]
async fn a_missing_template_directory_stops_the_start_with_a_sentence() {
    let data = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let error = http_template::Server::new(
        listener,
        http_template::Config {
            templates: data.path().join("nowhere"),
            ..config(data.path())
        },
    )
    .await
    .unwrap_err();
    let text = error.to_string();
    assert!(
        text.contains("nowhere is not a directory of templates"),
        "{text}"
    );
    assert!(text.contains("--templates"), "{text}");
}

#[tokio::test]
async fn unknown_paths_are_404_and_wrong_methods_405() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::with_db_in(data.path()).await;
    for path in [
        "/nope",
        "/guestbook/",
        "/guestbook/1",
        "/todos.html",
        "/../templates/base.html",
    ] {
        let reply = server.get(path).await;
        assert_eq!(reply.status, 404, "{path}");
        // Ends with a newline: after `curl`, the shell's prompt starts on a line of its own.
        assert_eq!(reply.text(), "404 Not Found.\n", "{path}");
    }
    for (method, path, allow) in [
        ("POST", "/", "GET, HEAD"),
        ("DELETE", "/guestbook", "GET, HEAD, POST"),
        ("PUT", "/guestbook/new", "GET, HEAD"),
        ("POST", "/api/guestbook", "GET, HEAD"),
    ] {
        let reply = server
            .request(
                format!("{method} {path} HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    .as_bytes(),
            )
            .await;
        assert_eq!(reply.status, 405, "{method} {path}");
        assert_eq!(reply.header("allow"), Some(allow), "{method} {path}");
    }
}
