//! The AIS pipeline on the demo model with a few real items: k = 0 changes nothing and
//! gives AIS exactly 0, a real budget ablates and the model comes back intact, a sweep
//! shares one gradient pass, the diagnostic sets flow from the tasks crate through the
//! chat template, cancelling leaves the model unablated, and the two ways of scoring
//! an item agree.
//!
//! Skips with a message when the model or `../shared` is absent.

// Reads models and fixtures from disk: native only (the browser runs `ais_tiny`).
#![cfg(not(target_arch = "wasm32"))]

use burn::module::Module;
use burn::tensor::Device;
use mechscope_metrics::ais::{
    self, AbilityInput, AisError, AisSettings, BenchmarkInput, ChoiceItem, Step, run_ais,
    run_ais_sweep,
};
use mechscope_model::LoadedModel;
use mechscope_tasks::diagnostics::{self, Ability};
use mechscope_tasks::{Format, readers};
use std::ops::ControlFlow;

struct Setup {
    gradient: LoadedModel,
    scoring: LoadedModel,
    n_total: u64,
    ability: AbilityInput,
    benchmark: BenchmarkInput,
}

fn setup() -> Option<Setup> {
    let file = mechscope_testkit::demo_model()?;
    let arc = mechscope_testkit::shared_file("data/benchmarks/arc_easy.jsonl")?;
    let mut gradient = LoadedModel::from_gguf(&file, &Device::flex().autodiff()).unwrap();
    gradient.decoder = gradient.decoder.with_gradients_on_mlp_matrices_only();
    let scoring = LoadedModel::from_gguf(&file, &Device::flex()).unwrap();
    let n_total = scoring.decoder.num_params() as u64;
    let items = diagnostics::generate(Ability::Quantitative, 20, 42);
    let (train, test) = diagnostics::split(&items, diagnostics::SPLIT_SEED);
    let tokenizer = &scoring.tokenizer;
    let ability = AbilityInput {
        name: Ability::Quantitative.name().into(),
        train: train
            .iter()
            .take(6)
            .map(|item| ais::diagnostic_ids(tokenizer, item).unwrap())
            .collect(),
        test: test
            .iter()
            .enumerate()
            .map(|(i, item)| {
                ChoiceItem::from_item(tokenizer, &item.to_item(i).unwrap())
                    .unwrap()
                    .unwrap()
            })
            .collect(),
        selected: Vec::new(),
    };
    let loaded = readers::read(&Format::from_name("arc_easy").unwrap(), &arc).unwrap();
    let benchmark = BenchmarkInput {
        name: "arc_easy".into(),
        items: loaded
            .items
            .iter()
            .take(12)
            .map(|item| ChoiceItem::from_item(tokenizer, item).unwrap().unwrap())
            .collect(),
        generative: None,
    };
    Some(Setup {
        gradient,
        scoring,
        n_total,
        ability,
        benchmark,
    })
}

fn run(setup: &mut Setup, settings: &AisSettings) -> Result<ais::AisRun, AisError> {
    pollster::block_on(run_ais(
        &setup.gradient.decoder,
        &mut setup.scoring.decoder,
        setup.n_total,
        std::slice::from_ref(&setup.ability),
        std::slice::from_ref(&setup.benchmark),
        settings,
        ais::no_progress,
    ))
}

