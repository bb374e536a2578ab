//! What the page and its worker both reach through the global object: `fetch`,
//! `setTimeout`, `performance`, `caches`, `navigator`.
//!
//! `web_sys::window()` is `None` inside a Web Worker, so code that runs on both sides
//! goes through `js_sys::global()` and reads members by name: both `Window` and
//! `WorkerGlobalScope` have them.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// A member of the global object (`undefined` when missing).
pub fn member(name: &str) -> JsValue {
    Reflect::get(&js_sys::global(), &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// A JS error or value in words.
pub fn js_detail(e: &JsValue) -> String {
    e.as_string()
        .or_else(|| {
            e.dyn_ref::<js_sys::Error>().map(|err| {
                format!(
                    "{}: {}",
                    String::from(err.name()),
                    String::from(err.message())
                )
            })
        })
        .unwrap_or_else(|| format!("{e:?}"))
}

/// Milliseconds since the page or worker started (`performance.now()`).
pub fn now_ms() -> f64 {
    let performance = member("performance");
    Reflect::get(&performance, &"now".into())
        .ok()
        .and_then(|now| now.dyn_into::<Function>().ok())
        .and_then(|now| now.call0(&performance).ok())
        .and_then(|v| v.as_f64())
        .unwrap_or(0.0)
}

/// Lets the event loop run: the page repaints and handles clicks; the worker reads
/// its messages (a Cancel) before the next long synchronous step.
pub async fn yield_now() {
    let set_timeout = member("setTimeout");
    let Some(set_timeout) = set_timeout.dyn_ref::<Function>() else {
        return;
    };
    let promise = Promise::new(&mut |resolve, _| {
        let _ = set_timeout.call2(&JsValue::NULL, &resolve, &JsValue::from(0));
    });
    let _ = JsFuture::from(promise).await;
}

/// `fetch(request)` on whichever global this is. A request the page's
/// Content-Security-Policy blocked (a host the user did not allow, maybe reached by a
/// redirect) fails with that said, not with the browser's bare "Failed to fetch".
pub async fn fetch(request: &web_sys::Request) -> Result<web_sys::Response, JsValue> {
    let fetch = member("fetch")
        .dyn_into::<Function>()
        .map_err(|_| JsValue::from_str("fetch is not available here"))?;
    let blocked_before = crate::hosts::blocked_count();
    let promise: Promise = fetch.call1(&JsValue::NULL, request)?.dyn_into()?;
    match JsFuture::from(promise).await {
        Ok(response) => response.dyn_into(),
        Err(e) => {
            // The violation event is queued beside the rejection: let it arrive.
            yield_now().await;
            match crate::hosts::blocked_since(blocked_before) {
                Some(why) => Err(JsValue::from_str(&format!(
                    "the browser blocked the request: {why}"
                ))),
                None => Err(e),
            }
        }
    }
}

/// The `CacheStorage` (`caches`), which needs a secure context (https or localhost).
pub fn caches() -> Option<web_sys::CacheStorage> {
    let caches = member("caches");
    (!caches.is_undefined() && !caches.is_null()).then(|| caches.unchecked_into())
}

/// The size of this module's linear memory: wasm memory only grows, so this is its
/// peak.
pub fn wasm_memory_bytes() -> Option<f64> {
    let buffer = Reflect::get(&wasm_bindgen::memory(), &"buffer".into()).ok()?;
    Reflect::get(&buffer, &"byteLength".into()).ok()?.as_f64()
}

/// A response body read chunk by chunk as the network delivers it, so a download can
/// report progress and stop between chunks (for Cancel).
pub struct BodyChunks {
    reader: web_sys::ReadableStreamDefaultReader,
}

impl BodyChunks {
    pub fn new(body: &web_sys::ReadableStream) -> Self {
        Self {
            reader: body.get_reader().unchecked_into(),
        }
    }

    /// The next chunk, `None` at the end; `Err` when the connection failed mid-way.
    pub async fn next(&self) -> Result<Option<js_sys::Uint8Array>, JsValue> {
        let chunk = JsFuture::from(self.reader.read()).await?;
        let done = Reflect::get(&chunk, &"done".into())
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if done {
            return Ok(None);
        }
        Ok(Reflect::get(&chunk, &"value".into())
            .ok()
            .map(JsCast::unchecked_into))
    }

    /// Stops the download (the rest is not fetched).
    pub fn cancel(&self) {
        let _ = self.reader.cancel();
    }
}

/// Appends a chunk's bytes to `bytes`.
pub fn append_chunk(bytes: &mut Vec<u8>, chunk: &js_sys::Uint8Array) {
    let start = bytes.len();
    bytes.resize(start + chunk.length() as usize, 0);
    chunk.copy_to(&mut bytes[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    async fn the_clock_moves_across_a_yield() {
        let before = now_ms();
        assert!(before > 0.0, "performance.now() is read");
        yield_now().await;
        assert!(now_ms() >= before);
        assert!(caches().is_some(), "the test page is a secure context");
        assert!(wasm_memory_bytes().is_some_and(|b| b > 0.0));
    }
}
