//! Writes GGUF files: for tests, fuzz corpora and the tiny seeded models the project
//! makes itself. It writes exactly what [`super::GgufHeader::parse`] reads.

use super::{ArrayValue, DEFAULT_ALIGNMENT, GgmlType, MAGIC, MetadataValue};

/// Builds a GGUF v3 file in memory.
///
/// ```
/// use mechscope_formats::gguf::{GgmlType, GgufHeader, MetadataValue, writer::GgufWriter};
///
/// let mut w = GgufWriter::new();
/// w.metadata("general.architecture", MetadataValue::String("llama".into()));
/// w.tensor("token_embd.weight", &[4, 2], GgmlType::F32, vec![0u8; 32]);
/// let bytes = w.to_bytes();
/// let header = mechscope_formats::gguf::parse_file(&bytes).unwrap();
/// assert_eq!(header.architecture(), Some("llama"));
/// assert_eq!(header.parameter_count(), 8);
/// ```
#[derive(Debug, Default, Clone)]
pub struct GgufWriter {
    metadata: Vec<(String, MetadataValue)>,
    tensors: Vec<(String, Vec<u64>, GgmlType, Vec<u8>)>,
}

impl GgufWriter {
    /// An empty file: no metadata, no tensors.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a metadata entry (kept in insertion order).
    pub fn metadata(&mut self, key: &str, value: MetadataValue) -> &mut Self {
        self.metadata.push((key.to_string(), value));
        self
    }

    /// Adds a tensor with its raw bytes; `shape` is in ggml order (row length first).
    pub fn tensor(&mut self, name: &str, shape: &[u64], ty: GgmlType, data: Vec<u8>) -> &mut Self {
        self.tensors
            .push((name.to_string(), shape.to_vec(), ty, data));
        self
    }

    /// Serialises the file: header, padding to the alignment, tensor data.
    pub fn to_bytes(&self) -> Vec<u8> {
        let alignment = self
            .metadata
            .iter()
            .find(|(k, _)| k == "general.alignment")
            .and_then(|(_, v)| v.as_u64())
            .filter(|a| a.is_power_of_two())
            .unwrap_or(DEFAULT_ALIGNMENT) as usize;
        let mut out = Vec::new();
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&3u32.to_le_bytes());
        out.extend_from_slice(&(self.tensors.len() as u64).to_le_bytes());
        out.extend_from_slice(&(self.metadata.len() as u64).to_le_bytes());
        for (key, value) in &self.metadata {
            write_string(&mut out, key);
            write_value(&mut out, value);
        }
        let mut offset = 0usize;
        for (name, shape, ty, data) in &self.tensors {
            write_string(&mut out, name);
            out.extend_from_slice(&(shape.len() as u32).to_le_bytes());
            for d in shape {
                out.extend_from_slice(&d.to_le_bytes());
            }
            out.extend_from_slice(&ty.id().to_le_bytes());
            out.extend_from_slice(&(offset as u64).to_le_bytes());
            offset = (offset + data.len()).next_multiple_of(alignment);
        }
        out.resize(out.len().next_multiple_of(alignment), 0);
        for (_, _, _, data) in &self.tensors {
            out.extend_from_slice(data);
            out.resize(out.len().next_multiple_of(alignment), 0);
        }
        out
    }
}

fn write_string(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u64).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

fn scalar_type_id(value: &MetadataValue) -> u32 {
    match value {
        MetadataValue::U8(_) => 0,
        MetadataValue::I8(_) => 1,
        MetadataValue::U16(_) => 2,
        MetadataValue::I16(_) => 3,
        MetadataValue::U32(_) => 4,
        MetadataValue::I32(_) => 5,
        MetadataValue::F32(_) => 6,
        MetadataValue::Bool(_) => 7,
        MetadataValue::String(_) => 8,
        MetadataValue::Array(_) => 9,
        MetadataValue::U64(_) => 10,
        MetadataValue::I64(_) => 11,
        MetadataValue::F64(_) => 12,
    }
}

