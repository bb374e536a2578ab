//! MUI in the tab: choose a task (built-in, a benchmark file, a hub dataset, or
//! recorded responses), run it on the loaded model with progress and cancel, and see
//! the MUI, the accuracy, the per-layer shares and the run's place on the Utility Law
//! beside the session's earlier runs.

use crate::bytes::{ByteSource, fetch_all};
use crate::chart_canvas::ChartCanvas;
use crate::download::blob_url;
use crate::drawing;
use crate::model_state::ModelState;
use crate::protocol::{Job, TaskItems};
use crate::query::url_setting;
use crate::run_status::{Current, RunState, RunStatus, cancel, into_report, run_job};
use crate::share::{ShareLink, opened_results};
use crate::table_view::ChartTables;
use leptos::prelude::*;
use leptos::task::spawn_local;
use mechscope_metrics::mui::{
    AUTHORS_FIT, LawPoint, MuiOptions, MuiSettings, PromptStyle, ResponseSource, SelectionRule,
    Target, TokenSample, fit_utility_law,
};
use mechscope_report::chart::{mui_layers, utility_law};
use mechscope_report::{Report, table};
use mechscope_tasks::hub::{self, HubSplit};
use mechscope_tasks::readers::{self, Layout};
use mechscope_tasks::{Builtin, Loaded, TaskSpec};
use web_sys::HtmlInputElement;

/// Where the task comes from; `?mui_source=` in the URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Builtin,
    File,
    Hub,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Source::Builtin => "builtin",
            Source::File => "file",
            Source::Hub => "hub",
        })
    }
}

impl std::str::FromStr for Source {
    type Err = ();

    fn from_str(text: &str) -> Result<Self, ()> {
        match text {
            "builtin" => Ok(Source::Builtin),
            "file" => Ok(Source::File),
            "hub" => Ok(Source::Hub),
            _ => Err(()),
        }
    }
}

/// A run of this session, for the Utility-Law points.
#[derive(Debug, Clone, PartialEq)]
struct SessionPoint {
    label: String,
    performance_pct: Option<f64>,
    mui_pct: f64,
    /// The whole report, for the share link.
    report: Report,
}

impl SessionPoint {
    /// The run's point; `None` for a report of another metric.
    fn of(report: &Report) -> Option<Self> {
        let run = report.mui()?;
        Some(SessionPoint {
            label: report.task.spec.clone(),
            performance_pct: run.accuracy.and_then(|a| a.value()).map(|v| v * 100.0),
            mui_pct: run.result.mui * 100.0,
            report: report.clone(),
        })
    }
}

/// The datasets-server: `?hub=<base>` on the page's URL (tests use a local server),
/// else Hugging Face's.
fn hub_base() -> String {
    crate::query::param("hub").unwrap_or_else(|| hub::DEFAULT_BASE.to_string())
}

async fn read_file(input: &HtmlInputElement) -> Result<(String, Vec<u8>), String> {
    read_file_at(input, 0).await
}

/// The name and bytes of the `index`-th file chosen in `input`.
pub(crate) async fn read_file_at(
    input: &HtmlInputElement,
    index: u32,
) -> Result<(String, Vec<u8>), String> {
    let file = input
        .files()
        .and_then(|f| f.get(index))
        .ok_or("choose a file first")?;
    let name = file.name();
    let (bytes, _) = ByteSource::File(file)
        .prefix(u64::MAX)
        .await
        .map_err(|e| e.to_string())?;
    Ok((name, bytes))
}

