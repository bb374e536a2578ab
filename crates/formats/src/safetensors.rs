//! Hugging Face safetensors files: the header, tensor data as `f32`, and sharded
//! checkpoints (`model-0000N-of-0000M.safetensors` + `model.safetensors.index.json`).
//!
//! A safetensors file is an 8-byte little-endian header length `n`, then `n` bytes of
//! JSON mapping each tensor name to `{"dtype", "shape", "data_offsets": [start, end]}`
//! (plus an optional `"__metadata__"` object of strings), then the data section. Offsets
//! are relative to the start of the data section; the tensors tile it with no holes and
//! no overlaps, in any order in the JSON.
//!
//! Entry points:
//! - [`SafetensorsFile`]: a whole file in memory (the CLI, a dropped file).
//! - [`probe_header`]: the header from a prefix of the file (the browser fetches the
//!   first bytes with an HTTP Range request), or how many bytes the header needs; then
//!   [`SafetensorsHeader::check_file_size`] against the size the server reports, and
//!   [`TensorInfo::file_range`] + [`TensorInfo::decode_f32`] to fetch and decode one
//!   tensor at a time.
//! - [`ShardedIndex`] and [`ShardedSafetensors`]: sharded checkpoints.
//!
//! The parser is written here on `serde_json` rather than taken from the `safetensors`
//! crate because that crate's `read_metadata` insists on the whole file (it fails with
//! `MetadataIncompleteBuffer` on a prefix, so it cannot serve Range requests), and its
//! errors often cannot say which tensor is wrong (`TensorInvalidInfo`,
//! `ValidationOverflow`, an unknown dtype as a bare deserialisation error). The checks
//! are the same as that crate's: header capped at 100 MB, offsets contiguous from 0 with
//! no holes or overlaps, byte ranges equal to shape × dtype size, no arithmetic overflow.
//!
//! Nothing here panics or allocates by a size the input declares before checking it:
//! the header is refused past [`MAX_HEADER_BYTES`] before any allocation, and a tensor
//! is converted only once its bytes are in hand.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;
use std::ops::Range;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

/// Bytes of the little-endian `u64` header length that opens every file.
pub const HEADER_LENGTH_BYTES: u64 = 8;

/// The largest JSON header accepted, the same cap as the reference implementation's.
/// Real headers are well under 1 MB even for models with thousands of tensors; a larger
/// claimed length means the bytes are not a safetensors file.
pub const MAX_HEADER_BYTES: u64 = 100_000_000;

/// What went wrong reading a safetensors file or a sharded index. Each variant names
/// the tensor (or shard) concerned where there is one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SafetensorsError {
    #[error(
        "the safetensors file is truncated: its header needs {needed_bytes} bytes but only \
         {available_bytes} are there"
    )]
    Truncated {
        needed_bytes: u64,
        available_bytes: u64,
    },
    #[error(
        "the safetensors header claims {header_bytes} bytes, more than the {max_bytes} \
         accepted: this is not a safetensors file, or it is corrupt"
    )]
    HeaderTooLarge { header_bytes: u64, max_bytes: u64 },
    #[error("the safetensors header is not valid JSON of the expected form: {message}")]
    BadJson { message: String },
    #[error("the safetensors header names `{name}` twice")]
    DuplicateName { name: String },
    #[error("tensor `{tensor}`: its header entry is malformed: {message}")]
    BadTensorEntry { tensor: String, message: String },
    #[error("tensor `{tensor}` has unknown dtype `{dtype}`, so its size cannot be checked")]
    UnknownDtype { tensor: String, dtype: String },
    #[error("tensor `{tensor}`: the size of shape {shape:?} overflows 64 bits")]
    ElementCountOverflow { tensor: String, shape: Vec<u64> },
    #[error(
        "tensor `{tensor}`: {dtype} with shape {shape:?} does not fill a whole number of bytes"
    )]
    PartialByte {
        tensor: String,
        dtype: Dtype,
        shape: Vec<u64>,
    },
    #[error("tensor `{tensor}`: data_offsets [{start}, {end}] end before they start")]
    OffsetsReversed {
        tensor: String,
        start: u64,
        end: u64,
    },
    #[error(
        "tensor `{tensor}`: {dtype} with shape {shape:?} needs {expected_bytes} bytes but its \
         data_offsets span {declared_bytes}"
    )]
    SizeMismatch {
        tensor: String,
        dtype: Dtype,
        shape: Vec<u64>,
        expected_bytes: u64,
        declared_bytes: u64,
    },
    #[error(
        "tensor `{tensor}` starts at data byte {start}, inside tensor `{other}` which ends at \
         {other_end}: the data ranges overlap"
    )]
    OffsetsOverlap {
        tensor: String,
        start: u64,
        other: String,
        other_end: u64,
    },
    #[error(
        "tensor `{tensor}` starts at data byte {start} but the previous tensor ends at \
         {expected_start}: the data section has a hole"
    )]
    OffsetsGap {
        tensor: String,
        start: u64,
        expected_start: u64,
    },
    #[error("tensor `{tensor}`: its data offsets plus the header size overflow 64 bits")]
    OffsetOverflow { tensor: String },
    #[error(
        "tensor `{tensor}` ends at file byte {end_byte} but the file has {file_size_bytes} \
         bytes: the file is truncated or its header is wrong"
    )]
    TensorPastEnd {
        tensor: String,
        end_byte: u64,
        file_size_bytes: u64,
    },
    #[error("no tensor named `{tensor}`")]
    TensorNotFound { tensor: String },
    #[error("tensor `{tensor}` is {dtype}; only F32, F16 and BF16 can be read as f32")]
    UnsupportedDtype { tensor: String, dtype: Dtype },
    #[error("tensor `{tensor}` needs {expected_bytes} bytes of data but was given {actual_bytes}")]
    DataLengthMismatch {
        tensor: String,
        expected_bytes: u64,
        actual_bytes: u64,
    },
    #[error(
        "tensor `{tensor}` holds {value} at element {index}: a weight that is not a finite \
         number makes every output NaN, so the file is corrupt (re-download or re-convert it)"
    )]
    NonFinite {
        tensor: String,
        index: u64,
        /// `NaN`, `inf` or `-inf`.
        value: String,
    },
    #[error("the sharded index is not valid JSON of the expected form: {message}")]
    BadIndexJson { message: String },
    #[error("the index puts tensor `{tensor}` in shard `{shard}`, which was not given")]
    ShardMissing { tensor: String, shard: String },
    #[error("the index puts tensor `{tensor}` in shard `{shard}`, but that shard lacks it")]
    TensorNotInShard { tensor: String, shard: String },
    #[error("in shard `{shard}`: {source}")]
    InShard {
        shard: String,
        #[source]
        source: Box<SafetensorsError>,
    },
}

/// A tensor element type as named in safetensors headers.
///
/// Every type the reference implementation (0.8) writes is listed, so a header with
/// any of them parses and its tensors can be listed; only [`Dtype::F32`],
/// [`Dtype::F16`] and [`Dtype::BF16`] can be read as `f32`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[allow(non_camel_case_types)]
pub enum Dtype {
    BOOL,
    F4,
    F6_E2M3,
    F6_E3M2,
    U8,
    I8,
    F8_E5M2,
    F8_E4M3,
    F8_E8M0,
    F8_E4M3FNUZ,
    F8_E5M2FNUZ,
    I16,
    U16,
    F16,
    BF16,
    I32,
    U32,
    F32,
    C64,
    F64,
    I64,
    U64,
}

