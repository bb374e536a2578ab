//! `?bench=formats|forward|mui|ais|lpp`: the stages timed in the model's worker with the code
//! the native
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

use crate::client;
use crate::protocol::{Download, Injected, Job, Output, Progress, Request};
use crate::query::param;
use leptos::prelude::*;
use leptos::task::spawn_local;

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

/// A string the driving script put on `window`.
fn injected(name: &str) -> Option<String> {
    let window = web_sys::window()?;
    js_sys::Reflect::get(&window, &name.into())
        .ok()?
        .as_string()
}

/// What the driving script injected (`window.mechscopeBench*`).
fn injected_inputs() -> Injected {
    let items = web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &"mechscopeBenchItems".into()).ok())
        .and_then(|injected| {
            let field = |key: &str| {
                js_sys::Reflect::get(&injected, &key.into())
                    .ok()
                    .and_then(|v| v.as_string())
            };
            Some((field("name")?, field("text")?))
        });
    Injected {
        responses: injected("mechscopeBenchResponses"),
        ids: injected("mechscopeBenchIds"),
        items,
    }
}

/// The page's query parameters, for the worker.
fn params() -> Vec<(String, String)> {
    let Some(search) = web_sys::window().and_then(|w| w.location().search().ok()) else {
        return Vec::new();
    };
    let Ok(parsed) = web_sys::UrlSearchParams::new_with_str(&search) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let entries = js_sys::try_iter(&parsed).ok().flatten();
    for entry in entries.into_iter().flatten().flatten() {
        let pair = js_sys::Array::from(&entry);
        if let (Some(k), Some(v)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
            out.push((k, v));
        }
    }
    out
}

async fn run(progress: impl Fn(String) + 'static) -> Result<String, String> {
    let job = Job::Bench {
        kind: param("bench").unwrap_or_default(),
        params: params(),
        demo: Download {
            url: crate::model_panel::demo_model_url(),
            name: "the demo model".into(),
            size: None,
            sha256: None,
        },
        injected: injected_inputs(),
    };
    let id = client::next_id();
    let outcome = client::request(Request::Run { id, job }, Vec::new(), move |p| {
        if let Progress::Step(text) = p {
            progress(text);
        }
    })
    .await
    .map_err(|f| f.message)?;
    match outcome {
        Output::Bench(json) => Ok(json),
        other => Err(format!("unexpected answer: {other:?}")),
    }
}

/// Runs one benchmark when mounted; shows its progress, then its JSON or its error.
#[component]
pub fn BenchPanel(kind: BenchKind) -> impl IntoView {
    let (result, set_result) = signal(None::<Result<String, String>>);
    let (progress, set_progress) = signal(String::from("Starting…"));
    spawn_local(async move {
        let outcome = run(move |text| set_progress.set(text)).await;
        set_result.set(Some(outcome));
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
