//! The task-agnostic LPP metrics (metrics.md §3) over probe text: output entropy, the
//! logit-lens entropy profile, layer drift, hidden scale and massive activations,
//! anisotropy, effective rank and perplexity.
//!
//! Streaming: [`LatentAccumulator`] takes one sequence at a time and keeps only running
//! sums, so a long probe text never holds more than one sequence's hidden states.
//! Per sequence, one forward traces the residual stream `h_0..h_L`, then:
//!
//! - on the device, each layer's lens logits `W_U Norm(h_l)` are reduced to one entropy
//!   per position (the `[seq, V]` logits never leave the device), the last layer's also
//!   to the log-probability of each next token; and the layers' shifted scatter matrices
//!   `Σ (h - k)(h - k)ᵀ` (`d × d`) are added to a running sum;
//! - the hidden states are read back once and reduced on the host in `f64`: norms, the
//!   sum of unit vectors, cosines between consecutive layers, column sums, and a
//!   histogram of magnitudes (the median of the massive-activation ratio).
//!
//! [`LatentAccumulator::finish`] reads the scatter sums once, centres them and takes the
//! eigenvalues of each layer's `d × d` matrix (nalgebra): they are the squared singular
//! values of the centred `[n, d]` matrix of all pooled positions, which is what the
//! effective rank needs. The shift `k` (the first sequence's mean of each layer) keeps
//! the `f32` sums from cancelling when the mean is large against the spread.

use super::depth;
use super::hidden::{self, MagnitudeHistogram};
use super::pipeline::Step;
use super::softmax_rows;
use burn::tensor::{Device, Int, Tensor, TensorData};
use mechscope_model::generate::{ReadbackError, read_f32, read_f32_with};
use mechscope_model::{Decoder, Logits, Trace};
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::ops::ControlFlow;

/// Why the latent metrics could not be computed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum LppError {
    /// There was no token to run.
    #[error("the probe text has no tokens")]
    NoTokens,
    /// A sequence longer than the model's positions.
    #[error("a probe sequence has {len} tokens; this model takes at most {max}")]
    TooLong {
        /// Its length.
        len: usize,
        /// The model's maximum.
        max: usize,
    },
    /// A token id the vocabulary does not have (ids from a file for another model).
    #[error(
        "token id {id} is not in this model's vocabulary of {vocab} (ids made for another tokenizer?)"
    )]
    TokenOutOfVocabulary {
        /// The id.
        id: u32,
        /// The vocabulary size.
        vocab: usize,
    },
    /// Reading from the device failed.
    #[error(transparent)]
    Readback(#[from] ReadbackError),
    /// A probe could not be prepared or scored (tokenizer, device).
    #[error("{0}")]
    Probe(String),
    /// The caller stopped the run.
    #[error("cancelled")]
    Cancelled,
}

