//! The tiny seeded llama that `mechscope_testkit::tiny_model` makes is a real, loadable
//! model in every layout, and our numbers for it are transformers' numbers.
//!
//! The reference, `tests/data/tiny_llama_reference.json`, is written by
//! `tests/reference/make_tiny_llama_reference.py` from the files the generator writes
//! (`cargo xtask tiny-model`), with Hugging Face transformers and tokenizers. If the
//! generator changes (weights, vocabulary, seed), these tests fail until the reference is
//! made again; that is the point.
//!
//! - [`hf_folder_matches_transformers`]: the Hugging Face folder through
//!   `LoadedModel::from_hf_files`: the prompt's ids, the chat template's text and ids, and
//!   the logits at every position and over the whole vocabulary.
//! - [`gguf_matches_the_hf_folder`]: the GGUF through `LoadedModel::from_gguf` gives the
//!   same configuration, the same ids and the same logits (q/k un-permuted correctly).
//! - [`sharded_checkpoint_matches_the_single_file`]: two shards load to the same bits.
//! - [`cached_greedy_generation_matches_transformers`]: step-by-step decoding with our KV
//!   cache against transformers' generation (each step's logits and the ids), and
//!   `generate_greedy` from both layouts gives the same ids.
//! - [`tokenizers_round_trip_and_agree`]: both tokenizers give the same ids for varied
//!   text (digits, Unicode, newlines, special tokens) and decode back to the text.
//! - [`generation_of_the_files_is_deterministic`]: the generator writes byte-identical
//!   files every time, of the sizes the reference saw, and the independent `safetensors`
//!   crate reads the weights back exactly.

use burn::tensor::Device;
use mechscope_formats::tokenizer::ChatMessage;
use mechscope_model::generate::{generate_greedy, read_f32};
use mechscope_model::{KvCache, LoadedModel, Logits, Trace};
use mechscope_testkit::tiny_model::{self, TINY_LLAMA, TINY_LLAMA_GGUF_NAME, TINY_LLAMA_SEED};
use serde_json::Value;
use std::ops::ControlFlow;

/// Largest |Δlogit| allowed against transformers, over every position and the whole
/// vocabulary. Measured: 4.1e-6 over the prompt, 2.9e-6 over the cached decoding steps,
/// where transformers' own float32 is 3.5e-6 from float64 (recorded in the reference).
/// A wrong rotary layout, norm or GQA grouping moves logits by tenths to units (a GGUF
/// without llama.cpp's q permutation: 7.7), with logits spread 1.8 per row.
const LOGIT_TOLERANCE: f64 = 1e-4;

fn reference() -> Value {
    let path = mechscope_testkit::crate_dir().join("tests/data/tiny_llama_reference.json");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{} is part of the repository (regenerate it with \
             tests/reference/make_tiny_llama_reference.py): {e}",
            path.display()
        )
    });
    serde_json::from_slice(&bytes).expect("the reference is JSON")
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap_or_else(|| panic!("expected an array of numbers, found {v}"))
        .iter()
        .map(|x| x.as_f64().expect("a number"))
        .collect()
}

fn hf_model(files: &tiny_model::TinyModelFiles) -> LoadedModel {
    let file = |name: &str| {
        files
            .get(name)
            .unwrap_or_else(|| panic!("{name} is written"))
    };
    let weights: Vec<&[u8]> = files
        .files
        .iter()
        .filter(|(name, _)| name.ends_with(".safetensors"))
        .map(|(_, bytes)| bytes.as_slice())
        .collect();
    LoadedModel::from_hf_files(
        file("config.json"),
        file("tokenizer.json"),
        Some(file("tokenizer_config.json")),
        &weights,
        &Device::flex(),
    )
    .expect("the Hugging Face folder loads")
}

fn gguf_model() -> LoadedModel {
    LoadedModel::from_gguf(
        &tiny_model::tiny_llama_gguf(TINY_LLAMA_SEED),
        &Device::flex(),
    )
    .expect("the GGUF loads")
}

