//! A tiny seeded llama-family model, made by the project's own code: SmolLM2's
//! architecture (RMSNorm, SiLU-gated MLP, rotary positions, grouped-query attention,
//! tied embeddings) and tokenizer layout at a size that loads in milliseconds.
//!
//! Why it exists: tests and the hub-like test server (`cargo xtask serve`'s `/hub/`) need
//! a real, loadable model in every layout a user may bring (a Hugging Face folder, a
//! sharded checkpoint, a GGUF) without downloading one, and its numbers must be checkable
//! against an independent implementation (`crates/model/tests/reference/
//! make_tiny_llama_reference.py` runs it in PyTorch). A seed fixes every byte: the same
//! seed gives byte-identical files on every machine and every run, so fixtures made from
//! it never go stale silently.
//!
//! ```
//! use mechscope_testkit::tiny_model::{self, TINY_LLAMA_SEED};
//!
//! let hf = tiny_model::tiny_llama_hf(TINY_LLAMA_SEED);
//! assert!(hf.get("config.json").is_some() && hf.get("model.safetensors").is_some());
//! assert_eq!(hf, tiny_model::tiny_llama_hf(TINY_LLAMA_SEED));
//! let gguf = tiny_model::tiny_llama_gguf(TINY_LLAMA_SEED);
//! assert_eq!(&gguf[..4], b"GGUF");
//! ```

mod bpe;
mod rng;

use mechscope_formats::gguf::writer::GgufWriter;
use mechscope_formats::gguf::{ArrayValue, GgmlType, MetadataValue};
use serde_json::{Value, json};
use std::path::Path;

/// The seed the repository's fixtures and references are made with.
pub const TINY_LLAMA_SEED: u64 = 20_250_101;

/// The file name of the GGUF variant (llama.cpp's `<name>-<type>.gguf` convention).
pub const TINY_LLAMA_GGUF_NAME: &str = "tiny-llama-F32.gguf";

/// The tiny model's architecture: SmolLM2's choices at toy size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TinyLlamaShape {
    pub d_model: usize,
    pub n_layers: usize,
    pub n_heads: usize,
    /// Fewer key/value heads than query heads, so grouped-query attention is exercised.
    pub n_kv_heads: usize,
    pub d_ff: usize,
    pub max_positions: usize,
    pub rope_theta: f64,
    pub rms_norm_eps: f64,
}

impl TinyLlamaShape {
    pub fn head_dim(&self) -> usize {
        self.d_model / self.n_heads
    }
}

/// The shape every tiny llama has.
pub const TINY_LLAMA: TinyLlamaShape = TinyLlamaShape {
    d_model: 32,
    n_layers: 2,
    n_heads: 4,
    n_kv_heads: 2,
    d_ff: 64,
    max_positions: 256,
    rope_theta: 10_000.0,
    rms_norm_eps: 1e-5,
};

/// Spread of the token embedding. With tied embeddings it is also the unembedding:
/// 0.3 gives next-token logits a spread of about 1.5 (a distribution that is neither
/// uniform nor one-hot, so a wrong weight shows in every logit).
const EMBEDDING_STD: f64 = 0.3;
/// Spread of RMSNorm weights around 1: away from 1 so that a dropped norm weight shows.
const NORM_WEIGHT_STD: f64 = 0.2;

/// One tensor of the checkpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct TinyTensor {
    /// The Hugging Face name (`model.layers.0.self_attn.q_proj.weight`).
    pub name: String,
    /// PyTorch's shape, slowest dimension first (`[out, in]` for linear layers).
    pub shape: Vec<usize>,
    /// Row-major values.
    pub values: Vec<f32>,
}

impl TinyTensor {
    fn le_bytes(&self) -> Vec<u8> {
        self.values.iter().flat_map(|v| v.to_le_bytes()).collect()
    }
}

/// A model's files by their names in a repository, in a fixed order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TinyModelFiles {
    pub files: Vec<(String, Vec<u8>)>,
}

impl TinyModelFiles {
    /// The bytes of the file called `name`.
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| b.as_slice())
    }

    /// Writes every file into `dir` (created if needed), replacing files of those names.
    pub fn write_to(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        for (name, bytes) in &self.files {
            std::fs::write(dir.join(name), bytes)?;
        }
        Ok(())
    }
}

