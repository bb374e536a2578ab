//! The model loaded in this tab, shared by every panel that runs it (next token, MUI),
//! and the panel that loads it (download, prepare weights, pick WebGPU or the CPU).
//!
//! The page runs on one thread, so the model lives in a thread-local slot; panels see
//! its life through the [`ModelState`] signal the loading panel writes.

use crate::app::DEMO_MODEL_URL;
use crate::bytes::fetch_all;
use crate::query::ForcedDevice;
use burn::tensor::Device;
use leptos::prelude::*;
use leptos::task::spawn_local;
use mechscope_model::{LoadedModel, ModelConfig};
use mechscope_report::{ModelInfo, ModelSource};
use std::cell::RefCell;
use std::rc::Rc;

thread_local! {
    static MODEL: RefCell<Option<Rc<LoadedModel>>> = const { RefCell::new(None) };
    /// The file the model was loaded from, for a second copy on another device (the
    /// autodiff copy AIS takes its gradients from).
    static FILE: RefCell<Option<Rc<Vec<u8>>>> = const { RefCell::new(None) };
}

/// The loaded model, if any.
pub fn current() -> Option<Rc<LoadedModel>> {
    MODEL.with(|m| m.borrow().clone())
}

/// The loaded model's file.
pub fn current_file() -> Option<Rc<Vec<u8>>> {
    FILE.with(|f| f.borrow().clone())
}

/// The model for a run that changes its weights (AIS masks them and restores them):
/// taken out of the slot, so nothing else runs it meanwhile. Give it back with
/// [`put_back`], also when the run fails.
pub fn take_exclusive() -> Result<LoadedModel, String> {
    let shared = MODEL
        .with(|m| m.borrow_mut().take())
        .ok_or("load the model first")?;
    Rc::try_unwrap(shared).map_err(|shared| {
        MODEL.with(|m| *m.borrow_mut() = Some(shared));
        "another run is using the model; wait for it to finish".to_string()
    })
}

/// Returns a model taken with [`take_exclusive`].
pub fn put_back(model: LoadedModel) {
    MODEL.with(|m| *m.borrow_mut() = Some(Rc::new(model)));
}

/// Where the model is in its life on this page.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelState {
    NotLoaded,
    Downloading {
        received: u64,
        total: Option<u64>,
    },
    Preparing,
    Ready {
        /// What the user reads: "WebGPU (google swiftshader)".
        backend: String,
        /// What reports record: "webgpu" or "cpu".
        backend_id: &'static str,
        load_ms: f64,
    },
    Failed(String),
}

/// Milliseconds since the page started (`performance.now()`).
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

/// The device `?device=cpu|webgpu` names, else WebGPU when the browser offers it and
/// burn's CPU backend otherwise; says which, for the user and for reports.
pub async fn pick_device() -> Result<(Device, String, &'static str), String> {
    if let Some(forced) = crate::query::forced_device()? {
        let device = forced.start().await?;
        let shown = match forced {
            ForcedDevice::Cpu => "CPU (?device=cpu)",
            ForcedDevice::WebGpu => "WebGPU (?device=webgpu)",
        };
        return Ok((device, shown.to_string(), forced.id()));
    }
    Ok(match crate::gpu::probe().await {
        crate::gpu::GpuStatus::Available(facts) => {
            match Device::wgpu_options().init_async().await {
                Ok(device) => (
                    device,
                    format!("WebGPU ({} {})", facts.vendor, facts.architecture),
                    "webgpu",
                ),
                Err(e) => (
                    Device::flex(),
                    format!("CPU (WebGPU could not start: {e:?})"),
                    "cpu",
                ),
            }
        }
        crate::gpu::GpuStatus::Unavailable(_) => {
            (Device::flex(), "CPU (no WebGPU)".to_string(), "cpu")
        }
    })
}

/// Lets the browser paint (progress text) and handle clicks (Cancel) before a long
/// synchronous step.
pub async fn yield_to_browser() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// The "Load the demo model" button and the model's state.
#[component]
pub fn ModelPanel(
    state: ReadSignal<ModelState>,
    set_state: WriteSignal<ModelState>,
) -> impl IntoView {
    let load_model = move |_| {
        spawn_local(async move {
            let started = now_ms();
            set_state.set(ModelState::Downloading {
                received: 0,
                total: None,
            });
            let bytes = match fetch_all(DEMO_MODEL_URL, |received, total| {
                set_state.set(ModelState::Downloading { received, total })
            })
            .await
            {
                Ok(b) => b,
                Err(e) => return set_state.set(ModelState::Failed(e.to_string())),
            };
            set_state.set(ModelState::Preparing);
            yield_to_browser().await;
            let (device, backend, backend_id) = match pick_device().await {
                Ok(picked) => picked,
                Err(e) => return set_state.set(ModelState::Failed(e)),
            };
            match LoadedModel::from_gguf(&bytes, &device) {
                Ok(loaded) => {
                    MODEL.with(|m| *m.borrow_mut() = Some(Rc::new(loaded)));
                    FILE.with(|f| *f.borrow_mut() = Some(Rc::new(bytes)));
                    set_state.set(ModelState::Ready {
                        backend,
                        backend_id,
                        load_ms: now_ms() - started,
                    });
                }
                Err(e) => set_state.set(ModelState::Failed(e.to_string())),
            }
        });
    };
    view! {
        <section id="model">
            <h2>"Model"</h2>
            <p class="muted">"Run the demo model (SmolLM2-135M-Instruct) in this tab; nothing leaves your machine."</p>
            <button id="load-model" on:click=load_model
                disabled=move || !matches!(state.get(), ModelState::NotLoaded | ModelState::Failed(_))>
                "Load the demo model"
            </button>
            <p id="model-state" aria-live="polite" data-state=move || match state.get() {
                ModelState::NotLoaded => "not-loaded",
                ModelState::Downloading { .. } => "downloading",
                ModelState::Preparing => "preparing",
                ModelState::Ready { .. } => "ready",
                ModelState::Failed(_) => "failed",
            }>
                {move || match state.get() {
                    ModelState::NotLoaded => String::new(),
                    ModelState::Downloading { received, total } => match total {
                        Some(t) if t > 0 => format!("Downloading… {:.1} of {:.1} MB ({:.0}%)", received as f64 / 1e6, t as f64 / 1e6, 100.0 * received as f64 / t as f64),
                        _ => format!("Downloading… {:.1} MB", received as f64 / 1e6),
                    },
                    ModelState::Preparing => "Preparing weights (dequantising, uploading)…".to_string(),
                    ModelState::Ready { backend, load_ms, .. } => format!("Ready on {backend}, loaded in {:.1} s.", load_ms / 1e3),
                    ModelState::Failed(e) => format!("Could not load the model: {e}"),
                }}
            </p>
        </section>
    }
}

/// How a report names the loaded model: the slot loads the demo (and only the demo, so
/// far), weights dequantised to f32.
pub fn report_model_info(config: &ModelConfig) -> ModelInfo {
    ModelInfo::new(
        "SmolLM2-135M-Instruct.Q4_1",
        ModelSource::Url {
            url: DEMO_MODEL_URL.to_string(),
            sha256: None,
        },
        config,
        "f32",
    )
}
