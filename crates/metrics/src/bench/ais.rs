//! Timings of AIS's two costly steps, shared by `mechscope bench-ais` and the page's
//! `?bench=ais`: the gradient pass ([`gradient_importance`]) against a forward over the
//! same sequences, and multiple-choice scoring ([`score_item`]) against one forward of
//! each item's longest choice.
//!
//! The aims (the AIS issue): a gradient pass costs at most [`GRADIENT_AIM`]× a forward
//! pass; scoring a 4-choice item costs at most [`SCORING_AIM`]× one forward of its
//! longest choice.

use super::median;
use crate::ais::{
    AbilityInput, AisError, ChoiceItem, MlpLayout, accuracies, gradient_importance, no_progress,
    score_item,
};
use mechscope_formats::tokenizer::{Tokenizer, TokenizerError};
use mechscope_model::Decoder;
use mechscope_model::decoder::{Logits, Trace};
use mechscope_model::generate::{ReadbackError, read_f32};
use mechscope_model::mask::MlpMatrix;
use mechscope_model::weights::HostTensor;
use mechscope_tasks::diagnostics::{self, Ability};
use serde::Serialize;
use std::future::Future;
use web_time::Instant;

/// The aim for a gradient pass over one item against a forward over it.
pub const GRADIENT_AIM: f64 = 3.0;
/// The aim for scoring an item against one forward of its longest choice.
pub const SCORING_AIM: f64 = 1.5;

/// Seed of the built-in diagnostic sets the bench draws from (the CLI's default).
pub const SEED: u64 = 42;

/// The first `n` training chats of the built-in quantitative diagnostic set, as the
/// gradient pass reads them: enough items are generated that the 80/20 split leaves
/// `n` in the train part.
pub fn builtin_sequences(tokenizer: &Tokenizer, n: usize) -> Result<Vec<Vec<u32>>, TokenizerError> {
    let items = diagnostics::generate(Ability::Quantitative, n.saturating_mul(5).div_ceil(4), SEED);
    let mut train =
        AbilityInput::from_items(tokenizer, Ability::Quantitative.name(), &items)?.train;
    train.truncate(n);
    Ok(train)
}

/// `n` items of the built-in long-term-knowledge diagnostic set as multiple choice: the
/// benchmark when no file is given (always available, offline).
pub fn builtin_choice_items(
    tokenizer: &Tokenizer,
    n: usize,
) -> Result<Vec<ChoiceItem>, TokenizerError> {
    let mut choices = Vec::with_capacity(n);
    for (index, item) in diagnostics::generate(Ability::LongTermKnowledge, n, SEED)
        .iter()
        .enumerate()
    {
        if let Ok(item) = item.to_item(index)
            && let Some(choice) = ChoiceItem::from_item(tokenizer, &item)?
        {
            choices.push(choice);
        }
    }
    Ok(choices)
}

/// What [`ais`] times.
#[derive(Debug, Clone, PartialEq)]
pub struct AisBenchOptions {
    /// Alternated passes (the AIS step, then its forward baseline); medians.
    pub repeats: usize,
}

impl Default for AisBenchOptions {
    fn default() -> Self {
        AisBenchOptions { repeats: 3 }
    }
}

/// The gradient pass against a forward over the same sequences.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GradientBench {
    pub items: usize,
    /// Tokens of all the sequences.
    pub tokens: usize,
    pub repeats: usize,
    /// Mean of the per-item losses, so native and browser runs can be seen to agree.
    pub mean_loss: f64,
    /// `gradient_importance` over every item, its final readback of `|θ ⊙ G|` included.
    pub seconds: f64,
    /// That final step alone, replayed on the gradient model's weights (`|θ ⊙ θ|` of
    /// every MLP matrix read back and transposed on the host): an estimate, paid once
    /// per ability whatever the number of items.
    pub readback_seconds: f64,
    /// `seconds - readback_seconds`: the forward and backward passes.
    pub items_seconds: f64,
    /// `items_seconds` per 100 items.
    pub seconds_per_100_items: f64,
    /// A forward over the same sequences on the scoring model, logits at every
    /// position, their sum read back.
    pub forward_seconds: f64,
    /// `items_seconds / forward_seconds` (the aim is ≤ [`GRADIENT_AIM`]).
    pub gradient_over_forward: f64,
    /// `seconds / forward_seconds`: the same with the final readback.
    pub with_readback_over_forward: f64,
    /// The warm-up: `gradient_importance` over the first item alone, kernel
    /// compilation and the full readback included.
    pub warm_up_s: f64,
}