impl Dtype {
    /// Every dtype, in the reference implementation's order.
    pub const ALL: [Dtype; 22] = [
        Self::BOOL,
        Self::F4,
        Self::F6_E2M3,
        Self::F6_E3M2,
        Self::U8,
        Self::I8,
        Self::F8_E5M2,
        Self::F8_E4M3,
        Self::F8_E8M0,
        Self::F8_E4M3FNUZ,
        Self::F8_E5M2FNUZ,
        Self::I16,
        Self::U16,
        Self::F16,
        Self::BF16,
        Self::I32,
        Self::U32,
        Self::F32,
        Self::C64,
        Self::F64,
        Self::I64,
        Self::U64,
    ];

    /// The dtype for a header's `dtype` string, or `None` for one we do not know.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|dtype| dtype.name() == name)
    }

    /// The name used in headers (`"F32"`, `"BF16"`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Self::BOOL => "BOOL",
            Self::F4 => "F4",
            Self::F6_E2M3 => "F6_E2M3",
            Self::F6_E3M2 => "F6_E3M2",
            Self::U8 => "U8",
            Self::I8 => "I8",
            Self::F8_E5M2 => "F8_E5M2",
            Self::F8_E4M3 => "F8_E4M3",
            Self::F8_E8M0 => "F8_E8M0",
            Self::F8_E4M3FNUZ => "F8_E4M3FNUZ",
            Self::F8_E5M2FNUZ => "F8_E5M2FNUZ",
            Self::I16 => "I16",
            Self::U16 => "U16",
            Self::F16 => "F16",
            Self::BF16 => "BF16",
            Self::I32 => "I32",
            Self::U32 => "U32",
            Self::F32 => "F32",
            Self::C64 => "C64",
            Self::F64 => "F64",
            Self::I64 => "I64",
            Self::U64 => "U64",
        }
    }

    /// Bits one element occupies. In bits, not bytes, because F4 and F6 pack several
    /// elements into a byte.
    pub fn bits(self) -> u64 {
        match self {
            Self::F4 => 4,
            Self::F6_E2M3 | Self::F6_E3M2 => 6,
            Self::BOOL
            | Self::U8
            | Self::I8
            | Self::F8_E5M2
            | Self::F8_E4M3
            | Self::F8_E8M0
            | Self::F8_E4M3FNUZ
            | Self::F8_E5M2FNUZ => 8,
            Self::I16 | Self::U16 | Self::F16 | Self::BF16 => 16,
            Self::I32 | Self::U32 | Self::F32 => 32,
            Self::C64 | Self::F64 | Self::I64 | Self::U64 => 64,
        }
    }
}

impl fmt::Display for Dtype {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One tensor as the header describes it, checked: its size in bytes matches its shape
/// and dtype, and its data lies where the header says, after the header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TensorInfo {
    name: String,
    dtype: Dtype,
    shape: Vec<u64>,
    element_count: u64,
    data_offsets: Range<u64>,
    file_range: Range<u64>,
}

impl TensorInfo {
    /// The tensor's name in the checkpoint (`model.layers.0.mlp.down_proj.weight`).
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn dtype(&self) -> Dtype {
        self.dtype
    }

    /// Dimensions, outermost first (row-major).
    pub fn shape(&self) -> &[u64] {
        &self.shape
    }

    /// Product of the shape (1 for a scalar, 0 if any dimension is 0).
    pub fn element_count(&self) -> u64 {
        self.element_count
    }

    pub fn size_bytes(&self) -> u64 {
        self.data_offsets.end - self.data_offsets.start
    }

    /// The byte range as the header's `data_offsets`: relative to the data section.
    pub fn data_offsets(&self) -> Range<u64> {
        self.data_offsets.clone()
    }

    /// The byte range within the whole file: what to ask for in an HTTP Range request.
    pub fn file_range(&self) -> Range<u64> {
        self.file_range.clone()
    }

    /// This tensor's bytes within `file`, the whole file's bytes.
    pub fn bytes_in<'a>(&self, file: &'a [u8]) -> Result<&'a [u8], SafetensorsError> {
        let past_end = || SafetensorsError::TensorPastEnd {
            tensor: self.name.clone(),
            end_byte: self.file_range.end,
            file_size_bytes: file.len() as u64,
        };
        let start = usize::try_from(self.file_range.start).map_err(|_| past_end())?;
        let end = usize::try_from(self.file_range.end).map_err(|_| past_end())?;
        file.get(start..end).ok_or_else(past_end)
    }

    /// Decodes this tensor's bytes (exactly [`Self::size_bytes`] of them, as found at
    /// [`Self::file_range`]) into `f32` values in row-major order.
    ///
    /// A NaN or infinite value is refused ([`SafetensorsError::NonFinite`], naming the
    /// tensor and the element): no model's weights hold one, and one would silently turn
    /// every activation downstream into NaN. The check is made in the same pass as the
    /// conversion, so it costs no extra read of the tensor.
    pub fn decode_f32(&self, data: &[u8]) -> Result<Vec<f32>, SafetensorsError> {
        if !matches!(self.dtype, Dtype::F32 | Dtype::F16 | Dtype::BF16) {
            return Err(SafetensorsError::UnsupportedDtype {
                tensor: self.name.clone(),
                dtype: self.dtype,
            });
        }
        if data.len() as u64 != self.size_bytes() {
            return Err(SafetensorsError::DataLengthMismatch {
                tensor: self.name.clone(),
                expected_bytes: self.size_bytes(),
                actual_bytes: data.len() as u64,
            });
        }
        // The length check above makes every `as_chunks` remainder empty.
        let (values, all_finite) = match self.dtype {
            Dtype::F16 => convert_checked(data.as_chunks::<2>().0, |bytes| {
                half::f16::from_le_bytes(bytes).to_f32()
            }),
            Dtype::BF16 => convert_checked(data.as_chunks::<2>().0, |bytes| {
                half::bf16::from_le_bytes(bytes).to_f32()
            }),
            _ => convert_checked(data.as_chunks::<4>().0, f32::from_le_bytes),
        };
        if !all_finite
            && let Some((index, &value)) = values
                .iter()
                .enumerate()
                .find(|(_, value)| !value.is_finite())
        {
            return Err(SafetensorsError::NonFinite {
                tensor: self.name.clone(),
                index: index as u64,
                value: value.to_string(),
            });
        }
        Ok(values)
    }
}

/// Converts each element and notes, in the same pass, whether all are finite (a
/// branch-free `&=`, so the loop still vectorises); only a tensor that fails is read a
/// second time, to find where.
fn convert_checked<const N: usize>(
    elements: &[[u8; N]],
    convert: impl Fn([u8; N]) -> f32,
) -> (Vec<f32>, bool) {
    let mut values = Vec::with_capacity(elements.len());
    let mut all_finite = true;
    for &bytes in elements {
        let value = convert(bytes);
        all_finite &= value.is_finite();
        values.push(value);
    }
    (values, all_finite)
}

/// A parsed, checked safetensors header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SafetensorsHeader {
    data_start: u64,
    metadata: BTreeMap<String, String>,
    /// In data order, which the checks make the same as file order.
    tensors: Vec<TensorInfo>,
    by_name: HashMap<String, usize>,
}

/// What a prefix of a file says about its header: see [`probe_header`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderProbe {
    /// The prefix held the whole header.
    Complete(SafetensorsHeader),
    /// The header needs the first `total_bytes` of the file; the prefix had fewer.
    NeedMoreBytes { total_bytes: u64 },
}