/// The vocabulary size: SmolLM2's three special tokens, 256 bytes and the learnt merges.
pub fn tiny_llama_vocab_size() -> usize {
    bpe::learn().pieces.len()
}

/// Every tensor of the model drawn from `seed`, in Hugging Face names. The draw order
/// is fixed (embedding, then per layer the attention norm, q, k, v, o, the MLP norm,
/// gate, up, down, then the final norm), so a seed names the same weights forever.
/// Tied embeddings: there is no `lm_head.weight`.
pub fn tiny_llama_tensors(seed: u64) -> Vec<TinyTensor> {
    let s = TINY_LLAMA;
    let vocab = tiny_llama_vocab_size();
    let mut rng = rng::SplitMix64::new(seed);
    let mut tensors = Vec::new();
    let mut draw = |name: String, shape: Vec<usize>, mean: f64, std: f64| {
        let n = shape.iter().product();
        let values = (0..n).map(|_| (mean + std * rng.normal()) as f32).collect();
        tensors.push(TinyTensor {
            name,
            shape,
            values,
        });
    };
    // Linear layers: standard deviation 1/sqrt(fan_in), so every layer keeps its input's
    // scale and attention scores vary between positions (with 0.02 attention is nearly
    // uniform and a wrong q/k permutation would hardly show).
    let linear = |out: usize, inp: usize| (vec![out, inp], 1.0 / (inp as f64).sqrt());
    let (d, hd) = (s.d_model, s.head_dim());
    draw(
        "model.embed_tokens.weight".into(),
        vec![vocab, d],
        0.0,
        EMBEDDING_STD,
    );
    for layer in 0..s.n_layers {
        let name = |leaf: &str| format!("model.layers.{layer}.{leaf}.weight");
        let projections = [
            ("self_attn.q_proj", linear(s.n_heads * hd, d)),
            ("self_attn.k_proj", linear(s.n_kv_heads * hd, d)),
            ("self_attn.v_proj", linear(s.n_kv_heads * hd, d)),
            ("self_attn.o_proj", linear(d, s.n_heads * hd)),
        ];
        draw(name("input_layernorm"), vec![d], 1.0, NORM_WEIGHT_STD);
        for (leaf, (shape, std)) in projections {
            draw(name(leaf), shape, 0.0, std);
        }
        draw(
            name("post_attention_layernorm"),
            vec![d],
            1.0,
            NORM_WEIGHT_STD,
        );
        for (leaf, (shape, std)) in [
            ("mlp.gate_proj", linear(s.d_ff, d)),
            ("mlp.up_proj", linear(s.d_ff, d)),
            ("mlp.down_proj", linear(d, s.d_ff)),
        ] {
            draw(name(leaf), shape, 0.0, std);
        }
    }
    draw("model.norm.weight".into(), vec![d], 1.0, NORM_WEIGHT_STD);
    tensors
}

/// The Hugging Face folder: `config.json`, `generation_config.json`, `tokenizer.json`,
/// `tokenizer_config.json` and an F32 `model.safetensors`, as `save_pretrained` lays out
/// SmolLM2-135M-Instruct.
pub fn tiny_llama_hf(seed: u64) -> TinyModelFiles {
    let tensors = tiny_llama_tensors(seed);
    let all: Vec<&TinyTensor> = tensors.iter().collect();
    let mut files = config_files();
    files.push(("model.safetensors".into(), safetensors_bytes(&all)));
    TinyModelFiles { files }
}

