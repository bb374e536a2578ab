//! AIS in the tab (Benchmark Profiling, arXiv 2510.01232): choose abilities and
//! benchmarks (built-in, files, hub), zero the MLP weights most important for each
//! ability on the loaded model, and read how much each benchmark's accuracy drops: each
//! benchmark's profile as a radar, the ability × benchmark heatmap and the benchmark
//! similarity matrix, with the checks that say whether the ablation meant something.
//!
//! The gradients come from a second copy of the weights on an autodiff device, made from
//! the loaded model's file for the run and dropped after it; the masks are applied to the
//! loaded model itself and removed after every benchmark, also on error and cancel.

use crate::chart_canvas::ChartCanvas;
use crate::download::blob_url;
use crate::drawing;
use crate::model_state::ModelState;
use crate::mui_panel::{fetch_hub, read_file_at};
use crate::protocol::{Job, TaskItems};
use crate::query::url_setting;
use crate::run_status::{Current, RunState, RunStatus, cancel, into_report, run_job};
use crate::share::{ShareLink, opened_results};
use crate::table_view::ChartTables;
use leptos::prelude::*;
use leptos::task::spawn_local;
use mechscope_metrics::ais::{AisRun, AisSettings, DEFAULT_K, Metric, Selection};
use mechscope_report::chart::{RadarSeries, ais_heatmap, ais_radar, similarity_matrix};
use mechscope_report::{Report, table};
use mechscope_tasks::diagnostics::{self, Ability};
use mechscope_tasks::readers;
use mechscope_tasks::{Item, TaskSpec};
use web_sys::HtmlInputElement;

/// Seed of the built-in benchmarks: other items than the diagnostic sets' (seed 42),
/// so a benchmark never repeats the items an importance was computed from.
const BUILTIN_BENCHMARK_SEED: u64 = 7;

/// Everything the form decides, read once when Run is pressed.
#[derive(Debug, Clone)]
struct Choices {
    abilities: Vec<Ability>,
    builtin_benchmarks: Vec<Ability>,
    hub_specs: String,
    items_per_ability: usize,
    items_per_benchmark: usize,
    settings: AisSettings,
    sweep: bool,
}

/// Abilities chosen by checkboxes, in [`Ability::ALL`]'s order; in the URL as their
/// names joined by commas (`?ais_abilities=quantitative,deductive`).
#[derive(Debug, Clone, PartialEq, Eq)]
struct AbilityList(Vec<Ability>);

impl AbilityList {
    fn toggle(&mut self, ability: Ability, on: bool) {
        self.0.retain(|a| *a != ability);
        if on {
            self.0.push(ability);
            self.0
                .sort_by_key(|a| Ability::ALL.iter().position(|b| b == a));
        }
    }
}

impl std::fmt::Display for AbilityList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.0.iter().map(|a| a.name()).collect();
        f.write_str(&names.join(","))
    }
}

impl std::str::FromStr for AbilityList {
    type Err = ();

    /// An unknown name makes the whole list unreadable, so the default is used rather
    /// than a silently shorter list.
    fn from_str(text: &str) -> Result<Self, ()> {
        let mut list = AbilityList(Vec::new());
        for name in text.split(',').filter(|n| !n.is_empty()) {
            list.toggle(Ability::from_name(name).map_err(|_| ())?, true);
        }
        Ok(list)
    }
}

