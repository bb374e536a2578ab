//! Dequantisation of ggml tensor data to `f32`.
//!
//! Every function here reproduces llama.cpp's reference `dequantize_row_*` functions
//! (ggml-quants.c) operation for operation: the same `f16` scale conversions, the same
//! integer offsets and the same order of `f32` multiplies and adds. Rust never fuses a
//! multiply and an add on its own, so the output is bit-for-bit what gguf-py's numpy
//! port of that reference computes (tests/dequant_reference.rs checks this), on native
//! targets and on wasm alike. ggml's C can differ from both in the last bit where its
//! compiler contracts `d * q - m` into a fused multiply-add (GCC may, given FMA).
//!
//! The input is untrusted file data. All sizes are checked once, up front, against the
//! element count; after that the data is walked as fixed-size blocks (`as_chunks`), so a
//! block function only ever indexes arrays whose length is part of its type and can
//! neither read out of bounds nor panic, whatever the bytes say. Scales that decode to
//! NaN or infinity simply give NaN or infinite outputs, as they do in ggml.
//!
//! Multi-byte fields are read as little-endian explicitly, as the GGUF specification
//! requires, rather than relying on the host's byte order.

use std::array;

use thiserror::Error;

use super::types::GgmlType;

/// Why a tensor's bytes could not be turned into `f32` values.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DequantError {
    #[error(
        "cannot dequantise {ty} tensors: MechScope reads F32, F16, BF16, F64, I8-I64, \
         Q4_0, Q4_1, Q5_0, Q5_1, Q8_0 and Q2_K-Q8_K; re-quantise the model to one of those"
    )]
    Unsupported { ty: GgmlType },
    #[error(
        "{n_elements} elements is not a whole number of {ty} blocks ({block_elements} \
         elements each): the tensor's shape does not fit its type, so the file is corrupt"
    )]
    NotWholeBlocks {
        ty: GgmlType,
        n_elements: usize,
        block_elements: u64,
    },
    #[error(
        "{n_elements} {ty} elements take {expected_bytes} bytes, but {got_bytes} bytes were \
         given: the tensor data was cut short or sliced at the wrong offset"
    )]
    SizeMismatch {
        ty: GgmlType,
        n_elements: usize,
        expected_bytes: u64,
        got_bytes: usize,
    },
    #[error(
        "{n_elements} {ty} elements would take more than 2^64 bytes: the tensor shape is corrupt"
    )]
    TooLarge { ty: GgmlType, n_elements: usize },
    #[error(
        "element {index} is {value}: a weight that is not a finite number makes every \
         output NaN, so the file is corrupt (re-download or re-convert it)"
    )]
    NonFinite {
        index: usize,
        /// `NaN`, `inf` or `-inf`.
        value: String,
    },
}

/// Whether [`dequantize`] can read tensors of type `ty`.
///
/// Lets a caller (the model summary, the loader) say up front which tensors it will be
/// unable to load, instead of failing half-way through a model.
pub fn can_dequantize(ty: GgmlType) -> bool {
    // Q8_1 is only an intermediate format for ggml's dot products: ggml itself defines
    // no dequantisation for it and no model file stores it.
    !matches!(ty, GgmlType::Q8_1)
}

/// Dequantises `n_elements` values of type `ty` from `data` into a new vector.
///
/// `data` must be exactly the tensor's bytes: [`GgmlType::bytes_for`]`(n_elements)` of
/// them. The size is checked before anything is allocated, so a corrupt element count
/// cannot make this allocate more than the input justifies.
///
/// # Errors
///
/// [`DequantError::Unsupported`] for a type [`can_dequantize`] refuses,
/// [`DequantError::NotWholeBlocks`] when `n_elements` does not fill whole blocks,
/// [`DequantError::SizeMismatch`] when `data` has the wrong length, and
/// [`DequantError::TooLarge`] when the size in bytes would not even fit in a `u64`.
///
/// # Example
///
/// ```
/// use mechscope_formats::gguf::GgmlType;
/// use mechscope_formats::gguf::dequant::{DequantError, dequantize};
///
/// // One Q8_0 block: an f16 scale d = 0.5 (0x3800, little-endian), then 32 signed bytes.
/// let mut block = vec![0x00, 0x38];
/// block.extend((0..32).map(|i| (i as i8 - 16) as u8));
/// let values = dequantize(GgmlType::Q8_0, &block, 32)?;
/// assert_eq!(values[0], -8.0); // -16 * 0.5
/// assert_eq!(values[31], 7.5); //  15 * 0.5
///
/// // A block with a byte missing is refused, not read past its end.
/// let err = dequantize(GgmlType::Q8_0, &block[..33], 32).unwrap_err();
/// assert!(matches!(err, DequantError::SizeMismatch { expected_bytes: 34, got_bytes: 33, .. }));
/// # Ok::<(), DequantError>(())
/// ```
pub fn dequantize(ty: GgmlType, data: &[u8], n_elements: usize) -> Result<Vec<f32>, DequantError> {
    check_sizes(ty, data.len(), n_elements)?;
    let mut out = vec![0.0; n_elements];
    dequantize_into(ty, data, &mut out)?;
    Ok(out)
}

