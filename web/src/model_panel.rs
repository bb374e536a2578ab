//! Loading a model: the bundled demo, a Hugging Face repo by id, or the user's own
//! files; a fit check before any weight is downloaded; progress per file with speed
//! and time left; cancel; the backend; and the URL that restores the choice.
//!
//! URL state: `?model=demo`, `?model=hf:owner/name@rev` (with `&gguf=file` for a GGUF
//! repo) and `?device=cpu|webgpu|auto`; `?model_hub=` points the repo lookups at
//! another hub with the same layout (the tests' local server). Opening such a URL
//! loads that model.

use crate::app::DemoHeader;
use crate::bytes::{ByteSource, fetch_all};
use crate::client;
use crate::gpu::{self, GpuStatus};
use crate::model_cache;
use crate::model_header::load_header;
use crate::model_state::ModelState;
use crate::protocol::{
    DeviceChoice, Download, Failure, FailureKind, FileProgress, Output, Progress, Request,
    RequestId, SourceSpec,
};
use crate::query::param;
use leptos::prelude::*;
use leptos::task::spawn_local;
use mechscope_formats::config::ModelConfig;
use mechscope_formats::fit::{Budget, Bytes, MemoryNeed, memory_need};
use mechscope_formats::hub::{
    DEFAULT_HUB, RepoFile, RepoLayout, RepoListing, RepoRef, SafetensorsWeights,
};
use wasm_bindgen::JsCast;

/// The bundled demo model, served beside the page.
pub const DEMO_FILE: &str = "models/SmolLM2-135M-Instruct.Q4_1.gguf";
pub const DEMO_ID: &str = "SmolLM2-135M-Instruct.Q4_1";

/// The demo's absolute URL (the worker resolves relative URLs against its own script).
pub fn demo_model_url() -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .and_then(|href| web_sys::Url::new_with_base(DEMO_FILE, &href).ok())
        .map_or_else(|| DEMO_FILE.to_string(), |u| u.href())
}

/// The hub repo ids are looked up on: `?model_hub=`, else Hugging Face.
pub fn hub_base() -> String {
    param("model_hub").unwrap_or_else(|| DEFAULT_HUB.to_string())
}

/// Which way of loading the panel shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tab {
    Demo,
    Hub,
    Files,
}

/// A repo looked up: what it holds and whether it fits.
#[derive(Debug, Clone, PartialEq)]
struct LookedUp {
    repo: RepoRef,
    listing: RepoListing,
    layout: RepoLayout,
    /// The config of a safetensors repo (for the fit check and the summary).
    config: Option<ModelConfig>,
}

/// The fit check's verdict, shown before Load.
#[derive(Debug, Clone, PartialEq)]
enum Fit {
    Unknown,
    Fits(String),
    Refused(String),
}

/// The budget of the device the user chose, as far as the page can tell.
async fn budget(device: DeviceChoice) -> Budget {
    match (device, gpu::probe().await) {
        (DeviceChoice::Cpu, _) | (_, GpuStatus::Unavailable(_)) => Budget::cpu(),
        (_, GpuStatus::Available(facts)) => {
            Budget::webgpu(facts.max_buffer_size, facts.max_storage_buffer_binding_size)
        }
    }
}

fn verdict(need: &MemoryNeed, budget: &Budget) -> Fit {
    let place = if budget.gpu.is_some() {
        "WebGPU"
    } else {
        "the CPU"
    };
    match budget.check(need) {
        Ok(()) => Fit::Fits(format!(
            "Fits on {place}: {} of f32 weights, largest tensor {} ({}), {} to download.",
            Bytes(need.weights_bytes),
            Bytes(need.largest_tensor_bytes),
            need.largest_tensor,
            Bytes(need.download_bytes)
        )),
        Err(e) => Fit::Refused(format!("This model does not fit: {e}")),
    }
}

