//! Will a model fit? The memory a model needs, estimated from its configuration before
//! any weight is downloaded, against what a browser tab offers.
//!
//! A browser has two hard walls. WebAssembly (wasm32) memory stops at 4 GiB, and holds
//! the downloaded file plus, on the CPU backend, every weight as `f32`. On WebGPU each
//! tensor is one buffer, so the largest tensor (usually the embedding, `vocab × d`) must
//! fit the adapter's `maxStorageBufferBindingSize` and `maxBufferSize`; burn asks the
//! device for the adapter's full limits, so those are the numbers that count. Checking
//! first turns a crash deep in a load into a sentence with the numbers in it.
//!
//! ```
//! use mechscope_formats::config::ModelConfig;
//! use mechscope_formats::fit::{Budget, memory_need};
//!
//! let config = ModelConfig::from_hf_json(br#"{"architectures": ["LlamaForCausalLM"], "model_type": "llama",
//!     "hidden_size": 576, "intermediate_size": 1536, "num_hidden_layers": 30,
//!     "num_attention_heads": 9, "num_key_value_heads": 3, "vocab_size": 49152,
//!     "max_position_embeddings": 8192, "rms_norm_eps": 1e-5, "rope_theta": 100000,
//!     "tie_word_embeddings": true}"#).unwrap();
//! let need = memory_need(&config, 270_000_000);
//! assert_eq!(need.largest_tensor_bytes, 49152 * 576 * 4);
//! let gpu = Budget::webgpu(2_147_483_648.0, 134_217_728.0);
//! assert!(gpu.check(&need).is_ok());
//! let small = Budget::webgpu(2_147_483_648.0, 64.0 * 1024.0 * 1024.0);
//! assert!(small.check(&need).unwrap_err().to_string().contains("maxStorageBufferBindingSize"));
//! ```

use crate::config::ModelConfig;

/// wasm32's address space: no tab can hold more in WebAssembly memory.
pub const WASM_MEMORY_LIMIT: u64 = 4 << 30;
/// Room kept for the code, the tokenizer, activations and the allocator's slack.
pub const WASM_HEADROOM: u64 = 384 << 20;

/// What a model needs, in bytes, computing in `f32`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoryNeed {
    /// Every parameter as `f32`.
    pub weights_bytes: u64,
    /// The largest single tensor as `f32`, and what it is.
    pub largest_tensor_bytes: u64,
    pub largest_tensor: &'static str,
    /// The files as downloaded (they stay in memory while the weights are prepared).
    pub download_bytes: u64,
}

/// What a tab offers the model.
#[derive(Debug, Clone, PartialEq)]
pub struct Budget {
    /// WebGPU's per-buffer limits (`maxBufferSize`, `maxStorageBufferBindingSize`);
    /// `None` on the CPU backend.
    pub gpu: Option<(f64, f64)>,
    pub wasm_memory_bytes: u64,
}

/// Why a model does not fit, with the numbers.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FitError {
    #[error(
        "the model needs about {need} of WebAssembly memory ({detail}), but a browser tab \
         has at most {limit}. Try a smaller model, or a quantised GGUF on WebGPU, or the \
         native CLI (`mechscope`), which has no such limit."
    )]
    WasmMemory {
        need: Bytes,
        limit: Bytes,
        detail: String,
    },
    #[error(
        "its largest tensor ({tensor}, {need} as f32) is larger than this GPU's \
         {limit_name} ({limit}): WebGPU cannot hold it in one buffer. Use the CPU \
         backend (?device=cpu), a smaller model, or the native CLI."
    )]
    GpuBuffer {
        tensor: &'static str,
        need: Bytes,
        limit_name: &'static str,
        limit: Bytes,
    },
}

/// A byte count that prints as "1.2 GB".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bytes(pub u64);

impl std::fmt::Display for Bytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let b = self.0 as f64;
        match self.0 {
            0..1_000_000 => write!(f, "{:.0} kB", b / 1e3),
            1_000_000..1_000_000_000 => write!(f, "{:.0} MB", b / 1e6),
            _ => write!(f, "{:.1} GB", b / 1e9),
        }
    }
}

/// The memory `config`'s model needs once `download_bytes` of files are in.
pub fn memory_need(config: &ModelConfig, download_bytes: u64) -> MemoryNeed {
    let d = config.d_model as u64;
    let q_width = config.n_heads as u64 * config.head_dim as u64;
    let candidates = [
        (
            "the token embedding",
            (config.vocab_size as u64).saturating_mul(d),
        ),
        ("an MLP matrix", d.saturating_mul(config.d_ff as u64)),
        ("an attention projection", d.saturating_mul(q_width)),
    ];
    let (largest_tensor, elements) = candidates
        .into_iter()
        .max_by_key(|&(_, n)| n)
        .unwrap_or(("the token embedding", 0));
    MemoryNeed {
        weights_bytes: config.parameter_count().saturating_mul(4),
        largest_tensor_bytes: elements.saturating_mul(4),
        largest_tensor,
        download_bytes,
    }
}

impl MemoryNeed {
    /// From counts alone, as a GGUF header's summary gives them: `parameters` in all,
    /// the largest tensor being the embedding (`vocab × width`) or an MLP matrix
    /// (`width × ffn_width`).
    pub fn from_counts(
        parameters: u64,
        vocab: u64,
        width: u64,
        ffn_width: u64,
        download_bytes: u64,
    ) -> Self {
        let embedding = vocab.saturating_mul(width);
        let mlp = width.saturating_mul(ffn_width);
        let (largest_tensor, elements) = if mlp > embedding {
            ("an MLP matrix", mlp)
        } else {
            ("the token embedding", embedding)
        };
        MemoryNeed {
            weights_bytes: parameters.saturating_mul(4),
            largest_tensor_bytes: elements.saturating_mul(4),
            largest_tensor,
            download_bytes,
        }
    }
}

