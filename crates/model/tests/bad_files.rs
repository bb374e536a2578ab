//! Broken model files give a typed error whose message says what is wrong and with
//! what, at the level a user meets them: `LoadedModel::from_gguf` for a GGUF file,
//! `LoadedModel::from_hf_files` (and `Decoder::load` under it) for a Hugging Face folder.
//! Each test asserts the error variant and the words of its message, so that neither a
//! panic, nor a generic error, nor a message that drops the tensor's name passes.
//!
//! The files are made here from intact ones, so the tests always run:
//! - GGUF: a tiny llama-architecture model (one block, width 16, random F32 tensors,
//!   an 8-piece SentencePiece vocabulary) written with the project's own `GgufWriter`;
//!   [`intact_files_load_and_run`] checks that it loads before anything is broken.
//! - Hugging Face: the tiny GPT-2 of `tests/data/gpt2-tiny` (see `gpt2_reference.rs`)
//!   with a minimal word-level `tokenizer.json` written here, since that folder has none.
//!
//! Breakages covered, each against both kinds of file where the format has it: a file
//! cut short, the wrong magic (a file of the other format), an unknown tensor type, a
//! known type that cannot be read, tensor shapes that disagree with the configuration
//! (model width, MLP width), a missing tensor, and an unsupported architecture.

use burn::tensor::Device;
use mechscope_formats::config::ConfigError;
use mechscope_formats::gguf::writer::GgufWriter;
use mechscope_formats::gguf::{self, ArrayValue, GgmlType, GgufError, MetadataValue};
use mechscope_formats::safetensors::{SafetensorsError, SafetensorsFile};
use mechscope_model::weights::{SafetensorsWeights, WeightError};
use mechscope_model::{Decoder, LoadError, LoadedModel, ModelConfig};
use serde_json::Value;

/// The tiny llama's sizes.
const WIDTH: u64 = 16;
const MLP_WIDTH: u64 = 32;
const HEADS: u32 = 2;
const KV_HEADS: u32 = 1;
const HEAD_WIDTH: u64 = WIDTH / HEADS as u64;
const PIECES: [&str; 8] = [
    "<unk>",
    "<s>",
    "</s>",
    "\u{2581}a",
    "\u{2581}b",
    "a",
    "b",
    "\u{2581}",
];

/// Deterministic values in [-0.5, 0.5) (xorshift), as little-endian f32 bytes.
fn random_f32_bytes(count: u64, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..count)
        .flat_map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let unit = (state >> 40) as f32 / (1u64 << 24) as f32;
            (unit - 0.5).to_le_bytes()
        })
        .collect()
}

/// A GGUF file's parts, to be broken one at a time before writing.
struct GgufParts {
    metadata: Vec<(String, MetadataValue)>,
    /// Name, ggml shape (fastest dimension first), type, bytes.
    tensors: Vec<(String, Vec<u64>, GgmlType, Vec<u8>)>,
}

