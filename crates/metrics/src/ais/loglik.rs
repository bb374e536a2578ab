//! Multiple choice by log-likelihood (metrics.md §2, "Benchmark score"): the context
//! followed by each choice, scored by the sum of the choice's token log-probabilities
//! (`acc`) and by that sum over the choice's length in characters (`acc_norm`).
//!
//! All choices of an item run as one batch. Sequences are padded on the right: with
//! causal attention a position never sees what comes after it, so padding changes no
//! score and needs no attention mask.

use super::AisError;
use burn::tensor::activation::log_softmax;
use burn::tensor::{Int, Tensor, TensorData};
use mechscope_model::Decoder;
use mechscope_model::decoder::{Logits, Trace};
use mechscope_model::generate::read_f32;
use serde::{Deserialize, Serialize};

/// One multiple-choice item as token ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChoiceItem {
    pub context_ids: Vec<u32>,
    pub continuation_ids: Vec<Vec<u32>>,
    /// Each continuation's length in characters (leading space included), for acc_norm.
    pub continuation_chars: Vec<usize>,
    pub gold: usize,
}

/// How one item scored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemScores {
    /// Sum of each continuation's token log-probabilities.
    pub logprobs: Vec<f64>,
    /// argmax of `logprobs` (first on ties).
    pub pred: usize,
    /// argmax of `logprobs / chars`.
    pub pred_norm: usize,
}

/// Token id used to pad the batch; any id works (padding is never attended to by the
/// positions that are scored), 0 is in every vocabulary.
const PAD: u32 = 0;

/// Scores every continuation of `item` after its context in one batched forward.
pub async fn score_item(decoder: &Decoder, item: &ChoiceItem) -> Result<ItemScores, AisError> {
    let n = item.continuation_ids.len();
    if n == 0 || item.context_ids.is_empty() {
        return Err(AisError::EmptyItem);
    }
    let c = item.context_ids.len();
    let longest = item
        .continuation_ids
        .iter()
        .map(Vec::len)
        .max()
        .unwrap_or(0);
    let width = c + longest;
    if width > decoder.max_positions() {
        return Err(AisError::TooLong {
            tokens: width,
            max: decoder.max_positions(),
        });
    }
    let mut ids = Vec::with_capacity(n * width);
    let mut targets = Vec::with_capacity(n * (width - 1));
    for continuation in &item.continuation_ids {
        let row: Vec<u32> = item
            .context_ids
            .iter()
            .chain(continuation)
            .copied()
            .chain(std::iter::repeat(PAD))
            .take(width)
            .collect();
        targets.extend(row[1..].iter().map(|&t| i64::from(t)));
        ids.extend(row);
    }
    let device = decoder.embed.device();
    let trace = Trace {
        logits: Logits::All,
        ..Trace::default()
    };
    let logits = decoder
        .forward(decoder.ids_tensor(&ids, n), trace, None)
        .logits
        .ok_or(AisError::NoLogits)?;
    let targets = Tensor::<3, Int>::from_data(TensorData::new(targets, [n, width - 1, 1]), &device);
    // Log-probabilities of the actual next tokens only: `[n, width - 1]` comes back.
    let picked = log_softmax(logits.narrow(1, 0, width - 1), 2).gather(2, targets);
    let picked = read_f32(picked).await?;
    let logprobs: Vec<f64> = item
        .continuation_ids
        .iter()
        .enumerate()
        .map(|(row, continuation)| {
            // Position p predicts token p + 1: the continuation's tokens c..c+len are
            // predicted at c-1..c+len-1.
            let start = row * (width - 1) + c - 1;
            picked[start..start + continuation.len()]
                .iter()
                .map(|&v| f64::from(v))
                .sum()
        })
        .collect();
    let normalised: Vec<f64> = logprobs
        .iter()
        .zip(&item.continuation_chars)
        .map(|(lp, &chars)| lp / chars.max(1) as f64)
        .collect();
    Ok(ItemScores {
        pred: argmax(&logprobs),
        pred_norm: argmax(&normalised),
        logprobs,
    })
}

/// Index of the largest value, the first on ties.
fn argmax(values: &[f64]) -> usize {
    let mut best = 0;
    for (i, v) in values.iter().enumerate() {
        if *v > values[best] {
            best = i;
        }
    }
    best
}

/// Accuracy and normalised accuracy of scored items against their gold answers.
pub fn accuracies(items: &[ChoiceItem], scores: &[ItemScores]) -> (f64, f64) {
    let n = items.len().min(scores.len());
    if n == 0 {
        return (0.0, 0.0);
    }
    let hits = |pick: fn(&ItemScores) -> usize| {
        items
            .iter()
            .zip(scores)
            .filter(|(item, s)| pick(s) == item.gold)
            .count() as f64
            / n as f64
    };
    (hits(|s| s.pred), hits(|s| s.pred_norm))
}

/// Chance accuracy: the mean over items of `1 / n_choices`.
pub fn chance(items: &[ChoiceItem]) -> f64 {
    if items.is_empty() {
        return 0.0;
    }
    items
        .iter()
        .map(|i| 1.0 / i.continuation_ids.len().max(1) as f64)
        .sum::<f64>()
        / items.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argmax_and_accuracies() {
        assert_eq!(argmax(&[-3.0, -1.0, -1.0]), 1);
        let item = |gold| ChoiceItem {
            context_ids: vec![1],
            continuation_ids: vec![vec![2], vec![3]],
            continuation_chars: vec![2, 2],
            gold,
        };
        let scores = |pred, pred_norm| ItemScores {
            logprobs: vec![0.0, 0.0],
            pred,
            pred_norm,
        };
        let (acc, acc_norm) = accuracies(&[item(0), item(1)], &[scores(0, 1), scores(0, 1)]);
        assert_eq!((acc, acc_norm), (0.5, 0.5));
        assert_eq!(chance(&[item(0)]), 0.5);
    }
}
