//! Weights by their Hugging Face names, from a GGUF file or safetensors, as `f32` on the
//! host in PyTorch's layout (`[out, in]` for linear layers).
//!
//! The model asks for `model.layers.3.mlp.down_proj.weight` whatever the file; a GGUF
//! source maps that to `blk.3.ffn_down.weight`, dequantises it, and for the llama
//! family undoes the rotary permutation llama.cpp's converter applies to q and k. Errors
//! name the tensor as the file calls it.

use mechscope_formats::config::{Family, ModelConfig};
use mechscope_formats::gguf::{GgufHeader, dequant};
use mechscope_formats::safetensors::{SafetensorsError, SafetensorsFile};

/// A tensor on the host: row-major values and their shape.
#[derive(Debug, Clone, PartialEq)]
pub struct HostTensor {
    pub shape: Vec<usize>,
    pub data: Vec<f32>,
}

impl HostTensor {
    /// The transpose of a 2-D tensor, laid out contiguously; other ranks come back as
    /// they are (callers check shapes before and after).
    pub fn transposed(self) -> HostTensor {
        let &[rows, cols] = self.shape.as_slice() else {
            return self;
        };
        if self.data.len() != rows * cols {
            return self;
        }
        // In square tiles, so reads and writes both stay in cache: the naive loop's
        // column-strided writes made loading a model 10% slower.
        const TILE: usize = 32;
        let mut data = vec![0.0f32; rows * cols];
        for r0 in (0..rows).step_by(TILE) {
            for c0 in (0..cols).step_by(TILE) {
                for r in r0..(r0 + TILE).min(rows) {
                    for c in c0..(c0 + TILE).min(cols) {
                        data[c * rows + r] = self.data[r * cols + c];
                    }
                }
            }
        }
        HostTensor {
            shape: vec![cols, rows],
            data,
        }
    }

    /// Columns `start..start + len` of a 2-D tensor as their own contiguous tensor, or
    /// `None` when they are not there.
    pub fn columns(&self, start: usize, len: usize) -> Option<HostTensor> {
        let &[rows, cols] = self.shape.as_slice() else {
            return None;
        };
        if start.checked_add(len)? > cols || self.data.len() != rows * cols {
            return None;
        }
        let data = self
            .data
            .chunks_exact(cols.max(1))
            .flat_map(|row| &row[start..start + len])
            .copied()
            .collect();
        Some(HostTensor {
            shape: vec![rows, len],
            data,
        })
    }
}

/// Why a weight could not be had.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WeightError {
    #[error(
        "the model file has no tensor {name:?}{}; is the file complete and of the architecture it claims?",
        needed_as(name, hf_name)
    )]
    Missing { name: String, hf_name: String },
    #[error(
        "tensor {name:?} has shape {found:?}, but the configuration implies {expected:?} \
         (dimensions slowest first, as PyTorch lists them): the file's tensors and its \
         configuration disagree"
    )]
    ShapeMismatch {
        name: String,
        found: Vec<usize>,
        expected: Vec<usize>,
    },
    #[error("tensor {name:?} could not be read: {reason}")]
    Unreadable { name: String, reason: String },
}

/// `" (needed as ...)"` when the file names the tensor differently from the model.
fn needed_as(name: &str, hf_name: &str) -> String {
    if name == hf_name {
        String::new()
    } else {
        format!(" (needed as {hf_name})")
    }
}

impl WeightError {
    /// The same error, with a shape mismatch naming the tensor as a GGUF file of this
    /// family names it (the decoder checks shapes by Hugging Face name, which a GGUF
    /// file does not contain).
    pub fn with_gguf_names(self, family: Family) -> Self {
        match self {
            WeightError::ShapeMismatch {
                name,
                found,
                expected,
            } => WeightError::ShapeMismatch {
                name: gguf_name(family, &name).unwrap_or(name),
                found,
                expected,
            },
            other => other,
        }
    }
}

/// Where weights come from.
pub trait WeightSource {
    /// The tensor with this Hugging Face name, in PyTorch layout.
    fn load(&self, hf_name: &str) -> Result<HostTensor, WeightError>;
    /// Whether the tensor exists (for optional ones: biases, an untied unembedding).
    fn has(&self, hf_name: &str) -> bool;
}

