//! GGUF: the single-file model format of llama.cpp.
//!
//! A GGUF file is a header (magic, version, metadata key/values, tensor infos) followed,
//! at an aligned offset, by the tensor data. [`GgufHeader::parse`] reads the header from
//! a prefix of the file, so the browser can fetch only the first megabytes of a large
//! model to show what it is; [`GgufHeader::check_file_size`] then verifies that every
//! tensor lies inside the file. Tensor data is turned into `f32` by [`dequant`].
//!
//! ```
//! use mechscope_formats::gguf::{GgufError, GgufHeader};
//!
//! // Four bytes are not a GGUF header: the error says what was expected.
//! let err = GgufHeader::parse(b"GGML").unwrap_err();
//! assert!(matches!(err, GgufError::BadMagic { .. }));
//! ```

pub mod dequant;
mod metadata;
mod reader;
mod summary;
mod types;
pub mod writer;

pub use metadata::{ArrayValue, MetadataValue};
pub use summary::{ModelSummary, TypeUsage};
pub use types::GgmlType;

use reader::Reader;
use std::collections::BTreeMap;
use thiserror::Error;

/// The four bytes every GGUF file starts with.
pub const MAGIC: [u8; 4] = *b"GGUF";
/// Alignment of the tensor data section when `general.alignment` is absent.
pub const DEFAULT_ALIGNMENT: u64 = 32;

/// Upper bounds that keep a hostile header from making us allocate or loop without end.
/// They sit far above what real models use (Gemma 3's 262 144-token vocabulary is the
/// largest array we know of; tensor names are under 100 bytes).
pub mod limits {
    /// Longest metadata string (chat templates are the longest real ones, ~10 KB).
    pub const MAX_STRING_BYTES: u64 = 16 << 20;
    /// Most metadata entries.
    pub const MAX_METADATA_ENTRIES: u64 = 1 << 16;
    /// Most tensors.
    pub const MAX_TENSORS: u64 = 1 << 20;
    /// Most dimensions of one tensor (ggml itself stops at 4).
    pub const MAX_DIMS: u32 = 8;
    /// Deepest nesting of arrays inside arrays.
    pub const MAX_ARRAY_DEPTH: u32 = 4;
    /// Most elements of one metadata array (vocabularies and merge lists are the longest
    /// real ones: Gemma 3's 262 144 tokens, ~500 000 merges in the largest BPE files).
    pub const MAX_ARRAY_ELEMENTS: u64 = 1 << 24;
    /// Most elements of one tensor: 2^34, eight times the largest real tensor (Llama 3
    /// 405B's 128 256 × 16 384 embedding is under 2^31). A larger count comes from a
    /// corrupt shape and would otherwise be found only when its data is fetched.
    pub const MAX_TENSOR_ELEMENTS: u64 = 1 << 34;
}

/// Everything that can be wrong with a GGUF header, each naming where.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum GgufError {
    #[error(
        "not a GGUF file: it starts with {found:02x?} where GGUF files start with \"GGUF\" (47 47 55 46)"
    )]
    BadMagic { found: Vec<u8> },
    #[error("GGUF version {0} is not supported: MechScope reads versions 2 and 3")]
    UnsupportedVersion(u32),
    #[error(
        "the file ends at byte {available} while reading {what} (needs {needed} bytes): \
         the file is truncated, or only part of it was given"
    )]
    UnexpectedEof {
        what: String,
        needed: u64,
        available: u64,
    },
    #[error("{what} is {value}, more than the limit of {limit}: the header is corrupt")]
    LimitExceeded {
        what: String,
        value: u64,
        limit: u64,
    },
    #[error("metadata key {key:?} has unknown value type {type_id}")]
    UnknownValueType { key: String, type_id: u32 },
    #[error("{what} is not valid UTF-8")]
    InvalidUtf8 { what: String },
    #[error(
        "tensor {tensor:?} has ggml type {type_id}, which MechScope does not know \
         (known: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1, Q2_K..Q8_K, I8..I64, F64)"
    )]
    UnknownTensorType { tensor: String, type_id: u32 },
    #[error("tensor {tensor:?} has shape {shape:?}, whose size {reason}")]
    BadShape {
        tensor: String,
        shape: Vec<u64>,
        reason: String,
    },
    #[error("general.alignment is {0}; it must be a non-zero power of two")]
    BadAlignment(u64),
    #[error(
        "tensor {tensor:?} starts at data offset {offset}, which is not a multiple of the alignment {alignment}"
    )]
    MisalignedTensor {
        tensor: String,
        offset: u64,
        alignment: u64,
    },
    #[error(
        "tensor {tensor:?} occupies bytes {start}..{end} but the file has only {file_size} bytes: \
         the file is truncated or corrupt"
    )]
    TensorOutOfBounds {
        tensor: String,
        start: u64,
        end: u64,
        file_size: u64,
    },
    #[error("tensors {first:?} and {second:?} overlap in the data section")]
    OverlappingTensors { first: String, second: String },
    #[error("tensor name {0:?} appears twice")]
    DuplicateTensor(String),
}

