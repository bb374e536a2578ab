//! The test hub through a real server on a free port, spoken to with a raw HTTP/1.1
//! client (the workspace has no HTTP client crate for native tests, and a raw one sees
//! exactly what went over the socket, which the cut transfer needs).

use super::fixture::{self, sha256_hex};
use super::{Route, host_without_port, route};
use crate::server::{self, Site};
use mechscope_formats::config::ModelConfig;
use mechscope_formats::safetensors::SafetensorsFile;
use mechscope_testkit::tiny_model::{self, TINY_LLAMA_GGUF_NAME, TINY_LLAMA_SEED};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::time::Duration;

/// A scratch directory removed when the test ends.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("mechscope-hub-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a scratch directory");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A server with the hub (fixture in `scratch/hub`) and `scratch/dist` at `/`.
fn start(scratch: &Scratch) -> String {
    let fixture = fixture::ensure(&scratch.0.join("hub")).expect("the fixture is written");
    let dist = scratch.0.join("dist");
    std::fs::create_dir_all(&dist).expect("dist");
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>page</title>",
    )
    .expect("page");
    server::spawn(Site::for_tests(fixture, &dist)).expect("the server starts")
}

#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn content_length(&self) -> Option<usize> {
        self.header("Content-Length").and_then(|v| v.parse().ok())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

/// One request on its own connection (`Connection: close`); the body is whatever
/// arrived before the server closed, so a cut transfer shows as a short body.
fn request(url: &str, method: &str, extra_headers: &[(&str, &str)]) -> Reply {
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut stream = TcpStream::connect(authority).expect("the server accepts");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("a timeout");
    let mut head =
        format!("{method} {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n");
    for (name, value) in extra_headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream
        .write_all(head.as_bytes())
        .expect("the request is sent");
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .expect("the response is read to the end");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete response head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let reply = Reply {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    };
    assert!(
        !reply
            .header("Transfer-Encoding")
            .is_some_and(|v| v.contains("chunked")),
        "a chunked reply: this client does not decode those"
    );
    reply
}

fn get(base: &str, path: &str) -> Reply {
    request(&format!("{base}{path}"), "GET", &[])
}

fn listing(base: &str, repo: &str) -> Value {
    let reply = get(
        base,
        &format!("/hub/api/models/{repo}/revision/main?blobs=true"),
    );
    assert_eq!(reply.status, 200, "{repo}'s listing");
    reply.json()
}

fn sibling<'a>(listing: &'a Value, name: &str) -> &'a Value {
    listing["siblings"]
        .as_array()
        .expect("siblings")
        .iter()
        .find(|s| s["rfilename"] == name)
        .unwrap_or_else(|| panic!("{name} is not listed"))
}

#[test]
fn routes_parse_the_hub_layout() {
    assert_eq!(
        route("/hub/api/models/mechscope/tiny-llama/revision/main"),
        Route::Listing {
            repo: "mechscope/tiny-llama",
            rev: "main"
        }
    );
    assert_eq!(
        route("/hub/api/models/mechscope/tiny-llama"),
        Route::Listing {
            repo: "mechscope/tiny-llama",
            rev: "main"
        }
    );
    assert_eq!(
        route("/hub/mechscope/tiny-llama/resolve/abc/sub/model.safetensors"),
        Route::File {
            repo: "mechscope/tiny-llama",
            rev: "abc",
            file: "sub/model.safetensors"
        }
    );
    for bad in [
        "/hub/mechscope/tiny-llama/resolve/main/../../secret",
        "/hub/mechscope/tiny-llama/resolve/main/",
        "/hub/mechscope/tiny-llama/blob/main/config.json",
        "/hub/api/models/mechscope",
        "/hub/api/models//x/revision/main",
        "/hub/",
        "/models/x",
    ] {
        assert_eq!(route(bad), Route::Unknown, "{bad}");
    }
    assert_eq!(host_without_port("127.0.0.1:8080"), "127.0.0.1");
    assert_eq!(host_without_port("[::1]:8080"), "[::1]");
    assert_eq!(host_without_port("[::1]"), "[::1]");
    assert_eq!(host_without_port("localhost"), "localhost");
}

