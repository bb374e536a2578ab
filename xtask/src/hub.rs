//! A Hugging Face hub look-alike under `/hub/`, for end-to-end tests of loading models by
//! repository id without the network.
//!
//! It serves a directory generated from `mechscope_testkit::tiny_model` (see
//! [`fixture`]; by default `~/.cache/mechscope/hub-fixture/`) with the hub's URL layout:
//!
//! - `/hub/api/models/{owner}/{name}/revision/{rev}`: the listing, `application/json`,
//!   as the hub answers it with `?blobs=true` (whatever the query here): `id`, `sha`,
//!   `siblings` (`rfilename`, `size`, and `lfs: {sha256, size, pointerSize}` for
//!   `.safetensors`/`.gguf` files). `/hub/api/models/{owner}/{name}` is `main`'s.
//! - `/hub/{owner}/{name}/resolve/{rev}/{file}`: the file, with `Content-Length` always
//!   (never chunked), Range requests, `ETag: "<sha256>"` and `X-Repo-Commit`.
//!
//! `{rev}` is `main` or the repository's `sha`. Every `/hub/` response carries
//! `Access-Control-Allow-Origin: *` and exposes `Content-Length, Content-Range, ETag`
//! (plus the hub's `X-Error-Code` and `X-Repo-Commit`), so a page on another origin can
//! use it too; `OPTIONS` answers CORS preflights. An unknown repository, revision or file
//! is a 404 with the hub's `X-Error-Code` (`RepoNotFound`, `RevisionNotFound`,
//! `EntryNotFound`) and a JSON `{"error": ...}` body.
//!
//! Repositories (all `main` only):
//!
//! | id | what |
//! |---|---|
//! | `mechscope/tiny-llama` | the HF folder: config, generation config, tokenizer, tokenizer config, F32 `model.safetensors` |
//! | `mechscope/tiny-llama-GGUF` | `tiny-llama-F32.gguf` and a README |
//! | `mechscope/tiny-llama-sharded` | the same weights in two shards with `model.safetensors.index.json` |
//! | `mechscope/tiny-corrupt` | `model.safetensors`' header length points past its end (listing consistent) |
//! | `mechscope/tiny-bad-sha` | the listing's `lfs.sha256` of `model.safetensors` is wrong |
//! | `mechscope/tiny-cut` | `model.safetensors` arrives with its full `Content-Length`, then the connection closes half way |
//! | `mechscope/tiny-huge` | a 70B llama `config.json` and index; the listing has its ~141 GB of shards, which are absent |
//!
//! The cut transfer: tiny_http cannot close a connection in the middle of a response
//! (it keeps connections alive and owns the sockets), so `tiny-cut`'s `model.safetensors`
//! answers `302 Found` to the same path on a second port of this server, whose raw
//! socket sends the headers (full length), half of the body (or of the requested range)
//! and closes. The real hub redirects LFS downloads to its CDN the same way, so clients
//! follow it transparently.
//!
//! `GET /__hub-log` returns a JSON array of every URL (path and query) requested under
//! `/hub/` on the main port, oldest first, since the server started or since the last
//! `GET /__hub-log?clear=1`, which returns the log and then empties it.

mod cut;
pub mod fixture;

use crate::server::{self, header};
use anyhow::{Context, Result};
use fixture::{FAULTY_FILE, Fault, HubFixture, MAIN};
use std::net::TcpListener;
use std::path::{Component, Path};
use std::sync::{Arc, Mutex, OnceLock};
use tiny_http::{Header, Method, Request, Response, StatusCode};

/// The URL prefix of the hub.
pub const PREFIX: &str = "/hub/";
/// The request log's URL.
pub const LOG_PATH: &str = "/__hub-log";

const EXPOSED_HEADERS: &str = "Content-Length, Content-Range, ETag, X-Error-Code, X-Repo-Commit";

/// The hub's state: the fixture, the request log, and the port of the cutting socket.
pub struct Hub {
    fixture: HubFixture,
    log: Mutex<Vec<String>>,
    cut_port: OnceLock<u16>,
}

/// What a `/hub/` path asks for.
#[derive(Debug, PartialEq, Eq)]
enum Route<'a> {
    Listing {
        repo: &'a str,
        rev: &'a str,
    },
    File {
        repo: &'a str,
        rev: &'a str,
        file: &'a str,
    },
    Unknown,
}

