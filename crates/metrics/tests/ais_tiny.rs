//! The whole AIS pipeline on the seeded tiny GPT-2 against PyTorch
//! (`tests/reference/make_ais_tiny_reference.py` → `tests/data/ais_tiny_reference.json`):
//! per-item losses, importance, top and bottom masks at two budgets, every option's
//! log-likelihood unablated and under each mask (shared-context and per-option-context
//! items), accuracies and AIS (0 and undefined).
//!
//! The same checks run natively (`cargo test`) and in headless Chromium (the wasm step
//! of `cargo xtask test`) on burn's CPU backend; the WebGPU variant is there but ignored
//! (see its note). The model and the reference are compiled in: nothing is read from
//! disk.

use burn::tensor::Device;
use mechscope_metrics::ais::{
    self, AbilityInput, AisSettings, BenchmarkInput, ChoiceItem, MlpLayout, OptionIds, Selection,
    run_ais_sweep, select_masks,
};
use mechscope_model::weights::SafetensorsWeights;
use mechscope_model::{Decoder, ModelConfig};
use serde_json::Value;
use std::collections::BTreeSet;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const REFERENCE: &str = include_str!("data/ais_tiny_reference.json");
const CONFIG: &[u8] = include_bytes!("../../model/tests/data/gpt2-tiny/config.json");
const WEIGHTS: &[u8] = include_bytes!("../../model/tests/data/gpt2-tiny/model.safetensors");

/// Per-option log-likelihoods: float32 sums of a few log-probabilities around -9.
const SCORE_TOLERANCE: f64 = 2e-3;
/// Masks may differ only by weights whose importance sits at the cut (the closest
/// reference cut is 1.6e-4 relative); none is expected.
const MAX_MASK_DIFFERENCE: usize = 4;

fn decoder(device: &Device) -> Decoder {
    let config = ModelConfig::from_hf_json(CONFIG).expect("config parses");
    let weights = SafetensorsWeights::new(&[WEIGHTS]).expect("weights parse");
    Decoder::load(&weights, &config, false, device).expect("tiny GPT-2 loads")
}

fn ids(v: &Value) -> Vec<u32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as u32)
        .collect()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn indices(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect()
}

fn inputs(reference: &Value) -> (Vec<AbilityInput>, Vec<BenchmarkInput>) {
    let abilities = reference["abilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| AbilityInput {
            name: a["name"].as_str().unwrap().into(),
            train: a["train"].as_array().unwrap().iter().map(ids).collect(),
            test: Vec::new(),
            selected: Vec::new(),
        })
        .collect();
    let benchmarks = reference["benchmarks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| BenchmarkInput {
            name: b["name"].as_str().unwrap().into(),
            items: b["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|item| ChoiceItem {
                    options: item["options"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|o| OptionIds {
                            context_ids: ids(&o["context_ids"]),
                            continuation_ids: ids(&o["continuation_ids"]),
                            continuation_chars: o["continuation_chars"].as_u64().unwrap() as usize,
                        })
                        .collect(),
                    gold: item["gold"].as_u64().unwrap() as usize,
                })
                .collect(),
            generative: None,
        })
        .collect();
    (abilities, benchmarks)
}

fn close(ours: f64, theirs: f64, tolerance: f64) -> bool {
    (ours - theirs).abs() <= tolerance + 1e-4 * theirs.abs()
}

/// Every option's score of every item, against the reference's `scores`.
fn check_scores(what: &str, ours: &[Vec<f64>], reference: &Value, tolerance: f64) {
    let theirs = reference["scores"].as_array().unwrap();
    assert_eq!(ours.len(), theirs.len(), "{what}: items");
    for (i, (ours, theirs)) in ours.iter().zip(theirs).enumerate() {
        for (o, (a, b)) in ours.iter().zip(floats(theirs)).enumerate() {
            assert!(
                close(*a, b, tolerance),
                "{what} item {i} option {o}: {a} vs {b}"
            );
        }
    }
}

/// How much of the reference a run checks.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// Everything: losses, importance and masks of both abilities, the whole pipeline's
    /// predictions, accuracies and AIS, every option's score under every mask.
    All,
    /// The numerics on a slow device: losses, importance and masks of both abilities,
    /// every option's score unablated and under the reference's top masks at the
    /// largest budget. The pipeline's bookkeeping around them is the same code and is
    /// checked on the CPU.
    Numerics,
}

