//! AIS over abilities and benchmarks (metrics.md §2): for each ability, gradient
//! importance on its train split, the top mask and its controls, each benchmark scored
//! with each mask applied in place and restored; then AIS, profiles, their similarity
//! and the checks that say whether the ablation meant something.
//!
//! Two decoders of the same weights take part: one on an autodiff device for the
//! gradients, one for scoring, where masks are applied and removed. The caller loads
//! both (natively the cost is a second copy of the weights; loading the gradient model
//! only while it is needed is the caller's choice).

use super::generative::{Generated, GenerativeSet};
use super::importance::{GradientStep, MlpLayout, diagnostic_ids, gradient_importance};
use super::loglik::{ChoiceItem, ItemScores, accuracies, chance, score_item};
use super::profile::{Score, ais, control_corrected, relative_drop, similarity};
use super::{AisError, budget, select};
use mechscope_formats::tokenizer::{Tokenizer, TokenizerError};
use mechscope_model::Decoder;
use mechscope_tasks::Item;
use mechscope_tasks::diagnostics::{self, DiagnosticItem};
use serde::{Deserialize, Serialize};
use std::ops::ControlFlow;
use web_time::Instant;

/// How the top weights are chosen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Selection {
    /// Global top-n over all MLP weights (the contract's default).
    #[default]
    Global,
    /// The top fraction within each contiguous million-weight chunk (the authors' code).
    Chunked,
}

/// Which accuracy AIS is computed from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    #[default]
    Acc,
    AccNorm,
}

/// Everything that decides an AIS result besides the model and the data.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AisSettings {
    /// Budget as a fraction of all parameters.
    pub k: f64,
    pub selection: Selection,
    pub metric: Metric,
    /// Also score a seeded random mask of the same size.
    pub random_control: bool,
    pub seed: u64,
}

impl Default for AisSettings {
    fn default() -> Self {
        AisSettings {
            k: super::DEFAULT_K,
            selection: Selection::Global,
            metric: Metric::Acc,
            random_control: true,
            seed: 42,
        }
    }
}

/// One ability's diagnostic data as token ids.
#[derive(Debug, Clone, PartialEq)]
pub struct AbilityInput {
    pub name: String,
    /// Train split, as chats ([`super::diagnostic_ids`]).
    pub train: Vec<Vec<u32>>,
    /// Test split as multiple choice, for the own-ability check (may be empty).
    pub test: Vec<ChoiceItem>,
    /// Masks selected earlier, by budget: used instead of a gradient pass at their
    /// `n_sel` (empty: every budget from `train`).
    pub selected: Vec<SelectedMasks>,
}

impl AbilityInput {
    /// An ability's diagnostic items split 80/20 with the contract's seed: the train
    /// part as chats for the gradients, the test part as multiple choice for the
    /// own-ability check.
    pub fn from_items(
        tokenizer: &Tokenizer,
        name: impl Into<String>,
        items: &[DiagnosticItem],
    ) -> Result<Self, TokenizerError> {
        let (train, test) = diagnostics::split(items, diagnostics::SPLIT_SEED);
        let train = train
            .iter()
            .map(|item| diagnostic_ids(tokenizer, item))
            .collect::<Result<_, _>>()?;
        let mut choices = Vec::with_capacity(test.len());
        for (index, item) in test.iter().enumerate() {
            // A generated or read item always converts; one that does not is left out
            // of the check rather than failing the run.
            if let Ok(item) = item.to_item(index)
                && let Some(choice) = ChoiceItem::from_item(tokenizer, &item)?
            {
                choices.push(choice);
            }
        }
        Ok(AbilityInput {
            name: name.into(),
            train,
            test: choices,
            selected: Vec::new(),
        })
    }
}

/// One benchmark as token ids.
#[derive(Debug, Clone, Default)]
pub struct BenchmarkInput {
    pub name: String,
    /// Multiple-choice items, scored by log-likelihood.
    pub items: Vec<ChoiceItem>,
    /// Generative items (GSM8K, BBH), scored by greedy generation and exact match.
    pub generative: Option<GenerativeSet>,
}

