//! AIS on the demo model against PyTorch + transformers on the same weights
//! (`../shared/fixtures/ais_smollm2.json`, details in REFERENCE-DETAILS.md §4): 32
//! quantitative items as token ids, k = 1e-3 of all parameters, 100 ARC-Easy items.
//!
//! - The per-item losses, N_total, N_mlp and n_sel.
//! - The top mask: the threshold, the 20 largest importances (same entries, values to
//!   1e-3 relative), per-tensor counts within a few (67 importances lie within 1e-4
//!   relative of the cut, so float32 summation order may swap boundary weights).
//! - The bottom mask's per-tensor counts (159 of its weights differ even between the
//!   reference's float32 and float64 runs, so within a wider margin).
//! - ARC-Easy: base predictions identical, ablated ones equal on at least 97 of 100,
//!   accuracies 0.46 / 0.22 / 0.46 and AIS 1.143 / 0.0; and the restored model scores
//!   exactly as before.
//!
//! Skips with a message when the model or `../shared` is absent.

// Reads models and fixtures from disk: native only (the browser runs `ais_tiny`).
#![cfg(not(target_arch = "wasm32"))]

use burn::module::Module;
use burn::tensor::Device;
use mechscope_metrics::ais::{
    self, ChoiceItem, Importance, MlpLayout, OptionIds, accuracies, budget, gradient_importance,
    score_item, select,
};
use mechscope_model::LoadedModel;
use mechscope_tasks::diagnostics::{Ability, DiagnosticItem};
use mechscope_tasks::{Format, readers};
use mechscope_testkit::ids;
use serde_json::Value;
use std::collections::BTreeMap;

fn fixture_and_model() -> Option<(Value, Vec<u8>)> {
    let fixture = mechscope_testkit::shared_json("fixtures/ais_smollm2.json")?;
    let file = mechscope_testkit::demo_model()?;
    Some((fixture, file))
}

fn importance(fixture: &Value, file: &[u8]) -> (Importance, u64) {
    let mut model = LoadedModel::from_gguf(file, &Device::flex().autodiff()).expect("model loads");
    model.decoder = model.decoder.with_gradients_on_mlp_matrices_only();
    let n_total = model.decoder.num_params() as u64;
    let sequences: Vec<Vec<u32>> = fixture["diagnostic_items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| ids(&item["input_ids"]))
        .collect();
    let importance = pollster::block_on(gradient_importance(
        &model.decoder,
        &sequences,
        ais::no_progress,
    ))
    .expect("gradients");
    (importance, n_total)
}

fn per_tensor(layout: &MlpLayout, flat: &[u64]) -> BTreeMap<String, i64> {
    let mask = layout.mask(flat).unwrap();
    mask.groups()
        .map(|(layer, matrix, set)| (layout.tensor_name(layer, matrix), set.len() as i64))
        .collect()
}

fn compare_counts(name: &str, ours: &BTreeMap<String, i64>, reference: &Value, tolerance: i64) {
    let reference = reference.as_object().unwrap();
    assert_eq!(
        ours.len(),
        reference.len(),
        "{name}: tensors with selected weights"
    );
    let mut total_diff = 0;
    for (tensor, expected) in reference {
        let got = ours.get(tensor).copied().unwrap_or(0);
        let diff = (got - expected.as_i64().unwrap()).abs();
        assert!(diff <= tolerance, "{name} {tensor}: {got} vs {expected}");
        total_diff += diff;
    }
    println!("{name}: per-tensor counts differ by {total_diff} in total");
}

fn choice_items(fixture: &Value) -> Vec<ChoiceItem> {
    fixture["arc_inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| ChoiceItem {
            options: item["continuation_ids"]
                .as_array()
                .unwrap()
                .iter()
                .zip(ids(&item["continuation_chars"]))
                .map(|(continuation, chars)| OptionIds {
                    context_ids: ids(&item["context_ids"]),
                    continuation_ids: ids(continuation),
                    continuation_chars: chars as usize,
                })
                .collect(),
            gold: item["gold"].as_u64().unwrap() as usize,
        })
        .collect()
}

