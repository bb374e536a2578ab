//! The GGUF reader compiled to wasm and run in headless Chromium, where the page uses it.
#![cfg(target_arch = "wasm32")]

use mechscope_formats::gguf::{
    GgmlType, GgufError, GgufHeader, MetadataValue, parse_file, writer::GgufWriter,
};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn tiny() -> Vec<u8> {
    let mut w = GgufWriter::new();
    w.metadata("general.architecture", MetadataValue::String("gpt2".into()))
        .metadata("gpt2.block_count", MetadataValue::U32(3));
    w.tensor("a", &[64, 2], GgmlType::Q8_0, vec![7; 4 * 34]);
    w.to_bytes()
}

#[wasm_bindgen_test]
fn parses_in_wasm() {
    let header = parse_file(&tiny()).unwrap();
    let s = header.summary();
    assert_eq!(s.architecture.as_deref(), Some("gpt2"));
    assert_eq!(s.layers, Some(3));
    assert_eq!(s.parameter_count, 128);
}

#[wasm_bindgen_test]
fn typed_errors_in_wasm() {
    let bytes = tiny();
    assert!(
        GgufHeader::parse(&bytes[..30])
            .unwrap_err()
            .needs_more_bytes()
    );
    let mut bad = bytes.clone();
    bad[0] = b'X';
    assert!(matches!(
        GgufHeader::parse(&bad),
        Err(GgufError::BadMagic { .. })
    ));
    assert!(matches!(
        parse_file(&bytes[..bytes.len() - 40]),
        Err(GgufError::TensorOutOfBounds { .. })
    ));
}
