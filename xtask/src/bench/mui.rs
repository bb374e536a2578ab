//! The "mui" section: MUI throughput natively and in the page, teacher-forced over
//! recorded responses against a plain forward over the same sequences, and with
//! generation.

use super::{Measured, figure, fixed, load_average, measured, node};
use crate::paths::Paths;
use anyhow::Result;
use std::path::Path;
use std::process::Command;

/// Arithmetic items generated per run: natively, and in the page (slower).
const NATIVE_GENERATE: usize = 10;
const PAGE_GENERATE: usize = 3;
const MAX_NEW_TOKENS: usize = 32;

/// Recorded responses scored on WebGPU: SwiftShader takes minutes per sample here.
const WEBGPU_SAMPLES: usize = 3;

/// The project's aim for the teacher-forced MUI pass against a plain forward.
const AIM: f64 = 1.3;

pub fn run(paths: &Paths, cli: &Path, base: &str) -> Result<String> {
    let load_start = load_average();
    let fixture = paths
        .root
        .join("../shared/fixtures/mui_smollm2_arc.responses.jsonl");
    let responses = fixture.exists().then_some(fixture.as_path());
    if responses.is_none() {
        println!(
            "\n{} is absent (../shared is not checked out): only MUI with generation is measured",
            fixture.display()
        );
    }
    let mut native_cmd = Command::new(cli);
    native_cmd.arg("bench-mui").arg(paths.demo_model());
    if let Some(path) = responses {
        native_cmd.arg("--responses").arg(path);
    }
    native_cmd.args([
        "--generate",
        &NATIVE_GENERATE.to_string(),
        "--max-new-tokens",
        &MAX_NEW_TOKENS.to_string(),
        "--repeats",
        "3",
    ]);
    let native = measured("mui, native (release, burn flex)", &mut native_cmd);
    let page = |device: &str, limit: Option<usize>| {
        let mut query =
            format!("generate={PAGE_GENERATE}&max_new_tokens={MAX_NEW_TOKENS}&repeats=1");
        if let Some(limit) = limit {
            query += &format!("&limit={limit}");
        }
        measured(
            &format!("mui, wasm on {device} in headless Chromium"),
            node(paths, base, "tests/bench/mui.cjs")
                .arg(device)
                .arg(responses.map_or_else(|| "-".into(), |p| p.as_os_str().to_owned()))
                .arg(query),
        )
    };
    let wasm_cpu = page("cpu", None);
    let wasm_gpu = page("webgpu", Some(WEBGPU_SAMPLES));
    let load = format!("{load_start} at the start, {} at the end", load_average());
    Ok(section(
        &load,
        responses.is_some(),
        &native,
        &wasm_cpu,
        &wasm_gpu,
    ))
}

fn at(m: &Measured, key: &str) -> Option<f64> {
    m.as_ref().ok()?.pointer(key)?.as_f64()
}

