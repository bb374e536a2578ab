//! `?bench=formats|forward|mui|ais|lpp`: the stages timed in this tab with the code the native
//! `mechscope bench-*` commands run (`mechscope_formats::bench`,
//! `mechscope_metrics::bench`). `cargo xtask bench` drives them through
//! `tests/bench/*.cjs` and reads the JSON they print into `<pre id="bench-result">`.
//!
//! Parameters: `device=cpu|webgpu` (default: the page's own choice); forward:
//! `tokens=128,512`, `repeats=N`, `max_forward_s=S`; MUI: `repeats=N`, `limit=N`
//! (recorded responses used), `generate=N`, `max_new_tokens=N`. The MUI bench's
//! recorded responses come from `window.mechscopeBenchResponses` (JSONL the driving
//! script injects before the page starts); without them only MUI with generation runs.
//! AIS: `diagnostic_items=N` (built-in quantitative training chats for the gradient
//! pass), `items=N` (benchmark items scored), `repeats=N`. Its benchmark comes from
//! `window.mechscopeBenchItems = {name, text}` (a benchmark file the driving script
//! injects, e.g. ARC-Easy's JSONL); without it, items of the built-in
//! long_term_knowledge diagnostic set. The demo model is loaded twice: on the device,
//! and on `device.autodiff()` for the gradients. LPP: `seqs=N`, `seq_len=N`,
//! `repeats=N`, `lens=0|1` (0 times output entropy and perplexity alone); its probe
//! sequences come from `window.mechscopeBenchIds` (a JSON array of token-id arrays the
//! driving script injects, e.g. the fixture's WikiText ids), else the bundled text.

use crate::app::DEMO_MODEL_URL;
use crate::bytes::fetch_all;
use crate::model_slot::{now_ms, pick_device, yield_to_browser};
use crate::query::{param, param_or};
use leptos::prelude::*;
use leptos::task::spawn_local;
use mechscope_metrics::ais::{BenchmarkInput, ChoiceItem};
use mechscope_metrics::bench::{
    self, AisBenchOptions, ForwardBenchOptions, LppBenchOptions, MuiBenchOptions,
};
use mechscope_metrics::lpp::probe_sequences;
use mechscope_metrics::mui::TokenSample;
use mechscope_model::LoadedModel;
use mechscope_tasks::probes::DEFAULT_TEXT;
use mechscope_tasks::readers;
use serde_json::{Value, json};

/// Which benchmark the page runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BenchKind {
    Formats,
    Forward,
    Mui,
    Ais,
    Lpp,
}

impl BenchKind {
    /// The benchmark `?bench=` names, if any.
    pub fn from_url() -> Option<BenchKind> {
        match param("bench")?.as_str() {
            "formats" => Some(BenchKind::Formats),
            "forward" => Some(BenchKind::Forward),
            "mui" => Some(BenchKind::Mui),
            "ais" => Some(BenchKind::Ais),
            "lpp" => Some(BenchKind::Lpp),
            _ => None,
        }
    }

    fn title(self) -> &'static str {
        match self {
            BenchKind::Formats => "Benchmark: formats",
            BenchKind::Forward => "Benchmark: traced forward",
            BenchKind::Mui => "Benchmark: MUI",
            BenchKind::Ais => "Benchmark: AIS",
            BenchKind::Lpp => "Benchmark: LPP",
        }
    }
}

/// Size of the module's linear memory: wasm memory only grows, so this is its peak.
fn wasm_memory_bytes() -> Option<f64> {
    let buffer = js_sys::Reflect::get(&wasm_bindgen::memory(), &"buffer".into()).ok()?;
    js_sys::Reflect::get(&buffer, &"byteLength".into())
        .ok()?
        .as_f64()
}

async fn demo_bytes() -> Result<Vec<u8>, String> {
    fetch_all(DEMO_MODEL_URL, |_, _| {})
        .await
        .map_err(|e| e.to_string())
}

/// The demo model on the page's device, and how long each step took.
async fn load_demo(progress: &impl Fn(String)) -> Result<(LoadedModel, Value), String> {
    let (mut models, load) = load_demo_on(progress, false).await?;
    let model = models.pop().ok_or("the demo model did not load")?;
    Ok((model, load))
}