/// The latent metrics of one model on one probe text, named as metrics.md names them.
/// Per-layer arrays run over `l = 0..=L` (`h_0` is the embedding output, `h_L` the last
/// block's output before the final norm); `layer_drift` over the `L` transitions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LatentMetrics {
    /// Sequences run.
    pub n_sequences: usize,
    /// Positions pooled (every token of every sequence).
    pub n_positions: usize,
    /// Next-token predictions scored (each sequence's length minus one).
    pub n_predictions: usize,
    /// Hidden size `d`.
    pub d_model: usize,
    /// Mean over positions of `H(softmax(logits)) / ln V`.
    pub output_entropy: f64,
    /// Per layer, the same entropy of `W_U Norm(h_l)`; the last equals `output_entropy`.
    pub logit_lens_entropy: Vec<f64>,
    /// Area under the logit-lens entropy curve over relative depth.
    pub logit_lens_area: Option<f64>,
    /// First relative depth where the lens entropy falls to half its value at ρ = 0;
    /// `None` when it never does.
    pub commit_depth: Option<f64>,
    /// Per transition `l → l+1`, `1 - mean_t cos(h_l(t), h_{l+1}(t))`.
    pub layer_drift: Vec<f64>,
    /// Adaptability: the mean of `layer_drift`.
    pub adaptability: f64,
    /// Per layer, mean `‖h_l‖ / √d`.
    pub hidden_norm: Vec<f64>,
    /// Per layer, `max |h_l| / median |h_l|` over every value of every position (the
    /// median from a histogram of magnitudes, within 0.4%).
    pub massive_activation_ratio: Vec<f64>,
    /// Per layer, the mean cosine over all distinct pairs of positions.
    pub anisotropy: Vec<f64>,
    /// Per layer, the effective rank of the centred `[n, d]` matrix of positions.
    pub effective_rank: Vec<f64>,
    /// `effective_rank / d`.
    pub effective_rank_frac: Vec<f64>,
    /// Mean next-token cross-entropy within each sequence, in nats.
    pub nll: f64,
    /// `exp(nll)`.
    pub perplexity: f64,
    /// The per-layer curves on the relative-depth grid 0, 0.05, ..., 1.
    pub on_depth: DepthCurves,
}

/// Per-layer metrics resampled to [`depth::grid`] (linear interpolation), so models of
/// different depth overlay point by point. `layer_drift`'s `L` transitions are spread
/// evenly from ρ = 0 to 1 like the layers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DepthCurves {
    /// The grid.
    pub depth: Vec<f64>,
    /// Logit-lens entropy.
    pub logit_lens_entropy: Vec<f64>,
    /// Layer drift.
    pub layer_drift: Vec<f64>,
    /// Hidden norm.
    pub hidden_norm: Vec<f64>,
    /// Anisotropy.
    pub anisotropy: Vec<f64>,
    /// Effective rank over `d`.
    pub effective_rank_frac: Vec<f64>,
}

impl DepthCurves {
    fn of(m: &LatentMetrics) -> Self {
        let grid = depth::grid();
        let on = |values: &[f64]| depth::resample(values, &grid).unwrap_or_default();
        DepthCurves {
            logit_lens_entropy: on(&m.logit_lens_entropy),
            layer_drift: on(&m.layer_drift),
            hidden_norm: on(&m.hidden_norm),
            anisotropy: on(&m.anisotropy),
            effective_rank_frac: on(&m.effective_rank_frac),
            depth: grid,
        }
    }
}

/// Cuts token ids into `n_seq` consecutive sequences of `seq_len` (fewer when the text
/// is shorter; a text shorter than one sequence gives one short sequence), the probe
/// text's layout in metrics.md and in the reference fixture.
///
/// ```
/// use mechscope_metrics::lpp::latent::probe_sequences;
/// let ids: Vec<u32> = (0..10).collect();
/// assert_eq!(probe_sequences(&ids, 2, 4), vec![vec![0, 1, 2, 3], vec![4, 5, 6, 7]]);
/// assert_eq!(probe_sequences(&ids, 8, 4).len(), 2);
/// assert_eq!(probe_sequences(&ids[..3], 8, 4), vec![vec![0, 1, 2]]);
/// ```
pub fn probe_sequences(ids: &[u32], n_seq: usize, seq_len: usize) -> Vec<Vec<u32>> {
    let seq_len = seq_len.max(1);
    if ids.len() < seq_len {
        return if ids.is_empty() || n_seq == 0 {
            Vec::new()
        } else {
            vec![ids.to_vec()]
        };
    }
    ids.chunks_exact(seq_len)
        .take(n_seq)
        .map(<[u32]>::to_vec)
        .collect()
}

