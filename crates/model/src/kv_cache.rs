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
}
