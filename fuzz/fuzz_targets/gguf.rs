//! GGUF header, metadata and tensor infos from arbitrary bytes, then what the loaders do
//! with a header that parsed: the extent checks, the model config, and dequantisation
//! of every (small) tensor.
//!
//! Invariants: nothing panics; a file that passes `parse_file` has every tensor inside
//! it, with an element count and byte size that agree with its shape and type.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mechscope_formats::config::ModelConfig;
use mechscope_formats::gguf::{self, GgufHeader, dequant};

/// Tensors larger than this are not dequantised: the point is the parser, not memcpy.
const MAX_DEQUANT_ELEMENTS: u64 = 1 << 16;

fuzz_target!(|data: &[u8]| {
    let Ok(header) = GgufHeader::parse(data) else {
        return;
    };
    let _ = header.parameter_count();
    let _ = ModelConfig::from_gguf(&header);
    let Ok(()) = header.check_file_size(data.len() as u64) else {
        return;
    };
    assert!(gguf::parse_file(data).is_ok());
    for tensor in &header.tensors {
        let product = tensor
            .shape
            .iter()
            .try_fold(1u64, |acc, &d| acc.checked_mul(d));
        assert_eq!(product, Some(tensor.n_elements), "{}", tensor.name);
        assert_eq!(
            tensor.ty.bytes_for(tensor.n_elements),
            Some(tensor.size_bytes),
            "{}",
            tensor.name
        );
        let range = header.tensor_range(tensor);
        assert!(range.start <= range.end && range.end <= data.len() as u64);
        if tensor.n_elements <= MAX_DEQUANT_ELEMENTS && dequant::can_dequantize(tensor.ty) {
            let bytes = &data[range.start as usize..range.end as usize];
            let values = dequant::dequantize(tensor.ty, bytes, tensor.n_elements as usize);
            if let Ok(values) = values {
                assert_eq!(values.len() as u64, tensor.n_elements);
            }
        }
    }
});
