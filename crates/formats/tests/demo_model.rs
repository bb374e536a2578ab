//! The demo model's real header, checked against facts recorded independently in
//! `../shared/fixtures` (PyTorch + transformers on the same weights).
//!
//! The model comes from `cargo xtask setup`; without it (or without `../shared`) the
//! tests say so and pass without checking.

use mechscope_formats::gguf::{GgmlType, GgufHeader, parse_file};
use std::path::PathBuf;

fn demo_model() -> Option<Vec<u8>> {
    // `cargo xtask test` sets MECHSCOPE_MODELS to its model cache.
    let dir = std::env::var_os("MECHSCOPE_MODELS")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/mechscope/models"))
        })?;
    let path = dir.join("SmolLM2-135M-Instruct.Q4_1.gguf");
    match std::fs::read(&path) {
        Ok(bytes) => Some(bytes),
        Err(e) => {
            eprintln!(
                "SKIP: demo model not at {} ({e}); run `cargo xtask setup`",
                path.display()
            );
            None
        }
    }
}

fn fixture(name: &str) -> Option<serde_json::Value> {
    let path = mechscope_testkit::crate_dir()
        .join("../../../shared/fixtures")
        .join(name);
    match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text).ok(),
        Err(_) => {
            eprintln!(
                "SKIP: {} is absent (../shared is not beside the clone)",
                path.display()
            );
            None
        }
    }
}

#[test]
fn demo_header_matches_the_reference_model() {
    let Some(bytes) = demo_model() else { return };
    let header = parse_file(&bytes).expect("the demo model parses");
    let s = header.summary();
    assert_eq!(s.architecture.as_deref(), Some("llama"));
    assert_eq!(s.layers, Some(30));
    assert_eq!(s.width, Some(576));
    assert_eq!(s.ffn_width, Some(1536));
    assert_eq!(s.attention_heads, Some(9));
    assert_eq!(s.kv_heads, Some(3));
    assert_eq!(s.vocab_size, Some(49152));
    let types: Vec<GgmlType> = s.types.iter().map(|t| t.ty).collect();
    assert_eq!(types, [GgmlType::Q4_1, GgmlType::Q8_0, GgmlType::F32]);
    // The token embedding is Q8_0 and tied: there is no separate output matrix.
    assert_eq!(
        header.tensor("token_embd.weight").map(|t| t.ty),
        Some(GgmlType::Q8_0)
    );
    assert!(header.tensor("output.weight").is_none());

    if let Some(logits) = fixture("logits_smollm2.json") {
        assert_eq!(s.layers, logits["n_layers"].as_u64());
        assert_eq!(s.width, logits["d_model"].as_u64());
        assert_eq!(s.vocab_size, logits["vocab_size"].as_u64());
    }
    if let Some(ais) = fixture("ais_smollm2.json") {
        // PyTorch's count of every parameter once (tied embedding once).
        assert_eq!(Some(s.parameter_count), ais["counts"]["N_total"].as_u64());
    }
}

#[test]
fn the_header_parses_from_a_prefix_and_the_rest_is_checked_against_the_size() {
    let Some(bytes) = demo_model() else { return };
    let full = GgufHeader::parse(&bytes).expect("parses");
    let prefix = &bytes[..full.data_offset as usize];
    let from_prefix = GgufHeader::parse(prefix).expect("the header alone is enough");
    assert_eq!(from_prefix, full);
    from_prefix
        .check_file_size(bytes.len() as u64)
        .expect("all tensors inside");
    assert!(from_prefix.check_file_size(bytes.len() as u64 - 1).is_err());
    // Any cut inside the header asks for more bytes, never panics.
    for cut in [0, 3, 7, 23, 1000, prefix.len() / 2, prefix.len() - 40] {
        let err = GgufHeader::parse(&bytes[..cut]).unwrap_err();
        assert!(err.needs_more_bytes(), "cut at {cut}: {err}");
    }
}
