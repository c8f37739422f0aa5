//! `Range` requests: the three forms, 416, the cases the RFC leaves to us,
//! and `If-Range`, for cached small files and streamed big ones alike.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use http_static::range::{Ranged, parse};
use support::{TestServer, pattern, site};

#[test]
fn the_parser_reads_the_three_forms_and_clamps_to_the_file() {
    assert_eq!(parse("bytes=0-99", 1000), Ranged::Part(0..=99));
    assert_eq!(parse("bytes=900-", 1000), Ranged::Part(900..=999));
    assert_eq!(parse("bytes=-100", 1000), Ranged::Part(900..=999));
    // The end is clamped to the file; a suffix longer than it is the whole file.
    assert_eq!(parse("bytes=990-5000", 1000), Ranged::Part(990..=999));
    assert_eq!(parse("bytes=-5000", 1000), Ranged::Part(0..=999));
    assert_eq!(parse("bytes=999-999", 1000), Ranged::Part(999..=999));
    assert_eq!(parse("Bytes = 1-2", 1000), Ranged::Part(1..=2));
}

#[test]
fn the_parser_says_unsatisfiable_only_for_well_formed_ranges_past_the_end() {
    assert_eq!(parse("bytes=1000-", 1000), Ranged::Unsatisfiable);
    assert_eq!(parse("bytes=1000-2000", 1000), Ranged::Unsatisfiable);
    assert_eq!(parse("bytes=-0", 1000), Ranged::Unsatisfiable);
    assert_eq!(parse("bytes=0-0", 0), Ranged::Unsatisfiable);
    assert_eq!(parse("bytes=-1", 0), Ranged::Unsatisfiable);
}

#[test]
fn the_parser_ignores_what_it_cannot_read_and_multiple_ranges() {
    for header in [
        "bytes=5-2",
        "bytes=-",
        "bytes=a-b",
        "bytes=1-x",
        "bytes=x-1",
        "bytes=+1-2",
        "bytes=0-99999999999999999999999",
        "items=0-1",
        "bytes 0-1",
        "",
        "bytes=0-1,5-6",
        "bytes=0-1, -1",
    ] {
        assert_eq!(parse(header, 1000), Ranged::Whole, "{header:?}");
    }
}

#[tokio::test]
async fn each_form_gets_206_with_content_range_and_exactly_those_bytes() {
    let dir = site();
    let small = pattern(1000);
    let big = pattern(1024 * 1024); // streamed from disk, not cached
    std::fs::write(dir.path().join("small.bin"), &small).unwrap();
    std::fs::write(dir.path().join("big.bin"), &big).unwrap();
    let server = TestServer::serve(dir.path()).await;

    for (path, file) in [("/small.bin", &small), ("/big.bin", &big)] {
        let len = file.len();
        for (range, first, last) in [
            ("bytes=0-99".to_owned(), 0, 99),
            (format!("bytes={}-", len - 10), len - 10, len - 1),
            ("bytes=-7".to_owned(), len - 7, len - 1),
            ("bytes=500-500".to_owned(), 500, 500),
            (format!("bytes=100-{}", len * 2), 100, len - 1),
        ] {
            let reply = server.get_with(path, &[&format!("Range: {range}")]).await;
            assert_eq!(reply.status, 206, "{path} {range}");
            let expected = format!("bytes {first}-{last}/{len}");
            assert_eq!(reply.header("content-range"), Some(expected.as_str()));
            let size = (last - first + 1).to_string();
            assert_eq!(reply.header("content-length"), Some(size.as_str()));
            assert!(
                reply.body == file[first..=last],
                "{path} {range}: wrong bytes"
            );
        }
    }
}

#[tokio::test]
async fn a_range_past_the_end_gets_416_with_the_length() {
    let dir = site();
    let server = TestServer::serve(dir.path()).await;
    for range in ["bytes=13-", "bytes=100-200", "bytes=-0"] {
        let reply = server
            .get_with("/hello.txt", &[&format!("Range: {range}")])
            .await;
        assert_eq!(reply.status, 416, "{range}");
        assert_eq!(reply.header("content-range"), Some("bytes */13"), "{range}");
        // Its sentence is in a language, so it says it varies by language.
        assert_eq!(
            reply.header("vary"),
            Some("Accept-Language, Cookie"),
            "{range}"
        );
    }
}

#[tokio::test]
async fn several_ranges_or_an_unreadable_one_get_the_whole_file() {
    let dir = site();
    let server = TestServer::serve(dir.path()).await;
    for range in ["bytes=0-1,4-5", "bytes=5-2", "lines=1-2"] {
        let reply = server
            .get_with("/hello.txt", &[&format!("Range: {range}")])
            .await;
        assert_eq!(reply.status, 200, "{range}");
        assert_eq!(reply.text(), "Hello, file!\n", "{range}");
        assert_eq!(reply.header("accept-ranges"), Some("bytes"));
    }
}

#[tokio::test]
async fn if_range_gives_the_part_only_for_the_same_version() {
    let dir = site();
    let server = TestServer::serve(dir.path()).await;
    let first = server.get("/hello.txt").await;
    let etag = first.header("etag").unwrap();
    let date = first.header("last-modified").unwrap();

    for same in [etag, date] {
        let reply = server
            .get_with(
                "/hello.txt",
                &["Range: bytes=0-4", &format!("If-Range: {same}")],
            )
            .await;
        assert_eq!(
            (reply.status, reply.text().as_str()),
            (206, "Hello"),
            "{same}"
        );
    }
    let changed = server
        .get_with("/hello.txt", &["Range: bytes=0-4", "If-Range: \"old\""])
        .await;
    assert_eq!(
        (changed.status, changed.text().as_str()),
        (200, "Hello, file!\n")
    );
}

#[tokio::test]
async fn head_with_a_range_sends_the_part_headers_only() {
    let dir = site();
    let server = TestServer::serve(dir.path()).await;
    let reply = server
        .request(
            "HEAD /hello.txt HTTP/1.1\r\nHost: t\r\nRange: bytes=0-4\r\nConnection: close\r\n\r\n",
        )
        .await;
    assert_eq!(reply.status, 206);
    assert_eq!(reply.header("content-length"), Some("5"));
    assert_eq!(reply.header("content-range"), Some("bytes 0-4/13"));
    assert!(reply.body.is_empty());
}
