//! The architecture of a model, from a Hugging Face `config.json` or from GGUF metadata,
//! turned into one [`ModelConfig`] that the model crate builds from.
//!
//! Four families are supported; they differ only by configuration (norm kind,
//! activation, biases, rope, tied unembedding), which [`Family`] spells out so the model
//! code never branches on a model name.
//!
//! ```
//! use mechscope_formats::config::{Family, ModelConfig};
//!
//! let json = br#"{"model_type": "llama", "hidden_size": 576, "intermediate_size": 1536,
//!   "num_hidden_layers": 30, "num_attention_heads": 9, "num_key_value_heads": 3,
//!   "vocab_size": 49152, "rms_norm_eps": 1e-5, "rope_theta": 100000.0,
//!   "tie_word_embeddings": true, "max_position_embeddings": 8192}"#;
//! let config = ModelConfig::from_hf_json(json).unwrap();
//! assert_eq!(config.family, Family::Llama);
//! assert_eq!(config.head_dim, 64);
//! assert!(config.tie_embeddings);
//! ```

use crate::gguf::{GgufHeader, MetadataValue};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The architecture families MechScope runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// Llama 2/3, SmolLM2, TinyLlama: RMSNorm, SiLU-gated MLP, rotary positions.
    Llama,
    /// Qwen2 / Qwen2.5: Llama plus biases on q, k and v.
    Qwen2,
    /// Gemma 3: RMSNorm with (1 + w), GeLU-tanh gate, q/k norms, scaled embeddings,
    /// sandwich norms, sliding-window and global layers with their own rope bases.
    Gemma3,
    /// GPT-2: learned positions, LayerNorm with bias, plain GeLU MLP, fused qkv.
    Gpt2,
}

impl Family {
    /// Every supported family, for messages that list them.
    pub const ALL: [Family; 4] = [Family::Llama, Family::Qwen2, Family::Gemma3, Family::Gpt2];

    /// The names accepted as HF `model_type` / GGUF `general.architecture`.
    fn from_name(name: &str) -> Option<Family> {
        Some(match name {
            "llama" | "mistral" => Family::Llama,
            "qwen2" => Family::Qwen2,
            "gemma3" | "gemma3_text" => Family::Gemma3,
            "gpt2" => Family::Gpt2,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Family::Llama => "llama",
            Family::Qwen2 => "qwen2",
            Family::Gemma3 => "gemma3",
            Family::Gpt2 => "gpt2",
        }
    }

    /// The MLP's activation function.
    pub fn activation(self) -> Activation {
        match self {
            Family::Llama | Family::Qwen2 => Activation::Silu,
            Family::Gemma3 => Activation::GeluTanh,
            Family::Gpt2 => Activation::GeluTanh,
        }
    }

    /// Whether the MLP is gated (`act(gate x) * up x`) or plain (`act(fc x)`).
    pub fn gated_mlp(self) -> bool {
        !matches!(self, Family::Gpt2)
    }
}

impl std::fmt::Display for Family {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The MLP activation. GPT-2's `gelu_new` and Gemma's `gelu_pytorch_tanh` are the same
/// tanh approximation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    Silu,
    GeluTanh,
}

/// Llama 3's frequency-dependent rope scaling (`rope_scaling.rope_type = "llama3"`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Llama3RopeScaling {
    pub factor: f64,
    pub low_freq_factor: f64,
    pub high_freq_factor: f64,
    pub original_max_position_embeddings: f64,
}