fn predictions(v: &Value) -> Vec<usize> {
    ids(v).into_iter().map(|p| p as usize).collect()
}

#[test]
fn importance_masks_and_ablation_match_pytorch() {
    let Some((fixture, file)) = fixture_and_model() else {
        return;
    };
    let counts = &fixture["counts"];
    let (importance, n_total) = importance(&fixture, &file);
    let layout = importance.layout;

    // Losses of the 32 items.
    for (i, (ours, item)) in importance
        .losses
        .iter()
        .zip(fixture["diagnostic_items"].as_array().unwrap())
        .enumerate()
    {
        let expected = item["loss"].as_f64().unwrap();
        assert!(
            (f64::from(*ours) - expected).abs() < 1e-4,
            "item {i} loss {ours} vs {expected}"
        );
    }

    assert_eq!(n_total, counts["N_total"].as_u64().unwrap());
    assert_eq!(layout.n_mlp(), counts["N_mlp"].as_u64().unwrap());
    let n_sel = budget(ais::DEFAULT_K, n_total);
    assert_eq!(n_sel as u64, counts["n_sel"].as_u64().unwrap());
    select::check_rankable(&importance.values).unwrap();

    // The 20 largest entries: same (tensor, row, col), importance to 1e-3 relative.
    let top20 = select::top_n(&importance.values, 20);
    let mut ours: Vec<(f32, u64)> = top20
        .iter()
        .map(|&i| (importance.values[i as usize], i))
        .collect();
    ours.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    for ((value, flat), reference) in ours.iter().zip(fixture["top20"].as_array().unwrap()) {
        assert_eq!(
            *flat,
            reference["flat_index"].as_u64().unwrap(),
            "top-20 entry"
        );
        let expected = reference["importance"].as_f64().unwrap();
        assert!(
            (f64::from(*value) - expected).abs() < 1e-3 * expected,
            "importance {value} vs {expected}"
        );
    }

    let top = select::top_n(&importance.values, n_sel);
    let bottom = select::bottom_n(&importance.values, n_sel);
    let reference = &fixture["selection"];
    let threshold = f64::from(
        top.iter()
            .map(|&i| importance.values[i as usize])
            .fold(f32::MAX, f32::min),
    );
    let expected_threshold = reference["top"]["threshold_importance"].as_f64().unwrap();
    assert!(
        (threshold - expected_threshold).abs() < 1e-4 * expected_threshold,
        "top threshold {threshold} vs {expected_threshold}"
    );
    compare_counts(
        "top",
        &per_tensor(&layout, &top),
        &reference["top"]["count_per_tensor"],
        5,
    );
    compare_counts(
        "bottom",
        &per_tensor(&layout, &bottom),
        &reference["bottom"]["count_per_tensor"],
        40,
    );
    let zeros = importance.values.iter().filter(|v| **v == 0.0).count() as u64;
    assert_eq!(zeros, reference["n_zero_importance"].as_u64().unwrap());

    // ARC-Easy on the inference model, unablated, top-masked, bottom-masked.
    let mut model = LoadedModel::from_gguf(&file, &Device::flex()).expect("model loads");
    let items = choice_items(&fixture);
    let score_all = |model: &LoadedModel| -> Vec<ais::ItemScores> {
        items
            .iter()
            .map(|item| pollster::block_on(score_item(&model.decoder, item)).expect("scores"))
            .collect()
    };
    let base = score_all(&model);
    let results = &fixture["results"];
    let base_pred: Vec<usize> = base.iter().map(|s| s.pred).collect();
    assert_eq!(base_pred, predictions(&results["base"]["pred"]));
    for (i, (s, reference)) in base
        .iter()
        .zip(fixture["arc_base_scores"].as_array().unwrap())
        .enumerate()
    {
        for (ours, expected) in s.logprobs.iter().zip(reference.as_array().unwrap()) {
            let expected = expected.as_f64().unwrap();
            assert!(
                (ours - expected).abs() < 2e-3,
                "item {i}: {ours} vs {expected}"
            );
        }
    }
    let (acc, _) = accuracies(&items, &base);
    assert_eq!(acc, 0.46);

    let ablated = |flat: &[u64], model: &mut LoadedModel| {
        let applied = model
            .decoder
            .apply_mask(&layout.mask(flat).unwrap())
            .unwrap();
        let scores = score_all(model);
        model.decoder.restore(applied);
        scores
    };
    let top_scores = ablated(&top, &mut model);
    let bottom_scores = ablated(&bottom, &mut model);
    let agree = |ours: &[ais::ItemScores], reference: &Value| {
        ours.iter()
            .zip(predictions(reference))
            .filter(|(s, p)| s.pred == *p)
            .count()
    };
    let top_agree = agree(&top_scores, &results["top_ablated"]["pred"]);
    let bottom_agree = agree(&bottom_scores, &results["bottom_ablated"]["pred"]);
    println!(
        "ablated predictions equal to PyTorch's: top {top_agree}/100, bottom {bottom_agree}/100"
    );
    assert!(top_agree >= 97 && bottom_agree >= 97);
    let chance = ais::chance(&items);
    let (top_acc, _) = accuracies(&items, &top_scores);
    let (bottom_acc, _) = accuracies(&items, &bottom_scores);
    let top_ais = ais::ais(acc, top_acc, chance).value().unwrap();
    let bottom_ais = ais::ais(acc, bottom_acc, chance).value().unwrap();
    println!("acc {acc} / {top_acc} / {bottom_acc}, AIS {top_ais:.4} / {bottom_ais:.4}");
    assert!(
        (top_acc - 0.22).abs() <= 0.03,
        "top-ablated accuracy {top_acc}"
    );
    assert!((top_ais - 1.142857).abs() <= 0.15, "top AIS {top_ais}");
    assert!(bottom_ais.abs() <= 0.15, "bottom AIS {bottom_ais}");

    // Restored: bit-identical scores.
    let again = score_all(&model);
    assert_eq!(again, base);
}

