//! The page's URL parameters: `?bench=` (benchmarks), `?device=` (force the CPU or
//! WebGPU), `?hub=` (another datasets-server, for tests), and each bench's own.

use burn::tensor::Device;
use std::str::FromStr;

/// A query-string parameter of the page's URL.
pub fn param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get(name)
}

/// A parameter parsed, or `default` when absent or unreadable.
pub fn param_or<T: FromStr>(name: &str, default: T) -> T {
    param(name).and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The device `?device=cpu|webgpu` asks for: `None` when the page should choose.
pub fn forced_device() -> Result<Option<ForcedDevice>, String> {
    match param("device").as_deref() {
        None | Some("") | Some("auto") => Ok(None),
        Some("cpu") => Ok(Some(ForcedDevice::Cpu)),
        Some("webgpu") => Ok(Some(ForcedDevice::WebGpu)),
        Some(other) => Err(format!(
            "?device={other} is not a device: use cpu, webgpu or auto"
        )),
    }
}

/// A device named in the URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForcedDevice {
    Cpu,
    WebGpu,
}

impl ForcedDevice {
    /// The burn device; a WebGPU that cannot start is an error, never a silent
    /// fallback, since the user asked for it.
    pub async fn start(self) -> Result<Device, String> {
        match self {
            ForcedDevice::Cpu => Ok(Device::flex()),
            ForcedDevice::WebGpu => Device::wgpu_options()
                .init_async()
                .await
                .map_err(|e| format!("WebGPU could not start: {e:?}")),
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            ForcedDevice::Cpu => "cpu",
            ForcedDevice::WebGpu => "webgpu",
        }
    }
}
