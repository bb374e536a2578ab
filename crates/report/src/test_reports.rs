//! Reports shaped like real runs, for the share-link and table tests: the sizes of
//! SmolLM2-135M (30 layers, d_ff 1536) and the default settings of each metric, with
//! values from a seeded generator (full 17-digit floats, as computed results have).

use crate::schema::{AisReport, MetricReport, ModelInfo, ModelSource, Report, TaskInfo};
use mechscope_metrics::ais::{
    AbilityRun, Ablation, AisRun, AisSettings, BenchmarkProfile, OwnTest, Score, Scored,
};
use mechscope_metrics::lpp::latent::DepthCurves;
use mechscope_metrics::lpp::symbolic::{
    Crossing, FamilyResult, LevelAccuracy, SymbolicRecord, SymbolicResult,
};
use mechscope_metrics::lpp::uncertainty::{StratumSummary, UncertaintyRecord, UncertaintyResult};
use mechscope_metrics::lpp::{LatentMetrics, LppRun, LppSettings, depth, profile};
use mechscope_metrics::mui::{
    KeyNeurons, LayerNeurons, MuiOptions, MuiResult, MuiRun, MuiSettings, MuiTimings, PromptStyle,
    ResponseSource, SampleRecord, ScoredEntry,
};
use mechscope_tasks::score::{Accuracy, Scored as Answer};

/// The `fuzz/seeds/NAME` folder of the clone whose tests run. From the *runtime*
/// `CARGO_MANIFEST_DIR` (cargo and nextest set it): builds are cached outside the clone
/// and shared between clones, so this code may have been compiled in another one, whose
/// path `env!` would name (see `mechscope_testkit::workspace_root`).
pub fn fuzz_seeds(name: &str) -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(
            || env!("CARGO_MANIFEST_DIR").into(),
            std::path::PathBuf::from,
        )
        .join("../../fuzz/seeds")
        .join(name)
}

pub const N_LAYERS: usize = 30;
pub const D_FF: usize = 1536;

/// A small deterministic generator (64-bit LCG): the same reports on every run.
pub struct Values(u64);

