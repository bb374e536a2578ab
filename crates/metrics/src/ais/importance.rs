//! Gradient importance of the MLP weights on a diagnostic set (metrics.md §2):
//! `G = Σ_items ∇θ L_item`, `I = |θ ⊙ G|`, in the contract's canonical flat order.
//!
//! The gradient needs a decoder loaded on an autodiff device (`device.autodiff()`).
//! Items run in small right-padded batches whose loss is the sum of the items' own
//! mean losses, so the result is the per-item sum whatever the batching, and memory
//! stays bounded by one batch's graph ([`BATCH_TOKENS`]); the running sum of the
//! gradients stays on the device and is read back once, as `|θ ⊙ G|`, at the end.

use super::AisError;
use burn::tensor::activation::log_softmax;
use burn::tensor::{Int, Tensor, TensorData};
use mechscope_formats::config::{Family, ModelConfig};
use mechscope_formats::tokenizer::{ChatMessage, Tokenizer, TokenizerError};
use mechscope_model::Decoder;
use mechscope_model::decoder::{Logits, Trace};
use mechscope_model::generate::read_f32;
use mechscope_model::mask::{MlpMatrix, WeightMask};
use mechscope_model::weights::HostTensor;
use mechscope_tasks::DiagnosticItem;
use std::ops::ControlFlow;

/// Where each MLP matrix sits in the canonical flat order: layer-major, then gate, up,
/// down, each row-major in the `[out, in]` layout of the Hugging Face checkpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MlpLayout {
    pub n_layers: usize,
    pub d_model: usize,
    pub d_ff: usize,
    /// Whether the MLP has a gate matrix (every family but GPT-2).
    pub gated: bool,
    pub family: Family,
}

/// One matrix of the layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MatrixSpan {
    pub layer: usize,
    pub matrix: MlpMatrix,
    /// First flat index of the matrix.
    pub offset: u64,
    /// `[out, in]`.
    pub shape: [usize; 2],
}

impl MatrixSpan {
    pub fn len(&self) -> u64 {
        (self.shape[0] * self.shape[1]) as u64
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl MlpLayout {
    pub fn of(config: &ModelConfig) -> Self {
        MlpLayout {
            n_layers: config.n_layers,
            d_model: config.d_model,
            d_ff: config.d_ff,
            gated: config.family != Family::Gpt2,
            family: config.family,
        }
    }

    /// Every matrix in canonical order.
    pub fn spans(&self) -> Vec<MatrixSpan> {
        let mut spans = Vec::with_capacity(self.n_layers * 3);
        let mut offset = 0u64;
        for layer in 0..self.n_layers {
            for matrix in MlpMatrix::ALL {
                if matrix == MlpMatrix::Gate && !self.gated {
                    continue;
                }
                let span = MatrixSpan {
                    layer,
                    matrix,
                    offset,
                    shape: matrix.shape(self.d_model, self.d_ff),
                };
                offset += span.len();
                spans.push(span);
            }
        }
        spans
    }

    /// `N_mlp`: how many MLP weights there are.
    pub fn n_mlp(&self) -> u64 {
        self.spans().iter().map(MatrixSpan::len).sum()
    }

    /// The checkpoint's name of a matrix (`model.layers.3.mlp.up_proj.weight`).
    pub fn tensor_name(&self, layer: usize, matrix: MlpMatrix) -> String {
        match (self.family, matrix) {
            (Family::Gpt2, MlpMatrix::Up) => format!("transformer.h.{layer}.mlp.c_fc.weight"),
            (Family::Gpt2, _) => format!("transformer.h.{layer}.mlp.c_proj.weight"),
            (_, MlpMatrix::Gate) => format!("model.layers.{layer}.mlp.gate_proj.weight"),
            (_, MlpMatrix::Up) => format!("model.layers.{layer}.mlp.up_proj.weight"),
            (_, MlpMatrix::Down) => format!("model.layers.{layer}.mlp.down_proj.weight"),
        }
    }

    /// A mask zeroing the given flat indices (ascending), or an error naming an index
    /// past the end.
    pub fn mask(&self, flat: &[u64]) -> Result<WeightMask, AisError> {
        let spans = self.spans();
        let mut mask = WeightMask::default();
        let mut at = 0usize;
        for &index in flat {
            while at < spans.len() && index >= spans[at].offset + spans[at].len() {
                at += 1;
            }
            let Some(span) = spans.get(at).filter(|s| index >= s.offset) else {
                return Err(AisError::IndexOutOfRange {
                    index,
                    n_mlp: self.n_mlp(),
                });
            };
            mask.insert(span.layer, span.matrix, index - span.offset);
        }
        Ok(mask)
    }
}

/// `|θ ⊙ G|` of every MLP weight in canonical order, and the mean loss seen.
#[derive(Debug, Clone, PartialEq)]
pub struct Importance {
    pub layout: MlpLayout,
    pub values: Vec<f32>,
    /// Per item, the loss whose gradient was summed (for checks against a reference).
    pub losses: Vec<f32>,
}

/// The system turn of the importance chat (metrics.md §2).
pub const SYSTEM_PROMPT: &str = "You are a helpful assistant.";

/// A diagnostic item as the gradient pass reads it: the chat of system
/// [`SYSTEM_PROMPT`], user `"Context: ..\nQuestion: .."` (or `"Question: .."`), assistant
/// `"Answer: {answer}."`, rendered with the model's chat template without a generation
/// prompt.
pub fn diagnostic_ids(
    tokenizer: &Tokenizer,
    item: &DiagnosticItem,
) -> Result<Vec<u32>, TokenizerError> {
    tokenizer.encode_chat(
        &[
            ChatMessage::system(SYSTEM_PROMPT),
            ChatMessage::user(item.user_message()),
            ChatMessage::assistant(item.assistant_message()),
        ],
        false,
    )
}

/// Progress of a gradient pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GradientStep {
    pub done: usize,
    pub total: usize,
}

/// Most tokens (batch × longest sequence) one forward and backward of the gradient
/// pass holds. Chats of a diagnostic set are of similar length, so a batch of a few
/// costs little padding and spreads each kernel's fixed cost over them; the bound keeps
/// the graph's memory (the `[batch, seq, vocab]` logits and their gradient dominate)
/// to a few hundred MB on a 135M model.
pub const BATCH_TOKENS: usize = 256;

/// Item indices grouped into batches: sorted by length (so a batch pads little), then
/// filled while `batch × longest ≤ BATCH_TOKENS` (one item per batch at least).
fn batches(sequences: &[Vec<u32>]) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..sequences.len())
        .filter(|&i| sequences[i].len() >= 2)
        .collect();
    order.sort_by_key(|&i| sequences[i].len());
    let mut batches: Vec<Vec<usize>> = Vec::new();
    for i in order {
        let len = sequences[i].len();
        match batches.last_mut() {
            // Sorted ascending: the newcomer is the longest of its batch.
            Some(batch) if (batch.len() + 1) * len <= BATCH_TOKENS => batch.push(i),
            _ => batches.push(vec![i]),
        }
    }
    batches
}