#[test]
fn listing_is_the_hubs_json() {
    let scratch = Scratch::new("listing");
    let base = start(&scratch);
    let reply = get(
        &base,
        "/hub/api/models/mechscope/tiny-llama/revision/main?blobs=true",
    );
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("Content-Type"), Some("application/json"));
    assert_eq!(reply.content_length(), Some(reply.body.len()));
    assert_eq!(reply.header("Access-Control-Allow-Origin"), Some("*"));
    let exposed = reply.header("Access-Control-Expose-Headers").unwrap_or("");
    for name in ["Content-Length", "Content-Range", "ETag"] {
        assert!(exposed.contains(name), "{name} is not exposed: {exposed}");
    }
    let info = reply.json();
    assert_eq!(info["id"], "mechscope/tiny-llama");
    let sha = info["sha"].as_str().expect("a sha");
    assert!(
        sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()),
        "{sha}"
    );

    let files = tiny_model::tiny_llama_hf(TINY_LLAMA_SEED);
    let mut names: Vec<&str> = info["siblings"]
        .as_array()
        .expect("siblings")
        .iter()
        .map(|s| s["rfilename"].as_str().expect("a name"))
        .collect();
    names.sort_unstable();
    let mut expected: Vec<&str> = files.files.iter().map(|(n, _)| n.as_str()).collect();
    expected.extend([".gitattributes", "README.md"]);
    expected.sort_unstable();
    assert_eq!(names, expected);
    for (name, bytes) in &files.files {
        let s = sibling(&info, name);
        assert_eq!(s["size"].as_u64(), Some(bytes.len() as u64), "{name}");
        if name.ends_with(".safetensors") {
            assert_eq!(
                s["lfs"]["sha256"].as_str(),
                Some(sha256_hex(bytes).as_str())
            );
            assert_eq!(s["lfs"]["size"].as_u64(), Some(bytes.len() as u64));
        } else {
            assert!(s.get("lfs").is_none(), "{name} is not an LFS file");
        }
    }

    // The same listing without a revision and by commit id; other revisions do not exist.
    let bare = get(&base, "/hub/api/models/mechscope/tiny-llama");
    assert_eq!(bare.body, reply.body);
    let by_sha = get(
        &base,
        &format!("/hub/api/models/mechscope/tiny-llama/revision/{sha}"),
    );
    assert_eq!(by_sha.body, reply.body);
    let v2 = get(&base, "/hub/api/models/mechscope/tiny-llama/revision/v2");
    assert_eq!(v2.status, 404);
    assert_eq!(v2.header("X-Error-Code"), Some("RevisionNotFound"));

    let gguf = listing(&base, "mechscope/tiny-llama-GGUF");
    let s = sibling(&gguf, TINY_LLAMA_GGUF_NAME);
    let bytes = tiny_model::tiny_llama_gguf(TINY_LLAMA_SEED);
    assert_eq!(
        s["lfs"]["sha256"].as_str(),
        Some(sha256_hex(&bytes).as_str())
    );
    assert!(sibling(&gguf, "README.md").get("lfs").is_none());
}

