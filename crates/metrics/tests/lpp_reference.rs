//! LPP's latent metrics on the demo model against PyTorch + transformers on the same
//! weights (`../shared/fixtures/lpp_smollm2_wikitext.json`, details in
//! REFERENCE-DETAILS.md §3): 8 × 256 WikiText-2 token ids, every per-layer value and
//! the scalars within 1e-3 relative, the effective rank within 1e-2.
//!
//! Skips with a message when the model or `../shared` is absent.

// Reads models and fixtures from disk: native only.
#![cfg(not(target_arch = "wasm32"))]

use burn::tensor::Device;
use mechscope_metrics::lpp::{LatentMetrics, latent_metrics};
use mechscope_metrics::no_progress;
use mechscope_model::LoadedModel;
use mechscope_testkit::ids;
use serde_json::Value;

fn fixture() -> Option<(Value, Vec<u8>)> {
    let fixture = mechscope_testkit::shared_json("fixtures/lpp_smollm2_wikitext.json")?;
    let file = mechscope_testkit::demo_model()?;
    Some((fixture, file))
}

/// Largest relative difference between `ours` and the fixture's array `name`.
fn worst(name: &str, ours: &[f64], reference: &Value) -> f64 {
    let reference: Vec<f64> = reference[name]
        .as_array()
        .unwrap_or_else(|| panic!("fixture has no {name}"))
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(ours.len(), reference.len(), "{name}: number of layers");
    ours.iter()
        .zip(&reference)
        .map(|(a, b)| (a - b).abs() / b.abs().max(1e-12))
        .fold(0.0, f64::max)
}

fn check(metrics: &LatentMetrics, fixture: &Value) {
    let results = &fixture["results"];
    let scalar = |name: &str, ours: f64| {
        let expected = results[name].as_f64().unwrap();
        let rel = (ours - expected).abs() / expected.abs();
        println!("{name}: {ours:.6} vs {expected} (rel {rel:.2e})");
        assert!(rel < 1e-3, "{name}: {ours} vs {expected}");
    };
    assert_eq!(metrics.n_positions, 2048);
    assert_eq!(
        metrics.n_predictions as u64,
        results["n_predictions"].as_u64().unwrap()
    );
    scalar("output_entropy", metrics.output_entropy);
    scalar("nll", metrics.nll);
    scalar("perplexity", metrics.perplexity);
    for (name, ours, tolerance) in [
        ("logit_lens_entropy", &metrics.logit_lens_entropy, 1e-3),
        ("layer_drift", &metrics.layer_drift, 1e-3),
        ("hidden_norm", &metrics.hidden_norm, 1e-3),
        ("anisotropy", &metrics.anisotropy, 1e-3),
        ("effective_rank", &metrics.effective_rank, 1e-2),
        ("effective_rank_frac", &metrics.effective_rank_frac, 1e-2),
    ] {
        let rel = worst(name, ours, results);
        println!("{name}: worst relative difference {rel:.2e}");
        assert!(rel < tolerance, "{name}: {rel:.2e} ≥ {tolerance}");
    }
}

#[test]
fn latent_metrics_match_pytorch_on_wikitext() {
    // The lookups print the SKIP line.
    let Some((fixture, file)) = fixture() else {
        return;
    };
    let model = LoadedModel::from_gguf(&file, &Device::flex()).expect("model loads");
    let sequences: Vec<Vec<u32>> = fixture["input_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(ids)
        .collect();
    let metrics = pollster::block_on(latent_metrics(&model.decoder, &sequences, no_progress))
        .expect("latent metrics");
    check(&metrics, &fixture);
    // The summaries follow from the curves.
    assert_eq!(metrics.on_depth.depth.len(), 21);
    assert_eq!(
        metrics.on_depth.logit_lens_entropy[0],
        metrics.logit_lens_entropy[0]
    );
    assert_eq!(
        metrics.on_depth.logit_lens_entropy[20],
        metrics.logit_lens_entropy[30]
    );
    // Sun et al.'s massive activation (REFERENCE-DETAILS: position 0 from layer 12 on).
    assert!(
        metrics.massive_activation_ratio[12]
            > 100.0 * metrics.massive_activation_ratio[0].min(10.0)
    );
}