/// `[seq, vocab]` logits of `ids`, row-major.
fn all_logits(model: &LoadedModel, ids: &[u32]) -> Vec<f32> {
    let trace = Trace {
        logits: Logits::All,
        ..Trace::default()
    };
    let logits = model
        .decoder
        .forward(model.decoder.ids_tensor(ids, 1), trace, None)
        .logits
        .expect("logits were asked for");
    pollster::block_on(read_f32(logits)).expect("readback works")
}

/// Largest |Δ| between `got` and the reference rows, which must have the same shape.
fn worst_difference(got: &[f32], want: &[Vec<f64>]) -> f64 {
    let width = want.first().map_or(0, Vec::len);
    assert_eq!(got.len(), want.len() * width, "logit count");
    got.chunks_exact(width)
        .zip(want)
        .flat_map(|(g, w)| g.iter().zip(w).map(|(&g, w)| (f64::from(g) - w).abs()))
        .fold(0.0, f64::max)
}

fn rows(v: &Value) -> Vec<Vec<f64>> {
    v.as_array().expect("rows").iter().map(floats).collect()
}

#[test]
fn hf_folder_matches_transformers() {
    let reference = reference();
    let model = hf_model(&tiny_model::tiny_llama_hf(TINY_LLAMA_SEED));
    let c = &model.config;
    assert_eq!(
        (c.d_model, c.n_layers, c.n_heads, c.n_kv_heads, c.d_ff),
        (
            TINY_LLAMA.d_model,
            TINY_LLAMA.n_layers,
            TINY_LLAMA.n_heads,
            TINY_LLAMA.n_kv_heads,
            TINY_LLAMA.d_ff
        )
    );
    assert!(c.tie_embeddings, "SmolLM2's layout ties the unembedding");

    let prompt = reference["prompt"].as_str().expect("a prompt");
    let ids = model.tokenizer.encode(prompt, true).expect("encodes");
    assert_eq!(
        ids,
        mechscope_testkit::ids(&reference["input_ids"]),
        "the prompt's ids (no BOS: SmolLM2 adds none)"
    );
    let worst = worst_difference(&all_logits(&model, &ids), &rows(&reference["logits"]));
    eprintln!("tiny llama (safetensors) vs transformers: max |Δlogit| {worst:.2e}");
    assert!(worst <= LOGIT_TOLERANCE, "max |Δlogit| {worst:.2e}");

    let chat = &reference["chat"];
    let message = chat["message"].as_str().expect("a message");
    let messages = [ChatMessage::new("user", message)];
    let text = model
        .tokenizer
        .render_chat(&messages, true)
        .expect("the chat template renders");
    assert_eq!(
        text,
        chat["text"].as_str().expect("text"),
        "ChatML rendering"
    );
    let chat_ids = model
        .tokenizer
        .encode_chat(&messages, true)
        .expect("encodes");
    assert_eq!(chat_ids, mechscope_testkit::ids(&chat["input_ids"]));
    let logits = all_logits(&model, &chat_ids);
    let vocab = c.vocab_size;
    let last = &logits[logits.len() - vocab..];
    let worst = worst_difference(last, &[floats(&chat["last_logits"])]);
    assert!(worst <= LOGIT_TOLERANCE, "chat: max |Δlogit| {worst:.2e}");
}

