//! AIS, the Ability Impact Score (Benchmark Profiling, arXiv 2510.01232; metrics.md §2):
//! how much a benchmark's accuracy drops when the MLP weights most important for one
//! ability are zeroed.
//!
//! The steps, each its own module:
//! 1. [`importance`]: `|θ ⊙ G|` of every MLP weight, `G` summed over a diagnostic set's
//!    train split on an autodiff device, in the contract's canonical flat order
//!    ([`MlpLayout`]).
//! 2. [`select`]: the weights to zero — global top-n by importance (a radix select on the
//!    host, ties to the lower index), the bottom-n and seeded random controls, or the
//!    authors' per-chunk top fraction — turned into a
//!    [`WeightMask`](mechscope_model::mask::WeightMask) by [`MlpLayout::mask`] and applied
//!    to the loaded model in place ([`Decoder::apply_mask`](mechscope_model::Decoder)).
//! 3. [`loglik`]: the benchmark scored by log-likelihood, all choices of an item in one
//!    batched forward (acc and acc_norm).
//! 4. [`profile`]: AIS (undefined at or below chance, with the reason), the relative and
//!    control-corrected variants, and the similarity of two profiles (1 − JSD).
//! 5. [`pipeline`]: all of it over abilities × benchmarks with progress and cancel
//!    ([`run_ais`]), the model restored after every mask.

pub mod generative;
pub mod importance;
pub mod loglik;
pub mod pipeline;
pub mod profile;
pub mod select;

pub use generative::{Generated, GenerativeItem, GenerativeSet};
pub use importance::{
    GradientStep, Importance, MatrixSpan, MlpLayout, SYSTEM_PROMPT, diagnostic_ids,
    gradient_importance,
};
pub use loglik::{ChoiceItem, ItemScores, OptionIds, accuracies, chance, score_item};
pub use pipeline::{
    AbilityInput, AbilityRun, Ablation, AisRun, AisSettings, BOTTOM_TOLERANCE, BenchmarkInput,
    BenchmarkProfile, Metric, OwnTest, Scored, SelectedMasks, Selection, Step, run_ais,
    run_ais_sweep, select_masks,
};
pub use profile::{Score, ais, control_corrected, relative_drop, similarity};

use mechscope_model::generate::ReadbackError;

pub use crate::no_progress;

/// The authors' grid of budgets `k` (fractions of all parameters).
pub const AUTHORS_GRID: [f64; 6] = [1e-5, 4e-5, 1.6e-4, 6.4e-4, 2.56e-3, 1.024e-2];

/// The contract's default budget.
pub const DEFAULT_K: f64 = 1e-3;

/// `n = floor(k · N_total)`, the number of weights a mask zeroes.
///
/// ```
/// // SmolLM2-135M: 134,515,008 parameters, k = 1e-3.
/// assert_eq!(mechscope_metrics::ais::budget(1e-3, 134_515_008), 134_515);
/// ```
pub fn budget(k: f64, n_total: u64) -> usize {
    if !(k.is_finite() && k > 0.0) {
        return 0;
    }
    // In exact integer arithmetic where k is a short decimal, so 1e-3 · 134515008 is
    // 134515 and not 134514.99999 floored.
    let scaled = (k * 1e12).round();
    if (scaled - k * 1e12).abs() < 1e-3 {
        return ((scaled as u128 * n_total as u128) / 1_000_000_000_000u128) as usize;
    }
    (k * n_total as f64).floor() as usize
}

/// Why an AIS step failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AisError {
    #[error(transparent)]
    Readback(#[from] ReadbackError),
    #[error("cancelled")]
    Cancelled,
    #[error("the forward pass computed no logits")]
    NoLogits,
    #[error(
        "no gradient reached {tensor}: is the model loaded on an autodiff device \
         (`device.autodiff()`)?"
    )]
    NoGradient { tensor: String },
    #[error("flat index {index} is past the {n_mlp} MLP weights")]
    IndexOutOfRange { index: u64, n_mlp: u64 },
    #[error("{ability} has no diagnostic sequences to compute its importance from")]
    NoDiagnosticData { ability: String },
    #[error("an item needs a context and at least one choice")]
    EmptyItem,
    #[error("an item is {tokens} tokens long, more than the model's {max} positions")]
    TooLong { tokens: usize, max: usize },
    #[error("decoding a response: {0}")]
    Tokenizer(String),
    #[error(transparent)]
    Select(#[from] select::SelectError),
    #[error(transparent)]
    Mask(#[from] mechscope_model::mask::MaskError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_floor_exactly() {
        assert_eq!(budget(1e-3, 134_515_008), 134_515);
        assert_eq!(budget(1e-5, 134_515_008), 1_345);
        assert_eq!(budget(1.024e-2, 134_515_008), 1_377_433);
        assert_eq!(budget(0.0, 100), 0);
        assert_eq!(budget(f64::NAN, 100), 0);
        assert_eq!(budget(1.0, 100), 100);
    }
}
