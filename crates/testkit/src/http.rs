//! HTTP spoken by hand: the test writes exactly the bytes it means (a
//! client library would tidy up the odd paths and headers the lessons must
//! refuse), and reads the answer as it came off the wire.

use std::net::SocketAddr;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::STEP;

/// An HTTP response as it came off the wire.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    /// Header names lower-cased, in the order sent.
    pub headers: Vec<(String, String)>,
    /// Everything after the blank line.
    pub body: Vec<u8>,
}

impl Reply {
    /// Parses a status line, headers, and takes the rest as the body.
    pub fn parse(raw: &[u8]) -> Self {
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut response = httparse::Response::new(&mut headers);
        let parsed = response
            .parse(raw)
            .unwrap_or_else(|e| panic!("not HTTP ({e}): {:?}", String::from_utf8_lossy(raw)));
        let httparse::Status::Complete(end) = parsed else {
            panic!("incomplete response: {:?}", String::from_utf8_lossy(raw));
        };
        Self {
            status: response.code.unwrap(),
            headers: response
                .headers
                .iter()
                .map(|h| {
                    let value = String::from_utf8_lossy(h.value).into_owned();
                    (h.name.to_ascii_lowercase(), value)
                })
                .collect(),
            body: raw[end..].to_vec(),
        }
    }

    /// The value of header `name` (lower case), if sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as text (invalid UTF-8 shown as `�`).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends `raw` as it is on a fresh connection and reads until the server
/// closes it: send `Connection: close` in `raw`.
pub async fn exchange(addr: SocketAddr, raw: &[u8]) -> Reply {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(raw).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(STEP * 3, stream.read_to_end(&mut answer))
        .await
        .expect("the server answered and closed in time")
        .unwrap();
    Reply::parse(&answer)
}

/// `GET path` with `Connection: close`, and the answer.
pub async fn get(addr: SocketAddr, path: &str) -> Reply {
    let request = format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
    exchange(addr, request.as_bytes()).await
}

/// Reads one response from a keep-alive connection: the headers, then
/// exactly `Content-Length` bytes of body (none if `has_body` is false, as
/// for a HEAD or a 304).
pub async fn read_response(reader: &mut BufReader<TcpStream>, has_body: bool) -> Reply {
    let mut head = Vec::new();
    loop {
        let before = head.len();
        tokio::time::timeout(STEP * 3, reader.read_until(b'\n', &mut head))
            .await
            .expect("headers in time")
            .unwrap();
        assert!(head.len() > before, "connection closed inside the headers");
        if head.ends_with(b"\r\n\r\n") {
            break;
        }
    }
    let mut reply = Reply::parse(&head);
    if has_body {
        let len: usize = reply.header("content-length").unwrap().parse().unwrap();
        let mut body = vec![0; len];
        tokio::time::timeout(STEP * 3, reader.read_exact(&mut body))
            .await
            .expect("body in time")
            .unwrap();
        reply.body = body;
    }
    reply
}