/// Dequantises `data`, of type `ty`, into `out`: one `f32` per element, `out.len()`
/// elements.
///
/// For callers that reuse a buffer or write straight into a tensor's storage.
/// `data` must be exactly [`GgmlType::bytes_for`]`(out.len())` bytes long.
///
/// # Errors
///
/// As [`dequantize`]; on error `out` is left untouched.
pub fn dequantize_into(ty: GgmlType, data: &[u8], out: &mut [f32]) -> Result<(), DequantError> {
    convert(ty, data, out).map(|_all_finite| ())
}

/// As [`dequantize`], but refuses a tensor holding a NaN or an infinity
/// ([`DequantError::NonFinite`], with the first such element): what the model loader
/// wants, since no trained model has one and a single one silently turns every
/// activation downstream into NaN.
///
/// The check is made in the same pass as the conversion, on each block while it is in
/// cache, so it costs no second read of the tensor; only a tensor that fails is read
/// again, to say where.
///
/// ```
/// use mechscope_formats::gguf::GgmlType;
/// use mechscope_formats::gguf::dequant::{DequantError, dequantize_finite};
///
/// // F16 0x7E00 is a NaN.
/// let err = dequantize_finite(GgmlType::F16, &[0x00, 0x3C, 0x00, 0x7E], 2).unwrap_err();
/// assert!(matches!(err, DequantError::NonFinite { index: 1, .. }));
/// ```
pub fn dequantize_finite(
    ty: GgmlType,
    data: &[u8],
    n_elements: usize,
) -> Result<Vec<f32>, DequantError> {
    check_sizes(ty, data.len(), n_elements)?;
    let mut out = vec![0.0; n_elements];
    if !convert(ty, data, &mut out)?
        && let Some((index, &value)) = out.iter().enumerate().find(|(_, v)| !v.is_finite())
    {
        return Err(DequantError::NonFinite {
            index,
            value: value.to_string(),
        });
    }
    Ok(out)
}

/// Converts `data` into `out`; says whether every value written is finite.
fn convert(ty: GgmlType, data: &[u8], out: &mut [f32]) -> Result<bool, DequantError> {
    check_sizes(ty, data.len(), out.len())?;
    Ok(match ty {
        GgmlType::F32 => per_element(data, out, f32::from_le_bytes),
        GgmlType::F16 => per_element(data, out, f16_le),
        GgmlType::BF16 => per_element(data, out, |bytes: [u8; 2]| {
            // bf16 is the top half of an f32, so widening is a shift.
            f32::from_bits(u32::from(u16::from_le_bytes(bytes)) << 16)
        }),
        // The remaining plain types round to the nearest f32, as a C cast does.
        GgmlType::F64 => per_element(data, out, |bytes| f64::from_le_bytes(bytes) as f32),
        GgmlType::I8 => per_element(data, out, |bytes| f32::from(i8::from_le_bytes(bytes))),
        GgmlType::I16 => per_element(data, out, |bytes| f32::from(i16::from_le_bytes(bytes))),
        GgmlType::I32 => per_element(data, out, |bytes| i32::from_le_bytes(bytes) as f32),
        GgmlType::I64 => per_element(data, out, |bytes| i64::from_le_bytes(bytes) as f32),
        GgmlType::Q4_0 => per_block(data, out, block_q4_0),
        GgmlType::Q4_1 => per_block(data, out, block_q4_1),
        GgmlType::Q5_0 => per_block(data, out, block_q5_0),
        GgmlType::Q5_1 => per_block(data, out, block_q5_1),
        GgmlType::Q8_0 => per_block(data, out, block_q8_0),
        GgmlType::Q2_K => per_block(data, out, block_q2_k),
        GgmlType::Q3_K => per_block(data, out, block_q3_k),
        GgmlType::Q4_K => per_block(data, out, block_q4_k),
        GgmlType::Q5_K => per_block(data, out, block_q5_k),
        GgmlType::Q6_K => per_block(data, out, block_q6_k),
        GgmlType::Q8_K => per_block(data, out, block_q8_k),
        GgmlType::Q8_1 => return Err(DequantError::Unsupported { ty }),
    })
}

/// Checks that `data_len` bytes hold exactly `n_elements` values of `ty`.
fn check_sizes(ty: GgmlType, data_len: usize, n_elements: usize) -> Result<(), DequantError> {
    if !can_dequantize(ty) {
        return Err(DequantError::Unsupported { ty });
    }
    // usize is at most 64 bits on every target Rust supports, so this never saturates.
    let n = u64::try_from(n_elements).unwrap_or(u64::MAX);
    let block_elements = ty.block_elements();
    if !n.is_multiple_of(block_elements) {
        return Err(DequantError::NotWholeBlocks {
            ty,
            n_elements,
            block_elements,
        });
    }
    let expected_bytes = ty
        .bytes_for(n)
        .ok_or(DequantError::TooLarge { ty, n_elements })?;
    if u64::try_from(data_len).ok() != Some(expected_bytes) {
        return Err(DequantError::SizeMismatch {
            ty,
            n_elements,
            expected_bytes,
            got_bytes: data_len,
        });
    }
    Ok(())
}

/// Converts a plain (unblocked) type, `N` bytes per element; says whether every value
/// is finite (a branch-free `&=` beside each store, which keeps the loop vectorisable).
///
/// Callers have checked `data.len() == N * out.len()`, so the zip covers both exactly.
fn per_element<const N: usize>(
    data: &[u8],
    out: &mut [f32],
    convert: impl Fn([u8; N]) -> f32,
) -> bool {
    let (elements, _) = data.as_chunks::<N>();
    let mut all_finite = true;
    for (bytes, value) in elements.iter().zip(out) {
        *value = convert(*bytes);
        all_finite &= value.is_finite();
    }
    all_finite
}