/// The same model as [`tiny_llama_hf`], its weights split over `shards` files
/// (`model-00001-of-0000N.safetensors`, at least 1, at most one per tensor) with the
/// `model.safetensors.index.json` that maps each tensor to its shard, as
/// `save_pretrained(max_shard_size=...)` writes them.
pub fn tiny_llama_hf_sharded(seed: u64, shards: usize) -> TinyModelFiles {
    let mut tensors = tiny_llama_tensors(seed);
    tensors.sort_by(|a, b| a.name.cmp(&b.name));
    let shards = shards.clamp(1, tensors.len().max(1));
    let total_bytes: usize = tensors.iter().map(|t| t.values.len() * 4).sum();
    // Fill shards in name order up to an even share of the bytes each.
    let share = total_bytes.div_ceil(shards);
    let mut groups: Vec<Vec<&TinyTensor>> = vec![Vec::new(); shards];
    let (mut shard, mut filled) = (0, 0);
    for (i, tensor) in tensors.iter().enumerate() {
        let tensors_left = tensors.len() - i;
        let later_shards = shards - shard - 1;
        // Move on when this shard is full, keeping at least one tensor per later shard.
        if later_shards > 0
            && !groups[shard].is_empty()
            && (filled >= share || tensors_left <= later_shards)
        {
            shard += 1;
            filled = 0;
        }
        groups[shard].push(tensor);
        filled += tensor.values.len() * 4;
    }
    let mut files = config_files();
    let mut weight_map = serde_json::Map::new();
    for (i, group) in groups.iter().enumerate() {
        let name = format!("model-{:05}-of-{shards:05}.safetensors", i + 1);
        for t in group {
            weight_map.insert(t.name.clone(), Value::String(name.clone()));
        }
        files.push((name, safetensors_bytes(group)));
    }
    let index = json!({
        "metadata": {"total_size": total_bytes},
        "weight_map": weight_map,
    });
    files.push(("model.safetensors.index.json".into(), pretty(&index)));
    TinyModelFiles { files }
}

/// The model as llama.cpp's converter would write it in F32: its tensor names, q and k
/// rows permuted to llama.cpp's rotary layout, the architecture under `llama.*` and the
/// whole tokenizer (vocabulary, merges, token types, special ids, chat template) under
/// `tokenizer.*`.
pub fn tiny_llama_gguf(seed: u64) -> Vec<u8> {
    let s = TINY_LLAMA;
    let bpe = bpe::learn();
    let u32_of = |v: usize| MetadataValue::U32(u32::try_from(v).unwrap_or(u32::MAX));
    let text = |v: &str| MetadataValue::String(v.to_string());
    let mut w = GgufWriter::new();
    w.metadata("general.architecture", text("llama"))
        .metadata("general.type", text("model"))
        .metadata("general.name", text("Tiny Llama"))
        .metadata("general.size_label", text("tiny"))
        .metadata("general.license", text("apache-2.0"))
        .metadata("llama.block_count", u32_of(s.n_layers))
        .metadata("llama.context_length", u32_of(s.max_positions))
        .metadata("llama.embedding_length", u32_of(s.d_model))
        .metadata("llama.feed_forward_length", u32_of(s.d_ff))
        .metadata("llama.attention.head_count", u32_of(s.n_heads))
        .metadata("llama.attention.head_count_kv", u32_of(s.n_kv_heads))
        .metadata(
            "llama.rope.freq_base",
            MetadataValue::F32(s.rope_theta as f32),
        )
        .metadata(
            "llama.attention.layer_norm_rms_epsilon",
            MetadataValue::F32(s.rms_norm_eps as f32),
        )
        // 0: every tensor F32 (llama.cpp's LLAMA_FTYPE_ALL_F32).
        .metadata("general.file_type", MetadataValue::U32(0))
        .metadata("llama.vocab_size", u32_of(bpe.pieces.len()))
        .metadata("llama.rope.dimension_count", u32_of(s.head_dim()))
        .metadata(
            "tokenizer.ggml.add_space_prefix",
            MetadataValue::Bool(false),
        )
        .metadata("tokenizer.ggml.add_bos_token", MetadataValue::Bool(false))
        .metadata("tokenizer.ggml.model", text("gpt2"))
        .metadata("tokenizer.ggml.pre", text("smollm"))
        .metadata(
            "tokenizer.ggml.tokens",
            MetadataValue::Array(ArrayValue::String(bpe.pieces.clone())),
        )
        .metadata(
            "tokenizer.ggml.token_type",
            // 3: control (the special tokens), 1: normal.
            MetadataValue::Array(ArrayValue::I32(
                (0..bpe.pieces.len())
                    .map(|id| if id < bpe::SPECIAL_TOKENS.len() { 3 } else { 1 })
                    .collect(),
            )),
        )
        .metadata(
            "tokenizer.ggml.merges",
            MetadataValue::Array(ArrayValue::String(
                bpe.merges.iter().map(|(l, r)| format!("{l} {r}")).collect(),
            )),
        )
        .metadata(
            "tokenizer.ggml.bos_token_id",
            MetadataValue::U32(bpe::BOS_ID),
        )
        .metadata(
            "tokenizer.ggml.eos_token_id",
            MetadataValue::U32(bpe::EOS_ID),
        )
        .metadata(
            "tokenizer.ggml.unknown_token_id",
            MetadataValue::U32(bpe::UNK_ID),
        )
        .metadata(
            "tokenizer.ggml.padding_token_id",
            MetadataValue::U32(bpe::EOS_ID),
        )
        .metadata("tokenizer.chat_template", text(bpe::CHAT_TEMPLATE))
        .metadata("general.quantization_version", MetadataValue::U32(2));
    for tensor in tiny_llama_tensors(seed) {
        let Some(name) = llama_cpp_name(&tensor.name) else {
            continue;
        };
        let values = if tensor.name.ends_with("q_proj.weight") {
            permute_rotary_rows(&tensor, s.n_heads)
        } else if tensor.name.ends_with("k_proj.weight") {
            permute_rotary_rows(&tensor, s.n_kv_heads)
        } else {
            tensor.values.clone()
        };
        // ggml lists dimensions fastest first.
        let shape: Vec<u64> = tensor.shape.iter().rev().map(|&d| d as u64).collect();
        let bytes = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        w.tensor(&name, &shape, GgmlType::F32, bytes);
    }
    w.to_bytes()
}

