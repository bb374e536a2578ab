//! Multi-head attention with grouped key-value heads, rotary or learned positions,
//! optional q/k norms (Gemma 3) and a sliding window.

use super::norm::{Norm, NormFlavour};
use super::rope::Rope;
use super::{linear_weight, optional_bias};
use crate::kv_cache::LayerCache;
use crate::weights::{WeightError, WeightSource};
use burn::module::{Module, Param};
use burn::tensor::module::attention;
use burn::tensor::ops::AttentionModuleOptions;
use burn::tensor::{Bool, Device, Tensor, TensorData};
use mechscope_formats::config::{Family, ModelConfig};

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
            let prefix = format!("transformer.h.{layer}.attn");
            // One fused Conv1D `[d, 3d]`: split it into q, k, v columns on the host, so
            // each is contiguous (a strided view is copied before every CPU matmul).
            let name = format!("{prefix}.c_attn.weight");
            let fused = source.load(&name)?;
            super::check_shape(&name, &fused, &[d, 3 * d])?;
            let part = |i: usize| {
                let host = fused.columns(i * d, d).expect("shape checked above");
                super::to_tensor(&name, host, [d, d], device).map(Param::from_tensor)
            };
            (q, k, v) = (part(0)?, part(1)?, part(2)?);
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
        let out = attend(q, k, v, self.scale, self.window)
            .swap_dims(1, 2)
            .reshape([batch, seq, self.n_heads * self.head_dim]);
        add_bias(out.matmul(self.o.val().unsqueeze()), &self.o_bias)
    }
}

/// Causal attention of the last `queries` positions over all `keys`, optionally only
/// over the `window` latest positions.
///
/// # Shapes
/// `q: [batch, heads, queries, head_dim]`, `k, v: [batch, kv_heads, keys, head_dim]`
/// → `[batch, heads, queries, head_dim]`
fn attend(
    q: Tensor<4>,
    k: Tensor<4>,
    v: Tensor<4>,
    scale: f64,
    window: Option<usize>,
) -> Tensor<4> {
    let [batch, heads, queries, _] = q.dims();
    let [_, kv_heads, keys, _] = k.dims();
    let groups = heads / kv_heads;
    // burn's generic attention (WebGPU with a custom scale, autodiff) wants one
    // key-value head per query head, so grouped heads are repeated for every backend.
    let expand = |t: Tensor<4>| {
        if groups == 1 {
            return t;
        }
        let [b, kv, s, hd] = t.dims();
        t.unsqueeze_dim::<5>(2)
            .repeat_dim(2, groups)
            .reshape([b, kv * groups, s, hd])
    };
    // burn's fused attention: on the CPU it skips the masked future and never
    // materialises the scores of long sequences (the forward at 512 tokens went from
    // 312 to 443 tok/s against matmul, softmax, matmul). A sliding window that hides
    // some keys is an explicit mask on top of the causal one.
    let device = q.device();
    let window_mask = window
        .filter(|&w| keys > w)
        .map(|w| window_mask(queries, keys, w, &device).expand([batch, heads, queries, keys]));
    let options = AttentionModuleOptions {
        scale: Some(scale),
        softcap: None,
        is_causal: true,
    };
    attention(q, expand(k), expand(v), window_mask, None, options)
}