/// Runs a block function over every `BYTES`-byte block and its `ELEMENTS` outputs.
///
/// Callers have checked the sizes, so both chunkings are exact and equally long. Taking
/// the block function as a generic (not a function pointer) lets it be inlined.
/// Says whether every value is finite, checking each block's outputs right after they
/// are written, while they are in cache.
fn per_block<const BYTES: usize, const ELEMENTS: usize>(
    data: &[u8],
    out: &mut [f32],
    dequantize_block: impl Fn(&[u8; BYTES], &mut [f32; ELEMENTS]),
) -> bool {
    let (blocks, _) = data.as_chunks::<BYTES>();
    let (out_blocks, _) = out.as_chunks_mut::<ELEMENTS>();
    let mut all_finite = true;
    for (block, out_block) in blocks.iter().zip(out_blocks) {
        dequantize_block(block, out_block);
        all_finite &= out_block.iter().fold(true, |ok, v| ok & v.is_finite());
    }
    all_finite
}

/// A little-endian IEEE half, widened exactly to `f32` (ggml's `GGML_FP16_TO_FP32`).
fn f16_le(bytes: [u8; 2]) -> f32 {
    f16_bits_to_f32(u16::from_le_bytes(bytes))
}

/// Widens IEEE half-precision bits to `f32`, exactly (every half is an `f32`).
///
/// Gives the same bits as `half::f16::to_f32` for all 65 536 inputs (NaNs are made quiet,
/// as the x86 and Arm conversion instructions do; a test checks every input), but without
/// branching on the class of each value, which makes F16 tensors about 2.5 times faster
/// to load where no hardware conversion exists, as in wasm.
fn f16_bits_to_f32(bits: u16) -> f32 {
    /// 2^-24, the value of the lowest mantissa bit of a subnormal half.
    const SUBNORMAL_UNIT: f32 = 1.0 / 16_777_216.0;
    let magnitude = u32::from(bits & 0x7FFF);
    let sign = u32::from(bits & 0x8000) << 16;
    let widened = if magnitude < 0x0400 {
        // Zero and subnormals are mantissa * 2^-24, exact in f32.
        (f32::from(bits & 0x03FF) * SUBNORMAL_UNIT).to_bits()
    } else if magnitude < 0x7C00 {
        // Normal: shift the fields into place and rebias the exponent from 15 to 127.
        (magnitude << 13) + ((127 - 15) << 23)
    } else {
        // Infinity or NaN: all-ones exponent, mantissa kept, NaNs quietened.
        let quiet = if magnitude > 0x7C00 { 0x0040_0000 } else { 0 };
        0x7F80_0000 | (magnitude << 13) | quiet
    };
    f32::from_bits(sign | widened)
}

// ---------------------------------------------------------------------------------------
// 32-element blocks. In Q4_0, Q4_1, Q5_0 and Q5_1 byte `j` of `qs` holds element `j` in
// its low nibble and element `j + 16` in its high nibble.

/// Q4_0: `d: f16, qs: [u8; 16]`; `x = (q - 8) * d`.
fn block_q4_0(block: &[u8; 18], out: &mut [f32; 32]) {
    let [d0, d1, qs @ ..] = block;
    let d = f16_le([*d0, *d1]);
    let (low, high) = out.split_at_mut(16);
    for ((q, low), high) in qs.iter().zip(low).zip(high) {
        *low = f32::from((q & 0x0F) as i8 - 8) * d;
        *high = f32::from((q >> 4) as i8 - 8) * d;
    }
}

/// Q4_1: `d: f16, m: f16, qs: [u8; 16]`; `x = q * d + m`.
fn block_q4_1(block: &[u8; 20], out: &mut [f32; 32]) {
    let [d0, d1, m0, m1, qs @ ..] = block;
    let d = f16_le([*d0, *d1]);
    let m = f16_le([*m0, *m1]);
    let (low, high) = out.split_at_mut(16);
    for ((q, low), high) in qs.iter().zip(low).zip(high) {
        *low = f32::from(q & 0x0F) * d + m;
        *high = f32::from(q >> 4) * d + m;
    }
}

/// Q5_0: `d: f16, qh: u32, qs: [u8; 16]`; bit `i` of `qh` is bit 4 of element `i`;
/// `x = (q - 16) * d`.
fn block_q5_0(block: &[u8; 22], out: &mut [f32; 32]) {
    let [d0, d1, h0, h1, h2, h3, qs @ ..] = block;
    let d = f16_le([*d0, *d1]);
    let qh = u32::from_le_bytes([*h0, *h1, *h2, *h3]);
    let (low, high) = out.split_at_mut(16);
    for (j, ((q, low), high)) in qs.iter().zip(low).zip(high).enumerate() {
        let (low_bit4, high_bit4) = fifth_bits(qh, j);
        *low = f32::from(((q & 0x0F) | low_bit4) as i8 - 16) * d;
        *high = f32::from(((q >> 4) | high_bit4) as i8 - 16) * d;
    }
}