/// Everything the model needs to know about an architecture, in one place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelConfig {
    pub family: Family,
    pub n_layers: usize,
    pub d_model: usize,
    pub d_ff: usize,
    pub n_heads: usize,
    pub n_kv_heads: usize,
    pub head_dim: usize,
    pub vocab_size: usize,
    /// Longest sequence the positions support (learned positions for GPT-2, the
    /// trained context otherwise).
    pub max_positions: usize,
    pub norm_eps: f64,
    /// Rope base of global layers (every layer outside Gemma 3).
    pub rope_theta: f64,
    /// Rope base of Gemma 3's sliding-window layers.
    pub rope_local_theta: Option<f64>,
    pub rope_scaling: Option<Llama3RopeScaling>,
    /// Attention window of sliding layers (Gemma 3).
    pub sliding_window: Option<usize>,
    /// Per layer: true where attention is limited to `sliding_window`.
    pub sliding_layers: Vec<bool>,
    /// Multiplier of q·k before the softmax (1/sqrt(head_dim) unless the family says otherwise).
    pub attention_scale: f64,
    /// Whether the unembedding is the token embedding.
    pub tie_embeddings: bool,
    pub attention_bias: bool,
    pub mlp_bias: bool,
}

/// Upper bounds on the sizes a configuration may declare, far above every real model
/// (Llama 3 405B: 126 layers, width 16 384, MLP 53 248, 128 heads; Gemma 3's vocabulary
/// of 262 144; context lengths up to 10 M). They are checked as each size is read, before
/// anything is allocated by it, and they keep every product of sizes (the parameter
/// count, the memory estimate) far from overflowing 64 bits.
pub mod limits {
    /// Most layers.
    pub const MAX_LAYERS: usize = 1 << 12;
    /// Widest model or MLP (in elements).
    pub const MAX_WIDTH: usize = 1 << 20;
    /// Widest attention head (real ones are at most 256 wide).
    pub const MAX_HEAD_WIDTH: usize = 1 << 14;
    /// Most attention heads (query or key-value).
    pub const MAX_HEADS: usize = 1 << 12;
    /// Largest vocabulary.
    pub const MAX_VOCABULARY: usize = 1 << 24;
    /// Longest context (positions).
    pub const MAX_POSITIONS: usize = 1 << 26;
}

/// What is wrong with a configuration.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    #[error("config.json is not valid JSON: {0}")]
    Json(String),
    #[error(
        "architecture {found:?} is not supported; MechScope runs: {}",
        Family::ALL.map(|f| f.name()).join(", ")
    )]
    UnsupportedArchitecture { found: String },
    #[error("the configuration has no {0:?}: it is needed to build the model")]
    Missing(String),
    #[error(
        "{field} is {value}, more than the limit of {limit}: the configuration is corrupt \
         or describes a model far larger than any MechScope can run"
    )]
    TooLarge {
        field: String,
        value: usize,
        limit: usize,
    },
    #[error("{field} is {value}, which {reason}")]
    Invalid {
        field: String,
        value: String,
        reason: String,
    },
}

fn missing(field: &str) -> ConfigError {
    ConfigError::Missing(field.to_string())
}

/// `value`, or [`ConfigError::TooLarge`] when it exceeds `limit`.
fn capped(field: &str, value: usize, limit: usize) -> Result<usize, ConfigError> {
    if value > limit {
        return Err(ConfigError::TooLarge {
            field: field.to_string(),
            value,
            limit,
        });
    }
    Ok(value)
}

/// Reads fields of a JSON object by name, with errors that name the field.
struct Fields<'a>(&'a serde_json::Map<String, Value>);

impl Fields<'_> {
    fn opt_usize(&self, key: &str) -> Result<Option<usize>, ConfigError> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .map(Some)
                .ok_or_else(|| ConfigError::Invalid {
                    field: key.to_string(),
                    value: v.to_string(),
                    reason: "is not a non-negative integer".into(),
                }),
        }
    }
    /// A size that must not exceed `limit`, checked before anything uses it.
    fn opt_size(&self, key: &str, limit: usize) -> Result<Option<usize>, ConfigError> {
        self.opt_usize(key)?
            .map(|value| capped(key, value, limit))
            .transpose()
    }
    fn size(&self, key: &str, limit: usize) -> Result<usize, ConfigError> {
        self.opt_size(key, limit)?.ok_or_else(|| missing(key))
    }
    fn opt_f64(&self, key: &str) -> Result<Option<f64>, ConfigError> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v.as_f64().map(Some).ok_or_else(|| ConfigError::Invalid {
                field: key.to_string(),
                value: v.to_string(),
                reason: "is not a number".into(),
            }),
        }
    }
    fn opt_bool(&self, key: &str) -> Option<bool> {
        self.0.get(key).and_then(Value::as_bool)
    }
    fn opt_str(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(Value::as_str)
    }
}

