//! Multiple choice by log-likelihood (metrics.md §2, "Benchmark score"): the context
//! followed by each choice, scored by the sum of the choice's token log-probabilities
//! (`acc`) and by that sum over the choice's length in characters (`acc_norm`).
//!
//! All choices of an item run as one batch, after their shared context has run once
//! when they share one. Sequences are padded on the right: with causal attention a
//! position never sees what comes after it, so padding changes no score and needs no
//! attention mask.

use super::AisError;
use burn::tensor::activation::log_softmax;
use burn::tensor::{Int, Tensor, TensorData};
use mechscope_formats::tokenizer::{Tokenizer, TokenizerError};
use mechscope_model::decoder::{Logits, Trace};
use mechscope_model::generate::read_f32;
use mechscope_model::{Decoder, KvCache};
use mechscope_tasks::{Item, prompt};
use serde::{Deserialize, Serialize};

/// One option as token ids: what it is conditioned on and what is scored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionIds {
    pub context_ids: Vec<u32>,
    pub continuation_ids: Vec<u32>,
    /// The continuation's length in characters (leading space included), for acc_norm.
    pub continuation_chars: usize,
}

/// One item scored by log-likelihood: its options (usually one context with several
/// continuations; Winogrande's several contexts with one continuation) and the answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChoiceItem {
    pub options: Vec<OptionIds>,
    pub gold: usize,
}

