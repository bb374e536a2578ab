//! The "forward" section: the traced forward of the demo model natively (burn `flex`),
//! in PyTorch, and in the page on the CPU backend and on WebGPU.

use super::{Measured, figure, fixed, load_average, measured, node};
use crate::paths::Paths;
use anyhow::Result;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// Lengths timed, as `mechscope bench-forward` and the page take them.
const LENGTHS: [usize; 2] = [128, 512];

/// A WebGPU forward (SwiftShader, on the CPU) longer than this is not repeated, and a
/// length predicted to take longer is skipped (the page says which).
const MAX_WEBGPU_FORWARD_S: u32 = 600;

/// Timed WebGPU runs per length after the warm-up: one forward of 128 tokens takes about
/// two minutes on SwiftShader here, so the median of 3 would add most of an hour.
const WEBGPU_REPEATS: u32 = 1;

pub fn run(paths: &Paths, cli: &Path, base: &str) -> Result<String> {
    let load_start = load_average();
    let model = paths.demo_model();
    let native = measured(
        "forward, native (release, burn flex)",
        Command::new(cli).arg("bench-forward").arg(&model).args([
            "--tokens",
            "128,512",
            "--repeats",
            "3",
        ]),
    );
    let python = paths.cache.join("py/bin/python");
    let pytorch = |threads: u32| -> Measured {
        if !python.exists() {
            return Err(format!("{} is absent", python.display()));
        }
        measured(
            &format!("forward, PyTorch on {threads} thread(s)"),
            Command::new(&python)
                .current_dir(&paths.root)
                .arg("tests/bench/pytorch_forward.py")
                .arg(&model)
                .args(["--threads", &threads.to_string()]),
        )
    };
    let pytorch_2 = pytorch(2);
    let pytorch_1 = pytorch(1);
    let wasm_cpu = measured(
        "forward, wasm on burn flex in headless Chromium",
        node(paths, base, "tests/bench/forward.cjs").arg("cpu"),
    );
    let wasm_gpu = measured(
        "forward, wasm on WebGPU (SwiftShader) in headless Chromium",
        node(paths, base, "tests/bench/forward.cjs")
            .arg("webgpu")
            .arg(format!(
                "repeats={WEBGPU_REPEATS}&max_forward_s={MAX_WEBGPU_FORWARD_S}"
            )),
    );
    let load = format!("{load_start} at the start, {} at the end", load_average());
    Ok(section(
        &load,
        &Results {
            native,
            pytorch_2,
            pytorch_1,
            wasm_cpu,
            wasm_gpu,
        },
    ))
}

struct Results {
    native: Measured,
    pytorch_2: Measured,
    pytorch_1: Measured,
    wasm_cpu: Measured,
    wasm_gpu: Measured,
}

/// The run at `tokens` tokens of a bench's `runs` array.
fn run_at(measured: &Measured, tokens: usize) -> Option<&Value> {
    measured.as_ref().ok()?["runs"]
        .as_array()?
        .iter()
        .find(|r| r["tokens"].as_u64() == Some(tokens as u64))
}

fn seconds_at(measured: &Measured, tokens: usize) -> Option<f64> {
    run_at(measured, tokens)?["seconds"].as_f64()
}

fn tokens_per_s(measured: &Measured, tokens: usize) -> Option<f64> {
    seconds_at(measured, tokens).map(|s| tokens as f64 / s)
}

