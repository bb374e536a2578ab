//! Chat template rendering with a fuzzed template and conversation.
//!
//! The input is text: the template, then NUL-separated role / content pairs
//! (`template \0 user \0 Hello \0 assistant \0 Hi`), so real templates seed the corpus
//! as they are. The template is set on the tiny model's tokenizer and rendered with and
//! without the generation prompt, then encoded.
//!
//! Invariants: nothing panics, and rendering ends (no unbounded loops or output).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mechscope_formats::tokenizer::{ChatMessage, Tokenizer};
use std::sync::OnceLock;

fn base_tokenizer() -> &'static Tokenizer {
    static TOKENIZER: OnceLock<Tokenizer> = OnceLock::new();
    TOKENIZER.get_or_init(|| {
        let files = mechscope_testkit::tiny_model::tiny_llama_hf(
            mechscope_testkit::tiny_model::TINY_LLAMA_SEED,
        );
        Tokenizer::from_tokenizer_json(
            files
                .get("tokenizer.json")
                .expect("the tiny model has a tokenizer.json"),
            files.get("tokenizer_config.json"),
        )
        .expect("the tiny model's tokenizer loads")
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\0');
    let template = parts.next().unwrap_or_default().to_string();
    let fields: Vec<&str> = parts.collect();
    let messages: Vec<ChatMessage> = fields
        .chunks(2)
        .map(|pair| ChatMessage::new(pair[0], pair.get(1).copied().unwrap_or_default()))
        .collect();
    let tokenizer = base_tokenizer().clone().with_chat_template(Some(template));
    for add_generation_prompt in [false, true] {
        if let Ok(rendered) = tokenizer.render_chat(&messages, add_generation_prompt) {
            let _ = tokenizer.encode(&rendered, false);
        }
    }
});
