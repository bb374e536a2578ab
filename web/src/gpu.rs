//! What WebGPU offers on this browser, read through `navigator.gpu`.
//!
//! The bindings are reached with `js_sys::Reflect` rather than web-sys' WebGPU types,
//! which need the `web_sys_unstable_apis` cfg for every crate in the build.

use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The adapter facts that decide what models fit and how fast they run.
#[derive(Debug, Clone, PartialEq)]
pub struct AdapterFacts {
    pub vendor: String,
    pub architecture: String,
    pub device: String,
    pub description: String,
    /// A software adapter (SwiftShader): correct but slow.
    pub is_fallback: bool,
    pub max_buffer_size: f64,
    pub max_storage_buffer_binding_size: f64,
    pub max_compute_workgroup_size_x: f64,
    pub has_shader_f16: bool,
}

/// WebGPU as found on this page.
#[derive(Debug, Clone, PartialEq)]
pub enum GpuStatus {
    Available(AdapterFacts),
    /// No WebGPU: the reason, in words for the user. MechScope then uses the CPU.
    Unavailable(String),
}

fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn get_string(target: &JsValue, key: &str) -> String {
    get(target, key).as_string().unwrap_or_default()
}

fn get_f64(target: &JsValue, key: &str) -> f64 {
    get(target, key).as_f64().unwrap_or(0.0)
}

/// Asks the browser for a WebGPU adapter (high-performance preference).
pub async fn probe() -> GpuStatus {
    // `navigator` of the page or of a worker: both may have `gpu`.
    let gpu = get(&crate::global::member("navigator"), "gpu");
    if gpu.is_undefined() || gpu.is_null() {
        return GpuStatus::Unavailable(
            "this browser does not expose WebGPU (navigator.gpu is missing)".into(),
        );
    }
    let request = get(&gpu, "requestAdapter");
    let Some(request) = request.dyn_ref::<js_sys::Function>() else {
        return GpuStatus::Unavailable("navigator.gpu.requestAdapter is not a function".into());
    };
    let options = Object::new();
    let _ = Reflect::set(
        &options,
        &"powerPreference".into(),
        &"high-performance".into(),
    );
    let promise = match request.call1(&gpu, &options) {
        Ok(p) => Promise::from(p),
        Err(e) => return GpuStatus::Unavailable(format!("requestAdapter threw: {e:?}")),
    };
    let adapter = match JsFuture::from(promise).await {
        Ok(a) if !a.is_null() && !a.is_undefined() => a,
        Ok(_) => {
            return GpuStatus::Unavailable(
                "WebGPU is present but offered no adapter (disabled, blocklisted, or no GPU)"
                    .into(),
            );
        }
        Err(e) => return GpuStatus::Unavailable(format!("requestAdapter failed: {e:?}")),
    };
    let info = get(&adapter, "info");
    let limits = get(&adapter, "limits");
    let features = get(&adapter, "features");
    let has_shader_f16 = get(&features, "has")
        .dyn_ref::<js_sys::Function>()
        .and_then(|has| has.call1(&features, &"shader-f16".into()).ok())
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    // Chrome moved isFallbackAdapter from the adapter to its info object.
    let is_fallback = get(&info, "isFallbackAdapter").as_bool().unwrap_or(false)
        || get(&adapter, "isFallbackAdapter")
            .as_bool()
            .unwrap_or(false);
    GpuStatus::Available(AdapterFacts {
        vendor: get_string(&info, "vendor"),
        architecture: get_string(&info, "architecture"),
        device: get_string(&info, "device"),
        description: get_string(&info, "description"),
        is_fallback,
        max_buffer_size: get_f64(&limits, "maxBufferSize"),
        max_storage_buffer_binding_size: get_f64(&limits, "maxStorageBufferBindingSize"),
        max_compute_workgroup_size_x: get_f64(&limits, "maxComputeWorkgroupSizeX"),
        has_shader_f16,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    /// The test browser is launched with WebGPU on (webdriver.json): the probe must find
    /// an adapter and read real limits from it.
    #[wasm_bindgen_test]
    async fn finds_an_adapter_with_limits() {
        match probe().await {
            GpuStatus::Available(facts) => {
                assert!(facts.max_buffer_size >= 256.0 * 1024.0 * 1024.0);
                assert!(facts.max_storage_buffer_binding_size >= 128.0 * 1024.0 * 1024.0);
                assert!(facts.max_compute_workgroup_size_x >= 256.0);
            }
            GpuStatus::Unavailable(reason) => panic!("no adapter: {reason}"),
        }
    }
}