#[test]
fn gguf_matches_the_hf_folder() {
    let reference = reference();
    let hf = hf_model(&tiny_model::tiny_llama_hf(TINY_LLAMA_SEED));
    let gguf = gguf_model();
    let (a, b) = (&hf.config, &gguf.config);
    assert_eq!(
        (
            a.family,
            a.n_layers,
            a.d_model,
            a.d_ff,
            a.n_heads,
            a.n_kv_heads
        ),
        (
            b.family,
            b.n_layers,
            b.d_model,
            b.d_ff,
            b.n_heads,
            b.n_kv_heads
        )
    );
    assert_eq!(
        (a.head_dim, a.vocab_size, a.max_positions, a.tie_embeddings),
        (b.head_dim, b.vocab_size, b.max_positions, b.tie_embeddings)
    );
    assert_eq!(a.rope_theta, b.rope_theta);
    // The GGUF stores eps as f32.
    assert!(
        (a.norm_eps - b.norm_eps).abs() < 1e-12,
        "{} {}",
        a.norm_eps,
        b.norm_eps
    );

    let prompt = reference["prompt"].as_str().expect("a prompt");
    let ids = gguf.tokenizer.encode(prompt, true).expect("encodes");
    assert_eq!(ids, hf.tokenizer.encode(prompt, true).expect("encodes"));
    let messages = [ChatMessage::new("user", "Hello there")];
    assert_eq!(
        gguf.tokenizer
            .encode_chat(&messages, true)
            .expect("encodes"),
        hf.tokenizer.encode_chat(&messages, true).expect("encodes"),
        "the GGUF carries the same chat template"
    );
    let (got, want) = (all_logits(&gguf, &ids), all_logits(&hf, &ids));
    let worst = got
        .iter()
        .zip(&want)
        .map(|(g, w)| (g - w).abs())
        .fold(0f32, f32::max);
    eprintln!("tiny llama GGUF vs safetensors: max |Δlogit| {worst:.2e}");
    // Same f32 weights after un-permuting, eps equal once rounded to f32: the two runs
    // are the same computation (measured: 0).
    assert!(worst <= 1e-6, "max |Δlogit| {worst:.2e}");
}

#[test]
fn sharded_checkpoint_matches_the_single_file() {
    let reference = reference();
    let ids = mechscope_testkit::ids(&reference["input_ids"]);
    let single = all_logits(&hf_model(&tiny_model::tiny_llama_hf(TINY_LLAMA_SEED)), &ids);
    let sharded_files = tiny_model::tiny_llama_hf_sharded(TINY_LLAMA_SEED, 2);
    let shards = sharded_files
        .files
        .iter()
        .filter(|(n, _)| n.ends_with(".safetensors"))
        .count();
    assert_eq!(shards, 2);
    let sharded = all_logits(&hf_model(&sharded_files), &ids);
    assert!(sharded == single, "the shards' forward pass differs");
}

#[test]
fn cached_greedy_generation_matches_transformers() {
    let reference = reference();
    let greedy = &reference["greedy"];
    let want_ids = mechscope_testkit::ids(&greedy["ids"]);
    let want_steps = rows(&greedy["step_logits"]);
    assert_eq!(want_steps.len(), want_ids.len());
    let prompt = mechscope_testkit::ids(&reference["input_ids"]);
    let model = hf_model(&tiny_model::tiny_llama_hf(TINY_LLAMA_SEED));
    let decoder = &model.decoder;

    // Step by step through the KV cache: the prompt, then one token at a time.
    let trace = Trace {
        logits: Logits::Last,
        ..Trace::default()
    };
    let mut cache = KvCache::new(TINY_LLAMA.n_layers);
    let mut input = prompt.clone();
    let mut worst = 0f64;
    for (step, (want, &want_id)) in want_steps.iter().zip(&want_ids).enumerate() {
        let logits = decoder
            .forward(decoder.ids_tensor(&input, 1), trace, Some(&mut cache))
            .logits
            .expect("logits were asked for");
        let got = pollster::block_on(read_f32(logits)).expect("readback works");
        let d = worst_difference(&got, std::slice::from_ref(want));
        assert!(d <= LOGIT_TOLERANCE, "step {step}: max |Δlogit| {d:.2e}");
        worst = worst.max(d);
        let next = mechscope_model::generate::argmax(&got).expect("logits") as u32;
        assert_eq!(next, want_id, "step {step}'s greedy id");
        input = vec![next];
    }
    eprintln!("tiny llama cached decoding vs transformers: max |Δlogit| {worst:.2e}");

    for model in [model, gguf_model()] {
        let ids = pollster::block_on(generate_greedy(
            &model.decoder,
            &prompt,
            want_ids.len(),
            &[],
            |_| ControlFlow::Continue(()),
        ))
        .expect("generation runs");
        assert_eq!(ids, want_ids, "generate_greedy");
    }
}

