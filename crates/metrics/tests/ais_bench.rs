//! `bench::ais` on the seeded tiny GPT-2 of `ais_tiny`: it counts what it ran, its
//! timings are real numbers, and the gradient pass it timed is the real one (the mean
//! of its per-item losses is PyTorch's).

// The page runs the same code through `?bench=ais`; this checks the bookkeeping once.
#![cfg(not(target_arch = "wasm32"))]

use burn::tensor::Device;
use mechscope_metrics::ais::{ChoiceItem, OptionIds};
use mechscope_metrics::bench::{self, AisBenchOptions};
use mechscope_model::weights::SafetensorsWeights;
use mechscope_model::{Decoder, ModelConfig};
use serde_json::Value;

const REFERENCE: &str = include_str!("data/ais_tiny_reference.json");
const CONFIG: &[u8] = include_bytes!("../../model/tests/data/gpt2-tiny/config.json");
const WEIGHTS: &[u8] = include_bytes!("../../model/tests/data/gpt2-tiny/model.safetensors");

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

#[test]
fn counts_times_and_the_real_losses() {
    let reference: Value = serde_json::from_str(REFERENCE).unwrap();
    let ability = &reference["abilities"][0];
    let sequences: Vec<Vec<u32>> = ability["train"]
        .as_array()
        .unwrap()
        .iter()
        .map(ids)
        .collect();
    let losses: Vec<f64> = ability["losses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_f64().unwrap())
        .collect();
    // The benchmark whose items share one context: the 4-choice shape the aim is about.
    let items: Vec<ChoiceItem> = reference["benchmarks"][0]["items"]
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
        .collect();

    let gradient_model = decoder(&Device::flex().autodiff()).with_gradients_on_mlp_matrices_only();
    let scoring_model = decoder(&Device::flex());
    let mut steps = Vec::new();
    let result = pollster::block_on(bench::ais(
        &gradient_model,
        &scoring_model,
        &sequences,
        &items,
        &AisBenchOptions { repeats: 2 },
        |step| {
            steps.push(step);
            std::future::ready(())
        },
    ))
    .unwrap();

    let gradient = result.gradient.expect("there were sequences");
    assert_eq!(gradient.items, sequences.len());
    assert_eq!(
        gradient.tokens,
        sequences.iter().map(Vec::len).sum::<usize>()
    );
    assert_eq!(gradient.repeats, 2);
    let expected = losses.iter().sum::<f64>() / losses.len() as f64;
    assert!(
        (gradient.mean_loss - expected).abs() < 1e-3,
        "mean loss {} vs PyTorch's {expected}",
        gradient.mean_loss
    );
    for value in [
        gradient.seconds,
        gradient.readback_seconds,
        gradient.forward_seconds,
        gradient.gradient_over_forward,
        gradient.warm_up_s,
    ] {
        assert!(value.is_finite() && value > 0.0, "{gradient:?}");
    }
    assert_eq!(
        gradient.seconds_per_100_items,
        gradient.items_seconds / sequences.len() as f64 * 100.0
    );

    let scoring = result.scoring.expect("there were items");
    assert_eq!(scoring.items, items.len());
    assert_eq!(
        scoring.choices,
        items.iter().map(|i| i.options.len()).sum::<usize>()
    );
    assert!((0.0..=1.0).contains(&scoring.acc));
    for value in [
        scoring.seconds,
        scoring.items_per_s,
        scoring.longest_forward_seconds,
        scoring.scoring_over_longest_forward,
    ] {
        assert!(value.is_finite() && value > 0.0, "{scoring:?}");
    }
    // Warm-ups and two alternated passes of each step and its baseline were announced.
    assert_eq!(steps.len(), 2 + 2 * 3 + 2 * 2, "{steps:?}");
}

#[test]
fn nothing_to_time_is_no_part() {
    let result = pollster::block_on(bench::ais(
        &decoder(&Device::flex().autodiff()),
        &decoder(&Device::flex()),
        &[],
        &[],
        &AisBenchOptions::default(),
        |_| std::future::ready(()),
    ))
    .unwrap();
    assert!(result.gradient.is_none() && result.scoring.is_none());
}