impl GgufParts {
    /// One llama block of width 16, MLP width 32, 2 query heads sharing 1 key-value head.
    fn tiny_llama() -> Self {
        let vocab = PIECES.len() as u64;
        let metadata = vec![
            (
                "general.architecture",
                MetadataValue::String("llama".into()),
            ),
            ("llama.block_count", MetadataValue::U32(1)),
            ("llama.context_length", MetadataValue::U32(64)),
            ("llama.embedding_length", MetadataValue::U32(WIDTH as u32)),
            (
                "llama.feed_forward_length",
                MetadataValue::U32(MLP_WIDTH as u32),
            ),
            ("llama.attention.head_count", MetadataValue::U32(HEADS)),
            (
                "llama.attention.head_count_kv",
                MetadataValue::U32(KV_HEADS),
            ),
            (
                "llama.attention.layer_norm_rms_epsilon",
                MetadataValue::F32(1e-5),
            ),
            (
                "tokenizer.ggml.model",
                MetadataValue::String("llama".into()),
            ),
            (
                "tokenizer.ggml.tokens",
                MetadataValue::Array(ArrayValue::String(
                    PIECES.iter().map(|p| p.to_string()).collect(),
                )),
            ),
            (
                "tokenizer.ggml.scores",
                MetadataValue::Array(ArrayValue::F32(
                    (0..PIECES.len()).map(|i| -(i as f32)).collect(),
                )),
            ),
            (
                "tokenizer.ggml.token_type",
                MetadataValue::Array(ArrayValue::I32(vec![2, 3, 3, 1, 1, 1, 1, 1])),
            ),
            ("tokenizer.ggml.unknown_token_id", MetadataValue::U32(0)),
            ("tokenizer.ggml.bos_token_id", MetadataValue::U32(1)),
            ("tokenizer.ggml.eos_token_id", MetadataValue::U32(2)),
        ];
        let kv = u64::from(KV_HEADS) * HEAD_WIDTH;
        let shapes: [(&str, Vec<u64>); 11] = [
            ("token_embd.weight", vec![WIDTH, vocab]),
            ("output_norm.weight", vec![WIDTH]),
            ("blk.0.attn_norm.weight", vec![WIDTH]),
            ("blk.0.attn_q.weight", vec![WIDTH, WIDTH]),
            ("blk.0.attn_k.weight", vec![WIDTH, kv]),
            ("blk.0.attn_v.weight", vec![WIDTH, kv]),
            ("blk.0.attn_output.weight", vec![WIDTH, WIDTH]),
            ("blk.0.ffn_norm.weight", vec![WIDTH]),
            ("blk.0.ffn_gate.weight", vec![WIDTH, MLP_WIDTH]),
            ("blk.0.ffn_up.weight", vec![WIDTH, MLP_WIDTH]),
            ("blk.0.ffn_down.weight", vec![MLP_WIDTH, WIDTH]),
        ];
        let tensors = shapes
            .into_iter()
            .enumerate()
            .map(|(seed, (name, shape))| {
                let bytes = random_f32_bytes(shape.iter().product(), seed as u64 + 1);
                (name.to_string(), shape, GgmlType::F32, bytes)
            })
            .collect();
        GgufParts {
            metadata: metadata
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            tensors,
        }
    }

    fn set_metadata(mut self, key: &str, value: MetadataValue) -> Self {
        let entry = self
            .metadata
            .iter_mut()
            .find(|(k, _)| k == key)
            .unwrap_or_else(|| panic!("no metadata key {key}"));
        entry.1 = value;
        self
    }

    /// Replaces a tensor's shape and type, with random data of the matching size.
    fn set_tensor(mut self, name: &str, shape: &[u64], ty: GgmlType) -> Self {
        let entry = self
            .tensors
            .iter_mut()
            .find(|(n, ..)| n == name)
            .unwrap_or_else(|| panic!("no tensor {name}"));
        let elements: u64 = shape.iter().product();
        let size = ty.bytes_for(elements).expect("a small tensor") as usize;
        let mut bytes = random_f32_bytes(elements, 99);
        bytes.resize(size, 0);
        *entry = (name.to_string(), shape.to_vec(), ty, bytes);
        self
    }

    fn without_tensor(mut self, name: &str) -> Self {
        let before = self.tensors.len();
        self.tensors.retain(|(n, ..)| n != name);
        assert_eq!(self.tensors.len(), before - 1, "{name} was there");
        self
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut w = GgufWriter::new();
        for (key, value) in &self.metadata {
            w.metadata(key, value.clone());
        }
        for (name, shape, ty, data) in &self.tensors {
            w.tensor(name, shape, *ty, data.clone());
        }
        w.to_bytes()
    }
}

fn from_gguf(file: &[u8]) -> Result<LoadedModel, LoadError> {
    LoadedModel::from_gguf(file, &Device::flex())
}

/// The error of a load that must fail (`LoadedModel` has no `Debug`, so no `unwrap_err`).
fn must_fail(result: Result<LoadedModel, LoadError>) -> LoadError {
    match result {
        Ok(_) => panic!("the broken file loaded"),
        Err(e) => e,
    }
}

