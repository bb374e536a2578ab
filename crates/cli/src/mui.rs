//! `mechscope mui` and `mechscope law`.

use crate::open::{Backend, open_model};
use crate::output::{
    CHART_SIZE_PX, ChartFiles, model_source, progress_bar, read_reports, write_report,
};
use crate::tasks::load_task;
use anyhow::{Context, Result, bail};
use mechscope_metrics::mui::{
    AUTHORS_FIT, LawPoint, MuiOptions, MuiRun, MuiSettings, PromptStyle, ResponseSource,
    SelectionRule, Step, Target, TokenSample, fit_utility_law, run_mui, score_samples,
};
use mechscope_report::{MetricReport, ModelInfo, Report, TaskInfo, chart};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct MuiArgs {
    /// A GGUF file, or a folder with config.json, tokenizer.json and *.safetensors.
    model: PathBuf,
    /// A built-in task (arithmetic, facts, patterns), a file (`arc_easy.jsonl`,
    /// `anatomy_test.csv:mmlu`), or `hf:dataset/config/split`.
    #[arg(long)]
    task: Option<String>,
    /// Recorded responses instead of generating: JSONL of
    /// {"prompt_ids": [...], "response_ids": [...]}, scored as they are. With --task,
    /// line i is scored for accuracy against item i.
    #[arg(long)]
    responses: Option<PathBuf>,
    /// Use at most this many items (built-in tasks: generate this many; default 50).
    #[arg(long)]
    limit: Option<usize>,
    /// Seed of built-in tasks.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// k = max(1, floor(ratio * d_ff)) key neurons per sample and layer.
    #[arg(long, default_value_t = 0.001)]
    ratio: f64,
    /// An explicit k (overrides --ratio).
    #[arg(long)]
    top_k: Option<usize>,
    #[arg(long, value_enum, default_value_t = TargetArg::Same)]
    target: TargetArg,
    /// Keep entries with score >= theta * the layer's largest (instead of top-k).
    #[arg(long, conflicts_with = "global_topk")]
    topscore: Option<f64>,
    /// Take the top-k over all layers of a sample at once.
    #[arg(long)]
    global_topk: bool,
    /// Score the model's own greedy responses, or the dataset's gold answers.
    #[arg(long, value_enum, default_value_t = ResponseArg::Model)]
    response: ResponseArg,
    #[arg(long, default_value_t = 128)]
    max_new_tokens: usize,
    /// Prompt as a plain question + "Answer:" (base models) instead of a chat turn.
    #[arg(long)]
    plain: bool,
    #[arg(long, value_enum, default_value_t = Backend::Cpu)]
    backend: Backend,
    /// Write the report here.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print the report as JSON on stdout.
    #[arg(long)]
    json: bool,
    /// The share of neurons used per layer, as a chart (800 × 400).
    #[command(flatten)]
    charts: ChartFiles,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum TargetArg {
    Same,
    Next,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ResponseArg {
    Model,
    Gold,
}

#[derive(clap::Args, Debug)]
pub struct LawArgs {
    /// MUI reports (from `mechscope mui --out`), one point each.
    #[arg(required = true)]
    reports: Vec<PathBuf>,
    /// Print the fit as JSON on stdout.
    #[arg(long)]
    json: bool,
    /// The points, the fit and the authors' curve, as a chart (800 × 400).
    #[command(flatten)]
    charts: ChartFiles,
}

pub fn read_responses(path: &Path) -> Result<Vec<TokenSample>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(n, line)| {
            serde_json::from_str(line).with_context(|| {
                format!(
                    "{} line {}: expected {{\"prompt_ids\": [...], \"response_ids\": [...]}}",
                    path.display(),
                    n + 1
                )
            })
        })
        .collect()
}

