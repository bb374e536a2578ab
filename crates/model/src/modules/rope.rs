//! Rotary position embeddings in Hugging Face's half-split layout (`rotate_half`).

use burn::tensor::{Device, Tensor, TensorData};
use mechscope_formats::config::Llama3RopeScaling;

/// Precomputed cos and sin tables for one rope base.
#[derive(Debug, Clone)]
pub struct Rope {
    /// `[max_positions, head_dim]`, each frequency repeated for both halves.
    cos: Tensor<2>,
    sin: Tensor<2>,
}

/// The inverse frequencies `theta^(-2i/d)`, with Llama 3's scaling if any.
pub fn inverse_frequencies(
    head_dim: usize,
    theta: f64,
    scaling: Option<&Llama3RopeScaling>,
) -> Vec<f64> {
    (0..head_dim / 2)
        .map(|i| {
            let f = 1.0 / theta.powf(2.0 * i as f64 / head_dim as f64);
            match scaling {
                None => f,
                Some(s) => {
                    let wavelen = 2.0 * std::f64::consts::PI / f;
                    let low = s.original_max_position_embeddings / s.low_freq_factor;
                    let high = s.original_max_position_embeddings / s.high_freq_factor;
                    if wavelen < high {
                        f
                    } else if wavelen > low {
                        f / s.factor
                    } else {
                        let smooth = (s.original_max_position_embeddings / wavelen
                            - s.low_freq_factor)
                            / (s.high_freq_factor - s.low_freq_factor);
                        (1.0 - smooth) * f / s.factor + smooth * f
                    }
                }
            }
        })
        .collect()
}

impl Rope {
    pub fn new(
        head_dim: usize,
        max_positions: usize,
        theta: f64,
        scaling: Option<&Llama3RopeScaling>,
        device: &Device,
    ) -> Self {
        let inv = inverse_frequencies(head_dim, theta, scaling);
        let half = head_dim / 2;
        let mut cos = Vec::with_capacity(max_positions * head_dim);
        let mut sin = Vec::with_capacity(max_positions * head_dim);
        for p in 0..max_positions {
            for i in 0..head_dim {
                // Like PyTorch: the angle in f32 (position × f32 frequency), then cos/sin.
                let angle = (p as f32) * (inv[i % half] as f32);
                cos.push(angle.cos());
                sin.push(angle.sin());
            }
        }
        Rope {
            cos: Tensor::from_data(TensorData::new(cos, [max_positions, head_dim]), device),
            sin: Tensor::from_data(TensorData::new(sin, [max_positions, head_dim]), device),
        }
    }

    /// Rotates queries or keys for positions `start..start + seq`.
    ///
    /// # Shapes
    /// `x: [batch, heads, seq, head_dim]` → same
    pub fn apply(&self, x: Tensor<4>, start: usize) -> Tensor<4> {
        let [_, _, seq, head_dim] = x.dims();
        let half = head_dim / 2;
        let cos = self.cos.clone().narrow(0, start, seq).unsqueeze::<4>();
        let sin = self.sin.clone().narrow(0, start, seq).unsqueeze::<4>();
        let first = x.clone().narrow(3, 0, half);
        let second = x.clone().narrow(3, half, half);
        let rotated = Tensor::cat(vec![second.neg(), first], 3);
        x * cos + rotated * sin
    }

    /// Positions the tables cover.
    pub fn max_positions(&self) -> usize {
        self.cos.dims()[0]
    }
}