impl BenchmarkInput {
    /// A benchmark's multiple-choice items as log-likelihood requests and its
    /// generative items as prompts.
    pub fn from_items(
        tokenizer: &Tokenizer,
        name: impl Into<String>,
        items: &[Item],
    ) -> Result<Self, TokenizerError> {
        let mut choices = Vec::with_capacity(items.len());
        for item in items {
            if let Some(choice) = ChoiceItem::from_item(tokenizer, item)? {
                choices.push(choice);
            }
        }
        Ok(BenchmarkInput {
            name: name.into(),
            items: choices,
            generative: GenerativeSet::from_items(tokenizer, items)?,
        })
    }

    fn generative_items(&self) -> usize {
        self.generative.as_ref().map_or(0, |g| g.items.len())
    }

    /// Items of both kinds.
    pub fn len(&self) -> usize {
        self.items.len() + self.generative_items()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Mean over the items of `1 / n_choices`, 0 for a generative item.
    pub fn chance(&self) -> f64 {
        if self.is_empty() {
            return 0.0;
        }
        chance(&self.items) * self.items.len() as f64 / self.len() as f64
    }
}

/// A benchmark scored under one condition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scored {
    pub acc: f64,
    pub acc_norm: f64,
    /// Per item, the argmax of the summed log-probabilities.
    pub pred: Vec<usize>,
    pub pred_norm: Vec<usize>,
    /// Per generative item (after the multiple-choice ones in `acc`), the greedy
    /// response and whether its extracted answer was right.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub generated: Vec<Generated>,
}

impl Scored {
    fn of(items: &[ChoiceItem], scores: &[ItemScores]) -> Self {
        Self::with_generated(items, scores, Vec::new())
    }

    /// Accuracy over both kinds: choice hits and right answers over all items (a
    /// generative item counts the same under `acc` and `acc_norm`).
    fn with_generated(
        items: &[ChoiceItem],
        scores: &[ItemScores],
        generated: Vec<Generated>,
    ) -> Self {
        let (acc, acc_norm) = accuracies(items, scores);
        let (n_choice, n_gen) = (items.len().min(scores.len()), generated.len());
        let right = generated.iter().filter(|g| g.correct).count() as f64;
        let total = (n_choice + n_gen).max(1) as f64;
        Scored {
            acc: (acc * n_choice as f64 + right) / total,
            acc_norm: (acc_norm * n_choice as f64 + right) / total,
            pred: scores.iter().map(|s| s.pred).collect(),
            pred_norm: scores.iter().map(|s| s.pred_norm).collect(),
            generated,
        }
    }

    /// The accuracy AIS is computed from.
    pub fn metric(&self, metric: Metric) -> f64 {
        match metric {
            Metric::Acc => self.acc,
            Metric::AccNorm => self.acc_norm,
        }
    }
}

/// One benchmark under one ability's masks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ablation {
    pub ability: String,
    pub top: Scored,
    pub bottom: Scored,
    pub random: Option<Scored>,
    /// AIS of the top mask: the benchmark's profile entry for this ability.
    pub ais: Score,
    /// AIS of the bottom mask (the validity check: ≈ 0).
    pub ais_bottom: Score,
    pub ais_random: Option<Score>,
    pub relative_drop: Score,
    pub control_corrected: Score,
}

/// One benchmark: its unablated score and what each ability's masks did to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchmarkProfile {
    pub name: String,
    pub n_items: usize,
    /// Mean of `1 / n_choices` over the items.
    pub chance: f64,
    pub base: Scored,
    /// One per ability, in ability order: the profile is their `ais`.
    pub abilities: Vec<Ablation>,
    /// Every ability's top mask took the benchmark to chance or below: the masks
    /// broke the model, so the profile says nothing about which ability the
    /// benchmark needs (small models at large k).
    pub destroyed: bool,
}