/// Multiple-choice scoring against one forward of each item's longest choice.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoringBench {
    pub items: usize,
    /// Options of all the items.
    pub choices: usize,
    /// Tokens of each item's longest option (context and continuation), summed.
    pub longest_tokens: usize,
    pub repeats: usize,
    /// Accuracy of the scored items, so native and browser runs can be seen to agree.
    pub acc: f64,
    /// `score_item` over every item.
    pub seconds: f64,
    pub items_per_s: f64,
    /// One forward of each item's longest option alone, logits at every position,
    /// their sum read back.
    pub longest_forward_seconds: f64,
    /// `seconds / longest_forward_seconds` (the aim is ≤ [`SCORING_AIM`]).
    pub scoring_over_longest_forward: f64,
    pub warm_up_s: f64,
}

/// Both parts of an AIS bench; a part without data is `None`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AisBench {
    pub gradient: Option<GradientBench>,
    pub scoring: Option<ScoringBench>,
}

/// One forward with logits at every position; their sum is read back (and returned)
/// so the work runs on WebGPU too.
async fn logits_forward(decoder: &Decoder, ids: &[u32]) -> Result<f64, AisError> {
    let trace = Trace {
        logits: Logits::All,
        ..Trace::default()
    };
    let logits = decoder
        .forward(decoder.ids_tensor(ids, 1), trace, None)
        .logits
        .ok_or(AisError::NoLogits)?;
    Ok(read_f32(logits.sum())
        .await?
        .iter()
        .map(|&v| f64::from(v))
        .sum())
}

/// Seconds of [`logits_forward`] over every sequence in turn.
async fn logits_forwards_s<'a>(
    decoder: &Decoder,
    sequences: impl IntoIterator<Item = &'a [u32]>,
) -> Result<f64, AisError> {
    let begin = Instant::now();
    let mut checksum = 0.0;
    for ids in sequences {
        checksum += logits_forward(decoder, ids).await?;
    }
    std::hint::black_box(checksum);
    Ok(begin.elapsed().as_secs_f64())
}

/// Replays the last step of [`gradient_importance`] with the weights standing in for
/// the summed gradients: `|θ ⊙ θ|` of every MLP matrix read back and transposed into
/// one canonical-order vector. Returns the seconds taken.
async fn final_readback_s(decoder: &Decoder) -> Result<f64, ReadbackError> {
    let layout = MlpLayout::of(&decoder.config);
    let begin = Instant::now();
    let mut values = Vec::with_capacity(layout.n_mlp() as usize);
    for span in layout.spans() {
        let mlp = &decoder.blocks[span.layer].mlp;
        let weight = match span.matrix {
            MlpMatrix::Gate => mlp.gate.as_ref().map(|p| p.val()),
            MlpMatrix::Up => Some(mlp.up.val()),
            MlpMatrix::Down => Some(mlp.down.val()),
        };
        let Some(weight) = weight else { continue };
        let w = weight.inner();
        let [out, inp] = span.shape;
        let stored = read_f32((w.clone() * w).abs()).await?;
        let host = HostTensor {
            shape: vec![inp, out],
            data: stored,
        };
        values.extend(host.transposed().data);
    }
    std::hint::black_box(&values);
    Ok(begin.elapsed().as_secs_f64())
}

/// The option of `item` with the most tokens, as one sequence.
fn longest_option(item: &ChoiceItem) -> Vec<u32> {
    item.options
        .iter()
        .max_by_key(|o| o.context_ids.len() + o.continuation_ids.len())
        .map(|o| {
            o.context_ids
                .iter()
                .chain(&o.continuation_ids)
                .copied()
                .collect()
        })
        .unwrap_or_default()
}

