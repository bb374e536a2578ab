//! `mechscope bench-forward`, `bench-mui` and `bench-ais`: the native side of the numbers
//! `cargo xtask bench` writes to BENCHMARKS.md. The timing code is
//! `mechscope_metrics::bench`, the same the page runs.

use crate::mui::read_responses;
use crate::open::{Backend, open_model};
use crate::tasks::load_task;
use anyhow::{Context, Result, bail};
use mechscope_metrics::ais::BenchmarkInput;
use mechscope_metrics::bench::{
    self, AisBenchOptions, ForwardBenchOptions, LppBenchOptions, MuiBenchOptions,
};
use serde_json::json;
use std::path::Path;
use std::time::Instant;

/// Peak resident memory of this process so far, from `/proc/self/status` (Linux).
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Progress goes to stderr; stdout is the JSON.
fn to_stderr(step: String) -> std::future::Ready<()> {
    eprintln!("  {step}");
    std::future::ready(())
}

pub fn forward(model_path: &Path, options: &ForwardBenchOptions, backend: Backend) -> Result<()> {
    let started = Instant::now();
    let model = open_model(model_path, backend)?;
    let load_s = started.elapsed().as_secs_f64();
    let runs = pollster::block_on(bench::forward(
        &model.decoder,
        &model.config,
        options,
        to_stderr,
    ))
    .context("reading a traced forward back")?;
    let out = json!({
        "model": model_path.display().to_string(),
        "backend": format!("{backend:?}").to_lowercase(),
        "logits": options.logits,
        "load_s": load_s,
        "runs": runs,
        "peak_rss_bytes": peak_rss_bytes(),
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}

pub fn mui(
    model_path: &Path,
    responses: Option<&Path>,
    options: &MuiBenchOptions,
    backend: Backend,
) -> Result<()> {
    let samples = match responses {
        Some(path) => read_responses(path)?,
        None => Vec::new(),
    };
    let started = Instant::now();
    let model = open_model(model_path, backend)?;
    let load_s = started.elapsed().as_secs_f64();
    let result = pollster::block_on(bench::mui(&model, &samples, options, to_stderr))?;
    let out = json!({
        "model": model_path.display().to_string(),
        "backend": format!("{backend:?}").to_lowercase(),
        "load_s": load_s,
        "teacher_forced": result.teacher_forced,
        "generation": result.generation,
        "peak_rss_bytes": peak_rss_bytes(),
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}

/// What `mechscope bench-ais` measures.
pub struct AisBenchArgs<'a> {
    pub model: &'a Path,
    /// A benchmark file (`load_task` spec); `None`: the built-in long-term-knowledge
    /// items.
    pub benchmark: Option<&'a str>,
    pub diagnostic_items: usize,
    pub items: usize,
    pub options: AisBenchOptions,
    pub backend: Backend,
}

pub fn ais(args: &AisBenchArgs) -> Result<()> {
    let loaded_task = match args.benchmark {
        Some(spec) => Some(load_task(spec, Some(args.items), 0)?),
        None => None,
    };
    let started = Instant::now();
    let scoring = open_model(args.model, args.backend)?;
    let gradient = crate::ais::gradient_model_of(args.model, args.backend)?;
    let load_s = started.elapsed().as_secs_f64();
    let loaded_rss_bytes = peak_rss_bytes();
    let tokenizer = &scoring.tokenizer;
    let sequences = bench::builtin_sequences(tokenizer, args.diagnostic_items)?;
    let (benchmark, items) = match &loaded_task {
        Some(task) => {
            let input = BenchmarkInput::from_items(tokenizer, &task.spec, &task.items)?;
            if input.items.is_empty() {
                bail!(
                    "{} has no multiple-choice items to score by log-likelihood",
                    task.spec
                );
            }
            (task.spec.clone(), input.items)
        }
        None => (
            "long_term_knowledge (built-in diagnostic items)".to_string(),
            bench::builtin_choice_items(tokenizer, args.items)?,
        ),
    };
    let result = pollster::block_on(bench::ais(
        &gradient.decoder,
        &scoring.decoder,
        &sequences,
        &items,
        &args.options,
        to_stderr,
    ))?;
    let out = json!({
        "model": args.model.display().to_string(),
        "backend": format!("{:?}", args.backend).to_lowercase(),
        "load_s": load_s,
        "diagnostic": "quantitative (built-in, train split)",
        "benchmark": benchmark,
        "gradient": result.gradient,
        "scoring": result.scoring,
        "loaded_rss_bytes": loaded_rss_bytes,
        "peak_rss_bytes": peak_rss_bytes(),
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}

/// `mechscope bench-lpp`: the latent metrics against the plain traced forward.
pub fn lpp(
    model_path: &Path,
    ids: Option<&Path>,
    (seqs, seq_len): (usize, usize),
    options: &LppBenchOptions,
    backend: Backend,
) -> Result<()> {
    let started = Instant::now();
    let model = open_model(model_path, backend)?;
    let load_s = started.elapsed().as_secs_f64();
    let loaded_rss_bytes = peak_rss_bytes();
    let (text, sequences) = match ids {
        Some(path) => (
            path.display().to_string(),
            crate::lpp::read_ids(path, seqs)?,
        ),
        None => (
            "bundled probe text".to_string(),
            crate::lpp::bundled_sequences(&model, seqs, seq_len)?,
        ),
    };
    let result = pollster::block_on(bench::lpp(&model.decoder, &sequences, options, to_stderr))?;
    let out = json!({
        "model": model_path.display().to_string(),
        "backend": format!("{backend:?}").to_lowercase(),
        "load_s": load_s,
        "text": text,
        "lpp": result,
        "loaded_rss_bytes": loaded_rss_bytes,
        "peak_rss_bytes": peak_rss_bytes(),
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}
