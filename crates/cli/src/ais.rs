//! `mechscope ais` and `mechscope importance`: Benchmark Profiling (metrics.md §2).

use crate::open::{Backend, open_model, open_model_on};
use crate::output::{ChartFiles, model_info, progress_bar, write_report};
use crate::tasks::load_task;
use anyhow::{Context, Result, bail};
use indicatif::ProgressBar;
use mechscope_metrics::ais::{
    AUTHORS_GRID, AbilityInput, AisRun, AisSettings, BenchmarkInput, DEFAULT_K, Metric, MlpLayout,
    Selection, Step, budget, run_ais_sweep, select_masks,
};
use mechscope_model::LoadedModel;
use mechscope_report::chart::{self, RadarSeries};
use mechscope_report::{AbilityMasks, AisReport, MaskFile, MetricReport, Report, TaskInfo};
use mechscope_tasks::diagnostics::{self, Ability};
use std::future::ready;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

/// Where the abilities' diagnostic data comes from (shared by `ais` and `importance`).
#[derive(clap::Args, Debug)]
pub struct DiagnosticArgs {
    /// `all`, or a comma-separated list of abilities (analogical, commonsense_causal,
    /// contextual_recall, deductive, inductive, long_term_knowledge, quantitative,
    /// semantic_relationship, spatial, temporal).
    #[arg(long, default_value = "all")]
    abilities: String,
    /// Replace the built-in diagnostic sets: JSONL of items {"question", "options",
    /// "answer", "ability", "context"?} (split 80/20 like the built-in ones), or of
    /// already formatted training sequences {"ability": NAME, "ids": [...]}.
    #[arg(long, value_name = "FILE")]
    diagnostic: Option<PathBuf>,
    /// Items generated per built-in ability (80% train, 20% test).
    #[arg(long, default_value_t = diagnostics::DEFAULT_ITEMS_PER_ABILITY)]
    items_per_ability: usize,
    /// Seed of the built-in diagnostic sets and of the random control mask.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Budget: the fraction of all parameters each mask zeroes.
    #[arg(long, default_value_t = DEFAULT_K)]
    k: f64,
    /// Run every budget of the authors' grid (1e-5 .. 1.024e-2) instead of --k, with
    /// one gradient pass per ability.
    #[arg(long)]
    sweep: bool,
    /// `global` top-n over all MLP weights, or `chunked`: the top fraction of each
    /// million-weight chunk (the authors' code).
    #[arg(long, value_enum, default_value_t = SelectArg::Global)]
    select: SelectArg,
    #[arg(long, value_enum, default_value_t = Backend::Cpu)]
    backend: Backend,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum SelectArg {
    Global,
    Chunked,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum MetricArg {
    Acc,
    AccNorm,
}

#[derive(clap::Args, Debug)]
pub struct AisArgs {
    /// A GGUF file, or a folder with config.json, tokenizer.json and *.safetensors.
    model: PathBuf,
    /// Comma-separated benchmarks: files (`arc_easy.jsonl`, `anatomy_test.csv:mmlu`,
    /// any JSONL of {"query", "choices", "gold"}) or `hf:dataset/config/split`.
    #[arg(long, value_delimiter = ',', required = true)]
    benchmarks: Vec<String>,
    #[command(flatten)]
    diagnostic: DiagnosticArgs,
    /// Masks from `mechscope importance --out`, used instead of gradient passes for
    /// the budgets they hold.
    #[arg(long, value_name = "FILE")]
    masks: Option<PathBuf>,
    /// Use at most this many items of each benchmark.
    #[arg(long)]
    limit: Option<usize>,
    /// The accuracy AIS is computed from.
    #[arg(long, value_enum, default_value_t = MetricArg::Acc)]
    metric: MetricArg,
    /// Skip the seeded random mask of the same size (the control besides bottom-n).
    #[arg(long)]
    no_random: bool,
    /// Longest greedy response to a generative item (GSM8K, BBH), in tokens; each is
    /// generated once unablated and once under every mask.
    #[arg(long, default_value_t = mechscope_metrics::ais::generative::DEFAULT_MAX_NEW_TOKENS)]
    max_new_tokens: usize,
    /// Write the report here.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print the report as JSON on stdout.
    #[arg(long)]
    json: bool,
    /// Each budget's radar, heatmap and similarity matrix, as charts: `ais.svg` gives
    /// `ais.k0.001.radar.svg`, `.heatmap.svg`, `.similarity.svg`.
    #[command(flatten)]
    charts: ChartFiles,
}

#[derive(clap::Args, Debug)]
pub struct ImportanceArgs {
    /// A GGUF file, or a folder with config.json, tokenizer.json and *.safetensors.
    model: PathBuf,
    #[command(flatten)]
    diagnostic: DiagnosticArgs,
    /// Where to write the masks (JSON; `mechscope ais --masks` reads it).
    #[arg(long)]
    out: PathBuf,
}

impl DiagnosticArgs {
    fn ks(&self) -> Result<Vec<f64>> {
        if self.sweep {
            return Ok(AUTHORS_GRID.to_vec());
        }
        if !(0.0..=1.0).contains(&self.k) {
            bail!("--k must be a fraction from 0 to 1, got {}", self.k);
        }
        Ok(vec![self.k])
    }

    fn selection(&self) -> Selection {
        match self.select {
            SelectArg::Global => Selection::Global,
            SelectArg::Chunked => Selection::Chunked,
        }
    }

    fn abilities(&self) -> Result<Vec<Ability>> {
        if self.abilities.trim() == "all" {
            return Ok(Ability::ALL.to_vec());
        }
        let mut chosen = Vec::new();
        for name in self.abilities.split(',').filter(|n| !n.trim().is_empty()) {
            let ability = Ability::from_name(name).with_context(|| {
                format!("unknown ability {name:?}; `mechscope ais --help` lists them")
            })?;
            if !chosen.contains(&ability) {
                chosen.push(ability);
            }
        }
        if chosen.is_empty() {
            bail!("--abilities names no ability");
        }
        Ok(chosen)
    }

    /// The chosen abilities' diagnostic data as token ids for `model`.
    fn inputs(&self, model: &LoadedModel) -> Result<Vec<AbilityInput>> {
        let abilities = self.abilities()?;
        let tokenizer = &model.tokenizer;
        let Some(path) = &self.diagnostic else {
            return abilities
                .iter()
                .map(|&ability| {
                    let items = diagnostics::generate(ability, self.items_per_ability, self.seed);
                    Ok(AbilityInput::from_items(tokenizer, ability.name(), &items)?)
                })
                .collect();
        };
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let mut inputs = Vec::new();
        if diagnostics::is_token_jsonl(&bytes) {
            let loaded = diagnostics::read_token_jsonl(&bytes);
            report_skipped(path, &loaded.errors);
            let vocab = model.config.vocab_size as u32;
            for (ability, sequences) in loaded.sets {
                if !abilities.contains(&ability) {
                    continue;
                }
                if let Some(bad) = sequences.iter().flatten().find(|&&id| id >= vocab) {
                    bail!(
                        "{}: token id {bad} ({}) is outside the model's vocabulary of {vocab}",
                        path.display(),
                        ability.name()
                    );
                }
                inputs.push(AbilityInput {
                    name: ability.name().into(),
                    train: sequences,
                    test: Vec::new(),
                    selected: Vec::new(),
                });
            }
        } else {
            let loaded = diagnostics::read_jsonl(&bytes);
            report_skipped(path, &loaded.errors);
            for &ability in &abilities {
                let items = loaded.of(ability);
                if !items.is_empty() {
                    inputs.push(AbilityInput::from_items(tokenizer, ability.name(), &items)?);
                }
            }
        }
        if inputs.is_empty() {
            bail!(
                "{} has no usable line for the chosen abilities",
                path.display()
            );
        }
        Ok(inputs)
    }
}

fn report_skipped(path: &Path, errors: &[mechscope_tasks::RowError]) {
    for error in errors.iter().take(5) {
        eprintln!("{}: skipped {error}", path.display());
    }
    if errors.len() > 5 {
        eprintln!(
            "{}: skipped {} more lines",
            path.display(),
            errors.len() - 5
        );
    }
}

/// Shows a pipeline step on the bar, with a line on stderr when a phase begins.
fn show_step(bar: &ProgressBar, step: &Step) {
    let (message, (done, total)) = (step.stage(), step.progress());
    if done == 0 {
        bar.println(format!("· {message} ({total} items)"));
    }
    bar.set_message(message);
    bar.set_length(total as u64);
    bar.set_position(done as u64);
}

/// Every parameter counted once: the budget's base.
fn n_total(model: &LoadedModel) -> u64 {
    use burn::module::Module;
    model.decoder.num_params() as u64
}

pub fn ais(args: AisArgs) -> Result<()> {
    let ks = args.diagnostic.ks()?;
    let mut loaded = Vec::new();
    for spec in &args.benchmarks {
        loaded.push(load_task(spec, args.limit, 0)?);
    }
    let mut model = open_model(&args.model, args.diagnostic.backend)?;
    let n_total = n_total(&model);
    let layout = MlpLayout::of(&model.config);
    let mut benchmarks = Vec::new();
    for task in &loaded {
        let mut input = BenchmarkInput::from_items(&model.tokenizer, &task.spec, &task.items)?;
        if input.is_empty() {
            bail!("{} has no items to score", task.spec);
        }
        if let Some(generative) = &mut input.generative {
            generative.max_new_tokens = args.max_new_tokens;
        }
        benchmarks.push(input);
    }
    let mut abilities = args.diagnostic.inputs(&model)?;
    if let Some(path) = &args.masks {
        attach_masks(path, &mut abilities, n_total, layout.n_mlp())?;
    }
    let n_sels: Vec<usize> = ks.iter().map(|&k| budget(k, n_total)).collect();
    let needs_gradients = abilities.iter().any(|a| {
        n_sels
            .iter()
            .any(|&n| n > 0 && !a.selected.iter().any(|m| m.n_sel == n))
    });
    // The gradient pass needs the weights on an autodiff device: a second copy, only
    // when some budget has no precomputed mask.
    let gradient_model = if needs_gradients {
        gradient_model_of(&args.model, args.diagnostic.backend)?
    } else {
        open_model(&args.model, args.diagnostic.backend)?
    };
    let settings = AisSettings {
        k: ks[0],
        selection: args.diagnostic.selection(),
        metric: match args.metric {
            MetricArg::Acc => Metric::Acc,
            MetricArg::AccNorm => Metric::AccNorm,
        },
        random_control: !args.no_random,
        seed: args.diagnostic.seed,
    };
    let bar = progress_bar();
    let runs = pollster::block_on(run_ais_sweep(
        &gradient_model.decoder,
        &mut model.decoder,
        n_total,
        &abilities,
        &benchmarks,
        &settings,
        &ks,
        |step| {
            show_step(&bar, &step);
            ready(ControlFlow::Continue(()))
        },
    ))?;
    bar.finish_and_clear();
    for run in &runs {
        summarise(run);
    }
    let report = Report::new(
        model_info(&args.model, &model)?,
        args.diagnostic.backend.name(),
        TaskInfo {
            spec: args.benchmarks.join(","),
            n_items: benchmarks.iter().map(BenchmarkInput::len).sum(),
            rows_skipped: loaded.iter().map(|t| t.rows_skipped).sum(),
            seed: args
                .diagnostic
                .diagnostic
                .is_none()
                .then_some(args.diagnostic.seed),
        },
        MetricReport::Ais(AisReport { runs }),
    );
    write_report(&report, args.out.as_deref(), args.json)?;
    if let (true, Some(ais)) = (args.charts.wanted(), report.ais()) {
        write_charts(&args.charts, &ais.runs)?;
    }
    Ok(())
}

/// Each run's radar, heatmap and similarity matrix, named `k{k}.radar`, `k{k}.heatmap`
/// and `k{k}.similarity` among the files.
pub fn write_charts(files: &ChartFiles, runs: &[AisRun]) -> Result<()> {
    for run in runs {
        let (abilities, names, values) =
            (run.ability_names(), run.benchmark_names(), run.ais_matrix());
        let series = RadarSeries::first_rows(&names, &values);
        let title = format!(
            "AIS at k = {} ({} weights zeroed per mask)",
            run.settings.k, run.n_sel
        );
        let charts = [
            (
                "radar",
                chart::to_svg(900, 640, |area| {
                    chart::ais_radar(area, &title, &abilities, &series)
                })?,
            ),
            (
                "heatmap",
                chart::to_svg(900, 480, |area| {
                    chart::ais_heatmap(area, &title, &abilities, &names, &values)
                })?,
            ),
            (
                "similarity",
                chart::to_svg(700, 560, |area| {
                    chart::similarity_matrix(
                        area,
                        "Benchmark profile similarity (1 − Jensen–Shannon divergence)",
                        &names,
                        &run.similarity,
                    )
                })?,
            ),
        ];
        for (kind, svg) in charts {
            files.write(Some(&format!("k{}.{kind}", run.settings.k)), &svg)?;
        }
    }
    Ok(())
}

/// Fills each ability's precomputed masks from a `mechscope importance` file, after
/// checking that it was made for a model of this size.
fn attach_masks(
    path: &Path,
    abilities: &mut [AbilityInput],
    n_total: u64,
    n_mlp: u64,
) -> Result<()> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let file: MaskFile = serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not a mask file from `mechscope importance`",
            path.display()
        )
    })?;
    if (file.n_total, file.n_mlp) != (n_total, n_mlp) {
        bail!(
            "{} was made for a model with {} parameters and {} MLP weights; this one has {n_total} and {n_mlp}",
            path.display(),
            file.n_total,
            file.n_mlp
        );
    }
    for ability in abilities.iter_mut() {
        if let Some(masks) = file.abilities.iter().find(|a| a.ability == ability.name) {
            for mask in &masks.masks {
                if let Some(&bad) = mask.top.iter().chain(&mask.bottom).find(|&&i| i >= n_mlp) {
                    bail!(
                        "{}: index {bad} is past the model's {n_mlp} MLP weights",
                        path.display()
                    );
                }
            }
            ability.selected = masks.masks.clone();
        }
    }
    Ok(())
}

