use super::writer::GgufWriter;
use super::*;

fn tiny_model() -> GgufWriter {
    let mut w = GgufWriter::new();
    w.metadata(
        "general.architecture",
        MetadataValue::String("llama".into()),
    )
    .metadata("general.name", MetadataValue::String("tiny".into()))
    .metadata("llama.block_count", MetadataValue::U32(2))
    .metadata("llama.embedding_length", MetadataValue::U32(64))
    .metadata("llama.feed_forward_length", MetadataValue::U64(128))
    .metadata(
        "tokenizer.ggml.tokens",
        MetadataValue::Array(ArrayValue::String(
            (0..10).map(|i| format!("tok{i}")).collect(),
        )),
    )
    .metadata(
        "tokenizer.ggml.scores",
        MetadataValue::Array(ArrayValue::F32(vec![0.5; 10])),
    );
    w.tensor(
        "token_embd.weight",
        &[64, 10],
        GgmlType::Q8_0,
        vec![1; 20 * 34],
    )
    .tensor("output_norm.weight", &[64], GgmlType::F32, vec![2; 256])
    .tensor(
        "blk.0.ffn_up.weight",
        &[256, 2],
        GgmlType::Q4_K,
        vec![3; 2 * 144],
    );
    w
}

#[test]
fn round_trips_metadata_and_tensors() {
    let bytes = tiny_model().to_bytes();
    let header = parse_file(&bytes).unwrap();
    assert_eq!(header.version, 3);
    assert_eq!(header.alignment, 32);
    assert_eq!(header.data_offset % 32, 0);
    assert_eq!(header.tensors.len(), 3);
    let up = header.tensor("blk.0.ffn_up.weight").unwrap();
    assert_eq!(up.ty, GgmlType::Q4_K);
    assert_eq!(up.n_elements, 512);
    assert_eq!(up.size_bytes, 288);
    let range = header.tensor_range(up);
    assert_eq!(
        &bytes[range.start as usize..range.end as usize],
        &[3u8; 288][..]
    );

    let s = header.summary();
    assert_eq!(s.architecture.as_deref(), Some("llama"));
    assert_eq!(s.name.as_deref(), Some("tiny"));
    assert_eq!(s.layers, Some(2));
    assert_eq!(s.width, Some(64));
    assert_eq!(s.ffn_width, Some(128));
    assert_eq!(s.vocab_size, Some(10));
    assert_eq!(s.parameter_count, 640 + 64 + 512);
    let order: Vec<GgmlType> = s.types.iter().map(|t| t.ty).collect();
    assert_eq!(order, [GgmlType::Q8_0, GgmlType::Q4_K, GgmlType::F32]);
}

#[test]
fn honours_custom_alignment() {
    let mut w = tiny_model();
    w.metadata("general.alignment", MetadataValue::U32(64));
    let header = parse_file(&w.to_bytes()).unwrap();
    assert_eq!(header.alignment, 64);
    assert_eq!(header.data_offset % 64, 0);
}

#[test]
fn refuses_wrong_magic() {
    let mut bytes = tiny_model().to_bytes();
    bytes[..4].copy_from_slice(b"GGML");
    let err = GgufHeader::parse(&bytes).unwrap_err();
    assert_eq!(
        err,
        GgufError::BadMagic {
            found: b"GGML".to_vec()
        }
    );
    assert!(err.to_string().contains("not a GGUF file"));
}

#[test]
fn refuses_unknown_versions() {
    for version in [0u32, 1, 4, u32::MAX] {
        let mut bytes = tiny_model().to_bytes();
        bytes[4..8].copy_from_slice(&version.to_le_bytes());
        assert_eq!(
            GgufHeader::parse(&bytes).unwrap_err(),
            GgufError::UnsupportedVersion(version)
        );
    }
}

#[test]
fn every_truncation_inside_the_header_asks_for_more_bytes() {
    let bytes = tiny_model().to_bytes();
    let header = GgufHeader::parse(&bytes).unwrap();
    // Every prefix shorter than the last tensor info fails with UnexpectedEof whose
    // `needed` lies beyond the prefix; none panics.
    let header_end = header.data_offset as usize;
    let mut last_ok = None;
    for len in 0..header_end {
        match GgufHeader::parse(&bytes[..len]) {
            Err(
                e @ GgufError::UnexpectedEof {
                    needed, available, ..
                },
            ) => {
                assert!(e.needs_more_bytes());
                assert_eq!(available, len as u64);
                assert!(needed > len as u64, "needed {needed} at len {len}");
            }
            Ok(_) => last_ok = last_ok.or(Some(len)),
            Err(other) => panic!("prefix of {len} bytes: unexpected {other}"),
        }
    }
    // Only the alignment padding after the last tensor info may be missing.
    assert!(last_ok.unwrap_or(header_end) > header_end - 32);
}