pub(crate) async fn fetch_hub(split: &HubSplit, n_items: usize) -> Result<Loaded, String> {
    let mut rows = Vec::new();
    for url in split.page_urls(&hub_base(), 0, n_items) {
        let body = fetch_all(&url, |_, _| {})
            .await
            .map_err(|e| e.to_string())?;
        let page = hub::parse_rows_response(&body).map_err(|e| e.to_string())?;
        let last = page.rows.len() < hub::MAX_PAGE_LENGTH;
        rows.extend(page.rows);
        if last {
            break;
        }
    }
    let layout = split
        .known_layout()
        .or_else(|| rows.first().and_then(|r| Layout::sniff(&r.row)))
        .ok_or_else(|| format!("no known layout for {}", split.dataset))?;
    Ok(hub::items_from_rows(&rows, &layout))
}

fn parse_responses(text: &str) -> Result<Vec<TokenSample>, String> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| {
            serde_json::from_str(l).map_err(|e| {
                format!("responses line {}: {e} (expected {{\"prompt_ids\": [...], \"response_ids\": [...]}})", n + 1)
            })
        })
        .collect()
}

#[component]
pub fn MuiPanel(state: ReadSignal<ModelState>) -> impl IntoView {
    // The task and its options live in the URL, so a reload or a shared URL restores them.
    let (source, set_source) = url_setting("mui_source", Source::Builtin).split();
    let (builtin, set_builtin) =
        url_setting("mui_task", Builtin::Arithmetic.name().to_string()).split();
    let (hub_spec, set_hub_spec) =
        url_setting("mui_hub", "hf:allenai/ai2_arc/ARC-Easy/test".to_string()).split();
    let (limit, set_limit) = url_setting("mui_items", 10usize).split();
    let (top_k, set_top_k) = url_setting("mui_k", String::new()).split();
    let (ratio, set_ratio) = url_setting("mui_ratio", 0.001f64).split();
    let (target_next, set_target_next) = url_setting("mui_next", false).split();
    let (gold, set_gold) = url_setting("mui_gold", false).split();
    let (max_new, set_max_new) = url_setting("mui_max_new", 32usize).split();
    let (run_state, set_run_state) = signal(RunState::Idle);
    let (points, set_points) = signal(Vec::<SessionPoint>::new());
    let current: Current = RwSignal::new(None);
    let file_input = NodeRef::<leptos::html::Input>::new();
    let responses_input = NodeRef::<leptos::html::Input>::new();

    let run = move |_| {
        set_run_state.set(RunState::Running("Preparing the task…".into()));
        spawn_local(async move {
            let outcome = run_once(
                source.get_untracked(),
                builtin.get_untracked(),
                hub_spec.get_untracked(),
                limit.get_untracked(),
                settings(
                    ratio.get_untracked(),
                    top_k.get_untracked(),
                    target_next.get_untracked(),
                    gold.get_untracked(),
                    max_new.get_untracked(),
                ),
                file_input.get_untracked(),
                responses_input.get_untracked(),
                current,
                move |text| set_run_state.set(RunState::Running(text)),
            )
            .await;
            match outcome {
                Ok(report) => {
                    set_points.update(|p| p.extend(SessionPoint::of(&report)));
                    set_run_state.set(RunState::Done(Box::new(report)));
                }
                Err(e) => set_run_state.set(RunState::Failed(e)),
            }
        });
    };

    // Reports opened from a share link or a file are shown as this session's runs.
    if let Some(opened) = opened_results() {
        Effect::new(move |_| {
            let Some(reports) = opened.reports(|r| r.mui().is_some()) else {
                return;
            };
            if let Some(last) = reports.last() {
                set_run_state.set(RunState::Done(Box::new(last.clone())));
            }
            set_points.set(reports.iter().filter_map(SessionPoint::of).collect());
        });
    }
    let share = move || {
        let reports: Vec<Report> = points.get().into_iter().map(|p| p.report).collect();
        (!reports.is_empty()).then(|| view! { <ShareLink id="mui" reports chart="mui-layers" /> })
    };

    let ready = move || matches!(state.get(), ModelState::Ready { .. });
    let running = move || matches!(run_state.get(), RunState::Running(_));
    view! {
        <section id="mui">
            <h2>"MUI — how much of the model a task uses"</h2>
            <p class="muted">
                "The share of MLP neurons whose contribution to the response's tokens is among the top k of their layer, "
                "united over the task's samples (Model Utilization Index, arXiv 2504.07440)."
            </p>
            <fieldset class="task-source">
                <legend>"Task"</legend>
                <label><input type="radio" name="mui-source" id="mui-source-builtin" prop:checked=move || source.get() == Source::Builtin
                    on:change=move |_| set_source.set(Source::Builtin) />" built-in "</label>
                <select id="mui-builtin" on:change=move |ev| { set_builtin.set(event_target_value(&ev)); set_source.set(Source::Builtin); }>
                    {Builtin::ALL.into_iter().map(|b| view! {
                        <option value=b.name() title=b.description() prop:selected=move || builtin.get() == b.name()>{b.name()}</option>
                    }).collect_view()}
                </select>
                <label><input type="radio" name="mui-source" id="mui-source-file" prop:checked=move || source.get() == Source::File
                    on:change=move |_| set_source.set(Source::File) />" benchmark file "</label>
                <input type="file" id="mui-file" node_ref=file_input
                    on:change=move |_| set_source.set(Source::File) />
                <label><input type="radio" name="mui-source" id="mui-source-hub" prop:checked=move || source.get() == Source::Hub
                    on:change=move |_| set_source.set(Source::Hub) />" hub dataset "</label>
                <input type="text" id="mui-hub" size="36" prop:value=move || hub_spec.get()
                    on:input=move |ev| { set_hub_spec.set(event_target_value(&ev)); set_source.set(Source::Hub); } />
            </fieldset>
            <details>
                <summary>"Options"</summary>
                <div class="options">
                    <label>"items " <input type="number" id="mui-limit" min="1" prop:value=move || limit.get().to_string()
                        on:input=move |ev| set_limit.set(event_target_value(&ev).parse().unwrap_or(10)) /></label>
                    <label>"ratio " <input type="number" id="mui-ratio" step="0.001" min="0.0001" max="1" prop:value=move || ratio.get().to_string()
                        on:input=move |ev| set_ratio.set(event_target_value(&ev).parse().unwrap_or(0.001)) /></label>
                    <label>"or k " <input type="number" id="mui-k" min="1" placeholder="from ratio" prop:value=move || top_k.get()
                        on:input=move |ev| set_top_k.set(event_target_value(&ev)) /></label>
                    <label><input type="checkbox" id="mui-next" prop:checked=move || target_next.get() on:change=move |ev| set_target_next.set(event_target_checked(&ev)) />
                        " score against the next token"</label>
                    <label><input type="checkbox" id="mui-gold" prop:checked=move || gold.get() on:change=move |ev| set_gold.set(event_target_checked(&ev)) />
                        " gold answers instead of generating (faster)"</label>
                    <label>"max new tokens " <input type="number" id="mui-max-new" min="1" prop:value=move || max_new.get().to_string()
                        on:input=move |ev| set_max_new.set(event_target_value(&ev).parse().unwrap_or(32)) /></label>
                    <label>"recorded responses (JSONL of prompt_ids/response_ids) "
                        <input type="file" id="mui-responses" accept=".jsonl,.json" node_ref=responses_input /></label>
                </div>
            </details>
            <button id="mui-run" on:click=run disabled=move || !ready() || running()>"Run MUI"</button>
            <button id="mui-cancel" on:click=move |_| cancel(current) disabled=move || !running()>"Cancel"</button>
            {move || (!ready()).then(|| view! { <p class="muted">"Load the model first."</p> })}
            <RunStatus id="mui-status" state=run_state result=|report| view! { <MuiResultView report /> } />
            {share}
            <LawView points />
        </section>
    }
}

