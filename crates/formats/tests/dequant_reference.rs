//! Dequantisation checked against an independent reference: values computed by gguf-py
//! (llama.cpp's numpy port of ggml's `dequantize_row_*`), stored in
//! `data/dequant_reference.json` by `reference/make_dequant_reference.py`.
//!
//! The comparison is bit-exact, not within a tolerance. Every format here is a handful of
//! IEEE `f32` operations per value (an exact `f16` widening, an exact integer-to-float
//! conversion, then multiplies and adds in a fixed order), and ggml, numpy and Rust all
//! perform them with round-to-nearest and without fusing multiply-adds. Identical inputs
//! therefore give identical bits; any difference, even one ulp, means we computed a
//! different expression (a wrong scale, offset or operation order), which a tolerance
//! would hide.

use mechscope_formats::gguf::GgmlType;
use mechscope_formats::gguf::dequant::{dequantize, dequantize_into};
use serde::Deserialize;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

#[derive(Deserialize)]
struct Reference {
    gguf_py_version: String,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    #[serde(rename = "type")]
    type_name: String,
    reference: String,
    n_elements: usize,
    data_hex: String,
    expected_f32_le_hex: String,
}

impl Case {
    fn ty(&self) -> GgmlType {
        (0..=u8::MAX.into())
            .filter_map(GgmlType::from_id)
            .find(|ty| ty.name() == self.type_name)
            .unwrap_or_else(|| panic!("unknown type {:?} in the reference", self.type_name))
    }

    fn data(&self) -> Vec<u8> {
        from_hex(&self.data_hex)
    }

    fn expected(&self) -> Vec<f32> {
        from_hex(&self.expected_f32_le_hex)
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect()
    }
}

fn from_hex(hex: &str) -> Vec<u8> {
    assert!(hex.len().is_multiple_of(2), "odd-length hex string");
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex digit"))
        .collect()
}

fn reference() -> Reference {
    serde_json::from_str(include_str!("data/dequant_reference.json"))
        .expect("data/dequant_reference.json parses")
}

/// Asserts `actual` and `expected` are bitwise equal, naming the first differing element
/// and its position within its block.
fn assert_bits_equal(actual: &[f32], expected: &[f32], ty: GgmlType, what: &str) {
    let block_elements = ty.block_elements() as usize;
    assert_eq!(actual.len(), expected.len(), "{ty} {what}: element count");
    let first_difference = actual
        .iter()
        .zip(expected)
        .position(|(a, e)| a.to_bits() != e.to_bits());
    if let Some(i) = first_difference {
        panic!(
            "{ty} {what}: element {i} (block {}, element {}) is {:e} ({:#010x}), \
             reference says {:e} ({:#010x})",
            i / block_elements,
            i % block_elements,
            actual[i],
            actual[i].to_bits(),
            expected[i],
            expected[i].to_bits(),
        );
    }
}

#[test]
fn matches_gguf_py_bit_for_bit() {
    let reference = reference();
    assert_eq!(reference.gguf_py_version, "0.19.0");
    for case in &reference.cases {
        let ty = case.ty();
        let expected = case.expected();
        assert_eq!(expected.len(), case.n_elements, "{ty}: reference length");
        let actual =
            dequantize(ty, &case.data(), case.n_elements).unwrap_or_else(|e| panic!("{ty}: {e}"));
        assert_bits_equal(&actual, &expected, ty, &format!("vs {}", case.reference));
    }
}

#[test]
fn covers_every_type_we_claim_to_read() {
    let covered: Vec<GgmlType> = reference().cases.iter().map(Case::ty).collect();
    for ty in (0..=u8::MAX.into()).filter_map(GgmlType::from_id) {
        let supported = mechscope_formats::gguf::dequant::can_dequantize(ty);
        assert_eq!(covered.contains(&ty), supported, "{ty}: reference coverage");
    }
}

#[test]
fn each_block_decodes_on_its_own() {
    // Dequantising one block at a time into a reused buffer gives the same values as
    // the whole tensor: no state leaks between blocks.
    for case in reference().cases {
        let ty = case.ty();
        let block_elements = ty.block_elements() as usize;
        let block_bytes = ty.block_bytes() as usize;
        let expected = case.expected();
        let mut buffer = vec![f32::NAN; block_elements];
        for (block, want) in case
            .data()
            .chunks_exact(block_bytes)
            .zip(expected.chunks_exact(block_elements))
        {
            dequantize_into(ty, block, &mut buffer).unwrap_or_else(|e| panic!("{ty}: {e}"));
            assert_bits_equal(&buffer, want, ty, "one block at a time");
        }
    }
}
