//! A small static file server for the built page, the demo model and the hub-like
//! fixture.
//!
//! Trunk's own server cannot serve files from outside `dist/`, and the page needs HTTP
//! Range requests: it reads a model's header by fetching only the first bytes. `/hub/`
//! and `/__hub-log` belong to [`crate::hub`].

use crate::hub::{self, Hub};
use crate::paths::Paths;
use anyhow::{Result, anyhow};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use tiny_http::{Header, Method, Request, Response, Server, StatusCode};

/// What the server maps: URL prefixes to directories, and the hub.
#[derive(Clone)]
pub struct Site {
    mounts: Vec<(String, PathBuf)>,
    hub: Arc<Hub>,
}

impl Site {
    /// The page from `dist` at `/`, the cached models at `/models/`, and the hub-like
    /// fixture at `/hub/` (made or refreshed first, in milliseconds).
    pub fn new(paths: &Paths, dist: &Path) -> Result<Self> {
        let fixture = hub::fixture::ensure(&paths.hub_fixture())?;
        Ok(Site {
            mounts: vec![
                ("/models/".to_string(), paths.models()),
                ("/".to_string(), dist.to_path_buf()),
            ],
            hub: Arc::new(Hub::new(fixture)),
        })
    }

    /// The hub from a fixture already on disk, and `dist` at `/` (the server's tests).
    #[cfg(test)]
    pub fn for_tests(fixture: hub::fixture::HubFixture, dist: &Path) -> Self {
        Site {
            mounts: vec![("/".to_string(), dist.to_path_buf())],
            hub: Arc::new(Hub::new(fixture)),
        }
    }

    fn resolve(&self, url_path: &str) -> Option<PathBuf> {
        let path = url_path.split(['?', '#']).next().unwrap_or("/");
        for (prefix, dir) in &self.mounts {
            if let Some(rest) = path.strip_prefix(prefix.as_str()) {
                let rest = if rest.is_empty() { "index.html" } else { rest };
                let relative = Path::new(rest);
                // Only plain names: no `..`, no absolute paths out of the mount.
                if relative
                    .components()
                    .all(|c| matches!(c, Component::Normal(_)))
                {
                    return Some(dir.join(relative));
                }
                return None;
            }
        }
        None
    }
}

/// Serves until the process is stopped.
pub fn serve_forever(paths: &Paths, dist: &Path, host: &str, port: u16) -> Result<()> {
    let server =
        Server::http((host, port)).map_err(|e| anyhow!("cannot listen on {host}:{port}: {e}"))?;
    let site = Site::new(paths, dist)?;
    site.hub.start_cut_listener(host)?;
    println!("\nMechScope is served at http://{host}:{port}/  (Ctrl-C stops it)");
    println!(
        "Test hub (tiny seeded models and fault cases): http://{host}:{port}/hub/ from {}\n",
        paths.hub_fixture().display()
    );
    for request in server.incoming_requests() {
        handle(&site, request);
    }
    Ok(())
}

/// Serves on a free port in a background thread; returns the base URL.
pub fn spawn(site: Site) -> Result<String> {
    let server = Arc::new(Server::http("127.0.0.1:0").map_err(|e| anyhow!("cannot listen: {e}"))?);
    let port = server
        .server_addr()
        .to_ip()
        .map(|a| a.port())
        .ok_or_else(|| anyhow!("no TCP port"))?;
    site.hub.start_cut_listener("127.0.0.1")?;
    std::thread::spawn(move || {
        for request in server.incoming_requests() {
            let site = site.clone();
            std::thread::spawn(move || handle(&site, request));
        }
    });
    Ok(format!("http://127.0.0.1:{port}"))
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

pub(crate) fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("static header names are valid")
}

/// `bytes=a-b`, `bytes=a-` or `bytes=-n` against a file of `len` bytes.
pub(crate) fn parse_range(value: &str, len: u64) -> Option<(u64, u64)> {
    let spec = value.trim().strip_prefix("bytes=")?;
    if spec.contains(',') || len == 0 {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let (start, end) = match (a.trim(), b.trim()) {
        ("", n) => {
            let n: u64 = n.parse().ok()?;
            (len.saturating_sub(n), len - 1)
        }
        (a, "") => (a.parse().ok()?, len - 1),
        (a, b) => (a.parse().ok()?, b.parse::<u64>().ok()?.min(len - 1)),
    };
    (start <= end && start < len).then_some((start, end))
}

fn handle(site: &Site, request: Request) {
    if Hub::handles(request.url()) {
        return site.hub.handle(request);
    }
    if !matches!(request.method(), Method::Get | Method::Head) {
        return respond_error(request, 405, "method not allowed");
    }
    let Some(path) = site.resolve(request.url()) else {
        return respond_error(request, 404, "not found");
    };
    let headers = vec![
        header("Content-Type", content_type(&path)),
        header("Accept-Ranges", "bytes"),
        header("Cache-Control", "no-cache"),
    ];
    // A length lets the page show a download's total (the demo model's progress bar).
    respond_file(request, &path, headers, true);
}

fn respond_error(request: Request, code: u16, text: &str) {
    let _ = request.respond(Response::from_string(text).with_status_code(StatusCode(code)));
}

/// Sends the file at `path`, or the byte range the request asks for (206; 416 with
/// `Content-Range: bytes */len` when it is outside the file), with `headers`. With
/// `always_content_length` the body always has a `Content-Length`; without, tiny_http
/// sends bodies of 32 KiB and more chunked, with none.
pub(crate) fn respond_file(
    request: Request,
    path: &Path,
    mut headers: Vec<Header>,
    always_content_length: bool,
) {
    let Ok(mut file) = File::open(path) else {
        return respond_error(request, 404, "not found");
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let range = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Range"))
        .map(|h| h.value.as_str().to_string());
    let (status, start, count) = match range {
        None => (200, 0, len),
        Some(r) => match parse_range(&r, len) {
            Some((start, end)) => {
                headers.push(header(
                    "Content-Range",
                    &format!("bytes {start}-{end}/{len}"),
                ));
                (206, start, end - start + 1)
            }
            None => {
                headers.push(header("Content-Range", &format!("bytes */{len}")));
                let mut response =
                    Response::from_string("range not satisfiable").with_status_code(416);
                // The body is this message, not the file: keep its text/plain type.
                for h in headers
                    .into_iter()
                    .filter(|h| !h.field.equiv("Content-Type"))
                {
                    response.add_header(h);
                }
                let _ = request.respond(response);
                return;
            }
        },
    };
    if file.seek(SeekFrom::Start(start)).is_err() {
        return respond_error(request, 500, "seek failed");
    }
    let body: Box<dyn Read + Send> = Box::new(file.take(count));
    let response = Response::new(
        StatusCode(status),
        headers,
        body,
        Some(count as usize),
        None,
    );
    let response = if always_content_length {
        response.with_chunked_threshold(usize::MAX)
    } else {
        response
    };
    let _ = request.respond(response);
}

#[cfg(test)]
mod tests {
    use super::parse_range;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-99", 1000), Some((0, 99)));
        assert_eq!(parse_range("bytes=900-", 1000), Some((900, 999)));
        assert_eq!(parse_range("bytes=-10", 1000), Some((990, 999)));
        assert_eq!(parse_range("bytes=0-5000", 1000), Some((0, 999)));
        assert_eq!(parse_range("bytes=1000-", 1000), None);
        assert_eq!(parse_range("bytes=5-1", 1000), None);
        assert_eq!(parse_range("items=0-1", 1000), None);
    }
}