/// A small file of a repo (its listing, its config): from the model cache when there,
/// else fetched; `check` decides whether it is good enough to cache.
async fn cached_fetch(
    url: &str,
    group: &str,
    check: impl Fn(&[u8]) -> Result<(), String>,
) -> Result<Vec<u8>, String> {
    if let Ok(Some(bytes)) = model_cache::get(url).await
        && check(&bytes).is_ok()
    {
        return Ok(bytes);
    }
    let bytes = fetch_all(url, |_, _| {}).await.map_err(|e| match e {
        crate::bytes::FetchError::Http { status: 404, .. } => NOT_FOUND.to_string(),
        other => other.to_string(),
    })?;
    check(&bytes)?;
    // A cache that fails only costs a download next time.
    let _ = model_cache::put(url, &bytes, group).await;
    Ok(bytes)
}

const NOT_FOUND: &str = "not found";

/// Reads a repo's listing (and a safetensors repo's config).
async fn look_up(hub: &str, text: &str) -> Result<LookedUp, String> {
    let repo = RepoRef::parse(text).map_err(|e| e.to_string())?;
    let group = repo.to_string();
    let listing_bytes = cached_fetch(&repo.listing_url(hub), &group, |b| {
        RepoListing::parse(b).map(|_| ()).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| {
        if e == NOT_FOUND {
            format!("{repo} is not on the hub (or it is private): check the id and the revision")
        } else {
            e
        }
    })?;
    let listing = RepoListing::parse(&listing_bytes).map_err(|e| e.to_string())?;
    let layout = listing.layout().map_err(|e| e.to_string())?;
    let config = match &layout {
        RepoLayout::Safetensors { config, .. } => {
            let bytes = cached_fetch(&repo.file_url(hub, &config.name), &group, |b| {
                ModelConfig::from_hf_json(b)
                    .map(|_| ())
                    .map_err(|e| format!("config.json: {e}"))
            })
            .await?;
            Some(ModelConfig::from_hf_json(&bytes).map_err(|e| format!("config.json: {e}"))?)
        }
        RepoLayout::Gguf { .. } => None,
    };
    Ok(LookedUp {
        repo,
        listing,
        layout,
        config,
    })
}

/// The bytes a safetensors repo downloads: every file the load fetches.
fn safetensors_download_bytes(listing: &RepoListing) -> u64 {
    listing
        .files
        .iter()
        .filter(|f| {
            f.name.ends_with(".safetensors")
                || matches!(
                    f.name.as_str(),
                    "config.json"
                        | "tokenizer.json"
                        | "tokenizer_config.json"
                        | "model.safetensors.index.json"
                )
        })
        .filter_map(|f| f.size)
        .sum()
}

/// Whether the looked-up model fits; for a GGUF, its header is read first.
async fn fit_check(
    hub: &str,
    found: &LookedUp,
    gguf: Option<&RepoFile>,
    device: DeviceChoice,
) -> Fit {
    let budget = budget(device).await;
    match (&found.config, gguf) {
        (_, Some(file)) => {
            let url = found.repo.file_url(hub, &file.name);
            // Cached whole: it loaded before, and its header need not be fetched.
            if model_cache::contains(&url).await {
                return Fit::Fits(format!(
                    "{} is in the browser's cache: it loaded here before.",
                    file.name
                ));
            }
            match load_header(ByteSource::Url(url)).await {
                Ok(header) => {
                    let s = &header.summary;
                    let need = MemoryNeed::from_counts(
                        s.parameter_count,
                        s.vocab_size.unwrap_or(0),
                        s.width.unwrap_or(0),
                        s.ffn_width.unwrap_or(0),
                        header.file_size,
                    );
                    verdict(&need, &budget)
                }
                Err(e) => Fit::Refused(format!("{}: {e}", file.name)),
            }
        }
        (Some(config), None) => verdict(
            &memory_need(config, safetensors_download_bytes(&found.listing)),
            &budget,
        ),
        (None, None) => Fit::Unknown,
    }
}

/// The load request for a looked-up repo.
fn hub_source(hub: &str, found: &LookedUp, gguf: Option<&RepoFile>) -> Result<SourceSpec, String> {
    let repo = &found.repo;
    let download = |file: &RepoFile| Download::from_repo_file(repo.file_url(hub, &file.name), file);
    if let Some(file) = gguf {
        return Ok(SourceSpec::GgufUrl {
            id: format!("{repo}/{}", file.name),
            file: download(file),
            group: repo.to_string(),
        });
    }
    let RepoLayout::Safetensors {
        config,
        tokenizer,
        tokenizer_config,
        weights,
        ..
    } = &found.layout
    else {
        return Err("choose one of the repo's GGUF files".into());
    };
    let (weights, index) = match weights {
        SafetensorsWeights::Single(file) => (vec![download(file)], None),
        SafetensorsWeights::Sharded { index } => (Vec::new(), Some(download(index))),
    };
    Ok(SourceSpec::HubSafetensors {
        id: repo.to_string(),
        config: download(config),
        tokenizer: download(tokenizer),
        tokenizer_config: tokenizer_config.as_ref().map(download),
        weights,
        index,
        shard_base: repo.file_url(hub, ""),
        listing: found.listing.files.clone(),
    })
}

/// Writes the model choice into the URL (without reloading), so a reload or a shared
/// link restores it.
fn remember_in_url(model: Option<&str>, gguf: Option<&str>) {
    crate::query::set_params(&[("model", model), ("gguf", gguf)]);
}

fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        String::new()
    } else {
        format!(" ({:.0}%)", 100.0 * part as f64 / whole as f64)
    }
}