/// Parses the path (no query) of a `/hub/` URL.
fn route(path: &str) -> Route<'_> {
    let Some(rest) = path.strip_prefix(PREFIX) else {
        return Route::Unknown;
    };
    let repo_of = |s: &str| -> Option<usize> {
        let mut parts = s.splitn(3, '/');
        let (owner, name) = (parts.next()?, parts.next()?);
        (!owner.is_empty() && !name.is_empty()).then_some(owner.len() + 1 + name.len())
    };
    if let Some(api) = rest.strip_prefix("api/models/") {
        let Some(end) = repo_of(api) else {
            return Route::Unknown;
        };
        let (repo, tail) = api.split_at(end);
        return match tail.strip_prefix("/revision/") {
            None if tail.is_empty() || tail == "/" => Route::Listing { repo, rev: MAIN },
            Some(rev) if !rev.is_empty() && !rev.contains('/') => Route::Listing { repo, rev },
            _ => Route::Unknown,
        };
    }
    let Some(end) = repo_of(rest) else {
        return Route::Unknown;
    };
    let (repo, tail) = rest.split_at(end);
    let Some((rev, file)) = tail
        .strip_prefix("/resolve/")
        .and_then(|t| t.split_once('/'))
    else {
        return Route::Unknown;
    };
    // Only plain names: no `..`, no absolute paths out of the repository.
    let plain = !file.is_empty()
        && Path::new(file)
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
    if rev.is_empty() || !plain {
        return Route::Unknown;
    }
    Route::File { repo, rev, file }
}

/// The path and query of a URL.
fn split_query(url: &str) -> (&str, &str) {
    let url = url.split('#').next().unwrap_or(url);
    url.split_once('?').unwrap_or((url, ""))
}

fn cors_headers() -> Vec<Header> {
    vec![
        header("Access-Control-Allow-Origin", "*"),
        header("Access-Control-Expose-Headers", EXPOSED_HEADERS),
    ]
}

/// The hub's error: a status, `X-Error-Code` and a JSON body saying what is missing.
fn respond_error(request: Request, status: u16, code: &str, message: &str) {
    let body = serde_json::json!({ "error": message }).to_string();
    let mut response = Response::from_string(body)
        .with_status_code(StatusCode(status))
        .with_header(header("Content-Type", "application/json"))
        .with_header(header("X-Error-Code", code));
    for h in cors_headers() {
        response.add_header(h);
    }
    let _ = request.respond(response);
}

impl Hub {
    pub fn new(fixture: HubFixture) -> Self {
        Hub {
            fixture,
            log: Mutex::new(Vec::new()),
            cut_port: OnceLock::new(),
        }
    }

    /// Whether this URL is the hub's to answer.
    pub fn handles(url: &str) -> bool {
        let (path, _) = split_query(url);
        path.starts_with(PREFIX) || path == LOG_PATH
    }

