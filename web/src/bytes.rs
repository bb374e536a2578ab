//! Getting bytes into wasm: a prefix of a URL by HTTP Range, or of a user's file.

use crate::global::js_detail;
use js_sys::Uint8Array;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, Request, RequestInit};

/// Why bytes could not be had, in words a user can act on.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FetchError {
    #[error("could not reach {url}: {detail}. Check the address and your connection.")]
    Network { url: String, detail: String },
    #[error("{url} answered HTTP {status}{hint}")]
    Http {
        url: String,
        status: u16,
        hint: &'static str,
    },
    #[error("could not read the file: {0}")]
    File(String),
    /// A host the user did not allow ([`crate::hosts`]); nothing was requested.
    #[error("{0}")]
    NotAllowed(String),
}

/// A source of bytes whose total size becomes known with the first read.
pub enum ByteSource {
    Url(String),
    File(web_sys::File),
}

impl ByteSource {
    /// A short name for messages.
    pub fn label(&self) -> String {
        match self {
            ByteSource::Url(url) => url.clone(),
            ByteSource::File(file) => file.name(),
        }
    }

    /// The first `len` bytes (fewer if the source is shorter) and the total size.
    pub async fn prefix(&self, len: u64) -> Result<(Vec<u8>, u64), FetchError> {
        match self {
            ByteSource::Url(url) => fetch_prefix(url, len).await,
            ByteSource::File(file) => {
                let total = file.size() as u64;
                let end = len.min(total);
                let blob: Blob = file
                    .slice_with_f64_and_f64(0.0, end as f64)
                    .map_err(|e| FetchError::File(js_detail(&e)))?;
                let buffer = JsFuture::from(blob.array_buffer())
                    .await
                    .map_err(|e| FetchError::File(js_detail(&e)))?;
                Ok((Uint8Array::new(&buffer).to_vec(), total))
            }
        }
    }
}

async fn fetch_prefix(url: &str, len: u64) -> Result<(Vec<u8>, u64), FetchError> {
    crate::hosts::check(url).map_err(FetchError::NotAllowed)?;
    let network = |e: JsValue| FetchError::Network {
        url: url.to_string(),
        detail: js_detail(&e),
    };
    let init = RequestInit::new();
    let request = Request::new_with_str_and_init(url, &init).map_err(network)?;
    let range = format!("bytes=0-{}", len.saturating_sub(1));
    request.headers().set("Range", &range).map_err(network)?;
    let response = crate::global::fetch(&request).await.map_err(network)?;
    let status = response.status();
    if status != 200 && status != 206 {
        return Err(FetchError::Http {
            url: url.to_string(),
            status,
            hint: match status {
                404 => {
                    ": the file is not there. For the demo model, run `cargo xtask serve`, which puts it under /models/."
                }
                416 => ": the server refused the byte range (the file may be empty).",
                _ => ".",
            },
        });
    }
    // 206: "bytes a-b/total"; 200: the server ignored the range and sent everything.
    let total_from_range = response
        .headers()
        .get("Content-Range")
        .ok()
        .flatten()
        .and_then(|v| v.rsplit('/').next().and_then(|t| t.parse::<u64>().ok()));
    let buffer = JsFuture::from(response.array_buffer().map_err(network)?)
        .await
        .map_err(network)?;
    let bytes = Uint8Array::new(&buffer).to_vec();
    let total = match (status, total_from_range) {
        (206, Some(total)) => total,
        _ => bytes.len() as u64,
    };
    Ok((bytes, total))
}

/// Downloads the whole of `url`, reporting `(received, total)` bytes as chunks arrive
/// (`total` when the server sends a length).
pub async fn fetch_all(
    url: &str,
    mut on_progress: impl FnMut(u64, Option<u64>),
) -> Result<Vec<u8>, FetchError> {
    crate::hosts::check(url).map_err(FetchError::NotAllowed)?;
    let network = |e: JsValue| FetchError::Network {
        url: url.to_string(),
        detail: js_detail(&e),
    };
    let request = Request::new_with_str(url).map_err(network)?;
    let response = crate::global::fetch(&request).await.map_err(network)?;
    if !response.ok() {
        return Err(FetchError::Http {
            url: url.to_string(),
            status: response.status(),
            hint: ".",
        });
    }
    let total = response
        .headers()
        .get("Content-Length")
        .ok()
        .flatten()
        .and_then(|v| v.parse::<u64>().ok());
    let Some(body) = response.body() else {
        let buffer = JsFuture::from(response.array_buffer().map_err(network)?)
            .await
            .map_err(network)?;
        return Ok(Uint8Array::new(&buffer).to_vec());
    };
    let chunks = crate::global::BodyChunks::new(&body);
    // The length is the server's word: reserve at most 64 MiB up front, grow beyond.
    let capacity = total.map_or(0, |t| t.min(64 << 20) as usize);
    let mut bytes = Vec::with_capacity(capacity);
    while let Some(part) = chunks.next().await.map_err(network)? {
        crate::global::append_chunk(&mut bytes, &part);
        on_progress(bytes.len() as u64, total);
    }
    Ok(bytes)
}
