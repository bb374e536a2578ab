//! The model stage: one decoder implementation in burn, generic over the backend, whose
//! architecture differences (llama, qwen2, gemma3, gpt2) come from configuration.
//!
//! Its forward pass takes a trace request and returns what was asked for (MLP
//! activations, the residual stream, logits); weight masks support ablation. It reads
//! tensors and configs through `mechscope-formats` and depends on nothing to its right
//! in the data flow (tasks, metrics, report, views).
//!
//! This crate is filled by the model-core issue; today it only fixes its place.
use mechscope_formats as _;
