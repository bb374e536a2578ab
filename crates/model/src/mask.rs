//! Weight masks: zero chosen entries of the MLP weight matrices in place, and put them
//! back, without reloading the model.
//!
//! AIS ablates the most important MLP weights for an ability, scores a benchmark, then
//! needs the intact model again for the next ability or the control masks. Reloading a
//! model from its file costs seconds (and in the browser a second copy of the file);
//! restoring a few thousand entries costs nothing. Zeroing adds `-w` to each chosen
//! entry and restoring adds `w` back, both exact in floating point (`w + -w = 0`,
//! `0 + w = w`), so a restored model is bit-identical to the original.
//!
//! Entries are addressed as the metrics contract orders them (metrics.md §2): per
//! layer, the matrix (gate, up, down), then the row-major index in the `[out, in]`
//! layout of a PyTorch `Linear` — the layout of the Hugging Face checkpoint for
//! llama, qwen2 and gemma3. GPT-2 stores its `Conv1D` weights as `[in, out]`; they are
//! addressed in the same `[out, in]` convention here, so one ordering serves every
//! family. Gate entries do not exist for GPT-2 (its MLP is not gated).

use crate::decoder::Decoder;
use crate::generate::{ReadbackError, read_f32};
use crate::modules::mlp::Mlp;
use burn::module::Param;
use burn::tensor::{IndexingUpdateOp, Int, Tensor, TensorData};
use std::collections::{BTreeMap, BTreeSet};

/// One of the MLP weight matrices of a layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MlpMatrix {
    /// `gate_proj` (gated MLPs only).
    Gate,
    /// `up_proj` (GPT-2: `c_fc`).
    Up,
    /// `down_proj` (GPT-2: `c_proj`).
    Down,
}

impl MlpMatrix {
    /// In the contract's canonical order.
    pub const ALL: [MlpMatrix; 3] = [MlpMatrix::Gate, MlpMatrix::Up, MlpMatrix::Down];

    /// The `[out, in]` shape of this matrix for a model of width `d_model` and MLP
    /// width `d_ff`.
    pub fn shape(self, d_model: usize, d_ff: usize) -> [usize; 2] {
        match self {
            MlpMatrix::Gate | MlpMatrix::Up => [d_ff, d_model],
            MlpMatrix::Down => [d_model, d_ff],
        }
    }
}

/// A set of MLP weight entries to zero, by layer and matrix, each entry a row-major
/// index into the matrix's `[out, in]` layout.
///
/// ```
/// use mechscope_model::mask::{MlpMatrix, WeightMask};
/// let mut mask = WeightMask::default();
/// mask.insert(0, MlpMatrix::Down, 7);
/// mask.insert(0, MlpMatrix::Down, 7); // a set: inserting twice keeps one entry
/// assert_eq!(mask.len(), 1);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WeightMask {
    entries: BTreeMap<(usize, MlpMatrix), BTreeSet<u64>>,
}

impl WeightMask {
    /// Adds one entry.
    pub fn insert(&mut self, layer: usize, matrix: MlpMatrix, index: u64) {
        self.entries
            .entry((layer, matrix))
            .or_default()
            .insert(index);
    }

    /// Number of distinct entries.
    pub fn len(&self) -> usize {
        self.entries.values().map(BTreeSet::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.values().all(BTreeSet::is_empty)
    }

    /// `(layer, matrix, ascending indices)` in canonical order.
    pub fn groups(&self) -> impl Iterator<Item = (usize, MlpMatrix, &BTreeSet<u64>)> + '_ {
        self.entries
            .iter()
            .map(|(&(layer, matrix), v)| (layer, matrix, v))
    }
}

/// Why a mask does not fit the model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MaskError {
    #[error("the mask names layer {layer}, but the model has {n_layers} layers")]
    NoSuchLayer { layer: usize, n_layers: usize },
    #[error("the mask names a gate matrix in layer {layer}, but this model's MLP is not gated")]
    NoGate { layer: usize },
    #[error("mask index {index} is outside the {out}×{inp} {matrix:?} matrix of layer {layer}")]
    OutOfRange {
        layer: usize,
        matrix: MlpMatrix,
        index: u64,
        out: usize,
        inp: usize,
    },
}

