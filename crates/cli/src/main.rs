//! `mechscope`: the native command line. It runs the same crates as the page, for
//! batch runs, benchmarks and models too large for a browser tab.

mod ais;
mod bench;
mod charts;
mod lpp;
mod mui;
mod open;
mod output;
mod png;
mod tasks;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use mechscope_formats::gguf;
use mechscope_formats::tokenizer::ChatMessage;
use mechscope_metrics::bench::{
    AisBenchOptions, ForwardBenchOptions, LppBenchOptions, MuiBenchOptions,
};
use mechscope_model::LoadedModel;
use mechscope_model::generate::generate_greedy;
use mechscope_model::next_token::next_tokens;
use open::{Backend, open_model};
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Parser)]
#[command(
    name = "mechscope",
    version,
    about = "Look inside language models: MUI, AIS, LPP"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Architecture, sizes, parameter count and storage types of a GGUF model.
    Inspect {
        /// A GGUF file.
        model: PathBuf,
        /// Print JSON (for scripts) instead of text.
        #[arg(long)]
        json: bool,
        /// Also list every tensor with its shape and type.
        #[arg(long)]
        tensors: bool,
    },
    /// The most likely next tokens after a prompt, and the residual stream's size per layer.
    Logits {
        /// A GGUF file, or a folder with config.json, tokenizer.json and *.safetensors.
        model: PathBuf,
        #[command(flatten)]
        input: PromptInput,
        /// Render the prompt as a user turn of the model's chat template.
        #[arg(long)]
        chat: bool,
        /// How many candidates to show.
        #[arg(long, default_value_t = 20)]
        top: usize,
        #[arg(long, value_enum, default_value_t = Backend::Cpu)]
        backend: Backend,
        /// Print JSON: {"input_ids", "top": [{"id", "token", "logit", "logprob"}], "layer_norms"}.
        #[arg(long)]
        json: bool,
    },
    /// Greedy continuation of a prompt.
    Generate {
        model: PathBuf,
        #[command(flatten)]
        input: PromptInput,
        /// Render the prompt as a user turn of the model's chat template.
        #[arg(long)]
        chat: bool,
        #[arg(long, default_value_t = 64)]
        max_new_tokens: usize,
        #[arg(long, value_enum, default_value_t = Backend::Cpu)]
        backend: Backend,
    },
    /// Measure the traced forward pass (MLP activations and residual stream recorded):
    /// tokens/s at each length, GFLOP/s, load time and peak memory (JSON on stdout).
    BenchForward {
        model: PathBuf,
        /// Sequence lengths to time.
        #[arg(long, value_delimiter = ',', default_value = "128,512")]
        tokens: Vec<usize>,
        /// Timed runs per length (after one warm-up); the median is reported.
        #[arg(long, default_value_t = 3)]
        repeats: usize,
        #[arg(long, value_enum, default_value_t = Backend::Cpu)]
        backend: Backend,
        /// Also time the unembedding (logits at every position).
        #[arg(long)]
        logits: bool,
    },
    /// Measure MUI: the teacher-forced pass over recorded responses against a plain
    /// forward over the same sequences, and MUI with generation on built-in arithmetic
    /// items (JSON on stdout).
    BenchMui {
        model: PathBuf,
        /// Recorded responses (JSONL of prompt_ids/response_ids), e.g.
        /// ../shared/fixtures/mui_smollm2_arc.responses.jsonl.
        #[arg(long)]
        responses: Option<PathBuf>,
        /// Alternated MUI and plain passes over the responses; medians are reported.
        #[arg(long, default_value_t = 3)]
        repeats: usize,
        /// Items run with generation (0: none).
        #[arg(long, default_value_t = 10)]
        generate: usize,
        #[arg(long, default_value_t = 32)]
        max_new_tokens: usize,
        #[arg(long, value_enum, default_value_t = Backend::Cpu)]
        backend: Backend,
    },
    /// Measure AIS's costly steps: the gradient pass over built-in quantitative
    /// diagnostic items against a forward over the same sequences, and multiple-choice
    /// scoring against one forward of each item's longest choice (JSON on stdout).
    BenchAis {
        model: PathBuf,
        /// Multiple-choice items to score (e.g. ../shared/data/benchmarks/arc_easy.jsonl);
        /// without it, items of the built-in long_term_knowledge diagnostic set.
        #[arg(long, value_name = "FILE")]
        benchmark: Option<String>,
        /// Training chats of the built-in quantitative set for the gradient pass.
        #[arg(long, default_value_t = 20)]
        diagnostic_items: usize,
        /// Benchmark items scored.
        #[arg(long, default_value_t = 20)]
        items: usize,
        /// Alternated passes of each step and its forward baseline; medians are reported.
        #[arg(long, default_value_t = 3)]
        repeats: usize,
        #[arg(long, value_enum, default_value_t = Backend::Cpu)]
        backend: Backend,
    },
    /// Time LPP's latent metrics over probe text against the plain traced forward
    /// (JSON on stdout).
    BenchLpp {
        model: PathBuf,
        /// Probe sequences as a JSON array of token-id arrays; default: the bundled text.
        #[arg(long, value_name = "FILE")]
        ids: Option<PathBuf>,
        #[arg(long, default_value_t = 8)]
        seqs: usize,
        #[arg(long, default_value_t = 256)]
        seq_len: usize,
        /// Alternated passes of LPP and its baselines; medians are reported.
        #[arg(long, default_value_t = 3)]
        repeats: usize,
        /// Time only output entropy and perplexity (no logit lens).
        #[arg(long)]
        no_lens: bool,
        #[arg(long, value_enum, default_value_t = Backend::Cpu)]
        backend: Backend,
    },
    /// MUI, the Model Utilization Index of a task: the share of MLP neurons its
    /// responses use (metrics.md §1), with the accuracy of the same responses.
    Mui(mui::MuiArgs),
    /// Fit the Utility Law MUI = a·ln(P) + b over MUI reports.
    Law(mui::LawArgs),
    /// AIS, the Ability Impact Score (metrics.md §2): each benchmark's accuracy drop
    /// when the MLP weights most important for an ability are zeroed; a benchmark's
    /// profile is its AIS for each ability.
    Ais(ais::AisArgs),
    /// Select the top and bottom importance masks of each ability and write them for
    /// `mechscope ais --masks` to reuse.
    Importance(ais::ImportanceArgs),
    /// Latent Performance Profiling: entropy and logit-lens profiles, layer drift,
    /// effective rank, anisotropy and perplexity on a probe text, and the uncertainty and
    /// symbolic reasoning probes.
    Lpp(lpp::LppArgs),
    /// Draw the charts of saved reports again, as SVG or PNG, without the model.
    Chart(charts::ChartArgs),
    /// Measure header parsing and full dequantisation of a GGUF file (JSON on stdout).
    BenchFormats {
        model: PathBuf,
        /// Header parses to take the median of.
        #[arg(long, default_value_t = 20)]
        repeats: usize,
    },
}

