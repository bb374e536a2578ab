//! `mechscope lpp`: Latent Performance Profiling (metrics.md §3) — the latent metrics on
//! a probe text, the uncertainty and symbolic probes, and the profile.

use crate::open::{Backend, open_model};
use crate::output::{CHART_SIZE_PX, ChartFiles, model_info, progress_bar, write_report};
use crate::tasks::{fetch_rows, hub_base};
use anyhow::{Context, Result, bail};
use mechscope_metrics::lpp::symbolic::{Crossing, DEFAULT_MAX_NEW_TOKENS};
use mechscope_metrics::lpp::{LppRun, LppSettings, Probes, probe_sequences, run_lpp};
use mechscope_model::LoadedModel;
use mechscope_report::chart;
use mechscope_report::{MetricReport, Report, TaskInfo};
use mechscope_tasks::TaskSpec;
use mechscope_tasks::hub::{self, HubSplit};
use mechscope_tasks::probes::DEFAULT_TEXT;
use std::future::ready;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct LppArgs {
    /// A GGUF file, or a folder with config.json, tokenizer.json and *.safetensors.
    model: PathBuf,
    /// The probe text: a UTF-8 file (e.g. WikiText-2's test.txt, the paper's default)
    /// or `hf:dataset/config/split` (rows' `text` fields joined, e.g.
    /// `hf:Salesforce/wikitext/wikitext-2-raw-v1/test`). Default: the bundled text.
    #[arg(long, value_name = "FILE|hf:...", conflicts_with = "ids")]
    text: Option<String>,
    /// The probe sequences as a JSON array of token-id arrays, instead of a text.
    #[arg(long, value_name = "FILE")]
    ids: Option<PathBuf>,
    /// Probe-text sequences.
    #[arg(long, default_value_t = 8)]
    seqs: usize,
    /// Tokens per sequence.
    #[arg(long, default_value_t = 256)]
    seq_len: usize,
    /// `all`, or a comma-separated list of `text`, `uncertainty`, `symbolic`.
    #[arg(long, default_value = "all")]
    probes: String,
    /// Uncertainty-probe items per stratum (determinate, random, unanswerable).
    #[arg(long, default_value_t = 20)]
    uncertainty_items: usize,
    /// Symbolic problems per family and difficulty level (5 families × 5 levels).
    #[arg(long, default_value_t = 4)]
    symbolic_items: usize,
    /// Seed of both probes.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Longest greedy answer to a symbolic problem, in tokens.
    #[arg(long, default_value_t = DEFAULT_MAX_NEW_TOKENS)]
    max_new_tokens: usize,
    #[arg(long, value_enum, default_value_t = Backend::Cpu)]
    backend: Backend,
    /// Write the report here.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print the report as JSON on stdout.
    #[arg(long)]
    json: bool,
    /// The profile radar and each per-depth curve, as charts: `lpp.svg` gives
    /// `lpp.radar.svg` and `lpp.depth.logit_lens_entropy.svg`, ...
    #[command(flatten)]
    charts: ChartFiles,
}

pub fn lpp(args: LppArgs) -> Result<()> {
    let probes = Probes::parse(&args.probes).map_err(anyhow::Error::msg)?;
    if args.seqs == 0 || args.seq_len < 2 {
        bail!("--seqs must be at least 1 and --seq-len at least 2");
    }
    let settings = LppSettings {
        probes,
        n_seq: args.seqs,
        seq_len: args.seq_len,
        uncertainty_per_stratum: args.uncertainty_items,
        symbolic_per_level: args.symbolic_items,
        seed: args.seed,
        max_new_tokens: args.max_new_tokens,
    };
    let model = open_model(&args.model, args.backend)?;
    let (spec, sequences) = if probes.text {
        probe_text(&args, &model)?
    } else {
        ("none".to_string(), Vec::new())
    };
    if probes.text {
        let n: usize = sequences.iter().map(Vec::len).sum();
        eprintln!(
            "probe text: {spec}, {} sequences, {n} tokens",
            sequences.len()
        );
        if sequences.len() < args.seqs {
            eprintln!(
                "note: the text gave {} of the {} sequences asked for",
                sequences.len(),
                args.seqs
            );
        }
    }
    let bar = progress_bar();
    let run = pollster::block_on(run_lpp(
        &model.decoder,
        &model.tokenizer,
        &sequences,
        &settings,
        |step| {
            let (done, total) = step.progress();
            if done == 0 {
                bar.println(format!("· {} ({total})", step.stage()));
            }
            bar.set_message(step.stage());
            bar.set_length(total as u64);
            bar.set_position(done as u64);
            ready(ControlFlow::Continue(()))
        },
    ))?;
    bar.finish_and_clear();
    summarise(&run);
    let n_items = sequences.len()
        + run.uncertainty.as_ref().map_or(0, |u| u.items.len())
        + run.symbolic.as_ref().map_or(0, |s| s.items.len());
    let report = Report::new(
        model_info(&args.model, &model)?,
        args.backend.name(),
        TaskInfo {
            spec,
            n_items,
            rows_skipped: 0,
            seed: (probes.uncertainty || probes.symbolic).then_some(args.seed),
        },
        MetricReport::Lpp(Box::new(run)),
    );
    write_report(&report, args.out.as_deref(), args.json)?;
    if let (true, Some(run)) = (args.charts.wanted(), report.lpp()) {
        write_charts(&args.charts, &[(report.model.id.clone(), run)])?;
    }
    Ok(())
}

