//! One decoder block: attention and MLP, each behind a norm, added to the residual
//! stream. Gemma 3 also normalises each sub-layer's output before adding it.

use super::attention::Attention;
use super::mlp::{Mlp, MlpOutput};
use super::norm::{Norm, NormFlavour};
use super::rope::Rope;
use crate::kv_cache::LayerCache;
use crate::weights::{WeightError, WeightSource};
use burn::module::Module;
use burn::tensor::{Device, Tensor};
use mechscope_formats::config::{Family, ModelConfig};

#[derive(Module, Debug)]
pub struct Block {
    pub attn_norm: Norm,
    pub attention: Attention,
    /// Gemma 3 only: the norm on the attention's output.
    pub post_attn_norm: Option<Norm>,
    pub mlp_norm: Norm,
    pub mlp: Mlp,
    /// Gemma 3 only: the norm on the MLP's output.
    pub post_mlp_norm: Option<Norm>,
}

impl Block {
    pub fn load(
        source: &dyn WeightSource,
        config: &ModelConfig,
        layer: usize,
        flavour: NormFlavour,
        device: &Device,
    ) -> Result<Self, WeightError> {
        let d = config.d_model;
        let norm = |name: &str| {
            let prefix = if config.family == Family::Gpt2 {
                format!("transformer.h.{layer}.{name}")
            } else {
                format!("model.layers.{layer}.{name}")
            };
            Norm::load(source, &prefix, d, flavour, config.norm_eps, device)
        };
        let gpt2 = config.family == Family::Gpt2;
        let gemma = config.family == Family::Gemma3;
        Ok(Block {
            attn_norm: norm(if gpt2 { "ln_1" } else { "input_layernorm" })?,
            attention: Attention::load(source, config, layer, flavour, device)?,
            post_attn_norm: if gemma {
                Some(norm("post_attention_layernorm")?)
            } else {
                None
            },
            mlp_norm: norm(if gpt2 {
                "ln_2"
            } else if gemma {
                "pre_feedforward_layernorm"
            } else {
                "post_attention_layernorm"
            })?,
            mlp: Mlp::load(source, config, layer, device)?,
            post_mlp_norm: if gemma {
                Some(norm("post_feedforward_layernorm")?)
            } else {
                None
            },
        })
    }

    /// # Shapes
    /// `x: [batch, seq, d_model]` → output `[batch, seq, d_model]`, MLP activation `[batch, seq, d_ff]`
    pub fn forward(
        &self,
        x: Tensor<3>,
        rope: Option<&Rope>,
        start: usize,
        cache: Option<&mut LayerCache>,
    ) -> MlpOutput {
        let mut attended =
            self.attention
                .forward(self.attn_norm.forward(x.clone()), rope, start, cache);
        if let Some(norm) = &self.post_attn_norm {
            attended = norm.forward(attended);
        }
        let h = x + attended;
        let MlpOutput {
            mut output,
            activation,
        } = self.mlp.forward(self.mlp_norm.forward(h.clone()));
        if let Some(norm) = &self.post_mlp_norm {
            output = norm.forward(output);
        }
        MlpOutput {
            output: h + output,
            activation,
        }
    }
}
