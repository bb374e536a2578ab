//! Properties of MUI on many random samples, on a small real model (the seeded tiny
//! GPT-2 the model crate checks against transformers; its weights are in the repository,
//! so these tests always run):
//!
//! - the device selection equals a brute-force host computation of
//!   `S = A ⊙ (W_U[y] @ W_down)` from the traced activations and the weights read back,
//!   for every rule (per-layer top-k, top-score, global top-k) and both targets, except
//!   at near-ties (reported gap below 1e-5);
//! - `|N_n^l| ≤ k`, `MUI ≤ min(1, n·k/d_ff)`;
//! - the same samples give the same result.

// Reads models and fixtures from disk: native only (the browser runs `ais_tiny`).
#![cfg(not(target_arch = "wasm32"))]

use burn::tensor::Device;
use mechscope_metrics::mui::{
    KeyNeurons, MuiOptions, MuiResult, SelectionRule, Target, TokenSample, key_neurons,
};
use mechscope_model::generate::read_f32;
use mechscope_model::weights::SafetensorsWeights;
use mechscope_model::{Decoder, ModelConfig, Trace};
use std::collections::BTreeSet;

fn tiny_gpt2() -> Decoder {
    let dir = mechscope_testkit::crate_dir().join("../model/tests/data/gpt2-tiny");
    let config = ModelConfig::from_hf_json(&std::fs::read(dir.join("config.json")).unwrap())
        .expect("config parses");
    let file = std::fs::read(dir.join("model.safetensors")).unwrap();
    let weights = SafetensorsWeights::new(&[&file]).unwrap();
    Decoder::load(&weights, &config, false, &Device::flex()).expect("tiny GPT-2 loads")
}

/// A small deterministic generator (SplitMix64), so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn random_sample(rng: &mut Rng, vocab: usize, max_len: usize) -> TokenSample {
    let p = 1 + rng.below(max_len / 2);
    let r = 1 + rng.below(max_len / 2);
    TokenSample {
        prompt_ids: (0..p).map(|_| rng.below(vocab) as u32).collect(),
        response_ids: (0..r).map(|_| rng.below(vocab) as u32).collect(),
    }
}

/// `S^l` for every layer, computed on the host: `[L][T * d_ff]`.
fn host_scores(decoder: &Decoder, sample: &TokenSample, target: Target) -> Vec<Vec<f32>> {
    let c = &decoder.config;
    let (d, f) = (c.d_model, c.d_ff);
    let ids = sample.ids();
    let first = match target {
        Target::Same => sample.prompt_ids.len(),
        Target::Next => sample.prompt_ids.len() - 1,
    };
    let t = sample.response_ids.len();
    let trace = Trace {
        mlp_activations: true,
        ..Trace::default()
    };
    let traced = decoder.forward(decoder.ids_tensor(&ids, 1), trace, None);
    let wu = pollster::block_on(read_f32(decoder.unembedding())).unwrap(); // [V, d]
    traced
        .mlp_activations
        .into_iter()
        .zip(&decoder.blocks)
        .map(|(a, block)| {
            let a = pollster::block_on(read_f32(a)).unwrap(); // [seq, f]
            let down = pollster::block_on(read_f32(block.mlp.down.val())).unwrap(); // [f, d]
            let mut s = vec![0f32; t * f];
            for (row, &y) in sample.response_ids.iter().enumerate() {
                let u = &wu[y as usize * d..(y as usize + 1) * d];
                for i in 0..f {
                    let w: f64 = (0..d)
                        .map(|j| f64::from(u[j]) * f64::from(down[i * d + j]))
                        .sum();
                    s[row * f + i] = a[(first + row) * f + i] * w as f32;
                }
            }
            s
        })
        .collect()
}

/// Indices of the k largest values, largest first.
fn top(values: &[f32], k: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
    order.truncate(k);
    order
}

const NEAR_TIE: f32 = 1e-5;