fn write_value(out: &mut Vec<u8>, value: &MetadataValue) {
    out.extend_from_slice(&scalar_type_id(value).to_le_bytes());
    write_payload(out, value);
}

fn write_payload(out: &mut Vec<u8>, value: &MetadataValue) {
    match value {
        MetadataValue::U8(v) => out.push(*v),
        MetadataValue::I8(v) => out.extend_from_slice(&v.to_le_bytes()),
        MetadataValue::U16(v) => out.extend_from_slice(&v.to_le_bytes()),
        MetadataValue::I16(v) => out.extend_from_slice(&v.to_le_bytes()),
        MetadataValue::U32(v) => out.extend_from_slice(&v.to_le_bytes()),
        MetadataValue::I32(v) => out.extend_from_slice(&v.to_le_bytes()),
        MetadataValue::U64(v) => out.extend_from_slice(&v.to_le_bytes()),
        MetadataValue::I64(v) => out.extend_from_slice(&v.to_le_bytes()),
        MetadataValue::F32(v) => out.extend_from_slice(&v.to_le_bytes()),
        MetadataValue::F64(v) => out.extend_from_slice(&v.to_le_bytes()),
        MetadataValue::Bool(v) => out.push(u8::from(*v)),
        MetadataValue::String(s) => write_string(out, s),
        MetadataValue::Array(a) => write_array(out, a),
    }
}

fn write_array(out: &mut Vec<u8>, array: &ArrayValue) {
    macro_rules! elems {
        ($id:expr, $v:expr, $write:expr) => {{
            out.extend_from_slice(&($id as u32).to_le_bytes());
            out.extend_from_slice(&($v.len() as u64).to_le_bytes());
            for x in $v {
                $write(out, x);
            }
        }};
    }
    match array {
        ArrayValue::U8(v) => elems!(0, v, |o: &mut Vec<u8>, x: &u8| o.push(*x)),
        ArrayValue::I8(v) => elems!(1, v, |o: &mut Vec<u8>, x: &i8| o
            .extend_from_slice(&x.to_le_bytes())),
        ArrayValue::U16(v) => elems!(2, v, |o: &mut Vec<u8>, x: &u16| o
            .extend_from_slice(&x.to_le_bytes())),
        ArrayValue::I16(v) => elems!(3, v, |o: &mut Vec<u8>, x: &i16| o
            .extend_from_slice(&x.to_le_bytes())),
        ArrayValue::U32(v) => elems!(4, v, |o: &mut Vec<u8>, x: &u32| o
            .extend_from_slice(&x.to_le_bytes())),
        ArrayValue::I32(v) => elems!(5, v, |o: &mut Vec<u8>, x: &i32| o
            .extend_from_slice(&x.to_le_bytes())),
        ArrayValue::F32(v) => elems!(6, v, |o: &mut Vec<u8>, x: &f32| o
            .extend_from_slice(&x.to_le_bytes())),
        ArrayValue::Bool(v) => elems!(7, v, |o: &mut Vec<u8>, x: &bool| o.push(u8::from(*x))),
        ArrayValue::String(v) => elems!(8, v, |o: &mut Vec<u8>, x: &String| write_string(o, x)),
        ArrayValue::Array(v) => elems!(9, v, write_array),
        ArrayValue::U64(v) => elems!(10, v, |o: &mut Vec<u8>, x: &u64| o
            .extend_from_slice(&x.to_le_bytes())),
        ArrayValue::I64(v) => elems!(11, v, |o: &mut Vec<u8>, x: &i64| o
            .extend_from_slice(&x.to_le_bytes())),
        ArrayValue::F64(v) => elems!(12, v, |o: &mut Vec<u8>, x: &f64| o
            .extend_from_slice(&x.to_le_bytes())),
    }
}