/// Asserts that the message contains every one of `parts` (and shows it with
/// `--nocapture`, to read what a user would).
fn assert_says(error: &LoadError, parts: &[&str]) {
    let text = error.to_string();
    eprintln!("{text}");
    for part in parts {
        assert!(
            text.contains(part),
            "the message should mention {part:?}: {text}"
        );
    }
}

/// Byte offset of the type id in `name`'s tensor info: GGUF writes the name's length
/// (u64) and bytes, the rank (u32), the dimensions (u64 each), then the type (u32).
fn tensor_type_offset(file: &[u8], name: &str, rank: usize) -> usize {
    let mut pattern = (name.len() as u64).to_le_bytes().to_vec();
    pattern.extend_from_slice(name.as_bytes());
    let at = file
        .windows(pattern.len())
        .position(|w| w == pattern)
        .unwrap_or_else(|| panic!("{name} is in the header"));
    at + pattern.len() + 4 + 8 * rank
}

// ---- The Hugging Face side: the tiny GPT-2 ----

fn gpt2_file(name: &str) -> Vec<u8> {
    let path = mechscope_testkit::crate_dir()
        .join("tests/data/gpt2-tiny")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{} is part of the repository (tests/reference/make_gpt2_reference.py makes it): {e}",
            path.display()
        )
    })
}

/// A word-level tokenizer: loading needs one, and the GPT-2 folder has none. Its
/// vocabulary need not match the model's (nothing checks that), only parse.
const TOKENIZER_JSON: &str = r#"{
  "version": "1.0", "truncation": null, "padding": null, "added_tokens": [],
  "normalizer": null, "pre_tokenizer": {"type": "Whitespace"}, "post_processor": null,
  "decoder": null,
  "model": {"type": "WordLevel", "vocab": {"<unk>": 0, "a": 1, "b": 2}, "unk_token": "<unk>"}
}"#;

fn from_hf(config_json: &[u8], safetensors: &[u8]) -> Result<LoadedModel, LoadError> {
    LoadedModel::from_hf_files(
        config_json,
        TOKENIZER_JSON.as_bytes(),
        None,
        &[safetensors],
        &Device::flex(),
    )
}

fn edited_config(edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut config: Value =
        serde_json::from_slice(&gpt2_file("config.json")).expect("config.json is JSON");
    edit(&mut config);
    serde_json::to_vec(&config).expect("JSON serialises")
}