#[component]
pub fn AisPanel(state: ReadSignal<ModelState>) -> impl IntoView {
    // The choices live in the URL, so a reload or a shared URL restores them.
    let default_abilities = AbilityList(vec![Ability::Quantitative, Ability::LongTermKnowledge]);
    let abilities = url_setting("ais_abilities", default_abilities.clone());
    let builtin = url_setting("ais_builtin", default_abilities);
    let (hub_specs, set_hub_specs) = url_setting("ais_hub", String::new()).split();
    let (items_per_ability, set_items_per_ability) =
        url_setting("ais_items_per_ability", 20usize).split();
    let (items_per_benchmark, set_items_per_benchmark) = url_setting("ais_items", 20usize).split();
    let (k, set_k) = url_setting("ais_k", DEFAULT_K).split();
    let (sweep, set_sweep) = url_setting("ais_sweep", false).split();
    let (chunked, set_chunked) = url_setting("ais_chunked", false).split();
    let (acc_norm, set_acc_norm) = url_setting("ais_acc_norm", false).split();
    let (random_control, set_random_control) = url_setting("ais_random", true).split();
    let (run_state, set_run_state) = signal(RunState::Idle);
    let current: Current = RwSignal::new(None);
    let files_input = NodeRef::<leptos::html::Input>::new();

    let run = move |_| {
        set_run_state.set(RunState::Running("Preparing the data…".into()));
        let choices = Choices {
            abilities: abilities.get_untracked().0,
            builtin_benchmarks: builtin.get_untracked().0,
            hub_specs: hub_specs.get_untracked(),
            items_per_ability: items_per_ability.get_untracked(),
            items_per_benchmark: items_per_benchmark.get_untracked(),
            settings: AisSettings {
                k: k.get_untracked(),
                selection: if chunked.get_untracked() {
                    Selection::Chunked
                } else {
                    Selection::Global
                },
                metric: if acc_norm.get_untracked() {
                    Metric::AccNorm
                } else {
                    Metric::Acc
                },
                random_control: random_control.get_untracked(),
                seed: 42,
            },
            sweep: sweep.get_untracked(),
        };
        let files = files_input.get_untracked();
        spawn_local(async move {
            let outcome = run_once(choices, files, current, move |text| {
                set_run_state.set(RunState::Running(text))
            })
            .await;
            set_run_state.set(match outcome {
                Ok(report) => RunState::Done(Box::new(report)),
                Err(e) => RunState::Failed(e),
            });
        });
    };

    // A report opened from a share link or a file is shown as this panel's result.
    if let Some(opened) = opened_results() {
        Effect::new(move |_| {
            if let Some(last) = opened
                .reports(|r| r.ais().is_some())
                .and_then(|mut reports| reports.pop())
            {
                set_run_state.set(RunState::Done(Box::new(last)));
            }
        });
    }

    let ready = move || matches!(state.get(), ModelState::Ready { .. });
    let running = move || matches!(run_state.get(), RunState::Running(_));
    let ability_boxes = move |list: RwSignal<AbilityList>, prefix: &'static str| {
        Ability::ALL
            .iter()
            .map(|&ability| {
                let id = format!("{prefix}-{}", ability.name());
                view! {
                    <label title=ability.label()>
                        <input type="checkbox" id=id
                            prop:checked=move || list.get().0.contains(&ability)
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                list.update(|l| l.toggle(ability, on));
                            } />
                        " " {ability.name()}
                    </label>
                }
            })
            .collect_view()
    };
    view! {
        <section id="ais">
            <h2>"AIS — which abilities a benchmark really needs"</h2>
            <p class="muted">
                "For each ability, the MLP weights that matter most for its diagnostic questions (by |weight × gradient|) "
                "are set to zero, and each benchmark is scored again. AIS = (P − P without the ability) / (P − chance): "
                "1 means the benchmark fell to chance, 0 that it did not notice, below 0 that it got better "
                "(Ability Impact Score, Benchmark Profiling, arXiv 2510.01232)."
            </p>
            <fieldset class="ais-abilities">
                <legend>"Abilities to remove (one gradient pass each)"</legend>
                <div class="checks">{ability_boxes(abilities, "ais-ability")}</div>
            </fieldset>
            <fieldset class="ais-benchmarks">
                <legend>"Benchmarks to score"</legend>
                <p class="muted">"Built-in: four-choice questions generated for an ability (other items than the diagnostic sets)."</p>
                <div class="checks">{ability_boxes(builtin, "ais-builtin")}</div>
                <label>"Benchmark files (ARC, MMLU CSV, any JSONL of query/choices/gold) "
                    <input type="file" id="ais-files" multiple=true node_ref=files_input /></label>
                <label>"Hub datasets, comma-separated "
                    <input type="text" id="ais-hub" size="40" placeholder="hf:allenai/ai2_arc/ARC-Easy/test"
                        prop:value=move || hub_specs.get()
                        on:input=move |ev| set_hub_specs.set(event_target_value(&ev)) /></label>
            </fieldset>
            <details>
                <summary>"Options"</summary>
                <div class="options">
                    <label>"diagnostic items per ability " <input type="number" id="ais-items-per-ability" min="5"
                        prop:value=move || items_per_ability.get().to_string()
                        on:input=move |ev| set_items_per_ability.set(event_target_value(&ev).parse().unwrap_or(20)) /></label>
                    <label>"items per benchmark " <input type="number" id="ais-items" min="1"
                        prop:value=move || items_per_benchmark.get().to_string()
                        on:input=move |ev| set_items_per_benchmark.set(event_target_value(&ev).parse().unwrap_or(20)) /></label>
                    <label>"k (share of all parameters zeroed) " <input type="number" id="ais-k" step="0.0001" min="0" max="1"
                        prop:value=move || k.get().to_string()
                        on:input=move |ev| set_k.set(event_target_value(&ev).parse().unwrap_or(DEFAULT_K)) /></label>
                    <label><input type="checkbox" id="ais-sweep" prop:checked=move || sweep.get() on:change=move |ev| set_sweep.set(event_target_checked(&ev)) />
                        " sweep the authors' k grid (1e-5 … 1.024e-2) instead"</label>
                    <label><input type="checkbox" id="ais-chunked" prop:checked=move || chunked.get() on:change=move |ev| set_chunked.set(event_target_checked(&ev)) />
                        " chunked selection (the authors' code) instead of global top-n"</label>
                    <label><input type="checkbox" id="ais-acc-norm" prop:checked=move || acc_norm.get() on:change=move |ev| set_acc_norm.set(event_target_checked(&ev)) />
                        " AIS from length-normalised accuracy (acc_norm)"</label>
                    <label><input type="checkbox" id="ais-random" prop:checked=move || random_control.get()
                        on:change=move |ev| set_random_control.set(event_target_checked(&ev)) />
                        " also a random mask of the same size (control)"</label>
                </div>
            </details>
            <button id="ais-run" on:click=run disabled=move || !ready() || running()>"Run AIS"</button>
            <button id="ais-cancel" on:click=move |_| cancel(current) disabled=move || !running()>"Cancel"</button>
            {move || (!ready()).then(|| view! { <p class="muted">"Load the model first."</p> })}
            <RunStatus id="ais-status" state=run_state result=|report| view! { <AisResultView report /> } />
        </section>
    }
}

