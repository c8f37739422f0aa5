//! Revalidation: `ETag` + `If-None-Match` and `Last-Modified` +
//! `If-Modified-Since` turn a repeat download into a `304 Not Modified`.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, SystemTime};

use support::{TestServer, site};

#[tokio::test]
async fn if_none_match_with_the_etag_gets_304_without_a_body() {
    let dir = site();
    let server = TestServer::serve(dir.path()).await;
    let first = server.get("/hello.txt").await;
    let etag = first.header("etag").unwrap().to_owned();

    for header in [
        format!("If-None-Match: {etag}"),
        format!("If-None-Match: W/{etag}"), // weak comparison: W/ is ignored
        format!("If-None-Match: \"other\", {etag}"),
        "If-None-Match: *".to_owned(),
    ] {
        let reply = server.get_with("/hello.txt", &[&header]).await;
        assert_eq!(reply.status, 304, "{header}");
        assert!(reply.body.is_empty(), "{header}");
        assert_eq!(reply.header("etag"), Some(etag.as_str()), "{header}");
        assert_eq!(reply.header("last-modified"), first.header("last-modified"));
    }

    let stale = server
        .get_with("/hello.txt", &["If-None-Match: \"not-the-etag\""])
        .await;
    assert_eq!(
        (stale.status, stale.text().as_str()),
        (200, "Hello, file!\n")
    );
}

#[tokio::test]
async fn if_modified_since_gets_304_unless_the_file_is_newer() {
    let dir = site();
    let server = TestServer::serve(dir.path()).await;
    let first = server.get("/hello.txt").await;
    let last_modified = first.header("last-modified").unwrap().to_owned();

    let same = server
        .get_with(
            "/hello.txt",
            &[&format!("If-Modified-Since: {last_modified}")],
        )
        .await;
    assert_eq!(same.status, 304);
    assert!(same.body.is_empty());

    let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(3600));
    let later = server
        .get_with("/hello.txt", &[&format!("If-Modified-Since: {later}")])
        .await;
    assert_eq!(later.status, 304);

    let earlier = httpdate::parse_http_date(&last_modified).unwrap() - Duration::from_secs(1);
    let earlier = httpdate::fmt_http_date(earlier);
    let changed = server
        .get_with("/hello.txt", &[&format!("If-Modified-Since: {earlier}")])
        .await;
    assert_eq!(
        (changed.status, changed.text().as_str()),
        (200, "Hello, file!\n")
    );

    let garbage = server
        .get_with("/hello.txt", &["If-Modified-Since: yesterday-ish"])
        .await;
    assert_eq!(garbage.status, 200, "an unreadable date is ignored");
}

#[tokio::test]
async fn if_none_match_wins_over_if_modified_since() {
    let dir = site();
    let server = TestServer::serve(dir.path()).await;
    let first = server.get("/hello.txt").await;
    let last_modified = first.header("last-modified").unwrap();
    // The date says "unchanged" but the ETag says "changed": RFC 9110 says
    // the ETag decides.
    let reply = server
        .get_with(
            "/hello.txt",
            &[
                "If-None-Match: \"old-version\"",
                &format!("If-Modified-Since: {last_modified}"),
            ],
        )
        .await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn head_and_big_files_revalidate_too() {
    let dir = site();
    let big = support::pattern(300 * 1024); // bigger than the cache takes
    std::fs::write(dir.path().join("big.bin"), &big).unwrap();
    let server = TestServer::serve(dir.path()).await;
    let first = server.get("/big.bin").await;
    assert_eq!(first.body, big);
    let etag = first.header("etag").unwrap();
    let again = server
        .get_with("/big.bin", &[&format!("If-None-Match: {etag}")])
        .await;
    assert_eq!(again.status, 304);
    let head = server
        .request(&format!(
            "HEAD /index.html HTTP/1.1\r\nHost: t\r\nConnection: close\r\nIf-None-Match: {}\r\n\r\n",
            server.get("/index.html").await.header("etag").unwrap()
        ))
        .await;
    assert_eq!(head.status, 304);
}