#[test]
fn files_are_the_generators_bytes() {
    let scratch = Scratch::new("files");
    let base = start(&scratch);
    let resolve = |repo: &str, file: &str| get(&base, &format!("/hub/{repo}/resolve/main/{file}"));
    let sha = listing(&base, "mechscope/tiny-llama")["sha"]
        .as_str()
        .expect("a sha")
        .to_string();
    for (name, bytes) in tiny_model::tiny_llama_hf(TINY_LLAMA_SEED).files {
        let reply = resolve("mechscope/tiny-llama", &name);
        assert_eq!(reply.status, 200, "{name}");
        assert!(
            reply.body == bytes,
            "{name}'s bytes differ from the generator's"
        );
        assert_eq!(reply.content_length(), Some(bytes.len()), "{name}");
        assert_eq!(
            reply.header("ETag"),
            Some(format!("\"{}\"", sha256_hex(&bytes)).as_str())
        );
        assert_eq!(reply.header("X-Repo-Commit"), Some(sha.as_str()));
        assert_eq!(reply.header("Access-Control-Allow-Origin"), Some("*"));
    }
    let by_commit = get(
        &base,
        &format!("/hub/mechscope/tiny-llama/resolve/{sha}/config.json"),
    );
    assert_eq!(by_commit.status, 200);

    let gguf = resolve("mechscope/tiny-llama-GGUF", TINY_LLAMA_GGUF_NAME);
    assert!(gguf.body == tiny_model::tiny_llama_gguf(TINY_LLAMA_SEED));
    assert_eq!(gguf.content_length(), Some(gguf.body.len()));

    let sharded = tiny_model::tiny_llama_hf_sharded(TINY_LLAMA_SEED, 2);
    let index = resolve(
        "mechscope/tiny-llama-sharded",
        "model.safetensors.index.json",
    );
    assert_eq!(index.header("Content-Type"), Some("application/json"));
    let index =
        mechscope_formats::safetensors::ShardedIndex::parse(&index.body).expect("the index parses");
    let shard = index
        .shard_of("model.embed_tokens.weight")
        .expect("mapped")
        .to_string();
    let reply = resolve("mechscope/tiny-llama-sharded", &shard);
    assert!(Some(reply.body.as_slice()) == sharded.get(&shard));

    // Ranges, as the page reads headers: a prefix, a suffix, HEAD, and out of range.
    let url = format!("{base}/hub/mechscope/tiny-llama/resolve/main/model.safetensors");
    let whole = tiny_model::tiny_llama_hf(TINY_LLAMA_SEED);
    let whole = whole.get("model.safetensors").expect("written");
    let len = whole.len();
    let prefix = request(&url, "GET", &[("Range", "bytes=0-7")]);
    assert_eq!(prefix.status, 206);
    assert_eq!(prefix.body, whole[..8]);
    assert_eq!(
        prefix.header("Content-Range"),
        Some(format!("bytes 0-7/{len}").as_str())
    );
    let suffix = request(&url, "GET", &[("Range", "bytes=-5")]);
    assert_eq!(suffix.body, whole[len - 5..]);
    let head = request(&url, "HEAD", &[]);
    assert_eq!((head.status, head.content_length()), (200, Some(len)));
    assert!(head.body.is_empty());
    let outside = request(&url, "GET", &[("Range", &format!("bytes={len}-"))]);
    assert_eq!(outside.status, 416);
    assert_eq!(
        outside.header("Content-Range"),
        Some(format!("bytes */{len}").as_str())
    );
}

#[test]
fn cut_transfer_stops_half_way() {
    let scratch = Scratch::new("cut");
    let base = start(&scratch);
    let files = tiny_model::tiny_llama_hf(TINY_LLAMA_SEED);
    let whole = files.get("model.safetensors").expect("written");
    let info = listing(&base, "mechscope/tiny-cut");
    assert_eq!(
        sibling(&info, "model.safetensors")["size"].as_u64(),
        Some(whole.len() as u64),
        "the listing promises the whole file"
    );

    let redirect = get(
        &base,
        "/hub/mechscope/tiny-cut/resolve/main/model.safetensors",
    );
    assert_eq!(redirect.status, 302);
    let location = redirect.header("Location").expect("a Location").to_string();
    assert!(
        location.starts_with("http://127.0.0.1:")
            && location.ends_with("/hub/mechscope/tiny-cut/resolve/main/model.safetensors"),
        "{location}"
    );
    assert_eq!(redirect.header("Access-Control-Allow-Origin"), Some("*"));

    let cut = request(&location, "GET", &[]);
    assert_eq!(cut.status, 200);
    assert_eq!(
        cut.content_length(),
        Some(whole.len()),
        "the full length is announced"
    );
    assert_eq!(
        cut.body.len(),
        whole.len() / 2,
        "half the body arrives, then EOF"
    );
    assert_eq!(cut.body, whole[..whole.len() / 2]);
    assert_eq!(cut.header("Access-Control-Allow-Origin"), Some("*"));

    // A range is cut too; HEAD is whole (it has no body to cut).
    let range = request(&location, "GET", &[("Range", "bytes=100-299")]);
    assert_eq!((range.status, range.content_length()), (206, Some(200)));
    assert_eq!(range.body, whole[100..200]);
    let head = request(&location, "HEAD", &[]);
    assert_eq!(head.content_length(), Some(whole.len()));

    // The repository's other files arrive whole.
    let config = get(&base, "/hub/mechscope/tiny-cut/resolve/main/config.json");
    assert_eq!(Some(config.body.as_slice()), files.get("config.json"));
}

