//! The tokenizer compiled to wasm and run in headless Chromium, where the page uses it:
//! the regex pre-tokenizers (fancy-regex with look-ahead, through `unstable_wasm`), NFC,
//! SentencePiece byte fallback and chat templates give the ids worked out by hand.
#![cfg(target_arch = "wasm32")]

use mechscope_formats::gguf::{ArrayValue, GgufHeader, MetadataValue};
use mechscope_formats::tokenizer::{ChatMessage, Tokenizer, TokenizerError};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn header(entries: Vec<(&str, MetadataValue)>) -> GgufHeader {
    GgufHeader {
        version: 3,
        metadata: entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        tensors: vec![],
        alignment: 32,
        data_offset: 0,
    }
}

fn strings(items: Vec<String>) -> MetadataValue {
    MetadataValue::Array(ArrayValue::String(items))
}

/// Bytes 0..256 in GPT-2's alphabet, then `ab` (256), ` ab` (257), `<|end|>` (258,
/// control), `é` (259), `12` (260).
fn byte_level(pre: &str) -> Tokenizer {
    let mut tokens: Vec<String> = (0..=255u8)
        .map(|b| {
            let printable = matches!(b, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF);
            let rank = (0..b)
                .filter(|x| !matches!(x, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF))
                .count() as u32;
            if printable {
                char::from(b).to_string()
            } else {
                char::from_u32(256 + rank).unwrap().to_string()
            }
        })
        .collect();
    tokens.extend(["ab", "Ġab", "<|end|>", "Ã©", "12"].map(String::from));
    let mut types = vec![1i32; tokens.len()];
    types[258] = 3;
    let merges = ["a b", "Ġ ab", "Ã ©", "1 2"].map(String::from).to_vec();
    Tokenizer::from_gguf(&header(vec![
        ("tokenizer.ggml.model", MetadataValue::String("gpt2".into())),
        ("tokenizer.ggml.pre", MetadataValue::String(pre.into())),
        ("tokenizer.ggml.tokens", strings(tokens)),
        (
            "tokenizer.ggml.token_type",
            MetadataValue::Array(ArrayValue::I32(types)),
        ),
        ("tokenizer.ggml.merges", strings(merges)),
        ("tokenizer.ggml.eos_token_id", MetadataValue::U32(258)),
        (
            "tokenizer.chat_template",
            MetadataValue::String(
                "{% for m in messages %}{{ m.content.strip() }}<|end|>{% endfor %}".into(),
            ),
        ),
    ]))
    .unwrap()
}

#[wasm_bindgen_test]
fn byte_level_pre_tokenizers_in_wasm() {
    let gpt2 = byte_level("gpt-2");
    assert_eq!(gpt2.encode("ab ab", false).unwrap(), [256, 257]);
    assert_eq!(gpt2.encode("12", false).unwrap(), [260]);
    assert_eq!(gpt2.encode("x<|end|>", false).unwrap(), [120, 258]);
    assert_eq!(gpt2.decode(&[256, 257, 258], true).unwrap(), "ab ab");
    assert_eq!(gpt2.token_text(257).as_deref(), Some(" ab"));
    assert_eq!(byte_level("smollm").encode("12", false).unwrap(), [49, 50]);
    let qwen = byte_level("qwen2");
    assert_eq!(qwen.encode("12", false).unwrap(), [49, 50]);
    assert_eq!(qwen.encode("e\u{301}", false).unwrap(), [259]);
    // Qwen's regex uses the look-ahead `\s+(?!\S)`: "a  ab" splits as "a", " ", " ab".
    assert_eq!(qwen.encode("a  ab", false).unwrap(), [97, 32, 257]);
    assert_eq!(byte_level("llama-bpe").encode("12", false).unwrap(), [260]);
    assert!(matches!(
        Tokenizer::from_gguf(&header(vec![(
            "tokenizer.ggml.model",
            MetadataValue::String("gpt2".into())
        )])),
        Err(TokenizerError::MissingKey { .. })
    ));
}

#[wasm_bindgen_test]
fn chat_templates_in_wasm() {
    let tok = byte_level("gpt-2");
    let ids = tok.encode_chat(&[ChatMessage::user(" ab ")], true).unwrap();
    assert_eq!(ids, [256, 258]);
    let tok = tok.with_chat_template(Some("{{ raise_exception('no') }}".into()));
    assert_eq!(
        tok.render_chat(&[], false).unwrap_err(),
        TokenizerError::ChatTemplateRaised("no".into())
    );
}