/// The page's charts, named `radar` and `depth.{metric}` among the files: the profile
/// radar and the per-depth curves, with every run in `runs` (label, run) overlaid.
pub fn write_charts(files: &ChartFiles, runs: &[(String, &LppRun)]) -> Result<()> {
    let profiles: Vec<(&str, &[_])> = runs
        .iter()
        .map(|(label, run)| (label.as_str(), run.profile.as_slice()))
        .collect();
    let (axes, series) = chart::lpp_radar_series(&profiles);
    let title = match runs {
        [(label, _)] => format!("LPP profile · {label}"),
        _ => "LPP profiles".to_string(),
    };
    let radar = chart::to_svg(900, 640, |area| {
        chart::lpp_radar(area, &title, &axes, &series)
    })?;
    files.write(Some("radar"), &radar)?;
    for metric in chart::DEPTH_METRICS {
        // Runs without the probe text have no per-depth curves.
        let curves: Vec<chart::DepthCurve<'_>> = runs
            .iter()
            .filter_map(|(label, run)| {
                let on_depth = &run.text.as_ref()?.on_depth;
                Some(chart::DepthCurve {
                    label,
                    depth: &on_depth.depth,
                    values: (metric.values)(on_depth),
                })
            })
            .collect();
        if curves.is_empty() {
            continue;
        }
        let (width, height) = CHART_SIZE_PX;
        let svg = chart::to_svg(width, height, |area| {
            chart::lpp_depth_curves(area, metric.title, metric.axis, &curves)
        })?;
        files.write(Some(&format!("depth.{}", metric.field)), &svg)?;
    }
    Ok(())
}

/// The probe sequences and what the report calls their source.
fn probe_text(args: &LppArgs, model: &LoadedModel) -> Result<(String, Vec<Vec<u32>>)> {
    let tokens_wanted = args.seqs * args.seq_len;
    if let Some(path) = &args.ids {
        return Ok((
            format!("ids:{}", path.display()),
            read_ids(path, args.seqs)?,
        ));
    }
    let (spec, text) = match args.text.as_deref() {
        None => ("bundled probe text".to_string(), DEFAULT_TEXT.to_string()),
        Some(spec) if spec.starts_with("hf:") => {
            let TaskSpec::Hub(split) =
                TaskSpec::parse(spec).with_context(|| format!("probe text {spec:?}"))?
            else {
                bail!("{spec:?} is not hf:dataset/config/split");
            };
            (spec.to_string(), hub_text(&split, model, tokens_wanted)?)
        }
        Some(path) => (
            path.to_string(),
            std::fs::read_to_string(path).with_context(|| format!("cannot read {path}"))?,
        ),
    };
    // As the reference fixture does: the text tokenized whole, with the tokenizer's own
    // special-token rule, then cut into consecutive sequences.
    let ids = model
        .tokenizer
        .encode(&text, true)
        .with_context(|| format!("tokenizing {spec}"))?;
    let sequences = probe_sequences(&ids, args.seqs, args.seq_len);
    if sequences.is_empty() {
        bail!("{spec} has no tokens");
    }
    Ok((spec, sequences))
}

/// The first `seqs` sequences of a JSON array of token-id arrays (the `--ids` format,
/// the fixture's `lpp_smollm2_wikitext.ids.json`).
pub fn read_ids(path: &Path, seqs: usize) -> Result<Vec<Vec<u32>>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let sequences: Vec<Vec<u32>> = serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not a JSON array of token-id arrays ([[1, 2, ...], ...])",
            path.display()
        )
    })?;
    let sequences: Vec<Vec<u32>> = sequences
        .into_iter()
        .filter(|s| !s.is_empty())
        .take(seqs)
        .collect();
    if sequences.is_empty() {
        bail!("{} holds no token ids", path.display());
    }
    Ok(sequences)
}