#[test]
fn budgets_ablate_restore_and_cancel() {
    let Some(mut setup) = setup() else {
        return;
    };
    // One gradient pass for both budgets.
    let mut gradient_passes = 0;
    let runs = pollster::block_on(run_ais_sweep(
        &setup.gradient.decoder,
        &mut setup.scoring.decoder,
        setup.n_total,
        std::slice::from_ref(&setup.ability),
        std::slice::from_ref(&setup.benchmark),
        &AisSettings::default(),
        &[0.0, ais::DEFAULT_K],
        |step| {
            if matches!(step, Step::Gradients { done: 0, .. }) {
                gradient_passes += 1;
            }
            std::future::ready(ControlFlow::Continue(()))
        },
    ))
    .unwrap();
    assert_eq!(gradient_passes, 1);
    let [zero, at_default] = &runs[..] else {
        panic!("one run per k, got {}", runs.len());
    };

    // k = 0: nothing is zeroed, every score is the base score, AIS exactly 0 where defined.
    assert_eq!(zero.n_sel, 0);
    assert_eq!(zero.settings.k, 0.0);
    let benchmark = &zero.benchmarks[0];
    let base = benchmark.base.clone();
    let ablation = &benchmark.abilities[0];
    assert_eq!(ablation.top, base);
    assert_eq!(ablation.bottom, base);
    if let Some(value) = ablation.ais.value() {
        assert_eq!(value, 0.0);
    }

    // The contract's k: a real mask, and the same base scores as at k = 0.
    assert_eq!(at_default.n_sel, 134_515);
    assert_eq!(at_default.benchmarks[0].base, base);
    let own = at_default.abilities[0]
        .own_test
        .as_ref()
        .expect("own test split scored");
    let ablated = &at_default.benchmarks[0].abilities[0];
    println!(
        "own test acc: base {:.2}, top {:.2}, bottom {:.2}; ARC acc: base {:.2}, top {:.2}, bottom {:.2}",
        own.base.acc, own.top.acc, own.bottom.acc, base.acc, ablated.top.acc, ablated.bottom.acc
    );
    println!("warnings: {:?}", at_default.warnings);
    assert_ne!(ablated.top.pred, Vec::<usize>::new());
    assert_eq!(at_default.benchmarks[0].profile().len(), 1);
    assert_eq!(at_default.similarity.len(), 1);
    assert!(ablated.random.is_some(), "the random control ran");

    // run_ais at the contract's k gives what the sweep gave (the sweep shares the
    // gradient pass, nothing else).
    let single = run(&mut setup, &AisSettings::default()).unwrap();
    assert_eq!(single.benchmarks, at_default.benchmarks);

    // Cancelling while ablated leaves the model as it was.
    let mut seen_ablated = false;
    let cancelled = pollster::block_on(run_ais(
        &setup.gradient.decoder,
        &mut setup.scoring.decoder,
        setup.n_total,
        std::slice::from_ref(&setup.ability),
        std::slice::from_ref(&setup.benchmark),
        &AisSettings::default(),
        |step| {
            if matches!(step, Step::Ablated { done: 3, .. }) {
                seen_ablated = true;
                return std::future::ready(ControlFlow::Break(()));
            }
            std::future::ready(ControlFlow::Continue(()))
        },
    ));
    assert!(seen_ablated);
    assert!(matches!(cancelled, Err(AisError::Cancelled)));
    let after = run(
        &mut setup,
        &AisSettings {
            k: 0.0,
            ..AisSettings::default()
        },
    )
    .unwrap();
    assert_eq!(
        after.benchmarks[0].base, base,
        "a cancelled run restored the model"
    );
}

/// Items whose options share a context run the context once from a cache; items whose
/// contexts differ (Winogrande) run as one padded batch. Both must give the same
/// log-probabilities: each Winogrande option is scored again as an item of its own
/// (one option, so through the cache) and compared.
#[test]
fn shared_context_and_batched_scoring_agree() {
    let Some(file) = mechscope_testkit::demo_model() else {
        return;
    };
    let Some(bytes) = mechscope_testkit::shared_file("data/benchmarks/winogrande.jsonl") else {
        return;
    };
    let model = LoadedModel::from_gguf(&file, &Device::flex()).unwrap();
    let loaded = readers::read(&Format::from_name("winogrande").unwrap(), &bytes).unwrap();
    let mut compared = 0;
    for item in loaded.items.iter().take(8) {
        let item = ChoiceItem::from_item(&model.tokenizer, item)
            .unwrap()
            .unwrap();
        assert_ne!(
            item.options[0].context_ids, item.options[1].context_ids,
            "Winogrande options differ in their context"
        );
        let batched = pollster::block_on(ais::score_item(&model.decoder, &item)).unwrap();
        for (option, batched) in item.options.iter().zip(&batched.logprobs) {
            let alone = ChoiceItem {
                options: vec![option.clone()],
                gold: 0,
            };
            let cached = pollster::block_on(ais::score_item(&model.decoder, &alone)).unwrap();
            assert!(
                (cached.logprobs[0] - batched).abs() < 1e-3,
                "{} vs {batched}",
                cached.logprobs[0]
            );
            compared += 1;
        }
    }
    assert_eq!(compared, 16);
}
