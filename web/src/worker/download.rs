//! Downloads a model's files with progress (bytes per file and overall, speed, time
//! left), from the browser's cache when they are there, into it when they arrived
//! whole.

use crate::global::{self, js_detail, now_ms};
use crate::model_cache::{self, CacheError};
use crate::protocol::{Download, Failure, FailureKind, FileProgress, Progress};
use js_sys::Uint8Array;
use sha2::{Digest, Sha256};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// How often progress is sent while bytes stream in.
const PROGRESS_EVERY_MS: f64 = 150.0;
/// Never reserve more than this up front on a server's word (`Content-Length`).
const MAX_RESERVE: u64 = 1 << 30;

/// The downloads of one load, sharing one progress report.
pub struct Downloader<'a> {
    /// The model the files belong to, as the cache labels them.
    model: String,
    files: Vec<FileProgress>,
    /// Bytes that came over the network, and when the first did.
    network_bytes: u64,
    network_started_ms: Option<f64>,
    last_sent_ms: f64,
    pub cached_bytes: u64,
    /// What the user should know (a full cache).
    pub notices: Vec<String>,
    on_progress: &'a dyn Fn(Progress),
    cancelled: &'a dyn Fn() -> bool,
}

fn network(message: String) -> Failure {
    Failure::new(FailureKind::Network, message)
}

impl<'a> Downloader<'a> {
    pub fn new(
        model: impl Into<String>,
        downloads: &[Download],
        on_progress: &'a dyn Fn(Progress),
        cancelled: &'a dyn Fn() -> bool,
    ) -> Self {
        Downloader {
            model: model.into(),
            files: downloads
                .iter()
                .map(|d| FileProgress {
                    name: d.name.clone(),
                    received: 0,
                    total: d.size,
                    from_cache: false,
                    done: false,
                })
                .collect(),
            network_bytes: 0,
            network_started_ms: None,
            last_sent_ms: f64::NEG_INFINITY,
            cached_bytes: 0,
            notices: Vec::new(),
            on_progress,
            cancelled,
        }
    }

    /// Adds a file learnt of on the way (the shards an index names).
    pub fn add(&mut self, download: &Download) {
        self.files.push(FileProgress {
            name: download.name.clone(),
            received: 0,
            total: download.size,
            from_cache: false,
            done: false,
        });
    }

    /// Bytes that came over the network.
    pub fn downloaded_bytes(&self) -> u64 {
        self.network_bytes
    }

    fn send(&mut self, force: bool) {
        let now = now_ms();
        if !force && now - self.last_sent_ms < PROGRESS_EVERY_MS {
            return;
        }
        self.last_sent_ms = now;
        let received: u64 = self.files.iter().map(|f| f.received).sum();
        let total = self.files.iter().map(|f| f.total).sum::<Option<u64>>();
        let elapsed_s = self
            .network_started_ms
            .map_or(0.0, |start| (now - start) / 1e3);
        let bytes_per_s = if elapsed_s > 0.05 {
            self.network_bytes as f64 / elapsed_s
        } else {
            0.0
        };
        let seconds_left = match total {
            Some(total) if bytes_per_s > 0.0 => {
                Some(total.saturating_sub(received) as f64 / bytes_per_s)
            }
            _ => None,
        };
        (self.on_progress)(Progress::Downloading {
            files: self.files.clone(),
            received,
            total,
            bytes_per_s,
            seconds_left,
        });
    }

    /// The bytes of file `index` (as given to [`Downloader::new`] or added), checked
    /// against the size and sha256 it should have; cached once whole.
    pub async fn fetch(&mut self, index: usize, download: &Download) -> Result<Vec<u8>, Failure> {
        if (self.cancelled)() {
            return Err(Failure::cancelled());
        }
        match model_cache::get(&download.url).await {
            Ok(Some(bytes)) if download.size.is_none_or(|s| s == bytes.len() as u64) => {
                self.cached_bytes += bytes.len() as u64;
                if let Some(file) = self.files.get_mut(index) {
                    file.received = bytes.len() as u64;
                    file.total = Some(bytes.len() as u64);
                    file.from_cache = true;
                    file.done = true;
                }
                self.send(true);
                return Ok(bytes);
            }
            // A stale entry of another size: fetched afresh (and overwritten below).
            Ok(_) => {}
            Err(e) => self.note(e),
        }
        let bytes = self.fetch_network(index, download).await?;
        check_whole(download, &bytes)?;
        if let Some(file) = self.files.get_mut(index) {
            file.done = true;
        }
        self.send(true);
        if let Err(e) = model_cache::put(&download.url, &bytes, &self.model).await {
            self.note(e);
        }
        Ok(bytes)
    }

    fn note(&mut self, error: CacheError) {
        let text = error.to_string();
        if !self.notices.contains(&text) {
            self.notices.push(text);
        }
    }