#[test]
fn a_truncated_data_section_names_the_tensor_past_the_end() {
    let bytes = tiny_model().to_bytes();
    let cut = bytes.len() - 10;
    let header = GgufHeader::parse(&bytes[..cut]).unwrap();
    match header.check_file_size(cut as u64).unwrap_err() {
        GgufError::TensorOutOfBounds {
            tensor, file_size, ..
        } => {
            assert_eq!(tensor, "blk.0.ffn_up.weight");
            assert_eq!(file_size, cut as u64);
        }
        other => panic!("unexpected {other}"),
    }
    assert!(matches!(
        parse_file(&bytes[..cut]),
        Err(GgufError::TensorOutOfBounds { .. })
    ));
}

#[test]
fn refuses_unknown_tensor_types_by_name() {
    let mut w = GgufWriter::new();
    w.tensor("weird", &[32], GgmlType::F32, vec![0; 128]);
    let mut bytes = w.to_bytes();
    // The type id follows name (8 + 5 bytes), rank (4) and one dim (8).
    let type_at = 24 + 8 + 5 + 4 + 8;
    bytes[type_at..type_at + 4].copy_from_slice(&99u32.to_le_bytes());
    assert_eq!(
        GgufHeader::parse(&bytes).unwrap_err(),
        GgufError::UnknownTensorType {
            tensor: "weird".into(),
            type_id: 99
        }
    );
}

#[test]
fn refuses_huge_declared_counts_without_allocating() {
    let mut bytes = tiny_model().to_bytes();
    bytes[8..16].copy_from_slice(&u64::MAX.to_le_bytes());
    assert!(matches!(
        GgufHeader::parse(&bytes).unwrap_err(),
        GgufError::LimitExceeded { .. }
    ));

    // An array that claims 2^20 strings (under the cap) in a small file is a
    // truncation, found at once.
    let mut bytes = one_string_array();
    bytes[ARRAY_COUNT_AT..ARRAY_COUNT_AT + 8].copy_from_slice(&(1u64 << 20).to_le_bytes());
    assert!(GgufHeader::parse(&bytes).unwrap_err().needs_more_bytes());
}

/// A file whose only metadata entry is the array `a = ["x"]`.
fn one_string_array() -> Vec<u8> {
    let mut w = GgufWriter::new();
    w.metadata(
        "a",
        MetadataValue::Array(ArrayValue::String(vec!["x".into()])),
    );
    w.to_bytes()
}
/// Where `one_string_array`'s array length lies: after magic, version, both counts, the
/// key (length + "a"), the value type and the element type.
const ARRAY_COUNT_AT: usize = 24 + 8 + 1 + 4 + 4;
/// Where its first string's length lies.
const FIRST_STRING_LENGTH_AT: usize = ARRAY_COUNT_AT + 8;

#[test]
fn a_tensor_of_2_pow_40_elements_is_refused_by_the_header_naming_it() {
    // No data at all: the header alone must say no, before anything is allocated for
    // the 4 TiB it declares.
    let mut w = GgufWriter::new();
    w.tensor("blk.0.huge", &[1 << 20, 1 << 20], GgmlType::F32, vec![]);
    let bytes = w.to_bytes();
    assert!(bytes.len() < 200);
    let err = GgufHeader::parse(&bytes).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the element count of tensor \"blk.0.huge\" (shape [1048576, 1048576]) is \
         1099511627776, more than the limit of 17179869184: the header is corrupt"
    );
    assert!(!err.needs_more_bytes());
    // The largest count allowed still parses; its data is then missing from the file.
    let mut w = GgufWriter::new();
    w.tensor("at_limit", &[1 << 17, 1 << 17], GgmlType::Q8_0, vec![]);
    let bytes = w.to_bytes();
    assert!(GgufHeader::parse(&bytes).is_ok());
    assert!(matches!(
        parse_file(&bytes).unwrap_err(),
        GgufError::TensorOutOfBounds { tensor, .. } if tensor == "at_limit"
    ));
}

#[test]
fn a_string_longer_than_the_cap_is_refused_before_reading_it() {
    let mut bytes = one_string_array();
    let too_long = limits::MAX_STRING_BYTES + 1;
    bytes[FIRST_STRING_LENGTH_AT..FIRST_STRING_LENGTH_AT + 8]
        .copy_from_slice(&too_long.to_le_bytes());
    let err = GgufHeader::parse(&bytes).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the length of element 0 of array \"a\" is 16777217, more than the limit of \
         16777216: the header is corrupt"
    );
}