impl GgufError {
    /// True when the bytes given ended before the header did: fetching a longer prefix
    /// of the same file may succeed, whereas every other error is final.
    pub fn needs_more_bytes(&self) -> bool {
        matches!(self, GgufError::UnexpectedEof { .. })
    }
}

/// One tensor as the header describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct TensorInfo {
    pub name: String,
    /// Dimensions in ggml order: `shape[0]` is the fastest-varying (row length).
    pub shape: Vec<u64>,
    pub ty: GgmlType,
    /// Offset of the first byte relative to the start of the data section.
    pub offset: u64,
    pub n_elements: u64,
    pub size_bytes: u64,
}

/// The parsed header of a GGUF file.
#[derive(Debug, Clone, PartialEq)]
pub struct GgufHeader {
    pub version: u32,
    pub metadata: BTreeMap<String, MetadataValue>,
    /// Tensors in file order.
    pub tensors: Vec<TensorInfo>,
    pub alignment: u64,
    /// Absolute file offset where the tensor data section starts.
    pub data_offset: u64,
}

impl GgufHeader {
    /// Parses the header from the first bytes of a GGUF file (the whole file works too).
    ///
    /// When `bytes` ends inside the header the error is [`GgufError::UnexpectedEof`]
    /// ([`GgufError::needs_more_bytes`]): a caller holding only a prefix can fetch more
    /// and try again. Tensor extents are not checked against the file size here, since
    /// a prefix does not know it: call [`GgufHeader::check_file_size`] for that.
    pub fn parse(bytes: &[u8]) -> Result<Self, GgufError> {
        let mut r = Reader::new(bytes);
        let magic = r.bytes(4, "the magic number")?;
        if magic != MAGIC {
            return Err(GgufError::BadMagic {
                found: magic.to_vec(),
            });
        }
        let version = r.u32("the version")?;
        if !(2..=3).contains(&version) {
            return Err(GgufError::UnsupportedVersion(version));
        }
        let tensor_count = r.u64("the tensor count")?;
        check_limit("the tensor count", tensor_count, limits::MAX_TENSORS)?;
        let metadata_count = r.u64("the metadata count")?;
        check_limit(
            "the metadata entry count",
            metadata_count,
            limits::MAX_METADATA_ENTRIES,
        )?;

        let mut metadata = BTreeMap::new();
        for index in 0..metadata_count {
            let key = r.string(|| format!("the key of metadata entry {index}"))?;
            let value = metadata::read_value(&mut r, &key)?;
            metadata.insert(key, value);
        }

        let alignment = match metadata.get("general.alignment") {
            None => DEFAULT_ALIGNMENT,
            Some(value) => {
                let a = value.as_u64().unwrap_or(0);
                if a == 0 || !a.is_power_of_two() {
                    return Err(GgufError::BadAlignment(a));
                }
                a
            }
        };

        // Each tensor info takes at least 24 bytes, so a count beyond what the bytes can
        // hold is a truncation, found before anything is allocated for it.
        let capacity = usize::try_from(tensor_count.min(r.remaining() / 24)).unwrap_or(0);
        let mut tensors = Vec::with_capacity(capacity);
        let mut names = std::collections::HashSet::new();
        for index in 0..tensor_count {
            let tensor = read_tensor_info(&mut r, index)?;
            if !tensor.offset.is_multiple_of(alignment) {
                return Err(GgufError::MisalignedTensor {
                    tensor: tensor.name,
                    offset: tensor.offset,
                    alignment,
                });
            }
            if !names.insert(tensor.name.clone()) {
                return Err(GgufError::DuplicateTensor(tensor.name));
            }
            tensors.push(tensor);
        }
        let data_offset = r.position().next_multiple_of(alignment);
        Ok(GgufHeader {
            version,
            metadata,
            tensors,
            alignment,
            data_offset,
        })
    }