fn section(load: &str, r: &Results) -> String {
    // FLOP counts come from the CLI, which knows the model's shape; every column divides
    // the same count by its own time.
    let flops = |t: usize| run_at(&r.native, t).and_then(|run| run["flops"].as_f64());
    let number = |m: &Measured, key: &str| m.as_ref().ok().and_then(|v| pointer(v, key));
    let row = |name: &str, threads: &str, m: &Measured, load_key: &str, memory_key: &str| {
        let mut cells = vec![
            name.to_string(),
            threads.to_string(),
            fixed(number(m, load_key), 2),
        ];
        for t in LENGTHS {
            let note = match run_at(m, t) {
                Some(run) if run["skipped"].is_string() => "skipped",
                Some(run) if run["timed_runs"].as_u64() == Some(0) => " (warm-up only)",
                _ => "",
            };
            let rate = match note {
                "skipped" => "skipped".to_string(),
                _ => format!("{}{note}", figure(tokens_per_s(m, t))),
            };
            cells.push(rate);
            cells.push(figure(
                seconds_at(m, t).zip(flops(t)).map(|(s, f)| f / s / 1e9),
            ));
        }
        cells.push(fixed(number(m, memory_key).map(|b| b / 1e6), 0));
        format!("| {} |\n", cells.join(" | "))
    };
    let torch = r
        .pytorch_2
        .as_ref()
        .ok()
        .map(|v| {
            format!(
                "PyTorch {} (transformers {})",
                v["torch"].as_str().unwrap_or("?"),
                v["transformers"].as_str().unwrap_or("?")
            )
        })
        .unwrap_or_else(|| "PyTorch".to_string());
    let table = [
        "| where | threads | load (s) | 128 tokens (tokens/s) | GFLOP/s | 512 tokens (tokens/s) | GFLOP/s | peak memory (MB) |\n\
         |---|---|---|---|---|---|---|---|\n"
            .to_string(),
        row(
            "native, burn flex (x86_64)",
            "2 (rayon)",
            &r.native,
            "/load_s",
            "/peak_rss_bytes",
        ),
        row(&torch, "2", &r.pytorch_2, "/load_s", "/peak_rss_bytes"),
        row(&torch, "1", &r.pytorch_1, "/load_s", "/peak_rss_bytes"),
        row(
            "wasm, burn flex (Chromium)",
            "1",
            &r.wasm_cpu,
            "/load/load_s",
            "/wasm_memory_bytes",
        ),
        row(
            "wasm, WebGPU on SwiftShader (Chromium)",
            "SwiftShader's",
            &r.wasm_gpu,
            "/load/load_s",
            "/wasm_memory_bytes",
        ),
    ]
    .concat();

    let ratio = |a: &Measured, b: &Measured, t: usize| -> Option<f64> {
        Some(tokens_per_s(a, t)? / tokens_per_s(b, t)?)
    };
    let ratio_row = |name: &str, a: &Measured, b: &Measured, percent: bool| {
        let cells: Vec<String> = LENGTHS
            .iter()
            .map(|&t| match ratio(a, b, t) {
                Some(x) if percent => format!("{}%", figure(Some(100.0 * x))),
                Some(x) => format!("{x:.2}×"),
                None => "—".to_string(),
            })
            .collect();
        format!("| {name} | {} |\n", cells.join(" | "))
    };
    let ratios = [
        ratio_row(
            "native / PyTorch on 2 threads",
            &r.native,
            &r.pytorch_2,
            false,
        ),
        ratio_row(
            "native / PyTorch on 1 thread",
            &r.native,
            &r.pytorch_1,
            false,
        ),
        ratio_row("wasm on burn flex / native", &r.wasm_cpu, &r.native, true),
        ratio_row("wasm on WebGPU / native", &r.wasm_gpu, &r.native, true),
    ]
    .concat();

    let mut notes = Vec::new();
    for (name, m) in [
        ("native", &r.native),
        ("PyTorch (2 threads)", &r.pytorch_2),
        ("PyTorch (1 thread)", &r.pytorch_1),
        ("wasm on the CPU backend", &r.wasm_cpu),
        ("wasm on WebGPU", &r.wasm_gpu),
    ] {
        if let Err(e) = m {
            notes.push(format!("- {name}: not measured ({e})."));
        }
        for t in LENGTHS {
            match run_at(m, t) {
                Some(run) if run["skipped"].is_string() => notes.push(format!(
                    "- {name}, {t} tokens: not measured, {}; only 128 tokens are.",
                    run["skipped"].as_str().unwrap_or_default()
                )),
                Some(run) if run["timed_runs"].as_u64() == Some(0) => notes.push(format!(
                    "- {name}, {t} tokens: the warm-up alone took {:.0} s (over {MAX_WEBGPU_FORWARD_S} s), \
                     so it is the figure shown.",
                    run["warm_up_s"].as_f64().unwrap_or(f64::NAN)
                )),
                _ => {}
            }
        }
    }
    if let Some(warm) = run_at(&r.wasm_gpu, 128).and_then(|run| run["warm_up_s"].as_f64()) {
        notes.push(format!(
            "- WebGPU: one timed run after the warm-up, not the median of 3. Its first forward at 128 \
             tokens (kernel compilation included) took {warm:.0} s."
        ));
    }
    format!(
        "## Forward: the traced model core\n\n\
         The demo model (SmolLM2-135M-Instruct, Q4_1 dequantised to f32) over one sequence of 128 and of \
         512 tokens, recording the MLP activations (30 × `[t, 1536]`) and the residual stream (31 × \
         `[t, 576]`), every recorded tensor's sum read back; no logits. One warm-up, then the median of 3 \
         runs. GFLOP/s counts the weight matmuls and causal attention (2 FLOP per multiply-add).\n\n\
         - Native: `mechscope bench-forward MODEL --tokens 128,512` (release; burn's `flex` CPU backend as \
         the workspace configures it: its `simd` feature, and `rayon`, so both cores).\n\
         - PyTorch: `tests/bench/pytorch_forward.py MODEL --threads N`, the same GGUF through \
         transformers' `from_pretrained(gguf_file=...)`, float32, eager attention, forward hooks on every \
         MLP `act_fn`, the embedding and the decoder layers; `model.model`, so no logits either.\n\
         - Wasm: the release page's `?bench=forward&device=cpu|webgpu` in headless Chromium \
         (`tests/bench/forward.cjs`), built with WebAssembly SIMD (`+simd128`); load is preparing the weights from the downloaded bytes.\n\
         - Peak memory: the process's peak RSS natively and for PyTorch; in the page, the wasm linear \
         memory (WebGPU buffers are not in it).\n\
         - Load average (1 min) {load}: other work shared the 2 cores, so figures move between runs.\n\n\
         {table}\n\
         | ratio of tokens/s | 128 tokens | 512 tokens |\n|---|---|---|\n{ratios}\n{}",
        notes.join("\n") + if notes.is_empty() { "" } else { "\n" },
    )
}

/// A number at a JSON pointer (`/load/load_s`).
fn pointer(value: &Value, key: &str) -> Option<f64> {
    value.pointer(key)?.as_f64()
}