impl ChoiceItem {
    /// The item's log-likelihood requests ([`prompt::loglik_requests`]) as token ids:
    /// the context encoded with the tokenizer's own special-token rule (SmolLM2 and Qwen
    /// add nothing, Gemma adds `<bos>`), the continuation without, concatenated (the
    /// convention of `../shared/data/README.md`). `None` for generative items.
    pub fn from_item(tokenizer: &Tokenizer, item: &Item) -> Result<Option<Self>, TokenizerError> {
        let Some(gold) = item.gold_index() else {
            return Ok(None);
        };
        let requests = prompt::loglik_requests(item);
        if requests.is_empty() {
            return Ok(None);
        }
        let options = requests
            .iter()
            .map(|r| {
                Ok(OptionIds {
                    context_ids: tokenizer.encode(&r.context, true)?,
                    continuation_ids: tokenizer.encode(&r.continuation, false)?,
                    continuation_chars: r.continuation.chars().count(),
                })
            })
            .collect::<Result<Vec<_>, TokenizerError>>()?;
        Ok(Some(ChoiceItem { options, gold }))
    }
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

/// Scores every continuation of `item` after its context.
///
/// When all options share one context (ARC, MMLU, HellaSwag: everything but
/// Winogrande) the context runs once and its keys and values are repeated for a batch
/// of the continuations, which is what makes a 4-choice item cost about one forward
/// of its longest choice instead of four. Otherwise all options run as one
/// right-padded batch.
pub async fn score_item(decoder: &Decoder, item: &ChoiceItem) -> Result<ItemScores, AisError> {
    let n = item.options.len();
    if n == 0 || item.options.iter().any(|o| o.context_ids.is_empty()) {
        return Err(AisError::EmptyItem);
    }
    let width = item
        .options
        .iter()
        .map(|o| o.context_ids.len() + o.continuation_ids.len())
        .max()
        .unwrap_or(0);
    if width > decoder.max_positions() {
        return Err(AisError::TooLong {
            tokens: width,
            max: decoder.max_positions(),
        });
    }
    let shared = item
        .options
        .iter()
        .all(|o| o.context_ids == item.options[0].context_ids);
    let logprobs = if shared {
        shared_context_logprobs(decoder, item).await?
    } else {
        batched_logprobs(decoder, item, width).await?
    };
    let normalised: Vec<f64> = logprobs
        .iter()
        .zip(&item.options)
        .map(|(lp, option)| lp / option.continuation_chars.max(1) as f64)
        .collect();
    Ok(ItemScores {
        pred: argmax(&logprobs),
        pred_norm: argmax(&normalised),
        logprobs,
    })
}

/// `log_softmax(logits)` at `targets` (`[batch, seq]` ids), `[batch, seq, 1]`, still on
/// the device.
fn pick(decoder: &Decoder, logits: Tensor<3>, targets: Vec<i64>) -> Tensor<3> {
    let [batch, seq, _] = logits.dims();
    let device = decoder.embed.device();
    let targets = Tensor::<3, Int>::from_data(TensorData::new(targets, [batch, seq, 1]), &device);
    log_softmax(logits, 2).gather(2, targets)
}

/// [`pick`] read to the host as `[batch * seq]`: only the picked values leave the
/// device.
async fn picked_logprobs(
    decoder: &Decoder,
    logits: Tensor<3>,
    targets: Vec<i64>,
) -> Result<Vec<f32>, AisError> {
    Ok(read_f32(pick(decoder, logits, targets)).await?)
}

/// Every option as a full sequence, all in one batch padded on the right.
async fn batched_logprobs(
    decoder: &Decoder,
    item: &ChoiceItem,
    width: usize,
) -> Result<Vec<f64>, AisError> {
    let n = item.options.len();
    let mut ids = Vec::with_capacity(n * width);
    let mut targets = Vec::with_capacity(n * (width - 1));
    for option in &item.options {
        let row: Vec<u32> = option
            .context_ids
            .iter()
            .chain(&option.continuation_ids)
            .copied()
            .chain(std::iter::repeat(PAD))
            .take(width)
            .collect();
        targets.extend(row[1..].iter().map(|&t| i64::from(t)));
        ids.extend(row);
    }
    let trace = Trace {
        logits: Logits::All,
        ..Trace::default()
    };
    let logits = decoder
        .forward(decoder.ids_tensor(&ids, n), trace, None)
        .logits
        .ok_or(AisError::NoLogits)?;
    let picked = picked_logprobs(decoder, logits.narrow(1, 0, width - 1), targets).await?;
    Ok(item
        .options
        .iter()
        .enumerate()
        .map(|(row, option)| {
            // Position p predicts token p + 1: the continuation's tokens c..c+len are
            // predicted at c-1..c+len-1.
            let start = row * (width - 1) + option.context_ids.len() - 1;
            sum(&picked[start..start + option.continuation_ids.len()])
        })
        .collect())
}

/// The shared context once, then every continuation from its cached keys and values.
async fn shared_context_logprobs(
    decoder: &Decoder,
    item: &ChoiceItem,
) -> Result<Vec<f64>, AisError> {
    let n = item.options.len();
    let context = &item.options[0].context_ids;
    let mut cache = KvCache::new(decoder.blocks.len());
    let last = Trace {
        logits: Logits::Last,
        ..Trace::default()
    };
    let context_logits = decoder
        .forward(decoder.ids_tensor(context, 1), last, Some(&mut cache))
        .logits
        .ok_or(AisError::NoLogits)?;
    // The context's last position predicts every continuation's first token.
    let firsts: Vec<i64> = item
        .options
        .iter()
        .map(|o| {
            o.continuation_ids
                .first()
                .map_or(i64::from(PAD), |&t| i64::from(t))
        })
        .collect();
    let firsts =
        Tensor::<3, Int>::from_data(TensorData::new(firsts, [1, 1, n]), &decoder.embed.device());
    let first = log_softmax(context_logits, 2)
        .gather(2, firsts)
        .reshape([n, 1, 1]);
    // Continuation token j (j ≥ 1) is predicted after feeding tokens 0..j; the last
    // token is never fed.
    let rest = item
        .options
        .iter()
        .map(|o| o.continuation_ids.len().saturating_sub(1))
        .max()
        .unwrap_or(0);
    // `[n, 1 + rest, 1]`: each option's first token, then the rest; one readback, so
    // a GPU waits once per item.
    let picked = if rest == 0 {
        first
    } else {
        let mut ids = Vec::with_capacity(n * rest);
        let mut targets = Vec::with_capacity(n * rest);
        for option in &item.options {
            let padded = |from: usize| {
                option
                    .continuation_ids
                    .iter()
                    .skip(from)
                    .copied()
                    .chain(std::iter::repeat(PAD))
                    .take(rest)
            };
            ids.extend(padded(0));
            targets.extend(padded(1).map(i64::from));
        }
        let all = Trace {
            logits: Logits::All,
            ..Trace::default()
        };
        let mut batch_cache = cache.repeat_batch(n);
        let logits = decoder
            .forward(decoder.ids_tensor(&ids, n), all, Some(&mut batch_cache))
            .logits
            .ok_or(AisError::NoLogits)?;
        Tensor::cat(vec![first, pick(decoder, logits, targets)], 1)
    };
    let picked = read_f32(picked).await?;
    Ok(item
        .options
        .iter()
        .enumerate()
        .map(|(row, option)| {
            let len = option.continuation_ids.len();
            sum(&picked[row * (1 + rest)..row * (1 + rest) + len])
        })
        .collect())
}

fn sum(values: &[f32]) -> f64 {
    values.iter().map(|&v| f64::from(v)).sum()
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
        .map(|i| 1.0 / i.options.len().max(1) as f64)
        .sum::<f64>()
        / items.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argmax_and_accuracies() {
        assert_eq!(argmax(&[-3.0, -1.0, -1.0]), 1);
        let option = |token| OptionIds {
            context_ids: vec![1],
            continuation_ids: vec![token],
            continuation_chars: 2,
        };
        let item = |gold| ChoiceItem {
            options: vec![option(2), option(3)],
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