/// Sums the gradients of every item's mean next-token cross-entropy (the HF causal-LM
/// loss: targets shifted by one, averaged over the `T - 1` predictions) and returns
/// `|θ ⊙ G|` over the MLP weights. `decoder` must be on an autodiff device, best with
/// [`Decoder::with_gradients_on_mlp_matrices_only`] (the result is the same, the
/// backward pass cheaper); sequences shorter than two tokens predict nothing and are
/// skipped.
///
/// Items run in right-padded batches of up to [`BATCH_TOKENS`] tokens; the loss
/// backpropagated is the sum of the items' own mean losses (padding weighted 0), so
/// its gradient is the sum of the per-item gradients. `on_step` is awaited before each
/// batch and after the last ([`super::no_progress`] when nobody watches); `Break`
/// cancels.
pub async fn gradient_importance<F>(
    decoder: &Decoder,
    sequences: &[Vec<u32>],
    mut on_step: impl FnMut(GradientStep) -> F,
) -> Result<Importance, AisError>
where
    F: Future<Output = ControlFlow<()>>,
{
    let layout = MlpLayout::of(&decoder.config);
    let device = decoder.embed.device();
    let weights = |layer: usize, matrix: MlpMatrix| {
        let mlp = &decoder.blocks[layer].mlp;
        match matrix {
            MlpMatrix::Gate => mlp.gate.as_ref().map(|p| p.val()),
            MlpMatrix::Up => Some(mlp.up.val()),
            MlpMatrix::Down => Some(mlp.down.val()),
        }
    };
    let spans = layout.spans();
    let mut sums: Vec<Option<Tensor<2>>> = vec![None; spans.len()];
    let mut losses: Vec<Option<f32>> = vec![None; sequences.len()];
    let total = sequences.len();
    let mut done = total - batches(sequences).iter().map(Vec::len).sum::<usize>();
    for batch in batches(sequences) {
        if on_step(GradientStep { done, total }).await.is_break() {
            return Err(AisError::Cancelled);
        }
        let (rows, width) = (batch.len(), sequences[*batch.last().unwrap_or(&0)].len());
        let mut ids = Vec::with_capacity(rows * width);
        let mut targets = Vec::with_capacity(rows * (width - 1));
        let mut weighting = Vec::with_capacity(rows * (width - 1));
        for &i in &batch {
            let row = &sequences[i];
            let padded = row.iter().copied().chain(std::iter::repeat(0)).take(width);
            ids.extend(padded.clone());
            targets.extend(padded.skip(1).map(i64::from));
            let per_prediction = 1.0 / (row.len() - 1) as f32;
            weighting.extend((1..width).map(|t| if t < row.len() { per_prediction } else { 0.0 }));
        }
        let trace = Trace {
            logits: Logits::All,
            ..Trace::default()
        };
        let logits = decoder
            .forward(decoder.ids_tensor(&ids, rows), trace, None)
            .logits
            .ok_or(AisError::NoLogits)?;
        let targets =
            Tensor::<3, Int>::from_data(TensorData::new(targets, [rows, width - 1, 1]), &device);
        let weighting =
            Tensor::<2>::from_data(TensorData::new(weighting, [rows, width - 1]), &device);
        let picked = log_softmax(logits.narrow(1, 0, width - 1), 2)
            .gather(2, targets)
            .squeeze_dim::<2>(2);
        // Each row's mean loss, then their sum: its gradient is the per-item sum.
        let row_losses = (picked * weighting).sum_dim(1).neg();
        let grads = row_losses.clone().sum().backward();
        for (&i, loss) in batch.iter().zip(read_f32(row_losses.inner()).await?) {
            losses[i] = Some(loss);
        }
        for (span, sum) in spans.iter().zip(sums.iter_mut()) {
            let Some(w) = weights(span.layer, span.matrix) else {
                continue;
            };
            let Some(g) = w.grad(&grads) else {
                return Err(AisError::NoGradient {
                    tensor: layout.tensor_name(span.layer, span.matrix),
                });
            };
            *sum = Some(match sum.take() {
                None => g,
                Some(s) => s + g,
            });
        }
        done += rows;
    }
    let losses: Vec<f32> = losses.into_iter().flatten().collect();
    let _ = on_step(GradientStep { done: total, total }).await;
    let mut values = Vec::with_capacity(layout.n_mlp() as usize);
    for (span, sum) in spans.iter().zip(sums) {
        let Some(w) = weights(span.layer, span.matrix) else {
            return Err(AisError::NoGradient {
                tensor: layout.tensor_name(span.layer, span.matrix),
            });
        };
        let [out, inp] = span.shape;
        let Some(g) = sum else {
            // No item predicted anything: every gradient is zero.
            values.extend(std::iter::repeat_n(0.0, out * inp));
            continue;
        };
        // Stored `[in, out]`; the contract orders entries as `[out, in]`.
        let stored = read_f32((w.inner() * g).abs()).await?;
        let host = HostTensor {
            shape: vec![inp, out],
            data: stored,
        };
        values.extend(host.transposed().data);
    }
    Ok(Importance {
        layout,
        values,
        losses,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(gated: bool) -> MlpLayout {
        MlpLayout {
            n_layers: 2,
            d_model: 3,
            d_ff: 5,
            gated,
            family: if gated { Family::Llama } else { Family::Gpt2 },
        }
    }

    #[test]
    fn spans_follow_the_canonical_order() {
        let spans = layout(true).spans();
        let described: Vec<(usize, MlpMatrix, u64, [usize; 2])> = spans
            .iter()
            .map(|s| (s.layer, s.matrix, s.offset, s.shape))
            .collect();
        assert_eq!(
            described,
            [
                (0, MlpMatrix::Gate, 0, [5, 3]),
                (0, MlpMatrix::Up, 15, [5, 3]),
                (0, MlpMatrix::Down, 30, [3, 5]),
                (1, MlpMatrix::Gate, 45, [5, 3]),
                (1, MlpMatrix::Up, 60, [5, 3]),
                (1, MlpMatrix::Down, 75, [3, 5]),
            ]
        );
        assert_eq!(layout(true).n_mlp(), 90);
        assert_eq!(layout(false).n_mlp(), 60);
        assert_eq!(layout(false).spans()[1].matrix, MlpMatrix::Down);
    }

    #[test]
    fn flat_indices_become_per_matrix_masks() {
        let l = layout(true);
        let mask = l.mask(&[0, 14, 15, 89]).unwrap();
        let groups: Vec<(usize, MlpMatrix, Vec<u64>)> = mask
            .groups()
            .map(|(layer, m, set)| (layer, m, set.iter().copied().collect()))
            .collect();
        assert_eq!(
            groups,
            [
                (0, MlpMatrix::Gate, vec![0, 14]),
                (0, MlpMatrix::Up, vec![0]),
                (1, MlpMatrix::Down, vec![14]),
            ]
        );
        assert!(matches!(
            l.mask(&[90]),
            Err(AisError::IndexOutOfRange {
                index: 90,
                n_mlp: 90
            })
        ));
        assert_eq!(
            l.tensor_name(1, MlpMatrix::Down),
            "model.layers.1.mlp.down_proj.weight"
        );
    }
}