pub fn mui(args: MuiArgs) -> Result<()> {
    let settings = MuiSettings {
        options: MuiOptions {
            ratio: args.ratio,
            top_k: args.top_k,
            target: match args.target {
                TargetArg::Same => Target::Same,
                TargetArg::Next => Target::Next,
            },
            rule: match (args.topscore, args.global_topk) {
                (Some(theta), _) => SelectionRule::TopScore { theta },
                (None, true) => SelectionRule::GlobalTopK,
                (None, false) => SelectionRule::PerLayerTopK,
            },
        },
        response: match (&args.responses, args.response) {
            (Some(_), _) => ResponseSource::Recorded,
            (None, ResponseArg::Model) => ResponseSource::Model {
                max_new_tokens: args.max_new_tokens,
            },
            (None, ResponseArg::Gold) => ResponseSource::Gold,
        },
        prompt: if args.plain {
            PromptStyle::Plain
        } else {
            PromptStyle::Chat
        },
    };
    if !(args.ratio > 0.0 && args.ratio <= 1.0) {
        bail!("--ratio must be in (0, 1], got {}", args.ratio);
    }
    let task = match &args.task {
        Some(spec) => Some(load_task(spec, args.limit, args.seed)?),
        None if args.responses.is_none() => bail!("give --task, --responses, or both"),
        None => None,
    };
    let recorded = match &args.responses {
        Some(path) => {
            let mut samples = read_responses(path)?;
            if let Some(limit) = args.limit {
                samples.truncate(limit);
            }
            Some(samples)
        }
        None => None,
    };
    let (id, source) = model_source(&args.model)?;
    let model = open_model(&args.model, args.backend)?;

    let bar = progress_bar();
    let on_step = |step: Step| {
        let (msg, done, total) = match step {
            Step::Generating { done, total } => ("responses", done, total),
            Step::Scoring { done, total } => ("scoring", done, total),
        };
        bar.set_message(msg);
        bar.set_length(total as u64);
        bar.set_position(done as u64);
        std::future::ready(ControlFlow::Continue(()))
    };
    let items = task.as_ref().map(|t| t.items.as_slice());
    let run = pollster::block_on(async {
        match &recorded {
            Some(samples) => {
                let items = items.map(|items| &items[..items.len().min(samples.len())]);
                score_samples(&model, samples, items, &settings, on_step).await
            }
            None => run_mui(&model, items.unwrap_or_default(), &settings, on_step).await,
        }
    })?;
    bar.finish_and_clear();

    let task_info = match (&task, &args.responses) {
        (Some(t), _) => TaskInfo {
            spec: t.spec.clone(),
            n_items: run.samples.len(),
            rows_skipped: t.rows_skipped,
            seed: t.seed,
        },
        (None, Some(path)) => TaskInfo {
            spec: format!("responses:{}", path.display()),
            n_items: run.samples.len(),
            rows_skipped: 0,
            seed: None,
        },
        (None, None) => unreachable!("checked above"),
    };
    summarise(&run);
    let report = Report::new(
        ModelInfo::new(id, source, &model.config, "f32"),
        args.backend.name(),
        task_info,
        MetricReport::Mui(Box::new(run)),
    );
    write_report(&report, args.out.as_deref(), args.json)?;
    if let (true, Some(run)) = (args.charts.wanted(), report.mui()) {
        write_chart(&args.charts, &report, run)?;
    }
    Ok(())
}

/// The share of neurons used per layer, the page's MUI chart, as the one chart file.
pub fn write_chart(files: &ChartFiles, report: &Report, run: &MuiRun) -> Result<()> {
    let subject = format!("{} · {}", report.model.id, report.task.spec);
    let (width, height) = CHART_SIZE_PX;
    let svg = chart::to_svg(width, height, |area| {
        chart::mui_layers(area, &run.result, &subject)
    })?;
    files.write(None, &svg)
}

fn summarise(run: &MuiRun) {
    let r = &run.result;
    eprintln!(
        "MUI {:.4}% ({} of {} neurons, k = {}, {} samples)",
        r.mui * 100.0,
        r.union_size,
        r.total_neurons,
        run.k,
        run.samples.len()
    );
    if let Some(acc) = run.accuracy.and_then(|a| a.value().map(|v| (a, v))) {
        eprintln!(
            "accuracy {:.1}% ({} of {}, {} without an answer)",
            acc.1 * 100.0,
            acc.0.n_correct,
            acc.0.n_items,
            acc.0.n_unanswered
        );
    }
    eprintln!(
        "responses {:.1} s, scoring {:.1} s ({} tokens)",
        run.timings.responses_s, run.timings.scoring_s, run.timings.scored_tokens
    );
}

pub fn law(args: LawArgs) -> Result<()> {
    let mut points = Vec::new();
    for (path, report) in read_reports(&args.reports)? {
        let run = report
            .mui()
            .with_context(|| format!("{} is not a MUI report", path.display()))?;
        let accuracy = run.accuracy.and_then(|a| a.value()).with_context(|| {
            format!(
                "{} has no accuracy (recorded responses without a task)",
                path.display()
            )
        })?;
        points.push(LawPoint {
            label: format!("{} · {}", report.model.id, report.task.spec),
            performance_pct: accuracy * 100.0,
            mui_pct: run.result.mui * 100.0,
        });
    }
    // Drawn before the fit so that a chart still shows the points when there are too
    // few of them to fit (the chart says why; the command still fails below).
    if args.charts.wanted() {
        let (width, height) = CHART_SIZE_PX;
        let svg = chart::to_svg(width, height, |area| chart::utility_law(area, &points))?;
        args.charts.write(None, &svg)?;
    }
    let fit = fit_utility_law(&points)?;
    if args.json {
        let out = serde_json::json!({
            "points": points,
            "fit": fit,
            "authors_fit": {"a": AUTHORS_FIT.0, "b": AUTHORS_FIT.1},
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        println!(
            "MUI = {:.3} ln(P) + {:.3}   R² = {:.3}   (authors: {} ln(P) + {})",
            fit.a, fit.b, fit.r2, AUTHORS_FIT.0, AUTHORS_FIT.1
        );
        for (p, r) in points.iter().zip(&fit.residuals) {
            println!(
                "{:>7.2}% P {:>8.4}% MUI  residual {:>+8.4}  {}",
                p.performance_pct, p.mui_pct, r, p.label
            );
        }
    }
    Ok(())
}