/// Parses the header from the first bytes of a file, or says how many bytes it needs.
///
/// Give it at least [`HEADER_LENGTH_BYTES`] bytes to learn the header's size; a prefix
/// of `total_bytes` then completes it. The header is checked on its own (offsets, sizes,
/// dtypes); call [`SafetensorsHeader::check_file_size`] once the file's size is known.
///
/// ```
/// use mechscope_formats::safetensors::{probe_header, HeaderProbe};
///
/// let json = br#"{"bias":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#;
/// let mut file = (json.len() as u64).to_le_bytes().to_vec();
/// file.extend_from_slice(json);
/// file.extend_from_slice(&0.25f32.to_le_bytes());
///
/// // The first Range request returned only 8 bytes.
/// let HeaderProbe::NeedMoreBytes { total_bytes } = probe_header(&file[..8])? else {
///     panic!("8 bytes cannot hold this header");
/// };
/// // The second asked for `total_bytes`.
/// let HeaderProbe::Complete(header) = probe_header(&file[..total_bytes as usize])? else {
///     panic!("the whole header was given");
/// };
/// header.check_file_size(file.len() as u64)?;
/// let bias = header.tensor("bias")?;
/// assert_eq!(bias.file_range(), total_bytes..total_bytes + 4);
/// # Ok::<(), mechscope_formats::safetensors::SafetensorsError>(())
/// ```
pub fn probe_header(prefix: &[u8]) -> Result<HeaderProbe, SafetensorsError> {
    let Some((length_bytes, rest)) = prefix.split_first_chunk::<8>() else {
        return Ok(HeaderProbe::NeedMoreBytes {
            total_bytes: HEADER_LENGTH_BYTES,
        });
    };
    let json_bytes = u64::from_le_bytes(*length_bytes);
    if json_bytes > MAX_HEADER_BYTES {
        return Err(SafetensorsError::HeaderTooLarge {
            header_bytes: json_bytes,
            max_bytes: MAX_HEADER_BYTES,
        });
    }
    // Both at most MAX_HEADER_BYTES + 8, so neither overflows nor truncates on wasm32.
    let data_start = HEADER_LENGTH_BYTES + json_bytes;
    let json = usize::try_from(json_bytes)
        .ok()
        .and_then(|json_len| rest.get(..json_len));
    match json {
        None => Ok(HeaderProbe::NeedMoreBytes {
            total_bytes: data_start,
        }),
        Some(json) => parse_header_json(json, data_start).map(HeaderProbe::Complete),
    }
}

impl SafetensorsHeader {
    /// Parses the header from `bytes`, the whole file or any prefix of it holding the
    /// whole header. A shorter prefix is [`SafetensorsError::Truncated`].
    pub fn parse(bytes: &[u8]) -> Result<Self, SafetensorsError> {
        match probe_header(bytes)? {
            HeaderProbe::Complete(header) => Ok(header),
            HeaderProbe::NeedMoreBytes { total_bytes } => Err(SafetensorsError::Truncated {
                needed_bytes: total_bytes,
                available_bytes: bytes.len() as u64,
            }),
        }
    }

    /// The tensors in the order their data lies in the file.
    pub fn tensors(&self) -> &[TensorInfo] {
        &self.tensors
    }

    /// The tensor called `name`, or [`SafetensorsError::TensorNotFound`] naming it.
    pub fn tensor(&self, name: &str) -> Result<&TensorInfo, SafetensorsError> {
        self.by_name
            .get(name)
            .and_then(|&index| self.tensors.get(index))
            .ok_or_else(|| SafetensorsError::TensorNotFound {
                tensor: name.to_owned(),
            })
    }

    /// The `__metadata__` object (empty when absent). Values that were not strings are
    /// kept as their JSON text.
    pub fn metadata(&self) -> &BTreeMap<String, String> {
        &self.metadata
    }

    /// Where the data section starts: the header length field plus the JSON.
    pub fn data_start_byte(&self) -> u64 {
        self.data_start
    }

    /// The smallest size of a file holding every tensor: the end of the last one.
    pub fn required_file_size_bytes(&self) -> u64 {
        self.tensors
            .last()
            .map_or(self.data_start, |last| last.file_range.end)
    }

    /// Checks that every tensor's data lies within a file of `file_size_bytes`: the
    /// check for a cut-off download. The error names the first tensor that does not fit.
    /// Bytes after the last tensor are tolerated: they are never read.
    pub fn check_file_size(&self, file_size_bytes: u64) -> Result<(), SafetensorsError> {
        if file_size_bytes < self.data_start {
            return Err(SafetensorsError::Truncated {
                needed_bytes: self.data_start,
                available_bytes: file_size_bytes,
            });
        }
        match self
            .tensors
            .iter()
            .find(|tensor| tensor.file_range.end > file_size_bytes)
        {
            Some(tensor) => Err(SafetensorsError::TensorPastEnd {
                tensor: tensor.name.clone(),
                end_byte: tensor.file_range.end,
                file_size_bytes,
            }),
            None => Ok(()),
        }
    }
}

/// The header's top-level object as written, keeping duplicate keys so they can be
/// refused (a plain map would silently keep the last).
struct HeaderEntries(Vec<(String, serde_json::Value)>);

impl<'de> Deserialize<'de> for HeaderEntries {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor;

        impl<'de> Visitor<'de> for EntriesVisitor {
            type Value = HeaderEntries;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object mapping tensor names to {dtype, shape, data_offsets}")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<HeaderEntries, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, serde_json::Value>()? {
                    entries.push(entry);
                }
                Ok(HeaderEntries(entries))
            }
        }

        deserializer.deserialize_map(EntriesVisitor)
    }
}

/// One tensor's entry as written; unknown fields are ignored, as the reference
/// implementation does.
#[derive(Deserialize)]
struct RawTensorEntry {
    dtype: String,
    shape: Vec<u64>,
    data_offsets: (u64, u64),
}

const METADATA_KEY: &str = "__metadata__";

fn parse_header_json(json: &[u8], data_start: u64) -> Result<SafetensorsHeader, SafetensorsError> {
    let HeaderEntries(entries) =
        serde_json::from_slice(json).map_err(|error| SafetensorsError::BadJson {
            message: crate::json::describe_error(&error),
        })?;

    let mut seen = HashSet::new();
    let mut metadata = BTreeMap::new();
    let mut tensors = Vec::with_capacity(entries.len());
    for (name, value) in entries {
        if !seen.insert(name.clone()) {
            return Err(SafetensorsError::DuplicateName { name });
        }
        if name == METADATA_KEY {
            metadata = parse_metadata(value)?;
        } else {
            tensors.push(check_tensor_entry(name, value)?);
        }
    }

    // Contiguity is checked in data order; the JSON's order means nothing.
    tensors.sort_by(|a, b| {
        (a.data_offsets.start, a.data_offsets.end).cmp(&(b.data_offsets.start, b.data_offsets.end))
    });
    let mut expected_start = 0;
    let mut previous: Option<&TensorInfo> = None;
    for tensor in &tensors {
        let start = tensor.data_offsets.start;
        if start < expected_start {
            return Err(SafetensorsError::OffsetsOverlap {
                tensor: tensor.name.clone(),
                start,
                other: previous.map(|other| other.name.clone()).unwrap_or_default(),
                other_end: expected_start,
            });
        }
        if start > expected_start {
            return Err(SafetensorsError::OffsetsGap {
                tensor: tensor.name.clone(),
                start,
                expected_start,
            });
        }
        expected_start = tensor.data_offsets.end;
        previous = Some(tensor);
    }

    for tensor in &mut tensors {
        let overflow = || SafetensorsError::OffsetOverflow {
            tensor: tensor.name.clone(),
        };
        let start = data_start
            .checked_add(tensor.data_offsets.start)
            .ok_or_else(overflow)?;
        let end = data_start
            .checked_add(tensor.data_offsets.end)
            .ok_or_else(overflow)?;
        tensor.file_range = start..end;
    }

    let by_name = tensors
        .iter()
        .enumerate()
        .map(|(index, tensor)| (tensor.name.clone(), index))
        .collect();
    Ok(SafetensorsHeader {
        data_start,
        metadata,
        tensors,
        by_name,
    })
}