/// Q5_1: `d: f16, m: f16, qh: u32, qs: [u8; 16]`; high bits as Q5_0; `x = q * d + m`.
fn block_q5_1(block: &[u8; 24], out: &mut [f32; 32]) {
    let [d0, d1, m0, m1, h0, h1, h2, h3, qs @ ..] = block;
    let d = f16_le([*d0, *d1]);
    let m = f16_le([*m0, *m1]);
    let qh = u32::from_le_bytes([*h0, *h1, *h2, *h3]);
    let (low, high) = out.split_at_mut(16);
    for (j, ((q, low), high)) in qs.iter().zip(low).zip(high).enumerate() {
        let (low_bit4, high_bit4) = fifth_bits(qh, j);
        *low = f32::from((q & 0x0F) | low_bit4) * d + m;
        *high = f32::from((q >> 4) | high_bit4) * d + m;
    }
}

/// Bit 4 of elements `j` and `j + 16` (`j < 16`), from bits `j` and `j + 16` of `qh`.
///
/// Written as mask tests rather than `(qh >> j) & 1` because constant masks let the
/// compiler vectorise the loop with plain compares, where per-lane shifts would need
/// instructions that baseline x86-64 and wasm SIMD lack.
fn fifth_bits(qh: u32, j: usize) -> (u8, u8) {
    let low = if qh & (1 << j) != 0 { 0x10 } else { 0 };
    let high = if qh & (1 << (j + 16)) != 0 { 0x10 } else { 0 };
    (low, high)
}

/// Q8_0: `d: f16, qs: [i8; 32]`; `x = q * d`.
fn block_q8_0(block: &[u8; 34], out: &mut [f32; 32]) {
    let [d0, d1, qs @ ..] = block;
    let d = f16_le([*d0, *d1]);
    for (q, x) in qs.iter().zip(out) {
        *x = f32::from(*q as i8) * d;
    }
}

// ---------------------------------------------------------------------------------------
// 256-element "K" super-blocks, built from 16 runs of 16 or 8 runs of 32 elements, each
// run with its own small scale (and, for Q2_K/Q4_K/Q5_K, min) that is multiplied by the
// super-block's f16 `d` (and `dmin`).

/// Q2_K: `scales: [u8; 16], qs: [u8; 64], d: f16, dmin: f16`.
///
/// Each 128-element half reads its 32 quant bytes four times, two bits higher each time
/// (crumbs 0, 1, 2, 3 give elements 0-31, 32-63, 64-95, 96-127); every 16-element run has
/// a 4-bit scale (low nibble) and 4-bit min (high nibble); `x = d*sc * q - dmin*m`.
fn block_q2_k(block: &[u8; 84], out: &mut [f32; 256]) {
    let [body @ .., d0, d1, m0, m1] = block;
    let d = f16_le([*d0, *d1]);
    let dmin = f16_le([*m0, *m1]);
    let (scales, qs) = body.split_at(16);
    let halves = qs
        .as_chunks::<32>()
        .0
        .iter()
        .zip(scales.as_chunks::<8>().0)
        .zip(out.as_chunks_mut::<128>().0);
    for ((q32, scales8), out128) in halves {
        let crumbs = out128
            .as_chunks_mut::<32>()
            .0
            .iter_mut()
            .zip(scales8.as_chunks::<2>().0);
        for (crumb, (out32, scales2)) in crumbs.enumerate() {
            let shift = 2 * crumb;
            let runs = out32
                .as_chunks_mut::<16>()
                .0
                .iter_mut()
                .zip(q32.as_chunks::<16>().0)
                .zip(scales2);
            for ((out16, q16), &scale_and_min) in runs {
                let dl = d * f32::from(scale_and_min & 0x0F);
                let ml = dmin * f32::from(scale_and_min >> 4);
                for (x, q) in out16.iter_mut().zip(q16) {
                    *x = dl * f32::from((q >> shift) & 3) - ml;
                }
            }
        }
    }
}

/// Q3_K: `hmask: [u8; 32], qs: [u8; 64], scales: [u8; 12], d: f16`.
///
/// The low two bits of each quant are laid out as in Q2_K; the third bit comes from
/// `hmask`, whose bit `b` of byte `l` belongs to element `32*b + l`. ggml stores that bit
/// inverted: a clear bit subtracts 4, so `x = d*(sc - 32) * (q_low - (bit ? 0 : 4))`.
fn block_q3_k(block: &[u8; 110], out: &mut [f32; 256]) {
    let [body @ .., d0, d1] = block;
    let d = f16_le([*d0, *d1]);
    let (hmask, rest) = body.split_at(32);
    let (qs, packed_scales) = rest.split_at(64);
    let scales = q3_k_scales(packed_scales).map(|scale| d * f32::from(scale));
    let halves = qs
        .as_chunks::<32>()
        .0
        .iter()
        .zip(scales.as_chunks::<8>().0)
        .zip(out.as_chunks_mut::<128>().0);
    for (half, ((q32, scales8), out128)) in halves.enumerate() {
        let crumbs = out128
            .as_chunks_mut::<32>()
            .0
            .iter_mut()
            .zip(scales8.as_chunks::<2>().0);
        for (crumb, (out32, scales2)) in crumbs.enumerate() {
            let shift = 2 * crumb;
            let hmask_bit = 4 * half + crumb;
            let runs = out32
                .as_chunks_mut::<16>()
                .0
                .iter_mut()
                .zip(q32.as_chunks::<16>().0)
                .zip(hmask.as_chunks::<16>().0)
                .zip(scales2);
            for (((out16, q16), h16), &dl) in runs {
                for ((x, q), h) in out16.iter_mut().zip(q16).zip(h16) {
                    let low = ((q >> shift) & 3) as i8;
                    let offset = if (h >> hmask_bit) & 1 == 1 { 0 } else { 4 };
                    *x = dl * f32::from(low - offset);
                }
            }
        }
    }
}

