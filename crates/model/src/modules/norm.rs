//! RMSNorm and LayerNorm, as the families use them.

use crate::weights::{WeightError, WeightSource};
use burn::module::{Module, Param};
use burn::tensor::{Device, Tensor};

/// A normalisation layer over the last dimension.
#[derive(Module, Debug)]
pub struct Norm {
    /// The scale, already including Gemma's `1 +` (see [`Norm::load`]).
    pub weight: Param<Tensor<1>>,
    /// LayerNorm's bias (GPT-2); RMSNorm has none.
    pub bias: Option<Param<Tensor<1>>>,
    #[module(skip)]
    pub layer_norm: bool,
    #[module(skip)]
    pub eps: f64,
}

/// How a family's norm weights are stored.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NormFlavour {
    /// `x / rms(x) * w`.
    Rms,
    /// Gemma's `x / rms(x) * (1 + w)`; `add_one` is false for GGUF, whose converter
    /// already added the one.
    RmsPlusOne { add_one: bool },
    /// `(x - mean) / std * w + b`.
    Layer,
}

impl Norm {
    /// Loads `{prefix}.weight` (and `{prefix}.bias` for LayerNorm).
    pub fn load(
        source: &dyn WeightSource,
        prefix: &str,
        size: usize,
        flavour: NormFlavour,
        eps: f64,
        device: &Device,
    ) -> Result<Self, WeightError> {
        let name = format!("{prefix}.weight");
        let mut host = source.load(&name)?;
        if flavour == (NormFlavour::RmsPlusOne { add_one: true }) {
            host.data.iter_mut().for_each(|w| *w += 1.0);
        }
        let weight = Param::from_tensor(super::to_tensor(&name, host, [size], device)?);
        let layer_norm = flavour == NormFlavour::Layer;
        let bias = if layer_norm {
            super::optional_bias(source, &format!("{prefix}.bias"), size, device)?
        } else {
            None
        };
        Ok(Norm {
            weight,
            bias,
            layer_norm,
            eps,
        })
    }

    /// # Shapes
    /// `x: [.., d]` → `[.., d]`
    pub fn forward<const D: usize>(&self, x: Tensor<D>) -> Tensor<D> {
        let normed = if self.layer_norm {
            let mean = x.clone().mean_dim(D - 1);
            let centred = x - mean;
            let var = centred.clone().square().mean_dim(D - 1);
            centred / (var + self.eps).sqrt()
        } else {
            let rms = (x.clone().square().mean_dim(D - 1) + self.eps).sqrt();
            x / rms
        };
        let scaled = normed * self.weight.val().unsqueeze();
        match &self.bias {
            Some(b) => scaled + b.val().unsqueeze(),
            None => scaled,
        }
    }
}