fn parse_metadata(value: serde_json::Value) -> Result<BTreeMap<String, String>, SafetensorsError> {
    match value {
        serde_json::Value::Object(map) => Ok(map
            .into_iter()
            .map(|(key, value)| match value {
                serde_json::Value::String(text) => (key, text),
                other => (key, other.to_string()),
            })
            .collect()),
        serde_json::Value::Null => Ok(BTreeMap::new()),
        _ => Err(SafetensorsError::BadJson {
            message: format!("`{METADATA_KEY}` is not an object"),
        }),
    }
}

/// Checks one entry on its own: known dtype, shape × dtype size = declared byte range.
/// Its `file_range` is filled in later, once the offsets are known to be sound.
fn check_tensor_entry(
    name: String,
    value: serde_json::Value,
) -> Result<TensorInfo, SafetensorsError> {
    let entry: RawTensorEntry = match serde_json::from_value(value) {
        Ok(entry) => entry,
        Err(error) => {
            return Err(SafetensorsError::BadTensorEntry {
                tensor: name,
                message: crate::json::describe_error(&error),
            });
        }
    };
    let Some(dtype) = Dtype::from_name(&entry.dtype) else {
        return Err(SafetensorsError::UnknownDtype {
            tensor: name,
            dtype: entry.dtype,
        });
    };
    let shape = entry.shape;
    let Some((element_count, bits)) = shape
        .iter()
        .try_fold(1u64, |count, &dim| count.checked_mul(dim))
        .and_then(|count| Some((count, count.checked_mul(dtype.bits())?)))
    else {
        return Err(SafetensorsError::ElementCountOverflow {
            tensor: name,
            shape,
        });
    };
    if !bits.is_multiple_of(8) {
        return Err(SafetensorsError::PartialByte {
            tensor: name,
            dtype,
            shape,
        });
    }
    let expected_bytes = bits / 8;
    let (start, end) = entry.data_offsets;
    if end < start {
        return Err(SafetensorsError::OffsetsReversed {
            tensor: name,
            start,
            end,
        });
    }
    let declared_bytes = end - start;
    if declared_bytes != expected_bytes {
        return Err(SafetensorsError::SizeMismatch {
            tensor: name,
            dtype,
            shape,
            expected_bytes,
            declared_bytes,
        });
    }
    Ok(TensorInfo {
        name,
        dtype,
        shape,
        element_count,
        data_offsets: start..end,
        file_range: 0..0,
    })
}

/// A whole safetensors file in memory, its header parsed and its size checked.
///
/// ```
/// use mechscope_formats::safetensors::{Dtype, SafetensorsFile};
///
/// // A file holding one F32 tensor of shape [2].
/// let json = br#"{"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#;
/// let mut bytes = (json.len() as u64).to_le_bytes().to_vec();
/// bytes.extend_from_slice(json);
/// bytes.extend_from_slice(&1.5f32.to_le_bytes());
/// bytes.extend_from_slice(&(-2.0f32).to_le_bytes());
///
/// let file = SafetensorsFile::parse(&bytes)?;
/// for tensor in file.tensors() {
///     println!("{} {} {:?}", tensor.name(), tensor.dtype(), tensor.shape());
/// }
/// assert_eq!(file.tensor("w")?.dtype(), Dtype::F32);
/// assert_eq!(file.read_f32("w")?, vec![1.5, -2.0]);
/// assert!(file.read_f32("v").is_err()); // "no tensor named `v`"
/// # Ok::<(), mechscope_formats::safetensors::SafetensorsError>(())
/// ```
#[derive(Debug, Clone)]
pub struct SafetensorsFile<'a> {
    header: SafetensorsHeader,
    bytes: &'a [u8],
}

impl<'a> SafetensorsFile<'a> {
    /// Parses and checks the header of `bytes`, the whole file, and that every tensor's
    /// data lies within it.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, SafetensorsError> {
        let header = SafetensorsHeader::parse(bytes)?;
        header.check_file_size(bytes.len() as u64)?;
        Ok(Self { header, bytes })
    }

    pub fn header(&self) -> &SafetensorsHeader {
        &self.header
    }

    /// The tensors in the order their data lies in the file.
    pub fn tensors(&self) -> &[TensorInfo] {
        self.header.tensors()
    }

    pub fn tensor(&self, name: &str) -> Result<&TensorInfo, SafetensorsError> {
        self.header.tensor(name)
    }

    pub fn metadata(&self) -> &BTreeMap<String, String> {
        self.header.metadata()
    }

    /// The raw little-endian bytes of tensor `name`.
    pub fn tensor_bytes(&self, name: &str) -> Result<&'a [u8], SafetensorsError> {
        self.header.tensor(name)?.bytes_in(self.bytes)
    }

    /// Tensor `name` as `f32` values in row-major order (F32, F16 or BF16 tensors).
    pub fn read_f32(&self, name: &str) -> Result<Vec<f32>, SafetensorsError> {
        let tensor = self.header.tensor(name)?;
        tensor.decode_f32(tensor.bytes_in(self.bytes)?)
    }
}

/// A sharded checkpoint's `model.safetensors.index.json`: which shard file holds each
/// tensor.
#[derive(Debug, Clone, PartialEq)]
pub struct ShardedIndex {
    metadata: BTreeMap<String, serde_json::Value>,
    weight_map: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct RawShardedIndex {
    #[serde(default)]
    metadata: Option<BTreeMap<String, serde_json::Value>>,
    weight_map: BTreeMap<String, String>,
}

impl ShardedIndex {
    /// Parses the index JSON (`{"metadata": {...}, "weight_map": {tensor: shard_file}}`).
    pub fn parse(json: &[u8]) -> Result<Self, SafetensorsError> {
        let raw: RawShardedIndex =
            serde_json::from_slice(json).map_err(|error| SafetensorsError::BadIndexJson {
                message: crate::json::describe_error(&error),
            })?;
        Ok(Self {
            metadata: raw.metadata.unwrap_or_default(),
            weight_map: raw.weight_map,
        })
    }

    /// The file name of the shard holding `tensor`.
    pub fn shard_of(&self, tensor: &str) -> Result<&str, SafetensorsError> {
        self.weight_map
            .get(tensor)
            .map(String::as_str)
            .ok_or_else(|| SafetensorsError::TensorNotFound {
                tensor: tensor.to_owned(),
            })
    }

    /// Tensor name → shard file name, sorted by tensor name.
    pub fn weight_map(&self) -> &BTreeMap<String, String> {
        &self.weight_map
    }

    /// Every shard file the index refers to, sorted, each once.
    pub fn shard_files(&self) -> Vec<&str> {
        self.weight_map
            .values()
            .map(String::as_str)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    }

    /// The index's `metadata` object (empty when absent).
    pub fn metadata(&self) -> &BTreeMap<String, serde_json::Value> {
        &self.metadata
    }

    /// `metadata.total_size`: the bytes of tensor data over all shards, when recorded.
    pub fn total_size_bytes(&self) -> Option<u64> {
        self.metadata.get("total_size")?.as_u64()
    }

    /// Checks that every shard the index refers to is among `available_shards` (file
    /// names as the index writes them, e.g. `model-00001-of-00002.safetensors`). The
    /// error names the first tensor, by name, whose shard is absent.
    pub fn check_shards_present<S: AsRef<str>>(
        &self,
        available_shards: impl IntoIterator<Item = S>,
    ) -> Result<(), SafetensorsError> {
        let available: HashSet<String> = available_shards
            .into_iter()
            .map(|shard| shard.as_ref().to_owned())
            .collect();
        match self
            .weight_map
            .iter()
            .find(|(_, shard)| !available.contains(shard.as_str()))
        {
            Some((tensor, shard)) => Err(SafetensorsError::ShardMissing {
                tensor: tensor.clone(),
                shard: shard.clone(),
            }),
            None => Ok(()),
        }
    }
}

/// A sharded checkpoint in memory: the index and each shard's bytes, all checked
/// against one another.
#[derive(Debug, Clone)]
pub struct ShardedSafetensors<'a> {
    index: ShardedIndex,
    shards: BTreeMap<String, SafetensorsFile<'a>>,
}

