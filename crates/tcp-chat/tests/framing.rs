//! TCP has no message boundaries: the server must find them itself.
//!
//! The first tests feed the decoder by hand, so where each read ends is
//! exactly what the test says; the rest send the same cases over a real
//! socket.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use bytes::BytesMut;
use common::chat::{Broadcast, ClientMessage};
use serde_json::{Value, json};
use support::{Peer, TestServer};
use tcp_chat::framing::{Frame, FrameError, JsonStream, MAX_MESSAGE};
use tokio_util::codec::Decoder;

// ANCHOR: naive
/// The naive way, as in `socket.on('data', (chunk) => JSON.parse(chunk))`:
/// one read, one message.
fn parse_each_chunk(chunks: &[&[u8]]) -> Vec<Result<Value, serde_json::Error>> {
    chunks
        .iter()
        .map(|chunk| serde_json::from_slice(chunk))
        .collect()
}
// ANCHOR_END: naive

/// Our way: each chunk is appended to a buffer, and the decoder takes out
/// every complete message after each one, as `FramedRead` does.
fn decode_chunks(chunks: &[&[u8]]) -> Vec<Frame<ClientMessage>> {
    let mut decoder = JsonStream::<ClientMessage>::new();
    let mut buffer = BytesMut::new();
    let mut frames = Vec::new();
    for chunk in chunks {
        buffer.extend_from_slice(chunk);
        while let Some(frame) = decoder.decode(&mut buffer).unwrap() {
            frames.push(frame);
        }
    }
    while let Some(frame) = decoder.decode_eof(&mut buffer).unwrap() {
        frames.push(frame);
    }
    frames
}

fn broadcast(message: &str) -> Frame<ClientMessage> {
    Frame::Message(ClientMessage::Broadcast(Broadcast {
        message: message.into(),
    }))
}

#[test]
fn two_messages_in_one_read_without_a_newline() {
    let chunk: &[u8] = br#"{"type":"users"}{"type":"broadcast","message":"hi"}"#;
    assert!(
        parse_each_chunk(&[chunk])[0].is_err(),
        "naive: trailing characters"
    );
    assert_eq!(
        decode_chunks(&[chunk]),
        [Frame::Message(ClientMessage::Users), broadcast("hi")]
    );
}

#[test]
fn one_message_split_over_reads_even_inside_a_character() {
    let message = r#"{"type":"broadcast","message":"你好，世界"}"#.as_bytes();
    // Cut in the middle of 好 (three bytes in UTF-8).
    let cut = message.iter().position(|&b| b == 0xE5).unwrap() + 1;
    let chunks = [&message[..cut], &message[cut..]];
    assert!(
        std::str::from_utf8(chunks[0]).is_err(),
        "the cut splits a character"
    );
    let naive = parse_each_chunk(&chunks);
    assert!(
        naive.iter().all(Result::is_err),
        "naive: neither half is JSON"
    );
    assert_eq!(decode_chunks(&chunks), [broadcast("你好，世界")]);

    // And byte by byte.
    let bytes: Vec<&[u8]> = message.chunks(1).collect();
    assert_eq!(decode_chunks(&bytes), [broadcast("你好，世界")]);
}

#[test]
fn bad_json_is_reported_and_skipped_to_the_next_newline() {
    let frames = decode_chunks(&[b"{oops, not json} more garbage\n{\"type\":\"users\"}\n"]);
    assert_eq!(frames.len(), 2, "{frames:?}");
    assert!(matches!(&frames[0], Frame::Invalid(why) if why.starts_with("invalid JSON")));
    assert_eq!(frames[1], Frame::Message(ClientMessage::Users));
}

#[test]
fn bad_json_is_reported_in_chinese_with_where_it_went_wrong() {
    let mut decoder = JsonStream::<ClientMessage>::for_server(common::lang::Lang::ZhCn);
    let mut buffer = BytesMut::from(&b"hello\n"[..]);
    let frame = decoder.decode(&mut buffer).unwrap();
    let Some(Frame::Invalid(why)) = frame else {
        panic!("{frame:?}")
    };
    assert_eq!(
        why,
        "这不是合法的 JSON（第 1 行第 1 列附近出错），本行剩下的内容已忽略"
    );
}

#[test]
fn garbage_without_newlines_is_dropped_as_it_arrives() {
    let mut decoder = JsonStream::<ClientMessage>::new();
    let mut buffer = BytesMut::new();
    let garbage = [b'x'; 4096];
    let mut errors = 0;
    for _ in 0..256 {
        // 1 MiB in all, and never more than one chunk held.
        buffer.extend_from_slice(&garbage);
        while let Some(frame) = decoder.decode(&mut buffer).unwrap() {
            assert!(matches!(frame, Frame::Invalid(_)));
            errors += 1;
        }
        assert!(buffer.len() <= garbage.len());
    }
    assert_eq!(errors, 1, "one error for one bad line");
    buffer.extend_from_slice(b"\n{\"type\":\"users\"}");
    assert_eq!(
        decoder.decode(&mut buffer).unwrap(),
        Some(Frame::Message(ClientMessage::Users))
    );
}