/// llama.cpp's name for a llama tensor (gguf-py's tensor map), written out here
/// independently of the loader's own table so that the two check each other.
fn llama_cpp_name(hf_name: &str) -> Option<String> {
    match hf_name {
        "model.embed_tokens.weight" => return Some("token_embd.weight".into()),
        "model.norm.weight" => return Some("output_norm.weight".into()),
        _ => {}
    }
    let rest = hf_name.strip_prefix("model.layers.")?;
    let (layer, leaf) = rest.split_once('.')?;
    let gguf_leaf = match leaf {
        "input_layernorm.weight" => "attn_norm.weight",
        "self_attn.q_proj.weight" => "attn_q.weight",
        "self_attn.k_proj.weight" => "attn_k.weight",
        "self_attn.v_proj.weight" => "attn_v.weight",
        "self_attn.o_proj.weight" => "attn_output.weight",
        "post_attention_layernorm.weight" => "ffn_norm.weight",
        "mlp.gate_proj.weight" => "ffn_gate.weight",
        "mlp.up_proj.weight" => "ffn_up.weight",
        "mlp.down_proj.weight" => "ffn_down.weight",
        _ => return None,
    };
    Some(format!("blk.{layer}.{gguf_leaf}"))
}

/// llama.cpp's converter (`LlamaModel.permute`): within each head, the rows of q and k
/// go from Hugging Face's half-split rotary layout to interleaved pairs,
/// `w.reshape(heads, 2, head_dim / 2, in).swapaxes(1, 2)`: HF row `(h, j, i)` becomes
/// row `(h, i, j)`.
fn permute_rotary_rows(tensor: &TinyTensor, heads: usize) -> Vec<f32> {
    let (rows, cols) = match tensor.shape.as_slice() {
        &[rows, cols] => (rows, cols),
        _ => return tensor.values.clone(),
    };
    let head_dim = rows / heads.max(1);
    let half = head_dim / 2;
    let mut out = tensor.values.clone();
    for h in 0..heads {
        for j in 0..2 {
            for i in 0..half {
                let from = (h * head_dim + j * half + i) * cols;
                let to = (h * head_dim + i * 2 + j) * cols;
                if let (Some(src), Some(dst)) = (
                    tensor.values.get(from..from + cols),
                    out.get_mut(to..to + cols),
                ) {
                    dst.copy_from_slice(src);
                }
            }
        }
    }
    out
}