impl Values {
    pub fn new(seed: u64) -> Self {
        Values(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 11
    }

    /// In [0, 1), with all 53 bits used.
    pub fn unit(&mut self) -> f64 {
        self.next() as f64 / (1u64 << 53) as f64
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

pub fn model(id: &str) -> ModelInfo {
    ModelInfo {
        id: id.to_string(),
        source: ModelSource::Url {
            url: format!("https://huggingface.co/HuggingFaceTB/{id}/resolve/main/model.gguf"),
            sha256: Some("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into()),
        },
        architecture: "llama".into(),
        n_layers: N_LAYERS,
        d_model: 576,
        d_ff: D_FF,
        vocab_size: 49_152,
        n_params: 134_515_008,
        dtype: "f32 (dequantised from GGUF)".into(),
    }
}

fn task(spec: &str, n_items: usize) -> TaskInfo {
    TaskInfo {
        spec: spec.into(),
        n_items,
        rows_skipped: 0,
        seed: Some(0),
    }
}

/// MUI on `n_samples` items of a task, top-1 per layer and sample.
pub fn mui(model_id: &str, n_samples: usize, seed: u64) -> Report {
    let mut v = Values::new(seed);
    let key_neurons: Vec<KeyNeurons> = (0..n_samples)
        .map(|_| KeyNeurons {
            layers: (0..N_LAYERS)
                .map(|_| {
                    let neuron = v.below(D_FF) as u32;
                    LayerNeurons {
                        neurons: vec![neuron],
                        entries: vec![ScoredEntry {
                            t: v.below(20) as u32,
                            neuron,
                            score: (v.unit() * 3.0) as f32,
                        }],
                        gap: Some((v.unit() * 0.1) as f32),
                    }
                })
                .collect(),
            scored_positions: 12 + v.below(20),
            global_gap: None,
        })
        .collect();
    let samples: Vec<SampleRecord> = (0..n_samples)
        .map(|index| SampleRecord {
            index,
            prompt_ids: (0..40 + v.below(30))
                .map(|_| v.below(49_152) as u32)
                .collect(),
            response_ids: (0..4 + v.below(8))
                .map(|_| v.below(49_152) as u32)
                .collect(),
            response_text: format!("The answer is {}.", ["A", "B", "C", "D"][v.below(4)]),
            scored: Some(Answer {
                extracted: Some("B".into()),
                correct: v.unit() < 0.5,
            }),
        })
        .collect();
    let n_correct = samples
        .iter()
        .filter(|s| s.scored.as_ref().is_some_and(|a| a.correct))
        .count();
    let run = MuiRun {
        settings: MuiSettings {
            options: MuiOptions::default(),
            response: ResponseSource::Model { max_new_tokens: 64 },
            prompt: PromptStyle::Chat,
        },
        k: 1,
        result: MuiResult::from_samples(&key_neurons, N_LAYERS, D_FF),
        accuracy: Some(Accuracy {
            n_items: n_samples,
            n_correct,
            n_unanswered: 1,
        }),
        samples,
        key_neurons,
        timings: MuiTimings {
            responses_s: 12.0 + v.unit(),
            scoring_s: 3.0 + v.unit(),
            scored_tokens: 1234,
        },
    };
    Report::new(
        model(model_id),
        "webgpu",
        task("arc_easy", n_samples),
        MetricReport::Mui(Box::new(run)),
    )
}

fn scored(v: &mut Values, n_items: usize, around: f64) -> Scored {
    let acc = (around + 0.1 * v.unit()).min(1.0);
    Scored {
        acc,
        acc_norm: (acc + 0.02 * v.unit()).min(1.0),
        pred: (0..n_items).map(|_| v.below(4)).collect(),
        pred_norm: (0..n_items).map(|_| v.below(4)).collect(),
        generated: Vec::new(),
    }
}

pub const ABILITIES: [&str; 10] = [
    "reading",
    "arithmetic",
    "logic",
    "commonsense",
    "world_knowledge",
    "temporal",
    "spatial",
    "causal",
    "analogy",
    "instruction",
];

/// AIS over the ten abilities on four benchmarks of `n_items` each, at each budget of
/// `ks` (a sweep when there are several).
pub fn ais(model_id: &str, ks: &[f64], n_items: usize, seed: u64) -> Report {
    let mut v = Values::new(seed);
    let benchmarks = ["arc_easy", "hellaswag", "gsm8k", "winogrande"];
    let runs = ks
        .iter()
        .map(|&k| {
            let abilities = ABILITIES
                .iter()
                .map(|name| AbilityRun {
                    name: name.to_string(),
                    n_train: 80,
                    own_test: Some(OwnTest {
                        base: scored(&mut v, 20, 0.6),
                        top: scored(&mut v, 20, 0.3),
                        bottom: scored(&mut v, 20, 0.58),
                    }),
                    gradient_s: 4.0 + v.unit(),
                    scoring_s: 9.0 + v.unit(),
                })
                .collect();
            let benchmarks: Vec<BenchmarkProfile> = benchmarks
                .iter()
                .enumerate()
                .map(|(b, name)| {
                    let chance = 0.25;
                    let base = scored(&mut v, n_items, 0.4);
                    BenchmarkProfile {
                        name: name.to_string(),
                        n_items,
                        chance,
                        abilities: ABILITIES
                            .iter()
                            .map(|ability| {
                                let top = scored(&mut v, n_items, 0.3);
                                let bottom = scored(&mut v, n_items, 0.39);
                                // One benchmark at chance: its AIS are undefined.
                                let defined = b != 3;
                                let ais = |ablated: f64| {
                                    if defined {
                                        mechscope_metrics::ais::ais(base.acc, ablated, chance)
                                    } else {
                                        Score::Undefined {
                                            reason: "the unablated accuracy 0.2500 is not above \
                                                     chance (0.2500): there is no ability to remove"
                                                .into(),
                                        }
                                    }
                                };
                                Ablation {
                                    ability: ability.to_string(),
                                    ais: ais(top.acc),
                                    ais_bottom: ais(bottom.acc),
                                    ais_random: None,
                                    relative_drop: Score::Defined {
                                        value: (base.acc - top.acc) / base.acc,
                                    },
                                    control_corrected: ais(top.acc - (base.acc - bottom.acc)),
                                    top,
                                    bottom,
                                    random: None,
                                }
                            })
                            .collect(),
                        base,
                        destroyed: false,
                    }
                })
                .collect();
            let profiles: Vec<Vec<Option<f64>>> = benchmarks
                .iter()
                .map(|b| b.abilities.iter().map(|a| a.ais.value()).collect())
                .collect();
            let similarity = profiles
                .iter()
                .map(|p| {
                    profiles
                        .iter()
                        .map(|q| mechscope_metrics::ais::similarity(p, q))
                        .collect()
                })
                .collect();
            AisRun {
                settings: AisSettings {
                    k,
                    ..AisSettings::default()
                },
                n_total: 134_515_008,
                n_mlp: 79_626_240,
                n_sel: (k * 134_515_008.0) as usize,
                abilities,
                benchmarks,
                similarity,
                warnings: vec!["arithmetic: its own test accuracy fell no more ...".into()],
            }
        })
        .collect();
    Report::new(
        model(model_id),
        "cpu",
        task("arc_easy,hellaswag,gsm8k,winogrande", n_items),
        MetricReport::Ais(AisReport { runs }),
    )
}

/// LPP with every probe, the browser's default sizes; layer 0's massive-activation
/// ratio and the empty stratum's entropy are NaN, as the metrics leave them.
pub fn lpp(model_id: &str, seed: u64) -> Report {
    let mut v = Values::new(seed);
    let mut per_layer =
        |scale: f64| -> Vec<f64> { (0..=N_LAYERS).map(|_| scale * v.unit()).collect() };
    let logit_lens_entropy = per_layer(1.0);
    let layer_drift: Vec<f64> = per_layer(0.5).into_iter().skip(1).collect();
    let hidden_norm = per_layer(40.0);
    let mut massive_activation_ratio = per_layer(300.0);
    massive_activation_ratio[0] = f64::NAN;
    let anisotropy = per_layer(0.9);
    let effective_rank = per_layer(400.0);
    let effective_rank_frac: Vec<f64> = effective_rank.iter().map(|r| r / 576.0).collect();
    let grid = depth::grid();
    let on = |values: &[f64]| depth::resample(values, &grid).unwrap_or_default();
    let on_depth = DepthCurves {
        depth: grid.clone(),
        logit_lens_entropy: on(&logit_lens_entropy),
        layer_drift: on(&layer_drift),
        hidden_norm: on(&hidden_norm),
        anisotropy: on(&anisotropy),
        effective_rank_frac: on(&effective_rank_frac),
    };
    let nll = 2.0 + v.unit();
    let text = LatentMetrics {
        n_sequences: 8,
        n_positions: 2048,
        n_predictions: 2040,
        d_model: 576,
        output_entropy: logit_lens_entropy[N_LAYERS],
        logit_lens_area: depth::area(&logit_lens_entropy),
        commit_depth: depth::commit_depth(&logit_lens_entropy),
        adaptability: layer_drift.iter().sum::<f64>() / layer_drift.len() as f64,
        logit_lens_entropy,
        layer_drift,
        hidden_norm,
        massive_activation_ratio,
        anisotropy,
        effective_rank,
        effective_rank_frac,
        nll,
        perplexity: nll.exp(),
        on_depth,
    };
    let strata = ["determinate", "random", "unanswerable"];
    let items: Vec<UncertaintyRecord> = strata
        .iter()
        .flat_map(|stratum| std::iter::repeat_n(*stratum, 20))
        .map(|stratum| {
            let raw: Vec<f64> = (0..4).map(|_| v.unit() + 0.01).collect();
            let total: f64 = raw.iter().sum();
            let probabilities: Vec<f64> = raw.iter().map(|p| p / total).collect();
            let entropy = -probabilities.iter().map(|p| p * p.ln()).sum::<f64>() / 4f64.ln();
            UncertaintyRecord {
                stratum: stratum.into(),
                form: "die".into(),
                query: format!(
                    "A fair die is rolled. Which face comes up? ({})",
                    v.below(100)
                ),
                probabilities,
                gold: (stratum == "determinate").then(|| v.below(4)),
                entropy,
            }
        })
        .collect();
    let uncertainty = UncertaintyResult {
        strata: strata
            .iter()
            .map(|s| StratumSummary {
                stratum: s.to_string(),
                n: 20,
                mean_entropy: v.unit(),
            })
            .chain(std::iter::once(StratumSummary {
                stratum: "empty".into(),
                n: 0,
                mean_entropy: f64::NAN,
            }))
            .collect(),
        kl_to_uniform_random: Some(v.unit()),
        determinate_accuracy: Some(v.unit()),
        ece: Some(v.unit() * 0.3),
        brier: Some(v.unit()),
        entropy_auroc: Some(v.unit()),
        items,
    };
    let families = ["addition", "parity", "reversal"];
    let symbolic_items: Vec<SymbolicRecord> = families
        .iter()
        .flat_map(|f| (1..=5).flat_map(move |level| (0..4).map(move |_| (*f, level))))
        .map(|(family, level)| SymbolicRecord {
            family: family.into(),
            level,
            prompt: format!("Compute {level} + {level}. Answer with the number only."),
            answer: format!("{}", 2 * level),
            response: format!("Answer: {}", 2 * level + v.below(2) as u32),
            correct: v.unit() < 0.5,
        })
        .collect();
    let symbolic = SymbolicResult {
        families: families
            .iter()
            .map(|f| FamilyResult {
                family: f.to_string(),
                levels: (1..=5)
                    .map(|level| LevelAccuracy {
                        level,
                        n: 4,
                        accuracy: v.below(5) as f64 / 4.0,
                    })
                    .collect(),
                crossing: Crossing::At(1.0 + 4.0 * v.unit()),
            })
            .collect(),
        accuracy: v.unit(),
        items: symbolic_items,
    };
    let profile = profile::axes(Some(&text), Some(&uncertainty), Some(&symbolic));
    let run = LppRun {
        settings: LppSettings::default(),
        text: Some(text),
        uncertainty: Some(uncertainty),
        symbolic: Some(symbolic),
        profile,
    };
    Report::new(
        model(model_id),
        "webgpu",
        task("lpp probes", 0),
        MetricReport::Lpp(Box::new(run)),
    )
}