/// The inputs themselves: the diagnostic chats rendered by our chat template and the
/// ARC-Easy requests tokenised by our tokenizer are the fixture's ids, so the pipeline
/// feeds the model what PyTorch was fed.
#[test]
fn diagnostic_chats_and_arc_requests_tokenise_as_in_pytorch() {
    let Some((fixture, file)) = fixture_and_model() else {
        return;
    };
    let Some(arc) = mechscope_testkit::shared_file("data/benchmarks/arc_easy.jsonl") else {
        return;
    };
    let model = LoadedModel::from_gguf(&file, &Device::flex()).expect("model loads");
    for (i, reference) in fixture["diagnostic_items"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let (a, b) = (
            reference["A"].as_u64().unwrap(),
            reference["B"].as_u64().unwrap(),
        );
        let answer = reference["answer"].as_str().unwrap().to_string();
        let item = DiagnosticItem {
            context: String::new(),
            question: format!("What is {a} + {b}?"),
            options: vec![answer.clone(), "0".into(), "1".into(), "2".into()],
            answer,
            ability: Ability::Quantitative,
        };
        let ours = ais::diagnostic_ids(&model.tokenizer, &item).unwrap();
        assert_eq!(ours, ids(&reference["input_ids"]), "diagnostic item {i}");
    }

    let format = Format::from_name("arc_easy").unwrap();
    let loaded = readers::read(&format, &arc).unwrap();
    let expected = choice_items(&fixture);
    for (i, (item, expected)) in loaded.items.iter().zip(&expected).enumerate() {
        let ours = ChoiceItem::from_item(&model.tokenizer, item)
            .unwrap()
            .expect("ARC items are scored by log-likelihood");
        assert_eq!(&ours, expected, "ARC item {i}");
    }
    assert_eq!(expected.len(), 100);
}