/// Computes the latent metrics over `sequences` (each run on its own), reporting each
/// sequence to `on_step` before it runs and once at the end; `ControlFlow::Break`
/// cancels.
pub async fn latent_metrics<F>(
    decoder: &Decoder,
    sequences: &[Vec<u32>],
    mut on_step: impl FnMut(Step) -> F,
) -> Result<LatentMetrics, LppError>
where
    F: Future<Output = ControlFlow<()>>,
{
    check_sequences(decoder, sequences)?;
    let total = sequences.len();
    let mut accumulator = LatentAccumulator::new(decoder);
    for (done, sequence) in sequences.iter().enumerate() {
        if on_step(Step::Text { done, total }).await.is_break() {
            return Err(LppError::Cancelled);
        }
        accumulator.add(decoder, sequence).await?;
    }
    if on_step(Step::Text { done: total, total }).await.is_break() {
        return Err(LppError::Cancelled);
    }
    accumulator.finish().await
}

/// Reduces each `[1, seq, V]` logits tensor of `logits` to the sum over positions of
/// `H(softmax) / ln V`, and the last one to `-Σ log p(next token)` over the sequence's
/// `seq - 1` predictions. Each tensor is reduced as soon as it is made, so only one
/// `[seq, V]` block is alive at a time: on a CPU device on the host
/// ([`softmax_rows`](super::softmax_rows), where the logits already are), on a GPU on the
/// device with one readback at the end.
async fn reduce_logits(
    logits: impl ExactSizeIterator<Item = Tensor<3>>,
    ids: &[u32],
    vocab: usize,
) -> Result<(Vec<f64>, f64), ReadbackError> {
    let mut logits = logits.peekable();
    match logits.peek() {
        Some(first) if in_host_memory(&first.device()) => {
            reduce_logits_on_host(logits, ids, vocab).await
        }
        _ => reduce_logits_on_device(logits, ids, vocab).await,
    }
}

/// Whether tensors on `device` live in host memory, where reading them back moves no data.
fn in_host_memory(device: &Device) -> bool {
    device.clone().inner() == Device::flex()
}

/// [`reduce_logits`] with the softmax statistics taken on the host.
async fn reduce_logits_on_host(
    logits: impl ExactSizeIterator<Item = Tensor<3>>,
    ids: &[u32],
    vocab: usize,
) -> Result<(Vec<f64>, f64), ReadbackError> {
    let count = logits.len();
    let ln_v = (vocab as f64).ln();
    let (mut entropies, mut nll) = (Vec::with_capacity(count), 0.0);
    for (i, z) in logits.enumerate() {
        let width = z.dims()[2];
        let last = i + 1 == count;
        let (entropy, scored) = read_f32_with(z, |rows| {
            let stats = softmax_rows::rows_stats(rows, width);
            let entropy: f64 = stats.iter().map(|s| s.entropy / ln_v).sum();
            let scored = last.then(|| {
                stats
                    .iter()
                    .zip(rows_of_next_tokens(ids, width))
                    .map(|(s, at)| {
                        at.and_then(|at| rows.get(at))
                            .map_or(f64::NAN, |&z| s.log_prob(z))
                    })
                    .sum::<f64>()
            });
            (entropy, scored)
        })
        .await?;
        entropies.push(entropy);
        if let Some(log_likelihood) = scored {
            nll = -log_likelihood;
        }
    }
    Ok((entropies, nll))
}

/// Where each prediction's target logit sits in a `[seq, width]` block: row `t`, column
/// `ids[t + 1]`, for the `seq - 1` positions that have a next token; `None` for an id
/// past the row (it would read another position's logits).
fn rows_of_next_tokens(ids: &[u32], width: usize) -> impl Iterator<Item = Option<usize>> {
    ids.iter()
        .skip(1)
        .enumerate()
        .map(move |(t, &next)| ((next as usize) < width).then_some(t * width + next as usize))
}

