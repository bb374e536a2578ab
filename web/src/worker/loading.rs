//! From a [`SourceSpec`] to a model on a device: gather the files (download, cache,
//! or the user's own), pick the backend, prepare the weights, compile the kernels.

use super::download::{Downloader, sha256_hex};
use crate::global::{js_detail, now_ms, yield_now};
use crate::gpu::{self, GpuStatus};
use crate::protocol::{
    DeviceChoice, Download, Failure, FailureKind, LoadedFacts, Progress, SourceSpec,
};
use burn::tensor::Device;
use js_sys::Uint8Array;
use mechscope_formats::hub::RepoFile;
use mechscope_formats::safetensors::ShardedIndex;
use mechscope_model::LoadedModel;
use mechscope_model::next_token::next_tokens;
use mechscope_report::{ModelInfo, ModelSource};
use wasm_bindgen_futures::JsFuture;

/// A model's files, kept after loading: AIS loads a second, differentiable copy.
pub enum ModelFiles {
    Gguf(Vec<u8>),
    Hf {
        config: Vec<u8>,
        tokenizer: Vec<u8>,
        tokenizer_config: Option<Vec<u8>>,
        weights: Vec<Vec<u8>>,
    },
}

impl ModelFiles {
    /// The model on `device`.
    pub fn load(&self, device: &Device) -> Result<LoadedModel, Failure> {
        let loaded = match self {
            ModelFiles::Gguf(bytes) => LoadedModel::from_gguf(bytes, device),
            ModelFiles::Hf {
                config,
                tokenizer,
                tokenizer_config,
                weights,
            } => {
                let shards: Vec<&[u8]> = weights.iter().map(Vec::as_slice).collect();
                LoadedModel::from_hf_files(
                    config,
                    tokenizer,
                    tokenizer_config.as_deref(),
                    &shards,
                    device,
                )
            }
        };
        loaded.map_err(|e| Failure::input(format!("the model cannot be loaded: {e}")))
    }
}

/// The files gathered, and how reports will name the model.
pub struct Gathered {
    pub files: ModelFiles,
    pub id: String,
    pub source: ModelSource,
    pub cached_bytes: u64,
    pub downloaded_bytes: u64,
    pub notices: Vec<String>,
}

/// Downloads or reads the files `spec` names.
pub async fn gather(
    spec: &SourceSpec,
    dropped: &[web_sys::File],
    on_progress: &dyn Fn(Progress),
    cancelled: &dyn Fn() -> bool,
) -> Result<Gathered, Failure> {
    match spec {
        SourceSpec::GgufUrl { id, file, group } => {
            let mut downloader = Downloader::new(
                group.clone(),
                std::slice::from_ref(file),
                on_progress,
                cancelled,
            );
            let bytes = downloader.fetch(0, file).await?;
            Ok(Gathered {
                source: ModelSource::Url {
                    url: file.url.clone(),
                    sha256: file.sha256.clone(),
                },
                files: ModelFiles::Gguf(bytes),
                id: id.clone(),
                cached_bytes: downloader.cached_bytes,
                downloaded_bytes: downloader.downloaded_bytes(),
                notices: downloader.notices,
            })
        }
        SourceSpec::HubSafetensors {
            id,
            config,
            tokenizer,
            tokenizer_config,
            weights,
            index,
            shard_base,
            listing,
        } => {
            let mut plan: Vec<Download> = vec![config.clone(), tokenizer.clone()];
            plan.extend(tokenizer_config.clone());
            plan.extend(index.clone());
            plan.extend(weights.iter().cloned());
            let mut downloader = Downloader::new(id.clone(), &plan, on_progress, cancelled);
            let mut counter = 0;
            let mut next = || {
                counter += 1;
                counter - 1
            };
            let config_bytes = downloader.fetch(next(), config).await?;
            let tokenizer_bytes = downloader.fetch(next(), tokenizer).await?;
            let tokenizer_config_bytes = match tokenizer_config {
                Some(d) => Some(downloader.fetch(next(), d).await?),
                None => None,
            };
            let mut shards = weights.clone();
            if let Some(index) = index {
                let index_bytes = downloader.fetch(next(), index).await?;
                let parsed = ShardedIndex::parse(&index_bytes)
                    .map_err(|e| Failure::input(format!("{}: {e}", index.name)))?;
                for name in parsed.shard_files() {
                    let file = listed(listing, name, id)?;
                    let download =
                        Download::from_repo_file(format!("{shard_base}{}", url_path(name)), file);
                    downloader.add(&download);
                    shards.push(download);
                }
            }
            let mut weight_bytes = Vec::with_capacity(shards.len());
            for shard in &shards {
                weight_bytes.push(downloader.fetch(next(), shard).await?);
            }
            let main = shards
                .first()
                .ok_or_else(|| Failure::input("no weights to load"))?;
            Ok(Gathered {
                source: ModelSource::Url {
                    url: main.url.clone(),
                    sha256: main.sha256.clone(),
                },
                files: ModelFiles::Hf {
                    config: config_bytes,
                    tokenizer: tokenizer_bytes,
                    tokenizer_config: tokenizer_config_bytes,
                    weights: weight_bytes,
                },
                id: id.clone(),
                cached_bytes: downloader.cached_bytes,
                downloaded_bytes: downloader.downloaded_bytes(),
                notices: downloader.notices,
            })
        }
        SourceSpec::Files { names } => {
            if names.len() != dropped.len() {
                return Err(Failure::input("the dropped files did not reach the worker"));
            }
            read_dropped(dropped, on_progress, cancelled).await
        }
    }
}