/// "2 min 5 s".
fn duration(seconds: f64) -> String {
    let s = seconds.round() as u64;
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min {} s", s / 60, s % 60),
        _ => format!("{} h {} min", s / 3600, (s % 3600) / 60),
    }
}

/// The progress of a load, in words and a table.
#[component]
fn LoadProgress(progress: Progress) -> impl IntoView {
    match progress {
        Progress::Downloading {
            files,
            received,
            total,
            bytes_per_s,
            seconds_left,
        } => {
            let overall = match total {
                Some(t) => format!(
                    "{} of {}{}",
                    Bytes(received),
                    Bytes(t),
                    percent(received, t)
                ),
                None => format!("{}", Bytes(received)),
            };
            let speed = (bytes_per_s > 0.0).then(|| format!(" · {}/s", Bytes(bytes_per_s as u64)));
            let left = seconds_left.map(|s| format!(" · {} left", duration(s)));
            view! {
                <p id="download-overall" data-received=received.to_string()
                    data-total=total.map(|t| t.to_string()).unwrap_or_default()>
                    "Downloading: " {overall} {speed} {left}
                </p>
                <progress max=total.unwrap_or(0).max(1).to_string() value=received.to_string()></progress>
                <table id="download-files">
                    <tbody>{files.into_iter().map(|f: FileProgress| {
                        let state = if f.from_cache { "cache" } else if f.done { "done" } else if f.received > 0 { "downloading" } else { "waiting" };
                        let amount = match f.total {
                            Some(t) => format!("{} of {}", Bytes(f.received), Bytes(t)),
                            None => format!("{}", Bytes(f.received)),
                        };
                        let note = match state {
                            "cache" => "from the browser's cache",
                            "done" => "downloaded",
                            "downloading" => "downloading",
                            _ => "waiting",
                        };
                        let name = f.name.clone();
                        view! {
                            <tr data-file=name data-state=state>
                                <td>{f.name}</td><td class="num">{amount}</td><td class="muted">{note}</td>
                            </tr>
                        }
                    }).collect_view()}</tbody>
                </table>
            }
            .into_any()
        }
        Progress::PreparingWeights => {
            view! { <p>"Preparing weights (parsing, dequantising to f32, uploading)…"</p> }
                .into_any()
        }
        Progress::CompilingKernels => {
            view! { <p>"Compiling GPU kernels (a first forward pass)…"</p> }.into_any()
        }
        Progress::Step(text) => view! { <p>{text}</p> }.into_any(),
        Progress::Queued => view! { <p>"Waiting for the current run to finish…"</p> }.into_any(),
    }
}