/// Gemma 3's layout when the config gives no `layer_types`: every sixth layer global.
const GEMMA3_SLIDING_PATTERN: usize = 6;
/// Gemma 3's rope base of sliding layers when the source does not state it.
const GEMMA3_LOCAL_ROPE_THETA: f64 = 10_000.0;

impl ModelConfig {
    /// Parses a Hugging Face `config.json` (multimodal Gemma 3 configs are read from
    /// their `text_config`).
    pub fn from_hf_json(bytes: &[u8]) -> Result<Self, ConfigError> {
        let root: Value = serde_json::from_slice(bytes)
            .map_err(|e| ConfigError::Json(crate::json::describe_error(&e)))?;
        let mut object = root
            .as_object()
            .ok_or_else(|| ConfigError::Json("the top level is not an object".into()))?;
        if let Some(text) = object.get("text_config").and_then(Value::as_object) {
            object = text;
        }
        let f = Fields(object);
        let model_type = f
            .opt_str("model_type")
            .or_else(|| root.get("model_type").and_then(Value::as_str))
            .ok_or_else(|| missing("model_type"))?;
        let family =
            Family::from_name(model_type).ok_or_else(|| ConfigError::UnsupportedArchitecture {
                found: model_type.to_string(),
            })?;
        let config = match family {
            Family::Gpt2 => {
                let d_model = f.size("n_embd", limits::MAX_WIDTH)?;
                let n_heads = f.size("n_head", limits::MAX_HEADS)?;
                let n_layers = f.size("n_layer", limits::MAX_LAYERS)?;
                ModelConfig {
                    family,
                    n_layers,
                    d_model,
                    d_ff: f
                        .opt_size("n_inner", limits::MAX_WIDTH)?
                        .unwrap_or(4 * d_model),
                    n_heads,
                    n_kv_heads: n_heads,
                    head_dim: checked_head_dim(d_model, n_heads)?,
                    vocab_size: f.size("vocab_size", limits::MAX_VOCABULARY)?,
                    max_positions: f.size("n_positions", limits::MAX_POSITIONS)?,
                    norm_eps: f.opt_f64("layer_norm_epsilon")?.unwrap_or(1e-5),
                    rope_theta: 0.0,
                    rope_local_theta: None,
                    rope_scaling: None,
                    sliding_window: None,
                    sliding_layers: vec![false; n_layers],
                    attention_scale: 0.0,
                    tie_embeddings: true,
                    attention_bias: true,
                    mlp_bias: true,
                }
            }
            Family::Llama | Family::Qwen2 | Family::Gemma3 => {
                let d_model = f.size("hidden_size", limits::MAX_WIDTH)?;
                let n_heads = f.size("num_attention_heads", limits::MAX_HEADS)?;
                let n_layers = f.size("num_hidden_layers", limits::MAX_LAYERS)?;
                let head_dim = match f.opt_size("head_dim", limits::MAX_HEAD_WIDTH)? {
                    Some(h) => h,
                    None => checked_head_dim(d_model, n_heads)?,
                };
                let gemma = family == Family::Gemma3;
                let sliding_layers = if gemma {
                    match object.get("layer_types").and_then(Value::as_array) {
                        Some(types) => types
                            .iter()
                            .map(|t| t.as_str() == Some("sliding_attention"))
                            .collect(),
                        None => {
                            let pattern = f
                                .opt_usize("sliding_window_pattern")?
                                .unwrap_or(GEMMA3_SLIDING_PATTERN);
                            gemma_sliding_layers(n_layers, pattern)
                        }
                    }
                } else {
                    vec![false; n_layers]
                };
                let attention_scale = match (gemma, f.opt_f64("query_pre_attn_scalar")?) {
                    (true, Some(s)) => 1.0 / s.sqrt(),
                    _ => 1.0 / (head_dim as f64).sqrt(),
                };
                ModelConfig {
                    family,
                    n_layers,
                    d_model,
                    d_ff: f.size("intermediate_size", limits::MAX_WIDTH)?,
                    n_heads,
                    n_kv_heads: f
                        .opt_size("num_key_value_heads", limits::MAX_HEADS)?
                        .unwrap_or(n_heads),
                    head_dim,
                    vocab_size: f.size("vocab_size", limits::MAX_VOCABULARY)?,
                    max_positions: f
                        .opt_size("max_position_embeddings", limits::MAX_POSITIONS)?
                        .unwrap_or(2048),
                    norm_eps: f.opt_f64("rms_norm_eps")?.unwrap_or(1e-6),
                    rope_theta: f.opt_f64("rope_theta")?.unwrap_or(10_000.0),
                    rope_local_theta: gemma.then(|| {
                        f.opt_f64("rope_local_base_freq")
                            .ok()
                            .flatten()
                            .unwrap_or(GEMMA3_LOCAL_ROPE_THETA)
                    }),
                    rope_scaling: llama3_rope_scaling(object.get("rope_scaling"))?,
                    sliding_window: if gemma {
                        f.opt_size("sliding_window", limits::MAX_POSITIONS)?
                    } else {
                        None
                    },
                    sliding_layers,
                    attention_scale,
                    tie_embeddings: f.opt_bool("tie_word_embeddings").unwrap_or(gemma),
                    attention_bias: family == Family::Qwen2
                        || f.opt_bool("attention_bias").unwrap_or(false),
                    mlp_bias: f.opt_bool("mlp_bias").unwrap_or(false),
                }
            }
        };
        config.validate()
    }

