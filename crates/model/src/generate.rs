//! Greedy generation with a KV cache, and reading results back from any device.
//!
//! Readbacks are async: WebGPU in the browser cannot wait synchronously, and natively
//! the same futures resolve at once (the CLI drives them with a tiny executor).

use crate::decoder::{Decoder, Logits, Trace};
use crate::kv_cache::KvCache;
use burn::tensor::{Int, Tensor, TensorData};
use std::ops::ControlFlow;

/// Why reading a tensor back failed (device lost, out of memory, ...).
#[derive(Debug, Clone, thiserror::Error)]
#[error("reading results from the device failed: {0}")]
pub struct ReadbackError(pub String);

/// Reads a tensor's values to the host as `f32`.
pub async fn read_f32<const D: usize>(tensor: Tensor<D>) -> Result<Vec<f32>, ReadbackError> {
    let data: TensorData = tensor
        .into_data_async()
        .await
        .map_err(|e| ReadbackError(format!("{e:?}")))?;
    data.try_cast_as::<f32>()
        .and_then(TensorData::try_into_vec::<f32>)
        .map_err(|e| ReadbackError(format!("{e:?}")))
}

/// Reads a tensor's values to the host as `f32` and hands them to `use_values` in place:
/// on a CPU device the tensor's own buffer, with no copy, where [`read_f32`]'s `Vec`
/// needs one whenever that buffer is aligned for SIMD rather than for `f32` (50 MB per
/// logit-lens layer in LPP).
///
/// ```
/// use burn::tensor::{Device, Tensor};
/// use mechscope_model::generate::read_f32_with;
/// let t = Tensor::<1>::from_floats([1.0, 2.0, 3.0], &Device::flex());
/// let sum = pollster::block_on(read_f32_with(t, |v| v.iter().sum::<f32>())).unwrap();
/// assert_eq!(sum, 6.0);
/// ```
pub async fn read_f32_with<const D: usize, R>(
    tensor: Tensor<D>,
    use_values: impl FnOnce(&[f32]) -> R,
) -> Result<R, ReadbackError> {
    let data: TensorData = tensor
        .into_data_async()
        .await
        .map_err(|e| ReadbackError(format!("{e:?}")))?;
    let data = data
        .try_cast_as::<f32>()
        .map_err(|e| ReadbackError(format!("{e:?}")))?;
    let values = data
        .as_slice::<f32>()
        .map_err(|e| ReadbackError(format!("{e:?}")))?;
    Ok(use_values(values))
}

/// Reads an integer tensor's values (indices, token ids) to the host as `i64`.
pub async fn read_ints<const D: usize>(tensor: Tensor<D, Int>) -> Result<Vec<i64>, ReadbackError> {
    let data: TensorData = tensor
        .into_data_async()
        .await
        .map_err(|e| ReadbackError(format!("{e:?}")))?;
    data.try_cast_as::<i64>()
        .and_then(TensorData::try_into_vec::<i64>)
        .map_err(|e| ReadbackError(format!("{e:?}")))
}

/// Index of the largest value (the first one on ties, like `torch.argmax`).
pub fn argmax(values: &[f32]) -> Option<usize> {
    let mut best: Option<(usize, f32)> = None;
    for (i, &v) in values.iter().enumerate() {
        if best.is_none_or(|(_, b)| v > b) {
            best = Some((i, v));
        }
    }
    best.map(|(i, _)| i)
}

/// Greedy continuation of `prompt`: up to `max_new_tokens` ids, stopping after any id in
/// `stop` (which is not included). `on_token` sees each new id as it comes and can end
/// the generation after it with `ControlFlow::Break` (a caller that only reads the first
/// line of an answer stops at the newline).
pub async fn generate_greedy(
    decoder: &Decoder,
    prompt: &[u32],
    max_new_tokens: usize,
    stop: &[u32],
    mut on_token: impl FnMut(u32) -> ControlFlow<()>,
) -> Result<Vec<u32>, ReadbackError> {
    let mut cache = KvCache::new(decoder.blocks.len());
    let trace = Trace {
        logits: Logits::Last,
        ..Trace::default()
    };
    let limit = decoder.max_positions().saturating_sub(prompt.len());
    let mut generated = Vec::new();
    let mut input = prompt.to_vec();
    for _ in 0..max_new_tokens.min(limit) {
        let ids = decoder.ids_tensor(&input, 1);
        let logits = decoder
            .forward(ids, trace, Some(&mut cache))
            .logits
            .ok_or_else(|| ReadbackError("no logits were computed".into()))?;
        let values = read_f32(logits).await?;
        let next = argmax(&values).ok_or_else(|| ReadbackError("empty logits".into()))? as u32;
        if stop.contains(&next) {
            break;
        }
        generated.push(next);
        if on_token(next).is_break() {
            break;
        }
        input = vec![next];
    }
    Ok(generated)
}

#[cfg(test)]
mod tests {
    use super::argmax;

    #[test]
    fn argmax_takes_the_first_of_ties() {
        assert_eq!(argmax(&[1.0, 3.0, 3.0, -1.0]), Some(1));
        assert_eq!(argmax(&[]), None);
    }
}
