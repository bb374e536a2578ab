//! Key neurons of one sample: contribution scores on the device, selection, readback.

use super::{MuiError, MuiOptions, SelectionRule, Target, TokenSample};
use burn::tensor::{Int, Tensor, TensorData};
use mechscope_model::generate::read_f32;
use mechscope_model::{Decoder, Trace};
use serde::{Deserialize, Serialize};

/// One selected score entry.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScoredEntry {
    /// Position within the scored span (0 = the first response token).
    pub t: u32,
    pub neuron: u32,
    pub score: f32,
}

/// The key neurons of one layer for one sample.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LayerNeurons {
    /// Distinct neuron ids among the selected entries, ascending (`N_n^l`).
    pub neurons: Vec<u32>,
    /// The selected entries, largest score first.
    pub entries: Vec<ScoredEntry>,
    /// The k-th minus the (k+1)-th score (per-layer top-k only): below ~1e-4 the
    /// selection is a near-tie that rounding can flip between backends.
    pub gap: Option<f32>,
}

/// The key neurons of one sample, layer by layer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct KeyNeurons {
    pub layers: Vec<LayerNeurons>,
    /// Number of scored positions.
    pub scored_positions: usize,
    /// For [`SelectionRule::GlobalTopK`], the k-th minus the (k+1)-th score over all
    /// layers.
    pub global_gap: Option<f32>,
}

/// Scores one sample and selects its key neurons per metrics.md §1.
///
/// One forward over `prompt + response` traces the MLP activations; per layer,
/// `S = A ⊙ (W_U[y] @ W_down)` is formed for the scored positions only (`[T, d_ff]`; the
/// `[d_ff, V]` matrix is never built). The scores come back in one readback
/// (`L · T · d_ff` floats: 2.4 MB for a 13-token response of the demo model) and the
/// selection runs on the host: a linear-time partial selection with a fixed tie rule,
/// identical on every backend. Selecting on the device was slower on both: burn's CPU
/// backend implements top-k as a full sort, and on WebGPU each new response length
/// compiled new top-k kernels (minutes per sample on a software adapter).
pub async fn key_neurons(
    decoder: &Decoder,
    sample: &TokenSample,
    options: &MuiOptions,
) -> Result<KeyNeurons, MuiError> {
    let config = &decoder.config;
    let (n_layers, d_ff, vocab) = (config.n_layers, config.d_ff, config.vocab_size);
    let (prompt, response) = (&sample.prompt_ids, &sample.response_ids);
    if let Some(&id) = prompt
        .iter()
        .chain(response.iter())
        .find(|&&id| id as usize >= vocab)
    {
        return Err(MuiError::TokenOutOfVocabulary { id, vocab });
    }
    let t = response.len();
    if t == 0 {
        return Ok(KeyNeurons {
            layers: vec![LayerNeurons::default(); n_layers],
            ..KeyNeurons::default()
        });
    }
    // The positions scored and the ids the forward needs: with target = next the last
    // response token is only a target, never an input.
    let (first, input_len) = match options.target {
        Target::Same => (prompt.len(), prompt.len() + t),
        Target::Next => (
            prompt.len().checked_sub(1).ok_or(MuiError::EmptyPrompt)?,
            prompt.len() + t - 1,
        ),
    };
    let max = decoder.max_positions();
    if input_len > max {
        return Err(MuiError::TooLong {
            len: input_len,
            max,
        });
    }
    let ids: Vec<u32> = prompt
        .iter()
        .chain(response)
        .copied()
        .take(input_len)
        .collect();
    let trace = Trace {
        mlp_activations: true,
        ..Trace::default()
    };
    let traced = decoder.forward(decoder.ids_tensor(&ids, 1), trace, None);

    let device = decoder.embed.device();
    let targets: Vec<i64> = response.iter().map(|&id| i64::from(id)).collect();
    let targets = Tensor::<1, Int>::from_data(TensorData::new(targets, [t]), &device);
    let unembed_y = decoder.unembedding().select(0, targets); // [T, d]
    let scores =
        traced
            .mlp_activations
            .into_iter()
            .zip(&decoder.blocks)
            .map(|(activation, block)| {
                let a = activation.narrow(1, first, t).reshape([t, d_ff]);
                // `down` is stored [d_ff, d]; its transpose is W_down in the checkpoint's
                // [d, d_ff] layout, so this is (W_U[y] @ W_down) as the contract writes it.
                let w = unembed_y.clone().matmul(block.mlp.down.val().transpose());
                (a * w).reshape([t * d_ff])
            });

    let k = options.k(d_ff);
    let per_layer = t * d_ff;
    // One readback of every layer's scores; the selection runs on the host (see the
    // function's docs for why).
    let all = read_f32(Tensor::stack::<2>(scores.collect(), 0)).await?; // [L, T · d_ff]
    let mut result = KeyNeurons {
        scored_positions: t,
        ..KeyNeurons::default()
    };
    match options.rule {
        SelectionRule::PerLayerTopK => {
            for layer in all.chunks_exact(per_layer) {
                let entries = largest(layer, k + 1)
                    .into_iter()
                    .map(|i| entry(layer[i], i, d_ff))
                    .collect();
                result.layers.push(layer_neurons(entries, k));
            }
        }
        SelectionRule::GlobalTopK => {
            let chosen = largest(&all, k + 1);
            result.global_gap = (chosen.len() > k).then(|| all[chosen[k - 1]] - all[chosen[k]]);
            let mut by_layer = vec![Vec::new(); n_layers];
            for &i in chosen.iter().take(k) {
                by_layer[i / per_layer].push(entry(all[i], i % per_layer, d_ff));
            }
            result.layers = by_layer
                .into_iter()
                .map(|entries| layer_neurons(entries, usize::MAX))
                .collect();
        }
        SelectionRule::TopScore { theta } => {
            for layer in all.chunks_exact(per_layer) {
                let max = layer.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                let mut entries: Vec<ScoredEntry> = if max > 0.0 {
                    let threshold = (theta * f64::from(max)) as f32;
                    layer
                        .iter()
                        .enumerate()
                        .filter(|&(_, &v)| v >= threshold)
                        .map(|(i, &v)| entry(v, i, d_ff))
                        .collect()
                } else {
                    Vec::new()
                };
                entries.sort_by(|a, b| b.score.total_cmp(&a.score));
                result.layers.push(layer_neurons(entries, usize::MAX));
            }
        }
    }
    Ok(result)
}