    /// Starts the socket that cuts transfers in half, on `host` and a free port.
    pub fn start_cut_listener(self: &Arc<Self>, host: &str) -> Result<()> {
        let listener = TcpListener::bind((host, 0))
            .with_context(|| format!("cannot listen on {host} for the hub's cut transfers"))?;
        let port = listener.local_addr()?.port();
        // A second start (one Site served twice) keeps the first listener.
        if self.cut_port.set(port).is_err() {
            return Ok(());
        }
        let hub = Arc::clone(self);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let hub = Arc::clone(&hub);
                std::thread::spawn(move || cut::serve(&hub, stream));
            }
        });
        Ok(())
    }

    /// Answers a request [`Hub::handles`].
    pub fn handle(&self, request: Request) {
        let url = request.url().to_string();
        let (path, query) = split_query(&url);
        if path == LOG_PATH {
            return self.respond_log(request, query);
        }
        if let Ok(mut log) = self.log.lock() {
            log.push(url.clone());
        }
        match request.method() {
            Method::Get | Method::Head => {}
            Method::Options => return respond_preflight(request),
            _ => return respond_error(request, 405, "MethodNotAllowed", "method not allowed"),
        }
        match route(path) {
            Route::Unknown => respond_error(request, 404, "NotFound", "no such hub route"),
            Route::Listing { repo, rev } => {
                if let Err((code, message)) = self.check(repo, rev) {
                    return respond_error(request, 404, code, &message);
                }
                let mut headers = cors_headers();
                headers.push(header("Content-Type", "application/json"));
                headers.push(header("Cache-Control", "no-cache"));
                let listing = fixture::listing_path(&self.fixture.root, repo);
                server::respond_file(request, &listing, headers, true);
            }
            Route::File { repo, rev, file } => self.respond_repo_file(request, repo, rev, file),
        }
    }

    /// Whether the repository and revision exist: `Err((X-Error-Code, message))` if not.
    fn check(
        &self,
        repo: &str,
        rev: &str,
    ) -> Result<&fixture::RepoSummary, (&'static str, String)> {
        let summary = self.fixture.repos.get(repo).ok_or_else(|| {
            (
                "RepoNotFound",
                format!("Repository not found: {repo} is not in the test hub"),
            )
        })?;
        if rev != MAIN && rev != summary.sha {
            return Err((
                "RevisionNotFound",
                format!(
                    "Invalid rev id: {rev} (the test hub has main = {})",
                    summary.sha
                ),
            ));
        }
        Ok(summary)
    }

    fn respond_repo_file(&self, request: Request, repo: &str, rev: &str, file: &str) {
        let summary = match self.check(repo, rev) {
            Ok(s) => s,
            Err((code, message)) => return respond_error(request, 404, code, &message),
        };
        let Some(sha256) = summary.file_sha256.get(file) else {
            return respond_error(
                request,
                404,
                "EntryNotFound",
                &format!("{file} does not exist in {repo} at {rev}"),
            );
        };
        let mut headers = cors_headers();
        headers.push(header("X-Repo-Commit", &summary.sha));
        if summary.fault == Fault::CutTransfer && file == FAULTY_FILE {
            return self.redirect_to_cut(request, headers);
        }
        let path = fixture::file_path(&self.fixture.root, repo, file);
        headers.push(header("Content-Type", content_type(file)));
        headers.push(header("Accept-Ranges", "bytes"));
        headers.push(header("Cache-Control", "no-cache"));
        headers.push(header("ETag", &format!("\"{sha256}\"")));
        server::respond_file(request, &path, headers, true);
    }

    /// `302 Found` to the same URL on the cutting socket's port.
    fn redirect_to_cut(&self, request: Request, mut headers: Vec<Header>) {
        let Some(port) = self.cut_port.get() else {
            return respond_error(
                request,
                500,
                "CutListenerMissing",
                "the server did not start the hub's cut-transfer socket",
            );
        };
        // The host the client used, so the redirect reaches this machine the same way.
        let host = request
            .headers()
            .iter()
            .find(|h| h.field.equiv("Host"))
            .map(|h| host_without_port(h.value.as_str()).to_string())
            .unwrap_or_else(|| "127.0.0.1".to_string());
        let location = format!("http://{host}:{port}{}", request.url());
        // Both parts came through tiny_http's ASCII-only parser; refuse rather than panic
        // if that ever changes.
        let Ok(location) = Header::from_bytes(&b"Location"[..], location.as_bytes()) else {
            return respond_error(request, 400, "BadRequest", "the Host header is not ASCII");
        };
        headers.push(location);
        let mut response = Response::empty(302);
        for h in headers {
            response.add_header(h);
        }
        let _ = request.respond(response);
    }

    fn respond_log(&self, request: Request, query: &str) {
        if !matches!(request.method(), Method::Get | Method::Head) {
            return respond_error(request, 405, "MethodNotAllowed", "GET /__hub-log only");
        }
        let clear = query.split('&').any(|kv| kv == "clear=1");
        let entries = match self.log.lock() {
            Ok(mut log) if clear => std::mem::take(&mut *log),
            Ok(log) => log.clone(),
            Err(_) => Vec::new(),
        };
        let mut response = Response::from_string(serde_json::json!(entries).to_string())
            .with_header(header("Content-Type", "application/json"))
            .with_header(header("Cache-Control", "no-store"));
        for h in cors_headers() {
            response.add_header(h);
        }
        let _ = request.respond(response);
    }
}

/// What a CORS preflight is told: the hub is read-only and accepts any header (Range).
const PREFLIGHT_HEADERS: [(&str, &str); 3] = [
    ("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS"),
    ("Access-Control-Allow-Headers", "*"),
    ("Access-Control-Max-Age", "600"),
];

fn respond_preflight(request: Request) {
    let mut response = Response::empty(204);
    for h in cors_headers() {
        response.add_header(h);
    }
    for (name, value) in PREFLIGHT_HEADERS {
        response.add_header(header(name, value));
    }
    let _ = request.respond(response);
}

/// `example.org` from `example.org:8080`, `[::1]` from `[::1]:8080`.
fn host_without_port(host: &str) -> &str {
    match host.rsplit_once(':') {
        Some((name, port)) if !port.contains(']') && port.chars().all(|c| c.is_ascii_digit()) => {
            name
        }
        _ => host,
    }
}

fn content_type(file: &str) -> &'static str {
    match file.rsplit_once('.').map_or("", |(_, ext)| ext) {
        "json" => "application/json",
        "md" | "txt" | "gitattributes" | "jinja" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests;
