//! The union of key neurons over a task's samples: MUI, per-layer shares, the neuron
//! set, and overlaps between neuron sets.

use super::KeyNeurons;
use serde::{Deserialize, Serialize};

/// A set of neurons `(layer, i)` of one model shape, kept so that tasks and models can
/// be compared afterwards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeuronSet {
    pub n_layers: usize,
    pub d_ff: usize,
    /// `layer · d_ff + i`, ascending.
    pub ids: Vec<u32>,
}

/// Why two neuron sets cannot be compared.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the neuron sets come from different model shapes ({a_layers}×{a_dff} and {b_layers}×{b_dff} neurons)"
)]
pub struct OverlapError {
    pub a_layers: usize,
    pub a_dff: usize,
    pub b_layers: usize,
    pub b_dff: usize,
}

impl NeuronSet {
    /// `|A ∩ B| / |A ∪ B|`, 0 for two empty sets. Only sets of the same model shape
    /// compare (two tasks on one model, or checkpoints of one architecture).
    ///
    /// ```
    /// use mechscope_metrics::mui::NeuronSet;
    /// let a = NeuronSet { n_layers: 2, d_ff: 4, ids: vec![0, 1, 5] };
    /// let b = NeuronSet { n_layers: 2, d_ff: 4, ids: vec![1, 5, 7] };
    /// assert_eq!(a.jaccard(&b).unwrap(), 0.5);
    /// ```
    pub fn jaccard(&self, other: &NeuronSet) -> Result<f64, OverlapError> {
        if (self.n_layers, self.d_ff) != (other.n_layers, other.d_ff) {
            return Err(OverlapError {
                a_layers: self.n_layers,
                a_dff: self.d_ff,
                b_layers: other.n_layers,
                b_dff: other.d_ff,
            });
        }
        let (mut i, mut j, mut both) = (0, 0, 0usize);
        while i < self.ids.len() && j < other.ids.len() {
            match self.ids[i].cmp(&other.ids[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    both += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        let union = self.ids.len() + other.ids.len() - both;
        Ok(if union == 0 {
            0.0
        } else {
            both as f64 / union as f64
        })
    }
}

/// MUI of a task: the union of its samples' key neurons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MuiResult {
    /// `|union| / (L · d_ff)`, a fraction (multiply by 100 for the percent the paper
    /// reports).
    pub mui: f64,
    pub union_size: usize,
    pub total_neurons: usize,
    /// Union size per layer.
    pub union_per_layer: Vec<usize>,
    /// For each sample, for each layer, the neuron ids `N_n^l` (ascending).
    pub per_sample_layer_sets: Vec<Vec<Vec<u32>>>,
    pub neuron_set: NeuronSet,
}

impl MuiResult {
    /// Unites the key neurons of `samples` (all of them, right or wrong).
    ///
    /// ```
    /// use mechscope_metrics::mui::{KeyNeurons, LayerNeurons, MuiResult};
    /// let sample = |a: Vec<u32>, b: Vec<u32>| KeyNeurons {
    ///     layers: vec![
    ///         LayerNeurons { neurons: a, ..Default::default() },
    ///         LayerNeurons { neurons: b, ..Default::default() },
    ///     ],
    ///     ..Default::default()
    /// };
    /// let r = MuiResult::from_samples(&[sample(vec![1], vec![3]), sample(vec![1, 2], vec![])], 2, 4);
    /// assert_eq!(r.union_per_layer, vec![2, 1]);
    /// assert_eq!(r.mui, 3.0 / 8.0);
    /// ```
    pub fn from_samples(samples: &[KeyNeurons], n_layers: usize, d_ff: usize) -> MuiResult {
        let mut used = vec![false; n_layers * d_ff];
        let mut per_sample_layer_sets = Vec::with_capacity(samples.len());
        for sample in samples {
            let mut sets = Vec::with_capacity(n_layers);
            for (layer, neurons) in sample.layers.iter().enumerate().take(n_layers) {
                for &i in &neurons.neurons {
                    if let Some(slot) = used.get_mut(layer * d_ff + i as usize) {
                        *slot = true;
                    }
                }
                sets.push(neurons.neurons.clone());
            }
            per_sample_layer_sets.push(sets);
        }
        let ids: Vec<u32> = (0..used.len() as u32)
            .filter(|&i| used[i as usize])
            .collect();
        let union_per_layer = (0..n_layers)
            .map(|l| {
                used[l * d_ff..(l + 1) * d_ff]
                    .iter()
                    .filter(|&&u| u)
                    .count()
            })
            .collect();
        let total_neurons = n_layers * d_ff;
        MuiResult {
            mui: if total_neurons == 0 {
                0.0
            } else {
                ids.len() as f64 / total_neurons as f64
            },
            union_size: ids.len(),
            total_neurons,
            union_per_layer,
            per_sample_layer_sets,
            neuron_set: NeuronSet {
                n_layers,
                d_ff,
                ids,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jaccard_of_disjoint_and_equal_sets() {
        let a = NeuronSet {
            n_layers: 1,
            d_ff: 8,
            ids: vec![0, 2],
        };
        let b = NeuronSet {
            ids: vec![1, 3],
            ..a.clone()
        };
        assert_eq!(a.jaccard(&b).unwrap(), 0.0);
        assert_eq!(a.jaccard(&a).unwrap(), 1.0);
        let other_shape = NeuronSet {
            n_layers: 2,
            ..a.clone()
        };
        assert!(a.jaccard(&other_shape).is_err());
    }
}