    /// Derives the configuration from GGUF metadata (`{arch}.*` keys). Whether the
    /// unembedding is tied is decided by the presence of `output.weight`.
    pub fn from_gguf(header: &GgufHeader) -> Result<Self, ConfigError> {
        let arch = header
            .architecture()
            .ok_or_else(|| missing("general.architecture"))?;
        let family =
            Family::from_name(arch).ok_or_else(|| ConfigError::UnsupportedArchitecture {
                found: arch.to_string(),
            })?;
        let key = |suffix: &str| format!("{arch}.{suffix}");
        let opt_u = |suffix: &str| -> Option<usize> {
            header
                .get(&key(suffix))
                .and_then(MetadataValue::as_u64)
                .and_then(|v| usize::try_from(v).ok())
        };
        let opt_f = |suffix: &str| header.get(&key(suffix)).and_then(MetadataValue::as_f64);

        let capped_u = |suffix: &str, limit: usize| -> Result<Option<usize>, ConfigError> {
            opt_u(suffix)
                .map(|value| capped(&key(suffix), value, limit))
                .transpose()
        };
        let need_capped_u = |suffix: &str, limit: usize| -> Result<usize, ConfigError> {
            capped_u(suffix, limit)?.ok_or_else(|| missing(&key(suffix)))
        };
        let n_layers = need_capped_u("block_count", limits::MAX_LAYERS)?;
        let d_model = need_capped_u("embedding_length", limits::MAX_WIDTH)?;
        let n_heads = need_capped_u("attention.head_count", limits::MAX_HEADS)?;
        let head_dim = match capped_u("attention.key_length", limits::MAX_HEAD_WIDTH)? {
            Some(h) => h,
            None => checked_head_dim(d_model, n_heads)?,
        };
        let embedding = header.tensor("token_embd.weight");
        let vocab_size = opt_u("vocab_size")
            .or_else(|| {
                header
                    .get("tokenizer.ggml.tokens")
                    .and_then(MetadataValue::as_array)
                    .map(|a| a.len())
            })
            .or_else(|| embedding.and_then(|t| t.shape.get(1).map(|&v| v as usize)))
            .ok_or_else(|| missing(&key("vocab_size")))?;
        let vocab_size = capped(&key("vocab_size"), vocab_size, limits::MAX_VOCABULARY)?;
        let gemma = family == Family::Gemma3;
        let gpt2 = family == Family::Gpt2;
        let config = ModelConfig {
            family,
            n_layers,
            d_model,
            d_ff: need_capped_u("feed_forward_length", limits::MAX_WIDTH)?,
            n_heads,
            n_kv_heads: capped_u("attention.head_count_kv", limits::MAX_HEADS)?.unwrap_or(n_heads),
            head_dim,
            vocab_size,
            max_positions: capped_u("context_length", limits::MAX_POSITIONS)?.unwrap_or(2048),
            norm_eps: opt_f(if gpt2 {
                "attention.layer_norm_epsilon"
            } else {
                "attention.layer_norm_rms_epsilon"
            })
            .unwrap_or(if gpt2 { 1e-5 } else { 1e-6 }),
            rope_theta: if gpt2 {
                0.0
            } else {
                opt_f("rope.freq_base").unwrap_or(10_000.0)
            },
            rope_local_theta: gemma.then_some(GEMMA3_LOCAL_ROPE_THETA),
            rope_scaling: None,
            sliding_window: if gemma {
                capped_u("attention.sliding_window", limits::MAX_POSITIONS)?
            } else {
                None
            },
            sliding_layers: if gemma {
                gemma_sliding_layers(n_layers, GEMMA3_SLIDING_PATTERN)
            } else {
                vec![false; n_layers]
            },
            attention_scale: if gpt2 {
                0.0
            } else {
                1.0 / (head_dim as f64).sqrt()
            },
            tie_embeddings: header.tensor("output.weight").is_none(),
            attention_bias: gpt2 || family == Family::Qwen2,
            mlp_bias: gpt2,
        };
        config.validate()
    }

