//! The socket that cuts transfers in half (`mechscope/tiny-cut`'s `model.safetensors` is
//! redirected here).
//!
//! Written on a raw `TcpStream` because that is the point: tiny_http keeps connections
//! alive and never lets a handler close one in the middle of a body. Each connection
//! gets one answer: the headers announce the whole file (or the requested range), half
//! of that body follows, and the connection is shut down.

use super::{EXPOSED_HEADERS, Hub, PREFLIGHT_HEADERS, Route, content_type, route, split_query};
use crate::server;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::Duration;

/// A response written by hand: status line, headers, and a body that may be shorter than
/// the `Content-Length` announced.
struct RawReply {
    status: &'static str,
    headers: Vec<(&'static str, String)>,
    content_length: u64,
    body: Vec<u8>,
}

impl RawReply {
    fn new(status: &'static str) -> Self {
        RawReply {
            status,
            headers: vec![
                ("Access-Control-Allow-Origin", "*".into()),
                ("Access-Control-Expose-Headers", EXPOSED_HEADERS.into()),
            ],
            content_length: 0,
            body: Vec::new(),
        }
    }

    fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut head = format!("HTTP/1.1 {}\r\n", self.status);
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            self.content_length
        ));
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }
}

/// Answers one connection, then closes it.
pub(super) fn serve(hub: &Hub, mut stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let Some(head) = read_request_head(&stream) else {
        return;
    };
    let reply = answer(hub, &head);
    let _ = stream.write_all(&reply.to_bytes());
    let _ = stream.flush();
    // FIN right after the (short) body: the client sees the connection end early.
    let _ = stream.shutdown(Shutdown::Write);
}

fn answer(hub: &Hub, head: &RequestHead) -> RawReply {
    if head.method == "OPTIONS" {
        let mut reply = RawReply::new("204 No Content");
        for (name, value) in PREFLIGHT_HEADERS {
            reply = reply.header(name, value);
        }
        return reply;
    }
    let (path, _) = split_query(&head.target);
    let found = match route(path) {
        Route::File { repo, rev, file } => hub
            .check(repo, rev)
            .ok()
            .and_then(|summary| Some((repo, file, summary, summary.file_sha256.get(file)?))),
        _ => None,
    };
    let Some((repo, file, summary, sha256)) = found else {
        let mut reply = RawReply::new("404 Not Found")
            .header("X-Error-Code", "EntryNotFound")
            .header("Content-Type", "application/json");
        reply.body = br#"{"error":"not a file of the test hub"}"#.to_vec();
        reply.content_length = reply.body.len() as u64;
        return reply;
    };
    if !matches!(head.method.as_str(), "GET" | "HEAD") {
        return RawReply::new("405 Method Not Allowed");
    }
    let bytes =
        std::fs::read(super::fixture::file_path(&hub.fixture.root, repo, file)).unwrap_or_default();
    let len = bytes.len() as u64;
    let reply = RawReply::new("200 OK")
        .header("Content-Type", content_type(file))
        .header("Accept-Ranges", "bytes")
        .header("ETag", format!("\"{sha256}\""))
        .header("X-Repo-Commit", summary.sha.clone())
        .header("Cache-Control", "no-cache");
    let (mut reply, start, count) = match head.range.as_deref().map(|r| server::parse_range(r, len))
    {
        None => (reply, 0, len),
        Some(Some((start, end))) => {
            let mut reply = reply.header("Content-Range", format!("bytes {start}-{end}/{len}"));
            reply.status = "206 Partial Content";
            (reply, start, end - start + 1)
        }
        Some(None) => {
            return RawReply::new("416 Range Not Satisfiable")
                .header("Content-Range", format!("bytes */{len}"));
        }
    };
    reply.content_length = count;
    if head.method == "GET" {
        // Half of what the headers promise.
        let start = usize::try_from(start).unwrap_or(usize::MAX);
        let half = usize::try_from(count / 2).unwrap_or(0);
        if let Some(body) = bytes.get(start..start.saturating_add(half)) {
            reply.body = body.to_vec();
        }
    }
    reply
}

/// What this socket reads of a request.
struct RequestHead {
    method: String,
    target: String,
    range: Option<String>,
}

/// The request line and the `Range` header, read up to the blank line.
fn read_request_head(stream: &TcpStream) -> Option<RequestHead> {
    // A request head larger than this is not one of ours.
    const MAX_HEAD_BYTES: u64 = 64 * 1024;
    let mut reader = BufReader::new(stream.take(MAX_HEAD_BYTES));
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let mut range = None;
    loop {
        line.clear();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            return Some(RequestHead {
                method,
                target,
                range,
            });
        }
        if let Some((name, value)) = line.split_once(':')
            && name.trim().eq_ignore_ascii_case("range")
        {
            range = Some(value.trim().to_string());
        }
    }
}