/// The demo model on the page's device and, with `autodiff`, a second copy on
/// `device.autodiff()` (last); downloaded once.
async fn load_demo_on(
    progress: &impl Fn(String),
    autodiff: bool,
) -> Result<(Vec<LoadedModel>, Value), String> {
    let (device, _, backend) = pick_device().await?;
    progress("Downloading the demo model…".into());
    let started = now_ms();
    let bytes = demo_bytes().await?;
    let downloaded = now_ms();
    let mut devices = vec![device.clone()];
    if autodiff {
        devices.push(device.autodiff());
    }
    let mut models = Vec::with_capacity(devices.len());
    for device in &devices {
        progress("Preparing weights…".into());
        yield_to_browser().await;
        let mut model = LoadedModel::from_gguf(&bytes, device).map_err(|e| e.to_string())?;
        if device.is_autodiff() {
            model.decoder = model.decoder.with_gradients_on_mlp_matrices_only();
        }
        models.push(model);
    }
    let load = json!({
        "backend": backend,
        "download_s": (downloaded - started) / 1e3,
        "load_s": (now_ms() - downloaded) / 1e3,
        "copies": models.len(),
        "file_bytes": bytes.len(),
    });
    Ok((models, load))
}

/// The recorded responses the driving script injected, if any.
fn injected_responses() -> Result<Vec<TokenSample>, String> {
    let text = web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &"mechscopeBenchResponses".into()).ok())
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    serde_json::Deserializer::from_str(&text)
        .into_iter::<TokenSample>()
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            format!("the injected responses are not JSONL of prompt_ids/response_ids: {e}")
        })
}

/// The probe sequences the driving script injected as JSON text, if any.
fn injected_ids() -> Result<Option<Vec<Vec<u32>>>, String> {
    let Some(text) = web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &"mechscopeBenchIds".into()).ok())
        .and_then(|v| v.as_string())
    else {
        return Ok(None);
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| format!("the injected ids are not a JSON array of token-id arrays: {e}"))
}

/// The benchmark file the driving script injected as `{name, text}`, if any.
fn injected_benchmark() -> Option<(String, String)> {
    let window = web_sys::window()?;
    let injected = js_sys::Reflect::get(&window, &"mechscopeBenchItems".into()).ok()?;
    let field = |key: &str| {
        js_sys::Reflect::get(&injected, &key.into())
            .ok()
            .and_then(|v| v.as_string())
    };
    Some((field("name")?, field("text")?))
}

/// The AIS bench's items: the injected benchmark file's, else the built-in
/// long-term-knowledge items; and the benchmark's name.
fn ais_items(model: &LoadedModel, limit: usize) -> Result<(String, Vec<ChoiceItem>), String> {
    let tokenizer = &model.tokenizer;
    let Some((name, text)) = injected_benchmark() else {
        let items = bench::builtin_choice_items(tokenizer, limit).map_err(|e| e.to_string())?;
        return Ok((
            "long_term_knowledge (built-in diagnostic items)".into(),
            items,
        ));
    };
    let (_, loaded) =
        readers::load(&name, text.as_bytes(), None).map_err(|e| format!("{name}: {e}"))?;
    let mut items = loaded.items;
    items.truncate(limit);
    let input = BenchmarkInput::from_items(tokenizer, &name, &items).map_err(|e| e.to_string())?;
    if input.items.is_empty() {
        return Err(format!(
            "{name} has no multiple-choice items to score by log-likelihood"
        ));
    }
    Ok((name, input.items))
}