impl Budget {
    /// The CPU backend: weights live in WebAssembly memory.
    pub fn cpu() -> Self {
        Budget {
            gpu: None,
            wasm_memory_bytes: WASM_MEMORY_LIMIT,
        }
    }

    /// WebGPU with an adapter's `maxBufferSize` and `maxStorageBufferBindingSize`.
    pub fn webgpu(max_buffer_size: f64, max_storage_binding: f64) -> Self {
        Budget {
            gpu: Some((max_buffer_size, max_storage_binding)),
            wasm_memory_bytes: WASM_MEMORY_LIMIT,
        }
    }

    /// WebAssembly memory at the peak of a load: the files, plus on the CPU every
    /// weight, on WebGPU one tensor in flight to the device.
    pub fn wasm_peak(&self, need: &MemoryNeed) -> u64 {
        let weights = if self.gpu.is_some() {
            need.largest_tensor_bytes
        } else {
            need.weights_bytes
        };
        need.download_bytes
            .saturating_add(weights)
            .saturating_add(WASM_HEADROOM)
    }

    /// Whether `need` fits, or why not.
    pub fn check(&self, need: &MemoryNeed) -> Result<(), FitError> {
        if let Some((max_buffer, max_binding)) = self.gpu {
            let tensor = need.largest_tensor_bytes as f64;
            for (limit_name, limit) in [
                ("maxStorageBufferBindingSize", max_binding),
                ("maxBufferSize", max_buffer),
            ] {
                if tensor > limit {
                    return Err(FitError::GpuBuffer {
                        tensor: need.largest_tensor,
                        need: Bytes(need.largest_tensor_bytes),
                        limit_name,
                        limit: Bytes(limit as u64),
                    });
                }
            }
        }
        let peak = self.wasm_peak(need);
        if peak > self.wasm_memory_bytes {
            let weights = if self.gpu.is_some() {
                format!(
                    "{} for the largest tensor on its way to the GPU",
                    Bytes(need.largest_tensor_bytes)
                )
            } else {
                format!("{} of f32 weights on the CPU", Bytes(need.weights_bytes))
            };
            return Err(FitError::WasmMemory {
                need: Bytes(peak),
                limit: Bytes(self.wasm_memory_bytes),
                detail: format!("{} of files, {weights}", Bytes(need.download_bytes)),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Family;

    fn llama(layers: usize, d: usize, d_ff: usize, vocab: usize) -> ModelConfig {
        let json = format!(
            r#"{{"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": {d}, "intermediate_size": {d_ff},
               "num_hidden_layers": {layers}, "num_attention_heads": 8, "num_key_value_heads": 8,
               "vocab_size": {vocab}, "max_position_embeddings": 4096, "rms_norm_eps": 1e-5,
               "tie_word_embeddings": false}}"#
        );
        let config = ModelConfig::from_hf_json(json.as_bytes()).expect("a llama config");
        assert_eq!(config.family, Family::Llama);
        config
    }

    #[test]
    fn a_70b_model_is_refused_with_numbers_on_both_backends() {
        let huge = llama(80, 8192, 28672, 128256);
        let need = memory_need(&huge, 140_000_000_000);
        assert_eq!(need.largest_tensor_bytes, 128256 * 8192 * 4);
        assert_eq!(need.largest_tensor, "the token embedding");
        let gpu = Budget::webgpu(4.0 * (1u64 << 30) as f64, 2.0 * (1u64 << 30) as f64)
            .check(&need)
            .unwrap_err();
        assert!(matches!(gpu, FitError::GpuBuffer { .. }), "{gpu}");
        let text = gpu.to_string();
        assert!(text.contains("4.2 GB") && text.contains("2.1 GB"), "{text}");
        let cpu = Budget::cpu().check(&need).unwrap_err();
        assert!(matches!(cpu, FitError::WasmMemory { .. }), "{cpu}");
        assert!(cpu.to_string().contains("4.3 GB"), "{cpu}");
    }

    #[test]
    fn the_cpu_counts_every_weight_and_webgpu_only_the_largest() {
        // 1.1 B parameters: 4.4 GB as f32 does not fit wasm memory, but it can stream
        // to a GPU one tensor at a time.
        let mid = llama(22, 2048, 5632, 32000);
        let need = memory_need(&mid, 700_000_000);
        assert!(Budget::cpu().check(&need).is_err());
        assert!(Budget::webgpu(4e9, 2e9).check(&need).is_ok());
        assert!(Budget::webgpu(4e9, 2e9).wasm_peak(&need) < Budget::cpu().wasm_peak(&need));
    }

    #[test]
    fn counts_give_the_same_need_as_a_config() {
        let config = llama(30, 576, 1536, 49152);
        let from_config = memory_need(&config, 100);
        let from_counts = MemoryNeed::from_counts(config.parameter_count(), 49152, 576, 1536, 100);
        assert_eq!(from_counts, from_config);
    }

    #[test]
    fn mlp_matrices_can_be_the_largest() {
        let wide = llama(2, 64, 100_000, 1000);
        let need = memory_need(&wide, 0);
        assert_eq!(need.largest_tensor, "an MLP matrix");
        assert_eq!(need.largest_tensor_bytes, 64 * 100_000 * 4);
    }
}