    /// Checks the relations between sizes the model relies on.
    fn validate(mut self) -> Result<Self, ConfigError> {
        let invalid = |field: &str, value: usize, reason: &str| ConfigError::Invalid {
            field: field.to_string(),
            value: value.to_string(),
            reason: reason.to_string(),
        };
        for (field, value) in [
            ("the layer count", self.n_layers),
            ("the model width", self.d_model),
            ("the MLP width", self.d_ff),
            ("the head count", self.n_heads),
            ("the key-value head count", self.n_kv_heads),
            ("the head width", self.head_dim),
            ("the vocabulary size", self.vocab_size),
        ] {
            if value == 0 {
                return Err(invalid(field, value, "must be positive"));
            }
        }
        for (field, value, limit) in [
            ("the layer count", self.n_layers, limits::MAX_LAYERS),
            ("the model width", self.d_model, limits::MAX_WIDTH),
            ("the MLP width", self.d_ff, limits::MAX_WIDTH),
            ("the head count", self.n_heads, limits::MAX_HEADS),
            (
                "the key-value head count",
                self.n_kv_heads,
                limits::MAX_HEADS,
            ),
            ("the head width", self.head_dim, limits::MAX_HEAD_WIDTH),
            (
                "the vocabulary size",
                self.vocab_size,
                limits::MAX_VOCABULARY,
            ),
            (
                "the context length",
                self.max_positions,
                limits::MAX_POSITIONS,
            ),
        ] {
            capped(field, value, limit)?;
        }
        if !self.n_heads.is_multiple_of(self.n_kv_heads) {
            return Err(invalid(
                "the key-value head count",
                self.n_kv_heads,
                &format!("does not divide the {} query heads", self.n_heads),
            ));
        }
        if self.family != Family::Gpt2 && !self.head_dim.is_multiple_of(2) {
            return Err(invalid(
                "the head width",
                self.head_dim,
                "must be even for rotary positions",
            ));
        }
        if self.family == Family::Gpt2 {
            self.attention_scale = 1.0 / (self.head_dim as f64).sqrt();
        }
        self.sliding_layers.resize(self.n_layers, false);
        Ok(self)
    }