/// [`reduce_logits`] on the device, one readback for every tensor.
async fn reduce_logits_on_device(
    logits: impl ExactSizeIterator<Item = Tensor<3>>,
    ids: &[u32],
    vocab: usize,
) -> Result<(Vec<f64>, f64), ReadbackError> {
    let (count, seq) = (logits.len(), ids.len());
    let mut reduced = Vec::with_capacity(count + 1);
    let mut next_token = None;
    for (i, z) in logits.enumerate() {
        // H = ln Σe − Σ e·(z − m) / Σe with e = exp(z − m): six passes over the
        // vocabulary where log_softmax, exp, product and sum take nine.
        let shifted = z.clone() - z.max_dim(2);
        let e = shifted.clone().exp();
        let total = e.clone().sum_dim(2);
        let dot = (e * shifted.clone()).sum_dim(2);
        let log_total = total.clone().log();
        if i + 1 == count && seq > 1 {
            let targets: Vec<i64> = ids[1..].iter().map(|&i| i64::from(i)).collect();
            let targets = Tensor::<3, Int>::from_data(
                TensorData::new(targets, [1, seq - 1, 1]),
                &shifted.device(),
            );
            // log p(next) = (z − m)[next] − ln Σe.
            let picked = shifted.narrow(1, 0, seq - 1).gather(2, targets)
                - log_total.clone().narrow(1, 0, seq - 1);
            next_token = Some(picked.reshape([seq - 1]));
        }
        let entropy = log_total - dot / total;
        reduced.push(entropy.reshape([seq]));
    }
    reduced.extend(next_token);
    let host = read_f32(Tensor::cat(reduced, 0)).await?;
    let ln_v = (vocab as f64).ln();
    let entropies = host
        .chunks(seq)
        .take(count)
        .map(|chunk| chunk.iter().map(|&h| f64::from(h) / ln_v).sum())
        .collect();
    let nll = -host[count * seq..]
        .iter()
        .map(|&lp| f64::from(lp))
        .sum::<f64>();
    Ok((entropies, nll))
}

/// Output entropy and perplexity alone, the two metrics that need no hidden state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutputMetrics {
    /// Positions pooled.
    pub n_positions: usize,
    /// Next-token predictions scored.
    pub n_predictions: usize,
    /// Mean over positions of `H(softmax(logits)) / ln V`.
    pub output_entropy: f64,
    /// Mean next-token cross-entropy, in nats.
    pub nll: f64,
    /// `exp(nll)`.
    pub perplexity: f64,
}

/// [`OutputMetrics`] over `sequences`: one forward per sequence with the logits of every
/// position and nothing traced, no logit lens. A device where the lens's `L + 1`
/// unembeddings cost too much (a software WebGPU adapter) still gets these two.
pub async fn output_metrics<F>(
    decoder: &Decoder,
    sequences: &[Vec<u32>],
    mut on_step: impl FnMut(Step) -> F,
) -> Result<OutputMetrics, LppError>
where
    F: Future<Output = ControlFlow<()>>,
{
    check_sequences(decoder, sequences)?;
    let total = sequences.len();
    let (mut entropy, mut nll, mut positions, mut predictions) = (0.0, 0.0, 0, 0);
    for (done, ids) in sequences.iter().enumerate() {
        if on_step(Step::Text { done, total }).await.is_break() {
            return Err(LppError::Cancelled);
        }
        let trace = Trace {
            logits: Logits::All,
            ..Trace::default()
        };
        let traced = decoder.forward(decoder.ids_tensor(ids, 1), trace, None);
        let (entropies, sum) =
            reduce_logits(traced.logits.into_iter(), ids, decoder.config.vocab_size).await?;
        entropy += entropies.iter().sum::<f64>();
        nll += sum;
        positions += ids.len();
        predictions += ids.len().saturating_sub(1);
    }
    let nll = nll / predictions.max(1) as f64;
    Ok(OutputMetrics {
        n_positions: positions,
        n_predictions: predictions,
        output_entropy: entropy / positions.max(1) as f64,
        nll,
        perplexity: nll.exp(),
    })
}