/// Unpacks Q3_K's sixteen 6-bit scales, minus their bias of 32.
///
/// Scale `s` keeps its low four bits in nibble `s / 8` of byte `s % 8` and its high two
/// bits in crumb `s / 4` of byte `8 + s % 4` (ggml's `kmask1`/`kmask2` shuffle).
/// `packed` is always the block's 12 scale bytes, so `get` never misses; it keeps this
/// free of panics without a fallible conversion to `&[u8; 12]`.
fn q3_k_scales(packed: &[u8]) -> [i8; 16] {
    array::from_fn(|s| {
        let low = packed.get(s % 8).map_or(0, |b| (b >> (4 * (s / 8))) & 0x0F);
        let high = packed
            .get(8 + s % 4)
            .map_or(0, |b| (b >> (2 * (s / 4))) & 3);
        (low | (high << 4)) as i8 - 32
    })
}

/// Unpacks the eight 6-bit (scale, min) pairs of Q4_K and Q5_K (ggml's
/// `get_scale_min_k4`): pairs 0-3 are the low six bits of bytes 0-3 and 4-7; pairs 4-7
/// take their low four bits from the nibbles of bytes 8-11 and their top two bits from
/// the spare top bits of bytes 0-3 and 4-7. `packed` is the block's 12 scale bytes, read
/// with `get` as in [`q3_k_scales`].
fn k4_scales_mins(packed: &[u8]) -> [(u8, u8); 8] {
    let byte = |i: usize| packed.get(i).copied().unwrap_or(0);
    array::from_fn(|j| {
        if j < 4 {
            (byte(j) & 63, byte(j + 4) & 63)
        } else {
            let scale = (byte(j + 4) & 0x0F) | ((byte(j - 4) >> 6) << 4);
            let min = (byte(j + 4) >> 4) | ((byte(j) >> 6) << 4);
            (scale, min)
        }
    })
}

/// Q4_K: `d: f16, dmin: f16, scales: [u8; 12], qs: [u8; 128]`.
///
/// Each 64-element group reads 32 quant bytes: low nibbles are elements 0-31, high
/// nibbles 32-63, each 32-run with its own scale and min; `x = d*sc * q - dmin*m`.
fn block_q4_k(block: &[u8; 144], out: &mut [f32; 256]) {
    let [d0, d1, m0, m1, rest @ ..] = block;
    let d = f16_le([*d0, *d1]);
    let dmin = f16_le([*m0, *m1]);
    let (packed_scales, qs) = rest.split_at(12);
    let scales_mins = k4_scales_mins(packed_scales)
        .map(|(scale, min)| (d * f32::from(scale), dmin * f32::from(min)));
    let groups = qs
        .as_chunks::<32>()
        .0
        .iter()
        .zip(out.as_chunks_mut::<64>().0)
        .zip(scales_mins.as_chunks::<2>().0);
    for ((q32, out64), [(d_low, m_low), (d_high, m_high)]) in groups {
        let (low, high) = out64.split_at_mut(32);
        for ((q, low), high) in q32.iter().zip(low).zip(high) {
            *low = d_low * f32::from(q & 0x0F) - m_low;
            *high = d_high * f32::from(q >> 4) - m_high;
        }
    }
}

/// Q5_K: `d: f16, dmin: f16, scales: [u8; 12], qh: [u8; 32], qs: [u8; 128]`.
///
/// As Q4_K, plus a fifth bit per element: bit `b` of `qh[l]` belongs to element
/// `32*b + l`.
fn block_q5_k(block: &[u8; 176], out: &mut [f32; 256]) {
    let [d0, d1, m0, m1, rest @ ..] = block;
    let d = f16_le([*d0, *d1]);
    let dmin = f16_le([*m0, *m1]);
    let (packed_scales, rest) = rest.split_at(12);
    let (qh, qs) = rest.split_at(32);
    let scales_mins = k4_scales_mins(packed_scales)
        .map(|(scale, min)| (d * f32::from(scale), dmin * f32::from(min)));
    let groups = qs
        .as_chunks::<32>()
        .0
        .iter()
        .zip(out.as_chunks_mut::<64>().0)
        .zip(scales_mins.as_chunks::<2>().0);
    for (group, ((q32, out64), [(d_low, m_low), (d_high, m_high)])) in groups.enumerate() {
        let low_shift = 2 * group;
        let (low, high) = out64.split_at_mut(32);
        for (((q, h), low), high) in q32.iter().zip(qh).zip(low).zip(high) {
            let low_bit4 = ((h >> low_shift) & 1) << 4;
            let high_bit4 = ((h >> (low_shift + 1)) & 1) << 4;
            *low = d_low * f32::from((q & 0x0F) | low_bit4) - m_low;
            *high = d_high * f32::from((q >> 4) | high_bit4) - m_high;
        }
    }
}