fn settings(ratio: f64, top_k: String, next: bool, gold: bool, max_new: usize) -> MuiSettings {
    MuiSettings {
        options: MuiOptions {
            ratio,
            top_k: top_k.trim().parse().ok().filter(|&k: &usize| k > 0),
            target: if next { Target::Next } else { Target::Same },
            rule: SelectionRule::PerLayerTopK,
        },
        response: if gold {
            ResponseSource::Gold
        } else {
            ResponseSource::Model {
                max_new_tokens: max_new,
            }
        },
        prompt: PromptStyle::Chat,
    }
}

#[allow(clippy::too_many_arguments)]
async fn run_once(
    source: Source,
    builtin: String,
    hub_spec: String,
    limit: usize,
    settings: MuiSettings,
    file_input: Option<HtmlInputElement>,
    responses_input: Option<HtmlInputElement>,
    current: Current,
    progress: impl Fn(String) + 'static,
) -> Result<Report, String> {
    let recorded = match responses_input
        .as_ref()
        .filter(|i| i.files().is_some_and(|f| f.length() > 0))
    {
        Some(input) => {
            let (_, bytes) = read_file(input).await?;
            let mut samples = parse_responses(&String::from_utf8_lossy(&bytes))?;
            samples.truncate(limit);
            Some(samples)
        }
        None => None,
    };
    // Recorded responses may come without a task: then there is no accuracy.
    let task: Option<TaskItems> = match (source, &recorded) {
        (Source::Builtin, Some(_)) => None,
        (Source::Builtin, None) => {
            let b = Builtin::from_name(&builtin).map_err(|e| e.to_string())?;
            Some(TaskItems {
                spec: b.name().to_string(),
                items: b.generate(limit, 0),
                rows_skipped: 0,
                seed: Some(0),
            })
        }
        (Source::File, _) => {
            let input = file_input.ok_or("no file input")?;
            let (name, bytes) = read_file(&input).await?;
            let (_, loaded) =
                readers::load(&name, &bytes, None).map_err(|e| format!("{name}: {e}"))?;
            let mut items = loaded.items;
            items.truncate(limit);
            Some(TaskItems {
                spec: name,
                items,
                rows_skipped: loaded.errors.len(),
                seed: None,
            })
        }
        (Source::Hub, _) => {
            let TaskSpec::Hub(split) = TaskSpec::parse(&hub_spec).map_err(|e| e.to_string())?
            else {
                return Err(format!(
                    "{hub_spec:?} is not a hub spec (hf:owner/dataset/config/split)"
                ));
            };
            progress(format!("Fetching {} rows…", limit));
            let loaded = fetch_hub(&split, limit).await?;
            let mut items = loaded.items;
            items.truncate(limit);
            Some(TaskItems {
                spec: hub_spec.clone(),
                items,
                rows_skipped: loaded.errors.len(),
                seed: None,
            })
        }
    };
    if let Some(task) = &task
        && task.items.is_empty()
    {
        return Err(format!("{} has no usable items", task.spec));
    }
    let job = Job::Mui {
        task,
        recorded,
        settings,
    };
    into_report(run_job(job, current, progress).await?)
}

