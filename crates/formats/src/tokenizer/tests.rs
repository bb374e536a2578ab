//! Unit tests of the tokenizer on small hand-made vocabularies, whose ids can be worked
//! out by hand from the pre-tokenization and merge rules.

use super::byte_level::byte_to_char;
use super::*;
use crate::gguf::{ArrayValue, MetadataValue};
use std::collections::BTreeMap;

fn header(entries: Vec<(&str, MetadataValue)>) -> GgufHeader {
    let metadata: BTreeMap<String, MetadataValue> = entries
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    GgufHeader {
        version: 3,
        metadata,
        tensors: vec![],
        alignment: 32,
        data_offset: 0,
    }
}

fn strings(items: &[&str]) -> MetadataValue {
    MetadataValue::Array(ArrayValue::String(
        items.iter().map(|s| s.to_string()).collect(),
    ))
}

fn text(s: &str) -> MetadataValue {
    MetadataValue::String(s.to_string())
}

const AB: u32 = 256;
const SPACE_AB: u32 = 257;
const END: u32 = 258;
const E_ACUTE: u32 = 259;
const TWELVE: u32 = 260;
const XYZ: u32 = 261;

/// A byte-level vocabulary: ids 0..256 are the bytes, then `ab`, ` ab`, `<|end|>`
/// (control), `é`, `12` and `xyz` (a piece no merge produces).
fn byte_level_header(pre: &str) -> GgufHeader {
    let table = byte_to_char();
    let mut tokens: Vec<String> = table.iter().map(|c| c.to_string()).collect();
    tokens.extend(["ab", "Ġab", "<|end|>", "Ã©", "12", "xyz"].map(String::from));
    let mut types = vec![1i32; tokens.len()];
    types[END as usize] = 3;
    header(vec![
        ("general.architecture", text("llama")),
        ("tokenizer.ggml.model", text("gpt2")),
        ("tokenizer.ggml.pre", text(pre)),
        (
            "tokenizer.ggml.tokens",
            MetadataValue::Array(ArrayValue::String(tokens)),
        ),
        (
            "tokenizer.ggml.token_type",
            MetadataValue::Array(ArrayValue::I32(types)),
        ),
        (
            "tokenizer.ggml.merges",
            strings(&["a b", "Ġ ab", "Ã ©", "1 2"]),
        ),
        ("tokenizer.ggml.eos_token_id", MetadataValue::U32(END)),
        ("tokenizer.ggml.bos_token_id", MetadataValue::U32(END)),
    ])
}

fn byte_level(pre: &str) -> Tokenizer {
    Tokenizer::from_gguf(&byte_level_header(pre)).unwrap()
}

fn bytes_of(s: &str) -> Vec<u32> {
    s.bytes().map(u32::from).collect()
}

#[test]
fn byte_level_bpe_merges_and_special_tokens() {
    let tok = byte_level("gpt-2");
    assert_eq!(tok.encode("ab ab", false).unwrap(), [AB, SPACE_AB]);
    assert_eq!(tok.encode("é", false).unwrap(), [E_ACUTE]);
    // A control token's text is one token wherever it appears.
    assert_eq!(tok.encode("x<|end|>y", false).unwrap(), [120, END, 121]);
    assert_eq!(
        tok.decode(&[AB, SPACE_AB, END], false).unwrap(),
        "ab ab<|end|>"
    );
    assert_eq!(tok.decode(&[AB, SPACE_AB, END], true).unwrap(), "ab ab");
    assert_eq!(tok.token_text(SPACE_AB).as_deref(), Some(" ab"));
    assert_eq!(tok.token_text(END).as_deref(), Some("<|end|>"));
    assert_eq!(tok.token_text(0xC3).as_deref(), Some("\u{FFFD}"));
    assert_eq!(tok.token_text(9999), None);
    assert_eq!(tok.id_to_piece(SPACE_AB).as_deref(), Some("Ġab"));
    assert_eq!(tok.piece_to_id("<|end|>"), Some(END));
    assert!(tok.is_special(END) && !tok.is_special(AB));
    assert_eq!(tok.vocab_size(), 262);
    assert_eq!(tok.eos_ids(), [END]);
    // No add_bos_token key and not a Llama 3 tokenizer: no BOS.
    assert!(!tok.adds_bos());
    assert_eq!(tok.encode("ab", true).unwrap(), [AB]);
}

