//! The model stage: one decoder implementation in burn whose architecture differences
//! (llama, qwen2, gemma3, gpt2) come from [`ModelConfig`], never from copies of code.
//!
//! The backend is chosen at run time by the burn `Device` (the `flex` CPU backend, or
//! wgpu: WebGPU in the browser, Vulkan natively). [`Decoder::forward`] takes a
//! [`Trace`] and returns what it asked for: MLP activations, the residual stream,
//! logits. Weights come through [`weights::WeightSource`] from GGUF or safetensors by
//! their Hugging Face names. This crate reads files only through `mechscope-formats` and
//! depends on nothing to its right in the data flow (tasks, metrics, report, views).

pub mod decoder;
pub mod generate;
pub mod kv_cache;
pub mod load;
pub mod mask;
pub mod modules;
pub mod next_token;
pub mod weights;

pub use decoder::{Decoder, Logits, Trace, Traced};
pub use kv_cache::KvCache;
pub use load::{LoadError, LoadedModel};
pub use mask::{MlpMatrix, WeightMask};
pub use mechscope_formats::config::{Family, ModelConfig};