impl<'a> ShardedSafetensors<'a> {
    /// Checks that every shard the index names was given, parses each (errors say which
    /// shard), and that each shard holds the tensors the index puts in it. Shards the
    /// index never names are ignored.
    pub fn new<S: AsRef<str>>(
        index: ShardedIndex,
        shards: impl IntoIterator<Item = (S, &'a [u8])>,
    ) -> Result<Self, SafetensorsError> {
        let given: BTreeMap<String, &'a [u8]> = shards
            .into_iter()
            .map(|(name, bytes)| (name.as_ref().to_owned(), bytes))
            .collect();
        index.check_shards_present(given.keys())?;

        let mut parsed = BTreeMap::new();
        for shard in index.shard_files() {
            // Always present after `check_shards_present`; were one not, the loop below
            // would report its tensors as `TensorNotInShard`.
            let Some(&bytes) = given.get(shard) else {
                continue;
            };
            let file =
                SafetensorsFile::parse(bytes).map_err(|error| SafetensorsError::InShard {
                    shard: shard.to_owned(),
                    source: Box::new(error),
                })?;
            parsed.insert(shard.to_owned(), file);
        }
        for (tensor, shard) in index.weight_map() {
            let holds_it = parsed
                .get(shard)
                .is_some_and(|file: &SafetensorsFile<'a>| file.tensor(tensor).is_ok());
            if !holds_it {
                return Err(SafetensorsError::TensorNotInShard {
                    tensor: tensor.clone(),
                    shard: shard.clone(),
                });
            }
        }
        Ok(Self {
            index,
            shards: parsed,
        })
    }

    pub fn index(&self) -> &ShardedIndex {
        &self.index
    }

    /// Every tensor the index lists, by name, with the shard holding it.
    pub fn tensors(&self) -> impl Iterator<Item = (&str, &TensorInfo)> {
        self.index
            .weight_map()
            .iter()
            .filter_map(|(tensor, shard)| {
                let info = self.shards.get(shard)?.tensor(tensor).ok()?;
                Some((shard.as_str(), info))
            })
    }

    fn shard_holding(&self, tensor: &str) -> Result<&SafetensorsFile<'a>, SafetensorsError> {
        let shard = self.index.shard_of(tensor)?;
        self.shards
            .get(shard)
            .ok_or_else(|| SafetensorsError::ShardMissing {
                tensor: tensor.to_owned(),
                shard: shard.to_owned(),
            })
    }

    pub fn tensor(&self, name: &str) -> Result<&TensorInfo, SafetensorsError> {
        self.shard_holding(name)?.tensor(name)
    }

    /// Tensor `name`, from whichever shard holds it, as `f32` values in row-major order.
    pub fn read_f32(&self, name: &str) -> Result<Vec<f32>, SafetensorsError> {
        self.shard_holding(name)?.read_f32(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Serialises a safetensors file as the reference writer lays it out: tensors in
    /// the given order, data contiguous from 0, JSON padded with spaces to a multiple of
    /// 8 bytes.
    fn write_safetensors(
        tensors: &[(&str, &str, &[u64], &[u8])],
        metadata: Option<serde_json::Value>,
    ) -> Vec<u8> {
        let mut header = serde_json::Map::new();
        if let Some(metadata) = metadata {
            header.insert(METADATA_KEY.to_owned(), metadata);
        }
        let mut data = Vec::new();
        for (name, dtype, shape, bytes) in tensors {
            let start = data.len();
            data.extend_from_slice(bytes);
            header.insert(
                (*name).to_owned(),
                json!({"dtype": dtype, "shape": shape, "data_offsets": [start, data.len()]}),
            );
        }
        raw_file(&serde_json::Value::Object(header).to_string(), &data)
    }

    /// A file from a header's JSON text as given (so tests can write broken headers).
    fn raw_file(header_json: &str, data: &[u8]) -> Vec<u8> {
        let mut json = header_json.as_bytes().to_vec();
        while !json.len().is_multiple_of(8) {
            json.push(b' ');
        }
        let mut file = (json.len() as u64).to_le_bytes().to_vec();
        file.extend_from_slice(&json);
        file.extend_from_slice(data);
        file
    }

    fn f32_bytes(values: &[f32]) -> Vec<u8> {
        values
            .iter()
            .flat_map(|value| value.to_le_bytes())
            .collect()
    }

    fn u16_bytes(values: &[u16]) -> Vec<u8> {
        values
            .iter()
            .flat_map(|value| value.to_le_bytes())
            .collect()
    }

    fn header_error(header_json: &str, data: &[u8]) -> SafetensorsError {
        match SafetensorsFile::parse(&raw_file(header_json, data)) {
            Ok(_) => panic!("expected an error for {header_json}"),
            Err(error) => error,
        }
    }

    fn sample_file() -> Vec<u8> {
        write_safetensors(
            &[
                (
                    "a.weight",
                    "F32",
                    &[2, 2],
                    &f32_bytes(&[1.0, -2.0, 0.5, 3.25]),
                ),
                ("b.bias", "F16", &[3], &u16_bytes(&[0x3c00, 0xc000, 0x3555])),
                ("c.ids", "I64", &[1], &7i64.to_le_bytes()),
            ],
            Some(json!({"format": "pt", "step": 3})),
        )
    }

    #[test]
    fn lists_tensors_with_dtype_shape_and_ranges() {
        let bytes = sample_file();
        let file = SafetensorsFile::parse(&bytes).unwrap();
        let listed: Vec<_> = file
            .tensors()
            .iter()
            .map(|t| (t.name(), t.dtype(), t.shape().to_vec(), t.data_offsets()))
            .collect();
        assert_eq!(
            listed,
            [
                ("a.weight", Dtype::F32, vec![2, 2], 0..16),
                ("b.bias", Dtype::F16, vec![3], 16..22),
                ("c.ids", Dtype::I64, vec![1], 22..30),
            ]
        );
        let data_start = file.header().data_start_byte();
        assert!(
            data_start.is_multiple_of(8),
            "the test writer pads like the reference"
        );
        assert_eq!(
            file.tensor("b.bias").unwrap().file_range(),
            data_start + 16..data_start + 22
        );
        assert_eq!(file.header().required_file_size_bytes(), bytes.len() as u64);
        assert_eq!(file.tensor("a.weight").unwrap().element_count(), 4);
        assert_eq!(
            file.metadata().get("format").map(String::as_str),
            Some("pt")
        );
        assert_eq!(file.metadata().get("step").map(String::as_str), Some("3"));
        assert_eq!(file.tensor_bytes("c.ids").unwrap(), 7i64.to_le_bytes());
    }

    #[test]
    fn reads_f32_tensor() {
        let bytes = sample_file();
        let file = SafetensorsFile::parse(&bytes).unwrap();
        assert_eq!(file.read_f32("a.weight").unwrap(), [1.0, -2.0, 0.5, 3.25]);
    }

    #[test]
    fn converts_f16_known_values() {
        // 1.0, -2.0, largest normal 65504, smallest subnormal 2^-24, -0.0, 1/3 rounded.
        let bits = [0x3c00, 0xc000, 0x7bff, 0x0001, 0x8000, 0x3555];
        let bytes = write_safetensors(&[("h", "F16", &[6], &u16_bytes(&bits))], None);
        let values = SafetensorsFile::parse(&bytes)
            .unwrap()
            .read_f32("h")
            .unwrap();
        let expected = [1.0, -2.0, 65504.0, 2f32.powi(-24), -0.0, 0.333_251_95];
        let as_bits = |values: &[f32]| values.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(as_bits(&values), as_bits(&expected));
    }

    #[test]
    fn converts_bf16_known_values() {
        // bf16 is the top half of an f32: 1.0, -2.0, pi truncated, 1e38-ish, -0.0, 2^-133.
        let bits = [0x3f80, 0xc000, 0x4049, 0x7e96, 0x8000, 0x0001];
        let bytes = write_safetensors(&[("b", "BF16", &[2, 3], &u16_bytes(&bits))], None);
        let values = SafetensorsFile::parse(&bytes)
            .unwrap()
            .read_f32("b")
            .unwrap();
        let expected: Vec<u32> = bits.iter().map(|&b| u32::from(b) << 16).collect();
        assert_eq!(
            values.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            expected
        );
        assert_eq!(values[..3], [1.0, -2.0, 3.140_625]);
    }

    #[test]
    fn accepts_empty_and_zero_sized_tensors() {
        let bytes = write_safetensors(
            &[
                ("empty", "F32", &[0, 4], &[]),
                ("scalar", "F32", &[], &f32_bytes(&[9.0])),
            ],
            None,
        );
        let file = SafetensorsFile::parse(&bytes).unwrap();
        assert_eq!(file.read_f32("empty").unwrap(), Vec::<f32>::new());
        assert_eq!(file.read_f32("scalar").unwrap(), [9.0]);
        assert_eq!(file.tensor("scalar").unwrap().element_count(), 1);

        let no_tensors = write_safetensors(&[], None);
        assert!(
            SafetensorsFile::parse(&no_tensors)
                .unwrap()
                .tensors()
                .is_empty()
        );
    }

    #[test]
    fn accepts_offsets_in_any_json_order_and_sub_byte_dtypes() {
        let header = r#"{"late":{"dtype":"U8","shape":[2],"data_offsets":[3,5]},
                         "early":{"dtype":"F4","shape":[6],"data_offsets":[0,3]}}"#;
        let file_bytes = raw_file(header, &[1, 2, 3, 4, 5]);
        let file = SafetensorsFile::parse(&file_bytes).unwrap();
        let names: Vec<_> = file.tensors().iter().map(TensorInfo::name).collect();
        assert_eq!(names, ["early", "late"]);
        assert_eq!(file.tensor_bytes("late").unwrap(), [4, 5]);
    }

    #[test]
    fn every_dtype_name_round_trips() {
        for dtype in Dtype::ALL {
            assert_eq!(Dtype::from_name(dtype.name()), Some(dtype));
        }
        assert_eq!(Dtype::from_name("f32"), None);
    }

    #[test]
    fn probe_says_how_many_bytes_the_header_needs() {
        let bytes = sample_file();
        let full_header = SafetensorsHeader::parse(&bytes).unwrap();
        let data_start = full_header.data_start_byte();
        for len in 0..8 {
            assert_eq!(
                probe_header(&bytes[..len]).unwrap(),
                HeaderProbe::NeedMoreBytes { total_bytes: 8 }
            );
        }
        for len in 8..data_start as usize {
            assert_eq!(
                probe_header(&bytes[..len]).unwrap(),
                HeaderProbe::NeedMoreBytes {
                    total_bytes: data_start
                }
            );
        }
        assert_eq!(
            probe_header(&bytes[..data_start as usize]).unwrap(),
            HeaderProbe::Complete(full_header.clone())
        );
        // A header alone is checked, then the size the server reports.
        assert_eq!(full_header.check_file_size(bytes.len() as u64), Ok(()));
        assert_eq!(
            full_header.check_file_size(bytes.len() as u64 + 100),
            Ok(())
        );
    }

    #[test]
    fn error_truncated_header() {
        let bytes = sample_file();
        assert_eq!(
            SafetensorsHeader::parse(&bytes[..20]).unwrap_err(),
            SafetensorsError::Truncated {
                needed_bytes: SafetensorsHeader::parse(&bytes).unwrap().data_start_byte(),
                available_bytes: 20,
            }
        );
        assert_eq!(
            SafetensorsFile::parse(&bytes[..3]).unwrap_err(),
            SafetensorsError::Truncated {
                needed_bytes: 8,
                available_bytes: 3
            }
        );
        let header = SafetensorsHeader::parse(&bytes).unwrap();
        assert!(matches!(
            header.check_file_size(10),
            Err(SafetensorsError::Truncated {
                available_bytes: 10,
                ..
            })
        ));
    }

    #[test]
    fn error_truncated_data_names_first_cut_tensor() {
        let bytes = sample_file();
        let cut = bytes.len() - 10; // inside b.bias, so c.ids is cut too
        let error = SafetensorsFile::parse(&bytes[..cut]).unwrap_err();
        let SafetensorsError::TensorPastEnd {
            tensor,
            file_size_bytes,
            ..
        } = &error
        else {
            panic!("{error:?}");
        };
        assert_eq!(tensor, "b.bias");
        assert_eq!(*file_size_bytes, cut as u64);
        assert!(error.to_string().contains("`b.bias`"));

        // The same through a tensor's own range, as after a Range-fetched header.
        let header = SafetensorsHeader::parse(&bytes).unwrap();
        let ids = header.tensor("c.ids").unwrap();
        assert!(matches!(
            ids.bytes_in(&bytes[..cut]),
            Err(SafetensorsError::TensorPastEnd { .. })
        ));
    }

    #[test]
    fn error_header_too_large_refused_before_reading_it() {
        let mut bytes = (MAX_HEADER_BYTES + 1).to_le_bytes().to_vec();
        bytes.extend_from_slice(b"{}");
        assert_eq!(
            probe_header(&bytes).unwrap_err(),
            SafetensorsError::HeaderTooLarge {
                header_bytes: MAX_HEADER_BYTES + 1,
                max_bytes: MAX_HEADER_BYTES
            }
        );
        let absurd = u64::MAX.to_le_bytes();
        assert!(matches!(
            SafetensorsFile::parse(&absurd),
            Err(SafetensorsError::HeaderTooLarge { .. })
        ));
    }

    #[test]
    fn a_header_claiming_10_gb_is_refused_before_reading_or_allocating() {
        let ten_gb: u64 = 10_000_000_000;
        let mut bytes = ten_gb.to_le_bytes().to_vec();
        bytes.extend_from_slice(b"{\"w\":");
        let error = SafetensorsFile::parse(&bytes).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the safetensors header claims 10000000000 bytes, more than the 100000000 \
             accepted: this is not a safetensors file, or it is corrupt"
        );
        // The browser's probe of the first bytes says so too, rather than asking for
        // 10 GB more.
        assert!(matches!(
            probe_header(&bytes[..8]),
            Err(SafetensorsError::HeaderTooLarge { .. })
        ));
    }

    #[test]
    fn a_tensor_claiming_10_gb_in_a_small_file_names_the_tensor() {
        let ten_gb_of_f32 = 2_500_000_000u64;
        let header = format!(
            r#"{{"w":{{"dtype":"F32","shape":[{ten_gb_of_f32}],"data_offsets":[0,{}]}}}}"#,
            ten_gb_of_f32 * 4
        );
        let bytes = raw_file(&header, &[0; 16]);
        // The header alone is consistent; it is the file that is too short.
        assert!(SafetensorsHeader::parse(&bytes).is_ok());
        let error = SafetensorsFile::parse(&bytes).unwrap_err();
        let end = 8 + header.len().next_multiple_of(8) as u64 + 10_000_000_000;
        assert_eq!(
            error.to_string(),
            format!(
                "tensor `w` ends at file byte {end} but the file has {} bytes: the file is \
                 truncated or its header is wrong",
                bytes.len()
            )
        );
    }

    #[test]
    fn a_header_nested_100k_deep_is_an_error_that_says_so() {
        let deep = format!("{{\"w\":{}", "[".repeat(100_000));
        let error = header_error(&deep, &[]);
        assert!(
            error
                .to_string()
                .contains("arrays or objects are nested more than 128 deep"),
            "{error}"
        );
        // `metadata` takes any JSON value, so only the depth limit stops this one.
        let index = format!("{{\"metadata\":{{\"a\":{}", "[".repeat(100_000));
        let error = ShardedIndex::parse(index.as_bytes()).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("arrays or objects are nested more than 128 deep"),
            "{error}"
        );
    }

