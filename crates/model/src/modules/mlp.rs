//! The MLP: gated (`act(gate x) * up x`, then down) or plain (`act(fc x + b)`, then proj).

use super::{linear_weight, optional_bias};
use crate::weights::{WeightError, WeightSource};
use burn::module::{Module, Param};
use burn::tensor::activation::{gelu_approximate, silu};
use burn::tensor::{Device, Tensor};
use mechscope_formats::config::{Activation, Family, ModelConfig};

#[derive(Module, Debug)]
pub struct Mlp {
    /// `[d_model, d_ff]`; absent for GPT-2's plain MLP.
    pub gate: Option<Param<Tensor<2>>>,
    /// `[d_model, d_ff]` (GPT-2: `c_fc`).
    pub up: Param<Tensor<2>>,
    /// `[d_ff, d_model]` (GPT-2: `c_proj`).
    pub down: Param<Tensor<2>>,
    pub up_bias: Option<Param<Tensor<1>>>,
    pub down_bias: Option<Param<Tensor<1>>>,
    #[module(skip)]
    pub activation: Activation,
}

/// What the MLP computed: its output and the activation MUI scores.
pub struct MlpOutput {
    /// `[batch, seq, d_model]`
    pub output: Tensor<3>,
    /// `act(gate x)` (gated) or `act(fc x + b)` (plain): `[batch, seq, d_ff]`.
    pub activation: Tensor<3>,
}

impl Mlp {
    pub fn load(
        source: &dyn WeightSource,
        config: &ModelConfig,
        layer: usize,
        device: &Device,
    ) -> Result<Self, WeightError> {
        let (d, f) = (config.d_model, config.d_ff);
        if config.family == Family::Gpt2 {
            let prefix = format!("transformer.h.{layer}.mlp");
            return Ok(Mlp {
                gate: None,
                up: linear_weight(
                    source,
                    &format!("{prefix}.c_fc.weight"),
                    d,
                    f,
                    false,
                    device,
                )?,
                down: linear_weight(
                    source,
                    &format!("{prefix}.c_proj.weight"),
                    f,
                    d,
                    false,
                    device,
                )?,
                up_bias: optional_bias(source, &format!("{prefix}.c_fc.bias"), f, device)?,
                down_bias: optional_bias(source, &format!("{prefix}.c_proj.bias"), d, device)?,
                activation: config.family.activation(),
            });
        }
        let prefix = format!("model.layers.{layer}.mlp");
        let bias = |name: &str, size| {
            if config.mlp_bias {
                optional_bias(source, &format!("{prefix}.{name}.bias"), size, device)
            } else {
                Ok(None)
            }
        };
        Ok(Mlp {
            gate: Some(linear_weight(
                source,
                &format!("{prefix}.gate_proj.weight"),
                d,
                f,
                true,
                device,
            )?),
            up: linear_weight(
                source,
                &format!("{prefix}.up_proj.weight"),
                d,
                f,
                true,
                device,
            )?,
            down: linear_weight(
                source,
                &format!("{prefix}.down_proj.weight"),
                f,
                d,
                true,
                device,
            )?,
            up_bias: bias("up_proj", f)?,
            down_bias: bias("down_proj", d)?,
            activation: config.family.activation(),
        })
    }

    fn act(&self, x: Tensor<3>) -> Tensor<3> {
        match self.activation {
            Activation::Silu => silu(x),
            Activation::GeluTanh => gelu_approximate(x),
        }
    }

    /// # Shapes
    /// `x: [batch, seq, d_model]` → output `[batch, seq, d_model]`, activation `[batch, seq, d_ff]`
    pub fn forward(&self, x: Tensor<3>) -> MlpOutput {
        let mut up = x.clone().matmul(self.up.val().unsqueeze());
        if let Some(b) = &self.up_bias {
            up = up + b.val().unsqueeze();
        }
        let (activation, hidden) = match &self.gate {
            Some(gate) => {
                let a = self.act(x.matmul(gate.val().unsqueeze()));
                (a.clone(), a * up)
            }
            None => {
                let a = self.act(up);
                (a.clone(), a)
            }
        };
        let mut output = hidden.matmul(self.down.val().unsqueeze());
        if let Some(b) = &self.down_bias {
            output = output + b.val().unsqueeze();
        }
        MlpOutput { output, activation }
    }
}