/// What [`Decoder::apply_mask`] changed, to undo it with [`Decoder::restore`].
#[derive(Debug)]
#[must_use = "without restoring, the model stays ablated"]
pub struct AppliedMask {
    groups: Vec<AppliedGroup>,
}

#[derive(Debug)]
struct AppliedGroup {
    layer: usize,
    matrix: MlpMatrix,
    /// Flat indices into the stored (`[in, out]`) tensor.
    stored: Tensor<1, Int>,
    /// The original values at those indices.
    originals: Tensor<1>,
}

impl AppliedMask {
    /// The original values of the zeroed entries, group by group in canonical order
    /// (for reports and tests).
    pub async fn originals(&self) -> Result<Vec<f32>, ReadbackError> {
        let mut out = Vec::new();
        for g in &self.groups {
            out.extend(read_f32(g.originals.clone()).await?);
        }
        Ok(out)
    }
}

impl Mlp {
    fn matrix_mut(&mut self, matrix: MlpMatrix) -> Option<&mut Param<Tensor<2>>> {
        match matrix {
            MlpMatrix::Gate => self.gate.as_mut(),
            MlpMatrix::Up => Some(&mut self.up),
            MlpMatrix::Down => Some(&mut self.down),
        }
    }
}

/// Adds `values` at flat `indices` of a parameter, keeping its id (so gradients and
/// saved records still find it).
fn add_at(param: &mut Param<Tensor<2>>, indices: Tensor<1, Int>, values: Tensor<1>) {
    let updated = param.clone().map(|w| {
        let dims = w.dims();
        w.reshape([dims[0] * dims[1]])
            .select_assign(0, indices, values, IndexingUpdateOp::Add)
            .reshape(dims)
    });
    *param = updated;
}

impl Decoder {
    /// Zeroes the entries of `mask` in the MLP weights and returns what is needed to
    /// put them back. Nothing is changed when the mask does not fit the model.
    pub fn apply_mask(&mut self, mask: &WeightMask) -> Result<AppliedMask, MaskError> {
        let (d, f) = (self.config.d_model, self.config.d_ff);
        let n_layers = self.blocks.len();
        // Validate everything first, so a bad mask leaves the model untouched.
        let mut planned = Vec::new();
        for (&(layer, matrix), indices) in &mask.entries {
            if layer >= n_layers {
                return Err(MaskError::NoSuchLayer { layer, n_layers });
            }
            if matrix == MlpMatrix::Gate && self.blocks[layer].mlp.gate.is_none() {
                return Err(MaskError::NoGate { layer });
            }
            let [out, inp] = matrix.shape(d, f);
            let mut stored = Vec::with_capacity(indices.len());
            for &index in indices {
                if index >= (out * inp) as u64 {
                    return Err(MaskError::OutOfRange {
                        layer,
                        matrix,
                        index,
                        out,
                        inp,
                    });
                }
                // [out, in] row-major (r, c) is stored transposed, as [in, out].
                let (r, c) = (index / inp as u64, index % inp as u64);
                stored.push((c * out as u64 + r) as i64);
            }
            if !stored.is_empty() {
                planned.push((layer, matrix, stored));
            }
        }
        let device = self.embed.device();
        let mut groups = Vec::with_capacity(planned.len());
        for (layer, matrix, stored) in planned {
            let n = stored.len();
            let indices = Tensor::<1, Int>::from_data(TensorData::new(stored, [n]), &device);
            let param = self.blocks[layer]
                .mlp
                .matrix_mut(matrix)
                .expect("checked above");
            let w = param.val();
            let originals = w.reshape([d * f]).select(0, indices.clone());
            add_at(param, indices.clone(), originals.clone().neg());
            groups.push(AppliedGroup {
                layer,
                matrix,
                stored: indices,
                originals,
            });
        }
        Ok(AppliedMask { groups })
    }

    /// Puts back the entries a mask zeroed; the weights are then bit-identical to
    /// before [`Decoder::apply_mask`].
    pub fn restore(&mut self, applied: AppliedMask) {
        for g in applied.groups {
            if let Some(param) = self.blocks[g.layer].mlp.matrix_mut(g.matrix) {
                add_at(param, g.stored, g.originals);
            }
        }
    }
}
