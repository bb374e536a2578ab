//! A Hugging Face `tokenizer.json` (and optionally its `tokenizer_config.json`) from
//! arbitrary bytes: the bytes before the first NUL are the tokenizer, those after it the
//! config. An accepted tokenizer is then used.
//!
//! Invariants: nothing panics (the `tokenizers` crate has panics on malformed merges
//! and post-processors that our validation must stop first); ids stay inside the
//! vocabulary.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mechscope_formats::tokenizer::{ChatMessage, Tokenizer};

fuzz_target!(|data: &[u8]| {
    let (tokenizer_json, config) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], Some(&data[at + 1..])),
        None => (data, None),
    };
    let Ok(tokenizer) = Tokenizer::from_tokenizer_json(tokenizer_json, config) else {
        return;
    };
    let vocab_size = tokenizer.vocab_size();
    for text in [
        "Hello world! 123",
        " <s></s><|im_start|>user\nünï\tcödé  ",
        "",
    ] {
        for add_special in [false, true] {
            if let Ok(ids) = tokenizer.encode(text, add_special) {
                assert!(
                    ids.iter().all(|&id| (id as usize) < vocab_size),
                    "{ids:?} ≥ {vocab_size}"
                );
                let _ = tokenizer.decode(&ids, false);
                let _ = tokenizer.decode(&ids, true);
            }
        }
    }
    for id in [0, 1, vocab_size as u32 - 1, vocab_size as u32, u32::MAX] {
        let _ = tokenizer.token_text(id);
        let _ = tokenizer.id_to_piece(id);
        let _ = tokenizer.is_special(id);
    }
    let _ = (
        tokenizer.bos_id(),
        tokenizer.eos_ids(),
        tokenizer.adds_bos(),
    );
    if tokenizer.chat_template().is_some() {
        let _ = tokenizer.encode_chat(
            &[ChatMessage::system("Be brief."), ChatMessage::user("Hi")],
            true,
        );
    }
});
