//! The "ais" section: AIS's two costly steps natively and in the page — the gradient
//! pass over diagnostic chats against a forward over the same sequences, and
//! multiple-choice scoring against one forward of each item's longest choice — with
//! load time and memory.

use super::{Measured, figure, fixed, load_average, measured, node, ratio_cell};
use crate::paths::Paths;
use anyhow::Result;
use std::path::Path;
use std::process::Command;

/// Diagnostic training chats and benchmark items natively and in the page on the CPU
/// backend.
const ITEMS: usize = 20;
/// The same on WebGPU: SwiftShader takes minutes per gradient item here.
const WEBGPU_ITEMS: usize = 2;
/// Alternated passes natively (medians); the page runs one.
const NATIVE_REPEATS: usize = 3;

/// The aims of the AIS issue (as `mechscope_metrics::bench::GRADIENT_AIM` and
/// `SCORING_AIM`; xtask does not depend on the metrics crate).
const GRADIENT_AIM: f64 = 3.0;
const SCORING_AIM: f64 = 1.5;

const BENCHMARK: &str = "../shared/data/benchmarks/arc_easy.jsonl";

pub fn run(paths: &Paths, cli: &Path, base: &str) -> Result<String> {
    let load_start = load_average();
    let arc = paths.root.join(BENCHMARK);
    let benchmark = arc.exists().then_some(arc.as_path());
    if benchmark.is_none() {
        println!(
            "\n{} is absent (../shared is not checked out): built-in long_term_knowledge items are scored",
            arc.display()
        );
    }
    let mut native_cmd = Command::new(cli);
    native_cmd.arg("bench-ais").arg(paths.demo_model());
    if let Some(path) = benchmark {
        native_cmd.arg("--benchmark").arg(path);
    }
    native_cmd.args([
        "--diagnostic-items",
        &ITEMS.to_string(),
        "--items",
        &ITEMS.to_string(),
        "--repeats",
        &NATIVE_REPEATS.to_string(),
    ]);
    let native = measured("ais, native (release, burn flex)", &mut native_cmd);
    let page = |device: &str, items: usize| {
        measured(
            &format!("ais, wasm on {device} in headless Chromium"),
            node(paths, base, "tests/bench/ais.cjs")
                .arg(device)
                .arg(benchmark.map_or_else(|| "-".into(), |p| p.as_os_str().to_owned()))
                .arg(format!("diagnostic_items={items}&items={items}&repeats=1")),
        )
    };
    let wasm_cpu = page("cpu", ITEMS);
    let wasm_gpu = page("webgpu", WEBGPU_ITEMS);
    let load = format!("{load_start} at the start, {} at the end", load_average());
    Ok(section(
        &load,
        benchmark.is_some(),
        &native,
        &wasm_cpu,
        &wasm_gpu,
    ))
}

fn at(m: &Measured, key: &str) -> Option<f64> {
    m.as_ref().ok()?.pointer(key)?.as_f64()
}

/// `count (tokens)`, or "—".
fn count_with(m: &Measured, count: &str, of: &str) -> String {
    match (at(m, count), at(m, of)) {
        (Some(n), Some(t)) => format!("{n:.0} ({t:.0})"),
        _ => "—".to_string(),
    }
}

const WHERE: [&str; 3] = [
    "native, burn flex (x86_64)",
    "wasm, burn flex (Chromium)",
    "wasm, WebGPU on SwiftShader (Chromium)",
];