impl BenchmarkProfile {
    /// The AIS vector, in ability order.
    pub fn profile(&self) -> Vec<Score> {
        self.abilities.iter().map(|a| a.ais.clone()).collect()
    }
}

/// An ability's own test split unablated and under its top and bottom masks: the top
/// mask should hit it much harder than the bottom one, or the importance did not find
/// the ability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OwnTest {
    pub base: Scored,
    pub top: Scored,
    pub bottom: Scored,
}

/// One ability's part of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AbilityRun {
    pub name: String,
    /// Diagnostic sequences the gradients were summed over.
    pub n_train: usize,
    pub own_test: Option<OwnTest>,
    /// Gradient pass and selection (shared by every k of a sweep).
    pub gradient_s: f64,
    /// Scoring every benchmark under this ability's masks at this k.
    pub scoring_s: f64,
}

/// A finished AIS run at one budget.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AisRun {
    pub settings: AisSettings,
    /// Every parameter, counted once: the budget's base.
    pub n_total: u64,
    /// The MLP weights that may be selected.
    pub n_mlp: u64,
    /// Weights zeroed per mask, `floor(k · n_total)`.
    pub n_sel: usize,
    pub abilities: Vec<AbilityRun>,
    pub benchmarks: Vec<BenchmarkProfile>,
    /// Benchmark × benchmark profile similarity, 1 − JSD (`None` where a profile has no
    /// positive entry).
    pub similarity: Vec<Vec<Option<f64>>>,
    /// What the validity checks found, in words (empty when all passed).
    pub warnings: Vec<String>,
}

/// A bottom-mask AIS further from 0 than this says the comparison is noise.
pub const BOTTOM_TOLERANCE: f64 = 0.05;

impl AisRun {
    /// The abilities' names, in profile order.
    pub fn ability_names(&self) -> Vec<String> {
        self.abilities.iter().map(|a| a.name.clone()).collect()
    }

    /// The benchmarks' names, in row order.
    pub fn benchmark_names(&self) -> Vec<String> {
        self.benchmarks.iter().map(|b| b.name.clone()).collect()
    }

    /// AIS per benchmark (rows) and ability (columns), `None` where undefined: the
    /// heatmap's cells and, row by row, the radar's profiles.
    pub fn ais_matrix(&self) -> Vec<Vec<Option<f64>>> {
        self.benchmarks
            .iter()
            .map(|b| b.abilities.iter().map(|a| a.ais.value()).collect())
            .collect()
    }

    /// Builds the derived parts (similarity, destroyed, warnings) from the scores.
    fn finish(mut self) -> Self {
        for benchmark in &mut self.benchmarks {
            benchmark.destroyed = !benchmark.abilities.is_empty()
                && benchmark
                    .abilities
                    .iter()
                    .all(|a| a.ais.value().is_some_and(|v| v >= 1.0));
        }
        let profiles: Vec<Vec<Option<f64>>> = self
            .benchmarks
            .iter()
            .map(|b| b.profile().iter().map(Score::value).collect())
            .collect();
        self.similarity = profiles
            .iter()
            .map(|p| profiles.iter().map(|q| similarity(p, q)).collect())
            .collect();
        let mut warnings = Vec::new();
        for b in &self.benchmarks {
            if b.destroyed {
                warnings.push(format!(
                    "{}: every ability's mask takes accuracy to chance or below; at k = {} the \
                     masks destroy general function, not one ability (try a smaller k)",
                    b.name, self.settings.k
                ));
            }
            for a in &b.abilities {
                if let Some(v) = a.ais_bottom.value().filter(|v| v.abs() > BOTTOM_TOLERANCE) {
                    warnings.push(format!(
                        "{} under {}'s bottom mask: AIS {v:.3}, beyond ±{BOTTOM_TOLERANCE}; \
                         differences this size are noise on this benchmark",
                        b.name, a.ability
                    ));
                }
            }
        }
        let metric = self.settings.metric;
        for a in &self.abilities {
            if let Some(own) = &a.own_test {
                let (base, top, bottom) = (
                    own.base.metric(metric),
                    own.top.metric(metric),
                    own.bottom.metric(metric),
                );
                if base - top <= base - bottom {
                    warnings.push(format!(
                        "{}: its own test accuracy fell no more under the top mask ({base:.2} → \
                         {top:.2}) than under the bottom mask (→ {bottom:.2}); the importance \
                         did not single out this ability",
                        a.name
                    ));
                }
            }
        }
        self.warnings = warnings;
        self
    }
}