/// The model on `backend`'s autodiff device, only its MLP matrices tracking gradients
/// (all AIS differentiates; the backward pass is cheaper for it).
pub fn gradient_model_of(model: &Path, backend: Backend) -> Result<LoadedModel> {
    let mut loaded = open_model_on(model, &backend.device().autodiff())?;
    loaded.decoder = loaded.decoder.with_gradients_on_mlp_matrices_only();
    Ok(loaded)
}

pub fn importance(args: ImportanceArgs) -> Result<()> {
    let ks = args.diagnostic.ks()?;
    let model = gradient_model_of(&args.model, args.diagnostic.backend)?;
    let n_total = n_total(&model);
    let layout = MlpLayout::of(&model.config);
    let n_sels: Vec<usize> = ks.iter().map(|&k| budget(k, n_total)).collect();
    let abilities = args.diagnostic.inputs(&model)?;
    let bar = progress_bar();
    let mut out = Vec::with_capacity(abilities.len());
    for ability in &abilities {
        let masks = pollster::block_on(select_masks(
            &model.decoder,
            ability,
            &n_sels,
            args.diagnostic.selection(),
            |step| {
                show_step(&bar, &step);
                ready(ControlFlow::Continue(()))
            },
        ))?;
        out.push(AbilityMasks {
            ability: ability.name.clone(),
            n_train: ability.train.len(),
            masks,
        });
    }
    bar.finish_and_clear();
    let file = MaskFile::new(
        model_info(&args.model, &model)?,
        n_total,
        layout.n_mlp(),
        args.diagnostic.selection(),
        out,
    );
    std::fs::write(&args.out, serde_json::to_string(&file)?)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    eprintln!(
        "masks of {} abilities at {} budgets written to {}",
        file.abilities.len(),
        ks.len(),
        args.out.display()
    );
    Ok(())
}