fn entry(score: f32, flat: usize, d_ff: usize) -> ScoredEntry {
    ScoredEntry {
        t: (flat / d_ff) as u32,
        neuron: (flat % d_ff) as u32,
        score,
    }
}

/// Indices of the `n` largest values, largest first; on equal values the lower index
/// first, so the selection is the same on every backend. Linear time (a partial
/// selection, then a sort of the `n` chosen).
fn largest(values: &[f32], n: usize) -> Vec<usize> {
    let n = n.min(values.len());
    let before = |a: &usize, b: &usize| values[*b].total_cmp(&values[*a]).then(a.cmp(b));
    let mut order: Vec<usize> = (0..values.len()).collect();
    if n > 0 && n < order.len() {
        order.select_nth_unstable_by(n - 1, before);
    }
    order.truncate(n);
    order.sort_unstable_by(before);
    order
}

/// The first `k` of `entries` (largest first) and their distinct neurons; the gap to
/// the next entry when there is one.
fn layer_neurons(mut entries: Vec<ScoredEntry>, k: usize) -> LayerNeurons {
    let gap = (entries.len() > k).then(|| entries[k - 1].score - entries[k].score);
    entries.truncate(k);
    let mut neurons: Vec<u32> = entries.iter().map(|e| e.neuron).collect();
    neurons.sort_unstable();
    neurons.dedup();
    LayerNeurons {
        neurons,
        entries,
        gap,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_neuron_filling_several_slots_counts_once() {
        let entries = vec![
            ScoredEntry {
                t: 0,
                neuron: 5,
                score: 3.0,
            },
            ScoredEntry {
                t: 2,
                neuron: 5,
                score: 2.0,
            },
            ScoredEntry {
                t: 1,
                neuron: 1,
                score: 1.5,
            },
            ScoredEntry {
                t: 1,
                neuron: 9,
                score: 1.0,
            },
        ];
        let layer = layer_neurons(entries, 3);
        assert_eq!(layer.neurons, vec![1, 5]);
        assert_eq!(layer.entries.len(), 3);
        assert_eq!(layer.gap, Some(0.5));
    }

    #[test]
    fn largest_is_stable_on_ties_and_handles_short_inputs() {
        let v = [1.0, 5.0, 3.0, 5.0, -2.0];
        assert_eq!(largest(&v, 3), vec![1, 3, 2]);
        assert_eq!(largest(&v, 10), vec![1, 3, 2, 0, 4]);
        assert_eq!(largest(&v, 0), Vec::<usize>::new());
    }

    #[test]
    fn flat_indices_are_position_major() {
        let e = entry(1.0, 2 * 1536 + 17, 1536);
        assert_eq!((e.t, e.neuron), (2, 17));
    }
}
