//! The tokenizer rebuilt from GGUF `tokenizer.ggml.*` metadata, then used.
//!
//! Input starting with `G` is a GGUF file as it is (the seed corpus holds the tiny
//! model's); any other input is read as a tokenizer description (vocabulary, merges,
//! scores, token types, special ids, flags) that is written into a GGUF with the real
//! writer, so the fuzzer spends its time in the tokenizer builder rather than in
//! finding the GGUF framing.
//!
//! Invariants: nothing panics; an accepted tokenizer encodes text to ids inside its
//! vocabulary and decodes them again.
#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use mechscope_formats::gguf::writer::GgufWriter;
use mechscope_formats::gguf::{ArrayValue, GgufHeader, MetadataValue};
use mechscope_formats::tokenizer::{ChatMessage, SUPPORTED_PRE_TOKENIZERS, Tokenizer};

#[derive(Arbitrary, Debug)]
struct Description {
    model: u8,
    architecture: u8,
    pre: Option<u8>,
    tokens: Vec<String>,
    merges: Option<Vec<String>>,
    scores: Option<Vec<f32>>,
    token_types: Option<Vec<i32>>,
    bos: Option<u32>,
    eos: Option<u32>,
    unk: Option<u32>,
    pad: Option<u32>,
    add_bos: Option<bool>,
    add_eos: Option<bool>,
    add_space_prefix: Option<bool>,
    chat_template: Option<String>,
    text: String,
}

impl Description {
    fn to_gguf(&self) -> Vec<u8> {
        let text = |s: &str| MetadataValue::String(s.to_string());
        let mut w = GgufWriter::new();
        let architecture = ["llama", "gemma3", "qwen2", "gpt2"][usize::from(self.architecture % 4)];
        w.metadata("general.architecture", text(architecture));
        let model = ["gpt2", "llama", "bert"][usize::from(self.model % 3)];
        w.metadata("tokenizer.ggml.model", text(model));
        if let Some(pre) = self.pre {
            let names: Vec<&str> = SUPPORTED_PRE_TOKENIZERS.iter().map(|(n, _)| *n).collect();
            let name = names
                .get(usize::from(pre))
                .copied()
                .unwrap_or("unknown-pre");
            w.metadata("tokenizer.ggml.pre", text(name));
        }
        w.metadata(
            "tokenizer.ggml.tokens",
            MetadataValue::Array(ArrayValue::String(self.tokens.clone())),
        );
        if let Some(merges) = &self.merges {
            w.metadata(
                "tokenizer.ggml.merges",
                MetadataValue::Array(ArrayValue::String(merges.clone())),
            );
        }
        if let Some(scores) = &self.scores {
            w.metadata(
                "tokenizer.ggml.scores",
                MetadataValue::Array(ArrayValue::F32(scores.clone())),
            );
        }
        if let Some(types) = &self.token_types {
            w.metadata(
                "tokenizer.ggml.token_type",
                MetadataValue::Array(ArrayValue::I32(types.clone())),
            );
        }
        for (key, id) in [
            ("tokenizer.ggml.bos_token_id", self.bos),
            ("tokenizer.ggml.eos_token_id", self.eos),
            ("tokenizer.ggml.unknown_token_id", self.unk),
            ("tokenizer.ggml.padding_token_id", self.pad),
        ] {
            if let Some(id) = id {
                w.metadata(key, MetadataValue::U32(id));
            }
        }
        for (key, flag) in [
            ("tokenizer.ggml.add_bos_token", self.add_bos),
            ("tokenizer.ggml.add_eos_token", self.add_eos),
            ("tokenizer.ggml.add_space_prefix", self.add_space_prefix),
        ] {
            if let Some(flag) = flag {
                w.metadata(key, MetadataValue::Bool(flag));
            }
        }
        if let Some(template) = &self.chat_template {
            w.metadata("tokenizer.chat_template", text(template));
        }
        w.to_bytes()
    }
}

fn exercise(header: &GgufHeader, text: &str) {
    let Ok(tokenizer) = Tokenizer::from_gguf(header) else {
        return;
    };
    let vocab_size = tokenizer.vocab_size();
    for add_special in [false, true] {
        if let Ok(ids) = tokenizer.encode(text, add_special) {
            assert!(
                ids.iter().all(|&id| (id as usize) < vocab_size),
                "{ids:?} ≥ {vocab_size}"
            );
            let _ = tokenizer.decode(&ids, false);
            let _ = tokenizer.decode(&ids, true);
            for &id in ids.iter().take(16) {
                let _ = tokenizer.token_text(id);
                let _ = tokenizer.is_special(id);
            }
        }
    }
    let _ = tokenizer.token_text(u32::MAX);
    let _ = tokenizer.decode(&[u32::MAX], false);
    let _ = (
        tokenizer.bos_id(),
        tokenizer.eos_ids(),
        tokenizer.adds_bos(),
    );
    if tokenizer.chat_template().is_some() {
        let _ = tokenizer.encode_chat(&[ChatMessage::user(text)], true);
    }
}

fuzz_target!(|data: &[u8]| {
    if data.first() == Some(&b'G') {
        if let Ok(header) = GgufHeader::parse(data) {
            exercise(&header, "Hello world! 123 <|im_start|> ünïcödé  ");
        }
        return;
    }
    let Ok(description) = Description::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let bytes = description.to_gguf();
    let header = GgufHeader::parse(&bytes).expect("the writer's GGUF parses");
    exercise(&header, &description.text);
});