async fn check(device: Device, autodiff: Device, scope: Scope) {
    let reference: Value = serde_json::from_str(REFERENCE).unwrap();
    let (abilities, benchmarks) = inputs(&reference);
    let gradient_model = decoder(&autodiff).with_gradients_on_mlp_matrices_only();
    let mut scoring_model = decoder(&device);
    use burn::module::Module;
    let n_total = scoring_model.num_params() as u64;
    assert_eq!(n_total, reference["n_total"].as_u64().unwrap(), "N_total");
    let layout = MlpLayout::of(&scoring_model.config);
    assert_eq!(
        layout.n_mlp(),
        reference["n_mlp"].as_u64().unwrap(),
        "N_mlp"
    );
    let ks = floats(&reference["ks"]);
    let n_sels: Vec<usize> = ks.iter().map(|&k| ais::budget(k, n_total)).collect();

    // Losses and masks, ability by ability.
    for (ability, expected) in abilities
        .iter()
        .zip(reference["abilities"].as_array().unwrap())
    {
        let importance =
            ais::gradient_importance(&gradient_model, &ability.train, ais::no_progress)
                .await
                .unwrap();
        for (ours, theirs) in importance.losses.iter().zip(floats(&expected["losses"])) {
            assert!(
                close(f64::from(*ours), theirs, 1e-4),
                "{} loss {ours} vs {theirs}",
                ability.name
            );
        }
        let sum: f64 = importance.values.iter().map(|&v| f64::from(v)).sum();
        let expected_sum = expected["importance_sum"].as_f64().unwrap();
        assert!(
            (sum - expected_sum).abs() <= 1e-3 * expected_sum,
            "{} importance sum {sum} vs {expected_sum}",
            ability.name
        );
        let masks = select_masks(
            &gradient_model,
            ability,
            &n_sels,
            Selection::Global,
            ais::no_progress,
        )
        .await
        .unwrap();
        for (masks, budget) in masks.iter().zip(expected["budgets"].as_array().unwrap()) {
            assert_eq!(masks.n_sel as u64, budget["n_sel"].as_u64().unwrap());
            for (name, ours) in [("top", &masks.top), ("bottom", &masks.bottom)] {
                let ours: BTreeSet<u64> = ours.iter().copied().collect();
                let theirs: BTreeSet<u64> = indices(&budget[name])
                    .into_iter()
                    .map(|i| i as u64)
                    .collect();
                let differing = ours.symmetric_difference(&theirs).count();
                assert!(
                    differing <= MAX_MASK_DIFFERENCE,
                    "{} {name} mask at k = {}: {differing} weights differ",
                    ability.name,
                    budget["k"]
                );
            }
        }
    }

    if scope == Scope::Numerics {
        let largest = ks.iter().copied().fold(f64::MIN, f64::max);
        for (benchmark, input) in reference["benchmarks"]
            .as_array()
            .unwrap()
            .iter()
            .zip(&benchmarks)
        {
            let name = benchmark["name"].as_str().unwrap();
            let scores = score_items(&scoring_model, &input.items).await;
            check_scores(
                &format!("{name} base"),
                &scores,
                &reference["base"][name],
                SCORE_TOLERANCE,
            );
        }
        for expected in reference["ablated"].as_array().unwrap() {
            if expected["mask"] == "top" && expected["k"].as_f64() == Some(largest) {
                check_under_mask(
                    &mut scoring_model,
                    &layout,
                    &reference,
                    expected,
                    &benchmarks,
                )
                .await;
            }
        }
        return;
    }

    // Scores of the whole pipeline, unablated and under every mask.
    let settings = AisSettings {
        random_control: false,
        ..AisSettings::default()
    };
    let runs = run_ais_sweep(
        &gradient_model,
        &mut scoring_model,
        n_total,
        &abilities,
        &benchmarks,
        &settings,
        &ks,
        ais::no_progress,
    )
    .await
    .unwrap();
    assert_eq!(runs.len(), ks.len());
    for run in &runs {
        for benchmark in &run.benchmarks {
            let base = &reference["base"][&benchmark.name];
            assert_eq!(
                benchmark.base.pred,
                indices(&base["pred"]),
                "{} base",
                benchmark.name
            );
            assert_eq!(benchmark.base.acc, base["acc"].as_f64().unwrap());
            assert_eq!(benchmark.base.acc_norm, base["acc_norm"].as_f64().unwrap());
            for ablation in &benchmark.abilities {
                for (mask, scored, score) in [
                    ("top", &ablation.top, &ablation.ais),
                    ("bottom", &ablation.bottom, &ablation.ais_bottom),
                ] {
                    let expected = reference["ablated"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|a| {
                            a["ability"] == ablation.ability.as_str()
                                && a["k"].as_f64() == Some(run.settings.k)
                                && a["mask"] == mask
                        })
                        .map(|a| &a["benchmarks"][&benchmark.name])
                        .expect("the reference has the condition");
                    let what = format!(
                        "{} {mask} k={} {}",
                        ablation.ability, run.settings.k, benchmark.name
                    );
                    assert_eq!(scored.pred, indices(&expected["pred"]), "{what}");
                    assert_eq!(scored.acc, expected["acc"].as_f64().unwrap(), "{what}");
                    match expected["ais"].as_f64() {
                        Some(v) => assert_eq!(score.value(), Some(v), "{what}"),
                        None => assert_eq!(score.value(), None, "{what}"),
                    }
                }
            }
        }
    }

    // Per-option log-likelihoods, unablated and under each of the reference's own masks
    // (so a weight at the cut selected differently cannot blur the comparison).
    for (benchmark, input) in runs[0].benchmarks.iter().zip(&benchmarks) {
        let scores = score_items(&scoring_model, &input.items).await;
        check_scores(
            &format!("{} base", benchmark.name),
            &scores,
            &reference["base"][&benchmark.name],
            SCORE_TOLERANCE,
        );
    }
    for expected in reference["ablated"].as_array().unwrap() {
        check_under_mask(
            &mut scoring_model,
            &layout,
            &reference,
            expected,
            &benchmarks,
        )
        .await;
    }
}

