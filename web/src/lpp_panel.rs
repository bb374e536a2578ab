//! LPP in the tab (Latent Performance Profiling, metrics.md §3): how the loaded model
//! processes, not only what it answers. Latent metrics over probe text (the bundled
//! text or a file), the uncertainty probe and the symbolic reasoning probe, with
//! progress and cancel; the profile as a radar, the per-layer metrics over relative
//! depth, and tables of the scalars, the strata and the symbolic levels.
//!
//! Every finished run stays in the session, so a second model loaded later (or the same
//! model with other settings) is drawn over the first: the depth curves are resampled
//! to relative depth `l/L`, which is what makes models of different depth comparable.
//! LPP only reads the model, so it runs on the shared slot like MUI does.

use crate::chart_canvas::ChartCanvas;
use crate::download::blob_url;
use crate::drawing;
use crate::model_state::ModelState;
use crate::mui_panel::read_file_at;
use crate::protocol::Job;
use crate::query::url_setting;
use crate::run_status::{Current, RunState, RunStatus, cancel, into_report, run_job};
use crate::share::{ShareLink, opened_results};
use crate::table_view::ChartTables;
use leptos::prelude::*;
use leptos::task::spawn_local;
use mechscope_metrics::lpp::symbolic::Crossing;
use mechscope_metrics::lpp::{LppRun, LppSettings, Probes};
use mechscope_report::chart::{
    DEPTH_METRICS, DepthCurve, RADAR_MAX_SERIES, lpp_depth_curves, lpp_radar, lpp_radar_series,
};
use mechscope_report::{Report, table};
use mechscope_tasks::probes::DEFAULT_TEXT;
use web_sys::HtmlInputElement;

/// What the bundled probe text is called in reports and on the page.
const BUNDLED_TEXT_NAME: &str = "bundled probe text";

/// A finished run of this session, as the comparison charts name it.
#[derive(Debug, Clone, PartialEq)]
struct SessionRun {
    /// The run's place in the session, from 1; a share link of the last few runs keeps
    /// their numbers ([`FIRST_RUN`]), so the opened legend reads as the original did.
    number: usize,
    /// `#2 SmolLM2-135M-Instruct.Q4_1 · 8×256`: the model and the text's shape, so two
    /// runs in a legend are told apart at a glance; the number keeps repeats distinct.
    label: String,
    run: LppRun,
    /// The whole report, for the share link.
    report: Report,
}

impl SessionRun {
    /// The run as the `number`-th of the session; `None` for a report of another metric.
    fn of(number: usize, report: &Report) -> Option<Self> {
        let run = report.lpp()?.clone();
        Some(SessionRun {
            number,
            label: session_label(number, &report.model.id, &run),
            run,
            report: report.clone(),
        })
    }
}

/// The share link's setting (of the `lpp-radar` chart) for the number of its first run:
/// a link made when the session had more runs than the charts show carries only the
/// last few, and they keep their numbers.
const FIRST_RUN: &str = "first_run";
/// A link's `first_run` above this is taken for damage and ignored (numbers from 1).
const MAX_FIRST_RUN: u64 = 1_000_000;

/// Everything the form decides, read once when Run is pressed.
#[derive(Debug, Clone)]
struct Choices {
    settings: LppSettings,
    text_file: Option<HtmlInputElement>,
}

/// A whole-number field's value, or `fallback` when it is not one.
fn parse_count(text: &str, fallback: usize) -> usize {
    text.trim().parse().unwrap_or(fallback)
}