#[test]
fn each_pre_tokenizer_splits_by_its_own_rule() {
    // GPT-2 keeps digit runs together (" ?\p{N}+"), so "12" merges.
    assert_eq!(byte_level("gpt-2").encode("12", false).unwrap(), [TWELVE]);
    assert_eq!(byte_level("default").encode("12", false).unwrap(), [TWELVE]);
    // SmolLM/StarCoder isolate every digit first; Qwen2's regex takes one digit at a time.
    assert_eq!(
        byte_level("smollm").encode("12", false).unwrap(),
        bytes_of("12")
    );
    assert_eq!(
        byte_level("qwen2").encode("12", false).unwrap(),
        bytes_of("12")
    );
    // Qwen2's look-ahead `\s+(?!\S)` leaves the last space to the next word.
    assert_eq!(
        byte_level("qwen2").encode("a  ab", false).unwrap(),
        [97, 32, SPACE_AB]
    );
    // Llama 3 takes up to three digits.
    assert_eq!(
        byte_level("llama-bpe").encode("12", false).unwrap(),
        [TWELVE]
    );
    // Only Llama 3 keeps a word that is itself a token (ignore_merges).
    assert_eq!(byte_level("llama-bpe").encode("xyz", false).unwrap(), [XYZ]);
    assert_eq!(
        byte_level("gpt-2").encode("xyz", false).unwrap(),
        bytes_of("xyz")
    );
    // Qwen2 normalises to NFC: a decomposed é is the composed one; GPT-2 does not.
    assert_eq!(
        byte_level("qwen2").encode("e\u{301}", false).unwrap(),
        [E_ACUTE]
    );
    assert_eq!(
        byte_level("gpt-2").encode("e\u{301}", false).unwrap(),
        bytes_of("e\u{301}")
    );
    // Llama 3 adds BOS when the file does not say otherwise, as llama.cpp assumes.
    let llama3 = byte_level("llama-bpe");
    assert!(llama3.adds_bos());
    assert_eq!(llama3.encode("ab", true).unwrap(), [END, AB]);
}

#[test]
fn add_bos_and_eos_flags_are_obeyed() {
    let mut h = byte_level_header("gpt-2");
    h.metadata.insert(
        "tokenizer.ggml.add_bos_token".into(),
        MetadataValue::Bool(true),
    );
    h.metadata.insert(
        "tokenizer.ggml.add_eos_token".into(),
        MetadataValue::Bool(true),
    );
    let tok = Tokenizer::from_gguf(&h).unwrap();
    assert_eq!(tok.encode("ab", true).unwrap(), [END, AB, END]);
    assert_eq!(tok.encode("ab", false).unwrap(), [AB]);
}