    async fn fetch_network(
        &mut self,
        index: usize,
        download: &Download,
    ) -> Result<Vec<u8>, Failure> {
        let name = &download.name;
        let unreachable = |e: JsValue| {
            network(format!(
                "could not download {name} from {}: {}. Check the address and your connection.",
                download.url,
                js_detail(&e)
            ))
        };
        let request = web_sys::Request::new_with_str(&download.url).map_err(unreachable)?;
        let response = global::fetch(&request).await.map_err(unreachable)?;
        if !response.ok() {
            return Err(network(http_message(
                name,
                &download.url,
                response.status(),
            )));
        }
        let length = response
            .headers()
            .get("content-length")
            .ok()
            .flatten()
            .and_then(|v| v.parse::<u64>().ok());
        let expected = download.size.or(length);
        if let Some(file) = self.files.get_mut(index) {
            file.total = expected;
        }
        if self.network_started_ms.is_none() {
            self.network_started_ms = Some(now_ms());
        }
        let Some(body) = response.body() else {
            return Err(network(format!("{name}: the server sent no body")));
        };
        let chunks = global::BodyChunks::new(&body);
        let reserve = expected.unwrap_or(0).min(MAX_RESERVE);
        let mut bytes = Vec::with_capacity(usize::try_from(reserve).unwrap_or(0));
        loop {
            if (self.cancelled)() {
                chunks.cancel();
                return Err(Failure::cancelled());
            }
            let chunk = chunks.next().await.map_err(|e| {
                network(format!(
                    "the download of {name} stopped after {} of {}: {}. Nothing of it was \
                     cached; try again.",
                    human(bytes.len() as u64),
                    expected.map_or_else(|| "?".to_string(), human),
                    js_detail(&e)
                ))
            })?;
            let Some(part) = chunk else {
                break;
            };
            global::append_chunk(&mut bytes, &part);
            self.network_bytes += u64::from(part.length());
            if let Some(file) = self.files.get_mut(index) {
                file.received = bytes.len() as u64;
            }
            self.send(false);
        }
        Ok(bytes)
    }
}

/// The whole of `url` from the network, bypassing the model cache (benchmarks measure
/// the download).
pub async fn fetch_uncached(url: &str) -> Result<Vec<u8>, String> {
    let failed = |e: JsValue| format!("could not download {url}: {}", js_detail(&e));
    let request = web_sys::Request::new_with_str(url).map_err(failed)?;
    let response = global::fetch(&request).await.map_err(failed)?;
    if !response.ok() {
        return Err(http_message(url, url, response.status()));
    }
    let buffer = JsFuture::from(response.array_buffer().map_err(failed)?)
        .await
        .map_err(failed)?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// A download is whole when it has the size and sha256 its listing gave.
fn check_whole(download: &Download, bytes: &[u8]) -> Result<(), Failure> {
    let name = &download.name;
    if let Some(size) = download.size
        && size != bytes.len() as u64
    {
        return Err(network(format!(
            "the download of {name} is incomplete: {} of {} arrived (the connection was cut?). \
             Nothing of it was cached; try again.",
            human(bytes.len() as u64),
            human(size)
        )));
    }
    if let Some(want) = &download.sha256 {
        let got = hex(&Sha256::digest(bytes));
        if !got.eq_ignore_ascii_case(want) {
            return Err(network(format!(
                "{name} arrived corrupt: its sha256 is {got}, the hub lists {want}. It was not \
                 cached; try again, or report the repo if it keeps happening."
            )));
        }
    }
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The sha256 of `bytes`, lowercase hex (reports record where a model came from).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// An HTTP error in words a user can act on.
fn http_message(name: &str, url: &str, status: u16) -> String {
    let hint = match status {
        401 | 403 => {
            "the repo is private or gated: MechScope cannot sign in to the hub, so download \
             the files yourself and drop them here"
        }
        404 => "the file is not there (check the repo id, the revision and the file name)",
        429 => "the hub is rate-limiting this address; wait a minute and try again",
        500..=599 => "the server failed; try again later",
        _ => "the server refused it",
    };
    format!("could not download {name}: {url} answered HTTP {status}: {hint}.")
}

/// Bytes as "12.3 MB".
pub fn human(bytes: u64) -> String {
    mechscope_formats::fit::Bytes(bytes).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn download(size: Option<u64>, sha256: Option<String>) -> Download {
        Download {
            url: "http://x/y".into(),
            name: "model.safetensors".into(),
            size,
            sha256,
        }
    }

    #[wasm_bindgen_test]
    fn only_whole_files_pass() {
        let bytes = b"hello world";
        let sha = sha256_hex(bytes);
        assert_eq!(
            sha,
            "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
        );
        assert!(check_whole(&download(Some(11), Some(sha.clone())), bytes).is_ok());
        assert!(check_whole(&download(None, None), bytes).is_ok());
        let short = check_whole(&download(Some(20), None), bytes).unwrap_err();
        assert!(short.message.contains("incomplete"), "{short}");
        let corrupt = check_whole(&download(Some(11), Some("0".repeat(64))), bytes).unwrap_err();
        assert!(corrupt.message.contains("corrupt"), "{corrupt}");
        assert_eq!(corrupt.kind, FailureKind::Network);
    }
}