/// Where a run is, for progress bars.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Scoring the unablated model on benchmark `benchmark`, item `done` of `total`.
    Base {
        benchmark: String,
        done: usize,
        total: usize,
    },
    /// Gradients of ability `ability`, item `done` of `total`.
    Gradients {
        ability: String,
        done: usize,
        total: usize,
    },
    /// Scoring `benchmark` (or the ability's own test split) under `mask` (`top`,
    /// `bottom`, `random`) of `ability` at budget `k`.
    Ablated {
        ability: String,
        k: f64,
        mask: &'static str,
        benchmark: String,
        done: usize,
        total: usize,
    },
}

impl Step {
    /// What runs, without the count: a progress bar's message.
    ///
    /// ```
    /// use mechscope_metrics::ais::Step;
    /// let step = Step::Ablated {
    ///     ability: "spatial".into(), k: 0.001, mask: "top",
    ///     benchmark: "arc_easy".into(), done: 3, total: 20,
    /// };
    /// assert_eq!(step.stage(), "without spatial (top mask, k = 0.001): arc_easy");
    /// assert_eq!(step.progress(), (3, 20));
    /// assert_eq!(step.to_string(), "Without spatial (top mask, k = 0.001): arc_easy, item 4 of 20…");
    /// ```
    pub fn stage(&self) -> String {
        match self {
            Step::Base { benchmark, .. } => format!("scoring {benchmark} unablated"),
            Step::Gradients { ability, .. } => format!("gradients of {ability}"),
            Step::Ablated {
                ability,
                k,
                mask,
                benchmark,
                ..
            } => format!("without {ability} ({mask} mask, k = {k}): {benchmark}"),
        }
    }

    /// Items done and the stage's total.
    pub fn progress(&self) -> (usize, usize) {
        match self {
            Step::Base { done, total, .. }
            | Step::Gradients { done, total, .. }
            | Step::Ablated { done, total, .. } => (*done, *total),
        }
    }
}

/// The sentence a status line shows: the stage and the item being worked on.
impl std::fmt::Display for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let stage = self.stage();
        let mut chars = stage.chars();
        let capital: String = chars
            .next()
            .map(|c| c.to_uppercase().collect())
            .unwrap_or_default();
        let (done, total) = self.progress();
        write!(
            f,
            "{capital}{}, item {} of {total}…",
            chars.as_str(),
            (done + 1).min(total.max(1))
        )
    }
}

/// Runs AIS at `settings.k`: `gradient_model` must be on an autodiff device,
/// `scoring_model` holds the same weights on any device (masks are applied to it and
/// removed again, also on error and cancel).
pub async fn run_ais<F>(
    gradient_model: &Decoder,
    scoring_model: &mut Decoder,
    n_total: u64,
    abilities: &[AbilityInput],
    benchmarks: &[BenchmarkInput],
    settings: &AisSettings,
    on_step: impl FnMut(Step) -> F,
) -> Result<AisRun, AisError>
where
    F: Future<Output = ControlFlow<()>>,
{
    let mut runs = run_ais_sweep(
        gradient_model,
        scoring_model,
        n_total,
        abilities,
        benchmarks,
        settings,
        &[settings.k],
        on_step,
    )
    .await?;
    runs.pop().ok_or(AisError::Cancelled)
}

