//! A Hugging Face `config.json` from arbitrary bytes.
//!
//! Invariants: nothing panics (nor overflows); an accepted config has positive sizes,
//! one sliding flag per layer, and a parameter count that can be computed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mechscope_formats::config::ModelConfig;

fuzz_target!(|data: &[u8]| {
    let Ok(config) = ModelConfig::from_hf_json(data) else {
        return;
    };
    assert_eq!(config.sliding_layers.len(), config.n_layers);
    assert!(config.n_layers > 0 && config.d_model > 0 && config.vocab_size > 0);
    let _ = config.parameter_count();
});