#[test]
fn an_array_longer_than_the_cap_is_refused_before_reading_it() {
    let mut bytes = one_string_array();
    let too_many = limits::MAX_ARRAY_ELEMENTS + 1;
    bytes[ARRAY_COUNT_AT..ARRAY_COUNT_AT + 8].copy_from_slice(&too_many.to_le_bytes());
    let err = GgufHeader::parse(&bytes).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the length of array \"a\" is 16777217, more than the limit of 16777216: the \
         header is corrupt"
    );
}

#[test]
fn metadata_counts_and_ranks_over_the_caps_are_refused() {
    let mut bytes = one_string_array();
    bytes[16..24].copy_from_slice(&(limits::MAX_METADATA_ENTRIES + 1).to_le_bytes());
    assert_eq!(
        GgufHeader::parse(&bytes).unwrap_err().to_string(),
        "the metadata entry count is 65537, more than the limit of 65536: the header is corrupt"
    );
    let mut w = GgufWriter::new();
    w.tensor("t", &[1; 9], GgmlType::F32, vec![0; 4]);
    assert_eq!(
        GgufHeader::parse(&w.to_bytes()).unwrap_err().to_string(),
        "the rank of tensor \"t\" is 9, more than the limit of 8: the header is corrupt"
    );
}

#[test]
fn a_truncated_file_says_so_and_how_far_it_got() {
    let bytes = tiny_model().to_bytes();
    let err = GgufHeader::parse(&bytes[..30]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the file ends at byte 30 while reading the key of metadata entry 0 (needs 32 \
         bytes): the file is truncated, or only part of it was given"
    );
}

#[test]
fn refuses_shapes_that_overflow_or_split_blocks() {
    let mut w = GgufWriter::new();
    w.tensor("big", &[1 << 32, 1 << 32, 1 << 32], GgmlType::F32, vec![]);
    assert!(matches!(
        GgufHeader::parse(&w.to_bytes()).unwrap_err(),
        GgufError::BadShape { tensor, .. } if tensor == "big"
    ));
    let mut w = GgufWriter::new();
    w.tensor("ragged", &[33, 2], GgmlType::Q8_0, vec![]);
    assert!(matches!(
        GgufHeader::parse(&w.to_bytes()).unwrap_err(),
        GgufError::BadShape { .. }
    ));
}

#[test]
fn detects_overlapping_tensors() {
    let mut w = GgufWriter::new();
    w.tensor("a", &[64], GgmlType::F32, vec![0; 256]).tensor(
        "b",
        &[64],
        GgmlType::F32,
        vec![0; 256],
    );
    let mut bytes = w.to_bytes();
    // Point b's offset (the last 8 bytes of its info) at a's data.
    let header = GgufHeader::parse(&bytes).unwrap();
    let b_offset_at = header.data_offset as usize - 8;
    let b_offset_at = (0..=b_offset_at)
        .rev()
        .find(|&i| bytes[i..i + 8] == 256u64.to_le_bytes())
        .unwrap();
    bytes[b_offset_at..b_offset_at + 8].copy_from_slice(&128u64.to_le_bytes());
    assert!(matches!(
        parse_file(&bytes).unwrap_err(),
        GgufError::OverlappingTensors { .. }
    ));
}

#[test]
fn nested_arrays_round_trip_and_depth_is_capped() {
    let nested = ArrayValue::Array(vec![
        ArrayValue::I32(vec![1, 2]),
        ArrayValue::Bool(vec![true]),
    ]);
    let mut w = GgufWriter::new();
    w.metadata("n", MetadataValue::Array(nested.clone()));
    let header = parse_file(&w.to_bytes()).unwrap();
    assert_eq!(header.get("n"), Some(&MetadataValue::Array(nested)));

    let mut deep = ArrayValue::U8(vec![1]);
    for _ in 0..limits::MAX_ARRAY_DEPTH {
        deep = ArrayValue::Array(vec![deep]);
    }
    let mut w = GgufWriter::new();
    w.metadata("deep", MetadataValue::Array(deep));
    assert!(matches!(
        GgufHeader::parse(&w.to_bytes()).unwrap_err(),
        GgufError::LimitExceeded { .. }
    ));
}

#[test]
fn random_corruption_never_panics() {
    // A cheap, deterministic stand-in for the fuzzer: flip bytes of a valid header.
    let bytes = tiny_model().to_bytes();
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    for _ in 0..5000 {
        let mut b = bytes.clone();
        for _ in 0..4 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let i = (state % b.len() as u64) as usize;
            b[i] = (state >> 32) as u8;
        }
        let _ = parse_file(&b);
    }
}
