//! The next-token view: the top candidates after a prompt, with their logits and
//! log-probabilities, and how large the residual stream is at each layer. Shared by the
//! CLI (`mechscope logits`), the page and the reference tests.

use crate::decoder::{Decoder, Logits, Trace};
use crate::generate::{ReadbackError, read_f32};
use serde::Serialize;

/// One candidate token.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    pub id: u32,
    pub logit: f32,
    /// `log_softmax` over the whole vocabulary (computed in f64).
    pub logprob: f64,
}

/// The result of [`next_tokens`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NextTokens {
    /// Largest logit first; ties keep the lower id first.
    pub top: Vec<Candidate>,
    /// Mean over positions of the L2 norm of `h_l`, for `l = 0..=L`.
    pub layer_norms: Vec<f64>,
}

/// Log-probabilities of a logit row, in f64 so that the log-sum-exp over a large
/// vocabulary does not lose the small ones.
pub fn log_softmax(logits: &[f32]) -> Vec<f64> {
    let max = logits.iter().fold(f32::NEG_INFINITY, |a, &b| a.max(b)) as f64;
    let sum: f64 = logits.iter().map(|&l| (l as f64 - max).exp()).sum();
    let lse = max + sum.ln();
    logits.iter().map(|&l| l as f64 - lse).collect()
}

/// Indices of the `k` largest values, largest first (stable: lower index first on ties).
pub fn top_k(values: &[f32], k: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
    order.truncate(k);
    order
}

/// Runs `ids` through the decoder and reports the `k` most likely next tokens and the
/// per-layer residual norms.
pub async fn next_tokens(
    decoder: &Decoder,
    ids: &[u32],
    k: usize,
) -> Result<NextTokens, ReadbackError> {
    let trace = Trace {
        residual_stream: true,
        logits: Logits::Last,
        ..Trace::default()
    };
    let traced = decoder.forward(decoder.ids_tensor(ids, 1), trace, None);
    let logits_tensor = traced
        .logits
        .ok_or_else(|| ReadbackError("no logits were computed".into()))?;
    let logits = read_f32(logits_tensor).await?;
    let logprobs = log_softmax(&logits);
    let top = top_k(&logits, k)
        .into_iter()
        .map(|i| Candidate {
            id: i as u32,
            logit: logits[i],
            logprob: logprobs[i],
        })
        .collect();
    let d = decoder.config.d_model;
    let mut layer_norms = Vec::with_capacity(traced.residual_stream.len());
    for h in traced.residual_stream {
        let values = read_f32(h).await?;
        let rows = (values.len() / d).max(1);
        let total: f64 = values
            .chunks(d)
            .map(|row| {
                row.iter()
                    .map(|&v| f64::from(v).powi(2))
                    .sum::<f64>()
                    .sqrt()
            })
            .sum();
        layer_norms.push(total / rows as f64);
    }
    Ok(NextTokens { top, layer_norms })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_softmax_of_equal_logits_is_uniform() {
        let lp = log_softmax(&[2.0; 4]);
        for v in lp {
            assert!((v - (0.25f64).ln()).abs() < 1e-12);
        }
    }

    #[test]
    fn top_k_is_stable() {
        assert_eq!(top_k(&[1.0, 5.0, 5.0, 3.0], 3), [1, 2, 3]);
    }
}