    #[test]
    fn nan_and_infinite_weights_are_refused_naming_the_tensor() {
        let cases: [(&str, Vec<u8>, &str); 4] = [
            ("F32", f32_bytes(&[1.0, f32::NAN]), "NaN at element 1"),
            (
                "F32",
                f32_bytes(&[f32::NEG_INFINITY, 0.0]),
                "-inf at element 0",
            ),
            // f16 0x7C00 is +inf; bf16 0x7FC0 is a NaN.
            ("F16", u16_bytes(&[0x3C00, 0x7C00]), "inf at element 1"),
            ("BF16", u16_bytes(&[0x7FC0, 0x3F80]), "NaN at element 0"),
        ];
        for (dtype, data, what) in cases {
            let header = format!(
                r#"{{"model.norm.weight":{{"dtype":"{dtype}","shape":[2],"data_offsets":[0,{}]}}}}"#,
                data.len()
            );
            let bytes = raw_file(&header, &data);
            let file = SafetensorsFile::parse(&bytes).unwrap();
            let error = file.read_f32("model.norm.weight").unwrap_err();
            assert_eq!(
                error.to_string(),
                format!(
                    "tensor `model.norm.weight` holds {what}: a weight that is not a finite \
                     number makes every output NaN, so the file is corrupt (re-download or \
                     re-convert it)"
                ),
                "{dtype}"
            );
        }
    }

