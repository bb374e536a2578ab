//! GGUF metadata values: scalars, strings and (typed, possibly nested) arrays.

use super::reader::Reader;
use super::{GgufError, limits};
use serde::Serialize;

/// One metadata value.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum MetadataValue {
    U8(u8),
    I8(i8),
    U16(u16),
    I16(i16),
    U32(u32),
    I32(i32),
    U64(u64),
    I64(i64),
    F32(f32),
    F64(f64),
    Bool(bool),
    String(String),
    Array(ArrayValue),
}

/// A metadata array, stored by element type so that a 262 144-entry vocabulary costs
/// one `Vec<String>` rather than as many enum values.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ArrayValue {
    U8(Vec<u8>),
    I8(Vec<i8>),
    U16(Vec<u16>),
    I16(Vec<i16>),
    U32(Vec<u32>),
    I32(Vec<i32>),
    U64(Vec<u64>),
    I64(Vec<i64>),
    F32(Vec<f32>),
    F64(Vec<f64>),
    Bool(Vec<bool>),
    String(Vec<String>),
    Array(Vec<ArrayValue>),
}

impl ArrayValue {
    /// Number of elements.
    pub fn len(&self) -> usize {
        match self {
            ArrayValue::U8(v) => v.len(),
            ArrayValue::I8(v) => v.len(),
            ArrayValue::U16(v) => v.len(),
            ArrayValue::I16(v) => v.len(),
            ArrayValue::U32(v) => v.len(),
            ArrayValue::I32(v) => v.len(),
            ArrayValue::U64(v) => v.len(),
            ArrayValue::I64(v) => v.len(),
            ArrayValue::F32(v) => v.len(),
            ArrayValue::F64(v) => v.len(),
            ArrayValue::Bool(v) => v.len(),
            ArrayValue::String(v) => v.len(),
            ArrayValue::Array(v) => v.len(),
        }
    }

    /// True when the array has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl MetadataValue {
    /// The value as an unsigned integer, if it is a non-negative integer of any width.
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            MetadataValue::U8(v) => Some(v.into()),
            MetadataValue::U16(v) => Some(v.into()),
            MetadataValue::U32(v) => Some(v.into()),
            MetadataValue::U64(v) => Some(v),
            MetadataValue::I8(v) => u64::try_from(v).ok(),
            MetadataValue::I16(v) => u64::try_from(v).ok(),
            MetadataValue::I32(v) => u64::try_from(v).ok(),
            MetadataValue::I64(v) => u64::try_from(v).ok(),
            _ => None,
        }
    }

    /// The value as a float, if it is numeric.
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            MetadataValue::F32(v) => Some(v.into()),
            MetadataValue::F64(v) => Some(v),
            _ => self.as_u64().map(|v| v as f64),
        }
    }

    /// The value as a string slice, if it is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            MetadataValue::String(s) => Some(s),
            _ => None,
        }
    }

    /// The value as an array, if it is one.
    pub fn as_array(&self) -> Option<&ArrayValue> {
        match self {
            MetadataValue::Array(a) => Some(a),
            _ => None,
        }
    }
}

const TYPE_ARRAY: u32 = 9;

/// Reads one value (type tag, then payload) for metadata key `key`.
pub(super) fn read_value(r: &mut Reader<'_>, key: &str) -> Result<MetadataValue, GgufError> {
    let type_id = r.u32(&format!("the value type of {key:?}"))?;
    if type_id == TYPE_ARRAY {
        return Ok(MetadataValue::Array(read_array(r, key, 0)?));
    }
    read_scalar(r, key, type_id)
}

fn read_scalar(r: &mut Reader<'_>, key: &str, type_id: u32) -> Result<MetadataValue, GgufError> {
    let what = || format!("the value of {key:?}");
    Ok(match type_id {
        0 => MetadataValue::U8(r.u8(&what())?),
        1 => MetadataValue::I8(r.i8(&what())?),
        2 => MetadataValue::U16(r.u16(&what())?),
        3 => MetadataValue::I16(r.i16(&what())?),
        4 => MetadataValue::U32(r.u32(&what())?),
        5 => MetadataValue::I32(r.i32(&what())?),
        6 => MetadataValue::F32(r.f32(&what())?),
        7 => MetadataValue::Bool(r.u8(&what())? != 0),
        8 => MetadataValue::String(r.string(what)?),
        10 => MetadataValue::U64(r.u64(&what())?),
        11 => MetadataValue::I64(r.i64(&what())?),
        12 => MetadataValue::F64(r.f64(&what())?),
        _ => {
            return Err(GgufError::UnknownValueType {
                key: key.to_string(),
                type_id,
            });
        }
    })
}

/// Smallest encoded size of one element of a type, used to refuse counts the remaining
/// bytes cannot hold before allocating for them.
fn min_element_bytes(type_id: u32) -> u64 {
    match type_id {
        0 | 1 | 7 => 1,
        2 | 3 => 2,
        4..=6 => 4,
        8 | 10..=12 => 8,
        TYPE_ARRAY => 12,
        _ => 1,
    }
}

fn read_array(r: &mut Reader<'_>, key: &str, depth: u32) -> Result<ArrayValue, GgufError> {
    if depth >= limits::MAX_ARRAY_DEPTH {
        return Err(GgufError::LimitExceeded {
            what: format!("the array nesting depth of {key:?}"),
            value: u64::from(depth) + 1,
            limit: u64::from(limits::MAX_ARRAY_DEPTH),
        });
    }
    let elem_type = r.u32(&format!("the element type of array {key:?}"))?;
    let count = r.u64(&format!("the length of array {key:?}"))?;
    if count > limits::MAX_ARRAY_ELEMENTS {
        return Err(GgufError::LimitExceeded {
            what: format!("the length of array {key:?}"),
            value: count,
            limit: limits::MAX_ARRAY_ELEMENTS,
        });
    }
    let needed = count.saturating_mul(min_element_bytes(elem_type));
    if needed > r.remaining() {
        return Err(GgufError::UnexpectedEof {
            what: format!("the {count} elements of array {key:?}"),
            needed: r.position().saturating_add(needed),
            available: r.position() + r.remaining(),
        });
    }
    // `count` is now bounded by the input's length, so allocating for it is safe.
    let n = count as usize;
    macro_rules! typed {
        ($variant:ident, $read:ident) => {{
            let mut v = Vec::with_capacity(n);
            for _ in 0..n {
                v.push(r.$read(key)?);
            }
            ArrayValue::$variant(v)
        }};
    }
    Ok(match elem_type {
        0 => typed!(U8, u8),
        1 => typed!(I8, i8),
        2 => typed!(U16, u16),
        3 => typed!(I16, i16),
        4 => typed!(U32, u32),
        5 => typed!(I32, i32),
        6 => typed!(F32, f32),
        10 => typed!(U64, u64),
        11 => typed!(I64, i64),
        12 => typed!(F64, f64),
        7 => {
            let mut v = Vec::with_capacity(n);
            for _ in 0..n {
                v.push(r.u8(key)? != 0);
            }
            ArrayValue::Bool(v)
        }
        8 => {
            let mut v = Vec::with_capacity(n);
            for i in 0..n {
                v.push(r.string(|| format!("element {i} of array {key:?}"))?);
            }
            ArrayValue::String(v)
        }
        TYPE_ARRAY => {
            let mut v = Vec::with_capacity(n);
            for _ in 0..n {
                v.push(read_array(r, key, depth + 1)?);
            }
            ArrayValue::Array(v)
        }
        _ => {
            return Err(GgufError::UnknownValueType {
                key: key.to_string(),
                type_id: elem_type,
            });
        }
    })
}