#[component]
fn MuiResultView(report: Report) -> impl IntoView {
    let Some(run) = report.mui().cloned() else {
        return ().into_any();
    };
    let r = &run.result;
    let json = serde_json::to_string(&report).unwrap_or_default();
    let d_ff = r.neuron_set.d_ff.max(1);
    // What the chart shows, for screen readers (and tests): every layer's count.
    let layers_label = format!(
        "MUI per layer, neurons used of {d_ff}: {}",
        r.union_per_layer
            .iter()
            .enumerate()
            .map(|(l, u)| format!("layer {l} {u}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let subject = format!("{} · {}", report.model.id, report.task.spec);
    let result = r.clone();
    let accuracy = run.accuracy.and_then(|a| a.value().map(|v| (a, v)));
    let download = blob_url(&json);
    view! {
        <dl class="facts" id="mui-result" data-mui=r.mui.to_string() data-union=r.union_size>
            <dt>"MUI"</dt><dd id="mui-value">{format!("{:.4}% ({} of {} neurons)", r.mui * 100.0, r.union_size, r.total_neurons)}</dd>
            <dt>"k per sample and layer"</dt><dd>{run.k}</dd>
            <dt>"samples"</dt><dd>{run.samples.len()}</dd>
            <dt>"accuracy"</dt><dd id="mui-accuracy">{match accuracy {
                Some((a, v)) => format!("{:.1}% ({} of {}, {} without an answer)", v * 100.0, a.n_correct, a.n_items, a.n_unanswered),
                None => "— (no task to score against)".to_string(),
            }}</dd>
            <dt>"time"</dt><dd>{format!("responses {:.1} s, scoring {:.1} s", run.timings.responses_s, run.timings.scoring_s)}</dd>
        </dl>
        <figure class="chart-figure">
            <ChartCanvas id="mui-layers" label=layers_label width=900 height=420
                draw=drawing!([result, subject] |area| mui_layers(area, &result, &subject)) />
            <figcaption class="muted">"Neurons used per layer (layer 0 on the left), as a share of the layer's MLP width: the union over all samples."</figcaption>
        </figure>
        <ChartTables id="mui-layers-table" tables=table::mui_layers(&report).into_iter().collect() />
        <details>
            <summary>"Report (JSON)"</summary>
            {download.map(|url| view! { <a id="mui-download" href=url download="mui-report.json">"Download the report"</a> })}
            <pre id="mui-report">{json}</pre>
        </details>
    }
    .into_any()
}

#[component]
fn LawView(points: ReadSignal<Vec<SessionPoint>>) -> impl IntoView {
    move || {
        let pts = points.get();
        if pts.is_empty() {
            return ().into_any();
        }
        let law: Vec<LawPoint> = pts
            .iter()
            .filter_map(|p| {
                p.performance_pct.filter(|&v| v > 0.0).map(|perf| LawPoint {
                    label: p.label.clone(),
                    performance_pct: perf,
                    mui_pct: p.mui_pct,
                })
            })
            .collect();
        let fit = fit_utility_law(&law);
        let law_label = format!(
            "Utility Law chart, MUI against accuracy P: {}",
            law.iter()
                .map(|p| format!(
                    "{} P {:.1}% MUI {:.4}%",
                    p.label, p.performance_pct, p.mui_pct
                ))
                .collect::<Vec<_>>()
                .join("; ")
        );
        let plotted = law.clone();
        view! {
            <h3>"Utility Law: this session's runs"</h3>
            <ChartCanvas id="mui-law" label=law_label width=900 height=520
                draw=drawing!([plotted] |area| utility_law(area, &plotted)) />
            <table id="mui-points">
                <thead><tr><th>"Task"</th><th class="num">"Accuracy P"</th><th class="num">"MUI"</th><th class="num">"Authors' curve at P"</th></tr></thead>
                <tbody>
                    {pts.into_iter().map(|p| view! {
                        <tr>
                            <td>{p.label}</td>
                            <td class="num">{p.performance_pct.map_or("—".into(), |v| format!("{v:.1}%"))}</td>
                            <td class="num">{format!("{:.4}%", p.mui_pct)}</td>
                            <td class="num">{p.performance_pct.filter(|&v| v > 0.0).map_or("—".into(), |v| format!("{:.2}%", AUTHORS_FIT.0 * v.ln() + AUTHORS_FIT.1))}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <p class="muted" id="mui-fit">{match fit {
                Ok(f) => format!("Fit over these runs: MUI = {:.3} ln(P) + {:.3}, R² = {:.3}. The authors' fit over 7-9B models: MUI = {} ln(P) + {}.", f.a, f.b, f.r2, AUTHORS_FIT.0, AUTHORS_FIT.1),
                Err(e) => format!("No fit yet: {e}."),
            }}</p>
        }
        .into_any()
    }
}