/// Times AIS's gradient pass over `sequences` and its scoring of `items`, each against
/// its forward baseline. `gradient_model` must be on an autodiff device and
/// `scoring_model` hold the same weights on a plain one. Each part gets one warm-up on
/// its first sequence or item, then `repeats` alternated passes (the AIS step, then
/// the baseline), medians reported; a part with no data is skipped. `progress` is told
/// what runs next and awaited, so the page can repaint between steps.
pub async fn ais<P, F>(
    gradient_model: &Decoder,
    scoring_model: &Decoder,
    sequences: &[Vec<u32>],
    items: &[ChoiceItem],
    options: &AisBenchOptions,
    mut progress: P,
) -> Result<AisBench, AisError>
where
    P: FnMut(String) -> F,
    F: Future<Output = ()>,
{
    let repeats = options.repeats.max(1);

    let gradient = if let Some(first) = sequences.first() {
        progress("gradient warm-up (one item)…".into()).await;
        let begin = Instant::now();
        gradient_importance(gradient_model, std::slice::from_ref(first), no_progress).await?;
        let warm_up_s = begin.elapsed().as_secs_f64();
        logits_forward(scoring_model, first).await?;
        let (mut gradient_s, mut readback_s, mut forward_s) = (Vec::new(), Vec::new(), Vec::new());
        let mut mean_loss = f64::NAN;
        for i in 0..repeats {
            progress(format!(
                "gradient pass {} of {repeats} ({} items)…",
                i + 1,
                sequences.len()
            ))
            .await;
            let begin = Instant::now();
            let importance = gradient_importance(gradient_model, sequences, no_progress).await?;
            gradient_s.push(begin.elapsed().as_secs_f64());
            let losses = &importance.losses;
            mean_loss = losses.iter().map(|&l| f64::from(l)).sum::<f64>() / losses.len() as f64;
            drop(importance);
            progress(format!("final readback alone {} of {repeats}…", i + 1)).await;
            readback_s.push(final_readback_s(gradient_model).await?);
            progress(format!(
                "forward over the same items {} of {repeats}…",
                i + 1
            ))
            .await;
            forward_s
                .push(logits_forwards_s(scoring_model, sequences.iter().map(Vec::as_slice)).await?);
        }
        let seconds = median(gradient_s).unwrap_or(f64::NAN);
        let readback_seconds = median(readback_s).unwrap_or(f64::NAN);
        let forward_seconds = median(forward_s).unwrap_or(f64::NAN);
        let items_seconds = seconds - readback_seconds;
        Some(GradientBench {
            items: sequences.len(),
            tokens: sequences.iter().map(Vec::len).sum(),
            repeats,
            mean_loss,
            seconds,
            readback_seconds,
            items_seconds,
            seconds_per_100_items: items_seconds / sequences.len() as f64 * 100.0,
            forward_seconds,
            gradient_over_forward: items_seconds / forward_seconds,
            with_readback_over_forward: seconds / forward_seconds,
            warm_up_s,
        })
    } else {
        None
    };

    let scoring = if let Some(first) = items.first() {
        let longest: Vec<Vec<u32>> = items.iter().map(longest_option).collect();
        progress("scoring warm-up (one item)…".into()).await;
        let begin = Instant::now();
        score_item(scoring_model, first).await?;
        let warm_up_s = begin.elapsed().as_secs_f64();
        logits_forward(scoring_model, &longest[0]).await?;
        let (mut scoring_s, mut forward_s) = (Vec::new(), Vec::new());
        let mut acc = f64::NAN;
        for i in 0..repeats {
            progress(format!(
                "scoring pass {} of {repeats} ({} items)…",
                i + 1,
                items.len()
            ))
            .await;
            let begin = Instant::now();
            let mut scores = Vec::with_capacity(items.len());
            for item in items {
                scores.push(score_item(scoring_model, item).await?);
            }
            scoring_s.push(begin.elapsed().as_secs_f64());
            acc = accuracies(items, &scores).0;
            progress(format!(
                "forward of the longest choices {} of {repeats}…",
                i + 1
            ))
            .await;
            forward_s
                .push(logits_forwards_s(scoring_model, longest.iter().map(Vec::as_slice)).await?);
        }
        let seconds = median(scoring_s).unwrap_or(f64::NAN);
        let longest_forward_seconds = median(forward_s).unwrap_or(f64::NAN);
        Some(ScoringBench {
            items: items.len(),
            choices: items.iter().map(|i| i.options.len()).sum(),
            longest_tokens: longest.iter().map(Vec::len).sum(),
            repeats,
            acc,
            seconds,
            items_per_s: items.len() as f64 / seconds,
            longest_forward_seconds,
            scoring_over_longest_forward: seconds / longest_forward_seconds,
            warm_up_s,
        })
    } else {
        None
    };
    Ok(AisBench { gradient, scoring })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ais::OptionIds;

    #[test]
    fn the_longest_option_is_context_and_continuation() {
        let option = |context: Vec<u32>, continuation: Vec<u32>| OptionIds {
            context_ids: context,
            continuation_ids: continuation,
            continuation_chars: 1,
        };
        let item = ChoiceItem {
            options: vec![
                option(vec![1, 2], vec![3]),
                option(vec![1, 2], vec![4, 5, 6]),
                option(vec![1, 2], vec![7, 8]),
            ],
            gold: 0,
        };
        assert_eq!(longest_option(&item), vec![1, 2, 4, 5, 6]);
        let empty = ChoiceItem {
            options: Vec::new(),
            gold: 0,
        };
        assert!(longest_option(&empty).is_empty());
    }
}