/// GGUF names of the Hugging Face tensors, as llama.cpp's converter writes them.
pub fn gguf_name(family: Family, hf_name: &str) -> Option<String> {
    let direct = match hf_name {
        "model.embed_tokens.weight" | "transformer.wte.weight" => Some("token_embd.weight"),
        "transformer.wpe.weight" => Some("position_embd.weight"),
        "model.norm.weight" | "transformer.ln_f.weight" => Some("output_norm.weight"),
        "transformer.ln_f.bias" => Some("output_norm.bias"),
        "lm_head.weight" => Some("output.weight"),
        _ => None,
    };
    if let Some(name) = direct {
        return Some(name.to_string());
    }
    let rest = hf_name
        .strip_prefix("model.layers.")
        .or_else(|| hf_name.strip_prefix("transformer.h."))?;
    let (layer, leaf) = rest.split_once('.')?;
    let (module, kind) = leaf.rsplit_once('.')?;
    let gguf_module = match (family, module) {
        (_, "input_layernorm") | (_, "ln_1") => "attn_norm",
        (Family::Gemma3, "post_attention_layernorm") => "post_attention_norm",
        (Family::Gemma3, "pre_feedforward_layernorm") => "ffn_norm",
        (Family::Gemma3, "post_feedforward_layernorm") => "post_ffw_norm",
        (_, "post_attention_layernorm") | (_, "ln_2") => "ffn_norm",
        (_, "self_attn.q_proj") => "attn_q",
        (_, "self_attn.k_proj") => "attn_k",
        (_, "self_attn.v_proj") => "attn_v",
        (_, "self_attn.o_proj") | (_, "attn.c_proj") => "attn_output",
        (_, "self_attn.q_norm") => "attn_q_norm",
        (_, "self_attn.k_norm") => "attn_k_norm",
        (_, "attn.c_attn") => "attn_qkv",
        (_, "mlp.gate_proj") => "ffn_gate",
        (_, "mlp.up_proj") | (_, "mlp.c_fc") => "ffn_up",
        (_, "mlp.down_proj") | (_, "mlp.c_proj") => "ffn_down",
        _ => return None,
    };
    Some(format!("blk.{layer}.{gguf_module}.{kind}"))
}

/// Weights read from a whole GGUF file held in memory.
pub struct GgufWeights<'a> {
    header: &'a GgufHeader,
    file: &'a [u8],
    config: &'a ModelConfig,
}

impl<'a> GgufWeights<'a> {
    /// `file` must be the whole file whose header is `header` (already checked with
    /// `check_file_size`, so every tensor range lies inside it).
    pub fn new(header: &'a GgufHeader, file: &'a [u8], config: &'a ModelConfig) -> Self {
        GgufWeights {
            header,
            file,
            config,
        }
    }

    fn map(&self, hf_name: &str) -> Result<String, WeightError> {
        gguf_name(self.config.family, hf_name).ok_or_else(|| WeightError::Missing {
            name: hf_name.to_string(),
            hf_name: hf_name.to_string(),
        })
    }
}

impl WeightSource for GgufWeights<'_> {
    fn has(&self, hf_name: &str) -> bool {
        self.map(hf_name)
            .is_ok_and(|name| self.header.tensor(&name).is_some())
    }

    fn load(&self, hf_name: &str) -> Result<HostTensor, WeightError> {
        let name = self.map(hf_name)?;
        let info = self
            .header
            .tensor(&name)
            .ok_or_else(|| WeightError::Missing {
                name: name.clone(),
                hf_name: hf_name.to_string(),
            })?;
        let range = self.header.tensor_range(info);
        let bytes = usize::try_from(range.start)
            .ok()
            .zip(usize::try_from(range.end).ok())
            .and_then(|(s, e)| self.file.get(s..e))
            .ok_or_else(|| WeightError::Unreadable {
                name: name.clone(),
                reason: "its data lies outside the file".into(),
            })?;
        let n = usize::try_from(info.n_elements).map_err(|_| WeightError::Unreadable {
            name: name.clone(),
            reason: "too many elements for this platform".into(),
        })?;
        // NaN or infinite weights are refused here, naming the tensor, rather than
        // found as NaN logits after the whole model has loaded.
        let mut data =
            dequant::dequantize_finite(info.ty, bytes, n).map_err(|e| WeightError::Unreadable {
                name: name.clone(),
                reason: e.to_string(),
            })?;
        // ggml lists dimensions fastest first; PyTorch slowest first.
        let mut shape: Vec<usize> = info.shape.iter().rev().map(|&d| d as usize).collect();
        if let [rows, cols] = shape[..]
            && self.config.family == Family::Gpt2
            && is_gpt2_conv1d_weight(hf_name)
        {
            // llama.cpp's converter stores GPT-2's Conv1D weights transposed, `[out, in]`
            // like a linear layer; the checkpoint (and the model) has them `[in, out]`.
            data = transpose(&data, rows, cols);
            shape = vec![cols, rows];
        }
        if self.config.family == Family::Llama && shape.len() == 2 {
            let heads = if hf_name.ends_with("q_proj.weight") {
                Some(self.config.n_heads)
            } else if hf_name.ends_with("k_proj.weight") {
                Some(self.config.n_kv_heads)
            } else {
                None
            };
            if let Some(heads) = heads {
                data = unpermute_rotary_rows(&data, heads, shape[0], shape[1]);
            }
        }
        Ok(HostTensor { shape, data })
    }
}