#[component]
pub fn ModelPanel(
    state: ReadSignal<ModelState>,
    set_state: WriteSignal<ModelState>,
    cache_version: RwSignal<u32>,
) -> impl IntoView {
    let initial_model = param("model");
    let initial_tab = match initial_model.as_deref() {
        Some(m) if m.starts_with("hf:") => Tab::Hub,
        _ => Tab::Demo,
    };
    let (tab, set_tab) = signal(initial_tab);
    let initial_device =
        DeviceChoice::from_param(param("device").as_deref()).unwrap_or(DeviceChoice::Auto);
    let (device, set_device) = signal(initial_device);
    let (repo_text, set_repo_text) = signal(
        initial_model
            .as_deref()
            .and_then(|m| m.strip_prefix("hf:"))
            .unwrap_or("")
            .to_string(),
    );
    let (found, set_found) = signal(None::<Result<LookedUp, String>>);
    let (gguf_choice, set_gguf_choice) = signal(param("gguf"));
    let (fit, set_fit) = signal(Fit::Unknown);
    let (looking, set_looking) = signal(false);
    let current: RwSignal<Option<RequestId>> = RwSignal::new(None);
    // The last load, for "Load again on the CPU".
    let last: RwSignal<Option<(SourceSpec, Vec<web_sys::File>)>, LocalStorage> =
        RwSignal::new_local(None);
    let files_input = NodeRef::<leptos::html::Input>::new();
    let (dragging, set_dragging) = signal(false);
    // Progress events of the last load, for the tests and the curious.
    let progress_events = RwSignal::new(0u32);

    let load = move |source: SourceSpec, files: Vec<web_sys::File>, device: DeviceChoice| {
        if let Some(id) = current.get_untracked() {
            client::cancel(id);
        }
        let id = client::next_id();
        current.set(Some(id));
        last.set(Some((source.clone(), files.clone())));
        set_state.set(ModelState::Loading {
            label: source.label(),
            progress: None,
        });
        let label = source.label();
        progress_events.set(0);
        spawn_local(async move {
            let outcome = client::request(
                Request::Load { id, source, device },
                files,
                move |progress| {
                    progress_events.update(|n| *n += 1);
                    set_state.set(ModelState::Loading {
                        label: label.clone(),
                        progress: Some(progress),
                    })
                },
            )
            .await;
            if current.get_untracked() != Some(id) {
                return;
            }
            current.set(None);
            set_state.set(match outcome {
                Ok(Output::Loaded(facts)) => ModelState::Ready(facts),
                Ok(other) => {
                    ModelState::Failed(Failure::input(format!("unexpected answer {other:?}")))
                }
                Err(failure) => ModelState::Failed(failure),
            });
            cache_version.update(|v| *v += 1);
        });
    };

    // The worker died: say so, and after a Cancel that had to stop it, load the same
    // model again (from the browser's cache) so the user can go on.
    client::on_crash(move |failure| {
        if failure.kind == FailureKind::Cancelled
            && let Some((source, files)) = last.get_untracked()
        {
            load(source, files, device.get_untracked());
            return;
        }
        set_state.set(ModelState::Failed(Failure::new(
            failure.kind,
            format!(
                "{} The model was unloaded; your finished results are kept. Load it again{}.",
                failure.message,
                if failure.kind == FailureKind::Gpu {
                    ", on the CPU if the GPU keeps failing"
                } else {
                    ""
                }
            ),
        )));
    });

    let load_demo = move || {
        remember_in_url(Some("demo"), None);
        load(
            SourceSpec::GgufUrl {
                id: DEMO_ID.to_string(),
                group: DEMO_ID.to_string(),
                file: Download {
                    url: demo_model_url(),
                    name: DEMO_FILE
                        .rsplit('/')
                        .next()
                        .unwrap_or(DEMO_FILE)
                        .to_string(),
                    size: None,
                    sha256: None,
                },
            },
            Vec::new(),
            device.get_untracked(),
        );
    };

    // A looked-up repo (and GGUF file): remembered in the URL, then loaded.
    let load_found = move |hub: &str, found: &LookedUp, chosen: Option<&RepoFile>| match hub_source(
        hub, found, chosen,
    ) {
        Ok(source) => {
            remember_in_url(
                Some(&format!("hf:{}", found.repo)),
                chosen.map(|f| f.name.as_str()),
            );
            load(source, Vec::new(), device.get_untracked());
        }
        Err(e) => set_state.set(ModelState::Failed(Failure::input(e))),
    };

    let look_up_repo = move |then_load: bool| {
        let text = repo_text.get_untracked();
        set_found.set(None);
        set_fit.set(Fit::Unknown);
        set_looking.set(true);
        spawn_local(async move {
            let hub = hub_base();
            let result = look_up(&hub, &text).await;
            if let Ok(found) = &result {
                // A GGUF repo: the file from the URL, else the smallest.
                let chosen = match &found.layout {
                    RepoLayout::Gguf { files } => {
                        let wanted = gguf_choice.get_untracked();
                        let file = wanted
                            .and_then(|w| files.iter().find(|f| f.name == w).cloned())
                            .or_else(|| files.first().cloned());
                        set_gguf_choice.set(file.as_ref().map(|f| f.name.clone()));
                        file
                    }
                    RepoLayout::Safetensors { .. } => {
                        set_gguf_choice.set(None);
                        None
                    }
                };
                let verdict = fit_check(&hub, found, chosen.as_ref(), device.get_untracked()).await;
                set_fit.set(verdict.clone());
                if then_load && matches!(verdict, Fit::Fits(_)) {
                    load_found(&hub, found, chosen.as_ref());
                }
            }
            set_found.set(Some(result));
            set_looking.set(false);
        });
    };

    let load_repo = move || {
        let Some(Ok(found)) = found.get_untracked() else {
            return;
        };
        let hub = hub_base();
        let chosen = gguf_choice
            .get_untracked()
            .and_then(|name| found.listing.file(&name).cloned());
        load_found(&hub, &found, chosen.as_ref());
    };

    let load_files = move |list: Option<web_sys::FileList>| {
        let Some(list) = list else { return };
        let files: Vec<web_sys::File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
        if files.is_empty() {
            return;
        }
        remember_in_url(None, None);
        let names = files.iter().map(web_sys::File::name).collect();
        load(SourceSpec::Files { names }, files, device.get_untracked());
    };

    // A URL that names a model loads it.
    match initial_model.as_deref() {
        Some("demo") => load_demo(),
        Some(m) if m.starts_with("hf:") => look_up_repo(true),
        _ => {}
    }

    let busy = move || matches!(state.get(), ModelState::Loading { .. });
    let gguf_files = move || match found.get() {
        Some(Ok(LookedUp {
            layout: RepoLayout::Gguf { files },
            ..
        })) => files,
        Some(Ok(LookedUp {
            layout: RepoLayout::Safetensors { gguf, .. },
            ..
        })) => gguf,
        _ => Vec::new(),
    };
    let tab_button = move |which: Tab, id: &'static str, text: &'static str| {
        view! {
            <button id=id role="tab" aria-selected=move || (tab.get() == which).to_string()
                aria-controls=format!("{id}-panel")
                // One tab stop for the tab list; the arrow keys move within it.
                tabindex=move || if tab.get() == which { "0" } else { "-1" }
                on:click=move |_| set_tab.set(which)>{text}</button>
        }
    };
    // The WAI-ARIA tabs pattern: Left/Right (wrapping), Home and End pick and focus a tab.
    let on_tab_key = move |ev: leptos::ev::KeyboardEvent| {
        let order = [Tab::Demo, Tab::Hub, Tab::Files];
        let at = order
            .iter()
            .position(|t| *t == tab.get_untracked())
            .unwrap_or(0);
        let next = match ev.key().as_str() {
            "ArrowRight" => (at + 1) % order.len(),
            "ArrowLeft" => (at + order.len() - 1) % order.len(),
            "Home" => 0,
            "End" => order.len() - 1,
            _ => return,
        };
        ev.prevent_default();
        set_tab.set(order[next]);
        let id = ["tab-demo", "tab-hub", "tab-files"][next];
        if let Some(button) = document()
            .get_element_by_id(id)
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = button.focus();
        }
    };

    view! {
        <section id="model">
            <h2>"Model"</h2>
            <p class="muted">"Models run in this tab, in a background worker; nothing you load leaves your machine."</p>
            <div class="tabs" role="tablist" aria-label="Where the model comes from" on:keydown=on_tab_key>
                {tab_button(Tab::Demo, "tab-demo", "Demo")}
                {tab_button(Tab::Hub, "tab-hub", "Hugging Face")}
                {tab_button(Tab::Files, "tab-files", "Your files")}
            </div>
            <div class="tab-body" id="tab-demo-panel" role="tabpanel" aria-labelledby="tab-demo" hidden=move || tab.get() != Tab::Demo>
                <p>"SmolLM2-135M-Instruct (Q4_1), served with the page: works offline."</p>
                <button id="load-model" on:click=move |_| load_demo() disabled=busy>"Load the demo model"</button>
                <DemoHeader />
            </div>
            <div class="tab-body" id="tab-hub-panel" role="tabpanel" aria-labelledby="tab-hub" hidden=move || tab.get() != Tab::Hub>
                <label>"Repo id "
                    <input id="hub-repo" type="text" size="44" placeholder="owner/name or owner/name@revision"
                        prop:value=move || repo_text.get()
                        on:input=move |ev| set_repo_text.set(event_target_value(&ev))
                        on:keydown=move |ev| if ev.key() == "Enter" { look_up_repo(false) } />
                </label>
                <button id="hub-lookup" on:click=move |_| look_up_repo(false) disabled=move || looking.get() || busy()>"Look up"</button>
                {move || looking.get().then(|| view! { <p class="muted">"Reading the repo's file list…"</p> })}
                {move || match found.get() {
                    None => ().into_any(),
                    Some(Err(e)) => view! { <p id="hub-error" class="error" role="alert">{e}</p> }.into_any(),
                    Some(Ok(f)) => {
                        let summary = match (&f.layout, &f.config) {
                            (RepoLayout::Safetensors { weights, .. }, Some(c)) => format!(
                                "{}: {} ({} layers, d = {}, vocab {}), safetensors{}",
                                f.repo, c.family, c.n_layers, c.d_model, c.vocab_size,
                                if matches!(weights, SafetensorsWeights::Sharded { .. }) { " in shards" } else { "" }
                            ),
                            _ => format!("{}: GGUF files", f.repo),
                        };
                        view! { <p id="hub-summary" data-commit=f.listing.commit.clone().unwrap_or_default()>{summary}</p> }.into_any()
                    }
                }}
                {move || {
                    let files = gguf_files();
                    (!files.is_empty()).then(|| view! {
                        <fieldset id="hub-gguf">
                            <legend>"GGUF file"</legend>
                            {files.into_iter().map(|f| {
                                let name = f.name.clone();
                                let checked = gguf_choice.get() == Some(name.clone());
                                let size = f.size.map(|s| format!(" ({})", Bytes(s))).unwrap_or_default();
                                view! {
                                    <label>
                                        <input type="radio" name="hub-gguf" value=name.clone() prop:checked=checked
                                            on:change=move |_| {
                                                set_gguf_choice.set(Some(name.clone()));
                                                set_fit.set(Fit::Unknown);
                                                if let Some(Ok(found)) = found.get_untracked() {
                                                    let file = found.listing.file(&name).cloned();
                                                    spawn_local(async move {
                                                        set_fit.set(fit_check(&hub_base(), &found, file.as_ref(), device.get_untracked()).await);
                                                    });
                                                }
                                            } />
                                        " " {f.name.clone()} {size}
                                    </label>
                                }
                            }).collect_view()}
                        </fieldset>
                    })
                }}
                {move || match fit.get() {
                    Fit::Unknown => ().into_any(),
                    Fit::Fits(text) => view! { <p id="fit-check" data-state="fits" class="status-ok">{text}</p> }.into_any(),
                    Fit::Refused(text) => view! { <p id="fit-check" data-state="refused" class="error" role="alert">{text}</p> }.into_any(),
                }}
                <button id="hub-load" on:click=move |_| load_repo()
                    disabled=move || busy() || !matches!(fit.get(), Fit::Fits(_)) || !matches!(found.get(), Some(Ok(_)))>"Load"</button>
            </div>
            <div class="tab-body" id="tab-files-panel" role="tabpanel" aria-labelledby="tab-files" hidden=move || tab.get() != Tab::Files>
                <div id="drop-zone" class:dragging=move || dragging.get()
                    on:dragover=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); set_dragging.set(true); }
                    on:dragleave=move |_| set_dragging.set(false)
                    on:drop=move |ev: leptos::ev::DragEvent| {
                        ev.prevent_default();
                        set_dragging.set(false);
                        load_files(ev.data_transfer().and_then(|d| d.files()));
                    }>
                    <p>"Drop a .gguf file here, or a model's config.json, tokenizer.json (and tokenizer_config.json) with its .safetensors files."</p>
                    <label>"Or choose them: "
                        <input id="model-files" type="file" multiple=true accept=".gguf,.safetensors,.json" node_ref=files_input
                            on:change=move |_| load_files(files_input.get_untracked().and_then(|i| i.files())) />
                    </label>
                </div>
            </div>
            <div class="device-row">
                <label>"Run on "
                    <select id="device-choice" on:change=move |ev| {
                        let value = event_target_value(&ev);
                        set_device.set(DeviceChoice::from_param(Some(&value)).unwrap_or(DeviceChoice::Auto));
                    }>
                        {[DeviceChoice::Auto, DeviceChoice::WebGpu, DeviceChoice::Cpu].into_iter().map(|d| {
                            let text = match d {
                                DeviceChoice::Auto => "WebGPU if available, else the CPU",
                                DeviceChoice::WebGpu => "WebGPU",
                                DeviceChoice::Cpu => "the CPU",
                            };
                            view! { <option value=d.param() selected=d == initial_device>{text}</option> }
                        }).collect_view()}
                    </select>
                </label>
            </div>
            <div id="model-progress" aria-live="polite">
                {move || match state.get() {
                    ModelState::Loading { label, progress } => view! {
                        <p>"Loading " <strong>{label}</strong> "…"</p>
                        {progress.map(|progress| view! { <LoadProgress progress /> })}
                        <button id="load-cancel" on:click=move |_| {
                            if let Some(id) = current.get_untracked() { client::cancel(id) }
                        }>"Cancel"</button>
                    }.into_any(),
                    _ => ().into_any(),
                }}
            </div>
            <p id="model-state" aria-live="polite" data-state=move || state.with(ModelState::name)
                data-backend=move || match state.get() { ModelState::Ready(f) => f.backend_id, _ => String::new() }
                data-progress-events=move || progress_events.get().to_string()
                data-downloaded-bytes=move || match state.get() { ModelState::Ready(f) => f.downloaded_bytes.to_string(), _ => String::new() }
                data-cached-bytes=move || match state.get() { ModelState::Ready(f) => f.cached_bytes.to_string(), _ => String::new() }>
                {move || match state.get() {
                    ModelState::NotLoaded | ModelState::Loading { .. } => String::new(),
                    ModelState::Ready(facts) => {
                        let bytes = facts.bytes_summary();
                        format!(
                            "Ready on {}: {}, loaded in {:.1} s{}.",
                            facts.backend, facts.info.id, facts.load_ms / 1e3,
                            if bytes.is_empty() { String::new() } else { format!(" ({bytes})") }
                        )
                    }
                    ModelState::Failed(f) if f.kind == FailureKind::Cancelled => format!("Loading stopped: {}", f.message),
                    ModelState::Failed(f) => format!("Could not load the model: {}", f.message),
                }}
            </p>
            {move || match state.get() {
                ModelState::Ready(facts) if !facts.notices.is_empty() => view! {
                    <ul id="model-notices" class="status-warn">
                        {facts.notices.iter().map(|n| view! { <li>{n.clone()}</li> }).collect_view()}
                    </ul>
                }.into_any(),
                ModelState::Failed(f) if matches!(f.kind, FailureKind::Gpu | FailureKind::Crashed) => view! {
                    <button id="load-on-cpu" on:click=move |_| {
                        if let Some((source, files)) = last.get_untracked() {
                            load(source, files, DeviceChoice::Cpu);
                        }
                    }>"Load again on the CPU"</button>
                }.into_any(),
                _ => ().into_any(),
            }}
        </section>
    }
}
