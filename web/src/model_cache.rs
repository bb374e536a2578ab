//! Downloaded model files kept in the browser (the Cache API), so a reload loads
//! without the network.
//!
//! A file is keyed by the URL it came from, which holds the repo and revision
//! (`…/resolve/{rev}/{file}`), and is written only once the download is complete and
//! its size (and sha256, when the hub gives one) matched: a cut or corrupt download
//! never becomes an entry. Each entry carries the model it belongs to in a header, so
//! the page can list and delete whole models. Like transformers.js, a cached revision
//! is not revalidated: deleting it fetches it afresh.
//!
//! Works in the page and in the worker (both have `caches`).

use crate::global::{self, js_detail};
use js_sys::{Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Cache, Headers, Response, ResponseInit};

/// One cache for every model file; the version changes if entries change meaning.
pub const CACHE_NAME: &str = "mechscope-models-v1";
/// The header naming the model an entry belongs to.
const MODEL_HEADER: &str = "x-mechscope-model";

/// Why the cache could not be used: the caller goes on from memory and says so.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CacheError {
    #[error("the browser's storage is full, so {0} is not cached (it still loads now)")]
    Quota(String),
    #[error("the browser's cache is not available here ({0})")]
    Unavailable(String),
    #[error("the browser's cache failed: {0}")]
    Other(String),
}

fn other(e: JsValue) -> CacheError {
    CacheError::Other(js_detail(&e))
}

async fn open() -> Result<Cache, CacheError> {
    let caches = global::caches()
        .ok_or_else(|| CacheError::Unavailable("no Cache API: not a secure context".into()))?;
    JsFuture::from(caches.open(CACHE_NAME))
        .await
        .map_err(|e| CacheError::Unavailable(js_detail(&e)))?
        .dyn_into()
        .map_err(other)
}

/// The cached bytes of `url`, if any.
pub async fn get(url: &str) -> Result<Option<Vec<u8>>, CacheError> {
    let cache = open().await?;
    let found = JsFuture::from(cache.match_with_str(url))
        .await
        .map_err(other)?;
    if found.is_undefined() || found.is_null() {
        return Ok(None);
    }
    let response: Response = found.dyn_into().map_err(other)?;
    let buffer = JsFuture::from(response.array_buffer().map_err(other)?)
        .await
        .map_err(other)?;
    Ok(Some(Uint8Array::new(&buffer).to_vec()))
}

/// Whether `url` is cached, without reading it.
pub async fn contains(url: &str) -> bool {
    let Ok(cache) = open().await else {
        return false;
    };
    JsFuture::from(cache.match_with_str(url))
        .await
        .is_ok_and(|found| !found.is_undefined() && !found.is_null())
}

/// Keeps `bytes` as `url`'s content, labelled with the model they belong to.
pub async fn put(url: &str, bytes: &[u8], model: &str) -> Result<(), CacheError> {
    let cache = open().await?;
    let headers = Headers::new().map_err(other)?;
    headers
        .set("content-length", &bytes.len().to_string())
        .map_err(other)?;
    headers
        .set(MODEL_HEADER, &encode_header(model))
        .map_err(other)?;
    let init = ResponseInit::new();
    init.set_headers(&headers);
    let body = Uint8Array::new_with_length(bytes.len() as u32);
    body.copy_from(bytes);
    let response =
        Response::new_with_opt_buffer_source_and_init(Some(&body), &init).map_err(other)?;
    JsFuture::from(cache.put_with_str(url, &response))
        .await
        .map(|_| ())
        .map_err(|e| {
            let name = e
                .dyn_ref::<web_sys::DomException>()
                .map(|d| d.name())
                .unwrap_or_default();
            if name == "QuotaExceededError" {
                CacheError::Quota(url.rsplit('/').next().unwrap_or(url).to_string())
            } else {
                other(e)
            }
        })
}

/// Header values are ASCII: a model label is percent-encoded beyond that.
fn encode_header(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if (b.is_ascii_graphic() && b != b'%') || b == b' ' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Undoes [`encode_header`].
fn decode_header(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One cached file.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedFile {
    pub url: String,
    pub model: String,
    pub bytes: u64,
}

/// Every cached file, in the cache's order.
pub async fn files() -> Result<Vec<CachedFile>, CacheError> {
    let cache = open().await?;
    let keys: js_sys::Array = JsFuture::from(cache.keys())
        .await
        .map_err(other)?
        .dyn_into()
        .map_err(other)?;
    let mut out = Vec::with_capacity(keys.length() as usize);
    for key in keys.iter() {
        let request: web_sys::Request = key.dyn_into().map_err(other)?;
        let url = request.url();
        let found = JsFuture::from(cache.match_with_request(&request))
            .await
            .map_err(other)?;
        let Ok(response) = found.dyn_into::<Response>() else {
            continue;
        };
        let header = |name: &str| response.headers().get(name).ok().flatten();
        out.push(CachedFile {
            model: header(MODEL_HEADER).map_or_else(|| url.clone(), |m| decode_header(&m)),
            bytes: header("content-length")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
            url,
        });
    }
    Ok(out)
}

/// Deletes every file of `model`; returns how many went.
pub async fn delete_model(model: &str) -> Result<usize, CacheError> {
    let cache = open().await?;
    let mut deleted = 0;
    for file in files().await?.into_iter().filter(|f| f.model == model) {
        if JsFuture::from(cache.delete_with_str(&file.url))
            .await
            .map_err(other)?
            .as_bool()
            == Some(true)
        {
            deleted += 1;
        }
    }
    Ok(deleted)
}

/// `navigator.storage.estimate()`: `(usage, quota)` in bytes, when the browser says.
pub async fn estimate() -> Option<(f64, f64)> {
    let storage = Reflect::get(&global::member("navigator"), &"storage".into()).ok()?;
    let estimate = Reflect::get(&storage, &"estimate".into())
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    let promise: Promise = estimate.call0(&storage).ok()?.dyn_into().ok()?;
    let result = JsFuture::from(promise).await.ok()?;
    let number = |key: &str| Reflect::get(&result, &key.into()).ok()?.as_f64();
    Some((number("usage")?, number("quota")?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    async fn files_round_trip_and_delete_by_model() {
        let url = "http://127.0.0.1:1/test-cache/a/b/resolve/main/model.safetensors";
        let other_url = "http://127.0.0.1:1/test-cache/c/d/resolve/main/config.json";
        let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
        put(url, &bytes, "a/b · test ☃").await.expect("cached");
        put(other_url, b"{}", "c/d").await.expect("cached");
        assert_eq!(get(url).await.expect("read"), Some(bytes.clone()));
        assert!(contains(url).await);
        let listed = files().await.expect("listed");
        let entry = listed.iter().find(|f| f.url == url).expect("listed entry");
        assert_eq!(entry.bytes, bytes.len() as u64);
        assert_eq!(
            entry.model, "a/b · test ☃",
            "labels survive the header's ASCII"
        );
        assert_eq!(delete_model(&entry.model).await.expect("deleted"), 1);
        assert_eq!(get(url).await.expect("read"), None);
        assert!(contains(other_url).await, "another model's files stay");
        delete_model("c/d").await.expect("deleted");
        assert!(
            estimate()
                .await
                .is_some_and(|(usage, quota)| usage >= 0.0 && quota > 0.0)
        );
    }
}
