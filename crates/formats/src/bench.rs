//! Throughput of the format stage on a real file, measured the same way natively
//! (`mechscope bench-formats`) and in the browser (the page's `?bench=formats`), so
//! the two figures in BENCHMARKS.md compare like with like.

use crate::gguf::{self, GgufHeader, dequant};
use serde::Serialize;

/// What one run measured.
#[derive(Debug, Clone, Serialize)]
pub struct FormatsThroughput {
    pub file_bytes: u64,
    /// Bytes from the start of the file to the tensor data.
    pub header_bytes: u64,
    pub tensors: usize,
    /// Median over `header_repeats` parses of the header.
    pub header_parse_ms: f64,
    pub header_repeats: usize,
    /// Every tensor dequantised to f32, one after the other.
    pub dequant_ms: f64,
    pub dequant_input_bytes: u64,
    pub dequant_output_bytes: u64,
    /// Quantised megabytes (10^6 bytes) read per second.
    pub dequant_input_mb_per_s: f64,
    /// f32 megabytes written per second.
    pub dequant_output_mb_per_s: f64,
    /// Sum of all dequantised values: printed so the work cannot be optimised away,
    /// and equal natively and in wasm.
    pub checksum: f64,
}

/// Why the benchmark could not run on this file.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error(transparent)]
    Gguf(#[from] gguf::GgufError),
    #[error("tensor {tensor:?}: {source}")]
    Dequant {
        tensor: String,
        source: dequant::DequantError,
    },
}

/// Parses the header of `file` `header_repeats` times, then dequantises every tensor.
/// `now_ms` is the caller's clock (`Instant` natively, `performance.now()` in a page).
pub fn gguf_throughput(
    file: &[u8],
    header_repeats: usize,
    now_ms: &dyn Fn() -> f64,
) -> Result<FormatsThroughput, BenchError> {
    let mut parse_times = Vec::with_capacity(header_repeats.max(1));
    let mut header = None;
    for _ in 0..header_repeats.max(1) {
        let started = now_ms();
        let parsed = GgufHeader::parse(file)?;
        parse_times.push(now_ms() - started);
        header = Some(parsed);
    }
    let header = header.ok_or(gguf::GgufError::UnexpectedEof {
        what: "the header".into(),
        needed: 4,
        available: 0,
    })?;
    header.check_file_size(file.len() as u64)?;
    parse_times.sort_by(f64::total_cmp);
    let header_parse_ms = parse_times[parse_times.len() / 2];

    let mut input_bytes = 0u64;
    let mut output_bytes = 0u64;
    let mut checksum = 0f64;
    let mut out = Vec::new();
    let started = now_ms();
    for t in &header.tensors {
        let range = header.tensor_range(t);
        // check_file_size above guarantees the range lies in `file`.
        let data = file
            .get(range.start as usize..range.end as usize)
            .unwrap_or_default();
        out.resize(t.n_elements as usize, 0.0);
        dequant::dequantize_into(t.ty, data, &mut out).map_err(|source| BenchError::Dequant {
            tensor: t.name.clone(),
            source,
        })?;
        checksum += out.iter().map(|&v| f64::from(v)).sum::<f64>();
        input_bytes += data.len() as u64;
        output_bytes += 4 * t.n_elements;
    }
    let dequant_ms = now_ms() - started;
    let per_s = |bytes: u64| bytes as f64 / 1e6 / (dequant_ms / 1e3).max(1e-9);
    Ok(FormatsThroughput {
        file_bytes: file.len() as u64,
        header_bytes: header.data_offset,
        tensors: header.tensors.len(),
        header_parse_ms,
        header_repeats: parse_times.len(),
        dequant_ms,
        dequant_input_bytes: input_bytes,
        dequant_output_bytes: output_bytes,
        dequant_input_mb_per_s: per_s(input_bytes),
        dequant_output_mb_per_s: per_s(output_bytes),
        checksum,
    })
}
