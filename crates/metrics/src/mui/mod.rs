//! MUI, the Model Utilization Index (arXiv 2504.07440; metrics.md §1): the share of a
//! model's MLP neurons a task uses.
//!
//! The computation has three steps, each its own module:
//! 1. [`key_neurons`] (neurons.rs): one teacher-forced forward over `prompt + response`
//!    with the MLP activations traced, the contribution scores
//!    `S^l = A^l ⊙ (W_U[y] @ W_down^l)` on the response positions, and the key neurons
//!    of each layer chosen by the [`SelectionRule`]: the scores are formed on the
//!    model's device and read back once; the selection runs on the host with a fixed
//!    tie rule, so every backend selects alike.
//! 2. [`MuiResult::from_samples`] (union.rs): the union over samples and layers, the
//!    per-layer shares, and the neuron set itself for overlaps ([`NeuronSet::jaccard`]).
//! 3. [`fit_utility_law`] (law.rs): `MUI = a·ln(P) + b` over (model, task) points.
//!
//! Generating the responses and scoring their accuracy is the pipeline's job; this
//! module takes token ids ([`TokenSample`]), so recorded responses (the CLI's
//! `--responses` file) give exactly the same result as generated ones.

mod law;
mod neurons;
mod pipeline;
mod union;

pub use law::{AUTHORS_FIT, LawError, LawFit, LawPoint, fit_utility_law};
pub use neurons::{KeyNeurons, LayerNeurons, ScoredEntry, key_neurons};
pub use pipeline::{
    MuiRun, MuiSettings, MuiTimings, PipelineError, PromptStyle, ResponseSource, SampleRecord,
    Step, prompt_ids, run_mui, score_samples,
};
pub use union::{MuiResult, NeuronSet, OverlapError};

use mechscope_model::generate::ReadbackError;
use serde::{Deserialize, Serialize};

/// One sample: a prompt and the response whose tokens are scored, as token ids.
///
/// This is also one line of the `--responses` JSONL file; text fields there
/// (`prompt`, `response_text`, ...) are allowed and ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenSample {
    pub prompt_ids: Vec<u32>,
    pub response_ids: Vec<u32>,
}

impl TokenSample {
    /// The whole sequence the model reads: prompt, then response.
    pub fn ids(&self) -> Vec<u32> {
        [self.prompt_ids.as_slice(), &self.response_ids].concat()
    }
}

/// Which token a position's scores are measured against.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// The token at the same position (what the authors' code does): positions
    /// `[r0, r1)`, `y_t = ids[t]`.
    #[default]
    Same,
    /// The token the position predicts (what the paper's prose suggests): positions
    /// `[r0 - 1, r1 - 1)`, `y_t = ids[t + 1]`.
    Next,
}

/// How the key neurons of a sample are chosen from its scores.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum SelectionRule {
    /// The top-k entries of each layer's `[T, d_ff]` scores (the contract's default).
    #[default]
    PerLayerTopK,
    /// Each layer's entries with a score of at least `theta` times that layer's largest
    /// score (none when the largest score is not positive).
    TopScore { theta: f64 },
    /// The top-k entries over all layers of the sample at once.
    GlobalTopK,
}

/// The MUI options of metrics.md §1, with its defaults.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MuiOptions {
    /// `k = max(1, floor(ratio · d_ff))` unless `top_k` is set. Default 0.001, the
    /// authors' "top 0.1% per layer".
    pub ratio: f64,
    /// An explicit k, overriding `ratio` (the reference fixtures use k = 1 and 15).
    pub top_k: Option<usize>,
    pub target: Target,
    pub rule: SelectionRule,
}

impl Default for MuiOptions {
    fn default() -> Self {
        MuiOptions {
            ratio: 0.001,
            top_k: None,
            target: Target::Same,
            rule: SelectionRule::PerLayerTopK,
        }
    }
}

impl MuiOptions {
    /// The number of entries kept per (sample, layer) — or per sample for
    /// [`SelectionRule::GlobalTopK`].
    ///
    /// ```
    /// use mechscope_metrics::mui::MuiOptions;
    /// assert_eq!(MuiOptions::default().k(1536), 1); // floor(0.001 · 1536) = 1
    /// assert_eq!(MuiOptions { ratio: 0.01, ..Default::default() }.k(1536), 15);
    /// assert_eq!(MuiOptions { top_k: Some(7), ..Default::default() }.k(1536), 7);
    /// ```
    pub fn k(&self, d_ff: usize) -> usize {
        self.top_k
            .unwrap_or_else(|| (self.ratio * d_ff as f64).floor() as usize)
            .max(1)
    }
}

/// Why MUI could not be computed for a sample.
#[derive(Debug, Clone, thiserror::Error)]
pub enum MuiError {
    #[error(transparent)]
    Readback(#[from] ReadbackError),
    #[error("target = next scores the position before the response, but the prompt is empty")]
    EmptyPrompt,
    #[error("the sample has {len} tokens; this model handles at most {max}")]
    TooLong { len: usize, max: usize },
    #[error("token id {id} is outside the vocabulary ({vocab} tokens)")]
    TokenOutOfVocabulary { id: u32, vocab: usize },
}