    /// Parameters of the model counted once each (tied embeddings once). Computed in
    /// `u64` and saturating, so no configuration can make it overflow, on wasm32 either.
    pub fn parameter_count(&self) -> u64 {
        let [l, d, f, v, heads, kv_heads, head_dim, positions] = [
            self.n_layers,
            self.d_model,
            self.d_ff,
            self.vocab_size,
            self.n_heads,
            self.n_kv_heads,
            self.head_dim,
            self.max_positions,
        ]
        .map(|n| Count(n as u64));
        let zero = Count(0);
        let q = heads * head_dim;
        let kv = kv_heads * head_dim;
        let (norm, norms_per_layer) = match self.family {
            Family::Gpt2 => (Count(2) * d, Count(2)),
            Family::Gemma3 => (d, Count(4)),
            _ => (d, Count(2)),
        };
        let attn = d * q
            + Count(2) * d * kv
            + q * d
            + if self.attention_bias {
                q + Count(2) * kv
            } else {
                zero
            }
            + if self.family == Family::Gpt2 { d } else { zero }
            + if self.family == Family::Gemma3 {
                Count(2) * head_dim
            } else {
                zero
            };
        let matrices = Count(if self.family.gated_mlp() { 3 } else { 2 });
        let mlp = matrices * d * f + if self.mlp_bias { f + d } else { zero };
        let per_layer = attn + mlp + norms_per_layer * norm;
        let embed = v * d
            + if self.family == Family::Gpt2 {
                positions * d
            } else {
                zero
            };
        let unembed = if self.tie_embeddings { zero } else { v * d };
        (l * per_layer + embed + unembed + norm).0
    }
}

/// A parameter count whose arithmetic saturates at `u64::MAX` instead of overflowing.
#[derive(Clone, Copy)]
struct Count(u64);

impl std::ops::Add for Count {
    type Output = Count;
    fn add(self, other: Count) -> Count {
        Count(self.0.saturating_add(other.0))
    }
}

impl std::ops::Mul for Count {
    type Output = Count;
    fn mul(self, other: Count) -> Count {
        Count(self.0.saturating_mul(other.0))
    }
}

fn checked_head_dim(d_model: usize, n_heads: usize) -> Result<usize, ConfigError> {
    if n_heads == 0 || !d_model.is_multiple_of(n_heads) {
        return Err(ConfigError::Invalid {
            field: "the head count".into(),
            value: n_heads.to_string(),
            reason: format!("does not divide the model width {d_model}"),
        });
    }
    Ok(d_model / n_heads)
}

/// Gemma 3 alternates `pattern - 1` sliding layers with one global layer.
fn gemma_sliding_layers(n_layers: usize, pattern: usize) -> Vec<bool> {
    (0..n_layers)
        .map(|i| pattern == 0 || (i + 1) % pattern != 0)
        .collect()
}

