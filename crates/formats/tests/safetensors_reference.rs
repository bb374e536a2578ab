//! Reads safetensors files written by an independent writer (Hugging Face's
//! `safetensors` package, see `reference/make_safetensors_reference.py`) and compares
//! every tensor with the dtype, shape, bytes and values that script recorded.

use std::collections::BTreeMap;
use std::path::PathBuf;

use mechscope_formats::safetensors::{
    Dtype, HeaderProbe, SafetensorsError, SafetensorsFile, SafetensorsHeader, ShardedIndex,
    ShardedSafetensors, probe_header,
};
use serde::Deserialize;

#[derive(Deserialize)]
struct Reference {
    files: BTreeMap<String, ReferenceFile>,
    index: ReferenceIndex,
}

#[derive(Deserialize)]
struct ReferenceFile {
    metadata: BTreeMap<String, String>,
    tensors: BTreeMap<String, ReferenceTensor>,
}

#[derive(Deserialize)]
struct ReferenceTensor {
    dtype: String,
    shape: Vec<u64>,
    bytes_hex: String,
    /// Present for float tensors: the exact f32 value of each element.
    values: Option<Vec<f64>>,
}

#[derive(Deserialize)]
struct ReferenceIndex {
    path: String,
    total_size: u64,
    weight_map: BTreeMap<String, String>,
}

fn data_dir() -> PathBuf {
    mechscope_testkit::crate_dir().join("tests/data")
}

fn read(relative: &str) -> Vec<u8> {
    let path = data_dir().join(relative);
    std::fs::read(&path).unwrap_or_else(|error| panic!("reading {}: {error}", path.display()))
}

fn reference() -> Reference {
    serde_json::from_slice(&read("safetensors_reference.json")).expect("reference JSON")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Bit-exact comparison, so -0.0 and subnormals count.
fn assert_values_equal(name: &str, got: &[f32], expected: &[f64]) {
    let got_bits: Vec<u32> = got.iter().map(|v| v.to_bits()).collect();
    let expected_bits: Vec<u32> = expected.iter().map(|&v| (v as f32).to_bits()).collect();
    assert_eq!(
        got_bits, expected_bits,
        "values of `{name}`: {got:?} vs {expected:?}"
    );
}

fn check_file(file: &SafetensorsFile<'_>, expected: &ReferenceFile) {
    assert_eq!(file.metadata(), &expected.metadata);
    let mut names: Vec<&str> = file.tensors().iter().map(|t| t.name()).collect();
    names.sort_unstable();
    let expected_names: Vec<&str> = expected.tensors.keys().map(String::as_str).collect();
    assert_eq!(names, expected_names);

    for (name, reference) in &expected.tensors {
        let info = file.tensor(name).unwrap();
        assert_eq!(info.dtype().name(), reference.dtype, "dtype of `{name}`");
        assert_eq!(
            info.shape(),
            reference.shape.as_slice(),
            "shape of `{name}`"
        );
        assert_eq!(
            hex(file.tensor_bytes(name).unwrap()),
            reference.bytes_hex,
            "bytes of `{name}`"
        );
        match &reference.values {
            Some(values) => assert_values_equal(name, &file.read_f32(name).unwrap(), values),
            None => assert!(matches!(
                file.read_f32(name),
                Err(SafetensorsError::UnsupportedDtype { .. })
            )),
        }
    }
}

#[test]
fn single_file_matches_reference_values() {
    let reference = reference();
    let bytes = read("reference.safetensors");
    let file = SafetensorsFile::parse(&bytes).unwrap();
    check_file(&file, &reference.files["reference.safetensors"]);

    let dtypes: Vec<Dtype> = file.tensors().iter().map(|t| t.dtype()).collect();
    for dtype in [Dtype::F32, Dtype::F16, Dtype::BF16, Dtype::I64] {
        assert!(
            dtypes.contains(&dtype),
            "the reference file should hold a {dtype} tensor"
        );
    }
}

#[test]
fn header_from_a_prefix_as_a_range_request_would_fetch_it() {
    let bytes = read("reference.safetensors");
    let HeaderProbe::NeedMoreBytes { total_bytes } = probe_header(&bytes[..8]).unwrap() else {
        panic!("8 bytes cannot hold the header");
    };
    let header_len = usize::try_from(total_bytes).unwrap();
    let HeaderProbe::Complete(header) = probe_header(&bytes[..header_len]).unwrap() else {
        panic!("the whole header was given");
    };
    assert_eq!(header, SafetensorsHeader::parse(&bytes).unwrap());
    assert_eq!(header.required_file_size_bytes(), bytes.len() as u64);
    header.check_file_size(bytes.len() as u64).unwrap();

    // Fetch one tensor by its range, as the browser does.
    let info = header
        .tensor("model.layers.0.mlp.down_proj.weight")
        .unwrap();
    let range = info.file_range();
    let fetched = &bytes[range.start as usize..range.end as usize];
    let whole = SafetensorsFile::parse(&bytes).unwrap();
    assert_eq!(
        info.decode_f32(fetched).unwrap(),
        whole.read_f32(info.name()).unwrap()
    );

    // A download cut short is caught from the size alone, naming a tensor.
    let error = header.check_file_size(bytes.len() as u64 - 1).unwrap_err();
    assert!(
        matches!(error, SafetensorsError::TensorPastEnd { .. }),
        "{error}"
    );
}

#[test]
fn sharded_checkpoint_matches_reference_values() {
    let reference = reference();
    let index = ShardedIndex::parse(&read(&reference.index.path)).unwrap();
    assert_eq!(index.weight_map(), &reference.index.weight_map);
    assert_eq!(index.total_size_bytes(), Some(reference.index.total_size));

    let shard_names = index.shard_files();
    assert_eq!(
        shard_names,
        [
            "model-00001-of-00002.safetensors",
            "model-00002-of-00002.safetensors"
        ]
    );
    let shard_bytes: Vec<(String, Vec<u8>)> = shard_names
        .iter()
        .map(|name| (name.to_string(), read(&format!("sharded/{name}"))))
        .collect();

    for (name, bytes) in &shard_bytes {
        let file = SafetensorsFile::parse(bytes).unwrap();
        check_file(&file, &reference.files[&format!("sharded/{name}")]);
    }

    let data_bytes: u64 = shard_bytes
        .iter()
        .map(|(_, bytes)| {
            let file = SafetensorsFile::parse(bytes).unwrap();
            file.tensors().iter().map(|t| t.size_bytes()).sum::<u64>()
        })
        .sum();
    assert_eq!(data_bytes, reference.index.total_size);

    let sharded = ShardedSafetensors::new(
        index.clone(),
        shard_bytes
            .iter()
            .map(|(name, bytes)| (name.as_str(), bytes.as_slice())),
    )
    .unwrap();
    for (tensor, shard) in &reference.index.weight_map {
        let expected = &reference.files[&format!("sharded/{shard}")].tensors[tensor];
        let values = expected
            .values
            .as_ref()
            .expect("the shards hold float tensors only");
        assert_values_equal(tensor, &sharded.read_f32(tensor).unwrap(), values);
    }

    // Only the first shard was dropped: the error names a tensor of the second.
    let (first_name, first_bytes) = &shard_bytes[0];
    let error = ShardedSafetensors::new(index, [(first_name.as_str(), first_bytes.as_slice())])
        .unwrap_err();
    assert_eq!(
        error,
        SafetensorsError::ShardMissing {
            tensor: "model.layers.1.self_attn.q_proj.weight".into(),
            shard: "model-00002-of-00002.safetensors".into(),
        }
    );
}
