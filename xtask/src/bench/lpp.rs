//! The "lpp" section: LPP's latent metrics over 8 × 256 probe tokens natively and in
//! the page, against the plain traced forward over the same tokens, with the numbers
//! compared to the PyTorch fixture, load time and memory.

use super::{Measured, figure, fixed, load_average, measured, node, ratio_cell};
use crate::paths::Paths;
use anyhow::Result;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// The aim (as `mechscope_metrics::bench::LPP_AIM`; xtask does not depend on
/// the metrics crate).
const LPP_AIM: f64 = 1.2;
/// Alternated passes natively (medians); the page runs one.
const NATIVE_REPEATS: usize = 3;
const IDS: &str = "../shared/fixtures/lpp_smollm2_wikitext.ids.json";
const FIXTURE: &str = "../shared/fixtures/lpp_smollm2_wikitext.json";

pub fn run(paths: &Paths, cli: &Path, base: &str) -> Result<String> {
    let load_start = load_average();
    let ids = paths.root.join(IDS);
    let ids = ids.exists().then_some(ids);
    let fixture: Option<Value> = std::fs::read(paths.root.join(FIXTURE))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok());
    let mut native_cmd = Command::new(cli);
    native_cmd.arg("bench-lpp").arg(paths.demo_model());
    if let Some(path) = &ids {
        native_cmd.arg("--ids").arg(path);
    }
    native_cmd.args(["--repeats", &NATIVE_REPEATS.to_string()]);
    let native = measured("lpp, native (release, burn flex)", &mut native_cmd);
    let page = |device: &str, query: &str| {
        measured(
            &format!("lpp, wasm on {device} in headless Chromium"),
            node(paths, base, "tests/bench/lpp.cjs")
                .arg(device)
                .arg(
                    ids.as_ref()
                        .map_or_else(|| "-".into(), |p| p.as_os_str().to_owned()),
                )
                .arg(query),
        )
    };
    let wasm_cpu = page("cpu", "repeats=1");
    // SwiftShader: the lens's 31 unembeddings per sequence would take hours; output
    // entropy and perplexity alone still cover all 8 × 256 tokens.
    let wasm_gpu = page("webgpu", "repeats=1&lens=0");
    let load = format!("{load_start} at the start, {} at the end", load_average());
    Ok(section(
        &load,
        ids.is_some(),
        fixture.as_ref(),
        &native,
        &wasm_cpu,
        &wasm_gpu,
    ))
}

/// Where `ratio` stands against [`LPP_AIM`].
fn aim(ratio: f64) -> String {
    if ratio > LPP_AIM {
        format!("above the aim of {LPP_AIM}× ⚠")
    } else {
        format!("within the aim of {LPP_AIM}×")
    }
}

fn at(m: &Measured, key: &str) -> Option<f64> {
    m.as_ref().ok()?.pointer(key)?.as_f64()
}

