//! AIS on a generative benchmark (metrics.md §2: greedy generation, exact match of the
//! extracted answer, chance 0) against PyTorch's greedy answers to the same BBH items
//! (`tests/reference/make_ais_generative_reference.py` →
//! `tests/data/ais_generative_reference.json`), on the demo model.
#![cfg(not(target_arch = "wasm32"))]

use burn::module::Module;
use burn::tensor::Device;
use mechscope_metrics::ais::{
    self, AbilityInput, AisSettings, BenchmarkInput, ChoiceItem, OptionIds, run_ais,
};
use mechscope_model::LoadedModel;
use mechscope_tasks::diagnostics::{self, Ability};
use mechscope_tasks::score::score;
use mechscope_tasks::{Format, readers};
use serde_json::Value;

const REFERENCE: &str = include_str!("data/ais_generative_reference.json");

#[test]
fn greedy_answers_match_pytorch_and_profile_with_chance_zero() {
    let (Some(file), Some(bbh)) = (
        mechscope_testkit::demo_model(),
        mechscope_testkit::shared_file("data/benchmarks/bbh/boolean_expressions.json"),
    ) else {
        return;
    };
    let reference: Value = serde_json::from_str(REFERENCE).unwrap();
    let expected = reference["items"].as_array().unwrap();
    let loaded = readers::read(&Format::from_name("bbh").unwrap(), &bbh).unwrap();
    let items = &loaded.items[..expected.len()];

    let mut scoring = LoadedModel::from_gguf(&file, &Device::flex()).unwrap();
    let mut gradient = LoadedModel::from_gguf(&file, &Device::flex().autodiff()).unwrap();
    gradient.decoder = gradient.decoder.with_gradients_on_mlp_matrices_only();
    let tokenizer = &scoring.tokenizer;

    let mut benchmark = BenchmarkInput::from_items(tokenizer, "bbh_boolean", items).unwrap();
    assert!(benchmark.items.is_empty(), "BBH items are generative");
    let generative = benchmark.generative.as_mut().expect("generative items");
    generative.max_new_tokens = reference["max_new_tokens"].as_u64().unwrap() as usize;
    assert_eq!(benchmark.len(), expected.len());
    assert_eq!(benchmark.chance(), 0.0);

    // The prompt is the chat template's, as PyTorch rendered it.
    for (ours, theirs) in benchmark
        .generative
        .as_ref()
        .unwrap()
        .items
        .iter()
        .zip(expected)
    {
        let theirs: Vec<u32> = serde_json::from_value(theirs["prompt_ids"].clone()).unwrap();
        assert_eq!(ours.prompt_ids, theirs, "prompt of {}", ours.item.query);
    }

    // A mixed benchmark: two multiple-choice items (one right, one wrong by
    // construction: a single option is always picked) and the generative ones.
    let option = |ids: Vec<u32>| OptionIds {
        context_ids: tokenizer
            .encode("Question: 1 + 1 =\nAnswer:", true)
            .unwrap(),
        continuation_ids: ids,
        continuation_chars: 2,
    };
    let two = tokenizer.encode(" 2", false).unwrap();
    benchmark.items = vec![
        ChoiceItem {
            options: vec![option(two.clone())],
            gold: 0,
        },
        ChoiceItem {
            options: vec![option(two.clone()), option(two)],
            gold: 1,
        },
    ];

    let n_total = scoring.decoder.num_params() as u64;
    let diagnostic = diagnostics::generate(Ability::Quantitative, 5, 42);
    let ability = AbilityInput::from_items(tokenizer, "quantitative", &diagnostic).unwrap();
    let settings = AisSettings {
        k: 1e-5,
        random_control: false,
        ..AisSettings::default()
    };
    let run = pollster::block_on(run_ais(
        &gradient.decoder,
        &mut scoring.decoder,
        n_total,
        &[ability],
        std::slice::from_ref(&benchmark),
        &settings,
        ais::no_progress,
    ))
    .unwrap();
    let profile = &run.benchmarks[0];
    assert_eq!(profile.n_items, 2 + expected.len());
    // Chance: 1/1 and 1/2 for the choice items, 0 for each generative one.
    let chance = 1.5 / profile.n_items as f64;
    assert!((profile.chance - chance).abs() < 1e-12);

    let base = &profile.base;
    assert_eq!(base.pred, [0, 0]);
    assert_eq!(base.generated.len(), expected.len());
    let mut right = 1; // the one-option item
    for ((ours, theirs), item) in base.generated.iter().zip(expected).zip(items) {
        assert_eq!(ours.response, theirs["response"].as_str().unwrap());
        let judged = score(item, theirs["response"].as_str().unwrap());
        assert_eq!(ours.correct, judged.correct, "{}", ours.response);
        assert_eq!(ours.extracted, judged.extracted);
        right += usize::from(ours.correct);
    }
    let acc = right as f64 / profile.n_items as f64;
    assert!((base.acc - acc).abs() < 1e-12, "{} vs {acc}", base.acc);
    assert_eq!(base.acc, base.acc_norm);

    // Under the masks every generative item is answered again.
    let ablation = &profile.abilities[0];
    assert_eq!(ablation.top.generated.len(), expected.len());
    assert_eq!(ablation.bottom.generated.len(), expected.len());
    match ablation.ais.value() {
        Some(v) => {
            let p = base.acc;
            let expected_ais = (p - ablation.top.acc) / (p - chance);
            assert!((v - expected_ais).abs() < 1e-9);
        }
        None => assert!(base.acc <= chance, "AIS is undefined only when P ≤ chance"),
    }
    let report = serde_json::to_value(&run).unwrap();
    assert!(report["benchmarks"][0]["base"]["generated"][0]["response"].is_string());
}