#[component]
pub fn LppPanel(state: ReadSignal<ModelState>) -> impl IntoView {
    let defaults = LppSettings::default();
    // The probes and sizes live in the URL, so a reload or a shared URL restores them.
    let (text_probe, set_text_probe) = url_setting("lpp_text", true).split();
    let (uncertainty_probe, set_uncertainty_probe) = url_setting("lpp_uncertainty", true).split();
    let (symbolic_probe, set_symbolic_probe) = url_setting("lpp_symbolic", true).split();
    let (n_seq, set_n_seq) = url_setting("lpp_seqs", defaults.n_seq).split();
    let (seq_len, set_seq_len) = url_setting("lpp_seq_len", defaults.seq_len).split();
    let (per_stratum, set_per_stratum) =
        url_setting("lpp_per_stratum", defaults.uncertainty_per_stratum).split();
    let (per_level, set_per_level) =
        url_setting("lpp_per_level", defaults.symbolic_per_level).split();
    let (run_state, set_run_state) = signal(RunState::Idle);
    let (session, set_session) = signal(Vec::<SessionRun>::new());
    let current: Current = RwSignal::new(None);
    let text_file = NodeRef::<leptos::html::Input>::new();

    let run = move |_| {
        set_run_state.set(RunState::Running("Preparing the probes…".into()));
        let choices = Choices {
            settings: LppSettings {
                probes: Probes {
                    text: text_probe.get_untracked(),
                    uncertainty: uncertainty_probe.get_untracked(),
                    symbolic: symbolic_probe.get_untracked(),
                },
                n_seq: n_seq.get_untracked(),
                seq_len: seq_len.get_untracked(),
                uncertainty_per_stratum: per_stratum.get_untracked(),
                symbolic_per_level: per_level.get_untracked(),
                ..LppSettings::default()
            },
            text_file: text_file.get_untracked(),
        };
        spawn_local(async move {
            let outcome = run_once(choices, current, move |text| {
                set_run_state.set(RunState::Running(text))
            })
            .await;
            match outcome {
                Ok(report) => {
                    set_session.update(|runs| {
                        let number = runs.last().map_or(1, |last| last.number + 1);
                        runs.extend(SessionRun::of(number, &report));
                    });
                    set_run_state.set(RunState::Done(Box::new(report)));
                }
                Err(e) => set_run_state.set(RunState::Failed(e)),
            }
        });
    };

    // Reports opened from a share link or a file are shown as this session's runs.
    if let Some(opened) = opened_results() {
        Effect::new(move |_| {
            let Some(reports) = opened.reports(|r| r.lpp().is_some()) else {
                return;
            };
            let first = first_run_of(opened.chart_option("lpp-radar", FIRST_RUN));
            let runs: Vec<SessionRun> = reports
                .iter()
                .enumerate()
                .filter_map(|(i, r)| SessionRun::of(first + i, r))
                .collect();
            if let Some(last) = reports.last() {
                set_run_state.set(RunState::Done(Box::new(last.clone())));
            }
            set_session.set(runs);
        });
    }

    let ready = move || matches!(state.get(), ModelState::Ready { .. });
    let running = move || matches!(run_state.get(), RunState::Running(_));
    let number = move |id: &'static str,
                       value: ReadSignal<usize>,
                       set: WriteSignal<usize>,
                       min: &'static str,
                       fallback: usize| {
        view! {
            <input type="number" id=id min=min
                prop:value=move || value.get().to_string()
                on:input=move |ev| set.set(parse_count(&event_target_value(&ev), fallback)) />
        }
    };
    view! {
        <section id="lpp">
            <h2>"LPP — how the model processes, not only what it answers"</h2>
            <p class="muted">
                "Latent Performance Profiling (arXiv 2605.30018): entropy of the output and of each layer read through the "
                "unembedding (logit lens), how much each layer changes the hidden states, their scale, spread and rank, "
                "perplexity, calibration on questions with and without a right answer, and accuracy on symbolic problems "
                "of rising difficulty. Per-layer values are drawn over relative depth l/L, so models of different depth compare."
            </p>
            <fieldset class="lpp-probes">
                <legend>"Probes"</legend>
                <div class="probe-row">
                    <label><input type="checkbox" id="lpp-probe-text"
                        prop:checked=move || text_probe.get()
                        on:change=move |ev| set_text_probe.set(event_target_checked(&ev)) />
                        " latent metrics on probe text: "</label>
                    {number("lpp-n-seq", n_seq, set_n_seq, "1", defaults.n_seq)}
                    " sequences × "
                    {number("lpp-seq-len", seq_len, set_seq_len, "2", defaults.seq_len)}
                    " tokens"
                </div>
                <div class="probe-row">
                    <label for="lpp-text-file">{format!("text: the {BUNDLED_TEXT_NAME} (about 2,300 words on the history of timekeeping), or a plain-text file ")}</label>
                    <input type="file" id="lpp-text-file" accept=".txt,text/plain" node_ref=text_file />
                </div>
                <div class="probe-row">
                    <label><input type="checkbox" id="lpp-probe-uncertainty"
                        prop:checked=move || uncertainty_probe.get()
                        on:change=move |ev| set_uncertainty_probe.set(event_target_checked(&ev)) />
                        " uncertainty probe: "</label>
                    {number("lpp-per-stratum", per_stratum, set_per_stratum, "1", defaults.uncertainty_per_stratum)}
                    " four-option questions per stratum (determinate, random, unanswerable)"
                </div>
                <div class="probe-row">
                    <label><input type="checkbox" id="lpp-probe-symbolic"
                        prop:checked=move || symbolic_probe.get()
                        on:change=move |ev| set_symbolic_probe.set(event_target_checked(&ev)) />
                        " symbolic reasoning probe: "</label>
                    {number("lpp-per-level", per_level, set_per_level, "1", defaults.symbolic_per_level)}
                    " problems per level (5 families × 5 levels, answered by generation)"
                </div>
            </fieldset>
            <button id="lpp-run" on:click=run disabled=move || !ready() || running()>"Run LPP"</button>
            <button id="lpp-cancel" on:click=move |_| cancel(current) disabled=move || !running()>"Cancel"</button>
            {move || (!ready()).then(|| view! { <p class="muted">"Load the model first."</p> })}
            <RunStatus id="lpp-status" state=run_state result=|report| view! { <LppResultView report /> } />
            <SessionView session />
        </section>
    }
}