/// Runs AIS at every budget in `ks` (e.g. [`super::AUTHORS_GRID`]), one gradient pass
/// per ability for all of them; `settings.k` is replaced by each. One run per k, in
/// order.
#[allow(clippy::too_many_arguments)]
pub async fn run_ais_sweep<F>(
    gradient_model: &Decoder,
    scoring_model: &mut Decoder,
    n_total: u64,
    abilities: &[AbilityInput],
    benchmarks: &[BenchmarkInput],
    settings: &AisSettings,
    ks: &[f64],
    mut on_step: impl FnMut(Step) -> F,
) -> Result<Vec<AisRun>, AisError>
where
    F: Future<Output = ControlFlow<()>>,
{
    let layout = MlpLayout::of(&scoring_model.config);
    let n_sels: Vec<usize> = ks
        .iter()
        .map(|&k| budget(k, n_total).min(layout.n_mlp() as usize))
        .collect();
    let any_test = abilities.iter().any(|a| !a.test.is_empty());

    // Unablated: every benchmark and every own test split, once.
    let mut base = Vec::with_capacity(benchmarks.len());
    for b in benchmarks {
        base.push(
            score_benchmark(scoring_model, b, &mut |done, total| {
                on_step(Step::Base {
                    benchmark: b.name.clone(),
                    done,
                    total,
                })
            })
            .await?,
        );
    }
    let mut own_base = Vec::with_capacity(abilities.len());
    for ability in abilities.iter().filter(|_| any_test) {
        let scores = score_all(scoring_model, &ability.test, &mut |done, total| {
            on_step(Step::Base {
                benchmark: format!("{} (test split)", ability.name),
                done,
                total,
            })
        })
        .await?;
        own_base.push(Scored::of(&ability.test, &scores));
    }

    // per_k[k][ability] = (ability run, ablations per benchmark)
    let mut per_k: Vec<Vec<(AbilityRun, Vec<Ablation>)>> = vec![Vec::new(); ks.len()];
    for (a, ability) in abilities.iter().enumerate() {
        let started = Instant::now();
        let masks = ability_masks(
            gradient_model,
            &layout,
            ability,
            &n_sels,
            settings,
            &mut on_step,
        )
        .await?;
        let gradient_s = started.elapsed().as_secs_f64();
        for (ki, mut masks) in masks.into_iter().enumerate() {
            let started = Instant::now();
            // scored[mask][benchmark], and the own test split under top and bottom.
            let mut scored: Vec<Vec<Scored>> = Vec::with_capacity(masks.len());
            let mut own: Vec<Scored> = Vec::new();
            for (mask_name, flat) in &mut masks {
                let score_own = !ability.test.is_empty() && *mask_name != "random";
                let mut step = |benchmark: &str, done, total| {
                    on_step(Step::Ablated {
                        ability: ability.name.clone(),
                        k: ks[ki],
                        mask: mask_name,
                        benchmark: benchmark.to_string(),
                        done,
                        total,
                    })
                };
                let (per_benchmark, own_scored) = with_mask(
                    scoring_model,
                    &layout,
                    std::mem::take(flat),
                    benchmarks,
                    score_own.then_some(&ability.test[..]),
                    &mut step,
                )
                .await?;
                scored.push(per_benchmark);
                own.extend(own_scored);
            }
            let own_test = match (own_base.get(a), own.as_slice()) {
                (Some(base), [top, bottom]) => Some(OwnTest {
                    base: base.clone(),
                    top: top.clone(),
                    bottom: bottom.clone(),
                }),
                _ => None,
            };
            let ablations = benchmarks
                .iter()
                .enumerate()
                .map(|(b, bench)| {
                    ablation(
                        &ability.name,
                        &base[b],
                        bench.chance(),
                        settings.metric,
                        scored.iter().map(|s| s[b].clone()).collect(),
                    )
                })
                .collect();
            per_k[ki].push((
                AbilityRun {
                    name: ability.name.clone(),
                    n_train: ability.train.len(),
                    own_test,
                    gradient_s,
                    scoring_s: started.elapsed().as_secs_f64(),
                },
                ablations,
            ));
        }
    }

    Ok(per_k
        .into_iter()
        .zip(ks.iter().zip(&n_sels))
        .map(|(per_ability, (&k, &n_sel))| {
            let (runs, ablations): (Vec<AbilityRun>, Vec<Vec<Ablation>>) =
                per_ability.into_iter().unzip();
            let benchmarks = benchmarks
                .iter()
                .enumerate()
                .map(|(b, bench)| BenchmarkProfile {
                    name: bench.name.clone(),
                    n_items: bench.len(),
                    chance: bench.chance(),
                    base: base[b].clone(),
                    abilities: ablations.iter().map(|per| per[b].clone()).collect(),
                    destroyed: false,
                })
                .collect();
            AisRun {
                settings: AisSettings { k, ..*settings },
                n_total,
                n_mlp: layout.n_mlp(),
                n_sel,
                abilities: runs,
                benchmarks,
                similarity: Vec::new(),
                warnings: Vec::new(),
            }
            .finish()
        })
        .collect())
}

