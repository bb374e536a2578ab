//! MUI on the demo model against PyTorch + transformers on the same weights.
//!
//! - `../shared/fixtures/mui_smollm2_arc.json` (20 ARC-Easy samples with recorded
//!   prompt and response ids): the default options for k = 1 and k = 15. Every
//!   (sample, layer) neuron set must be identical, except where the fixture's own gap
//!   between the k-th and (k+1)-th score is below 1e-4 (a near-tie that float32
//!   rounding may flip); union sizes, MUI and per-layer unions then follow, and the
//!   top-5 entries of sample 0, layer 0 match to 1e-3.
//! - `tests/data/mui_reference.json` (from `tests/reference/make_mui_reference.py`,
//!   transformers' own GGUF loading and modeling, not in ../shared): ratio 0.005,
//!   target = next, topscore 0.5 and global top-50 on 8 of those samples.
//!
//! Skips with a message when the model or `../shared` is absent.

// Reads models and fixtures from disk: native only (the browser runs `ais_tiny`).
#![cfg(not(target_arch = "wasm32"))]

use burn::tensor::Device;
use mechscope_metrics::mui::{
    KeyNeurons, MuiOptions, MuiResult, SelectionRule, Target, TokenSample, key_neurons,
};
use mechscope_model::LoadedModel;
use mechscope_testkit::ids;
use serde_json::Value;

/// The fixture's own near-tie threshold (metrics issue: "4 of 600 pairs for k = 15").
const NEAR_TIE: f64 = 1e-4;

fn load() -> Option<(LoadedModel, Value)> {
    let fixture = mechscope_testkit::shared_json("fixtures/mui_smollm2_arc.json")?;
    let file = mechscope_testkit::demo_model()?;
    let model = LoadedModel::from_gguf(&file, &Device::flex()).expect("demo model loads");
    Some((model, fixture))
}

fn samples(fixture: &Value) -> Vec<TokenSample> {
    fixture["samples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| TokenSample {
            prompt_ids: ids(&s["prompt_ids"]),
            response_ids: ids(&s["response_ids"]),
        })
        .collect()
}

fn run(model: &LoadedModel, samples: &[TokenSample], options: &MuiOptions) -> Vec<KeyNeurons> {
    samples
        .iter()
        .map(|s| pollster::block_on(key_neurons(&model.decoder, s, options)).expect("MUI runs"))
        .collect()
}

fn neuron_list(v: &Value) -> Vec<u32> {
    ids(v)
}

/// Compares per-(sample, layer) sets; returns the number of near-tie differences.
fn compare_sets(
    name: &str,
    ours: &[KeyNeurons],
    reference: impl Fn(usize, usize) -> (Vec<u32>, Option<f64>),
) -> usize {
    let mut near_ties = 0;
    for (n, sample) in ours.iter().enumerate() {
        for (l, layer) in sample.layers.iter().enumerate() {
            let (want, gap) = reference(n, l);
            if layer.neurons != want {
                let gap = gap.unwrap_or(f64::INFINITY);
                assert!(
                    gap < NEAR_TIE,
                    "{name}: sample {n} layer {l}: ours {:?}, PyTorch {want:?} (reference gap {gap})",
                    layer.neurons
                );
                near_ties += 1;
            }
        }
    }
    near_ties
}

