//! `mechscope bench-forward`: the numbers `cargo xtask bench` writes to BENCHMARKS.md.

use crate::open::{Backend, open_model};
use anyhow::Result;
use mechscope_model::generate::read_f32;
use mechscope_model::{Logits, Trace};
use std::path::Path;
use std::time::Instant;

/// Peak resident memory of this process so far, from `/proc/self/status` (Linux).
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Multiply-adds of one forward over `t` tokens, counted as 2 FLOP each: the weight
/// matmuls, attention's two `t × t` products, and optionally the unembedding.
fn forward_flops(c: &mechscope_model::ModelConfig, t: usize, logits: bool) -> f64 {
    let (d, f, l) = (c.d_model as f64, c.d_ff as f64, c.n_layers as f64);
    let (q, kv) = (
        (c.n_heads * c.head_dim) as f64,
        (c.n_kv_heads * c.head_dim) as f64,
    );
    let t = t as f64;
    let mlp = if c.family.gated_mlp() { 3.0 } else { 2.0 } * d * f;
    let per_token = l * (d * q + 2.0 * d * kv + q * d + mlp);
    let attention = l * 2.0 * t * t * q / 2.0; // causal: half the square
    let unembed = if logits { d * c.vocab_size as f64 } else { 0.0 };
    2.0 * (t * per_token + attention + t * unembed)
}

pub fn forward(
    model_path: &Path,
    lengths: &[usize],
    repeats: usize,
    backend: Backend,
    logits: bool,
) -> Result<()> {
    let started = Instant::now();
    let model = open_model(model_path, backend)?;
    let load_s = started.elapsed().as_secs_f64();
    let decoder = &model.decoder;
    let trace = Trace {
        mlp_activations: true,
        residual_stream: true,
        logits: if logits { Logits::All } else { Logits::None },
    };
    let mut runs = Vec::new();
    for &t in lengths {
        let ids: Vec<u32> = (0..t)
            .map(|i| ((i * 7919 + 13) % model.config.vocab_size) as u32)
            .collect();
        let mut times = Vec::new();
        for run in 0..=repeats.max(1) {
            let begin = Instant::now();
            let traced = decoder.forward(decoder.ids_tensor(&ids, 1), trace, None);
            // Read what was traced back: on wgpu the work only runs when read.
            let mut checksum = 0f64;
            for a in traced
                .mlp_activations
                .into_iter()
                .chain(traced.residual_stream)
            {
                checksum += pollster::block_on(read_f32(a.sum()))?
                    .iter()
                    .map(|&v| f64::from(v))
                    .sum::<f64>();
            }
            if let Some(l) = traced.logits {
                checksum += pollster::block_on(read_f32(l.sum()))?
                    .iter()
                    .map(|&v| f64::from(v))
                    .sum::<f64>();
            }
            if run > 0 {
                times.push(begin.elapsed().as_secs_f64());
            }
            std::hint::black_box(checksum);
        }
        times.sort_by(f64::total_cmp);
        let median = times[times.len() / 2];
        let flops = forward_flops(&model.config, t, logits);
        runs.push(serde_json::json!({
            "tokens": t,
            "seconds": median,
            "tokens_per_s": t as f64 / median,
            "gflop_per_s": flops / median / 1e9,
        }));
    }
    let out = serde_json::json!({
        "model": model_path.display().to_string(),
        "backend": format!("{backend:?}").to_lowercase(),
        "load_s": load_s,
        "runs": runs,
        "peak_rss_bytes": peak_rss_bytes(),
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}