/// The chosen benchmarks as items: built-in ones, then files, then hub datasets.
async fn benchmark_items(
    choices: &Choices,
    files: Option<HtmlInputElement>,
    progress: &impl Fn(String),
) -> Result<Vec<(String, Vec<Item>, usize)>, String> {
    let limit = choices.items_per_benchmark.max(1);
    let mut out = Vec::new();
    for &ability in &choices.builtin_benchmarks {
        let items = diagnostics::generate(ability, limit, BUILTIN_BENCHMARK_SEED)
            .iter()
            .enumerate()
            .filter_map(|(i, item)| item.to_item(i).ok())
            .collect();
        out.push((format!("{} (built-in)", ability.name()), items, 0));
    }
    if let Some(input) = files {
        let count = input.files().map_or(0, |f| f.length());
        for at in 0..count {
            let (name, bytes) = read_file_at(&input, at).await?;
            let (_, loaded) =
                readers::load(&name, &bytes, None).map_err(|e| format!("{name}: {e}"))?;
            let mut items = loaded.items;
            items.truncate(limit);
            out.push((name, items, loaded.errors.len()));
        }
    }
    for spec in choices
        .hub_specs
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let TaskSpec::Hub(split) = TaskSpec::parse(spec).map_err(|e| e.to_string())? else {
            return Err(format!(
                "{spec:?} is not a hub spec (hf:owner/dataset/config/split)"
            ));
        };
        progress(format!("Fetching {limit} rows of {spec}…"));
        let loaded = fetch_hub(&split, limit).await?;
        let mut items = loaded.items;
        items.truncate(limit);
        out.push((spec.to_string(), items, loaded.errors.len()));
    }
    if out.is_empty() {
        return Err("choose at least one benchmark".into());
    }
    Ok(out)
}

