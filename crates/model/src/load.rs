//! Loading a whole model — configuration, weights and tokenizer — from a GGUF file or a
//! Hugging Face folder's files, with one error type that says which part failed.

use crate::decoder::Decoder;
use crate::weights::{GgufWeights, SafetensorsWeights, WeightError};
use burn::tensor::Device;
use mechscope_formats::config::{ConfigError, ModelConfig};
use mechscope_formats::gguf::{self, GgufError};
use mechscope_formats::safetensors::SafetensorsError;
use mechscope_formats::tokenizer::{Tokenizer, TokenizerError};

/// Why a model could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("the GGUF file is unusable: {0}")]
    Gguf(#[from] GgufError),
    #[error("a safetensors file is unusable: {0}")]
    Safetensors(#[from] SafetensorsError),
    #[error("the model configuration is unusable: {0}")]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Weights(#[from] WeightError),
    #[error("the tokenizer is unusable: {0}")]
    Tokenizer(#[from] TokenizerError),
}

/// A model ready to run: its configuration, the decoder on a device, the tokenizer.
pub struct LoadedModel {
    pub config: ModelConfig,
    pub decoder: Decoder,
    pub tokenizer: Tokenizer,
}

impl LoadedModel {
    /// From a whole GGUF file (weights dequantised to f32, tokenizer from metadata).
    pub fn from_gguf(file: &[u8], device: &Device) -> Result<Self, LoadError> {
        let header = gguf::parse_file(file)?;
        let config = ModelConfig::from_gguf(&header)?;
        let tokenizer = Tokenizer::from_gguf(&header)?;
        let decoder = Decoder::load(
            &GgufWeights::new(&header, file, &config),
            &config,
            true,
            device,
        )
        .map_err(|e| e.with_gguf_names(config.family))?;
        Ok(LoadedModel {
            config,
            decoder,
            tokenizer,
        })
    }

    /// From a Hugging Face layout: `config.json`, `tokenizer.json`, optionally
    /// `tokenizer_config.json`, and the safetensors file(s) (all shards of a sharded
    /// checkpoint).
    pub fn from_hf_files(
        config_json: &[u8],
        tokenizer_json: &[u8],
        tokenizer_config_json: Option<&[u8]>,
        safetensors: &[&[u8]],
        device: &Device,
    ) -> Result<Self, LoadError> {
        let config = ModelConfig::from_hf_json(config_json)?;
        let tokenizer = Tokenizer::from_tokenizer_json(tokenizer_json, tokenizer_config_json)?;
        let weights = SafetensorsWeights::new(safetensors)?;
        let decoder = Decoder::load(&weights, &config, false, device)?;
        Ok(LoadedModel {
            config,
            decoder,
            tokenizer,
        })
    }
}
