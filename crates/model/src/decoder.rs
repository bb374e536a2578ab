//! The decoder: embeddings, blocks, final norm, unembedding, and a forward pass that
//! records what a [`Trace`] asks for.

use crate::kv_cache::KvCache;
use crate::modules::block::Block;
use crate::modules::mlp::MlpOutput;
use crate::modules::norm::{Norm, NormFlavour};
use crate::modules::rope::Rope;
use crate::modules::{check_shape, param, to_tensor};
use crate::weights::{WeightError, WeightSource};
use burn::module::{Module, Param};
use burn::tensor::{Device, Int, Tensor, TensorData};
use mechscope_formats::config::{Family, ModelConfig};

/// Which logits a forward pass computes. The unembedding is the costliest matmul of a
/// small model (`[seq, d] × [d, V]`), so it is skipped unless asked for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Logits {
    #[default]
    None,
    /// Only the last position (next-token prediction, generation).
    Last,
    /// Every position (teacher forcing, perplexity).
    All,
}

/// What a forward pass should record. Asking for nothing costs nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Trace {
    /// The MLP activation function's output per layer (`act(gate x)` for gated MLPs).
    pub mlp_activations: bool,
    /// The residual stream `h_0` (embedding output) to `h_L` (last block, before the
    /// final norm).
    pub residual_stream: bool,
    pub logits: Logits,
}

/// What a forward pass recorded.
#[derive(Debug, Default)]
pub struct Traced {
    /// `L` tensors `[batch, seq, d_ff]`, when traced.
    pub mlp_activations: Vec<Tensor<3>>,
    /// `L + 1` tensors `[batch, seq, d_model]`, when traced.
    pub residual_stream: Vec<Tensor<3>>,
    /// `[batch, seq or 1, vocab]`, when asked for.
    pub logits: Option<Tensor<3>>,
}

/// Where the unembedding's weights are.
#[derive(Module, Debug)]
pub struct Decoder {
    /// `[vocab, d_model]`.
    pub embed: Param<Tensor<2>>,
    /// GPT-2's learned positions `[max_positions, d_model]`.
    pub positions: Option<Param<Tensor<2>>>,
    pub blocks: Vec<Block>,
    pub final_norm: Norm,
    /// `[vocab, d_model]` when not tied to the embedding.
    pub unembed: Option<Param<Tensor<2>>>,
    /// `W_U` transposed, `[d_model, vocab]`, laid out contiguously once at load: the
    /// logits matmul against a transposed view made the CPU backend copy the whole
    /// matrix on every call (a 2-3x slowdown of generation on large vocabularies).
    #[module(skip)]
    pub unembed_t: Tensor<2>,
    #[module(skip)]
    pub config: ModelConfig,
    /// Rope tables for global layers and (Gemma 3) sliding layers.
    #[module(skip)]
    pub rope_global: Option<Rope>,
    #[module(skip)]
    pub rope_local: Option<Rope>,
}

/// Rope tables cover this many positions at most; longer contexts than a browser run
/// needs would cost memory for nothing.
const MAX_ROPE_POSITIONS: usize = 8192;

impl Decoder {
    /// Builds the decoder from weights named as in the Hugging Face checkpoint.
    /// `from_gguf` says whether norm weights already carry Gemma's `+1`.
    pub fn load(
        source: &dyn WeightSource,
        config: &ModelConfig,
        from_gguf: bool,
        device: &Device,
    ) -> Result<Self, WeightError> {
        let (v, d) = (config.vocab_size, config.d_model);
        let gpt2 = config.family == Family::Gpt2;
        let flavour = match config.family {
            Family::Gpt2 => NormFlavour::Layer,
            Family::Gemma3 => NormFlavour::RmsPlusOne {
                add_one: !from_gguf,
            },
            _ => NormFlavour::Rms,
        };
        let embed_name = if gpt2 {
            "transformer.wte.weight"
        } else {
            "model.embed_tokens.weight"
        };
        let embed_host = source.load(embed_name)?;
        let unembed_host = if config.tie_embeddings {
            None
        } else {
            Some(source.load("lm_head.weight")?)
        };
        let unembed_source = unembed_host.clone().unwrap_or_else(|| embed_host.clone());
        let unembed_name = if config.tie_embeddings {
            embed_name
        } else {
            "lm_head.weight"
        };
        check_shape(unembed_name, &unembed_source, &[v, d])?;
        let unembed_t = to_tensor(unembed_name, unembed_source.transposed(), [d, v], device)?;
        let embed = Param::from_tensor(to_tensor(embed_name, embed_host, [v, d], device)?);
        let positions = if gpt2 {
            Some(param(
                source,
                "transformer.wpe.weight",
                [config.max_positions, d],
                device,
            )?)
        } else {
            None
        };
        let blocks = (0..config.n_layers)
            .map(|layer| Block::load(source, config, layer, flavour, device))
            .collect::<Result<Vec<_>, _>>()?;
        let final_norm = Norm::load(
            source,
            if gpt2 {
                "transformer.ln_f"
            } else {
                "model.norm"
            },
            d,
            flavour,
            config.norm_eps,
            device,
        )?;
        let unembed = match unembed_host {
            None => None,
            Some(host) => Some(Param::from_tensor(to_tensor(
                "lm_head.weight",
                host,
                [v, d],
                device,
            )?)),
        };
        let rope_positions = config.max_positions.clamp(1, MAX_ROPE_POSITIONS);
        let rope = |theta| {
            Rope::new(
                config.head_dim,
                rope_positions,
                theta,
                config.rope_scaling.as_ref(),
                device,
            )
        };
        Ok(Decoder {
            embed,
            positions,
            blocks,
            final_norm,
            unembed,
            unembed_t,
            rope_global: (!gpt2).then(|| rope(config.rope_theta)),
            rope_local: config.rope_local_theta.map(rope),
            config: config.clone(),
        })
    }