/// A safetensors file of these tensors in F32: the 8-byte little-endian header length,
/// the JSON header (`__metadata__` and the tensors in name order, padded with spaces to a
/// multiple of 8 as the reference writer does), then the data in header order.
///
/// Written here rather than with the `safetensors` crate: that crate is only a test
/// dependency of `mechscope-model`, and making it a normal dependency of this crate (which
/// xtask and every crate's tests use) would add features to crates burn shares and
/// rebuild it. The files are checked against that crate and against Python's
/// `safetensors` in `crates/model/tests/tiny_llama.rs` and the reference script.
fn safetensors_bytes(tensors: &[&TinyTensor]) -> Vec<u8> {
    let mut sorted: Vec<&TinyTensor> = tensors.to_vec();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    let mut header = serde_json::Map::new();
    header.insert("__metadata__".into(), json!({"format": "pt"}));
    let mut offset = 0usize;
    for t in &sorted {
        let end = offset + t.values.len() * 4;
        header.insert(
            t.name.clone(),
            json!({"dtype": "F32", "shape": t.shape, "data_offsets": [offset, end]}),
        );
        offset = end;
    }
    let mut header = Value::Object(header).to_string().into_bytes();
    header.resize(header.len().next_multiple_of(8), b' ');
    let mut out = Vec::with_capacity(8 + header.len() + offset);
    out.extend_from_slice(&(header.len() as u64).to_le_bytes());
    out.extend_from_slice(&header);
    for t in &sorted {
        out.extend_from_slice(&t.le_bytes());
    }
    out
}

fn pretty(value: &Value) -> Vec<u8> {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text.into_bytes()
}

/// `config.json`, `generation_config.json`, `tokenizer.json`, `tokenizer_config.json`.
fn config_files() -> Vec<(String, Vec<u8>)> {
    let s = TINY_LLAMA;
    let bpe = bpe::learn();
    let config = json!({
        "architectures": ["LlamaForCausalLM"],
        "attention_bias": false,
        "attention_dropout": 0.0,
        "bos_token_id": bpe::BOS_ID,
        "eos_token_id": bpe::EOS_ID,
        "hidden_act": "silu",
        "hidden_size": s.d_model,
        "initializer_range": 0.02,
        "intermediate_size": s.d_ff,
        "max_position_embeddings": s.max_positions,
        "mlp_bias": false,
        "model_type": "llama",
        "num_attention_heads": s.n_heads,
        "num_hidden_layers": s.n_layers,
        "num_key_value_heads": s.n_kv_heads,
        "pad_token_id": bpe::EOS_ID,
        "pretraining_tp": 1,
        "rms_norm_eps": s.rms_norm_eps,
        "rope_scaling": null,
        "rope_theta": s.rope_theta,
        "tie_word_embeddings": true,
        "torch_dtype": "float32",
        "use_cache": true,
        "vocab_size": bpe.pieces.len(),
    });
    let generation = json!({
        "bos_token_id": bpe::BOS_ID,
        "eos_token_id": bpe::EOS_ID,
        "pad_token_id": bpe::EOS_ID,
    });
    vec![
        ("config.json".into(), pretty(&config)),
        ("generation_config.json".into(), pretty(&generation)),
        ("tokenizer.json".into(), pretty(&tokenizer_json(&bpe))),
        ("tokenizer_config.json".into(), pretty(&tokenizer_config())),
    ]
}