#[test]
fn default_options_match_the_shared_fixture() {
    let Some((model, fixture)) = load() else {
        return;
    };
    let samples = samples(&fixture);
    let (n_layers, d_ff) = (model.config.n_layers, model.config.d_ff);
    let results = &fixture["results"];
    for (key, k) in [("k1", 1usize), ("k15", 15)] {
        let options = MuiOptions {
            top_k: Some(k),
            ..MuiOptions::default()
        };
        let ours = run(&model, &samples, &options);
        let near_ties = compare_sets(key, &ours, |n, l| {
            let layer = &fixture["samples"][n]["layers"][l];
            (
                neuron_list(&layer[format!("neurons_{key}")]),
                layer[format!("gap_{key}")].as_f64(),
            )
        });
        eprintln!(
            "{key}: {near_ties} near-tie differences of {}",
            samples.len() * n_layers
        );

        // Sanity bounds of the contract: |N| ≤ k; MUI ≤ min(1, n·k/d_ff).
        for sample in &ours {
            for layer in &sample.layers {
                assert!(layer.neurons.len() <= k && layer.entries.len() <= k);
            }
        }
        let result = MuiResult::from_samples(&ours, n_layers, d_ff);
        assert!(result.mui <= (samples.len() as f64 * k as f64 / d_ff as f64).min(1.0));
        if near_ties == 0 {
            assert_eq!(
                result.union_size as u64,
                results["union_size"][key].as_u64().unwrap()
            );
            assert_eq!(result.mui, results["mui"][key].as_f64().unwrap());
            let per_layer: Vec<u64> = results["union_per_layer"][key]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap())
                .collect();
            let ours_per_layer: Vec<u64> =
                result.union_per_layer.iter().map(|&v| v as u64).collect();
            assert_eq!(ours_per_layer, per_layer);
        } else {
            let want = results["union_size"][key].as_u64().unwrap() as i64;
            let diff = (result.union_size as i64 - want).abs();
            assert!(
                diff as usize <= near_ties * k,
                "{key}: union {} vs {want}",
                result.union_size
            );
        }
        assert_eq!(result.per_sample_layer_sets.len(), samples.len());
    }

    // Top-5 (t, i, score) of sample 0, layer 0, at k = 15.
    let options = MuiOptions {
        top_k: Some(15),
        ..MuiOptions::default()
    };
    let first = pollster::block_on(key_neurons(&model.decoder, &samples[0], &options)).unwrap();
    for (got, want) in first.layers[0]
        .entries
        .iter()
        .zip(results["sample0_layer0_top5"].as_array().unwrap())
    {
        assert_eq!(u64::from(got.t), want["t_rel"].as_u64().unwrap());
        assert_eq!(u64::from(got.neuron), want["i"].as_u64().unwrap());
        let d = (f64::from(got.score) - want["score"].as_f64().unwrap()).abs();
        assert!(d <= 1e-3, "score of ({}, {}) off by {d}", got.t, got.neuron);
    }
    // Same responses, same result.
    let again = pollster::block_on(key_neurons(&model.decoder, &samples[0], &options)).unwrap();
    assert_eq!(first, again);
}

#[test]
fn other_options_match_an_independent_reference() {
    let Some(file) = mechscope_testkit::demo_model() else {
        return;
    };
    let path = mechscope_testkit::crate_dir().join("tests/data/mui_reference.json");
    let reference: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let model = LoadedModel::from_gguf(&file, &Device::flex()).expect("demo model loads");
    let (n_layers, d_ff) = (model.config.n_layers, model.config.d_ff);
    let samples = samples(&reference);
    let cases = [
        (
            "ratio_0.005",
            MuiOptions {
                ratio: 0.005,
                ..MuiOptions::default()
            },
        ),
        (
            "next_k15",
            MuiOptions {
                top_k: Some(15),
                target: Target::Next,
                ..MuiOptions::default()
            },
        ),
        (
            "topscore_0.5",
            MuiOptions {
                rule: SelectionRule::TopScore { theta: 0.5 },
                ..MuiOptions::default()
            },
        ),
        (
            "global_k50",
            MuiOptions {
                top_k: Some(50),
                rule: SelectionRule::GlobalTopK,
                ..MuiOptions::default()
            },
        ),
    ];
    for (name, options) in cases {
        let want = &reference["results"][name];
        let ours = run(&model, &samples, &options);
        let near_ties = if name.starts_with("global") {
            let mut near = 0;
            for (n, sample) in ours.iter().enumerate() {
                let mut pairs: Vec<(u64, u64)> = Vec::new();
                for (l, layer) in sample.layers.iter().enumerate() {
                    pairs.extend(layer.neurons.iter().map(|&i| (l as u64, u64::from(i))));
                }
                let want_pairs: Vec<(u64, u64)> = want["samples"][n]["pairs"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| (p[0].as_u64().unwrap(), p[1].as_u64().unwrap()))
                    .collect();
                if pairs != want_pairs {
                    let gap = want["samples"][n]["gap"].as_f64().unwrap();
                    assert!(
                        gap < NEAR_TIE,
                        "{name}: sample {n}: {pairs:?} vs {want_pairs:?}"
                    );
                    near += 1;
                }
            }
            near
        } else {
            compare_sets(name, &ours, |n, l| {
                let layer = &want["samples"][n]["layers"][l];
                (neuron_list(&layer["neurons"]), layer["gap"].as_f64())
            })
        };
        let result = MuiResult::from_samples(&ours, n_layers, d_ff);
        eprintln!(
            "{name}: union {} ({near_ties} near-ties)",
            result.union_size
        );
        if near_ties == 0 {
            assert_eq!(
                result.union_size as u64,
                want["union_size"].as_u64().unwrap(),
                "{name}"
            );
        }
    }
}