/// What to feed the model: text (optionally as a chat turn) or token ids.
#[derive(Args, Debug)]
#[group(required = true, multiple = false)]
struct PromptInput {
    /// The prompt text.
    #[arg(long)]
    prompt: Option<String>,
    /// Token ids, comma-separated (no tokenizer involved).
    #[arg(long, value_delimiter = ',')]
    ids: Option<Vec<u32>>,
}

fn input_ids(model: &LoadedModel, input: &PromptInput, chat: bool) -> Result<Vec<u32>> {
    match (&input.prompt, &input.ids) {
        (_, Some(ids)) => {
            let vocab = model.config.vocab_size as u32;
            if let Some(bad) = ids.iter().find(|&&id| id >= vocab) {
                bail!("token id {bad} is outside the vocabulary of {vocab}");
            }
            Ok(ids.clone())
        }
        (Some(text), None) if chat => Ok(model
            .tokenizer
            .encode_chat(&[ChatMessage::user(text.as_str())], true)?),
        (Some(text), None) => Ok(model.tokenizer.encode(text, true)?),
        (None, None) => bail!("give --prompt or --ids"),
    }
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Logits {
            model,
            input,
            chat,
            top,
            backend,
            json,
        } => {
            let model = open_model(&model, backend)?;
            let ids = input_ids(&model, &input, chat)?;
            let result = pollster::block_on(next_tokens(&model.decoder, &ids, top))?;
            let token = |id: u32| model.tokenizer.token_text(id).unwrap_or_default();
            if json {
                let top: Vec<serde_json::Value> = result
                    .top
                    .iter()
                    .map(|c| serde_json::json!({"id": c.id, "token": token(c.id), "logit": c.logit, "logprob": c.logprob}))
                    .collect();
                let out = serde_json::json!({"input_ids": ids, "top": top, "layer_norms": result.layer_norms});
                println!("{}", serde_json::to_string_pretty(&out)?);
            } else {
                println!("{} input tokens", ids.len());
                for c in &result.top {
                    println!(
                        "{:>8} {:>10.4} {:>10.4}  {:?}",
                        c.id,
                        c.logit,
                        c.logprob,
                        token(c.id)
                    );
                }
            }
            Ok(())
        }
        Command::Generate {
            model,
            input,
            chat,
            max_new_tokens,
            backend,
        } => {
            let model = open_model(&model, backend)?;
            let ids = input_ids(&model, &input, chat)?;
            let stop = model.tokenizer.eos_ids();
            let started = Instant::now();
            let mut stdout = std::io::stdout();
            let mut shown = String::new();
            let mut all = Vec::new();
            let generated = pollster::block_on(generate_greedy(
                &model.decoder,
                &ids,
                max_new_tokens,
                &stop,
                |id| {
                    all.push(id);
                    // Print the text as it grows (decoding the whole run keeps multi-byte
                    // characters split across tokens intact).
                    if let Ok(text) = model.tokenizer.decode(&all, true) {
                        if let Some(new) = text.strip_prefix(shown.as_str()) {
                            let _ = write!(stdout, "{new}");
                            let _ = stdout.flush();
                        }
                        shown = text;
                    }
                    std::ops::ControlFlow::Continue(())
                },
            ))?;
            println!();
            let secs = started.elapsed().as_secs_f64();
            eprintln!(
                "{} tokens in {secs:.1} s ({:.1} tokens/s)",
                generated.len(),
                generated.len() as f64 / secs
            );
            Ok(())
        }
        Command::Inspect {
            model,
            json,
            tensors,
        } => inspect(&model, json, tensors),
        Command::BenchForward {
            model,
            tokens,
            repeats,
            backend,
            logits,
        } => bench::forward(
            &model,
            &ForwardBenchOptions {
                lengths: tokens,
                repeats,
                logits,
                ..ForwardBenchOptions::default()
            },
            backend,
        ),
        Command::BenchMui {
            model,
            responses,
            repeats,
            generate,
            max_new_tokens,
            backend,
        } => bench::mui(
            &model,
            responses.as_deref(),
            &MuiBenchOptions {
                repeats,
                generate,
                max_new_tokens,
            },
            backend,
        ),
        Command::BenchAis {
            model,
            benchmark,
            diagnostic_items,
            items,
            repeats,
            backend,
        } => bench::ais(&bench::AisBenchArgs {
            model: &model,
            benchmark: benchmark.as_deref(),
            diagnostic_items,
            items,
            options: AisBenchOptions { repeats },
            backend,
        }),
        Command::BenchLpp {
            model,
            ids,
            seqs,
            seq_len,
            repeats,
            no_lens,
            backend,
        } => bench::lpp(
            &model,
            ids.as_deref(),
            (seqs, seq_len),
            &LppBenchOptions {
                repeats,
                lens: !no_lens,
            },
            backend,
        ),
        Command::Mui(args) => mui::mui(args),
        Command::Law(args) => mui::law(args),
        Command::Chart(args) => charts::chart(args),
        Command::Ais(args) => ais::ais(args),
        Command::Importance(args) => ais::importance(args),
        Command::Lpp(args) => lpp::lpp(args),
        Command::BenchFormats { model, repeats } => {
            let bytes = read(&model)?;
            let origin = Instant::now();
            let now_ms = || origin.elapsed().as_secs_f64() * 1e3;
            let result = mechscope_formats::bench::gguf_throughput(&bytes, repeats, &now_ms)
                .with_context(|| format!("benchmarking {}", model.display()))?;
            println!("{}", serde_json::to_string_pretty(&result)?);
            Ok(())
        }
    }
}