    /// Checks that every tensor lies inside a file of `file_size` bytes and that no two
    /// tensors overlap. A truncated download fails here even when its header is whole.
    pub fn check_file_size(&self, file_size: u64) -> Result<(), GgufError> {
        let mut spans: Vec<(u64, u64, &str)> = Vec::with_capacity(self.tensors.len());
        for t in &self.tensors {
            let start = self.data_offset.saturating_add(t.offset);
            let end = start.saturating_add(t.size_bytes);
            if end > file_size {
                return Err(GgufError::TensorOutOfBounds {
                    tensor: t.name.clone(),
                    start,
                    end,
                    file_size,
                });
            }
            spans.push((start, end, &t.name));
        }
        spans.sort_unstable();
        for pair in spans.windows(2) {
            if let [a, b] = pair
                && b.0 < a.1
            {
                return Err(GgufError::OverlappingTensors {
                    first: a.2.to_string(),
                    second: b.2.to_string(),
                });
            }
        }
        Ok(())
    }

    /// Byte range of a tensor's data within the whole file.
    pub fn tensor_range(&self, tensor: &TensorInfo) -> std::ops::Range<u64> {
        let start = self.data_offset.saturating_add(tensor.offset);
        start..start.saturating_add(tensor.size_bytes)
    }

    /// The tensor with this name, if any.
    pub fn tensor(&self, name: &str) -> Option<&TensorInfo> {
        self.tensors.iter().find(|t| t.name == name)
    }

    /// A metadata value by key.
    pub fn get(&self, key: &str) -> Option<&MetadataValue> {
        self.metadata.get(key)
    }

    /// The architecture named by `general.architecture` (`"llama"`, `"qwen2"`, ...).
    pub fn architecture(&self) -> Option<&str> {
        self.get("general.architecture")?.as_str()
    }

    /// Total number of parameters (elements over all tensors).
    pub fn parameter_count(&self) -> u64 {
        self.tensors
            .iter()
            .fold(0u64, |acc, t| acc.saturating_add(t.n_elements))
    }
}

/// Parses a whole GGUF file held in memory: the header, then the extent checks.
pub fn parse_file(bytes: &[u8]) -> Result<GgufHeader, GgufError> {
    let header = GgufHeader::parse(bytes)?;
    header.check_file_size(bytes.len() as u64)?;
    Ok(header)
}

fn check_limit(what: &str, value: u64, limit: u64) -> Result<(), GgufError> {
    if value > limit {
        return Err(GgufError::LimitExceeded {
            what: what.to_string(),
            value,
            limit,
        });
    }
    Ok(())
}

fn read_tensor_info(r: &mut Reader<'_>, index: u64) -> Result<TensorInfo, GgufError> {
    let name = r.string(|| format!("the name of tensor {index}"))?;
    let n_dims = r.u32(&format!("the rank of tensor {name:?}"))?;
    check_limit(
        &format!("the rank of tensor {name:?}"),
        u64::from(n_dims),
        u64::from(limits::MAX_DIMS),
    )?;
    let mut shape = Vec::with_capacity(n_dims as usize);
    for _ in 0..n_dims {
        shape.push(r.u64(&format!("the shape of tensor {name:?}"))?);
    }
    let type_id = r.u32(&format!("the type of tensor {name:?}"))?;
    let offset = r.u64(&format!("the data offset of tensor {name:?}"))?;
    let ty = GgmlType::from_id(type_id).ok_or_else(|| GgufError::UnknownTensorType {
        tensor: name.clone(),
        type_id,
    })?;
    let bad_shape = |reason: &str| GgufError::BadShape {
        tensor: name.clone(),
        shape: shape.clone(),
        reason: reason.to_string(),
    };
    let n_elements = shape
        .iter()
        .try_fold(1u64, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| bad_shape("overflows 64 bits"))?;
    check_limit(
        &format!("the element count of tensor {name:?} (shape {shape:?})"),
        n_elements,
        limits::MAX_TENSOR_ELEMENTS,
    )?;
    let row = shape.first().copied().unwrap_or(1);
    if !row.is_multiple_of(ty.block_elements()) {
        return Err(bad_shape(&format!(
            "has rows of {row} elements, not a multiple of the {ty} block of {}",
            ty.block_elements()
        )));
    }
    let size_bytes = ty
        .bytes_for(n_elements)
        .ok_or_else(|| bad_shape("in bytes overflows 64 bits"))?;
    Ok(TensorInfo {
        name,
        shape,
        ty,
        offset,
        n_elements,
        size_bytes,
    })
}

#[cfg(test)]
mod tests;