#[test]
fn fault_repositories_fail_as_documented() {
    let scratch = Scratch::new("faults");
    let base = start(&scratch);
    let resolve = |repo: &str, file: &str| get(&base, &format!("/hub/{repo}/resolve/main/{file}"));

    // Corrupt: the listing is true to the bytes, which our parser refuses.
    let corrupt = resolve("mechscope/tiny-corrupt", "model.safetensors");
    assert_eq!(corrupt.status, 200);
    assert!(
        SafetensorsFile::parse(&corrupt.body).is_err(),
        "the parser accepted it"
    );
    let info = listing(&base, "mechscope/tiny-corrupt");
    let s = sibling(&info, "model.safetensors");
    assert_eq!(s["size"].as_u64(), Some(corrupt.body.len() as u64));
    assert_eq!(
        s["lfs"]["sha256"].as_str(),
        Some(sha256_hex(&corrupt.body).as_str())
    );

    // Bad sha: good bytes, a listing that disagrees with them.
    let good = resolve("mechscope/tiny-bad-sha", "model.safetensors");
    assert!(SafetensorsFile::parse(&good.body).is_ok());
    let info = listing(&base, "mechscope/tiny-bad-sha");
    let s = sibling(&info, "model.safetensors");
    assert_eq!(s["size"].as_u64(), Some(good.body.len() as u64));
    let listed = s["lfs"]["sha256"].as_str().expect("a sha256");
    assert_eq!(listed.len(), 64);
    assert_ne!(listed, sha256_hex(&good.body));

    // Huge: a 70B config, shard sizes to match, no shards.
    let config = resolve("mechscope/tiny-huge", "config.json");
    let config = ModelConfig::from_hf_json(&config.body).expect("the config parses");
    assert_eq!(
        (config.n_layers, config.d_model, config.vocab_size),
        (80, 8192, 128_256)
    );
    let info = listing(&base, "mechscope/tiny-huge");
    let shards: Vec<&Value> = info["siblings"]
        .as_array()
        .expect("siblings")
        .iter()
        .filter(|s| {
            s["rfilename"]
                .as_str()
                .is_some_and(|n| n.ends_with(".safetensors"))
        })
        .collect();
    let listed_bytes: u64 = shards.iter().filter_map(|s| s["size"].as_u64()).sum();
    let index = resolve("mechscope/tiny-huge", "model.safetensors.index.json").json();
    let weight_bytes = index["metadata"]["total_size"]
        .as_u64()
        .expect("total_size");
    let params = info["safetensors"]["total"]
        .as_u64()
        .expect("a parameter count");
    assert_eq!(weight_bytes, 2 * params, "BF16: two bytes a parameter");
    assert!(params > 70_000_000_000, "{params}");
    // Each shard is its weights plus a header of well under a megabyte.
    assert!(
        listed_bytes > weight_bytes
            && listed_bytes - weight_bytes < shards.len() as u64 * 1_000_000,
        "{listed_bytes} listed for {weight_bytes} of weights"
    );
    for s in &shards {
        assert!(s["lfs"]["sha256"].as_str().is_some_and(|h| h.len() == 64));
    }
    let first = shards[0]["rfilename"].as_str().expect("a name");
    let absent = resolve("mechscope/tiny-huge", first);
    assert_eq!(absent.status, 404);
    assert_eq!(absent.header("X-Error-Code"), Some("EntryNotFound"));
}