/// A run's name on the comparison charts: its number in the session, the model, and
/// the probe text's shape (or which probes ran without it).
fn session_label(number: usize, model_id: &str, run: &LppRun) -> String {
    let s = &run.settings;
    let shape = if s.probes.text {
        format!("{}×{}", s.n_seq, s.seq_len)
    } else {
        "no text".to_string()
    };
    format!("#{number} {model_id} · {shape}")
}

/// The probe text's name and its text: the chosen file, or the bundled one.
async fn probe_text(input: Option<&HtmlInputElement>) -> Result<(String, String), String> {
    let chosen = input.is_some_and(|i| i.files().is_some_and(|f| f.length() > 0));
    match input {
        Some(input) if chosen => {
            let (name, bytes) = read_file_at(input, 0).await?;
            let text = String::from_utf8(bytes)
                .map_err(|_| format!("{name} is not UTF-8 text; choose a plain-text file"))?;
            Ok((name, text))
        }
        _ => Ok((BUNDLED_TEXT_NAME.to_string(), DEFAULT_TEXT.to_string())),
    }
}

async fn run_once(
    choices: Choices,
    current: Current,
    progress: impl Fn(String) + 'static,
) -> Result<Report, String> {
    let settings = choices.settings;
    let probes = settings.probes;
    if !(probes.text || probes.uncertainty || probes.symbolic) {
        return Err("choose at least one probe".into());
    }
    if probes.text && (settings.n_seq == 0 || settings.seq_len < 2) {
        return Err(
            "the probe text needs at least 1 sequence of at least 2 tokens (a next-token prediction)"
                .into(),
        );
    }
    if probes.uncertainty && settings.uncertainty_per_stratum == 0 {
        return Err("the uncertainty probe needs at least 1 question per stratum".into());
    }
    if probes.symbolic && settings.symbolic_per_level == 0 {
        return Err("the symbolic probe needs at least 1 problem per level".into());
    }
    let text = if probes.text {
        Some(probe_text(choices.text_file.as_ref()).await?)
    } else {
        None
    };
    into_report(run_job(Job::Lpp { text, settings }, current, progress).await?)
}

/// A value with `digits` decimals, or a dash for one that is missing or not a number.
fn cell(value: Option<f64>, digits: usize) -> String {
    match value {
        Some(v) if v.is_finite() => format!("{v:.digits$}"),
        _ => "—".to_string(),
    }
}