/// The bundled probe text as `seqs` sequences of `seq_len` tokens for `model`.
pub fn bundled_sequences(
    model: &LoadedModel,
    seqs: usize,
    seq_len: usize,
) -> Result<Vec<Vec<u32>>> {
    let ids = model
        .tokenizer
        .encode(DEFAULT_TEXT, true)
        .context("tokenizing the bundled probe text")?;
    Ok(probe_sequences(&ids, seqs, seq_len))
}

/// Rows of a hub split, their `text` fields joined, until the text holds `tokens`
/// tokens or the split ends.
fn hub_text(split: &HubSplit, model: &LoadedModel, tokens: usize) -> Result<String> {
    let base = hub_base();
    let mut text = String::new();
    let mut offset = 0;
    loop {
        let page = fetch_rows(&split.rows_url(&base, offset, hub::MAX_PAGE_LENGTH))?;
        for row in &page.rows {
            let Some(field) = row.row.get("text").and_then(|t| t.as_str()) else {
                bail!("{}: row {} has no text field", split.dataset, row.row_idx);
            };
            text.push_str(field);
        }
        offset += page.rows.len();
        let enough = model
            .tokenizer
            .encode(&text, true)
            .map_or(0, |ids| ids.len())
            >= tokens;
        if enough || page.rows.len() < hub::MAX_PAGE_LENGTH {
            return Ok(text);
        }
    }
}

/// The run's headline numbers on stderr.
fn summarise(run: &LppRun) {
    if let Some(m) = &run.text {
        eprintln!(
            "\nlatent metrics ({} positions, {} layers):",
            m.n_positions,
            m.logit_lens_entropy.len() - 1
        );
        eprintln!(
            "  output entropy {:.4}  perplexity {:.3}  adaptability {:.4}",
            m.output_entropy, m.perplexity, m.adaptability
        );
        let commit = m
            .commit_depth
            .map_or_else(|| "never".to_string(), |d| format!("{d:.3}"));
        eprintln!(
            "  logit-lens area {}  commit depth {commit}",
            m.logit_lens_area
                .map_or_else(|| "-".into(), |a| format!("{a:.4}"))
        );
        eprintln!(
            "  {:>5} {:>8} {:>8} {:>10} {:>8} {:>8}",
            "l", "lens H", "norm", "anisotropy", "erank", "drift"
        );
        for l in 0..m.hidden_norm.len() {
            let drift = m
                .layer_drift
                .get(l)
                .map_or_else(String::new, |d| format!("{d:.4}"));
            eprintln!(
                "  {l:>5} {:>8.4} {:>8.3} {:>10.4} {:>8.1} {drift:>8}",
                m.logit_lens_entropy[l], m.hidden_norm[l], m.anisotropy[l], m.effective_rank[l]
            );
        }
    }
    if let Some(u) = &run.uncertainty {
        eprintln!("\nuncertainty probe:");
        for s in &u.strata {
            eprintln!(
                "  {:<13} n = {:<3} mean option entropy {:.3}",
                s.stratum, s.n, s.mean_entropy
            );
        }
        let show = |v: Option<f64>| v.map_or_else(|| "-".into(), |v| format!("{v:.3}"));
        eprintln!(
            "  KL to uniform (random) {}  determinate accuracy {}  ECE {}  Brier {}  entropy AUROC {}",
            show(u.kl_to_uniform_random),
            show(u.determinate_accuracy),
            show(u.ece),
            show(u.brier),
            show(u.entropy_auroc)
        );
    }
    if let Some(s) = &run.symbolic {
        eprintln!("\nsymbolic probe (accuracy per level 1-5, 50% crossing):");
        for f in &s.families {
            let levels: Vec<String> = f
                .levels
                .iter()
                .map(|l| format!("{:.2}", l.accuracy))
                .collect();
            let crossing = match f.crossing {
                Crossing::BelowAtStart => "below 50% from level 1".to_string(),
                Crossing::At(level) => format!("at level {level:.2}"),
                Crossing::Never => "never".to_string(),
            };
            eprintln!("  {:<17} {}  {crossing}", f.family, levels.join(" "));
        }
    }
}
