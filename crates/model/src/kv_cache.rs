//! The key-value cache for generation: its own struct, not state hidden in the model.

use burn::tensor::Tensor;

/// Keys and values of one layer, `[batch, kv_heads, positions, head_dim]`, after rope.
#[derive(Debug, Clone, Default)]
pub struct LayerCache {
    entries: Option<(Tensor<4>, Tensor<4>)>,
}

impl LayerCache {
    /// Appends the new positions and returns all keys and values so far.
    pub fn append(&mut self, k: Tensor<4>, v: Tensor<4>) -> (Tensor<4>, Tensor<4>) {
        let (k, v) = match self.entries.take() {
            None => (k, v),
            Some((pk, pv)) => (Tensor::cat(vec![pk, k], 2), Tensor::cat(vec![pv, v], 2)),
        };
        self.entries = Some((k.clone(), v.clone()));
        (k, v)
    }

    /// The same cache for `n` sequences: batch entry 0 repeated `n` times.
    fn repeat_batch(&self, n: usize) -> Self {
        LayerCache {
            entries: self.entries.as_ref().map(|(k, v)| {
                let first = |t: &Tensor<4>| t.clone().narrow(0, 0, 1).repeat_dim(0, n);
                (first(k), first(v))
            }),
        }
    }
}

/// One [`LayerCache`] per layer, plus the number of positions cached.
#[derive(Debug, Clone)]
pub struct KvCache {
    pub layers: Vec<LayerCache>,
    pub len: usize,
}

impl KvCache {
    pub fn new(n_layers: usize) -> Self {
        KvCache {
            layers: vec![LayerCache::default(); n_layers],
            len: 0,
        }
    }

    /// A cache of one sequence (a shared prefix) for `n` sequences that continue it
    /// differently: scoring several answers after one question computes the question
    /// once.
    pub fn repeat_batch(&self, n: usize) -> Self {
        KvCache {
            layers: self.layers.iter().map(|l| l.repeat_batch(n)).collect(),
            len: self.len,
        }
    }
}
