//! Opening a model from a path: a GGUF file, or a Hugging Face folder with
//! `config.json`, `tokenizer.json` (and `tokenizer_config.json`) and one or more
//! `*.safetensors` files (a sharded checkpoint's index names them).

use anyhow::{Context, Result, bail};
use burn::tensor::Device;
use indicatif::{ProgressBar, ProgressStyle};
use mechscope_formats::safetensors::ShardedIndex;
use mechscope_model::LoadedModel;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The compute backend, as the user names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Backend {
    /// burn's `flex` CPU backend.
    Cpu,
    /// burn-wgpu (Vulkan natively; lavapipe on machines without a GPU).
    Wgpu,
}

impl Backend {
    /// The name reports record: `"cpu"` or `"wgpu"`.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Cpu => "cpu",
            Backend::Wgpu => "wgpu",
        }
    }

    pub fn device(self) -> Device {
        match self {
            Backend::Cpu => Device::flex(),
            Backend::Wgpu => Device::wgpu(burn::tensor::DeviceKind::DefaultDevice),
        }
    }
}

fn spinner(message: String) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(message);
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Loads the model at `path` onto the backend, with a spinner on stderr.
pub fn open_model(path: &Path, backend: Backend) -> Result<LoadedModel> {
    open_model_on(path, &backend.device())
}

/// Loads the model at `path` onto `device` (e.g. an autodiff one for gradients).
pub fn open_model_on(path: &Path, device: &Device) -> Result<LoadedModel> {
    let started = Instant::now();
    let bar = spinner(format!("loading {}", path.display()));
    let device = device.clone();
    let model = if path.is_dir() {
        open_hf_folder(path, &device)?
    } else {
        let bytes = read(path)?;
        LoadedModel::from_gguf(&bytes, &device)
            .with_context(|| format!("loading {}", path.display()))?
    };
    bar.finish_and_clear();
    eprintln!(
        "loaded {} ({}, {} layers) in {:.1} s",
        path.display(),
        model.config.family,
        model.config.n_layers,
        started.elapsed().as_secs_f64()
    );
    Ok(model)
}

fn open_hf_folder(dir: &Path, device: &Device) -> Result<LoadedModel> {
    let config = read(&dir.join("config.json"))?;
    let tokenizer = read(&dir.join("tokenizer.json"))?;
    let tokenizer_config = std::fs::read(dir.join("tokenizer_config.json")).ok();
    let index_path = dir.join("model.safetensors.index.json");
    let shard_paths: Vec<PathBuf> = if index_path.exists() {
        let index = ShardedIndex::parse(&read(&index_path)?)?;
        index
            .shard_files()
            .into_iter()
            .map(|f| dir.join(f))
            .collect()
    } else {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "safetensors"))
            .collect();
        files.sort();
        files
    };
    if shard_paths.is_empty() {
        bail!("{} has no .safetensors file", dir.display());
    }
    let shards = shard_paths
        .iter()
        .map(|p| read(p))
        .collect::<Result<Vec<_>>>()?;
    let views: Vec<&[u8]> = shards.iter().map(Vec::as_slice).collect();
    LoadedModel::from_hf_files(
        &config,
        &tokenizer,
        tokenizer_config.as_deref(),
        &views,
        device,
    )
    .with_context(|| format!("loading {}", dir.display()))
}