#[test]
fn missing_and_mistyped_keys_are_named() {
    let mut h = byte_level_header("gpt-2");
    h.metadata.remove("tokenizer.ggml.tokens");
    let err = Tokenizer::from_gguf(&h).unwrap_err();
    assert!(
        matches!(&err, TokenizerError::MissingKey { key, .. } if key == "tokenizer.ggml.tokens"),
        "{err}"
    );
    assert!(err.to_string().contains("tokenizer.ggml.tokens"));

    let mut h = byte_level_header("gpt-2");
    h.metadata.remove("tokenizer.ggml.model");
    assert!(matches!(
        Tokenizer::from_gguf(&h).unwrap_err(),
        TokenizerError::MissingKey { key, .. } if key == "tokenizer.ggml.model"
    ));

    let mut h = byte_level_header("gpt-2");
    h.metadata.remove("tokenizer.ggml.merges");
    assert!(matches!(
        Tokenizer::from_gguf(&h).unwrap_err(),
        TokenizerError::MissingKey { key, .. } if key == "tokenizer.ggml.merges"
    ));

    let mut h = byte_level_header("gpt-2");
    h.metadata
        .insert("tokenizer.ggml.tokens".into(), text("abc"));
    let err = Tokenizer::from_gguf(&h).unwrap_err();
    assert!(
        matches!(&err, TokenizerError::WrongType { key, found, .. } if key == "tokenizer.ggml.tokens" && found == "a string"),
        "{err}"
    );

    let mut h = byte_level_header("gpt-2");
    h.metadata.insert(
        "tokenizer.ggml.token_type".into(),
        MetadataValue::Array(ArrayValue::I32(vec![1, 1])),
    );
    assert!(matches!(
        Tokenizer::from_gguf(&h).unwrap_err(),
        TokenizerError::LengthMismatch {
            found: 2,
            expected: 262,
            ..
        }
    ));

    let mut h = byte_level_header("gpt-2");
    h.metadata.insert(
        "tokenizer.ggml.bos_token_id".into(),
        MetadataValue::U32(5000),
    );
    assert!(matches!(
        Tokenizer::from_gguf(&h).unwrap_err(),
        TokenizerError::IdOutOfRange { id: 5000, .. }
    ));

    let mut h = byte_level_header("gpt-2");
    h.metadata
        .insert("tokenizer.ggml.tokens".into(), strings(&[]));
    assert_eq!(
        Tokenizer::from_gguf(&h).unwrap_err(),
        TokenizerError::EmptyVocabulary
    );
}

#[test]
fn malformed_merges_name_their_index() {
    for (merges, index, reason) in [
        (vec!["a b", "Ġab"], 1, "not two pieces"),
        (
            vec!["a b", "Ġ ab", "a zz"],
            2,
            "\"zz\" is not in the vocabulary",
        ),
        (
            vec!["x y"],
            0,
            "merged piece \"xy\" is not in the vocabulary",
        ),
        (vec!["a b c"], 0, "more than two pieces"),
        (vec![" a"], 0, "empty"),
    ] {
        let mut h = byte_level_header("gpt-2");
        h.metadata
            .insert("tokenizer.ggml.merges".into(), strings(&merges));
        let err = Tokenizer::from_gguf(&h).unwrap_err();
        match &err {
            TokenizerError::BadMerge {
                index: i,
                reason: r,
                ..
            } => {
                assert_eq!(*i, index, "{err}");
                assert!(r.contains(reason), "{err}");
            }
            other => panic!("expected BadMerge, got {other}"),
        }
    }
}

#[test]
fn unknown_pre_tokenizer_and_model_are_refused_by_name() {
    let err = Tokenizer::from_gguf(&byte_level_header("deepseek-coder")).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("\"deepseek-coder\""), "{message}");
    assert!(
        message.contains("smollm") && message.contains("qwen2"),
        "{message}"
    );

    let mut h = byte_level_header("gpt-2");
    h.metadata
        .insert("tokenizer.ggml.model".into(), text("bert"));
    assert_eq!(
        Tokenizer::from_gguf(&h).unwrap_err(),
        TokenizerError::UnsupportedModel("bert".into())
    );
    // An absent pre-tokenizer name means GPT-2's rule.
    let mut h = byte_level_header("gpt-2");
    h.metadata.remove("tokenizer.ggml.pre");
    assert_eq!(
        Tokenizer::from_gguf(&h)
            .unwrap()
            .encode("12", false)
            .unwrap(),
        [TWELVE]
    );
}

#[test]
fn decode_refuses_ids_outside_the_vocabulary() {
    let tok = byte_level("gpt-2");
    assert_eq!(
        tok.decode(&[AB, 262], false).unwrap_err(),
        TokenizerError::UnknownId {
            id: 262,
            vocab_size: 262
        }
    );
}