fn read(path: &PathBuf) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

fn inspect(path: &PathBuf, json: bool, list_tensors: bool) -> Result<()> {
    let bytes = read(path)?;
    let header = gguf::parse_file(&bytes)
        .with_context(|| format!("{} is not a usable GGUF file", path.display()))?;
    let summary = header.summary();
    if json {
        let tensors: Vec<serde_json::Value> = header
            .tensors
            .iter()
            .map(|t| serde_json::json!({"name": t.name, "shape": t.shape, "type": t.ty, "size_bytes": t.size_bytes}))
            .collect();
        let mut value = serde_json::to_value(&summary)?;
        if list_tensors {
            value["tensors"] = serde_json::Value::Array(tensors);
        }
        println!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(());
    }
    let show = |v: Option<u64>| v.map_or("-".to_string(), |v| v.to_string());
    println!(
        "file          {} ({} bytes, GGUF v{})",
        path.display(),
        bytes.len(),
        summary.version
    );
    println!("name          {}", summary.name.as_deref().unwrap_or("-"));
    println!(
        "architecture  {}",
        summary.architecture.as_deref().unwrap_or("-")
    );
    println!("layers        {}", show(summary.layers));
    println!("width         {}", show(summary.width));
    println!("mlp width     {}", show(summary.ffn_width));
    println!(
        "heads         {} (kv {})",
        show(summary.attention_heads),
        show(summary.kv_heads)
    );
    println!("context       {}", show(summary.context_length));
    println!("vocabulary    {}", show(summary.vocab_size));
    println!("parameters    {}", summary.parameter_count);
    println!("tensors       {}", summary.tensor_count);
    for t in &summary.types {
        println!(
            "  {:<6} {:>4} tensors {:>12} parameters {:>12} bytes",
            t.ty.name(),
            t.tensors,
            t.parameters,
            t.size_bytes
        );
    }
    if list_tensors {
        for t in &header.tensors {
            println!("{:<40} {:<6} {:?}", t.name, t.ty.name(), t.shape);
        }
    }
    Ok(())
}