/// Refuses what would fail on the device: no tokens, too long, ids out of range.
pub(crate) fn check_sequences(decoder: &Decoder, sequences: &[Vec<u32>]) -> Result<(), LppError> {
    if sequences.iter().all(Vec::is_empty) {
        return Err(LppError::NoTokens);
    }
    let (max, vocab) = (decoder.max_positions(), decoder.config.vocab_size);
    for sequence in sequences {
        if sequence.len() > max {
            return Err(LppError::TooLong {
                len: sequence.len(),
                max,
            });
        }
        if let Some(&id) = sequence.iter().find(|&&id| id as usize >= vocab) {
            return Err(LppError::TokenOutOfVocabulary { id, vocab });
        }
    }
    Ok(())
}

/// Running sums of every latent metric, one sequence at a time.
pub struct LatentAccumulator {
    layers: usize,
    d: usize,
    n_sequences: usize,
    n_positions: usize,
    n_predictions: usize,
    lens_entropy: Vec<f64>,
    nll: f64,
    norm: Vec<f64>,
    unit_sum: Vec<Vec<f64>>,
    cosine: Vec<f64>,
    /// `Σ (h - shift)` per layer.
    shifted_sum: Vec<Vec<f64>>,
    /// The shift `k` per layer, `[layers, 1, d]` on the device, from the first sequence.
    shift: Option<(Vec<f32>, Tensor<3>)>,
    /// `Σ (h - k)(h - k)ᵀ` per layer, `[layers, d, d]`, on the device.
    scatter: Option<Tensor<3>>,
    magnitudes: Vec<MagnitudeHistogram>,
}

impl LatentAccumulator {
    /// Empty sums for `decoder`'s `L + 1` layers.
    pub fn new(decoder: &Decoder) -> Self {
        let layers = decoder.config.n_layers + 1;
        let d = decoder.config.d_model;
        LatentAccumulator {
            layers,
            d,
            n_sequences: 0,
            n_positions: 0,
            n_predictions: 0,
            lens_entropy: vec![0.0; layers],
            nll: 0.0,
            norm: vec![0.0; layers],
            unit_sum: vec![vec![0.0; d]; layers],
            cosine: vec![0.0; layers - 1],
            shifted_sum: vec![vec![0.0; d]; layers],
            shift: None,
            scatter: None,
            magnitudes: (0..layers).map(|_| MagnitudeHistogram::new()).collect(),
        }
    }

    /// Runs one sequence and adds it to the sums.
    pub async fn add(&mut self, decoder: &Decoder, ids: &[u32]) -> Result<(), LppError> {
        check_sequences(decoder, std::slice::from_ref(&ids.to_vec()))?;
        let seq = ids.len();
        let (layers, d) = (self.layers, self.d);
        let traced = decoder.forward(
            decoder.ids_tensor(ids, 1),
            Trace {
                residual_stream: true,
                ..Trace::default()
            },
            None,
        );
        let stream = traced.residual_stream;

        // Lens entropies of every layer and the last layer's next-token log-probs, in
        // one readback.
        let lens = stream.iter().map(|h| decoder.logits(h.clone()));
        let (entropies, nll) = reduce_logits(lens, ids, decoder.config.vocab_size).await?;
        for (sum, entropy) in self.lens_entropy.iter_mut().zip(entropies) {
            *sum += entropy;
        }
        self.nll += nll;

        // The hidden states, once, for everything reduced on the host.
        let stacked = Tensor::cat(stream, 0);
        let host = read_f32(stacked.clone()).await?;
        let row = |l: usize, t: usize| &host[(l * seq + t) * d..(l * seq + t + 1) * d];
        let (shift_host, shift_device) = match &self.shift {
            Some(shift) => shift.clone(),
            None => {
                let mut mean = vec![0.0f32; layers * d];
                for l in 0..layers {
                    for t in 0..seq {
                        for (m, &x) in mean[l * d..(l + 1) * d].iter_mut().zip(row(l, t)) {
                            *m += x / seq as f32;
                        }
                    }
                }
                let device = Tensor::from_data(
                    TensorData::new(mean.clone(), [layers, 1, d]),
                    &stacked.device(),
                );
                self.shift = Some((mean.clone(), device.clone()));
                (mean, device)
            }
        };
        for l in 0..layers {
            let shift = &shift_host[l * d..(l + 1) * d];
            for t in 0..seq {
                let h = row(l, t);
                let norm = h.iter().map(|&x| f64::from(x).powi(2)).sum::<f64>().sqrt();
                self.norm[l] += norm / (d as f64).sqrt();
                if norm > 0.0 {
                    for (u, &x) in self.unit_sum[l].iter_mut().zip(h) {
                        *u += f64::from(x) / norm;
                    }
                }
                for ((s, &x), &k) in self.shifted_sum[l].iter_mut().zip(h).zip(shift) {
                    *s += f64::from(x) - f64::from(k);
                }
                if l + 1 < layers {
                    self.cosine[l] += hidden::cosine(h, row(l + 1, t));
                }
                self.magnitudes[l].add(h);
            }
        }

        // The shifted scatter of every layer, summed on the device.
        let centred = stacked - shift_device;
        let scatter = centred.clone().swap_dims(1, 2).matmul(centred);
        self.scatter = Some(match self.scatter.take() {
            Some(sum) => sum + scatter,
            None => scatter,
        });

        self.n_sequences += 1;
        self.n_positions += seq;
        self.n_predictions += seq.saturating_sub(1);
        Ok(())
    }