/// Q6_K: `ql: [u8; 128], qh: [u8; 64], scales: [i8; 16], d: f16`.
///
/// Each 128-element half reads 64 `ql` bytes and 32 `qh` bytes. Its quarters 0-3 take
/// the low nibbles of `ql[0..32]`, the low nibbles of `ql[32..64]`, then the high nibbles
/// of each, with `qh` crumb 0-3 as bits 4-5; every 16-run has a signed 8-bit scale;
/// `x = d*sc * (q - 32)`.
fn block_q6_k(block: &[u8; 210], out: &mut [f32; 256]) {
    let [body @ .., d0, d1] = block;
    let d = f16_le([*d0, *d1]);
    let (ql, rest) = body.split_at(128);
    let (qh, scales) = rest.split_at(64);
    let scales: [f32; 16] = array::from_fn(|s| {
        scales
            .get(s)
            .map_or(0.0, |&scale| d * f32::from(scale as i8))
    });
    let halves = ql
        .as_chunks::<64>()
        .0
        .iter()
        .zip(qh.as_chunks::<32>().0)
        .zip(scales.as_chunks::<8>().0)
        .zip(out.as_chunks_mut::<128>().0);
    for (((ql64, qh32), scales8), out128) in halves {
        let (ql_first, ql_second) = ql64.split_at(32);
        let quarters = out128
            .as_chunks_mut::<32>()
            .0
            .iter_mut()
            .zip(scales8.as_chunks::<2>().0);
        for (quarter, (out32, scales2)) in quarters.enumerate() {
            let ql32 = if quarter.is_multiple_of(2) {
                ql_first
            } else {
                ql_second
            };
            let nibble_shift = if quarter < 2 { 0 } else { 4 };
            let qh_shift = 2 * quarter;
            let runs = out32
                .as_chunks_mut::<16>()
                .0
                .iter_mut()
                .zip(ql32.as_chunks::<16>().0)
                .zip(qh32.as_chunks::<16>().0)
                .zip(scales2);
            for (((out16, ql16), qh16), &scale) in runs {
                for ((x, l), h) in out16.iter_mut().zip(ql16).zip(qh16) {
                    let q = ((l >> nibble_shift) & 0x0F) | (((h >> qh_shift) & 3) << 4);
                    *x = scale * f32::from(q as i8 - 32);
                }
            }
        }
    }
}