fn section(
    load: &str,
    have_benchmark: bool,
    native: &Measured,
    wasm_cpu: &Measured,
    wasm_gpu: &Measured,
) -> String {
    let all = [native, wasm_cpu, wasm_gpu];
    let per_100 = |m: &Measured, key: &str| Some(at(m, key)? / at(m, "/gradient/items")? * 100.0);
    let gradient_rows: String = WHERE
        .iter()
        .zip(all)
        .map(|(name, m)| {
            format!(
                "| {name} | {} | {} | {} | {} | {} | {} | {} |\n",
                count_with(m, "/gradient/items", "/gradient/tokens"),
                figure(at(m, "/gradient/seconds_per_100_items")),
                figure(at(m, "/gradient/readback_seconds")),
                figure(per_100(m, "/gradient/forward_seconds")),
                ratio_cell(at(m, "/gradient/gradient_over_forward"), GRADIENT_AIM),
                fixed(at(m, "/gradient/with_readback_over_forward"), 2),
                fixed(at(m, "/gradient/mean_loss"), 4),
            )
        })
        .collect();
    let scoring_rows: String = WHERE
        .iter()
        .zip(all)
        .map(|(name, m)| {
            let forward_rate = match (
                at(m, "/scoring/items"),
                at(m, "/scoring/longest_forward_seconds"),
            ) {
                (Some(n), Some(s)) => Some(n / s),
                _ => None,
            };
            format!(
                "| {name} | {} | {} | {} | {} | {} |\n",
                count_with(m, "/scoring/items", "/scoring/choices"),
                figure(at(m, "/scoring/items_per_s")),
                figure(forward_rate),
                ratio_cell(at(m, "/scoring/scoring_over_longest_forward"), SCORING_AIM),
                fixed(at(m, "/scoring/acc"), 2),
            )
        })
        .collect();
    let memory_rows: String = WHERE
        .iter()
        .zip(all)
        .zip([
            ("/load_s", "/loaded_rss_bytes", "/peak_rss_bytes"),
            ("/load/load_s", "/loaded_memory_bytes", "/wasm_memory_bytes"),
            ("/load/load_s", "/loaded_memory_bytes", "/wasm_memory_bytes"),
        ])
        .map(|((name, m), (load_key, loaded_key, peak_key))| {
            format!(
                "| {name} | {} | {} | {} |\n",
                fixed(at(m, load_key), 2),
                fixed(at(m, loaded_key).map(|b| b / 1e6), 0),
                fixed(at(m, peak_key).map(|b| b / 1e6), 0),
            )
        })
        .collect();

    let benchmark = if have_benchmark {
        "the first items of ARC-Easy (`../shared/data/benchmarks/arc_easy.jsonl`, 4 choices each, one \
         shared context)"
    } else {
        "built-in long_term_knowledge diagnostic items (`../shared/data/benchmarks/arc_easy.jsonl` is \
         absent: ../shared is not checked out)"
    };
    let mut notes = Vec::new();
    for (name, m) in ["native", "wasm on the CPU backend", "wasm on WebGPU"]
        .iter()
        .zip(all)
    {
        if let Err(e) = m {
            notes.push(format!("- {name}: not measured ({e})."));
            continue;
        }
        match at(m, "/gradient/gradient_over_forward") {
            Some(r) if r > GRADIENT_AIM => notes.push(format!(
                "- {name}: a gradient item costs {r:.2}× its forward, above the aim of {GRADIENT_AIM}× (⚠)."
            )),
            Some(r) => notes.push(format!(
                "- {name}: a gradient item costs {r:.2}× its forward: within the aim of {GRADIENT_AIM}×."
            )),
            None => {}
        }
        match at(m, "/scoring/scoring_over_longest_forward") {
            Some(r) if r > SCORING_AIM => notes.push(format!(
                "- {name}: scoring an item costs {r:.2}× one forward of its longest choice, above the aim \
                 of {SCORING_AIM}× (⚠)."
            )),
            Some(r) => notes.push(format!(
                "- {name}: scoring an item costs {r:.2}× one forward of its longest choice: within the aim \
                 of {SCORING_AIM}×."
            )),
            None => {}
        }
    }
    if let Some(warm) = at(wasm_gpu, "/gradient/warm_up_s") {
        notes.push(format!(
            "- WebGPU: its gradient warm-up (one item, kernel compilation and the full readback \
             included) took {warm:.0} s."
        ));
    }
    let losses: Vec<String> = ["native", "wasm on the CPU", "WebGPU"]
        .iter()
        .zip(all)
        .filter_map(|(name, m)| {
            let loss = at(m, "/gradient/mean_loss")?;
            let n = at(m, "/gradient/items")?;
            Some(format!("{name} {loss:.4} ({n:.0} items)"))
        })
        .collect();
    if !losses.is_empty() {
        notes.push(format!(
            "- Mean loss of the diagnostic chats, a check that each side computed the same thing: {}.",
            losses.join(", ")
        ));
    }
    format!(
        "## AIS: gradient pass and scoring\n\n\
         The demo model (SmolLM2-135M-Instruct, Q4_1 dequantised to f32) loaded twice: on an autodiff \
         device for the gradients, on the plain device for scoring and the forward baselines.\n\n\
         - Gradient pass: `gradient_importance` over the first N training chats of the built-in \
         quantitative diagnostic set (seed 42, 80/20 split, the model's chat template) on a model whose \
         MLP matrices alone track gradients: chats sorted by length in right-padded batches of at most \
         256 tokens, one forward with logits at every position, the sum of each chat's mean next-token \
         cross-entropy, `backward()`, the losses read back and the MLP weights' gradients summed on the \
         device; at the end one readback of \
         |θ ⊙ G| over all 79.6 M MLP weights, transposed on the host. That final step is included in the \
         pass; it is also replayed alone (|θ ⊙ θ| of the same matrices, read back and transposed: \
         \"final readback\", paid once per ability whatever the number of items) and subtracted to give \
         the per-item cost.\n\
         - Its baseline: a forward over the same chats on the plain model, logits at every position, their \
         sum read back (so the work runs on WebGPU too). Gradient / forward compares the per-item cost \
         (final readback subtracted) with it; the next column keeps the readback in.\n\
         - Scoring: `score_item` over {benchmark}: the shared context once, then the 4 continuations as one \
         batch from its cached keys and values, only the picked log-probabilities read back, once per \
         item. Its baseline: \
         one forward of each item's longest choice (context and continuation) alone, logits at every \
         position, their sum read back.\n\
         - Each part: one warm-up item, then alternated passes (the AIS step, then its baseline), the median \
         of {NATIVE_REPEATS} natively and 1 in the page.\n\
         - Native: `mechscope bench-ais MODEL --benchmark FILE --diagnostic-items {ITEMS} --items {ITEMS} \
         --repeats {NATIVE_REPEATS}` (release, burn `flex` on both cores). Wasm: the release page's \
         `?bench=ais&device=cpu|webgpu&diagnostic_items=N&items=N&repeats=1` in headless Chromium \
         (`tests/bench/ais.cjs` hands the page the benchmark file): N = {ITEMS} on the CPU backend, only \
         {WEBGPU_ITEMS} on WebGPU (SwiftShader, on the CPU, costs ~6 ms per kernel dispatch), so \
         WebGPU's figures rest on {WEBGPU_ITEMS} items.\n\
         - Memory: natively the process's peak RSS after loading both copies and at the end; in the page \
         the wasm linear memory at the same points (it only grows; WebGPU buffers are not in it).\n\
         - Load average (1 min) {load}: other work shared the 2 cores, so figures move between runs.\n\n\
         | where | diagnostic items (tokens) | gradient pass (s / 100 items) | final readback (s, once) | \
         forward (s / 100 items) | gradient / forward | with readback / forward | mean loss |\n\
         |---|---|---|---|---|---|---|---|\n{gradient_rows}\n\
         | where | benchmark items (choices) | scoring (items/s) | longest-choice forward (items/s) | \
         scoring / forward | acc |\n\
         |---|---|---|---|---|---|\n{scoring_rows}\n\
         | where | load, both copies (s) | memory after loading (MB) | peak memory (MB) |\n\
         |---|---|---|---|\n{memory_rows}\n\
         The aims: a gradient pass costs at most {GRADIENT_AIM}× a forward pass; scoring a 4-choice item \
         costs at most {SCORING_AIM}× one forward of its longest choice.\n\n{}",
        notes.join("\n") + if notes.is_empty() { "" } else { "\n" },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ratios_over_their_aim_are_flagged() {
        assert_eq!(ratio_cell(Some(3.2), GRADIENT_AIM), "3.20 ⚠");
        assert_eq!(ratio_cell(Some(1.2), SCORING_AIM), "1.20");
        assert_eq!(ratio_cell(None, SCORING_AIM), "—");
    }

    #[test]
    fn a_section_from_partial_results() {
        let native: Measured = Ok(json!({
            "load_s": 1.0,
            "gradient": {"items": 20, "tokens": 1600, "seconds_per_100_items": 5.0,
                "readback_seconds": 0.5, "forward_seconds": 0.4, "gradient_over_forward": 3.5,
                "with_readback_over_forward": 4.0, "mean_loss": 1.25},
            "scoring": {"items": 20, "choices": 80, "items_per_s": 10.0,
                "longest_forward_seconds": 1.0, "scoring_over_longest_forward": 1.2, "acc": 0.5},
            "loaded_rss_bytes": 1.2e9, "peak_rss_bytes": 2.5e9,
        }));
        let text = section(
            "1.0",
            true,
            &native,
            &Err("no browser".into()),
            &Err("x".into()),
        );
        assert!(
            text.contains(
                "| native, burn flex (x86_64) | 20 (1600) | 5.00 | 0.50 | 2.00 | 3.50 ⚠ |"
            )
        );
        assert!(text.contains("| 20 (80) | 10.0 | 20.0 | 1.20 | 0.50 |"));
        assert!(text.contains("| 1.00 | 1200 | 2500 |"));
        assert!(text.contains("above the aim of 3× (⚠)"));
        assert!(text.contains("wasm on WebGPU: not measured (x)."));
    }
}