async fn run_once(
    choices: Choices,
    files: Option<HtmlInputElement>,
    current: Current,
    progress: impl Fn(String) + 'static,
) -> Result<Report, String> {
    if choices.abilities.is_empty() {
        return Err("choose at least one ability".into());
    }
    if !(0.0..=1.0).contains(&choices.settings.k) {
        return Err(format!("k must be from 0 to 1, got {}", choices.settings.k));
    }
    let benchmarks = benchmark_items(&choices, files, &progress)
        .await?
        .into_iter()
        .map(|(spec, items, rows_skipped)| TaskItems {
            spec,
            items,
            rows_skipped,
            seed: None,
        })
        .collect();
    let job = Job::Ais {
        abilities: choices
            .abilities
            .iter()
            .map(|a| a.name().to_string())
            .collect(),
        items_per_ability: choices.items_per_ability,
        benchmarks,
        settings: choices.settings,
        sweep: choices.sweep,
    };
    into_report(run_job(job, current, progress).await?)
}

/// A pipeline step in words, for the status line.
fn ais_cell(score: &mechscope_metrics::ais::Score) -> String {
    score
        .value()
        .map_or_else(|| "undefined".to_string(), |v| format!("{v:+.3}"))
}

#[component]
fn AisResultView(report: Report) -> impl IntoView {
    let Some(runs) = report.ais().map(|r| r.runs.clone()) else {
        return ().into_any();
    };
    let json = serde_json::to_string(&report).unwrap_or_default();
    let download = blob_url(&json);
    let chosen = RwSignal::new(0usize);
    let n_runs = runs.len();
    let runs_for_view = runs.clone();
    let shared = vec![report.clone()];
    view! {
        <ShareLink id="ais" reports=shared chart="ais-radar" />
        <ChartTables id="ais-profiles-table" tables=table::ais_profiles(&report) />
        {(n_runs > 1).then(|| view! {
            <div class="k-choice" role="group" aria-label="budget k">
                "k: "
                {runs.iter().enumerate().map(|(i, run)| {
                    let k = run.settings.k;
                    view! {
                        <button class="k" aria-pressed=move || (chosen.get() == i).to_string()
                            on:click=move |_| chosen.set(i)>{format!("{k}")}</button>
                    }
                }).collect_view()}
            </div>
        })}
        {move || {
            let run = runs_for_view[chosen.get().min(n_runs - 1)].clone();
            view! { <RunView run /> }
        }}
        <details>
            <summary>"Report (JSON)"</summary>
            {download.map(|url| view! { <a id="ais-download" href=url download="ais-report.json">"Download the report"</a> })}
            <pre id="ais-report">{json}</pre>
        </details>
    }
    .into_any()
}