/// A SentencePiece vocabulary: `<unk> <s> </s>`, the 256 byte pieces, then `▁ a b ab ▁a ▁ab`
/// with scores that make `ab` the best merge, then `▁a`, then `▁ab`.
fn sentencepiece_header(architecture: &str, add_space_prefix: bool) -> GgufHeader {
    let mut tokens: Vec<String> = vec!["<unk>".into(), "<s>".into(), "</s>".into()];
    let mut types = vec![2i32, 3, 3];
    for b in 0..=255u8 {
        tokens.push(format!("<0x{b:02X}>"));
        types.push(6);
    }
    for piece in ["▁", "a", "b", "ab", "▁a", "▁ab"] {
        tokens.push(piece.into());
        types.push(1);
    }
    let mut scores = vec![0f32; 259];
    scores.extend([-1.0, -2.0, -3.0, -4.0, -5.0, -6.0]);
    header(vec![
        ("general.architecture", text(architecture)),
        ("tokenizer.ggml.model", text("llama")),
        (
            "tokenizer.ggml.tokens",
            MetadataValue::Array(ArrayValue::String(tokens)),
        ),
        (
            "tokenizer.ggml.token_type",
            MetadataValue::Array(ArrayValue::I32(types)),
        ),
        (
            "tokenizer.ggml.scores",
            MetadataValue::Array(ArrayValue::F32(scores)),
        ),
        ("tokenizer.ggml.bos_token_id", MetadataValue::U32(1)),
        ("tokenizer.ggml.eos_token_id", MetadataValue::U32(2)),
        ("tokenizer.ggml.unknown_token_id", MetadataValue::U32(0)),
        (
            "tokenizer.ggml.add_space_prefix",
            MetadataValue::Bool(add_space_prefix),
        ),
    ])
}

const SP_SPACE: u32 = 259;
const SP_A: u32 = 260;
const SP_AB: u32 = 262;
const SP_SPACE_A: u32 = 263;
const SP_SPACE_AB: u32 = 264;
const fn sp_byte(b: u8) -> u32 {
    3 + b as u32
}

#[test]
fn sentencepiece_with_prefix_space_and_byte_fallback() {
    let tok = Tokenizer::from_gguf(&sentencepiece_header("llama", true)).unwrap();
    // "ab c" → "▁ab▁c": ab merges first (best score), then ▁+ab; "c" is not a piece, so
    // it falls back to its byte.
    assert_eq!(
        tok.encode("ab c", true).unwrap(),
        [1, SP_SPACE_AB, SP_SPACE, sp_byte(b'c')]
    );
    assert_eq!(
        tok.decode(&[1, SP_SPACE_AB, SP_SPACE, sp_byte(b'c')], true)
            .unwrap(),
        "ab c"
    );
    assert_eq!(tok.token_text(SP_SPACE_AB).as_deref(), Some(" ab"));
    assert_eq!(tok.token_text(sp_byte(b'\n')).as_deref(), Some("\n"));
    assert_eq!(tok.token_text(sp_byte(0xE9)).as_deref(), Some("\u{FFFD}"));
    assert!(
        tok.adds_bos(),
        "SentencePiece models add BOS unless the file says otherwise"
    );
    // "é" is not a piece: its two UTF-8 bytes, decoded back whole.
    let ids = tok.encode("é", false).unwrap();
    assert_eq!(ids, [SP_SPACE, sp_byte(0xC3), sp_byte(0xA9)]);
    assert_eq!(tok.decode(&ids, false).unwrap(), "é");
}

#[test]
fn gemma_sentencepiece_has_no_prefix_space() {
    let tok = Tokenizer::from_gguf(&sentencepiece_header("gemma3", false)).unwrap();
    assert_eq!(tok.encode("ab", false).unwrap(), [SP_AB]);
    assert_eq!(
        tok.encode(" ab a", false).unwrap(),
        [SP_SPACE_AB, SP_SPACE_A]
    );
    assert_eq!(tok.encode(" a", false).unwrap(), [SP_SPACE_A]);
    assert_eq!(tok.decode(&[SP_SPACE_AB, SP_A], false).unwrap(), " aba");
    let mut h = sentencepiece_header("gemma3", false);
    h.metadata.remove("tokenizer.ggml.scores");
    assert!(matches!(
        Tokenizer::from_gguf(&h).unwrap_err(),
        TokenizerError::MissingKey { key, .. } if key == "tokenizer.ggml.scores"
    ));
}