fn llama3_rope_scaling(value: Option<&Value>) -> Result<Option<Llama3RopeScaling>, ConfigError> {
    let Some(object) = value.and_then(Value::as_object) else {
        return Ok(None);
    };
    let f = Fields(object);
    let kind = f.opt_str("rope_type").or_else(|| f.opt_str("type"));
    match kind {
        Some("llama3") => Ok(Some(Llama3RopeScaling {
            factor: f
                .opt_f64("factor")?
                .ok_or_else(|| missing("rope_scaling.factor"))?,
            low_freq_factor: f.opt_f64("low_freq_factor")?.unwrap_or(1.0),
            high_freq_factor: f.opt_f64("high_freq_factor")?.unwrap_or(4.0),
            original_max_position_embeddings: f
                .opt_f64("original_max_position_embeddings")?
                .unwrap_or(8192.0),
        })),
        Some("default") | None => Ok(None),
        Some(other) => Err(ConfigError::Invalid {
            field: "rope_scaling.rope_type".into(),
            value: other.to_string(),
            reason: "is not supported (supported: llama3, default)".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gguf::{GgmlType, writer::GgufWriter};

    #[test]
    fn unsupported_architecture_names_itself_and_the_supported_ones() {
        let err = ModelConfig::from_hf_json(br#"{"model_type": "mamba"}"#).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("\"mamba\""), "{text}");
        assert!(text.contains("llama, qwen2, gemma3, gpt2"), "{text}");
    }

    #[test]
    fn a_missing_field_is_named() {
        let err =
            ModelConfig::from_hf_json(br#"{"model_type": "llama", "hidden_size": 8}"#).unwrap_err();
        assert_eq!(err, ConfigError::Missing("num_attention_heads".into()));
    }

    #[test]
    fn gemma3_layer_types_and_scales() {
        let json = br#"{"model_type": "gemma3_text", "hidden_size": 640, "intermediate_size": 2048,
          "num_hidden_layers": 18, "num_attention_heads": 4, "num_key_value_heads": 1,
          "head_dim": 256, "vocab_size": 262144, "rope_theta": 1000000.0,
          "rope_local_base_freq": 10000.0, "sliding_window": 512,
          "query_pre_attn_scalar": 256, "rms_norm_eps": 1e-6}"#;
        let c = ModelConfig::from_hf_json(json).unwrap();
        assert_eq!(c.family, Family::Gemma3);
        assert!(c.tie_embeddings);
        assert_eq!(c.sliding_layers.iter().filter(|s| !**s).count(), 3);
        assert!(!c.sliding_layers[5] && c.sliding_layers[0]);
        assert_eq!(c.attention_scale, 1.0 / 16.0);
        assert_eq!(c.rope_local_theta, Some(10_000.0));
    }

    #[test]
    fn gpt2_defaults() {
        let json = br#"{"model_type": "gpt2", "n_embd": 64, "n_head": 4, "n_layer": 2,
          "n_positions": 128, "vocab_size": 100}"#;
        let c = ModelConfig::from_hf_json(json).unwrap();
        assert_eq!((c.d_ff, c.head_dim, c.attention_scale), (256, 16, 0.25));
        assert!(c.attention_bias && c.mlp_bias && c.tie_embeddings);
        // wte + wpe + per layer (ln1, attn, ln2, mlp) + ln_f
        let per_layer = 2 * 64
            + (64 * 192 + 192)
            + (64 * 64 + 64)
            + 2 * 64
            + (64 * 256 + 256)
            + (256 * 64 + 64);
        assert_eq!(
            c.parameter_count(),
            100 * 64 + 128 * 64 + 2 * per_layer + 2 * 64
        );
    }

    #[test]
    fn heads_must_divide() {
        let json = br#"{"model_type": "qwen2", "hidden_size": 64, "intermediate_size": 128,
          "num_hidden_layers": 1, "num_attention_heads": 4, "num_key_value_heads": 3, "vocab_size": 10}"#;
        assert!(matches!(
            ModelConfig::from_hf_json(json),
            Err(ConfigError::Invalid { .. })
        ));
    }

    #[test]
    fn from_gguf_metadata() {
        let mut w = GgufWriter::new();
        w.metadata(
            "general.architecture",
            MetadataValue::String("qwen2".into()),
        )
        .metadata("qwen2.block_count", MetadataValue::U32(2))
        .metadata("qwen2.embedding_length", MetadataValue::U32(64))
        .metadata("qwen2.feed_forward_length", MetadataValue::U32(128))
        .metadata("qwen2.attention.head_count", MetadataValue::U32(4))
        .metadata("qwen2.attention.head_count_kv", MetadataValue::U32(2))
        .metadata("qwen2.rope.freq_base", MetadataValue::F32(1e6))
        .metadata(
            "qwen2.attention.layer_norm_rms_epsilon",
            MetadataValue::F32(1e-6),
        );
        w.tensor("token_embd.weight", &[64, 10], GgmlType::F32, vec![0; 2560]);
        let header = crate::gguf::parse_file(&w.to_bytes()).unwrap();
        let c = ModelConfig::from_gguf(&header).unwrap();
        assert_eq!(c.family, Family::Qwen2);
        assert_eq!((c.vocab_size, c.head_dim, c.n_kv_heads), (10, 16, 2));
        assert!(c.attention_bias && c.tie_embeddings);
        assert_eq!(c.rope_theta, 1e6);
    }

    #[test]
    fn a_huge_layer_count_is_refused_before_allocating_per_layer() {
        // One flag per layer is allocated while reading: 10^12 of them would abort.
        let json = br#"{"model_type": "llama", "hidden_size": 64, "intermediate_size": 128,
          "num_hidden_layers": 1000000000000, "num_attention_heads": 4, "vocab_size": 10}"#;
        let err = ModelConfig::from_hf_json(json).unwrap_err();
        assert_eq!(
            err.to_string(),
            "num_hidden_layers is 1000000000000, more than the limit of 4096: the \
             configuration is corrupt or describes a model far larger than any MechScope \
             can run"
        );
        let json = br#"{"model_type": "gpt2", "n_embd": 64, "n_head": 4,
          "n_layer": 18446744073709551615, "n_positions": 128, "vocab_size": 100}"#;
        assert!(matches!(
            ModelConfig::from_hf_json(json).unwrap_err(),
            ConfigError::TooLarge { field, .. } if field == "n_layer"
        ));
    }

    #[test]
    fn a_width_that_would_overflow_a_default_is_refused() {
        // GPT-2's MLP width defaults to 4 × n_embd, which overflowed for a huge n_embd.
        let json = br#"{"model_type": "gpt2", "n_embd": 9223372036854775807, "n_head": 1,
          "n_layer": 1, "n_positions": 128, "vocab_size": 100}"#;
        assert!(matches!(
            ModelConfig::from_hf_json(json).unwrap_err(),
            ConfigError::TooLarge { field, .. } if field == "n_embd"
        ));
    }

    #[test]
    fn gguf_sizes_are_capped_too() {
        let mut w = GgufWriter::new();
        w.metadata(
            "general.architecture",
            MetadataValue::String("llama".into()),
        )
        .metadata("llama.block_count", MetadataValue::U64(u64::MAX))
        .metadata("llama.embedding_length", MetadataValue::U32(64))
        .metadata("llama.feed_forward_length", MetadataValue::U32(128))
        .metadata("llama.attention.head_count", MetadataValue::U32(4))
        .metadata("llama.vocab_size", MetadataValue::U32(10));
        let header = crate::gguf::parse_file(&w.to_bytes()).unwrap();
        assert_eq!(
            ModelConfig::from_gguf(&header).unwrap_err(),
            ConfigError::TooLarge {
                field: "llama.block_count".into(),
                value: usize::try_from(u64::MAX).unwrap(),
                limit: limits::MAX_LAYERS,
            }
        );
    }

    #[test]
    fn the_parameter_count_of_the_largest_config_allowed_does_not_overflow() {
        let json = format!(
            r#"{{"model_type": "gpt2", "n_embd": {w}, "n_inner": {w}, "n_head": {h},
              "n_layer": {l}, "n_positions": {p}, "vocab_size": {v}}}"#,
            w = limits::MAX_WIDTH,
            h = limits::MAX_HEADS,
            l = limits::MAX_LAYERS,
            p = limits::MAX_POSITIONS,
            v = limits::MAX_VOCABULARY,
        );
        let mut config = ModelConfig::from_hf_json(json.as_bytes()).unwrap();
        assert!(config.parameter_count() > 1 << 50);
        // Sizes set by hand past the caps saturate rather than overflow.
        config.n_layers = usize::MAX;
        config.vocab_size = usize::MAX;
        assert_eq!(config.parameter_count(), u64::MAX);
    }

    #[test]
    fn json_nested_100k_deep_is_an_error_that_says_so() {
        let deep = format!("{{\"model_type\": {}", "[".repeat(100_000));
        let err = ModelConfig::from_hf_json(deep.as_bytes()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "config.json is not valid JSON: recursion limit exceeded at line 1 column 142: \
             arrays or objects are nested more than 128 deep, which no real file needs (the \
             file is corrupt or hostile)"
        );
    }
}