/// GPT-2's Conv1D weights (`[in, out]` in the checkpoint).
fn is_gpt2_conv1d_weight(hf_name: &str) -> bool {
    [".c_attn.weight", ".c_proj.weight", ".c_fc.weight"]
        .iter()
        .any(|suffix| hf_name.ends_with(suffix))
}

/// Row-major `[rows, cols]` values as row-major `[cols, rows]`.
fn transpose(data: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut out = vec![0.0; data.len()];
    for (r, row) in data.chunks_exact(cols.max(1)).take(rows).enumerate() {
        for (c, &v) in row.iter().enumerate() {
            if let Some(slot) = out.get_mut(c * rows + r) {
                *slot = v;
            }
        }
    }
    out
}

/// llama.cpp's converter reorders the rows of q and k within each head from Hugging
/// Face's half-split rotary layout to interleaved pairs
/// (`reshape(H, 2, hd/2, in).swap(1, 2)`). This is the inverse, so one rotary
/// implementation serves both sources and weights keep the checkpoint's row order.
pub fn unpermute_rotary_rows(data: &[f32], heads: usize, rows: usize, cols: usize) -> Vec<f32> {
    let head_dim = rows / heads.max(1);
    let half = head_dim / 2;
    let mut out = vec![0.0; data.len()];
    for h in 0..heads {
        for i in 0..half {
            for j in 0..2 {
                // GGUF row (h, i, j) holds HF row (h, j, i).
                let from = (h * head_dim + i * 2 + j) * cols;
                let to = (h * head_dim + j * half + i) * cols;
                if let (Some(src), Some(dst)) =
                    (data.get(from..from + cols), out.get_mut(to..to + cols))
                {
                    dst.copy_from_slice(src);
                }
            }
        }
    }
    out
}

/// Weights from one or more safetensors files (a sharded checkpoint is several).
pub struct SafetensorsWeights<'a> {
    files: Vec<SafetensorsFile<'a>>,
}

impl<'a> SafetensorsWeights<'a> {
    /// Parses each file's header; tensors are converted on demand.
    pub fn new(files: &[&'a [u8]]) -> Result<Self, SafetensorsError> {
        let files = files
            .iter()
            .map(|bytes| SafetensorsFile::parse(bytes))
            .collect::<Result<Vec<_>, SafetensorsError>>()?;
        Ok(SafetensorsWeights { files })
    }

    /// The file holding the tensor and the name it has there. The original GPT-2
    /// checkpoints (`openai-community/gpt2` and its kin) were saved from `GPT2Model`, so
    /// their names lack the `transformer.` prefix `GPT2LMHeadModel` gives them.
    fn find<'n>(&self, hf_name: &'n str) -> Option<(&SafetensorsFile<'a>, &'n str)> {
        let mut names = std::iter::once(hf_name).chain(hf_name.strip_prefix("transformer."));
        names.find_map(|name| {
            self.files
                .iter()
                .find(|f| f.tensor(name).is_ok())
                .map(|f| (f, name))
        })
    }
}