/// Every option's score under one of the reference's own masks (so a weight at the cut
/// selected differently cannot blur the comparison); the model is restored after.
async fn check_under_mask(
    scoring_model: &mut Decoder,
    layout: &MlpLayout,
    reference: &Value,
    expected: &Value,
    benchmarks: &[BenchmarkInput],
) {
    let ability = &reference["abilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == expected["ability"])
        .unwrap();
    let budget = ability["budgets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["k"] == expected["k"])
        .unwrap();
    let mask_name = expected["mask"].as_str().unwrap();
    let flat: Vec<u64> = indices(&budget[mask_name])
        .into_iter()
        .map(|i| i as u64)
        .collect();
    let applied = scoring_model
        .apply_mask(&layout.mask(&flat).unwrap())
        .unwrap();
    for input in benchmarks {
        let scores = score_items(scoring_model, &input.items).await;
        check_scores(
            &format!(
                "{} {mask_name} k={} {}",
                expected["ability"], expected["k"], input.name
            ),
            &scores,
            &expected["benchmarks"][&input.name],
            SCORE_TOLERANCE,
        );
    }
    scoring_model.restore(applied);
}

async fn score_items(decoder: &Decoder, items: &[ChoiceItem]) -> Vec<Vec<f64>> {
    let mut scores = Vec::with_capacity(items.len());
    for item in items {
        scores.push(ais::score_item(decoder, item).await.unwrap().logprobs);
    }
    scores
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn native_cpu_matches_pytorch() {
    pollster::block_on(check(Device::flex(), Device::flex().autodiff(), Scope::All));
}

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen_test::wasm_bindgen_test]
async fn wasm_cpu_matches_pytorch() {
    check(Device::flex(), Device::flex().autodiff(), Scope::All).await;
}

/// The numerics only ([`Scope::Numerics`]): on SwiftShader (the only WebGPU adapter
/// here, on the CPU) every kernel dispatch costs about 6 ms and a forward of this tiny
/// model about 1.2 s, so the whole pipeline's ~500 forwards would take over 15 minutes.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen_test::wasm_bindgen_test]
async fn webgpu_matches_pytorch() {
    let device = Device::wgpu_options()
        .init_async()
        .await
        .expect("headless Chromium here has a WebGPU adapter (SwiftShader)");
    check(device.clone(), device.autodiff(), Scope::Numerics).await;
}

/// burn-wgpu natively (Vulkan; lavapipe on a machine without a GPU): the same kernels as
/// the page's WebGPU, the whole pipeline.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn native_wgpu_matches_pytorch() {
    let device = Device::wgpu(burn::tensor::DeviceKind::DefaultDevice);
    pollster::block_on(check(device.clone(), device.autodiff(), Scope::All));
}

/// Freezing everything but the MLP matrices changes the cost of the backward pass,
/// not its result.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn gradients_on_mlp_matrices_only_change_no_importance() {
    let reference: Value = serde_json::from_str(REFERENCE).unwrap();
    let (abilities, _) = inputs(&reference);
    let device = Device::flex().autodiff();
    let importance = |decoder: &Decoder| {
        pollster::block_on(ais::gradient_importance(
            decoder,
            &abilities[0].train,
            ais::no_progress,
        ))
        .unwrap()
    };
    let full = importance(&decoder(&device));
    let frozen = importance(&decoder(&device).with_gradients_on_mlp_matrices_only());
    assert_eq!(full.losses, frozen.losses);
    assert_eq!(full.values.len(), frozen.values.len());
    for (i, (a, b)) in full.values.iter().zip(&frozen.values).enumerate() {
        assert!(
            (a - b).abs() <= 1e-6 * a.abs().max(1e-12),
            "weight {i}: {a} vs {b}"
        );
    }
}