#[test]
fn chat_template_errors_are_typed() {
    let tok = byte_level("gpt-2");
    assert_eq!(
        tok.render_chat(&[ChatMessage::user("hi")], true)
            .unwrap_err(),
        TokenizerError::NoChatTemplate
    );
    let tok = tok.with_chat_template(Some("{% if messages %}unclosed".into()));
    assert!(matches!(
        tok.render_chat(&[ChatMessage::user("hi")], true)
            .unwrap_err(),
        TokenizerError::ChatTemplateSyntax(_)
    ));
    let tok = tok.with_chat_template(Some(
        "{% for m in messages %}{% if m.role == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}{{ m.content }}{% endfor %}{% if add_generation_prompt %}<|end|>{% endif %}".into(),
    ));
    assert_eq!(
        tok.render_chat(&[ChatMessage::system("x")], true)
            .unwrap_err(),
        TokenizerError::ChatTemplateRaised("System role not supported".into())
    );
    assert_eq!(
        tok.encode_chat(&[ChatMessage::user("ab")], true).unwrap(),
        [AB, END]
    );
}

/// A small but complete tokenizer.json (byte-level BPE over a handful of pieces).
fn tiny_tokenizer_json() -> String {
    let table = byte_to_char();
    let mut vocab = serde_json::Map::new();
    for (b, c) in table.iter().enumerate() {
        vocab.insert(c.to_string(), serde_json::json!(b));
    }
    vocab.insert("ab".into(), serde_json::json!(AB));
    vocab.insert("Ġab".into(), serde_json::json!(SPACE_AB));
    serde_json::json!({
        "version": "1.0",
        "truncation": {"direction": "Right", "max_length": 2, "strategy": "LongestFirst", "stride": 0},
        "padding": null,
        "added_tokens": [
            {"id": END, "content": "<|end|>", "single_word": false, "lstrip": false,
             "rstrip": false, "normalized": false, "special": true}
        ],
        "normalizer": null,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
        "post_processor": {"type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "<|end|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {"<|end|>": {"id": "<|end|>", "ids": [END], "tokens": ["<|end|>"]}}},
        "decoder": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
        "model": {"type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null,
            "end_of_word_suffix": null, "fuse_unk": false, "byte_fallback": false, "ignore_merges": false,
            "vocab": vocab, "merges": ["a b", "Ġ ab"]}
    })
    .to_string()
}