async fn run(kind: BenchKind, progress: impl Fn(String) + Copy + 'static) -> Result<Value, String> {
    // Shown, then awaited: the browser repaints between timed steps.
    let step = move |text: String| {
        progress(text);
        yield_to_browser()
    };
    match kind {
        BenchKind::Formats => {
            let bytes = demo_bytes().await?;
            let measured = mechscope_formats::bench::gguf_throughput(&bytes, 20, &now_ms)
                .map_err(|e| e.to_string())?;
            serde_json::to_value(measured).map_err(|e| e.to_string())
        }
        BenchKind::Forward => {
            let (model, load) = load_demo(&progress).await?;
            let options = ForwardBenchOptions {
                lengths: param("tokens")
                    .unwrap_or_else(|| "128,512".into())
                    .split(',')
                    .filter_map(|t| t.trim().parse().ok())
                    .collect(),
                repeats: param_or("repeats", 3),
                logits: false,
                max_forward_s: param_or("max_forward_s", f64::INFINITY),
            };
            let runs = bench::forward(&model.decoder, &model.config, &options, step)
                .await
                .map_err(|e| e.to_string())?;
            Ok(json!({
                "backend": load["backend"],
                "load": load,
                "runs": runs,
                "wasm_memory_bytes": wasm_memory_bytes(),
            }))
        }
        BenchKind::Mui => {
            let mut samples = injected_responses()?;
            samples.truncate(param_or("limit", usize::MAX));
            let (model, load) = load_demo(&progress).await?;
            let options = MuiBenchOptions {
                repeats: param_or("repeats", 1),
                generate: param_or("generate", 3),
                max_new_tokens: param_or("max_new_tokens", 32),
            };
            let result = bench::mui(&model, &samples, &options, step)
                .await
                .map_err(|e| e.to_string())?;
            Ok(json!({
                "backend": load["backend"],
                "load": load,
                "teacher_forced": result.teacher_forced,
                "generation": result.generation,
                "wasm_memory_bytes": wasm_memory_bytes(),
            }))
        }
        BenchKind::Ais => {
            let (mut models, load) = load_demo_on(&progress, true).await?;
            let (Some(gradient), Some(scoring)) = (models.pop(), models.pop()) else {
                return Err("the demo model did not load twice".into());
            };
            let loaded_memory_bytes = wasm_memory_bytes();
            let sequences =
                bench::builtin_sequences(&scoring.tokenizer, param_or("diagnostic_items", 20))
                    .map_err(|e| e.to_string())?;
            let (benchmark, items) = ais_items(&scoring, param_or("items", 20))?;
            let options = AisBenchOptions {
                repeats: param_or("repeats", 1),
            };
            let result = bench::ais(
                &gradient.decoder,
                &scoring.decoder,
                &sequences,
                &items,
                &options,
                step,
            )
            .await
            .map_err(|e| e.to_string())?;
            Ok(json!({
                "backend": load["backend"],
                "load": load,
                "diagnostic": "quantitative (built-in, train split)",
                "benchmark": benchmark,
                "gradient": result.gradient,
                "scoring": result.scoring,
                "loaded_memory_bytes": loaded_memory_bytes,
                "wasm_memory_bytes": wasm_memory_bytes(),
            }))
        }
        BenchKind::Lpp => {
            let (model, load) = load_demo(&progress).await?;
            let loaded_memory_bytes = wasm_memory_bytes();
            let seqs = param_or("seqs", 8);
            let (text, sequences) = match injected_ids()? {
                Some(ids) => (
                    "injected ids",
                    ids.into_iter()
                        .filter(|s| !s.is_empty())
                        .take(seqs)
                        .collect(),
                ),
                None => {
                    let ids = model
                        .tokenizer
                        .encode(DEFAULT_TEXT, true)
                        .map_err(|e| e.to_string())?;
                    (
                        "bundled probe text",
                        probe_sequences(&ids, seqs, param_or("seq_len", 256)),
                    )
                }
            };
            let options = LppBenchOptions {
                repeats: param_or("repeats", 1),
                lens: param_or("lens", 1) != 0,
            };
            let result = bench::lpp(&model.decoder, &sequences, &options, step)
                .await
                .map_err(|e| e.to_string())?;
            Ok(json!({
                "backend": load["backend"],
                "load": load,
                "text": text,
                "lpp": result,
                "loaded_memory_bytes": loaded_memory_bytes,
                "wasm_memory_bytes": wasm_memory_bytes(),
            }))
        }
    }
}

/// Runs one benchmark when mounted; shows its progress, then its JSON or its error.
#[component]
pub fn BenchPanel(kind: BenchKind) -> impl IntoView {
    let (result, set_result) = signal(None::<Result<String, String>>);
    let (progress, set_progress) = signal(String::from("Starting…"));
    spawn_local(async move {
        let outcome = run(kind, move |text| set_progress.set(text)).await;
        set_result.set(Some(
            outcome.and_then(|v| serde_json::to_string(&v).map_err(|e| e.to_string())),
        ));
    });
    view! {
        <section id="bench">
            <h2>{kind.title()}</h2>
            {move || match result.get() {
                None => view! { <p class="muted" id="bench-progress">{progress.get()}</p> }.into_any(),
                Some(Ok(json)) => view! { <pre id="bench-result">{json}</pre> }.into_any(),
                Some(Err(e)) => view! { <p class="error" id="bench-error">{e}</p> }.into_any(),
            }}
        </section>
    }
}