#[test]
fn an_unfinished_message_stops_at_the_limit() {
    let mut decoder = JsonStream::<ClientMessage>::new();
    let mut buffer = BytesMut::new();
    buffer.extend_from_slice(br#"{"type":"broadcast","message":""#);
    let mut error = None;
    for _ in 0..100 {
        buffer.extend_from_slice(&[b'a'; 1024]);
        match decoder.decode(&mut buffer) {
            Ok(None) => assert!(buffer.len() <= MAX_MESSAGE + 1024 + 64),
            Ok(Some(frame)) => panic!("unexpected {frame:?}"),
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    assert!(matches!(
        error,
        Some(FrameError::TooLong { limit: MAX_MESSAGE })
    ));
}

#[test]
fn a_complete_message_over_the_limit_is_too_long_too() {
    let text = "a".repeat(MAX_MESSAGE);
    let line = json!({"type": "broadcast", "message": text}).to_string();
    let mut buffer = BytesMut::from(line.as_bytes());
    let error = JsonStream::<ClientMessage>::new().decode(&mut buffer);
    assert!(
        matches!(error, Err(FrameError::TooLong { .. })),
        "{error:?}"
    );
}

#[test]
fn a_message_cut_short_by_the_end_of_the_stream_is_reported() {
    let frames = decode_chunks(&[br#"{"type":"broad"#]);
    assert!(
        matches!(&frames[..], [Frame::Invalid(why)] if why.contains("middle of a message")),
        "{frames:?}"
    );
}

// Over a real socket.

#[tokio::test]
async fn back_to_back_objects_without_newlines() {
    let server = TestServer::start().await;
    let mut alice = Peer::connect(server.addr).await;
    // What a Node client writing `JSON.stringify(msg)` twice sends.
    alice
        .write(r#"{"type":"login","nickname":"alice"}{"type":"users"}{"type":"broadcast","message":"x"}"#)
        .await;
    assert_eq!(alice.next().await["type"], "login");
    assert_eq!(alice.next().await["users"], json!(["alice"]));
    assert_eq!(alice.next().await["message"], "x");
}

#[tokio::test]
async fn one_message_delivered_byte_by_byte() {
    let server = TestServer::start().await;
    let mut alice = Peer::connect(server.addr).await;
    for byte in br#"{"type":"login","nickname":"alice"}"# {
        alice.write([*byte]).await;
    }
    let answer = alice.next().await;
    assert_eq!(answer["success"], true, "{answer}");
}

#[tokio::test]
async fn chinese_text_split_mid_character_between_reads() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    let message = r#"{"type":"broadcast","message":"你好"}"#.as_bytes();
    let cut = message.iter().position(|&b| b == 0xE5).unwrap() + 1;
    // The first write ends with a `users` request we wait for: the server
    // has read that write, half a character included, before the rest comes.
    let mut first = br#"{"type":"users"}"#.to_vec();
    first.extend_from_slice(&message[..cut]);
    alice.write(first).await;
    assert_eq!(alice.next().await["type"], "users");
    alice.write(&message[cut..]).await;
    assert_eq!(alice.next().await["message"], "你好");
}

#[tokio::test]
async fn garbage_then_a_valid_line() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    alice
        .write("this is not JSON\n{\"type\":\"users\"}\n")
        .await;
    let error = alice.error().await;
    assert!(error.starts_with("invalid JSON"), "{error}");
    assert_eq!(alice.next().await["users"], json!(["alice"]));

    // A megabyte of garbage without a newline: one error, then on.
    let garbage = vec![b'#'; 1024 * 1024];
    alice.write(&garbage).await;
    alice.write("\n{\"type\":\"users\"}\n").await;
    assert!(alice.error().await.starts_with("invalid JSON"));
    assert_eq!(alice.next().await["users"], json!(["alice"]));
}

#[tokio::test]
async fn a_70_kib_message_gets_an_error_then_the_connection_closes() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let huge = json!({"type": "broadcast", "message": "a".repeat(70 * 1024)}).to_string();
    // The server may close before reading it all, so a failed write is fine.
    let _ = tokio::io::AsyncWriteExt::write_all(&mut alice.writer, huge.as_bytes()).await;
    let error = alice.next_of("error").await["message"].to_string();
    assert!(error.contains("too long"), "{error}");
    assert!(error.contains("64 KiB"), "{error}");
    alice.expect_closed().await;
    // bob was not sent the huge message, and hears that alice left.
    let log = bob.next_of("log").await;
    assert_eq!(log["message"], "alice left, 1 online");
}
