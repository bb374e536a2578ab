//! Multi-head attention with grouped key-value heads, rotary or learned positions,
//! optional q/k norms (Gemma 3) and a sliding window.

use super::norm::{Norm, NormFlavour};
use super::rope::Rope;
use super::{linear_weight, optional_bias};
use crate::kv_cache::LayerCache;
use crate::weights::{WeightError, WeightSource};
use burn::module::{Module, Param};
use burn::tensor::activation::softmax;
use burn::tensor::{Device, Tensor, TensorData};
use mechscope_formats::config::{Family, ModelConfig};

/// Score added where attention is not allowed: large enough to vanish under the
/// softmax, finite so no backend meets `inf - inf`.
const MASKED: f32 = -1.0e30;

#[derive(Module, Debug)]
pub struct Attention {
    pub q: Param<Tensor<2>>,
    pub k: Param<Tensor<2>>,
    pub v: Param<Tensor<2>>,
    pub o: Param<Tensor<2>>,
    pub q_bias: Option<Param<Tensor<1>>>,
    pub k_bias: Option<Param<Tensor<1>>>,
    pub v_bias: Option<Param<Tensor<1>>>,
    pub o_bias: Option<Param<Tensor<1>>>,
    pub q_norm: Option<Norm>,
    pub k_norm: Option<Norm>,
    #[module(skip)]
    pub n_heads: usize,
    #[module(skip)]
    pub n_kv_heads: usize,
    #[module(skip)]
    pub head_dim: usize,
    #[module(skip)]
    pub scale: f64,
    /// Keys further back than this many positions are not attended (sliding layers).
    #[module(skip)]
    pub window: Option<usize>,
}

fn add_bias<const D: usize>(x: Tensor<D>, bias: &Option<Param<Tensor<1>>>) -> Tensor<D> {
    match bias {
        Some(b) => x + b.val().unsqueeze(),
        None => x,
    }
}

impl Attention {
    pub fn load(
        source: &dyn WeightSource,
        config: &ModelConfig,
        layer: usize,
        norm_flavour: NormFlavour,
        device: &Device,
    ) -> Result<Self, WeightError> {
        let d = config.d_model;
        let q_out = config.n_heads * config.head_dim;
        let kv_out = config.n_kv_heads * config.head_dim;
        let (q, k, v, o, q_bias, k_bias, v_bias, o_bias);
        if config.family == Family::Gpt2 {
            // One fused Conv1D `[d, 3d]`: split it into q, k, v columns.
            let prefix = format!("transformer.h.{layer}.attn");
            let fused = source.load(&format!("{prefix}.c_attn.weight"))?;
            let fused = super::to_tensor(
                &format!("{prefix}.c_attn.weight"),
                fused,
                [d, 3 * d],
                device,
            )?;
            q = Param::from_tensor(fused.clone().narrow(1, 0, d));
            k = Param::from_tensor(fused.clone().narrow(1, d, d));
            v = Param::from_tensor(fused.narrow(1, 2 * d, d));
            let bias = source.load(&format!("{prefix}.c_attn.bias"))?;
            let bias = super::to_tensor(&format!("{prefix}.c_attn.bias"), bias, [3 * d], device)?;
            q_bias = Some(Param::from_tensor(bias.clone().narrow(0, 0, d)));
            k_bias = Some(Param::from_tensor(bias.clone().narrow(0, d, d)));
            v_bias = Some(Param::from_tensor(bias.narrow(0, 2 * d, d)));
            o = linear_weight(
                source,
                &format!("{prefix}.c_proj.weight"),
                d,
                d,
                false,
                device,
            )?;
            o_bias = optional_bias(source, &format!("{prefix}.c_proj.bias"), d, device)?;
        } else {
            let prefix = format!("model.layers.{layer}.self_attn");
            q = linear_weight(
                source,
                &format!("{prefix}.q_proj.weight"),
                d,
                q_out,
                true,
                device,
            )?;
            k = linear_weight(
                source,
                &format!("{prefix}.k_proj.weight"),
                d,
                kv_out,
                true,
                device,
            )?;
            v = linear_weight(
                source,
                &format!("{prefix}.v_proj.weight"),
                d,
                kv_out,
                true,
                device,
            )?;
            o = linear_weight(
                source,
                &format!("{prefix}.o_proj.weight"),
                q_out,
                d,
                true,
                device,
            )?;
            let bias = |name: &str, size| {
                if config.attention_bias {
                    optional_bias(source, &format!("{prefix}.{name}.bias"), size, device)
                } else {
                    Ok(None)
                }
            };
            q_bias = bias("q_proj", q_out)?;
            k_bias = bias("k_proj", kv_out)?;
            v_bias = bias("v_proj", kv_out)?;
            o_bias = bias("o_proj", d)?;
        }
        let (q_norm, k_norm) = if config.family == Family::Gemma3 {
            let prefix = format!("model.layers.{layer}.self_attn");
            let load = |name: &str| {
                Norm::load(
                    source,
                    &format!("{prefix}.{name}"),
                    config.head_dim,
                    norm_flavour,
                    config.norm_eps,
                    device,
                )
            };
            (Some(load("q_norm")?), Some(load("k_norm")?))
        } else {
            (None, None)
        };
        let sliding = config.sliding_layers.get(layer).copied().unwrap_or(false);
        Ok(Attention {
            q,
            k,
            v,
            o,
            q_bias,
            k_bias,
            v_bias,
            o_bias,
            q_norm,
            k_norm,
            n_heads: config.n_heads,
            n_kv_heads: config.n_kv_heads,
            head_dim: config.head_dim,
            scale: config.attention_scale,
            window: if sliding { config.sliding_window } else { None },
        })
    }