/// Q8_K: `d: f32, qs: [i8; 256], bsums: [i16; 16]`; `x = d * q`. The `bsums` only speed
/// up ggml's dot products and play no part in the values.
fn block_q8_k(block: &[u8; 292], out: &mut [f32; 256]) {
    let [d0, d1, d2, d3, rest @ ..] = block;
    let d = f32::from_le_bytes([*d0, *d1, *d2, *d3]);
    for (q, x) in rest.iter().zip(out) {
        *x = d * f32::from(*q as i8);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use half::f16;

    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// Every type, so a new variant in [`GgmlType`] cannot escape these tests.
    const ALL_TYPES: [GgmlType; 20] = [
        GgmlType::F32,
        GgmlType::F16,
        GgmlType::Q4_0,
        GgmlType::Q4_1,
        GgmlType::Q5_0,
        GgmlType::Q5_1,
        GgmlType::Q8_0,
        GgmlType::Q8_1,
        GgmlType::Q2_K,
        GgmlType::Q3_K,
        GgmlType::Q4_K,
        GgmlType::Q5_K,
        GgmlType::Q6_K,
        GgmlType::Q8_K,
        GgmlType::I8,
        GgmlType::I16,
        GgmlType::I32,
        GgmlType::I64,
        GgmlType::F64,
        GgmlType::BF16,
    ];

    fn f16_bytes(value: f32) -> [u8; 2] {
        f16::from_f32(value).to_le_bytes()
    }

    fn block_len(ty: GgmlType) -> (usize, usize) {
        (ty.block_elements() as usize, ty.block_bytes() as usize)
    }

    /// A small xorshift generator: deterministic bytes without a `rand` dependency.
    fn pseudo_random_bytes(seed: u64, len: usize) -> Vec<u8> {
        let mut state = seed.max(1);
        (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect()
    }

    #[test]
    fn f16_widening_matches_half_for_every_input() {
        for bits in 0..=u16::MAX {
            let ours = f16_bits_to_f32(bits).to_bits();
            let theirs = f16::from_bits(bits).to_f32().to_bits();
            assert_eq!(ours, theirs, "f16 bits {bits:#06x}");
        }
    }

    #[test]
    fn q8_0_block_is_scale_times_signed_bytes() {
        let mut block = f16_bytes(0.5).to_vec();
        block.extend((0..32).map(|i| (-128 + i * 8) as i8 as u8)); // -128, -120, ..., 120
        let values = dequantize(GgmlType::Q8_0, &block, 32).unwrap();
        let expected: Vec<f32> = (0..32).map(|i| (-128 + i * 8) as f32 * 0.5).collect();
        assert_eq!(values, expected);
    }

    #[test]
    fn q4_0_low_nibbles_come_first_and_are_offset_by_8() {
        let mut block = f16_bytes(2.0).to_vec();
        // Byte j holds element j (low nibble j) and element j + 16 (high nibble 15 - j).
        block.extend((0..16u8).map(|j| j | ((15 - j) << 4)));
        let values = dequantize(GgmlType::Q4_0, &block, 32).unwrap();
        for j in 0..16 {
            assert_eq!(values[j], (j as f32 - 8.0) * 2.0, "element {j}");
            assert_eq!(values[j + 16], (7.0 - j as f32) * 2.0, "element {}", j + 16);
        }
    }

    #[test]
    fn q4_1_adds_the_min() {
        let mut block = f16_bytes(0.25).to_vec();
        block.extend(f16_bytes(-1.0));
        block.extend([0x3Fu8; 16]); // low nibble 15, high nibble 3
        let values = dequantize(GgmlType::Q4_1, &block, 32).unwrap();
        assert!(values[..16].iter().all(|&x| x == 15.0 * 0.25 - 1.0));
        assert!(values[16..].iter().all(|&x| x == 3.0 * 0.25 - 1.0));
    }

    #[test]
    fn q5_0_takes_bit_4_of_element_i_from_bit_i_of_qh() {
        let mut block = f16_bytes(1.0).to_vec();
        // Only elements 1 and 17 get their fifth bit.
        block.extend(((1u32 << 1) | (1 << 17)).to_le_bytes());
        block.extend([0u8; 16]);
        let values = dequantize(GgmlType::Q5_0, &block, 32).unwrap();
        for (i, &x) in values.iter().enumerate() {
            let expected = if i == 1 || i == 17 { 0.0 } else { -16.0 };
            assert_eq!(x, expected, "element {i}");
        }
    }

    #[test]
    fn q5_1_reaches_31() {
        let mut block = f16_bytes(1.0).to_vec();
        block.extend(f16_bytes(0.5));
        block.extend(u32::MAX.to_le_bytes());
        block.extend([0xFFu8; 16]);
        let values = dequantize(GgmlType::Q5_1, &block, 32).unwrap();
        assert!(values.iter().all(|&x| x == 31.5));
    }

    #[test]
    fn q4_k_unpacks_six_bit_scales_and_mins() {
        let mut block = f16_bytes(1.0).to_vec(); // d
        block.extend(f16_bytes(1.0)); // dmin
        // Sub-block 0: scale 1, min 2. Sub-block 4 (elements 128-159): scale 0x30 | 0x5
        // = 53 from byte 8's low nibble and byte 0's top bits, min 0x30 | 0x1 = 49 from
        // byte 8's high nibble and byte 4's top bits.
        let mut scales = [0u8; 12];
        scales[0] = 1 | 0xC0;
        scales[4] = 2 | 0xC0;
        scales[8] = 0x15;
        block.extend(scales);
        block.extend([0x21u8; 128]); // low nibble 1, high nibble 2
        let values = dequantize(GgmlType::Q4_K, &block, 256).unwrap();
        assert_eq!(values[0], 1.0 * 1.0 - 2.0);
        assert_eq!(values[128], 53.0 * 1.0 - 49.0);
        // Sub-block 1 (elements 32-63, high nibbles) has scale 0 and min 0.
        assert_eq!(values[32], 0.0);
    }

    #[test]
    fn q6_k_subtracts_32_and_uses_signed_scales() {
        let mut block = vec![0u8; 128 + 64]; // ql, qh: every q is 0
        block.extend([(-2i8) as u8; 16]);
        block.extend(f16_bytes(0.5));
        let values = dequantize(GgmlType::Q6_K, &block, 256).unwrap();
        assert!(values.iter().all(|&x| x == 0.5 * -2.0 * -32.0));
    }

    #[test]
    fn q8_k_uses_an_f32_scale() {
        let mut block = 0.125f32.to_le_bytes().to_vec();
        block.extend((0..=255u8).map(|i| i.wrapping_sub(128)));
        block.extend([0xFFu8; 32]); // bsums play no part
        let values = dequantize(GgmlType::Q8_K, &block, 256).unwrap();
        for (i, &x) in values.iter().enumerate() {
            assert_eq!(x, f32::from((i as u8).wrapping_sub(128) as i8) * 0.125);
        }
    }

    #[test]
    fn plain_types_are_read_little_endian() {
        let cases: [(GgmlType, Vec<u8>, f32); 8] = [
            (GgmlType::F32, 1.5f32.to_le_bytes().to_vec(), 1.5),
            (GgmlType::F16, f16_bytes(-2.5).to_vec(), -2.5),
            (GgmlType::BF16, vec![0xC0, 0x3F], 1.5), // 0x3FC0 is bf16 1.5
            (GgmlType::F64, 0.25f64.to_le_bytes().to_vec(), 0.25),
            (GgmlType::I8, vec![0xFE], -2.0),
            (GgmlType::I16, (-300i16).to_le_bytes().to_vec(), -300.0),
            (GgmlType::I32, 70_000i32.to_le_bytes().to_vec(), 70_000.0),
            (GgmlType::I64, (-5i64).to_le_bytes().to_vec(), -5.0),
        ];
        for (ty, bytes, expected) in cases {
            assert_eq!(dequantize(ty, &bytes, 1).unwrap(), [expected], "{ty}");
        }
    }

    #[test]
    fn every_supported_type_writes_every_output() {
        for ty in ALL_TYPES.into_iter().filter(|&ty| can_dequantize(ty)) {
            let (elements, bytes) = block_len(ty);
            // Zero bytes decode to finite values in every format, so a NaN left behind
            // means a block function's sizes disagree with `types.rs`.
            let mut out = vec![f32::NAN; 3 * elements];
            dequantize_into(ty, &vec![0; 3 * bytes], &mut out).unwrap();
            assert!(
                out.iter().all(|x| x.is_finite()),
                "{ty} left outputs unwritten"
            );
        }
    }

    #[test]
    fn wrong_lengths_give_size_mismatch() {
        for ty in ALL_TYPES.into_iter().filter(|&ty| can_dequantize(ty)) {
            let (elements, bytes) = block_len(ty);
            for got_bytes in [0, bytes - 1, bytes + 1, 2 * bytes] {
                let err = dequantize(ty, &vec![0; got_bytes], elements).unwrap_err();
                assert_eq!(
                    err,
                    DequantError::SizeMismatch {
                        ty,
                        n_elements: elements,
                        expected_bytes: bytes as u64,
                        got_bytes
                    }
                );
            }
        }
    }

    #[test]
    fn partial_blocks_are_refused() {
        let err = dequantize(GgmlType::Q4_K, &[0; 144], 255).unwrap_err();
        assert_eq!(
            err,
            DequantError::NotWholeBlocks {
                ty: GgmlType::Q4_K,
                n_elements: 255,
                block_elements: 256
            }
        );
    }

    #[test]
    fn huge_element_counts_are_refused_before_allocating() {
        // 8 * usize::MAX bytes overflows u64 on 64-bit targets and is merely more than
        // given on 32-bit ones (wasm); either way nothing is allocated.
        let err = dequantize(GgmlType::F64, &[0; 8], usize::MAX).unwrap_err();
        assert!(matches!(
            err,
            DequantError::TooLarge { .. } | DequantError::SizeMismatch { .. }
        ));
        assert!(matches!(
            dequantize(GgmlType::Q8_0, &[0; 34], usize::MAX / 64 * 32),
            Err(DequantError::SizeMismatch { .. })
        ));
    }

    #[test]
    fn q8_1_is_unsupported_and_leaves_the_output_alone() {
        assert!(!can_dequantize(GgmlType::Q8_1));
        let mut out = [7.0; 32];
        let err = dequantize_into(GgmlType::Q8_1, &[0; 36], &mut out).unwrap_err();
        assert_eq!(err, DequantError::Unsupported { ty: GgmlType::Q8_1 });
        assert_eq!(out, [7.0; 32]);
    }

    #[test]
    fn empty_tensors_are_fine() {
        for ty in ALL_TYPES.into_iter().filter(|&ty| can_dequantize(ty)) {
            assert_eq!(dequantize(ty, &[], 0).unwrap(), Vec::<f32>::new(), "{ty}");
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        // NaN and infinite f16 scales included: they must give NaN/inf, not a panic.
        for ty in ALL_TYPES.into_iter().filter(|&ty| can_dequantize(ty)) {
            let (elements, bytes) = block_len(ty);
            for seed in 1..40 {
                let data = pseudo_random_bytes(seed * 7919 + ty.id() as u64, 2 * bytes);
                let values = dequantize(ty, &data, 2 * elements).unwrap();
                assert_eq!(values.len(), 2 * elements);
            }
        }
    }

    #[test]
    fn dequantize_finite_refuses_nan_and_infinity_at_the_first_such_element() {
        // Plain types: the bad value where it is.
        let mut f32_data: Vec<u8> = [1.0f32, 2.0, f32::INFINITY, f32::NAN]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        assert_eq!(
            dequantize_finite(GgmlType::F32, &f32_data, 4).unwrap_err(),
            DequantError::NonFinite {
                index: 2,
                value: "inf".into()
            }
        );
        f32_data.truncate(8);
        assert_eq!(
            dequantize_finite(GgmlType::F32, &f32_data, 2).unwrap(),
            vec![1.0, 2.0]
        );
        // 0xFC00 is f16 -inf; 0xFF80 is bf16 -inf.
        assert!(matches!(
            dequantize_finite(GgmlType::F16, &[0, 0x3C, 0x00, 0xFC], 2).unwrap_err(),
            DequantError::NonFinite { index: 1, value } if value == "-inf"
        ));
        assert!(matches!(
            dequantize_finite(GgmlType::BF16, &[0x80, 0xFF], 1).unwrap_err(),
            DequantError::NonFinite { index: 0, .. }
        ));
        // A second Q8_0 block whose f16 scale is NaN (0x7E00): its first element is the
        // first bad one, and the message says what to do.
        let mut q8 = vec![0x00, 0x3C];
        q8.extend([1u8; 32]);
        q8.extend([0x00, 0x7E]);
        q8.extend([1u8; 32]);
        let err = dequantize_finite(GgmlType::Q8_0, &q8, 64).unwrap_err();
        assert!(matches!(&err, DequantError::NonFinite { index: 32, value } if value == "NaN"));
        assert_eq!(
            err.to_string(),
            "element 32 is NaN: a weight that is not a finite number makes every output \
             NaN, so the file is corrupt (re-download or re-convert it)"
        );
        // The plain conversion still gives ggml's values, NaN included.
        let raw = dequantize(GgmlType::Q8_0, &q8, 64).unwrap();
        assert!(raw[..32].iter().all(|v| *v == 1.0) && raw[32..].iter().all(|v| v.is_nan()));
    }

    #[test]
    fn dequantize_finite_accepts_every_finite_block_type() {
        for ty in ALL_TYPES {
            if !can_dequantize(ty) {
                continue;
            }
            let elements = ty.block_elements() as usize;
            let bytes = vec![0u8; ty.block_bytes() as usize];
            assert_eq!(
                dequantize_finite(ty, &bytes, elements).unwrap(),
                vec![0.0; elements],
                "{ty}"
            );
        }
    }
}
