//! Model file formats for MechScope: the first stage of the data flow, turning bytes
//! into tensors, configs and tokenizers.
//!
//! - [`gguf`]: GGUF v2/v3 headers (metadata, tensor infos, alignment) and the
//!   dequantisation of ggml block formats to `f32`.
//! - [`safetensors`]: Hugging Face safetensors files, single and sharded.
//! - [`hub`]: model repos on the Hugging Face hub: ids, file listings, which files
//!   make a model.
//! - [`fit`]: the memory a model needs against what a browser tab offers.
//! - [`json`]: JSON parse errors in words a user can act on.
//!
//! Every parser here reads untrusted bytes (files users drop, downloads that were cut
//! short), so none of them may panic, allocate by a count the input declares before
//! checking it against the input's size, or read out of bounds: each returns a typed
//! error that names what was wrong and where. This crate has no burn dependency, so it
//! builds quickly for wasm and natively and can be fuzzed on its own.

pub mod bench;
pub mod config;
pub mod fit;
pub mod gguf;
pub mod hub;
pub mod json;
pub mod safetensors;
pub mod tokenizer;
