//! Reading a GGUF model's header in the browser, fetching no more than it needs.

use crate::bytes::{ByteSource, FetchError};
use mechscope_formats::gguf::{GgufError, GgufHeader, ModelSummary};

/// First read: enough for the headers of small models (SmolLM2's is about 2.4 MB with
/// its vocabulary and merges), without downloading their weights.
const FIRST_READ_BYTES: u64 = 4 << 20;

/// A header read from a source, with how much it took.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedHeader {
    pub source: String,
    pub summary: ModelSummary,
    pub file_size: u64,
    pub bytes_read: u64,
    pub elapsed_ms: f64,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HeaderError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error("{source_name} is not a usable GGUF file: {error}")]
    Format {
        source_name: String,
        error: GgufError,
    },
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

/// Reads and checks the header: a growing prefix until the header parses, then the
/// tensor extents against the whole file's size.
pub async fn load_header(source: ByteSource) -> Result<LoadedHeader, HeaderError> {
    let started = now_ms();
    let format = |error| HeaderError::Format {
        source_name: source.label(),
        error,
    };
    let mut want = FIRST_READ_BYTES;
    loop {
        let (bytes, total) = source.prefix(want).await?;
        match GgufHeader::parse(&bytes) {
            Ok(header) => {
                header.check_file_size(total).map_err(format)?;
                return Ok(LoadedHeader {
                    source: source.label(),
                    summary: header.summary(),
                    file_size: total,
                    bytes_read: bytes.len() as u64,
                    elapsed_ms: now_ms() - started,
                });
            }
            // More of the file exists: read at least what the parser asked for.
            Err(GgufError::UnexpectedEof { needed, .. }) if (bytes.len() as u64) < total => {
                want = needed.max(want.saturating_mul(2)).min(total);
            }
            Err(error) => return Err(format(error)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mechscope_formats::gguf::{GgmlType, MetadataValue, writer::GgufWriter};
    use wasm_bindgen_test::wasm_bindgen_test;

    fn file(name: &str, bytes: &[u8]) -> web_sys::File {
        let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
        web_sys::File::new_with_u8_array_sequence(&parts, name).expect("File constructor")
    }

    fn tiny() -> Vec<u8> {
        let mut w = GgufWriter::new();
        w.metadata(
            "general.architecture",
            MetadataValue::String("llama".into()),
        )
        .metadata("llama.block_count", MetadataValue::U32(4));
        w.tensor("x", &[32, 4], GgmlType::Q4_1, vec![1; 4 * 20]);
        w.to_bytes()
    }

    #[wasm_bindgen_test]
    async fn reads_a_users_file() {
        let loaded = load_header(ByteSource::File(file("tiny.gguf", &tiny())))
            .await
            .unwrap();
        assert_eq!(loaded.summary.layers, Some(4));
        assert_eq!(loaded.file_size, tiny().len() as u64);
    }

    #[wasm_bindgen_test]
    async fn a_truncated_file_names_itself_and_the_problem() {
        let bytes = tiny();
        let err = load_header(ByteSource::File(file(
            "cut.gguf",
            &bytes[..bytes.len() - 32],
        )))
        .await
        .unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("cut.gguf is not a usable GGUF file"),
            "{text}"
        );
        assert!(matches!(
            err,
            HeaderError::Format {
                error: GgufError::TensorOutOfBounds { .. },
                ..
            }
        ));
    }
}