/// The top and bottom masks of one ability at one budget, as flat MLP indices
/// (ascending): what `mechscope importance` writes for reuse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelectedMasks {
    pub n_sel: usize,
    pub top: Vec<u64>,
    pub bottom: Vec<u64>,
}

/// One ability's masks at each budget in `n_sels`: from `ability.selected` where it
/// has that budget, else from one gradient pass over its train split (shared by every
/// budget that needs it). The importances (4 bytes per MLP weight) live only inside
/// this call.
pub async fn select_masks<F>(
    gradient_model: &Decoder,
    ability: &AbilityInput,
    n_sels: &[usize],
    selection: Selection,
    mut on_step: impl FnMut(Step) -> F,
) -> Result<Vec<SelectedMasks>, AisError>
where
    F: Future<Output = ControlFlow<()>>,
{
    let given = |n_sel: usize| ability.selected.iter().find(|m| m.n_sel == n_sel);
    // A zero budget zeroes nothing: no gradients are needed to know that.
    let needs_gradients = n_sels.iter().any(|&n| n > 0 && given(n).is_none());
    let importance = if needs_gradients {
        if ability.train.is_empty() {
            return Err(AisError::NoDiagnosticData {
                ability: ability.name.clone(),
            });
        }
        let importance = gradient_importance(gradient_model, &ability.train, |s: GradientStep| {
            on_step(Step::Gradients {
                ability: ability.name.clone(),
                done: s.done,
                total: s.total,
            })
        })
        .await?;
        select::check_rankable(&importance.values)?;
        Some(importance)
    } else {
        None
    };
    Ok(n_sels
        .iter()
        .map(|&n_sel| match (given(n_sel), &importance) {
            (Some(masks), _) => masks.clone(),
            (None, Some(importance)) if n_sel > 0 => {
                let top = match selection {
                    Selection::Global => select::top_n(&importance.values, n_sel),
                    Selection::Chunked => select::chunked_top(&importance.values, n_sel),
                };
                let bottom = select::bottom_n(&importance.values, top.len());
                SelectedMasks { n_sel, top, bottom }
            }
            _ => SelectedMasks {
                n_sel,
                top: Vec::new(),
                bottom: Vec::new(),
            },
        })
        .collect())
}