#[component]
fn RunView(run: AisRun) -> impl IntoView {
    let abilities = run.ability_names();
    let names = run.benchmark_names();
    let values = run.ais_matrix();
    let series = RadarSeries::first_rows(&names, &values);
    let summary = |what: &str| {
        format!(
            "{what}: {}",
            run.benchmarks
                .iter()
                .map(|b| format!(
                    "{}: {}",
                    b.name,
                    b.abilities
                        .iter()
                        .map(|a| format!("{} {}", a.ability, ais_cell(&a.ais)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
                .collect::<Vec<_>>()
                .join("; ")
        )
    };
    let radar_label = summary("AIS profile radar");
    let heatmap_label = summary("AIS heatmap");
    let similarity_label = format!(
        "Benchmark profile similarity: {}",
        run.similarity
            .iter()
            .zip(&names)
            .map(|(row, name)| format!(
                "{name}: {}",
                row.iter()
                    .map(|v| v.map_or("n/a".to_string(), |v| format!("{v:.2}")))
                    .collect::<Vec<_>>()
                    .join(" ")
            ))
            .collect::<Vec<_>>()
            .join("; ")
    );
    let title = format!(
        "AIS at k = {} ({} weights zeroed per mask)",
        run.settings.k, run.n_sel
    );
    let (radar_abilities, radar_title) = (abilities.clone(), title.clone());
    let (heat_abilities, heat_names, heat_title) =
        (abilities.clone(), names.clone(), title.clone());
    let similarity = run.similarity.clone();
    let similarity_names = names.clone();
    view! {
        <dl class="facts" id="ais-result" data-k=run.settings.k.to_string() data-n-sel=run.n_sel>
            <dt>"budget"</dt><dd>{format!("k = {}: {} of {} parameters zeroed per mask (within the {} MLP weights)", run.settings.k, run.n_sel, run.n_total, run.n_mlp)}</dd>
            <dt>"selection"</dt><dd>{format!("{:?}, AIS from {:?}", run.settings.selection, run.settings.metric)}</dd>
        </dl>
        {(!run.warnings.is_empty()).then(|| view! {
            <ul id="ais-warnings" class="status-warn">
                {run.warnings.iter().map(|w| view! { <li>{w.clone()}</li> }).collect_view()}
            </ul>
        })}
        <table id="ais-table">
            <caption>"AIS per benchmark (rows) and removed ability (columns); accuracy before removal and chance"</caption>
            <thead><tr>
                <th>"benchmark"</th><th class="num">"accuracy"</th><th class="num">"chance"</th>
                {abilities.iter().map(|a| view! { <th class="num">{a.clone()}</th> }).collect_view()}
            </tr></thead>
            <tbody>
                {run.benchmarks.iter().map(|b| view! {
                    <tr data-destroyed=b.destroyed.to_string()>
                        <td>{b.name.clone()}</td>
                        <td class="num">{format!("{:.3}", b.base.metric(run.settings.metric))}</td>
                        <td class="num">{format!("{:.3}", b.chance)}</td>
                        {b.abilities.iter().map(|a| {
                            let reason = match &a.ais {
                                mechscope_metrics::ais::Score::Undefined { reason } => reason.clone(),
                                _ => format!("accuracy {:.3} → {:.3} (top mask), {:.3} (bottom mask)", b.base.metric(run.settings.metric), a.top.metric(run.settings.metric), a.bottom.metric(run.settings.metric)),
                            };
                            view! { <td class="num" title=reason>{ais_cell(&a.ais)}</td> }
                        }).collect_view()}
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <table id="ais-own-tests">
            <caption>"Check: each ability's own test questions, before removal / without the ability (top mask) / without its least important weights (bottom mask)"</caption>
            <thead><tr><th>"ability"</th><th class="num">"before"</th><th class="num">"top mask"</th><th class="num">"bottom mask"</th></tr></thead>
            <tbody>
                {run.abilities.iter().map(|a| match &a.own_test {
                    Some(own) => view! { <tr><td>{a.name.clone()}</td>
                        <td class="num">{format!("{:.3}", own.base.acc)}</td>
                        <td class="num">{format!("{:.3}", own.top.acc)}</td>
                        <td class="num">{format!("{:.3}", own.bottom.acc)}</td></tr> }.into_any(),
                    None => view! { <tr><td>{a.name.clone()}</td><td colspan="3">"no test split"</td></tr> }.into_any(),
                }).collect_view()}
            </tbody>
        </table>
        <figure class="chart-figure">
            <ChartCanvas id="ais-radar" label=radar_label width=900 height=640
                draw=drawing!([radar_title, radar_abilities, series] |area| ais_radar(area, &radar_title, &radar_abilities, &series)) />
            <figcaption class="muted">"Each benchmark's profile: how far its accuracy falls toward chance without each ability. The dashed ring is the authors' 0.05 threshold; points inside the zero ring mean the benchmark did better without the ability."</figcaption>
        </figure>
        <figure class="chart-figure">
            <ChartCanvas id="ais-heatmap" label=heatmap_label width=900 height=480
                draw=drawing!([heat_title, heat_abilities, heat_names, values] |area| ais_heatmap(area, &heat_title, &heat_abilities, &heat_names, &values)) />
        </figure>
        <figure class="chart-figure">
            <ChartCanvas id="ais-similarity" label=similarity_label width=700 height=560
                draw=drawing!([similarity_names, similarity] |area| similarity_matrix(area, "Benchmark profile similarity (1 − Jensen–Shannon divergence)", &similarity_names, &similarity)) />
            <figcaption class="muted">"Two benchmarks with similar profiles need the same abilities; n/a where a profile has no positive AIS."</figcaption>
        </figure>
    }
}
