//! A safetensors file from arbitrary bytes: the header probe (the browser's Range
//! requests), the whole-file parse, and f32 decoding of small tensors.
//!
//! Invariants: nothing panics; a file that parses has every tensor's range inside it,
//! sized as its shape × dtype says, tiling the data section; `probe_header` on any
//! prefix agrees with the whole parse (asks for more bytes, or gives the same header).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mechscope_formats::safetensors::{HeaderProbe, SafetensorsFile, probe_header};

const MAX_DECODE_ELEMENTS: u64 = 1 << 16;

fuzz_target!(|data: &[u8]| {
    let probe = probe_header(data);
    let Ok(file) = SafetensorsFile::parse(data) else {
        return;
    };
    let header = file.header();
    match probe {
        Ok(HeaderProbe::Complete(probed)) => assert_eq!(&probed, header),
        other => panic!("the whole file parsed but the probe said {other:?}"),
    }
    let mut expected_start = header.data_start_byte();
    for tensor in file.tensors() {
        let range = tensor.file_range();
        assert_eq!(range.start, expected_start, "{}", tensor.name());
        assert!(range.end <= data.len() as u64, "{}", tensor.name());
        assert_eq!(range.end - range.start, tensor.size_bytes());
        expected_start = range.end;
        let bytes = file
            .tensor_bytes(tensor.name())
            .expect("a checked tensor's bytes");
        assert_eq!(bytes.len() as u64, tensor.size_bytes());
        if tensor.element_count() <= MAX_DECODE_ELEMENTS
            && let Ok(values) = file.read_f32(tensor.name())
        {
            assert_eq!(values.len() as u64, tensor.element_count());
        }
    }
    assert_eq!(header.required_file_size_bytes(), expected_start);
    // A prefix cut inside the header asks for more; one holding it gives it back.
    let cut = (data.len() / 2).min(header.data_start_byte() as usize);
    match probe_header(&data[..cut]) {
        Ok(HeaderProbe::NeedMoreBytes { total_bytes }) => {
            assert!(total_bytes > cut as u64 && total_bytes <= header.data_start_byte())
        }
        Ok(HeaderProbe::Complete(probed)) => assert_eq!(&probed, header),
        Err(error) => panic!("a prefix of a good file failed: {error}"),
    }
});