    /// Reads the scatter sums back and computes every metric.
    pub async fn finish(self) -> Result<LatentMetrics, LppError> {
        let Some(scatter) = self.scatter else {
            return Err(LppError::NoTokens);
        };
        let scatter = read_f32(scatter).await?;
        let (layers, d, n) = (self.layers, self.d, self.n_positions);
        let per_position = |sum: &[f64]| -> Vec<f64> { sum.iter().map(|s| s / n as f64).collect() };
        // Each layer's eigenvalues are an O(d³) job of their own.
        let effective_rank = super::each_index(layers, |l| {
            let singular = hidden::centred_singular_values(
                &scatter[l * d * d..(l + 1) * d * d],
                &self.shifted_sum[l],
                n,
            );
            hidden::effective_rank(&singular).unwrap_or(0.0)
        });
        let logit_lens_entropy = per_position(&self.lens_entropy);
        let layer_drift: Vec<f64> = self.cosine.iter().map(|c| 1.0 - c / n as f64).collect();
        let nll = if self.n_predictions > 0 {
            self.nll / self.n_predictions as f64
        } else {
            f64::NAN
        };
        let mut metrics = LatentMetrics {
            n_sequences: self.n_sequences,
            n_positions: n,
            n_predictions: self.n_predictions,
            d_model: d,
            output_entropy: logit_lens_entropy.last().copied().unwrap_or(f64::NAN),
            logit_lens_area: depth::area(&logit_lens_entropy),
            commit_depth: depth::commit_depth(&logit_lens_entropy),
            logit_lens_entropy,
            adaptability: layer_drift.iter().sum::<f64>() / layer_drift.len().max(1) as f64,
            layer_drift,
            hidden_norm: per_position(&self.norm),
            massive_activation_ratio: self
                .magnitudes
                .iter()
                .map(|m| m.massive_activation_ratio().unwrap_or(f64::NAN))
                .collect(),
            anisotropy: self
                .unit_sum
                .iter()
                .map(|u| {
                    let squared = u.iter().map(|x| x * x).sum::<f64>();
                    hidden::anisotropy(squared, n).unwrap_or(f64::NAN)
                })
                .collect(),
            effective_rank_frac: effective_rank.iter().map(|r| r / d as f64).collect(),
            effective_rank,
            nll,
            perplexity: nll.exp(),
            on_depth: DepthCurves {
                depth: Vec::new(),
                logit_lens_entropy: Vec::new(),
                layer_drift: Vec::new(),
                hidden_norm: Vec::new(),
                anisotropy: Vec::new(),
                effective_rank_frac: Vec::new(),
            },
        };
        metrics.on_depth = DepthCurves::of(&metrics);
        Ok(metrics)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn logits(rows: &[Vec<f32>]) -> Tensor<3> {
        let (seq, v) = (rows.len(), rows[0].len());
        let data: Vec<f32> = rows.concat();
        Tensor::from_data(TensorData::new(data, [1, seq, v]), &Device::flex())
    }

    /// Both reductions of the same tensors, the host's first; they must agree.
    fn reduce_both(tensors: &[Tensor<3>], ids: &[u32], vocab: usize) -> [(Vec<f64>, f64); 2] {
        let host = reduce_logits_on_host(tensors.iter().cloned(), ids, vocab);
        let device = reduce_logits_on_device(tensors.iter().cloned(), ids, vocab);
        [
            pollster::block_on(host).unwrap(),
            pollster::block_on(device).unwrap(),
        ]
    }

    #[test]
    fn a_cpu_device_is_reduced_on_the_host() {
        assert!(in_host_memory(&Device::flex()));
        assert!(in_host_memory(&Device::flex().autodiff()));
    }

    #[test]
    fn uniform_logits_have_entropy_one_and_certain_ones_zero() {
        // Position 0 uniform over 8 tokens, position 1 all but certain of token 3.
        let mut peaked = vec![-100.0f32; 8];
        peaked[3] = 100.0;
        let rows = vec![vec![0.5f32; 8], peaked];
        for (entropies, nll) in reduce_both(&[logits(&rows)], &[0, 3], 8) {
            // Sum over the two positions of H / ln V: 1 + 0.
            assert!((entropies[0] - 1.0).abs() < 1e-6, "{entropies:?}");
            // The one prediction (position 0 → token 3) under the uniform row: ln 8.
            assert!((nll - 8f64.ln()).abs() < 1e-5, "{nll}");
        }
    }

    #[test]
    fn each_tensor_is_reduced_and_only_the_last_scores_next_tokens() {
        let uniform = vec![vec![0.0f32; 4]; 3];
        let mut skewed = uniform.clone();
        skewed[0][2] = 50.0;
        let tensors = [logits(&skewed), logits(&uniform)];
        for (entropies, nll) in reduce_both(&tensors, &[1, 2, 0], 4) {
            assert_eq!(entropies.len(), 2);
            assert!((entropies[0] - 2.0).abs() < 1e-5, "{entropies:?}");
            assert!((entropies[1] - 3.0).abs() < 1e-5, "{entropies:?}");
            // Scored under the last (uniform) tensor: two predictions of ln 4 each.
            assert!((nll - 2.0 * 4f64.ln()).abs() < 1e-5, "{nll}");
        }
    }

    #[test]
    fn the_next_token_is_read_from_its_own_row() {
        // Row t puts a distinct logit on token t + 1; a target read from the wrong row
        // (off by one position or by a row's width) scores a different value.
        let rows: Vec<Vec<f32>> = (0..4)
            .map(|t| {
                (0..6)
                    .map(|v| if v == t + 1 { 2.0 + t as f32 } else { 0.0 })
                    .collect()
            })
            .collect();
        let ids = [0, 1, 2, 3];
        let expected: f64 = (0..3)
            .map(|t| {
                let peak = 2.0 + f64::from(t);
                peak - (peak.exp() + 5.0).ln()
            })
            .sum::<f64>();
        for (_, nll) in reduce_both(&[logits(&rows)], &ids, 6) {
            assert!((nll + expected).abs() < 1e-5, "{nll} vs {}", -expected);
        }
        // A single position predicts nothing.
        for (entropies, nll) in reduce_both(&[logits(&rows[..1])], &ids[..1], 6) {
            assert_eq!((entropies.len(), nll), (1, 0.0));
        }
    }
}