/// The keys a sliding window hides, `[1, 1, queries, keys]` (`true` = hidden): query i
/// sits at position `keys - queries + i` and sees only the `window` latest positions up
/// to itself (the causal part is the attention op's own).
fn window_mask(queries: usize, keys: usize, window: usize, device: &Device) -> Tensor<4, Bool> {
    let offset = keys - queries;
    let mut hidden = vec![false; queries * keys];
    for i in 0..queries {
        let position = offset + i;
        if position >= window {
            hidden[i * keys..=i * keys + position - window].fill(true);
        }
    }
    Tensor::from_data(TensorData::new(hidden, [1, 1, queries, keys]), device)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Attention written out on the host, one query at a time: the reference `attend`
    /// must equal, whichever kernel burn picks.
    fn brute_force(
        q: &[f32],
        k: &[f32],
        v: &[f32],
        [heads, kv_heads, queries, keys, dim]: [usize; 5],
        scale: f32,
        window: Option<usize>,
    ) -> Vec<f32> {
        let mut out = vec![0.0; heads * queries * dim];
        for h in 0..heads {
            let kh = h / (heads / kv_heads);
            for i in 0..queries {
                let position = keys - queries + i;
                let lowest = window.map_or(0, |w| (position + 1).saturating_sub(w));
                let qi = &q[(h * queries + i) * dim..][..dim];
                let scores: Vec<f32> = (lowest..=position)
                    .map(|j| {
                        let kj = &k[(kh * keys + j) * dim..][..dim];
                        qi.iter().zip(kj).map(|(a, b)| a * b).sum::<f32>() * scale
                    })
                    .collect();
                let max = scores.iter().cloned().fold(f32::MIN, f32::max);
                let weights: Vec<f32> = scores.iter().map(|s| (s - max).exp()).collect();
                let total: f32 = weights.iter().sum();
                for (w, j) in weights.iter().zip(lowest..=position) {
                    for d in 0..dim {
                        out[(h * queries + i) * dim + d] +=
                            w / total * v[(kh * keys + j) * dim + d];
                    }
                }
            }
        }
        out
    }

    #[test]
    fn attend_equals_a_brute_force_with_groups_windows_and_a_cache() {
        let device = Device::flex();
        let (heads, kv_heads, dim) = (4, 2, 8);
        // Pseudo-random but fixed values in [-1, 1).
        let values = |n: usize, seed: u32| -> Vec<f32> {
            (0..n as u32)
                .map(|i| {
                    let x = (i.wrapping_mul(2654435761) ^ seed.wrapping_mul(40503)) % 2000;
                    x as f32 / 1000.0 - 1.0
                })
                .collect()
        };
        // Prefill (queries = keys), decoding one token after a cache (1 query), and
        // windows that hide keys, hide none, or are absent.
        for (queries, keys, window) in [
            (9, 9, None),
            (9, 9, Some(3)),
            (1, 9, Some(4)),
            (3, 9, Some(20)),
        ] {
            let q = values(heads * queries * dim, 1);
            let k = values(kv_heads * keys * dim, 2);
            let v = values(kv_heads * keys * dim, 3);
            let tensor = |data: &[f32], h: usize, s: usize| {
                Tensor::<4>::from_data(TensorData::new(data.to_vec(), [1, h, s, dim]), &device)
            };
            let got = attend(
                tensor(&q, heads, queries),
                tensor(&k, kv_heads, keys),
                tensor(&v, kv_heads, keys),
                0.3,
                window,
            )
            .into_data()
            .try_to_vec::<f32>()
            .unwrap();
            let want = brute_force(
                &q,
                &k,
                &v,
                [heads, kv_heads, queries, keys, dim],
                0.3,
                window,
            );
            let worst = got
                .iter()
                .zip(&want)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f32::max);
            assert!(
                worst < 1e-5,
                "{queries} queries, {keys} keys, window {window:?}: off by {worst}"
            );
        }
    }

    #[test]
    fn sliding_window_hides_old_keys() {
        let device = Device::flex();
        let read = |t: Tensor<4, Bool>| t.into_data().try_to_vec::<bool>().unwrap();
        // Three queries at positions 2..5 of 5 keys, window 2: position 2 sees 1-2,
        // position 3 sees 2-3, position 4 sees 3-4.
        let m = read(window_mask(3, 5, 2, &device));
        #[rustfmt::skip]
        assert_eq!(m, [
            true, false, false, false, false,
            true, true, false, false, false,
            true, true, true, false, false,
        ]);
        // A window wider than the positions hides nothing.
        assert!(read(window_mask(2, 3, 8, &device)).iter().all(|h| !h));
    }
}
