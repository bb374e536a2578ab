//! `mechscope`: the native command line. It runs the same crates as the page, for
//! batch runs, benchmarks and models too large for a browser tab.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use mechscope_formats::gguf;
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
    /// Measure header parsing and full dequantisation of a GGUF file (JSON on stdout).
    BenchFormats {
        model: PathBuf,
        /// Header parses to take the median of.
        #[arg(long, default_value_t = 20)]
        repeats: usize,
    },
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Inspect {
            model,
            json,
            tensors,
        } => inspect(&model, json, tensors),
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
