//! The page's components, named for what the user sees.

use crate::ais_panel::AisPanel;
use crate::bench_panel::{BenchKind, BenchPanel};
use crate::bytes::ByteSource;
use crate::cache_panel::CachePanel;
use crate::gpu::{self, AdapterFacts, GpuStatus};
use crate::hosts::{HostRequests, HostsPanel};
use crate::lpp_panel::LppPanel;
use crate::model_header::{HeaderError, LoadedHeader, load_header};
use crate::model_panel::{DEMO_FILE, ModelPanel};
use crate::model_state::ModelState;
use crate::mui_panel::MuiPanel;
use crate::next_token_panel::NextTokenPanel;
use crate::share::{OpenedBanner, OpenedResults};
use leptos::prelude::*;
use leptos::task::spawn_local;
use mechscope_formats::gguf::ModelSummary;
use web_sys::HtmlInputElement;

#[component]
pub fn App() -> impl IntoView {
    let (state, set_state) = signal(ModelState::NotLoaded);
    let cache_version = RwSignal::new(0u32);
    OpenedResults::provide();
    view! {
        <main>
            <Intro />
            <HostRequests />
            <OpenedBanner />
            <GpuPanel />
            <ModelPanel state set_state cache_version />
            <NextTokenPanel state />
            <MuiPanel state />
            <AisPanel state />
            <LppPanel state />
            <CachePanel version=cache_version />
            <HostsPanel />
            <InspectFilePanel />
            {BenchKind::from_url().map(|kind| view! { <BenchPanel kind /> })}
        </main>
    }
}

#[component]
fn Intro() -> impl IntoView {
    view! {
        <header>
            <h1>"MechScope"</h1>
            <p>
                "Look inside a language model from your browser: how much of it a task uses (MUI), "
                "which abilities a benchmark really needs (AIS), and how it processes (LPP)."
            </p>
            <nav aria-label="Sections" class="sections">
                <a href="#model">"Model"</a>
                <a href="#next-token">"Next tokens"</a>
                <a href="#mui">"MUI"</a>
                <a href="#ais">"AIS"</a>
                <a href="#lpp">"LPP"</a>
                <a href="#cache">"Stored models"</a>
                <a href="#hosts">"Hosts"</a>
            </nav>
        </header>
    }
}