/// `value (relative difference to the fixture)`.
fn against(value: Option<f64>, reference: Option<f64>) -> String {
    match (value, reference) {
        (Some(v), Some(r)) => format!("{v:.6} ({:.1e})", (v - r).abs() / r.abs()),
        (Some(v), None) => format!("{v:.6}"),
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
    have_ids: bool,
    fixture: Option<&Value>,
    native: &Measured,
    wasm_cpu: &Measured,
    wasm_gpu: &Measured,
) -> String {
    let all = [native, wasm_cpu, wasm_gpu];
    let reference = |key: &str| fixture.and_then(|f| f["results"][key].as_f64());
    let rows: String = WHERE
        .iter()
        .zip(all)
        .zip([
            ("/peak_rss_bytes", "/load_s"),
            ("/wasm_memory_bytes", "/load/load_s"),
            ("/wasm_memory_bytes", "/load/load_s"),
        ])
        .map(|((name, m), (peak, load_key))| {
            let tokens = at(m, "/lpp/tokens");
            let rate = |key: &str| Some(tokens? / at(m, key)?);
            format!(
                "| {name} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
                fixed(tokens, 0),
                fixed(at(m, load_key), 2),
                figure(at(m, "/lpp/forward_seconds")),
                figure(at(m, "/lpp/lens_forward_seconds")),
                figure(at(m, "/lpp/lpp_seconds")),
                figure(rate("/lpp/lpp_seconds")),
                ratio_cell(at(m, "/lpp/lpp_over_forward"), LPP_AIM),
                fixed(at(m, "/lpp/lpp_over_lens_forward"), 2),
                fixed(at(m, "/lpp/outputs_over_forward"), 2),
                against(at(m, "/lpp/output_entropy"), reference("output_entropy")),
                against(at(m, "/lpp/perplexity"), reference("perplexity")),
                fixed(at(m, peak).map(|b| b / 1e6), 0),
            )
        })
        .collect();
    let text = if have_ids {
        "the fixture's 8 × 256 WikiText-2 test ids (`../shared/fixtures/lpp_smollm2_wikitext.ids.json`), \
         so output entropy and perplexity are compared with PyTorch's (relative difference in brackets)"
    } else {
        "8 × 256 tokens of the bundled probe text (../shared is not checked out: no comparison with \
         the fixture)"
    };
    let mut notes = Vec::new();
    for (name, m) in ["native", "wasm on the CPU backend", "wasm on WebGPU"]
        .iter()
        .zip(all)
    {
        match m {
            Err(e) => notes.push(format!("- {name}: not measured ({e}).")),
            Ok(_) => {
                if let (Some(r), Some(lens)) = (
                    at(m, "/lpp/lpp_over_forward"),
                    at(m, "/lpp/lpp_over_lens_forward"),
                ) {
                    let projections = at(m, "/lpp/lens_forward_seconds")
                        .zip(at(m, "/lpp/forward_seconds"))
                        .map_or_else(String::new, |(lens, forward)| {
                            format!(
                                " The lens's L extra unembeddings alone make the forward {:.1}× \
                                 longer, so no exact logit lens meets an aim set against the plain \
                                 forward;",
                                lens / forward
                            )
                        });
                    notes.push(format!(
                        "- {name}: LPP costs {r:.2}× the plain traced forward ({}).{projections} \
                         against the forward plus the lens's projections, the metrics' own \
                         matmuls, LPP costs {lens:.2}× ({}).",
                        aim(r),
                        aim(lens),
                    ));
                }
            }
        }
    }
    if let Some(warm) = at(wasm_gpu, "/lpp/warm_up_s") {
        notes.push(format!(
            "- WebGPU: output entropy and perplexity only (`lens=0`); its warm-up (one sequence, \
             kernel compilation included) took {warm:.0} s."
        ));
    }
    format!(
        "## LPP: latent metrics on probe text\n\n\
         The demo model (SmolLM2-135M-Instruct, Q4_1 dequantised to f32, 31 residual-stream layers) \
         on {text}.\n\n\
         - LPP: `latent_metrics` (metrics.md §3): per sequence one forward tracing the residual stream; \
         each layer's lens logits reduced to per-position entropies and the last one's next-token \
         log-probabilities as soon as they are made (on the CPU on the host: burn's buffer read in \
         place, a vectorised `exp`, rows on every core natively; on WebGPU on the device, one \
         readback), every layer's shifted d × d scatter summed on the device; the \
         hidden states read back once and reduced on the host in f64 (norms, Σ of unit vectors, \
         cosines, a histogram of magnitudes); at the end the scatter sums read back once and each \
         layer's eigenvalues taken (nalgebra).\n\
         - Plain traced forward: the same forwards tracing the residual stream, logits at every \
         position, the sums of the last hidden state and of the logits read back. Forward + lens: the \
         same plus the lens's `W_U Norm(h_l)` for the other 30 layers, each summed on the device, one \
         readback.\n\
         - Outputs only: `output_metrics`, output entropy and perplexity from one forward with logits \
         and nothing traced (what WebGPU on SwiftShader runs: 31 unembeddings of 49,152 rows per \
         sequence would take it hours).\n\
         - One warm-up sequence, then alternated passes, the median of {NATIVE_REPEATS} natively and 1 \
         in the page.\n\
         - Native: `mechscope bench-lpp MODEL --ids IDS --repeats {NATIVE_REPEATS}` (release, burn `flex` \
         on both cores). Wasm: the release page's `?bench=lpp&device=cpu|webgpu&repeats=1` (`lens=0` on \
         WebGPU) in headless Chromium (`tests/bench/lpp.cjs` hands the page the ids).\n\
         - Memory: natively the process's peak RSS; in the page the wasm linear memory at the end (it \
         only grows; WebGPU buffers are not in it).\n\
         - Load average (1 min) {load}: other work shared the 2 cores, so figures move between runs.\n\n\
         | where | tokens | load (s) | traced forward (s) | forward + lens (s) | LPP (s) | LPP (tokens/s) \
         | LPP / forward | LPP / (forward + lens) | outputs only / forward | output entropy | perplexity \
         | peak memory (MB) |\n\
         |---|---|---|---|---|---|---|---|---|---|---|---|---|\n{rows}\n\
         The aim: LPP within {LPP_AIM}× the plain traced forward over the same tokens (the metrics must \
         not dominate).\n\n{}",
        notes.join("\n") + if notes.is_empty() { "" } else { "\n" },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_section_from_partial_results() {
        let native: Measured = Ok(json!({
            "load_s": 1.0,
            "lpp": {"tokens": 2048, "forward_seconds": 4.0, "lens_forward_seconds": 20.0,
                "lpp_seconds": 24.0, "lpp_over_forward": 6.0, "lpp_over_lens_forward": 1.2,
                "outputs_over_forward": 1.1, "output_entropy": 0.311242, "perplexity": 31.8285},
            "peak_rss_bytes": 2.5e9,
        }));
        let fixture = json!({"results": {"output_entropy": 0.311242, "perplexity": 31.8285}});
        let text = section(
            "1.0",
            true,
            Some(&fixture),
            &native,
            &Err("no browser".into()),
            &Err("x".into()),
        );
        assert!(text.contains(
            "| native, burn flex (x86_64) | 2048 | 1.00 | 4.00 | 20.0 | 24.0 | 85.3 | 6.00 ⚠ | 1.20 | 1.10 | 0.311242 (0.0e0) | 31.828500 (0.0e0) | 2500 |"
        ), "{text}");
        assert!(text.contains(
            "LPP costs 6.00× the plain traced forward (above the aim of 1.2× ⚠). The lens's L extra \
             unembeddings alone make the forward 5.0× longer"
        ), "{text}");
        assert!(
            text.contains("LPP costs 1.20× (within the aim of 1.2×)."),
            "{text}"
        );
        assert!(text.contains("wasm on WebGPU: not measured (x)."));
    }
}
