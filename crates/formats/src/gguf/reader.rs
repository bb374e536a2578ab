//! A bounds-checked little-endian cursor over the header bytes.

use super::{GgufError, limits};

/// Reads GGUF's little-endian primitives from a byte slice; every read is checked and a
/// short read becomes [`GgufError::UnexpectedEof`] naming what was being read.
pub(super) struct Reader<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, position: 0 }
    }

    /// Bytes consumed so far, as a file offset.
    pub(super) fn position(&self) -> u64 {
        self.position as u64
    }

    /// Bytes left after the cursor.
    pub(super) fn remaining(&self) -> u64 {
        (self.bytes.len() - self.position) as u64
    }

    pub(super) fn bytes(&mut self, n: u64, what: &str) -> Result<&'a [u8], GgufError> {
        let eof = || GgufError::UnexpectedEof {
            what: what.to_string(),
            needed: self.position as u64 + n,
            available: self.bytes.len() as u64,
        };
        let n = usize::try_from(n).map_err(|_| eof())?;
        let end = self.position.checked_add(n).ok_or_else(eof)?;
        let slice = self.bytes.get(self.position..end).ok_or_else(eof)?;
        self.position = end;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], GgufError> {
        let slice = self.bytes(N as u64, what)?;
        let mut out = [0u8; N];
        out.copy_from_slice(slice);
        Ok(out)
    }

    pub(super) fn u8(&mut self, what: &str) -> Result<u8, GgufError> {
        Ok(self.array::<1>(what)?[0])
    }
    pub(super) fn i8(&mut self, what: &str) -> Result<i8, GgufError> {
        Ok(i8::from_le_bytes(self.array(what)?))
    }
    pub(super) fn u16(&mut self, what: &str) -> Result<u16, GgufError> {
        Ok(u16::from_le_bytes(self.array(what)?))
    }
    pub(super) fn i16(&mut self, what: &str) -> Result<i16, GgufError> {
        Ok(i16::from_le_bytes(self.array(what)?))
    }
    pub(super) fn u32(&mut self, what: &str) -> Result<u32, GgufError> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }
    pub(super) fn i32(&mut self, what: &str) -> Result<i32, GgufError> {
        Ok(i32::from_le_bytes(self.array(what)?))
    }
    pub(super) fn u64(&mut self, what: &str) -> Result<u64, GgufError> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }
    pub(super) fn i64(&mut self, what: &str) -> Result<i64, GgufError> {
        Ok(i64::from_le_bytes(self.array(what)?))
    }
    pub(super) fn f32(&mut self, what: &str) -> Result<f32, GgufError> {
        Ok(f32::from_le_bytes(self.array(what)?))
    }
    pub(super) fn f64(&mut self, what: &str) -> Result<f64, GgufError> {
        Ok(f64::from_le_bytes(self.array(what)?))
    }

    /// A GGUF string: u64 length, then that many UTF-8 bytes. `what` is built lazily
    /// because the tokenizer arrays hold hundreds of thousands of strings.
    pub(super) fn string(&mut self, what: impl Fn() -> String) -> Result<String, GgufError> {
        let len = self.u64(&what())?;
        if len > limits::MAX_STRING_BYTES {
            return Err(GgufError::LimitExceeded {
                what: format!("the length of {}", what()),
                value: len,
                limit: limits::MAX_STRING_BYTES,
            });
        }
        let bytes = self.bytes(len, &what())?;
        String::from_utf8(bytes.to_vec()).map_err(|_| GgufError::InvalidUtf8 { what: what() })
    }
}