#[test]
fn tokenizers_round_trip_and_agree() {
    let hf = hf_model(&tiny_model::tiny_llama_hf(TINY_LLAMA_SEED)).tokenizer;
    let gguf = gguf_model().tokenizer;
    let texts = [
        "The cat sat on the mat.",
        "  leading spaces, trailing space ",
        "Numbers: 3.14159 and 2025-01-01, 1000000 apples",
        "Café, naïve, 東京, emoji 🙂 and a tab\there",
        "lines\n\nand\r\nmore\n",
        "<|im_start|>user\nHi<|im_end|>\n<|endoftext|>",
        "",
    ];
    for text in texts {
        let ids = hf.encode(text, true).expect("encodes");
        assert_eq!(gguf.encode(text, true).expect("encodes"), ids, "{text:?}");
        assert_eq!(hf.decode(&ids, false).expect("decodes"), text, "{text:?}");
        assert_eq!(gguf.decode(&ids, false).expect("decodes"), text, "{text:?}");
        assert!(ids.iter().all(|&id| (id as usize) < hf.vocab_size()));
    }
    // Merges really apply: English text takes fewer ids than bytes.
    let english = "the other children were thinking in the evening";
    let ids = hf.encode(english, false).expect("encodes");
    assert!(
        ids.len() * 2 < english.len(),
        "{} ids for {} bytes",
        ids.len(),
        english.len()
    );
    for tok in [&hf, &gguf] {
        assert_eq!(tok.vocab_size(), tiny_model::tiny_llama_vocab_size());
        assert_eq!(tok.bos_id(), Some(1), "<|im_start|>");
        assert_eq!(tok.eos_ids(), [2, 0], "<|im_end|>, then <|endoftext|>");
        assert!(!tok.adds_bos());
        assert_eq!(tok.token_text(2).as_deref(), Some("<|im_end|>"));
        assert!(tok.is_special(0) && tok.is_special(1) && tok.is_special(2));
    }
    assert_eq!(
        hf.decode(&hf.encode("<|im_end|>ok", false).expect("encodes"), true)
            .expect("decodes"),
        "ok",
        "special tokens are skipped on request"
    );
}

#[test]
fn generation_of_the_files_is_deterministic() {
    let first = tiny_model::tiny_llama_hf(TINY_LLAMA_SEED);
    assert!(
        first == tiny_model::tiny_llama_hf(TINY_LLAMA_SEED),
        "HF files differ"
    );
    assert!(
        tiny_model::tiny_llama_gguf(TINY_LLAMA_SEED)
            == tiny_model::tiny_llama_gguf(TINY_LLAMA_SEED),
        "GGUF bytes differ"
    );
    assert!(
        tiny_model::tiny_llama_hf_sharded(TINY_LLAMA_SEED, 2)
            == tiny_model::tiny_llama_hf_sharded(TINY_LLAMA_SEED, 2),
        "shards differ"
    );

    // The reference saw files of exactly these sizes (a cheap tripwire that names the
    // file when the generator changed; the logits tests say by how much).
    let reference = reference();
    let seen = reference["files"].as_object().expect("file list");
    let gguf = tiny_model::tiny_llama_gguf(TINY_LLAMA_SEED);
    let mut ours: Vec<(&str, usize)> = first
        .files
        .iter()
        .map(|(n, b)| (n.as_str(), b.len()))
        .collect();
    ours.push((TINY_LLAMA_GGUF_NAME, gguf.len()));
    for (name, size) in ours {
        let recorded = seen
            .get(name)
            .and_then(|f| f["size"].as_u64())
            .unwrap_or_else(|| panic!("the reference does not list {name}; regenerate it"));
        assert_eq!(
            size as u64, recorded,
            "{name} changed size since the reference was made; if the generator changed \
             on purpose, run tests/reference/make_tiny_llama_reference.py"
        );
    }

    // The independent safetensors crate reads our hand-written file to the same tensors.
    let bytes = first.get("model.safetensors").expect("written");
    let file =
        safetensors::SafeTensors::deserialize(bytes).expect("the safetensors crate parses it");
    let tensors = tiny_model::tiny_llama_tensors(TINY_LLAMA_SEED);
    assert_eq!(file.len(), tensors.len());
    for t in tensors {
        let view = file.tensor(&t.name).expect("present");
        assert_eq!(view.dtype(), safetensors::Dtype::F32);
        assert_eq!(view.shape(), t.shape.as_slice(), "{}", t.name);
        let values: Vec<f32> = view
            .data()
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        assert_eq!(values, t.values, "{}", t.name);
    }
}