/// The safetensors file with its JSON header edited and its data section unchanged.
fn edited_safetensors_header(edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let file = gpt2_file("model.safetensors");
    let (length, rest) = file.split_at(8);
    let length = u64::from_le_bytes(length.try_into().expect("8 bytes")) as usize;
    let (header, data) = rest.split_at(length);
    let mut header: Value = serde_json::from_slice(header).expect("the header is JSON");
    edit(&mut header);
    let header = serde_json::to_vec(&header).expect("JSON serialises");
    let mut out = (header.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(&header);
    out.extend_from_slice(data);
    out
}

/// The safetensors file rewritten by the `safetensors` crate (as f32) without `skip`.
fn safetensors_without(skip: &str) -> Vec<u8> {
    let original = gpt2_file("model.safetensors");
    let file = SafetensorsFile::parse(&original).expect("the intact file parses");
    let tensors: Vec<(String, Vec<usize>, Vec<u8>)> = file
        .tensors()
        .iter()
        .filter(|t| t.name() != skip)
        .map(|t| {
            let values = file.read_f32(t.name()).expect("the tensor decodes");
            let bytes = values.iter().flat_map(|v| v.to_le_bytes()).collect();
            let shape = t.shape().iter().map(|&d| d as usize).collect();
            (t.name().to_string(), shape, bytes)
        })
        .collect();
    assert_eq!(tensors.len() + 1, file.tensors().len(), "{skip} was there");
    let views = tensors.iter().map(|(name, shape, bytes)| {
        let view =
            safetensors::tensor::TensorView::new(safetensors::Dtype::F32, shape.clone(), bytes)
                .expect("shape and byte count agree");
        (name.clone(), view)
    });
    safetensors::serialize(views, None).expect("the safetensors crate serialises")
}

// ---- The tests ----

#[test]
fn intact_files_load_and_run() {
    let model = from_gguf(&GgufParts::tiny_llama().to_bytes()).expect("the tiny llama loads");
    let ids = model
        .tokenizer
        .encode("a b", true)
        .expect("the tokenizer works");
    assert_eq!(ids.first(), Some(&1), "BOS first: {ids:?}");
    let next = pollster::block_on(mechscope_model::next_token::next_tokens(
        &model.decoder,
        &ids,
        3,
    ))
    .expect("the forward pass runs");
    assert!(next.top.iter().all(|c| c.logit.is_finite()));

    let model = from_hf(&gpt2_file("config.json"), &gpt2_file("model.safetensors"))
        .expect("the tiny GPT-2 loads");
    assert_eq!(model.config.d_model, 32);
}

#[test]
fn truncated_gguf_names_the_tensor_past_the_end() {
    let file = GgufParts::tiny_llama().to_bytes();
    let header = gguf::parse_file(&file).expect("the intact file parses");
    let up = header.tensor("blk.0.ffn_up.weight").expect("ffn_up");
    let range = header.tensor_range(up);
    // Cut in the middle of ffn_up's data: it is the first tensor past the end.
    let cut = (range.start + range.end) / 2;
    let err = must_fail(from_gguf(&file[..cut as usize]));
    assert!(
        matches!(&err, LoadError::Gguf(GgufError::TensorOutOfBounds { tensor, file_size, .. })
            if tensor == "blk.0.ffn_up.weight" && *file_size == cut),
        "{err:?}"
    );
    assert_says(
        &err,
        &[
            "blk.0.ffn_up.weight",
            &format!("only {cut} bytes"),
            "truncated",
        ],
    );

    // Cut inside the header (the tensor infos): the reader says what it was reading.
    let cut = header.data_offset as usize - 40;
    let err = must_fail(from_gguf(&file[..cut]));
    assert!(
        matches!(&err, LoadError::Gguf(GgufError::UnexpectedEof { available, .. })
            if *available == cut as u64),
        "{err:?}"
    );
    assert_says(&err, &["truncated", "blk.0.ffn_down.weight"]);
}

#[test]
fn truncated_safetensors_names_the_tensor_past_the_end() {
    let file = gpt2_file("model.safetensors");
    let intact = SafetensorsFile::parse(&file).expect("the intact file parses");
    let cut = file.len() * 2 / 3;
    let crossing = intact
        .tensors()
        .iter()
        .find(|t| t.file_range().end > cut as u64)
        .expect("some tensor crosses the cut")
        .name()
        .to_string();
    let err = must_fail(from_hf(&gpt2_file("config.json"), &file[..cut]));
    assert!(
        matches!(&err, LoadError::Safetensors(SafetensorsError::TensorPastEnd {
                tensor, file_size_bytes, ..
            }) if *tensor == crossing && *file_size_bytes == cut as u64),
        "{err:?}"
    );
    assert_says(&err, &[&crossing, &format!("has {cut} bytes"), "truncated"]);
}

#[test]
fn wrong_magic_says_it_is_not_that_format() {
    // A safetensors file given as GGUF: its first bytes are the header length.
    let safetensors = gpt2_file("model.safetensors");
    let err = must_fail(from_gguf(&safetensors));
    assert!(
        matches!(&err, LoadError::Gguf(GgufError::BadMagic { found }) if found[..] == safetensors[..4]),
        "{err:?}"
    );
    assert_says(&err, &["not a GGUF file", "\"GGUF\""]);

    // A GGUF file given as safetensors: "GGUF" + version read as a header length is
    // far beyond any real header.
    let gguf_file = GgufParts::tiny_llama().to_bytes();
    let err = must_fail(from_hf(&gpt2_file("config.json"), &gguf_file));
    assert!(
        matches!(
            &err,
            LoadError::Safetensors(SafetensorsError::HeaderTooLarge { .. })
        ),
        "{err:?}"
    );
    assert_says(&err, &["not a safetensors file"]);
}

#[test]
fn unknown_gguf_tensor_type_is_named_with_its_id() {
    let mut file = GgufParts::tiny_llama().to_bytes();
    let at = tensor_type_offset(&file, "blk.0.ffn_up.weight", 2);
    assert_eq!(
        file[at..at + 4],
        GgmlType::F32.id().to_le_bytes(),
        "found the type field"
    );
    file[at..at + 4].copy_from_slice(&99u32.to_le_bytes());
    let err = must_fail(from_gguf(&file));
    assert!(
        matches!(&err, LoadError::Gguf(GgufError::UnknownTensorType { tensor, type_id: 99 })
            if tensor == "blk.0.ffn_up.weight"),
        "{err:?}"
    );
    assert_says(&err, &["blk.0.ffn_up.weight", "ggml type 99", "known: F32"]);
}

#[test]
fn known_but_unreadable_types_are_named() {
    // Q8_1 is a ggml type whose layout we know (so the header checks pass) but which
    // llama.cpp uses only for intermediate results: no dequantiser.
    let file = GgufParts::tiny_llama()
        .set_tensor("blk.0.ffn_down.weight", &[MLP_WIDTH, WIDTH], GgmlType::Q8_1)
        .to_bytes();
    let err = must_fail(from_gguf(&file));
    assert!(
        matches!(&err, LoadError::Weights(WeightError::Unreadable { name, .. })
            if name == "blk.0.ffn_down.weight"),
        "{err:?}"
    );
    assert_says(&err, &["blk.0.ffn_down.weight", "cannot dequantise Q8_1"]);

    // A safetensors dtype we know but cannot read as f32 (same width as F16, so the
    // header's sizes still agree).
    let name = "transformer.h.0.mlp.c_fc.weight";
    let file = edited_safetensors_header(|h| h[name]["dtype"] = "I16".into());
    let err = must_fail(from_hf(&gpt2_file("config.json"), &file));
    assert!(
        matches!(&err, LoadError::Weights(WeightError::Unreadable { name: n, .. }) if n == name),
        "{err:?}"
    );
    assert_says(&err, &[name, "is I16", "only F32, F16 and BF16"]);
}

#[test]
fn unknown_safetensors_dtype_is_named() {
    let name = "transformer.h.0.mlp.c_fc.weight";
    let file = edited_safetensors_header(|h| h[name]["dtype"] = "F17".into());
    let err = must_fail(from_hf(&gpt2_file("config.json"), &file));
    assert!(
        matches!(&err, LoadError::Safetensors(SafetensorsError::UnknownDtype { tensor, dtype })
            if tensor == name && dtype == "F17"),
        "{err:?}"
    );
    assert_says(&err, &[name, "unknown dtype `F17`"]);
}

#[test]
fn gguf_shapes_that_disagree_with_the_metadata_name_tensor_and_shapes() {
    // The MLP is 24 wide in the tensors, 32 in the metadata.
    let file = GgufParts::tiny_llama()
        .set_tensor("blk.0.ffn_up.weight", &[WIDTH, 24], GgmlType::F32)
        .to_bytes();
    let err = must_fail(from_gguf(&file));
    assert_eq!(
        *match &err {
            LoadError::Weights(e) => e,
            other => panic!("{other:?}"),
        },
        WeightError::ShapeMismatch {
            name: "blk.0.ffn_up.weight".into(),
            found: vec![24, 16],
            expected: vec![32, 16],
        }
    );
    assert_says(&err, &["\"blk.0.ffn_up.weight\"", "[24, 16]", "[32, 16]"]);

    // The metadata says width 32; every tensor is 16 wide. The embedding is read first.
    let file = GgufParts::tiny_llama()
        .set_metadata("llama.embedding_length", MetadataValue::U32(32))
        .to_bytes();
    let err = must_fail(from_gguf(&file));
    assert!(
        matches!(&err, LoadError::Weights(WeightError::ShapeMismatch { name, found, expected })
            if name == "token_embd.weight" && found == &[8, 16] && expected == &[8, 32]),
        "{err:?}"
    );
    assert_says(&err, &["\"token_embd.weight\"", "[8, 16]", "[8, 32]"]);
}

#[test]
fn hf_shapes_that_disagree_with_config_json_name_tensor_and_shapes() {
    let weights = gpt2_file("model.safetensors");

    // config.json says n_embd 64; the tensors are 32 wide.
    let config = edited_config(|c| c["n_embd"] = 64.into());
    let err = must_fail(from_hf(&config, &weights));
    assert!(
        matches!(&err, LoadError::Weights(WeightError::ShapeMismatch { name, found, expected })
            if name == "transformer.wte.weight" && found == &[300, 32] && expected == &[300, 64]),
        "{err:?}"
    );
    assert_says(
        &err,
        &["\"transformer.wte.weight\"", "[300, 32]", "[300, 64]"],
    );

    // config.json says n_inner 128; the MLP is 96 wide.
    let config = edited_config(|c| c["n_inner"] = 128.into());
    let err = must_fail(from_hf(&config, &weights));
    assert!(
        matches!(&err, LoadError::Weights(WeightError::ShapeMismatch { name, found, expected })
            if name == "transformer.h.0.mlp.c_fc.weight" && found == &[32, 96]
                && expected == &[32, 128]),
        "{err:?}"
    );
    assert_says(
        &err,
        &[
            "\"transformer.h.0.mlp.c_fc.weight\"",
            "[32, 96]",
            "[32, 128]",
        ],
    );
}

#[test]
fn a_missing_tensor_is_named() {
    let file = GgufParts::tiny_llama()
        .without_tensor("blk.0.ffn_down.weight")
        .to_bytes();
    let err = must_fail(from_gguf(&file));
    assert!(
        matches!(&err, LoadError::Weights(WeightError::Missing { name, hf_name })
            if name == "blk.0.ffn_down.weight" && hf_name == "model.layers.0.mlp.down_proj.weight"),
        "{err:?}"
    );
    assert_says(
        &err,
        &[
            "no tensor \"blk.0.ffn_down.weight\"",
            "model.layers.0.mlp.down_proj.weight",
        ],
    );

    let name = "transformer.h.1.mlp.c_proj.weight";
    let file = safetensors_without(name);
    let err = must_fail(from_hf(&gpt2_file("config.json"), &file));
    assert!(
        matches!(&err, LoadError::Weights(WeightError::Missing { name: n, .. }) if n == name),
        "{err:?}"
    );
    assert_says(&err, &[&format!("no tensor \"{name}\"")]);
    assert!(
        !err.to_string().contains("needed as"),
        "no second name when the file's name is the model's: {err}"
    );

    // The same straight through Decoder::load, the layer under from_hf_files.
    let config = ModelConfig::from_hf_json(&gpt2_file("config.json")).expect("config parses");
    let weights = SafetensorsWeights::new(&[&file]).expect("the header parses");
    match Decoder::load(&weights, &config, false, &Device::flex()) {
        Ok(_) => panic!("loaded without {name}"),
        Err(e) => assert!(
            matches!(&e, WeightError::Missing { name: n, .. } if n == name),
            "{e:?}"
        ),
    }
}

#[test]
fn an_unsupported_architecture_is_named_with_the_supported_ones() {
    let file = GgufParts::tiny_llama()
        .set_metadata("general.architecture", MetadataValue::String("rwkv".into()))
        .to_bytes();
    let err = must_fail(from_gguf(&file));
    assert!(
        matches!(&err, LoadError::Config(ConfigError::UnsupportedArchitecture { found })
            if found == "rwkv"),
        "{err:?}"
    );
    assert_says(
        &err,
        &["\"rwkv\"", "not supported", "llama, qwen2, gemma3, gpt2"],
    );

    let config = edited_config(|c| c["model_type"] = "mamba".into());
    let err = must_fail(from_hf(&config, &gpt2_file("model.safetensors")));
    assert!(
        matches!(&err, LoadError::Config(ConfigError::UnsupportedArchitecture { found })
            if found == "mamba"),
        "{err:?}"
    );
    assert_says(
        &err,
        &["\"mamba\"", "not supported", "llama, qwen2, gemma3, gpt2"],
    );
}