/// `tokenizer.json` as SmolLM2's: byte-level BPE, digits split one by one before GPT-2's
/// split, no normalizer, the special tokens as added tokens.
fn tokenizer_json(bpe: &bpe::Bpe) -> Value {
    let added: Vec<Value> = bpe::SPECIAL_TOKENS
        .iter()
        .enumerate()
        .map(|(id, content)| {
            json!({
                "id": id, "content": content, "single_word": false, "lstrip": false,
                "rstrip": false, "normalized": false, "special": true,
            })
        })
        .collect();
    let vocab: serde_json::Map<String, Value> = bpe
        .pieces
        .iter()
        .enumerate()
        .map(|(id, piece)| (piece.clone(), json!(id)))
        .collect();
    let merges: Vec<Value> = bpe.merges.iter().map(|(l, r)| json!([l, r])).collect();
    json!({
        "version": "1.0",
        "truncation": null,
        "padding": null,
        "added_tokens": added,
        "normalizer": null,
        "pre_tokenizer": {
            "type": "Sequence",
            "pretokenizers": [
                {"type": "Digits", "individual_digits": true},
                {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
            ],
        },
        "post_processor": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": false, "use_regex": true},
        "decoder": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
        "model": {
            "type": "BPE",
            "dropout": null,
            "unk_token": null,
            "continuing_subword_prefix": null,
            "end_of_word_suffix": null,
            "fuse_unk": false,
            "byte_fallback": false,
            "ignore_merges": false,
            "vocab": vocab,
            "merges": merges,
        },
    })
}

/// `tokenizer_config.json` as SmolLM2-135M-Instruct's: `<|im_start|>` BOS and
/// `<|im_end|>` EOS (neither added when encoding), the ChatML chat template.
fn tokenizer_config() -> Value {
    let decoder: serde_json::Map<String, Value> = bpe::SPECIAL_TOKENS
        .iter()
        .enumerate()
        .map(|(id, content)| {
            (
                id.to_string(),
                json!({
                    "content": content, "lstrip": false, "normalized": false,
                    "rstrip": false, "single_word": false, "special": true,
                }),
            )
        })
        .collect();
    json!({
        "add_prefix_space": false,
        "added_tokens_decoder": decoder,
        "additional_special_tokens": ["<|im_start|>", "<|im_end|>"],
        "bos_token": "<|im_start|>",
        "chat_template": bpe::CHAT_TEMPLATE,
        "clean_up_tokenization_spaces": false,
        "eos_token": "<|im_end|>",
        "model_max_length": TINY_LLAMA.max_positions,
        "pad_token": "<|im_end|>",
        "tokenizer_class": "GPT2Tokenizer",
        "unk_token": "<|endoftext|>",
        "vocab_size": bpe::learn().pieces.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use mechscope_formats::safetensors::{SafetensorsFile, ShardedIndex};

    #[test]
    fn a_seed_fixes_every_byte() {
        assert_eq!(tiny_llama_hf(3), tiny_llama_hf(3));
        assert_eq!(tiny_llama_gguf(3), tiny_llama_gguf(3));
        let (a, b) = (tiny_llama_hf(3), tiny_llama_hf(4));
        assert_ne!(a.get("model.safetensors"), b.get("model.safetensors"));
        assert_eq!(a.get("tokenizer.json"), b.get("tokenizer.json"));
    }

    #[test]
    fn safetensors_reads_back_to_the_tensors() {
        let tensors = tiny_llama_tensors(TINY_LLAMA_SEED);
        let hf = tiny_llama_hf(TINY_LLAMA_SEED);
        let file = SafetensorsFile::parse(hf.get("model.safetensors").expect("written"))
            .expect("our reader accepts it");
        assert_eq!(file.tensors().len(), tensors.len());
        for t in &tensors {
            assert_eq!(
                file.read_f32(&t.name).expect("readable"),
                t.values,
                "{}",
                t.name
            );
        }
    }

    #[test]
    fn shards_hold_every_tensor_once() {
        let tensors = tiny_llama_tensors(TINY_LLAMA_SEED);
        for shards in [0, 1, 2, 3, 1000] {
            let files = tiny_llama_hf_sharded(TINY_LLAMA_SEED, shards);
            let index =
                ShardedIndex::parse(files.get("model.safetensors.index.json").expect("an index"))
                    .expect("the index parses");
            let expected_shards = shards.clamp(1, tensors.len());
            let shard_files: Vec<&(String, Vec<u8>)> = files
                .files
                .iter()
                .filter(|(n, _)| n.starts_with("model-"))
                .collect();
            assert_eq!(shard_files.len(), expected_shards, "{shards} shards");
            for t in &tensors {
                let shard = index.shard_of(&t.name).expect("mapped");
                let bytes = files.get(shard).expect("the shard exists");
                let file = SafetensorsFile::parse(bytes).expect("the shard parses");
                assert_eq!(file.read_f32(&t.name).expect("readable"), t.values);
            }
            for (_, bytes) in shard_files {
                let file = SafetensorsFile::parse(bytes).expect("the shard parses");
                assert!(!file.tensors().is_empty(), "no empty shard");
            }
        }
    }

    #[test]
    fn the_rotary_permutation_is_llama_cpps() {
        // Two heads of width 4, one column: rows labelled by their HF index. llama.cpp
        // interleaves each head's halves: [0, 2, 1, 3], [4, 6, 5, 7].
        let t = TinyTensor {
            name: "q".into(),
            shape: vec![8, 1],
            values: (0..8).map(|v| v as f32).collect(),
        };
        assert_eq!(permute_rotary_rows(&t, 2), [0., 2., 1., 3., 4., 6., 5., 7.]);
    }

    #[test]
    fn every_tensor_has_a_gguf_name() {
        for t in tiny_llama_tensors(1) {
            assert!(llama_cpp_name(&t.name).is_some(), "{}", t.name);
        }
    }
}
