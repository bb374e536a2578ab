//! The facts a person wants first about a GGUF model, read from its header.

use super::{GgmlType, GgufHeader};
use serde::Serialize;
use std::collections::BTreeMap;

/// How much of a model is stored in one element type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TypeUsage {
    pub ty: GgmlType,
    pub tensors: usize,
    pub parameters: u64,
    pub size_bytes: u64,
}

/// What a model is, in the words of its GGUF header: architecture and sizes from the
/// `{arch}.*` keys, vocabulary from the tokenizer arrays, and the storage types.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelSummary {
    /// `general.name`, when the file gives one.
    pub name: Option<String>,
    pub architecture: Option<String>,
    /// `{arch}.block_count`: decoder layers.
    pub layers: Option<u64>,
    /// `{arch}.embedding_length`: the residual width d.
    pub width: Option<u64>,
    /// `{arch}.feed_forward_length`: the MLP width d_ff.
    pub ffn_width: Option<u64>,
    pub attention_heads: Option<u64>,
    pub kv_heads: Option<u64>,
    pub context_length: Option<u64>,
    /// Entries of `tokenizer.ggml.tokens`, else `{arch}.vocab_size`.
    pub vocab_size: Option<u64>,
    pub parameter_count: u64,
    pub tensor_count: usize,
    pub metadata_count: usize,
    pub version: u32,
    /// Element types by number of parameters stored in them, largest first.
    pub types: Vec<TypeUsage>,
    /// Bytes of tensor data (the file size less the header).
    pub data_bytes: u64,
}

impl GgufHeader {
    /// The summary shown on the page and by `mechscope inspect`.
    pub fn summary(&self) -> ModelSummary {
        let architecture = self.architecture().map(str::to_string);
        let arch_u64 = |suffix: &str| {
            let arch = architecture.as_deref()?;
            self.get(&format!("{arch}.{suffix}"))?.as_u64()
        };
        let vocab_size = self
            .get("tokenizer.ggml.tokens")
            .and_then(|v| v.as_array())
            .map(|a| a.len() as u64)
            .or_else(|| arch_u64("vocab_size"));

        let mut by_type: BTreeMap<GgmlType, TypeUsage> = BTreeMap::new();
        for t in &self.tensors {
            let usage = by_type.entry(t.ty).or_insert(TypeUsage {
                ty: t.ty,
                tensors: 0,
                parameters: 0,
                size_bytes: 0,
            });
            usage.tensors += 1;
            usage.parameters = usage.parameters.saturating_add(t.n_elements);
            usage.size_bytes = usage.size_bytes.saturating_add(t.size_bytes);
        }
        let mut types: Vec<TypeUsage> = by_type.into_values().collect();
        types.sort_by(|a, b| b.parameters.cmp(&a.parameters).then(a.ty.cmp(&b.ty)));

        ModelSummary {
            name: self
                .get("general.name")
                .and_then(|v| v.as_str())
                .map(str::to_string),
            layers: arch_u64("block_count"),
            width: arch_u64("embedding_length"),
            ffn_width: arch_u64("feed_forward_length"),
            attention_heads: arch_u64("attention.head_count"),
            kv_heads: arch_u64("attention.head_count_kv"),
            context_length: arch_u64("context_length"),
            architecture,
            vocab_size,
            parameter_count: self.parameter_count(),
            tensor_count: self.tensors.len(),
            metadata_count: self.metadata.len(),
            version: self.version,
            data_bytes: self
                .tensors
                .iter()
                .fold(0u64, |acc, t| acc.saturating_add(t.size_bytes)),
            types,
        }
    }
}