#[test]
fn unknown_repositories_and_files_are_404() {
    let scratch = Scratch::new("unknown");
    let base = start(&scratch);
    for (path, code) in [
        (
            "/hub/api/models/mechscope/nope/revision/main",
            "RepoNotFound",
        ),
        (
            "/hub/mechscope/nope/resolve/main/config.json",
            "RepoNotFound",
        ),
        (
            "/hub/mechscope/tiny-llama/resolve/main/nope.json",
            "EntryNotFound",
        ),
        (
            "/hub/mechscope/tiny-llama/resolve/main/../../../etc/passwd",
            "NotFound",
        ),
        ("/hub/whatever", "NotFound"),
    ] {
        let reply = get(&base, path);
        assert_eq!(reply.status, 404, "{path}");
        assert_eq!(reply.header("X-Error-Code"), Some(code), "{path}");
        assert!(reply.json()["error"].is_string(), "{path}");
        assert_eq!(reply.header("Access-Control-Allow-Origin"), Some("*"));
    }
    let preflight = request(
        &format!("{base}/hub/mechscope/tiny-llama/resolve/main/config.json"),
        "OPTIONS",
        &[("Access-Control-Request-Method", "GET")],
    );
    assert_eq!(preflight.status, 204);
    assert_eq!(preflight.header("Access-Control-Allow-Origin"), Some("*"));
}

#[test]
fn the_log_records_hub_requests_and_clears() {
    let scratch = Scratch::new("log");
    let base = start(&scratch);
    assert_eq!(get(&base, "/__hub-log").json(), serde_json::json!([]));
    let requested = [
        "/hub/api/models/mechscope/tiny-llama/revision/main?blobs=true",
        "/hub/mechscope/tiny-llama/resolve/main/config.json",
        "/hub/mechscope/nope/resolve/main/config.json",
    ];
    for path in requested {
        get(&base, path);
    }
    // Not under /hub/: not logged.
    assert_eq!(get(&base, "/index.html").status, 200);
    let log = get(&base, "/__hub-log");
    assert_eq!(log.header("Content-Type"), Some("application/json"));
    assert_eq!(log.json(), serde_json::json!(requested));
    assert_eq!(
        get(&base, "/__hub-log?clear=1").json(),
        serde_json::json!(requested),
        "clearing returns what is cleared"
    );
    assert_eq!(get(&base, "/__hub-log").json(), serde_json::json!([]));
    get(&base, "/hub/api/models/mechscope/tiny-cut");
    assert_eq!(
        get(&base, "/__hub-log").json(),
        serde_json::json!(["/hub/api/models/mechscope/tiny-cut"])
    );
}

#[test]
fn the_page_mount_is_unchanged() {
    let scratch = Scratch::new("page");
    let base = start(&scratch);
    let page = get(&base, "/");
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("Content-Type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(page.body, b"<!doctype html><title>page</title>");
    assert_eq!(get(&base, "/missing.js").status, 404);
    assert_eq!(request(&format!("{base}/"), "POST", &[]).status, 405);
}

#[test]
fn a_stale_fixture_is_repaired() {
    let scratch = Scratch::new("stale");
    let root = scratch.0.join("hub");
    let first = fixture::ensure(&root).expect("written");
    let config = fixture::file_path(&root, "mechscope/tiny-llama", "config.json");
    let good = std::fs::read(&config).expect("there");
    std::fs::write(&config, b"{}").expect("overwritten");
    let stray = root.join("mechscope/old-repo/resolve/main/config.json");
    std::fs::create_dir_all(stray.parent().expect("a dir")).expect("dir");
    std::fs::write(&stray, b"{}").expect("stray");
    let second = fixture::ensure(&root).expect("repaired");
    assert_eq!(std::fs::read(&config).expect("there"), good);
    assert!(!stray.exists(), "files no repository has are removed");
    let shas = |f: &fixture::HubFixture| {
        f.repos
            .iter()
            .map(|(id, r)| (id.clone(), r.sha.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        shas(&first),
        shas(&second),
        "the content is the same every time"
    );
    assert_eq!(first.repos.len(), 7);
}