    /// Splits `[batch, seq, heads * head_dim]` into `[batch, heads, seq, head_dim]`.
    fn heads(&self, x: Tensor<3>, heads: usize) -> Tensor<4> {
        let [batch, seq, _] = x.dims();
        x.reshape([batch, seq, heads, self.head_dim])
            .swap_dims(1, 2)
    }

    /// Attention over the new positions `start..start + seq`, appending their keys and
    /// values to `cache` when given.
    ///
    /// # Shapes
    /// `x: [batch, seq, d_model]` → `[batch, seq, d_model]`
    pub fn forward(
        &self,
        x: Tensor<3>,
        rope: Option<&Rope>,
        start: usize,
        cache: Option<&mut LayerCache>,
    ) -> Tensor<3> {
        let [batch, seq, _] = x.dims();
        let device = x.device();
        let q = add_bias(x.clone().matmul(self.q.val().unsqueeze()), &self.q_bias);
        let k = add_bias(x.clone().matmul(self.k.val().unsqueeze()), &self.k_bias);
        let v = add_bias(x.matmul(self.v.val().unsqueeze()), &self.v_bias);
        let mut q = self.heads(q, self.n_heads);
        let mut k = self.heads(k, self.n_kv_heads);
        let v = self.heads(v, self.n_kv_heads);
        if let (Some(qn), Some(kn)) = (&self.q_norm, &self.k_norm) {
            q = qn.forward(q);
            k = kn.forward(k);
        }
        if let Some(rope) = rope {
            q = rope.apply(q, start);
            k = rope.apply(k, start);
        }
        let (k, v) = match cache {
            Some(cache) => cache.append(k, v),
            None => (k, v),
        };
        let keys = k.dims()[2];
        let groups = self.n_heads / self.n_kv_heads;
        let expand = |t: Tensor<4>| {
            if groups == 1 {
                return t;
            }
            let [b, kv, s, hd] = t.dims();
            t.unsqueeze_dim::<5>(2)
                .repeat_dim(2, groups)
                .reshape([b, kv * groups, s, hd])
        };
        let (k, v) = (expand(k), expand(v));
        let scores = q.matmul(k.swap_dims(2, 3)) * self.scale;
        let mask = attention_mask(seq, keys, keys - seq, self.window, &device);
        let probs = softmax(scores + mask.unsqueeze::<4>(), 3);
        let out =
            probs
                .matmul(v)
                .swap_dims(1, 2)
                .reshape([batch, seq, self.n_heads * self.head_dim]);
        add_bias(out.matmul(self.o.val().unsqueeze()), &self.o_bias)
    }
}

/// The additive mask `[queries, keys]`: query i sits at position `offset + i` and sees
/// keys at positions `<= offset + i` (and, with a window, `> offset + i - window`).
fn attention_mask(
    queries: usize,
    keys: usize,
    offset: usize,
    window: Option<usize>,
    device: &Device,
) -> Tensor<2> {
    let mut values = vec![0.0f32; queries * keys];
    for i in 0..queries {
        let position = offset + i;
        for (j, value) in values[i * keys..(i + 1) * keys].iter_mut().enumerate() {
            let future = j > position;
            let too_old = window.is_some_and(|w| position >= w && j <= position - w);
            if future || too_old {
                *value = MASKED;
            }
        }
    }
    Tensor::from_data(TensorData::new(values, [queries, keys]), device)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causal_and_sliding_masks() {
        let device = Device::flex();
        let read = |t: Tensor<2>| t.into_data().try_to_vec::<f32>().unwrap();
        let m = read(attention_mask(3, 3, 0, None, &device));
        let masked: Vec<bool> = m.iter().map(|v| *v < -1.0).collect();
        assert_eq!(
            masked,
            [false, true, true, false, false, true, false, false, false]
        );
        // One new query at position 4 of 5 keys with a window of 2: sees keys 3 and 4.
        let m = read(attention_mask(1, 5, 4, Some(2), &device));
        let masked: Vec<bool> = m.iter().map(|v| *v < -1.0).collect();
        assert_eq!(masked, [true, true, true, false, false]);
    }
}