    /// The unembedding `W_U`, `[vocab, d_model]` (the embedding when tied).
    pub fn unembedding(&self) -> Tensor<2> {
        self.unembed.as_ref().unwrap_or(&self.embed).val()
    }

    /// The same decoder with only the MLP weight matrices (gate, up, down) tracking
    /// gradients on an autodiff device: embeddings, attention, norms and biases become
    /// constants. AIS needs gradients of those matrices alone, and without the others'
    /// the backward pass skips the embedding's scatter into a `[vocab, d_model]`
    /// gradient and every attention weight's gradient. The forward is unchanged.
    pub fn with_gradients_on_mlp_matrices_only(self) -> Self {
        let mut decoder = self.no_grad();
        for block in &mut decoder.blocks {
            let mlp = &mut block.mlp;
            mlp.gate = mlp.gate.take().map(|p| p.set_require_grad(true));
            mlp.up = mlp.up.clone().set_require_grad(true);
            mlp.down = mlp.down.clone().set_require_grad(true);
        }
        decoder
    }

    /// Longest sequence this decoder can process.
    pub fn max_positions(&self) -> usize {
        match (&self.positions, &self.rope_global) {
            (Some(p), _) => p.dims()[0],
            (None, Some(r)) => r.max_positions(),
            (None, None) => 0,
        }
    }

    /// Token ids as a `[batch, seq]` tensor on the model's device.
    pub fn ids_tensor(&self, ids: &[u32], batch: usize) -> Tensor<2, Int> {
        let seq = ids.len() / batch.max(1);
        let data: Vec<i64> = ids.iter().map(|&i| i64::from(i)).collect();
        Tensor::from_data(TensorData::new(data, [batch, seq]), &self.embed.device())
    }

    /// Runs the model over `ids` (`[batch, seq]`), continuing after `cache.len`
    /// positions when a cache is given, and returns what `trace` asked for.
    ///
    /// # Shapes
    /// `ids: [batch, seq]` → see [`Traced`]
    pub fn forward(
        &self,
        ids: Tensor<2, Int>,
        trace: Trace,
        mut cache: Option<&mut KvCache>,
    ) -> Traced {
        let [batch, seq] = ids.dims();
        let start = cache.as_ref().map_or(0, |c| c.len);
        let d = self.config.d_model;
        let flat = ids.reshape([batch * seq]);
        let mut h = self.embed.val().select(0, flat).reshape([batch, seq, d]);
        if self.config.family == Family::Gemma3 {
            // Gemma scales embeddings by sqrt(d), rounded to the hidden dtype as HF does.
            h = h * (d as f32).sqrt();
        }
        if let Some(positions) = &self.positions {
            h = h + positions.val().narrow(0, start, seq).unsqueeze::<3>();
        }
        let mut traced = Traced::default();
        if trace.residual_stream {
            traced.residual_stream.push(h.clone());
        }
        for (layer, block) in self.blocks.iter().enumerate() {
            let sliding = self
                .config
                .sliding_layers
                .get(layer)
                .copied()
                .unwrap_or(false);
            let rope = if sliding {
                self.rope_local.as_ref()
            } else {
                None
            }
            .or(self.rope_global.as_ref());
            let layer_cache = cache.as_deref_mut().and_then(|c| c.layers.get_mut(layer));
            let MlpOutput { output, activation } = block.forward(h, rope, start, layer_cache);
            h = output;
            if trace.mlp_activations {
                traced.mlp_activations.push(activation);
            }
            if trace.residual_stream {
                traced.residual_stream.push(h.clone());
            }
        }
        if let Some(c) = cache {
            c.len += seq;
        }
        traced.logits = match trace.logits {
            Logits::None => None,
            Logits::Last => Some(self.logits(h.narrow(1, seq - 1, 1))),
            Logits::All => Some(self.logits(h)),
        };
        traced
    }

    /// Final norm then unembedding.
    ///
    /// # Shapes
    /// `h: [batch, seq, d_model]` → `[batch, seq, vocab]`
    pub fn logits(&self, h: Tensor<3>) -> Tensor<3> {
        let normed = self.final_norm.forward(h);
        normed.matmul(self.unembed_t.clone().unsqueeze())
    }
}