#[test]
fn tokenizer_json_with_and_without_config() {
    let json = tiny_tokenizer_json();
    // Without a config its post-processor decides (here: BOS-like <|end|> first), and its
    // truncation to 2 tokens is dropped.
    let tok = Tokenizer::from_tokenizer_json(json.as_bytes(), None).unwrap();
    assert_eq!(
        tok.encode("ab ab ab", true).unwrap(),
        [END, AB, SPACE_AB, SPACE_AB]
    );
    assert_eq!(
        tok.encode("ab ab ab", false).unwrap(),
        [AB, SPACE_AB, SPACE_AB]
    );
    assert_eq!(tok.token_text(SPACE_AB).as_deref(), Some(" ab"));
    assert_eq!(tok.bos_id(), None);
    assert_eq!(tok.vocab_size(), 259);
    assert_eq!(tok.chat_template(), None);

    // A config's flags take over from the post-processor, as in transformers.
    let config = r#"{"bos_token": {"content": "<|end|>"}, "eos_token": "<|end|>",
        "add_bos_token": false,
        "chat_template": [{"name": "tool_use", "template": "T"}, {"name": "default", "template": "{{ bos_token }}D"}]}"#;
    let tok = Tokenizer::from_tokenizer_json(json.as_bytes(), Some(config.as_bytes())).unwrap();
    assert_eq!(tok.encode("ab", true).unwrap(), [AB]);
    assert_eq!(tok.bos_id(), Some(END));
    assert_eq!(tok.eos_ids(), [END]);
    assert_eq!(tok.chat_template(), Some("{{ bos_token }}D"));
    assert_eq!(tok.render_chat(&[], false).unwrap(), "<|end|>D");

    let config = r#"{"bos_token": "<|end|>", "add_bos_token": true, "chat_template": "X"}"#;
    let tok = Tokenizer::from_tokenizer_json(json.as_bytes(), Some(config.as_bytes())).unwrap();
    assert_eq!(tok.encode("ab", true).unwrap(), [END, AB]);
    assert_eq!(tok.chat_template(), Some("X"));

    assert!(matches!(
        Tokenizer::from_tokenizer_json(json.as_bytes(), Some(b"[1]")).unwrap_err(),
        TokenizerError::InvalidTokenizerConfig(_)
    ));
    assert!(matches!(
        Tokenizer::from_tokenizer_json(json.as_bytes(), Some(br#"{"chat_template": 3}"#))
            .unwrap_err(),
        TokenizerError::InvalidTokenizerConfig(_)
    ));
}

#[test]
fn tokenizer_json_merges_that_would_panic_are_errors() {
    let mut json: serde_json::Value = serde_json::from_str(&tiny_tokenizer_json()).unwrap();
    // "ab" + "Ġab" is longer than every piece: the tokenizers crate would slice past its
    // buffer here.
    json["model"]["merges"] = serde_json::json!(["a b", "ab Ġab"]);
    let err = Tokenizer::from_tokenizer_json(json.to_string().as_bytes(), None).unwrap_err();
    assert!(
        matches!(&err, TokenizerError::BadMerge { index: 1, reason, .. } if reason.contains("abĠab")),
        "{err}"
    );
    // A continuing-subword prefix longer than the second piece.
    json["model"]["merges"] = serde_json::json!([["a", "b"]]);
    json["model"]["continuing_subword_prefix"] = serde_json::json!("####");
    assert!(matches!(
        Tokenizer::from_tokenizer_json(json.to_string().as_bytes(), None).unwrap_err(),
        TokenizerError::BadMerge { index: 0, .. }
    ));
}

#[test]
fn garbage_tokenizer_json_never_panics() {
    let valid = tiny_tokenizer_json().into_bytes();
    let mut inputs: Vec<Vec<u8>> = vec![
        vec![],
        b"null".to_vec(),
        b"[]".to_vec(),
        b"{}".to_vec(),
        br#"{"model": 3}"#.to_vec(),
        br#"{"model": {"type": "BPE", "vocab": [], "merges": {}}}"#.to_vec(),
        br#"{"model": {"type": "WordPiece", "vocab": {"a": 0}, "unk_token": "zz"}}"#.to_vec(),
        br#"{"model": {"type": "Unigram", "vocab": [["a", 0.0]], "unk_id": 7}}"#.to_vec(),
        vec![0xFF, 0xFE, 0x00],
    ];
    // Every prefix of a valid file (a cut download).
    inputs.extend((0..valid.len()).step_by(97).map(|n| valid[..n].to_vec()));
    // Post-processor templates the tokenizers crate would index without checking.
    let mut json: serde_json::Value = serde_json::from_slice(&valid).unwrap();
    json["post_processor"]["special_tokens"] = serde_json::json!({});
    inputs.push(json.to_string().into_bytes());
    let mut json: serde_json::Value = serde_json::from_slice(&valid).unwrap();
    json["post_processor"]["single"] = serde_json::json!([{"Sequence": {"id": "B", "type_id": 0}}]);
    inputs.push(json.to_string().into_bytes());
    // Seeded mutations: flipped, dropped and duplicated bytes.
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..3000 {
        let mut bytes = valid.clone();
        for _ in 0..1 + next() % 4 {
            let at = (next() % bytes.len() as u64) as usize;
            match next() % 3 {
                0 => bytes[at] = (next() % 128) as u8,
                1 => {
                    bytes.remove(at);
                }
                _ => bytes.insert(at, bytes[at]),
            }
        }
        inputs.push(bytes);
    }
    let mut parsed = 0;
    for input in &inputs {
        if let Ok(tok) = Tokenizer::from_tokenizer_json(input, None) {
            parsed += 1;
            let ids = tok.encode("ab ab <|end|> é 12", true).unwrap_or_default();
            let _ = tok.decode(&ids, false);
            let _ = tok.decode(&[0, 1, u32::MAX], true);
            let _ = tok.token_text(u32::MAX);
        }
    }
    // Some mutations hit string contents and still parse: the loop exercised both paths.
    assert!(
        parsed > 0 && parsed < inputs.len(),
        "{parsed} of {} parsed",
        inputs.len()
    );
}

#[test]
fn gpt2_files_errors() {
    assert!(matches!(
        Tokenizer::from_gpt2_files(b"not json", b"#version: 0.2\n").unwrap_err(),
        TokenizerError::InvalidTokenizerJson(_)
    ));
    let encoder = br#"{"a": 0, "b": 1, "ab": 2, "<|endoftext|>": 3}"#;
    let tok = Tokenizer::from_gpt2_files(encoder, b"#version: 0.2\na b\n").unwrap();
    assert_eq!(tok.encode("ab<|endoftext|>", false).unwrap(), [2, 3]);
    assert_eq!(tok.eos_ids(), [3]);
    let err = Tokenizer::from_gpt2_files(encoder, b"#version: 0.2\na b\nb c\n").unwrap_err();
    assert!(
        matches!(err, TokenizerError::BadMerge { index: 1, .. }),
        "{err}"
    );
}

#[test]
fn gpt2_files_with_an_absurd_id_are_refused_before_allocating_by_it() {
    let encoder = br#"{"a": 0, "b": 4294967295}"#;
    let err = Tokenizer::from_gpt2_files(encoder, b"#version: 0.2\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "encoder.json gives the token \"b\" the id 4294967295, beyond the limit of 16777216 \
         tokens: the file is corrupt"
    );
}

#[test]
fn tokenizer_json_nested_100k_deep_is_an_error_that_says_so() {
    let deep = format!("{{\"model\": {}", "[".repeat(100_000));
    let err = Tokenizer::from_tokenizer_json(deep.as_bytes(), None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "tokenizer.json is not a valid tokenizer: recursion limit exceeded at line 1 column \
         137: arrays or objects are nested more than 128 deep, which no real file needs (the \
         file is corrupt or hostile)"
    );
    let tokenizer_json = tiny_tokenizer_json();
    let err = Tokenizer::from_tokenizer_json(tokenizer_json.as_bytes(), Some(deep.as_bytes()))
        .unwrap_err();
    assert!(
        matches!(&err, TokenizerError::InvalidTokenizerConfig(m) if m.contains("nested more than 128 deep")),
        "{err}"
    );
}

#[test]
fn a_chat_template_that_loops_without_end_is_stopped_and_named() {
    // 100 000 × 100 000 iterations: without a step limit this renders for minutes.
    let tok = byte_level("gpt-2").with_chat_template(Some(
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}".into(),
    ));
    let started = std::time::Instant::now();
    let err = tok
        .render_chat(&[ChatMessage::user("hi")], true)
        .unwrap_err();
    assert_eq!(
        err,
        TokenizerError::ChatTemplateTooLong {
            steps: MAX_RENDER_STEPS,
            messages: 1
        }
    );
    assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());
    assert_eq!(
        err.to_string(),
        "the chat template did not finish within 2000000 steps for a conversation of 1 \
         messages: it loops far longer than any template needs, so it is broken or hostile; \
         use another template or plain text prompts"
    );
}

#[test]
fn a_chat_template_that_writes_without_end_is_stopped_and_named() {
    // Each step writes 10 MB: the output cap stops it long before the step limit.
    let tok = byte_level("gpt-2").with_chat_template(Some(
        "{% for i in range(1000) %}{{ 'x' * 10000000 }}{% endfor %}".into(),
    ));
    assert_eq!(
        tok.render_chat(&[ChatMessage::user("hi")], true)
            .unwrap_err(),
        TokenizerError::ChatTemplateOutputTooLarge {
            limit_bytes: MAX_RENDERED_BYTES,
            messages: 1
        }
    );
}

#[test]
fn tojson_refuses_an_indent_that_would_allocate_gigabytes() {
    let tok = byte_level("gpt-2")
        .with_chat_template(Some("{{ messages | tojson(indent=10000000000) }}".into()));
    let err = tok
        .render_chat(&[ChatMessage::user("hi")], true)
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("tojson: indent 10000000000 is wider than the 64 accepted"),
        "{err}"
    );
    let tok = tok.with_chat_template(Some("{{ messages | tojson(indent=2) }}".into()));
    assert!(tok.render_chat(&[ChatMessage::user("hi")], true).is_ok());
}