    #[test]
    fn error_bad_json() {
        for header in ["{not json", "[1, 2]", "\"text\"", "", "{} trailing"] {
            let error = header_error(header, &[]);
            assert!(
                matches!(error, SafetensorsError::BadJson { .. }),
                "{header}: {error:?}"
            );
        }
        let mut invalid_utf8 = 2u64.to_le_bytes().to_vec();
        invalid_utf8.extend_from_slice(&[0xff, 0xfe]);
        assert!(matches!(
            SafetensorsFile::parse(&invalid_utf8),
            Err(SafetensorsError::BadJson { .. })
        ));
        let error = header_error(r#"{"__metadata__": [1]}"#, &[]);
        assert!(error.to_string().contains("__metadata__"), "{error}");
    }

    #[test]
    fn error_duplicate_name() {
        let header = r#"{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},
                         "w":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}"#;
        assert_eq!(
            header_error(header, &[0, 0]),
            SafetensorsError::DuplicateName { name: "w".into() }
        );
    }

    #[test]
    fn error_bad_tensor_entry_names_the_tensor() {
        for entry in [
            r#"{"shape":[1],"data_offsets":[0,1]}"#,
            r#"{"dtype":"U8","shape":[-1],"data_offsets":[0,1]}"#,
            r#"{"dtype":"U8","shape":[1.5],"data_offsets":[0,1]}"#,
            r#"{"dtype":"U8","shape":[1],"data_offsets":[0,1,2]}"#,
            r#"{"dtype":"U8","shape":[1],"data_offsets":[0]}"#,
            r#"{"dtype":7,"shape":[1],"data_offsets":[0,1]}"#,
            r#""not an object""#,
        ] {
            let error = header_error(&format!(r#"{{"layer.0":{entry}}}"#), &[0]);
            let SafetensorsError::BadTensorEntry { tensor, .. } = &error else {
                panic!("{entry}: {error:?}");
            };
            assert_eq!(tensor, "layer.0");
            assert!(error.to_string().contains("`layer.0`"));
        }
    }

    #[test]
    fn error_unknown_dtype() {
        let error = header_error(
            r#"{"w":{"dtype":"Q4_K","shape":[1],"data_offsets":[0,1]}}"#,
            &[0],
        );
        assert_eq!(
            error,
            SafetensorsError::UnknownDtype {
                tensor: "w".into(),
                dtype: "Q4_K".into()
            }
        );
    }

    #[test]
    fn error_element_count_overflow() {
        let huge = 1u64 << 40;
        let error = header_error(
            &format!(r#"{{"w":{{"dtype":"U8","shape":[{huge},{huge}],"data_offsets":[0,1]}}}}"#),
            &[0],
        );
        assert_eq!(
            error,
            SafetensorsError::ElementCountOverflow {
                tensor: "w".into(),
                shape: vec![huge, huge]
            }
        );
        // The count fits but count × bits does not.
        let error = header_error(
            &format!(
                r#"{{"w":{{"dtype":"F64","shape":[{}],"data_offsets":[0,1]}}}}"#,
                1u64 << 60
            ),
            &[0],
        );
        assert!(matches!(
            error,
            SafetensorsError::ElementCountOverflow { .. }
        ));
    }

    #[test]
    fn error_partial_byte() {
        let error = header_error(
            r#"{"w":{"dtype":"F4","shape":[3],"data_offsets":[0,2]}}"#,
            &[0, 0],
        );
        assert_eq!(
            error,
            SafetensorsError::PartialByte {
                tensor: "w".into(),
                dtype: Dtype::F4,
                shape: vec![3]
            }
        );
    }

    #[test]
    fn error_offsets_reversed() {
        let error = header_error(
            r#"{"w":{"dtype":"U8","shape":[0],"data_offsets":[4,0]}}"#,
            &[0; 4],
        );
        assert_eq!(
            error,
            SafetensorsError::OffsetsReversed {
                tensor: "w".into(),
                start: 4,
                end: 0
            }
        );
    }

    #[test]
    fn error_size_mismatch() {
        let error = header_error(
            r#"{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}}"#,
            &[0; 20],
        );
        assert_eq!(
            error,
            SafetensorsError::SizeMismatch {
                tensor: "w".into(),
                dtype: Dtype::F32,
                shape: vec![2, 3],
                expected_bytes: 24,
                declared_bytes: 20
            }
        );
        assert!(error.to_string().contains("needs 24 bytes"), "{error}");
    }

    #[test]
    fn error_offsets_overlap() {
        let header = r#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},
                         "b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#;
        assert_eq!(
            header_error(header, &[0; 12]),
            SafetensorsError::OffsetsOverlap {
                tensor: "b".into(),
                start: 4,
                other: "a".into(),
                other_end: 8
            }
        );
    }

    #[test]
    fn error_offsets_gap() {
        let header = r#"{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},
                         "b":{"dtype":"U8","shape":[2],"data_offsets":[3,5]}}"#;
        assert_eq!(
            header_error(header, &[0; 5]),
            SafetensorsError::OffsetsGap {
                tensor: "b".into(),
                start: 3,
                expected_start: 2
            }
        );
        let not_from_zero = r#"{"a":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}}"#;
        assert!(matches!(
            header_error(not_from_zero, &[0; 3]),
            SafetensorsError::OffsetsGap {
                expected_start: 0,
                ..
            }
        ));
    }

    #[test]
    fn error_offset_overflow() {
        // Eight U8 tensors of 2^61 - 1 bytes each: every size fits in 64 bits (even in
        // bits), the offsets are contiguous, but the last one's end plus the header does not.
        let size = (1u64 << 61) - 1;
        let entries: Vec<String> = (0..8u64)
            .map(|i| {
                format!(
                    r#""t{i}":{{"dtype":"U8","shape":[{size}],"data_offsets":[{},{}]}}"#,
                    i * size,
                    (i + 1) * size
                )
            })
            .collect();
        let header = format!("{{{}}}", entries.join(","));
        assert_eq!(
            SafetensorsHeader::parse(&raw_file(&header, &[])).unwrap_err(),
            SafetensorsError::OffsetOverflow {
                tensor: "t7".into()
            }
        );
    }

    #[test]
    fn error_tensor_not_found_names_it() {
        let bytes = sample_file();
        let file = SafetensorsFile::parse(&bytes).unwrap();
        let error = file.read_f32("model.norm.weight").unwrap_err();
        assert_eq!(
            error,
            SafetensorsError::TensorNotFound {
                tensor: "model.norm.weight".into()
            }
        );
        assert_eq!(error.to_string(), "no tensor named `model.norm.weight`");
    }

    #[test]
    fn error_unsupported_dtype_when_converting() {
        let bytes = sample_file();
        let file = SafetensorsFile::parse(&bytes).unwrap();
        assert_eq!(
            file.read_f32("c.ids").unwrap_err(),
            SafetensorsError::UnsupportedDtype {
                tensor: "c.ids".into(),
                dtype: Dtype::I64
            }
        );
    }

    #[test]
    fn error_data_length_mismatch() {
        let bytes = sample_file();
        let header = SafetensorsHeader::parse(&bytes).unwrap();
        let weight = header.tensor("a.weight").unwrap();
        assert_eq!(
            weight.decode_f32(&[0; 12]).unwrap_err(),
            SafetensorsError::DataLengthMismatch {
                tensor: "a.weight".into(),
                expected_bytes: 16,
                actual_bytes: 12
            }
        );
        let range = weight.file_range();
        let fetched = &bytes[range.start as usize..range.end as usize];
        assert_eq!(weight.decode_f32(fetched).unwrap(), [1.0, -2.0, 0.5, 3.25]);
    }

    fn two_shards() -> (Vec<u8>, Vec<u8>, Vec<u8>) {
        let first = write_safetensors(
            &[
                ("embed.weight", "F32", &[2], &f32_bytes(&[1.0, 2.0])),
                ("layer.0.weight", "BF16", &[1], &u16_bytes(&[0x4040])),
            ],
            Some(json!({"format": "pt"})),
        );
        let second =
            write_safetensors(&[("norm.weight", "F16", &[1], &u16_bytes(&[0x3800]))], None);
        let index = json!({
            "metadata": {"total_size": 12},
            "weight_map": {
                "embed.weight": "model-00001-of-00002.safetensors",
                "layer.0.weight": "model-00001-of-00002.safetensors",
                "norm.weight": "model-00002-of-00002.safetensors",
            }
        });
        (index.to_string().into_bytes(), first, second)
    }

    #[test]
    fn sharded_index_maps_tensors_to_shards() {
        let (index_json, first, second) = two_shards();
        let index = ShardedIndex::parse(&index_json).unwrap();
        assert_eq!(
            index.shard_files(),
            [
                "model-00001-of-00002.safetensors",
                "model-00002-of-00002.safetensors"
            ]
        );
        assert_eq!(
            index.shard_of("norm.weight").unwrap(),
            "model-00002-of-00002.safetensors"
        );
        assert_eq!(index.total_size_bytes(), Some(12));
        assert_eq!(index.weight_map().len(), 3);

        let sharded = ShardedSafetensors::new(
            index,
            [
                ("model-00002-of-00002.safetensors", second.as_slice()),
                ("model-00001-of-00002.safetensors", first.as_slice()),
            ],
        )
        .unwrap();
        assert_eq!(sharded.read_f32("embed.weight").unwrap(), [1.0, 2.0]);
        assert_eq!(sharded.read_f32("layer.0.weight").unwrap(), [3.0]);
        assert_eq!(sharded.read_f32("norm.weight").unwrap(), [0.5]);
        assert_eq!(sharded.tensor("norm.weight").unwrap().dtype(), Dtype::F16);
        let listed: Vec<_> = sharded
            .tensors()
            .map(|(shard, t)| (shard, t.name()))
            .collect();
        assert_eq!(listed.len(), 3);
        assert_eq!(
            listed[2],
            ("model-00002-of-00002.safetensors", "norm.weight")
        );
        assert!(matches!(
            sharded.read_f32("lm_head.weight"),
            Err(SafetensorsError::TensorNotFound { .. })
        ));
    }

    #[test]
    fn index_metadata_is_optional() {
        let index = ShardedIndex::parse(br#"{"weight_map":{"w":"a.safetensors"}}"#).unwrap();
        assert!(index.metadata().is_empty());
        assert_eq!(index.total_size_bytes(), None);
    }

    #[test]
    fn error_bad_index_json() {
        for json in [
            &b"{"[..],
            b"[]",
            br#"{"metadata":{}}"#,
            br#"{"weight_map":{"w":3}}"#,
        ] {
            assert!(matches!(
                ShardedIndex::parse(json),
                Err(SafetensorsError::BadIndexJson { .. })
            ));
        }
    }

    #[test]
    fn error_shard_missing_names_tensor_and_shard() {
        let (index_json, first, _) = two_shards();
        let index = ShardedIndex::parse(&index_json).unwrap();
        let expected = SafetensorsError::ShardMissing {
            tensor: "norm.weight".into(),
            shard: "model-00002-of-00002.safetensors".into(),
        };
        assert_eq!(
            index.check_shards_present(["model-00001-of-00002.safetensors"]),
            Err(expected.clone())
        );
        let error =
            ShardedSafetensors::new(index, [("model-00001-of-00002.safetensors", &first[..])])
                .unwrap_err();
        assert_eq!(error, expected);
        assert!(error.to_string().contains("`norm.weight`"));
    }

    #[test]
    fn error_tensor_not_in_shard() {
        let (index_json, first, _) = two_shards();
        let index = ShardedIndex::parse(&index_json).unwrap();
        // Hand the first shard under both names: the second name lacks norm.weight.
        let error = ShardedSafetensors::new(
            index,
            [
                ("model-00001-of-00002.safetensors", &first[..]),
                ("model-00002-of-00002.safetensors", &first[..]),
            ],
        )
        .unwrap_err();
        assert_eq!(
            error,
            SafetensorsError::TensorNotInShard {
                tensor: "norm.weight".into(),
                shard: "model-00002-of-00002.safetensors".into()
            }
        );
    }

    #[test]
    fn error_in_shard_names_the_shard() {
        let (index_json, first, second) = two_shards();
        let index = ShardedIndex::parse(&index_json).unwrap();
        let cut = &second[..second.len() - 1];
        let error = ShardedSafetensors::new(
            index,
            [
                ("model-00001-of-00002.safetensors", &first[..]),
                ("model-00002-of-00002.safetensors", cut),
            ],
        )
        .unwrap_err();
        let SafetensorsError::InShard { shard, source } = &error else {
            panic!("{error:?}");
        };
        assert_eq!(shard, "model-00002-of-00002.safetensors");
        assert!(matches!(**source, SafetensorsError::TensorPastEnd { .. }));
        assert!(
            error
                .to_string()
                .starts_with("in shard `model-00002-of-00002.safetensors`")
        );
    }

    /// Every prefix and every single-byte change of a valid file parses or fails
    /// cleanly: no panic, and whatever parses reads back without panicking.
    #[test]
    fn never_panics_on_cut_or_corrupted_bytes() {
        let bytes = sample_file();
        let exercise = |candidate: &[u8]| {
            let _ = probe_header(candidate);
            if let Ok(file) = SafetensorsFile::parse(candidate) {
                for tensor in file.tensors() {
                    let _ = file.read_f32(tensor.name());
                }
            }
        };
        for len in 0..=bytes.len() {
            exercise(&bytes[..len]);
        }
        for position in 0..bytes.len() {
            for replacement in [0u8, 0xff, b'9', b'"', b'{', b']'] {
                let mut corrupted = bytes.clone();
                corrupted[position] = replacement;
                exercise(&corrupted);
            }
        }
    }
}
