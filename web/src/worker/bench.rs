//! `?bench=` measurements, run in the worker with the code the native `mechscope
//! bench-*` commands run (`mechscope_formats::bench`, `mechscope_metrics::bench`).
//! Each loads its own copies of the demo model (so load time is measured too); the
//! parameters and injected inputs are documented on the page's `bench_panel`.

use super::loading::pick_device;
use crate::global::{now_ms, wasm_memory_bytes, yield_now};
use crate::protocol::{DeviceChoice, Download, Failure, Injected, Progress};
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
use std::str::FromStr;

/// A benchmark's inputs: the page's query parameters, the demo's address, and what
/// the driving script injected.
pub struct BenchInput {
    pub kind: String,
    pub params: Vec<(String, String)>,
    pub demo: Download,
    pub injected: Injected,
}

impl BenchInput {
    fn param(&self, name: &str) -> Option<String> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }

    fn param_or<T: FromStr>(&self, name: &str, default: T) -> T {
        self.param(name)
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    }
}

/// The demo model's bytes, straight from the network (never the cache: the download
/// is part of what is measured).
async fn demo_bytes(input: &BenchInput) -> Result<Vec<u8>, String> {
    crate::worker::download::fetch_uncached(&input.demo.url).await
}

/// The demo model on the page's device, and how long each step took.
async fn load_demo(
    input: &BenchInput,
    progress: &impl Fn(String),
) -> Result<(LoadedModel, Value), String> {
    let (mut models, load) = load_demo_on(input, progress, false).await?;
    let model = models.pop().ok_or("the demo model did not load")?;
    Ok((model, load))
}

/// The demo model on the page's device and, with `autodiff`, a second copy on
/// `device.autodiff()` (last); downloaded once.
async fn load_demo_on(
    input: &BenchInput,
    progress: &impl Fn(String),
    autodiff: bool,
) -> Result<(Vec<LoadedModel>, Value), String> {
    let choice = DeviceChoice::from_param(input.param("device").as_deref())?;
    let (device, _, backend) = pick_device(choice, &mut Vec::new())
        .await
        .map_err(|e| e.message)?;
    progress("Downloading the demo model…".into());
    let started = now_ms();
    let bytes = demo_bytes(input).await?;
    let downloaded = now_ms();
    let mut devices = vec![device.clone()];
    if autodiff {
        devices.push(device.autodiff());
    }
    let mut models = Vec::with_capacity(devices.len());
    for device in &devices {
        progress("Preparing weights…".into());
        yield_now().await;
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
fn injected_responses(input: &BenchInput) -> Result<Vec<TokenSample>, String> {
    let text = input.injected.responses.clone().unwrap_or_default();
    serde_json::Deserializer::from_str(&text)
        .into_iter::<TokenSample>()
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            format!("the injected responses are not JSONL of prompt_ids/response_ids: {e}")
        })
}

/// The probe sequences the driving script injected as JSON text, if any.
fn injected_ids(input: &BenchInput) -> Result<Option<Vec<Vec<u32>>>, String> {
    let Some(text) = &input.injected.ids else {
        return Ok(None);
    };
    serde_json::from_str(text)
        .map(Some)
        .map_err(|e| format!("the injected ids are not a JSON array of token-id arrays: {e}"))
}

/// The AIS bench's items: the injected benchmark file's, else the built-in
/// long-term-knowledge items; and the benchmark's name.
fn ais_items(
    input: &BenchInput,
    model: &LoadedModel,
    limit: usize,
) -> Result<(String, Vec<ChoiceItem>), String> {
    let tokenizer = &model.tokenizer;
    let Some((name, text)) = input.injected.items.clone() else {
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

/// Runs the benchmark `input.kind` names; its measurements as JSON.
pub async fn run(input: &BenchInput, on_progress: &dyn Fn(Progress)) -> Result<Value, Failure> {
    run_kind(input, &|text| on_progress(Progress::Step(text)))
        .await
        .map_err(Failure::classify)
}

async fn run_kind(input: &BenchInput, progress: &dyn Fn(String)) -> Result<Value, String> {
    // Shown, then awaited: the worker reads its messages between timed steps.
    let step = |text: String| {
        progress(text);
        yield_now()
    };
    match input.kind.as_str() {
        "formats" => {
            let bytes = demo_bytes(input).await?;
            let measured = mechscope_formats::bench::gguf_throughput(&bytes, 20, &now_ms)
                .map_err(|e| e.to_string())?;
            serde_json::to_value(measured).map_err(|e| e.to_string())
        }
        "forward" => {
            let (model, load) = load_demo(input, &progress).await?;
            let options = ForwardBenchOptions {
                lengths: input
                    .param("tokens")
                    .unwrap_or_else(|| "128,512".into())
                    .split(',')
                    .filter_map(|t| t.trim().parse().ok())
                    .collect(),
                repeats: input.param_or("repeats", 3),
                logits: false,
                max_forward_s: input.param_or("max_forward_s", f64::INFINITY),
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
        "mui" => {
            let mut samples = injected_responses(input)?;
            samples.truncate(input.param_or("limit", usize::MAX));
            let (model, load) = load_demo(input, &progress).await?;
            let options = MuiBenchOptions {
                repeats: input.param_or("repeats", 1),
                generate: input.param_or("generate", 3),
                max_new_tokens: input.param_or("max_new_tokens", 32),
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
        "ais" => {
            let (mut models, load) = load_demo_on(input, &progress, true).await?;
            let (Some(gradient), Some(scoring)) = (models.pop(), models.pop()) else {
                return Err("the demo model did not load twice".into());
            };
            let loaded_memory_bytes = wasm_memory_bytes();
            let sequences = bench::builtin_sequences(
                &scoring.tokenizer,
                input.param_or("diagnostic_items", 20),
            )
            .map_err(|e| e.to_string())?;
            let (benchmark, items) = ais_items(input, &scoring, input.param_or("items", 20))?;
            let options = AisBenchOptions {
                repeats: input.param_or("repeats", 1),
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
        "lpp" => {
            let (model, load) = load_demo(input, &progress).await?;
            let loaded_memory_bytes = wasm_memory_bytes();
            let seqs = input.param_or("seqs", 8);
            let (text, sequences) = match injected_ids(input)? {
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
                        probe_sequences(&ids, seqs, input.param_or("seq_len", 256)),
                    )
                }
            };
            let options = LppBenchOptions {
                repeats: input.param_or("repeats", 1),
                lens: input.param_or("lens", 1) != 0,
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
        other => Err(format!(
            "?bench={other} is not a benchmark: use formats, forward, mui, ais or lpp"
        )),
    }
}