fn section(
    load: &str,
    have_responses: bool,
    native: &Measured,
    wasm_cpu: &Measured,
    wasm_gpu: &Measured,
) -> String {
    let row = |name: &str, m: &Measured| {
        let ratio = at(m, "/teacher_forced/mui_over_plain");
        let flag = match ratio {
            Some(r) if r > AIM => " ⚠",
            _ => "",
        };
        let samples = match (
            at(m, "/teacher_forced/items"),
            at(m, "/teacher_forced/tokens"),
        ) {
            (Some(n), Some(t)) => format!("{n:.0} ({t:.0})"),
            _ => "—".to_string(),
        };
        format!(
            "| {name} | {samples} | {} | {} | {} | {}{flag} | {} | {} | {} |\n",
            figure(at(m, "/teacher_forced/mui_items_per_min")),
            figure(at(m, "/teacher_forced/mui_tokens_per_s")),
            figure(at(m, "/teacher_forced/plain_tokens_per_s")),
            fixed(ratio, 2),
            fixed(at(m, "/generation/items"), 0),
            figure(at(m, "/generation/items_per_min")),
            figure(at(m, "/generation/generated_tokens_per_s")),
        )
    };
    let table = format!(
        "| where | samples (tokens) | MUI pass (items/min) | MUI pass (tokens/s) | plain forward (tokens/s) | \
         MUI / plain | generated items | with generation (items/min) | generated tokens/s |\n\
         |---|---|---|---|---|---|---|---|---|\n{}{}{}",
        row("native, burn flex (x86_64)", native),
        row("wasm, burn flex (Chromium)", wasm_cpu),
        row("wasm, WebGPU on SwiftShader (Chromium)", wasm_gpu),
    );
    let tokens = at(native, "/teacher_forced/tokens")
        .or_else(|| at(wasm_gpu, "/teacher_forced/tokens"))
        .map_or_else(|| "?".to_string(), |t| format!("{t:.0}"));
    let items =
        at(native, "/teacher_forced/items").map_or_else(|| "20".to_string(), |n| format!("{n:.0}"));
    let recorded = if have_responses {
        format!(
            "- (a) MUI pass: `score_samples` over the {items} recorded ARC-Easy responses of \
             `../shared/fixtures/mui_smollm2_arc.responses.jsonl` ({tokens} tokens of prompt and response in \
             all): one forward per sample with the MLP activations traced, the contribution scores and the \
             per-layer top-k on the device, the selected entries read back.\n\
             - (b) plain forward: exactly the same sequences, no MLP activations, no logits, the sum of the \
             last hidden state read back (so the work runs on WebGPU too).\n\
             - (a) and (b): one warm-up sample through each, then alternated passes, the median of 3 \
             natively and 1 in the page. WebGPU scores only the first {WEBGPU_SAMPLES} samples: SwiftShader \
             takes minutes per sample here.\n"
        )
    } else {
        "- (a) and (b), the MUI pass over the recorded ARC-Easy responses and the plain forward over the \
         same sequences, were skipped: `../shared/fixtures/mui_smollm2_arc.responses.jsonl` is absent \
         (../shared is not checked out).\n"
            .to_string()
    };
    let mut notes = Vec::new();
    for (name, m) in [
        ("native", native),
        ("wasm on the CPU backend", wasm_cpu),
        ("wasm on WebGPU", wasm_gpu),
    ] {
        if let Err(e) = m {
            notes.push(format!("- {name}: not measured ({e})."));
        }
        if let Some(r) = at(m, "/teacher_forced/mui_over_plain")
            && r > AIM
        {
            notes.push(format!(
                "- {name}: the MUI pass costs {r:.2}× the plain forward, above the aim of {AIM}× (⚠)."
            ));
        }
    }
    let mui_values: Vec<String> = [
        ("native", native),
        ("wasm on the CPU", wasm_cpu),
        ("WebGPU", wasm_gpu),
    ]
    .iter()
    .filter_map(|(name, m)| {
        let mui = at(m, "/teacher_forced/mui")?;
        let n = at(m, "/teacher_forced/items")?;
        Some(format!("{name} {:.4}% ({n:.0} samples)", mui * 100.0))
    })
    .collect();
    if !mui_values.is_empty() {
        notes.push(format!(
            "- MUI of the recorded responses, a check that each side computed the same thing: {}.",
            mui_values.join(", ")
        ));
    }
    format!(
        "## MUI: throughput\n\n\
         The demo model (SmolLM2-135M-Instruct), MUI with the contract's defaults (per-layer top-k, k = 1, \
         target = same, chat prompts).\n\n\
         {recorded}\
         - (c) with generation: `run_mui` on items of the built-in `arithmetic` task (seed 0): greedy \
         responses of at most {MAX_NEW_TOKENS} new tokens with the KV cache, then the MUI pass; generated \
         tokens/s counts the generation phase only.\n\
         - Native: `mechscope bench-mui MODEL --responses FILE --generate {NATIVE_GENERATE}` (release, burn \
         `flex` on both cores). Wasm: the release page's `?bench=mui&device=cpu|webgpu&generate={PAGE_GENERATE}` \
         in headless Chromium (`tests/bench/mui.cjs` hands the page the responses file).\n\
         - Load average (1 min) {load}: other work shared the 2 cores, so figures move between runs.\n\n\
         {table}\n\
         The aim is a MUI pass of at most {AIM}× the plain forward.\n\n{}",
        notes.join("\n") + if notes.is_empty() { "" } else { "\n" },
    )
}