/// The run as a table on stderr: one row per benchmark, one column per ability.
fn summarise(run: &AisRun) {
    eprintln!(
        "\nAIS at k = {} ({} of {} parameters zeroed per mask, {} MLP weights):",
        run.settings.k, run.n_sel, run.n_total, run.n_mlp
    );
    let names: Vec<&str> = run.abilities.iter().map(|a| a.name.as_str()).collect();
    eprintln!("{:<28} {:>6}  {}", "benchmark", "base", names.join("  "));
    for b in &run.benchmarks {
        let cells: Vec<String> = b
            .abilities
            .iter()
            .zip(&names)
            .map(|(a, name)| {
                let cell = a
                    .ais
                    .value()
                    .map_or_else(|| "undef".to_string(), |v| format!("{v:+.3}"));
                format!("{cell:>width$}", width = name.len())
            })
            .collect();
        eprintln!(
            "{:<28} {:>6.3}  {}",
            truncate(&b.name, 28),
            b.base.metric(run.settings.metric),
            cells.join("  ")
        );
    }
    for a in &run.abilities {
        if let Some(own) = &a.own_test {
            eprintln!(
                "{}: own test accuracy {:.2} → {:.2} (top) / {:.2} (bottom)",
                a.name, own.base.acc, own.top.acc, own.bottom.acc
            );
        }
    }
    for warning in &run.warnings {
        eprintln!("warning: {warning}");
    }
}

fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let kept: String = text.chars().take(width - 1).collect();
    format!("{kept}…")
}