impl WeightSource for SafetensorsWeights<'_> {
    fn has(&self, hf_name: &str) -> bool {
        self.find(hf_name).is_some()
    }

    fn load(&self, hf_name: &str) -> Result<HostTensor, WeightError> {
        let (file, name) = self.find(hf_name).ok_or_else(|| WeightError::Missing {
            name: hf_name.to_string(),
            hf_name: hf_name.to_string(),
        })?;
        let unreadable = |reason: String| WeightError::Unreadable {
            name: name.to_string(),
            reason,
        };
        let info = file.tensor(name).map_err(|e| unreadable(e.to_string()))?;
        let shape = info.shape().iter().map(|&d| d as usize).collect();
        let data = file.read_f32(name).map_err(|e| unreadable(e.to_string()))?;
        Ok(HostTensor { shape, data })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transposes_and_columns_are_contiguous_copies() {
        let t = HostTensor {
            shape: vec![2, 3],
            data: vec![1., 2., 3., 4., 5., 6.],
        };
        assert_eq!(t.columns(1, 2).unwrap().data, [2., 3., 5., 6.]);
        assert!(t.columns(2, 2).is_none());
        let u = t.transposed();
        assert_eq!(u.shape, [3, 2]);
        assert_eq!(u.data, [1., 4., 2., 5., 3., 6.]);
        // Larger than one tile, and not a multiple of it: transposing twice is identity.
        let big = HostTensor {
            shape: vec![45, 70],
            data: (0..45 * 70).map(|i| i as f32).collect(),
        };
        let back = big.clone().transposed();
        assert_eq!(back.data[69 * 45 + 44], big.data[44 * 70 + 69]);
        assert_eq!(back.transposed(), big);
    }

    #[test]
    fn unpermute_inverts_the_converter_permutation() {
        // Two heads of width 4, two columns: rows labelled by their HF index.
        let (heads, hd, cols) = (2, 4, 2);
        let hf: Vec<f32> = (0..heads * hd * cols).map(|v| v as f32).collect();
        // The converter: row (h, j, i) of HF goes to (h, i, j).
        let mut gguf = vec![0.0; hf.len()];
        for h in 0..heads {
            for j in 0..2 {
                for i in 0..hd / 2 {
                    let from = (h * hd + j * (hd / 2) + i) * cols;
                    let to = (h * hd + i * 2 + j) * cols;
                    gguf[to..to + cols].copy_from_slice(&hf[from..from + cols]);
                }
            }
        }
        assert_ne!(gguf, hf);
        assert_eq!(unpermute_rotary_rows(&gguf, heads, heads * hd, cols), hf);
    }

    #[test]
    fn gguf_names() {
        assert_eq!(
            gguf_name(Family::Llama, "model.layers.12.mlp.down_proj.weight").as_deref(),
            Some("blk.12.ffn_down.weight")
        );
        assert_eq!(
            gguf_name(
                Family::Gemma3,
                "model.layers.0.pre_feedforward_layernorm.weight"
            )
            .as_deref(),
            Some("blk.0.ffn_norm.weight")
        );
        assert_eq!(
            gguf_name(Family::Qwen2, "model.layers.1.self_attn.k_proj.bias").as_deref(),
            Some("blk.1.attn_k.bias")
        );
        assert_eq!(gguf_name(Family::Llama, "model.layers.x"), None);
    }

    #[test]
    fn nan_weights_are_refused_naming_the_tensor() {
        use mechscope_formats::gguf::writer::GgufWriter;
        use mechscope_formats::gguf::{GgmlType, MetadataValue};

        let norm: Vec<u8> = [1.0f32, 1.0, f32::NAN, 1.0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let mut w = GgufWriter::new();
        w.metadata(
            "general.architecture",
            MetadataValue::String("llama".into()),
        );
        for (key, value) in [
            ("llama.block_count", 1),
            ("llama.embedding_length", 4),
            ("llama.feed_forward_length", 8),
            ("llama.attention.head_count", 2),
            ("llama.vocab_size", 3),
        ] {
            w.metadata(key, MetadataValue::U32(value));
        }
        w.tensor("output_norm.weight", &[4], GgmlType::F32, norm.clone());
        let bytes = w.to_bytes();
        let header = mechscope_formats::gguf::parse_file(&bytes).unwrap();
        let config = ModelConfig::from_gguf(&header).unwrap();
        let error = GgufWeights::new(&header, &bytes, &config)
            .load("model.norm.weight")
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "tensor \"output_norm.weight\" could not be read: element 2 is NaN: a weight \
             that is not a finite number makes every output NaN, so the file is corrupt \
             (re-download or re-convert it)"
        );

        let json = br#"{"model.norm.weight":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#;
        let mut file = (json.len() as u64).to_le_bytes().to_vec();
        file.extend_from_slice(json);
        file.extend_from_slice(&norm);
        let error = SafetensorsWeights::new(&[file.as_slice()])
            .unwrap()
            .load("model.norm.weight")
            .unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("tensor \"model.norm.weight\" could not be read: tensor `model.norm.weight` holds NaN at element 2"),
            "{error}"
        );
    }
}
