//! LPP's latent metrics on the seeded tiny GPT-2 against PyTorch
//! (`tests/reference/make_lpp_tiny_reference.py` → `tests/data/lpp_tiny_reference.json`):
//! output entropy, the logit-lens profile, drift, hidden norm, anisotropy (explicit
//! pairwise cosines in the reference), effective rank (SVD in the reference), the
//! massive-activation ratio (exact median in the reference) and perplexity, over 3 × 32
//! tokens.
//!
//! The same checks run natively on the CPU and on wgpu, and in headless Chromium (the
//! wasm step of `cargo xtask test`) on the CPU backend and on WebGPU: this is the
//! WebGPU check of every latent metric (SmolLM2's 8 × 256 tokens would take SwiftShader
//! over 20 minutes; the SmolLM2 fixture is checked natively in `lpp_reference.rs`). The
//! model and the reference are compiled in: nothing is read from disk.

use burn::tensor::Device;
use mechscope_metrics::lpp::latent::output_metrics;
use mechscope_metrics::lpp::latent_metrics;
use mechscope_metrics::no_progress;
use mechscope_model::weights::SafetensorsWeights;
use mechscope_model::{Decoder, ModelConfig};
use serde_json::Value;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const REFERENCE: &str = include_str!("data/lpp_tiny_reference.json");
const CONFIG: &[u8] = include_bytes!("../../model/tests/data/gpt2-tiny/config.json");
const WEIGHTS: &[u8] = include_bytes!("../../model/tests/data/gpt2-tiny/model.safetensors");

fn decoder(device: &Device) -> Decoder {
    let config = ModelConfig::from_hf_json(CONFIG).expect("config parses");
    let weights = SafetensorsWeights::new(&[WEIGHTS]).expect("weights parse");
    Decoder::load(&weights, &config, false, device).expect("tiny GPT-2 loads")
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn relative(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-12)
}

async fn check(device: Device) {
    let reference: Value = serde_json::from_str(REFERENCE).unwrap();
    let sequences: Vec<Vec<u32>> = reference["input_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| floats(s).into_iter().map(|x| x as u32).collect())
        .collect();
    let m = latent_metrics(&decoder(&device), &sequences, no_progress)
        .await
        .expect("latent metrics");
    let r = &reference["results"];
    // The outputs-only path (no lens, nothing traced) gives the same two numbers.
    let outputs = output_metrics(&decoder(&device), &sequences, no_progress)
        .await
        .expect("output metrics");
    assert!(relative(outputs.output_entropy, m.output_entropy) < 1e-6);
    assert!(relative(outputs.nll, m.nll) < 1e-6);
    assert_eq!(m.n_positions as u64, r["n_positions"].as_u64().unwrap());
    assert_eq!(m.n_predictions as u64, r["n_predictions"].as_u64().unwrap());
    for (name, ours, tolerance) in [
        ("output_entropy", m.output_entropy, 1e-4),
        ("nll", m.nll, 1e-4),
        ("perplexity", m.perplexity, 1e-3),
    ] {
        let theirs = r[name].as_f64().unwrap();
        assert!(
            relative(ours, theirs) < tolerance,
            "{name}: {ours} vs {theirs}"
        );
    }
    for (name, ours, tolerance) in [
        ("logit_lens_entropy", &m.logit_lens_entropy, 1e-4),
        ("layer_drift", &m.layer_drift, 1e-4),
        ("hidden_norm", &m.hidden_norm, 1e-4),
        ("anisotropy", &m.anisotropy, 1e-3),
        ("effective_rank", &m.effective_rank, 1e-3),
        // The median comes from a histogram: within half a bin (2⁻⁸) of the exact one.
        (
            "massive_activation_ratio",
            &m.massive_activation_ratio,
            5e-3,
        ),
    ] {
        let theirs = floats(&r[name]);
        assert_eq!(ours.len(), theirs.len(), "{name}: layers");
        for (l, (a, b)) in ours.iter().zip(&theirs).enumerate() {
            assert!(relative(*a, *b) < tolerance, "{name}[{l}]: {a} vs {b}");
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn native_cpu_matches_pytorch() {
    pollster::block_on(check(Device::flex()));
}

/// What would fail on the device, or index another position's logits, is refused before
/// any forward, saying why.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn sequences_the_model_cannot_run_are_refused() {
    let decoder = decoder(&Device::flex());
    let refusal = |sequences: Vec<Vec<u32>>| {
        let latent = pollster::block_on(latent_metrics(&decoder, &sequences, no_progress));
        let outputs = pollster::block_on(output_metrics(&decoder, &sequences, no_progress));
        let (latent, outputs) = (latent.unwrap_err(), outputs.unwrap_err());
        assert_eq!(latent.to_string(), outputs.to_string());
        latent.to_string()
    };
    assert_eq!(
        refusal(vec![vec![], vec![]]),
        "the probe text has no tokens"
    );
    let vocab = decoder.config.vocab_size;
    assert_eq!(
        refusal(vec![vec![1, 2], vec![3, vocab as u32]]),
        format!(
            "token id {vocab} is not in this model's vocabulary of {vocab} (ids made for another \
             tokenizer?)"
        )
    );
    let max = decoder.max_positions();
    assert_eq!(
        refusal(vec![vec![1; max + 1]]),
        format!(
            "a probe sequence has {} tokens; this model takes at most {max}",
            max + 1
        )
    );
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn native_wgpu_matches_pytorch() {
    pollster::block_on(check(Device::wgpu(burn::tensor::DeviceKind::DefaultDevice)));
}

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen_test::wasm_bindgen_test]
async fn wasm_cpu_matches_pytorch() {
    check(Device::flex()).await;
}

/// 3 forwards and 9 lens projections of a 2-layer model: well under a minute on
/// SwiftShader.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen_test::wasm_bindgen_test]
async fn webgpu_matches_pytorch() {
    let device = Device::wgpu_options()
        .init_async()
        .await
        .expect("headless Chromium here has a WebGPU adapter (SwiftShader)");
    check(device).await;
}