/// The named masks (`top`, `bottom`, optionally `random`) of one ability for each
/// budget.
async fn ability_masks<F>(
    gradient_model: &Decoder,
    layout: &MlpLayout,
    ability: &AbilityInput,
    n_sels: &[usize],
    settings: &AisSettings,
    on_step: &mut impl FnMut(Step) -> F,
) -> Result<Vec<Vec<(&'static str, Vec<u64>)>>, AisError>
where
    F: Future<Output = ControlFlow<()>>,
{
    let selected =
        select_masks(gradient_model, ability, n_sels, settings.selection, on_step).await?;
    Ok(selected
        .into_iter()
        .map(|SelectedMasks { top, bottom, .. }| {
            let random = settings
                .random_control
                .then(|| select::random_n(layout.n_mlp(), top.len(), settings.seed));
            let mut masks = vec![("top", top), ("bottom", bottom)];
            masks.extend(random.map(|r| ("random", r)));
            masks
        })
        .collect())
}

/// Scores every benchmark (and an own test split) with the weights at `flat` zeroed,
/// and restores them before returning, whatever happened.
async fn with_mask<F>(
    model: &mut Decoder,
    layout: &MlpLayout,
    flat: Vec<u64>,
    benchmarks: &[BenchmarkInput],
    own_test: Option<&[ChoiceItem]>,
    on_item: &mut impl FnMut(&str, usize, usize) -> F,
) -> Result<(Vec<Scored>, Option<Scored>), AisError>
where
    F: Future<Output = ControlFlow<()>>,
{
    let applied = model.apply_mask(&layout.mask(&flat)?)?;
    drop(flat);
    let scored = async {
        let mut per_benchmark = Vec::with_capacity(benchmarks.len());
        for b in benchmarks {
            per_benchmark.push(
                score_benchmark(model, b, &mut |done, total| on_item(&b.name, done, total)).await?,
            );
        }
        let own = match own_test {
            Some(items) => {
                let scores = score_all(model, items, &mut |done, total| {
                    on_item("test split", done, total)
                })
                .await?;
                Some(Scored::of(items, &scores))
            }
            None => None,
        };
        Ok::<_, AisError>((per_benchmark, own))
    }
    .await;
    // Restore before any error leaves: the model must never stay ablated.
    model.restore(applied);
    scored
}

/// AIS and its variants of one benchmark under one ability's masks; `scored` is
/// `[top, bottom]` or `[top, bottom, random]`.
fn ablation(
    ability: &str,
    base: &Scored,
    chance: f64,
    metric: Metric,
    scored: Vec<Scored>,
) -> Ablation {
    let mut scored = scored.into_iter();
    let (top, bottom, random) = (
        scored.next().unwrap_or_else(|| base.clone()),
        scored.next().unwrap_or_else(|| base.clone()),
        scored.next(),
    );
    let p = base.metric(metric);
    Ablation {
        ability: ability.to_string(),
        ais: ais(p, top.metric(metric), chance),
        ais_bottom: ais(p, bottom.metric(metric), chance),
        ais_random: random.as_ref().map(|r| ais(p, r.metric(metric), chance)),
        relative_drop: relative_drop(p, top.metric(metric)),
        control_corrected: control_corrected(p, top.metric(metric), bottom.metric(metric), chance),
        top,
        bottom,
        random,
    }
}

/// Every item of a benchmark: its multiple-choice items by log-likelihood, then its
/// generative ones by greedy generation; `on_item` counts both.
async fn score_benchmark<F>(
    decoder: &Decoder,
    benchmark: &BenchmarkInput,
    on_item: &mut impl FnMut(usize, usize) -> F,
) -> Result<Scored, AisError>
where
    F: Future<Output = ControlFlow<()>>,
{
    let total = benchmark.len();
    let scores = score_all(decoder, &benchmark.items, &mut |done, _| {
        on_item(done, total)
    })
    .await?;
    let mut generated = Vec::with_capacity(benchmark.generative_items());
    if let Some(set) = &benchmark.generative {
        for index in 0..set.items.len() {
            if on_item(benchmark.items.len() + index, total)
                .await
                .is_break()
            {
                return Err(AisError::Cancelled);
            }
            generated.push(set.answer(decoder, index).await?);
        }
    }
    Ok(Scored::with_generated(&benchmark.items, &scores, generated))
}

async fn score_all<F>(
    decoder: &Decoder,
    items: &[ChoiceItem],
    on_item: &mut impl FnMut(usize, usize) -> F,
) -> Result<Vec<ItemScores>, AisError>
where
    F: Future<Output = ControlFlow<()>>,
{
    let mut out = Vec::with_capacity(items.len());
    for (done, item) in items.iter().enumerate() {
        if on_item(done, items.len()).await.is_break() {
            return Err(AisError::Cancelled);
        }
        out.push(score_item(decoder, item).await?);
    }
    Ok(out)
}