fn check_against_host(
    decoder: &Decoder,
    sample: &TokenSample,
    options: &MuiOptions,
    got: &KeyNeurons,
) {
    let f = decoder.config.d_ff;
    let scores = host_scores(decoder, sample, options.target);
    let k = options.k(f);
    match options.rule {
        SelectionRule::PerLayerTopK => {
            for (l, (s, layer)) in scores.iter().zip(&got.layers).enumerate() {
                let want: BTreeSet<u32> = top(s, k).iter().map(|&i| (i % f) as u32).collect();
                let have: BTreeSet<u32> = layer.neurons.iter().copied().collect();
                if want != have {
                    let gap = layer.gap.unwrap_or(f32::INFINITY);
                    assert!(
                        gap < NEAR_TIE,
                        "layer {l}: {have:?} vs host {want:?} (gap {gap})"
                    );
                }
                for e in &layer.entries {
                    let host = s[e.t as usize * f + e.neuron as usize];
                    assert!(
                        (host - e.score).abs() <= 1e-4 * host.abs().max(1.0),
                        "score {e:?} vs host {host}"
                    );
                }
            }
        }
        SelectionRule::TopScore { theta } => {
            for (s, layer) in scores.iter().zip(&got.layers) {
                let max = s.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                let want: BTreeSet<u32> = if max > 0.0 {
                    let threshold = (theta * f64::from(max)) as f32;
                    s.iter()
                        .enumerate()
                        .filter(|&(_, &v)| v >= threshold - NEAR_TIE)
                        .map(|(i, _)| (i % f) as u32)
                        .collect()
                } else {
                    BTreeSet::new()
                };
                let have: BTreeSet<u32> = layer.neurons.iter().copied().collect();
                assert!(have.is_subset(&want), "{have:?} not within host {want:?}");
            }
        }
        SelectionRule::GlobalTopK => {
            let flat: Vec<f32> = scores.concat();
            let per_layer = scores[0].len();
            let want: BTreeSet<(usize, u32)> = top(&flat, k)
                .iter()
                .map(|&i| (i / per_layer, ((i % per_layer) % f) as u32))
                .collect();
            let have: BTreeSet<(usize, u32)> = got
                .layers
                .iter()
                .enumerate()
                .flat_map(|(l, layer)| layer.neurons.iter().map(move |&i| (l, i)))
                .collect();
            if want != have {
                let gap = got.global_gap.unwrap_or(f32::INFINITY);
                assert!(gap < NEAR_TIE, "{have:?} vs host {want:?} (gap {gap})");
            }
        }
    }
}

#[test]
fn device_selection_equals_a_host_brute_force_and_respects_the_bounds() {
    let decoder = tiny_gpt2();
    let (vocab, f, n_layers) = (
        decoder.config.vocab_size,
        decoder.config.d_ff,
        decoder.config.n_layers,
    );
    let mut rng = Rng(42);
    let rules = [
        SelectionRule::PerLayerTopK,
        SelectionRule::TopScore { theta: 0.6 },
        SelectionRule::GlobalTopK,
    ];
    for case in 0..12 {
        let samples: Vec<TokenSample> =
            (0..3).map(|_| random_sample(&mut rng, vocab, 20)).collect();
        let options = MuiOptions {
            top_k: Some(1 + rng.below(20)),
            target: if case % 2 == 0 {
                Target::Same
            } else {
                Target::Next
            },
            rule: rules[case % 3],
            ..MuiOptions::default()
        };
        let k = options.k(f);
        let run = |s: &TokenSample| pollster::block_on(key_neurons(&decoder, s, &options)).unwrap();
        let results: Vec<KeyNeurons> = samples.iter().map(run).collect();
        for (sample, got) in samples.iter().zip(&results) {
            check_against_host(&decoder, sample, &options, got);
            if options.rule == SelectionRule::PerLayerTopK {
                assert!(
                    got.layers
                        .iter()
                        .all(|l| l.neurons.len() <= k && l.entries.len() <= k)
                );
            }
            assert_eq!(got, &run(sample), "case {case}: not deterministic");
        }
        let union = MuiResult::from_samples(&results, n_layers, f);
        if options.rule == SelectionRule::PerLayerTopK {
            let bound = (samples.len() as f64 * k as f64 / f as f64).min(1.0);
            assert!(
                union.mui <= bound,
                "case {case}: MUI {} above {bound}",
                union.mui
            );
        }
        assert!(union.union_per_layer.iter().sum::<usize>() == union.union_size);
    }
}

#[test]
fn an_empty_response_uses_no_neurons_and_next_needs_a_prompt() {
    let decoder = tiny_gpt2();
    let empty = TokenSample {
        prompt_ids: vec![1, 2, 3],
        response_ids: vec![],
    };
    let got = pollster::block_on(key_neurons(&decoder, &empty, &MuiOptions::default())).unwrap();
    assert!(got.layers.iter().all(|l| l.neurons.is_empty()));
    let no_prompt = TokenSample {
        prompt_ids: vec![],
        response_ids: vec![5, 6],
    };
    let next = MuiOptions {
        target: Target::Next,
        ..MuiOptions::default()
    };
    let err = pollster::block_on(key_neurons(&decoder, &no_prompt, &next)).unwrap_err();
    assert!(err.to_string().contains("prompt is empty"), "{err}");
    let out_of_vocab = TokenSample {
        prompt_ids: vec![1],
        response_ids: vec![100_000],
    };
    let err = pollster::block_on(key_neurons(&decoder, &out_of_vocab, &MuiOptions::default()))
        .unwrap_err();
    assert!(err.to_string().contains("outside the vocabulary"), "{err}");
}
