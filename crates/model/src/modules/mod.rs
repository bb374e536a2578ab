//! The decoder's parts, small and composed: norm, rotary positions, attention, MLP,
//! block. Each `forward` states its shapes.

pub mod attention;
pub mod block;
pub mod mlp;
pub mod norm;
pub mod rope;

use crate::weights::{HostTensor, WeightError, WeightSource};
use burn::module::Param;
use burn::tensor::{Device, Tensor, TensorData};

/// Loads a weight, checks its shape, and makes it a parameter on `device`.
pub(crate) fn param<const D: usize>(
    source: &dyn WeightSource,
    name: &str,
    expected: [usize; D],
    device: &Device,
) -> Result<Param<Tensor<D>>, WeightError> {
    let host = source.load(name)?;
    Ok(Param::from_tensor(to_tensor(name, host, expected, device)?))
}

/// A linear layer's weight as burn wants it, `[in, out]`, from PyTorch's `[out, in]`
/// (GPT-2's Conv1D already stores `[in, out]`: `transposed = false`).
///
/// The transpose is done once here, on the host, so the parameter is contiguous: a
/// transposed *view* made the CPU backend copy the whole matrix before every matmul,
/// which was 69% of generation time.
pub(crate) fn linear_weight(
    source: &dyn WeightSource,
    name: &str,
    d_in: usize,
    d_out: usize,
    transposed: bool,
    device: &Device,
) -> Result<Param<Tensor<2>>, WeightError> {
    let host = source.load(name)?;
    let tensor = if transposed {
        check_shape(name, &host, &[d_out, d_in])?;
        to_tensor(name, host.transposed(), [d_in, d_out], device)?
    } else {
        to_tensor(name, host, [d_in, d_out], device)?
    };
    Ok(Param::from_tensor(tensor))
}

/// A bias if the checkpoint has one (and the family uses biases).
pub(crate) fn optional_bias(
    source: &dyn WeightSource,
    name: &str,
    size: usize,
    device: &Device,
) -> Result<Option<Param<Tensor<1>>>, WeightError> {
    if !source.has(name) {
        return Ok(None);
    }
    param(source, name, [size], device).map(Some)
}

pub(crate) fn to_tensor<const D: usize>(
    name: &str,
    host: HostTensor,
    expected: [usize; D],
    device: &Device,
) -> Result<Tensor<D>, WeightError> {
    check_shape(name, &host, &expected)?;
    Ok(Tensor::from_data(
        TensorData::new(host.data, expected),
        device,
    ))
}

pub(crate) fn check_shape(
    name: &str,
    host: &HostTensor,
    expected: &[usize],
) -> Result<(), WeightError> {
    if host.shape == expected {
        return Ok(());
    }
    Err(WeightError::ShapeMismatch {
        name: name.to_string(),
        found: host.shape.clone(),
        expected: expected.to_vec(),
    })
}