/// A shard the index names must be a file of the repo (never a path out of it).
fn listed<'a>(listing: &'a [RepoFile], name: &str, repo: &str) -> Result<&'a RepoFile, Failure> {
    listing.iter().find(|f| f.name == name).ok_or_else(|| {
        Failure::input(format!(
            "{repo}'s model.safetensors.index.json names a shard {name:?} the repo does not have"
        ))
    })
}

/// A repo path for a URL: each segment percent-encoded.
fn url_path(name: &str) -> String {
    name.split('/')
        .map(|segment| {
            segment
                .bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                        (b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("/")
}

async fn read_file(file: &web_sys::File) -> Result<Vec<u8>, Failure> {
    let buffer = JsFuture::from(file.array_buffer()).await.map_err(|e| {
        Failure::input(format!("could not read {}: {}", file.name(), js_detail(&e)))
    })?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// The user's files: one GGUF, or transformers' layout (config.json, tokenizer.json,
/// optionally tokenizer_config.json, and the safetensors weights).
async fn read_dropped(
    files: &[web_sys::File],
    on_progress: &dyn Fn(Progress),
    cancelled: &dyn Fn() -> bool,
) -> Result<Gathered, Failure> {
    let names: Vec<String> = files.iter().map(web_sys::File::name).collect();
    let find = |name: &str| files.iter().find(|f| f.name() == name);
    let ggufs: Vec<&web_sys::File> = files
        .iter()
        .filter(|f| f.name().to_ascii_lowercase().ends_with(".gguf"))
        .collect();
    let weights: Vec<&web_sys::File> = files
        .iter()
        .filter(|f| f.name().ends_with(".safetensors"))
        .collect();
    on_progress(Progress::Step(format!("Reading {}…", names.join(", "))));
    yield_now().await;
    let file_source = |name: String, bytes: &[u8]| ModelSource::File {
        name,
        sha256: sha256_hex(bytes),
    };
    if let [gguf] = ggufs.as_slice() {
        if !weights.is_empty() {
            return Err(Failure::input(
                "drop either one .gguf file or a safetensors model, not both",
            ));
        }
        let bytes = read_file(gguf).await?;
        let name = gguf.name();
        return Ok(Gathered {
            id: name
                .trim_end_matches(".gguf")
                .trim_end_matches(".GGUF")
                .to_string(),
            source: file_source(name, &bytes),
            files: ModelFiles::Gguf(bytes),
            cached_bytes: 0,
            downloaded_bytes: 0,
            notices: Vec::new(),
        });
    }
    if ggufs.len() > 1 {
        return Err(Failure::input(format!(
            "drop one .gguf file at a time (got {})",
            ggufs.len()
        )));
    }
    let missing = |what: &str| {
        Failure::input(format!(
            "a safetensors model needs {what} beside its weights; dropped: {}. Or drop one .gguf file.",
            names.join(", ")
        ))
    };
    if weights.is_empty() {
        return Err(missing("a .safetensors file (or a .gguf file)"));
    }
    let config = read_file(find("config.json").ok_or_else(|| missing("config.json"))?).await?;
    let tokenizer =
        read_file(find("tokenizer.json").ok_or_else(|| missing("tokenizer.json"))?).await?;
    let tokenizer_config = match find("tokenizer_config.json") {
        Some(f) => Some(read_file(f).await?),
        None => None,
    };
    // Shards in the index's order when there is one, else by name.
    let mut weights = weights;
    weights.sort_by_key(|f| f.name());
    if let Some(index) = find("model.safetensors.index.json") {
        let parsed = ShardedIndex::parse(&read_file(index).await?)
            .map_err(|e| Failure::input(format!("model.safetensors.index.json: {e}")))?;
        let shards = parsed.shard_files();
        for shard in &shards {
            if find(shard).is_none() {
                return Err(missing(&format!("the shard {shard}")));
            }
        }
        weights.retain(|f| shards.contains(&f.name().as_str()));
    }
    let mut weight_bytes = Vec::with_capacity(weights.len());
    for file in &weights {
        if cancelled() {
            return Err(Failure::cancelled());
        }
        weight_bytes.push(read_file(file).await?);
    }
    let id = serde_json::from_slice::<serde_json::Value>(&config)
        .ok()
        .and_then(|c| c["_name_or_path"].as_str().map(str::to_string))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "local safetensors model".to_string());
    let main_name = weights.first().map(|f| f.name()).unwrap_or_default();
    let source = file_source(
        main_name,
        weight_bytes.first().map_or(&[][..], Vec::as_slice),
    );
    Ok(Gathered {
        id,
        source,
        files: ModelFiles::Hf {
            config,
            tokenizer,
            tokenizer_config,
            weights: weight_bytes,
        },
        cached_bytes: 0,
        downloaded_bytes: 0,
        notices: Vec::new(),
    })
}

/// The device `choice` asks for; with `Auto`, WebGPU when there is an adapter, else
/// the CPU with a notice saying why.
pub async fn pick_device(
    choice: DeviceChoice,
    notices: &mut Vec<String>,
) -> Result<(Device, String, &'static str), Failure> {
    let cpu = || (Device::flex(), "CPU".to_string(), "cpu");
    match choice {
        DeviceChoice::Cpu => Ok(cpu()),
        DeviceChoice::WebGpu => {
            let facts = match gpu::probe().await {
                GpuStatus::Available(facts) => facts,
                GpuStatus::Unavailable(reason) => {
                    return Err(Failure::new(
                        FailureKind::Gpu,
                        format!("WebGPU was asked for, but {reason}"),
                    ));
                }
            };
            let device = Device::wgpu_options().init_async().await.map_err(|e| {
                Failure::new(FailureKind::Gpu, format!("WebGPU could not start: {e:?}"))
            })?;
            Ok((
                device,
                format!("WebGPU ({} {})", facts.vendor, facts.architecture),
                "webgpu",
            ))
        }
        DeviceChoice::Auto => match gpu::probe().await {
            GpuStatus::Available(facts) => match Device::wgpu_options().init_async().await {
                Ok(device) => Ok((
                    device,
                    format!("WebGPU ({} {})", facts.vendor, facts.architecture),
                    "webgpu",
                )),
                Err(e) => {
                    notices.push(format!(
                        "WebGPU could not start ({e:?}), so the model runs on the CPU: slower, same numbers."
                    ));
                    Ok(cpu())
                }
            },
            GpuStatus::Unavailable(reason) => {
                notices.push(format!(
                    "No WebGPU: {reason}. The model runs on the CPU: slower, same numbers."
                ));
                Ok(cpu())
            }
        },
    }
}

/// Loads `gathered` on the chosen device: weights, then (on WebGPU) a first forward so
/// the kernels compile now rather than in the user's first run.
pub async fn prepare(
    gathered: &Gathered,
    choice: DeviceChoice,
    started_ms: f64,
    on_progress: &dyn Fn(Progress),
) -> Result<(LoadedModel, LoadedFacts), Failure> {
    let mut notices = gathered.notices.clone();
    let (device, backend, backend_id) = pick_device(choice, &mut notices).await?;
    on_progress(Progress::PreparingWeights);
    yield_now().await;
    let model = gathered.files.load(&device)?;
    if backend_id == "webgpu" {
        on_progress(Progress::CompilingKernels);
        yield_now().await;
        let ids: Vec<u32> = model
            .tokenizer
            .bos_id()
            .into_iter()
            .chain([0, 1, 2])
            .collect();
        next_tokens(&model.decoder, &ids, 1)
            .await
            .map_err(|e| Failure::classify(format!("the first forward pass failed: {e}")))?;
    }
    let info = ModelInfo::new(
        gathered.id.clone(),
        gathered.source.clone(),
        &model.config,
        "f32",
    );
    let facts = LoadedFacts {
        info,
        backend,
        backend_id: backend_id.to_string(),
        load_ms: now_ms() - started_ms,
        cached_bytes: gathered.cached_bytes,
        downloaded_bytes: gathered.downloaded_bytes,
        notices,
    };
    Ok((model, facts))
}