/// The finished run's numbers: the scalars, the strata, the symbolic levels, and the
/// report.
#[component]
fn LppResultView(report: Report) -> impl IntoView {
    let Some(run) = report.lpp().cloned() else {
        return ().into_any();
    };
    let json = serde_json::to_string(&report).unwrap_or_default();
    let download = blob_url(&json);
    view! {
        {run.text.map(|t| view! {
            <table id="lpp-scalars">
                <caption>{format!("Latent metrics on the probe text: {} sequences, {} positions, {} next-token predictions", t.n_sequences, t.n_positions, t.n_predictions)}</caption>
                <thead><tr><th>"metric"</th><th class="num">"value"</th><th>"what it says"</th></tr></thead>
                <tbody>
                    <tr><td>"output entropy"</td><td class="num">{cell(Some(t.output_entropy), 3)}</td>
                        <td class="muted">"mean entropy of the next-token distribution / ln V (1 = uniform)"</td></tr>
                    <tr><td>"perplexity"</td><td class="num">{cell(Some(t.perplexity), 2)}</td>
                        <td class="muted">"exp of the mean next-token cross-entropy on the probe text"</td></tr>
                    <tr><td>"adaptability"</td><td class="num">{cell(Some(t.adaptability), 3)}</td>
                        <td class="muted">"mean over layers of 1 − cos(h_l, h_l+1): how much a layer changes the stream"</td></tr>
                    <tr><td>"logit-lens area"</td><td class="num">{cell(t.logit_lens_area, 3)}</td>
                        <td class="muted">"area under the logit-lens entropy curve over l/L"</td></tr>
                    <tr><td>"commit depth"</td><td class="num">{t.commit_depth.map_or_else(|| "never".to_string(), |d| format!("{d:.2}"))}</td>
                        <td class="muted">"first l/L where the lens entropy falls to half its value at the embeddings"</td></tr>
                </tbody>
            </table>
        })}
        {run.uncertainty.map(|u| view! {
            <table id="lpp-uncertainty">
                <caption>"Uncertainty probe: option probabilities renormalised over the four options"</caption>
                <thead><tr>
                    <th>"stratum"</th><th class="num">"items"</th><th class="num">"option entropy"</th>
                    <th class="num">"KL to uniform"</th><th class="num">"accuracy"</th><th class="num">"ECE"</th><th class="num">"Brier"</th>
                </tr></thead>
                <tbody>
                    {u.strata.iter().map(|s| {
                        let determinate = s.stratum == "determinate";
                        let random = s.stratum == "random";
                        view! {
                            <tr data-stratum=s.stratum.clone()>
                                <td>{s.stratum.clone()}</td>
                                <td class="num">{s.n}</td>
                                <td class="num">{cell(Some(s.mean_entropy), 3)}</td>
                                <td class="num">{cell(u.kl_to_uniform_random.filter(|_| random), 3)}</td>
                                <td class="num">{cell(u.determinate_accuracy.filter(|_| determinate), 3)}</td>
                                <td class="num">{cell(u.ece.filter(|_| determinate), 3)}</td>
                                <td class="num">{cell(u.brier.filter(|_| determinate), 3)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <p class="muted" id="lpp-auroc">{format!(
                "AUROC of option entropy separating uncertain (random, unanswerable) from determinate items: {} (1 = every uncertain item is less sure, 0.5 = no separation).",
                cell(u.entropy_auroc, 3)
            )}</p>
        })}
        {run.symbolic.map(|s| {
            let levels: Vec<u32> = s.families.iter().flat_map(|f| f.levels.iter().map(|l| l.level)).fold(Vec::new(), |mut all, l| {
                if !all.contains(&l) { all.push(l); }
                all
            });
            view! {
                <table id="lpp-symbolic">
                    <caption>{format!("Symbolic reasoning probe: exact-match accuracy per family and level, {:.0}% overall", s.accuracy * 100.0)}</caption>
                    <thead><tr>
                        <th>"family"</th>
                        {levels.iter().map(|l| view! { <th class="num">{format!("level {l}")}</th> }).collect_view()}
                        <th class="num">"50% crossing"</th>
                    </tr></thead>
                    <tbody>
                        {s.families.iter().map(|f| view! {
                            <tr data-family=f.family.clone()>
                                <td>{f.family.clone()}</td>
                                {levels.iter().map(|&l| {
                                    let at = f.levels.iter().find(|a| a.level == l);
                                    view! { <td class="num" title=at.map(|a| format!("{} problems", a.n))>{at.map_or("—".to_string(), |a| format!("{:.0}%", a.accuracy * 100.0))}</td> }
                                }).collect_view()}
                                <td class="num">{match f.crossing {
                                    Crossing::BelowAtStart => "below at level 1".to_string(),
                                    Crossing::At(level) => format!("level {level:.1}"),
                                    Crossing::Never => "never".to_string(),
                                }}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <details id="lpp-symbolic-responses">
                    <summary>"Each problem and the model's answer (exact match on the first line, after an optional \"Answer:\" and a final full stop)"</summary>
                    <table>
                        <thead><tr><th>"family"</th><th class="num">"level"</th><th>"expected"</th><th>"response"</th><th>"right"</th></tr></thead>
                        <tbody>
                            {s.items.iter().map(|item| view! {
                                <tr>
                                    <td>{item.family.clone()}</td>
                                    <td class="num">{item.level}</td>
                                    <td><code>{item.answer.clone()}</code></td>
                                    <td title=item.prompt.clone()><code>{item.response.trim().to_string()}</code></td>
                                    <td>{if item.correct { "yes" } else { "no" }}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </details>
            }
        })}
        <details>
            <summary>"Report (JSON)"</summary>
            {download.map(|url| view! { <a id="lpp-download" href=url download="lpp-report.json">"Download the report"</a> })}
            <pre id="lpp-report">{json}</pre>
        </details>
    }
    .into_any()
}

/// The number of an opened link's first run: its `first_run` when that is a whole
/// number from 1 to [`MAX_FIRST_RUN`], else 1 (a link is untrusted; an older one has none).
fn first_run_of(option: Option<serde_json::Value>) -> usize {
    option
        .and_then(|v| v.as_u64())
        .filter(|n| (1..=MAX_FIRST_RUN).contains(n))
        .map_or(1, |n| n as usize)
}

/// The share link's options for the `lpp-radar` chart: the number of its first run.
fn first_run_option(number: usize) -> mechscope_report::share::ChartOptions {
    let mut options = mechscope_report::share::ChartOptions::new();
    options.insert(FIRST_RUN.into(), number.into());
    options
}

/// The values of a curve at l/L = 0, 0.25, 0.5, 0.75 and 1, for screen readers.
fn curve_summary(label: &str, depth: &[f64], values: &[f64]) -> String {
    let at: Vec<String> = depth
        .iter()
        .zip(values)
        .filter(|(d, _)| ((*d * 4.0) - (*d * 4.0).round()).abs() < 1e-9)
        .map(|(d, v)| format!("{v:.3} at {d}"))
        .collect();
    format!("{label}: {}", at.join(", "))
}

/// The session's runs compared: the profile radar and the per-depth curves of the last
/// few runs, and a table of every run's scalars.
#[component]
fn SessionView(session: ReadSignal<Vec<SessionRun>>) -> impl IntoView {
    move || {
        let runs = session.get();
        if runs.is_empty() {
            return ().into_any();
        }
        // The most recent runs: the one just finished is always on the charts.
        let shown: Vec<SessionRun> = runs
            .iter()
            .skip(runs.len().saturating_sub(RADAR_MAX_SERIES))
            .cloned()
            .collect();
        let left_out = runs.len() - shown.len();
        let profiles: Vec<(String, Vec<_>)> = shown
            .iter()
            .map(|r| (r.label.clone(), r.run.profile.clone()))
            .collect();
        let radar_label = format!(
            "LPP profile radar: {}",
            shown
                .iter()
                .map(|r| format!(
                    "{}: {}",
                    r.label,
                    r.run
                        .profile
                        .iter()
                        .map(|a| format!(
                            "{} {:.3} (range {}–{})",
                            a.name, a.value, a.range[0], a.range[1]
                        ))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
                .collect::<Vec<_>>()
                .join("; ")
        );
        let radar_title = if shown.len() == 1 {
            format!("LPP profile · {}", shown[0].label)
        } else {
            "LPP profiles of this session".to_string()
        };
        let depth_charts = DEPTH_METRICS
            .iter()
            .map(|metric| {
                let curves: Vec<(String, Vec<f64>, Vec<f64>)> = shown
                    .iter()
                    .filter_map(|r| {
                        let on_depth = &r.run.text.as_ref()?.on_depth;
                        let values = (metric.values)(on_depth);
                        Some((r.label.clone(), on_depth.depth.clone(), values.to_vec()))
                    })
                    .collect();
                let label = format!(
                    "{} over relative depth: {}",
                    metric.title,
                    curves
                        .iter()
                        .map(|(label, depth, values)| curve_summary(label, depth, values))
                        .collect::<Vec<_>>()
                        .join("; ")
                );
                let (title, axis) = (metric.title, metric.axis);
                view! {
                    <ChartCanvas id=metric.id label width=900 height=340
                        draw=drawing!([curves, title, axis] |area| {
                            let borrowed: Vec<DepthCurve<'_>> = curves
                                .iter()
                                .map(|(label, depth, values)| DepthCurve {
                                    label: label.as_str(),
                                    depth: depth.as_slice(),
                                    values: values.as_slice(),
                                })
                                .collect();
                            lpp_depth_curves(area, title, axis, &borrowed)
                        }) />
                }
            })
            .collect_view();
        let shown_reports: Vec<Report> = shown.iter().map(|r| r.report.clone()).collect();
        view! {
            <h3>"This session's runs"</h3>
            <ShareLink id="lpp" reports=shown_reports.clone() chart="lpp-radar"
                options=first_run_option(shown.first().map_or(1, |r| r.number)) />
            {(left_out > 0).then(|| view! {
                <p class="muted lpp-left-out">{format!("The charts show the last {} of {} runs; the table lists them all.", shown.len(), runs.len())}</p>
            })}
            <figure class="chart-figure">
                <ChartCanvas id="lpp-radar" label=radar_label width=900 height=720
                    draw=drawing!([profiles, radar_title] |area| {
                        let borrowed: Vec<(&str, &[_])> = profiles
                            .iter()
                            .map(|(label, axes)| (label.as_str(), axes.as_slice()))
                            .collect();
                        let (axes, series) = lpp_radar_series(&borrowed);
                        lpp_radar(area, &radar_title, &axes, &series)
                    }) />
                <figcaption class="muted">"Each scalar mapped to [0, 1] from the range under its name; the shape compares across models. Perplexity is on a log scale; for ECE lower is better."</figcaption>
            </figure>
            <ChartTables id="lpp-profile-table" tables=vec![table::lpp_profile(&shown_reports)] />
            <div class="lpp-depth">{depth_charts}</div>
            <ChartTables id="lpp-depth-table" tables=table::lpp_depth_curves(&shown_reports) />
            <table id="lpp-runs">
                <caption>"Every run of this session"</caption>
                <thead><tr>
                    <th>"run"</th><th class="num">"output entropy"</th><th class="num">"perplexity"</th>
                    <th class="num">"adaptability"</th><th class="num">"lens area"</th><th class="num">"commit depth"</th>
                    <th class="num">"uncertainty AUROC"</th><th class="num">"symbolic accuracy"</th>
                </tr></thead>
                <tbody>
                    {runs.iter().map(|r| {
                        let t = r.run.text.as_ref();
                        view! {
                            <tr>
                                <td>{r.label.clone()}</td>
                                <td class="num">{cell(t.map(|t| t.output_entropy), 3)}</td>
                                <td class="num">{cell(t.map(|t| t.perplexity), 2)}</td>
                                <td class="num">{cell(t.map(|t| t.adaptability), 3)}</td>
                                <td class="num">{cell(t.and_then(|t| t.logit_lens_area), 3)}</td>
                                <td class="num">{cell(t.and_then(|t| t.commit_depth), 2)}</td>
                                <td class="num">{cell(r.run.uncertainty.as_ref().and_then(|u| u.entropy_auroc), 3)}</td>
                                <td class="num">{cell(r.run.symbolic.as_ref().map(|s| s.accuracy), 3)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn a_links_first_run_number_is_kept_only_when_it_is_one() {
        let written = first_run_option(3);
        assert_eq!(first_run_of(written.get(FIRST_RUN).cloned()), 3);
        assert_eq!(first_run_of(None), 1);
        for bad in [
            json!(0),
            json!(-3),
            json!("x"),
            json!(2.5),
            json!(1e12),
            json!(null),
        ] {
            assert_eq!(first_run_of(Some(bad.clone())), 1, "{bad}");
        }
    }
}