fn format_bytes(bytes: f64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

fn format_count(n: u64) -> String {
    match n {
        0..1_000 => n.to_string(),
        1_000..1_000_000 => format!("{:.1} K", n as f64 / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} M", n as f64 / 1e6),
        _ => format!("{:.2} B", n as f64 / 1e9),
    }
}

#[component]
fn GpuPanel() -> impl IntoView {
    let (status, set_status) = signal(None::<GpuStatus>);
    spawn_local(async move { set_status.set(Some(gpu::probe().await)) });
    view! {
        <section id="gpu" aria-live="polite">
            <h2>"Compute"</h2>
            {move || match status.get() {
                None => view! { <p class="muted">"Looking for a WebGPU adapter…"</p> }.into_any(),
                Some(GpuStatus::Available(facts)) => view! { <AdapterView facts /> }.into_any(),
                Some(GpuStatus::Unavailable(reason)) => view! {
                    <p id="gpu-status" class="status-warn" data-state="unavailable">
                        "No WebGPU: " {reason} ". MechScope will run models on the CPU (slower, same numbers)."
                    </p>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn AdapterView(facts: AdapterFacts) -> impl IntoView {
    let kind = if facts.is_fallback {
        " (a software adapter: correct, but slow)"
    } else {
        ""
    };
    view! {
        <p id="gpu-status" class="status-ok" data-state="available">
            "WebGPU adapter found" {kind}
        </p>
        <dl class="facts">
            <dt>"Vendor"</dt><dd id="gpu-vendor">{facts.vendor}</dd>
            <dt>"Architecture"</dt><dd id="gpu-architecture">{facts.architecture}</dd>
            {(!facts.device.is_empty() || !facts.description.is_empty()).then(|| view! {
                <dt>"Device"</dt><dd>{facts.device.clone()} " " {facts.description.clone()}</dd>
            })}
            <dt>"maxBufferSize"</dt>
            <dd id="gpu-max-buffer">{format_bytes(facts.max_buffer_size)}</dd>
            <dt>"maxStorageBufferBindingSize"</dt>
            <dd id="gpu-max-storage">{format_bytes(facts.max_storage_buffer_binding_size)}</dd>
            <dt>"maxComputeWorkgroupSizeX"</dt><dd>{facts.max_compute_workgroup_size_x}</dd>
            <dt>"shader-f16"</dt><dd>{if facts.has_shader_f16 { "yes" } else { "no" }}</dd>
        </dl>
    }
}

/// Shows a header load: pending, the model's summary, or the error in plain words.
#[component]
fn HeaderResult(
    result: ReadSignal<Option<Result<LoadedHeader, HeaderError>>>,
    pending: &'static str,
) -> impl IntoView {
    move || match result.get() {
        None => view! { <p class="muted">{pending}</p> }.into_any(),
        Some(Ok(loaded)) => view! { <ModelSummaryView loaded /> }.into_any(),
        Some(Err(error)) => {
            view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any()
        }
    }
}

/// What the demo model is, read from its GGUF header (the first MiBs, by HTTP Range),
/// shown in the Model panel's Demo tab before anything loads.
#[component]
pub(crate) fn DemoHeader() -> impl IntoView {
    let (result, set_result) = signal(None);
    spawn_local(async move {
        let loaded = load_header(ByteSource::Url(DEMO_FILE.to_string())).await;
        set_result.set(Some(loaded));
    });
    view! {
        <details id="demo-model" open>
            <summary>"What is in it, read from the file's header"</summary>
            <HeaderResult result pending="Reading the demo model's header…" />
        </details>
    }
}

#[component]
fn InspectFilePanel() -> impl IntoView {
    let (result, set_result) = signal(None);
    let (chosen, set_chosen) = signal(false);
    let on_change = move |ev: leptos::ev::Event| {
        let input: HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        set_chosen.set(true);
        set_result.set(None);
        spawn_local(async move {
            set_result.set(Some(load_header(ByteSource::File(file)).await));
        });
    };
    view! {
        <section id="inspect-file">
            <h2>"Inspect a GGUF file"</h2>
            <label>
                "Choose a .gguf file from your computer; only its header is read, nothing is uploaded. "
                <input id="gguf-file" type="file" accept=".gguf" on:change=on_change />
            </label>
            <Show when=move || chosen.get()>
                <HeaderResult result pending="Reading the header…" />
            </Show>
        </section>
    }
}

fn opt(value: Option<u64>) -> String {
    value.map_or_else(|| "—".to_string(), |v| v.to_string())
}

#[component]
fn ModelSummaryView(loaded: LoadedHeader) -> impl IntoView {
    let ModelSummary {
        name,
        architecture,
        layers,
        width,
        ffn_width,
        attention_heads,
        kv_heads,
        vocab_size,
        parameter_count,
        tensor_count,
        version,
        types,
        ..
    } = loaded.summary;
    let heads = match (attention_heads, kv_heads) {
        (Some(q), Some(kv)) => format!("{q} query / {kv} key-value"),
        (q, _) => opt(q),
    };
    let rows = types
        .into_iter()
        .map(|t| {
            view! {
                <tr>
                    <td>{t.ty.name()}</td>
                    <td class="num">{t.tensors}</td>
                    <td class="num">{format_count(t.parameters)}</td>
                    <td class="num">{format_bytes(t.size_bytes as f64)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="model-summary" data-parameters=parameter_count.to_string()>
            <dl class="facts">
                <dt>"Source"</dt><dd data-field="source">{loaded.source.clone()}</dd>
                <dt>"Name"</dt><dd data-field="name">{name.unwrap_or_else(|| "—".into())}</dd>
                <dt>"Architecture"</dt><dd data-field="architecture">{architecture.unwrap_or_else(|| "—".into())}</dd>
                <dt>"Layers"</dt><dd data-field="layers">{opt(layers)}</dd>
                <dt>"Width (d)"</dt><dd data-field="width">{opt(width)}</dd>
                <dt>"MLP width (d_ff)"</dt><dd data-field="ffn-width">{opt(ffn_width)}</dd>
                <dt>"Attention heads"</dt><dd data-field="heads">{heads}</dd>
                <dt>"Vocabulary"</dt><dd data-field="vocab">{opt(vocab_size)}</dd>
                <dt>"Parameters"</dt>
                <dd data-field="parameters">{format_count(parameter_count)} " (" {parameter_count} ")"</dd>
                <dt>"File"</dt>
                <dd data-field="file">
                    {format_bytes(loaded.file_size as f64)} ", GGUF v" {version} ", " {tensor_count}
                    " tensors; header read from the first " {format_bytes(loaded.bytes_read as f64)}
                    " in " {format!("{:.0}", loaded.elapsed_ms)} " ms"
                </dd>
            </dl>
            <table data-field="types">
                <caption class="muted">"Storage types"</caption>
                <thead><tr><th>"Type"</th><th class="num">"Tensors"</th><th class="num">"Parameters"</th><th class="num">"Size"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
