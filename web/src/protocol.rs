//! The messages between the page and its Web Worker.
//!
//! The model lives in the worker: loading it and every run happen there, so the page
//! never freezes. The page sends [`Request`]s; the worker answers each with
//! [`Event`]s carrying the request's id: progress, then one `Done` or `Failed`.
//! Messages cross `postMessage` as plain JS values made by serde-wasm-bindgen (which,
//! unlike JSON, keeps a NaN a NaN); files the user dropped travel beside them as
//! `File` objects, which the browser hands over without copying their bytes.

use mechscope_formats::hub::RepoFile;
use mechscope_metrics::ais::AisSettings;
use mechscope_metrics::lpp::LppSettings;
use mechscope_metrics::mui::{MuiSettings, TokenSample};
use mechscope_report::{ModelInfo, Report};
use mechscope_tasks::Item;
use serde::{Deserialize, Serialize};

/// "270 MB downloaded, 12 kB from the browser's cache".
impl LoadedFacts {
    pub fn bytes_summary(&self) -> String {
        let human = |b| mechscope_formats::fit::Bytes(b).to_string();
        match (self.cached_bytes, self.downloaded_bytes) {
            (0, 0) => String::new(),
            (c, 0) => format!("{} from the browser's cache", human(c)),
            (0, d) => format!("{} downloaded", human(d)),
            (c, d) => format!(
                "{} downloaded, {} from the browser's cache",
                human(d),
                human(c)
            ),
        }
    }
}

/// Which request an event answers.
pub type RequestId = u32;

/// What the page asks of the worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Load a model, replacing the one loaded.
    Load {
        id: RequestId,
        source: SourceSpec,
        device: DeviceChoice,
    },
    /// Run a job on the loaded model.
    Run { id: RequestId, job: Job },
    /// Stop a request: a queued one never starts, a running one stops at its next step.
    Cancel { id: RequestId },
}

/// Which backend to load on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeviceChoice {
    /// WebGPU when the worker has an adapter, else the CPU (and say so).
    Auto,
    /// WebGPU or an error: never a silent fallback when the user asked for it.
    WebGpu,
    Cpu,
}

impl DeviceChoice {
    /// `?device=` as the page's URL names it.
    pub fn from_param(value: Option<&str>) -> Result<Self, String> {
        match value {
            None | Some("") | Some("auto") => Ok(DeviceChoice::Auto),
            Some("cpu") => Ok(DeviceChoice::Cpu),
            Some("webgpu") => Ok(DeviceChoice::WebGpu),
            Some(other) => Err(format!(
                "?device={other} is not a device: use cpu, webgpu or auto"
            )),
        }
    }

    pub fn param(self) -> &'static str {
        match self {
            DeviceChoice::Auto => "auto",
            DeviceChoice::WebGpu => "webgpu",
            DeviceChoice::Cpu => "cpu",
        }
    }
}

/// One file to download: where from, what the listing promised, where it is cached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Download {
    pub url: String,
    /// The name shown in progress and errors.
    pub name: String,
    pub size: Option<u64>,
    /// Checked before the file is cached or used.
    pub sha256: Option<String>,
}

impl Download {
    pub fn from_repo_file(url: String, file: &RepoFile) -> Self {
        Download {
            url,
            name: file.name.clone(),
            size: file.size,
            sha256: file.sha256.clone(),
        }
    }
}

/// Where the model comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SourceSpec {
    /// One GGUF file at a URL: the bundled demo, or a GGUF from the hub.
    GgufUrl {
        /// The model's name in reports ("SmolLM2-135M-Instruct.Q4_1").
        id: String,
        file: Download,
        /// What the cache files it under: the repo, whose listing is cached too.
        group: String,
    },
    /// transformers' layout from the hub: config, tokenizer, weights (one file or the
    /// shards an index names; the index's shards are downloaded from `shard_base`).
    HubSafetensors {
        id: String,
        config: Download,
        tokenizer: Download,
        tokenizer_config: Option<Download>,
        weights: Vec<Download>,
        /// `model.safetensors.index.json`, when the weights are sharded.
        index: Option<Download>,
        /// `{hub}/{repo}/resolve/{rev}/`: shard names are relative to it.
        shard_base: String,
        /// The listing's files, for the shards' sizes and hashes.
        listing: Vec<RepoFile>,
    },
    /// Files the user dropped or picked, sent beside the message in this order.
    Files { names: Vec<String> },
}

impl SourceSpec {
    /// The model's name as the page shows it while loading.
    pub fn label(&self) -> String {
        match self {
            SourceSpec::GgufUrl { id, .. } | SourceSpec::HubSafetensors { id, .. } => id.clone(),
            SourceSpec::Files { names } => names.join(", "),
        }
    }

    /// What the model cache files this source's downloads under.
    pub fn cache_group(&self) -> Option<&str> {
        match self {
            SourceSpec::GgufUrl { group, .. } => Some(group),
            SourceSpec::HubSafetensors { id, .. } => Some(id),
            SourceSpec::Files { .. } => None,
        }
    }
}

/// A benchmark's items, prepared on the page (files, hub datasets, built-ins).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskItems {
    pub spec: String,
    pub items: Vec<Item>,
    pub rows_skipped: usize,
    pub seed: Option<u64>,
}

/// A run on the loaded model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Job {
    /// The most likely next tokens after a prompt.
    NextToken {
        prompt: String,
        chat: bool,
        top: usize,
    },
    /// MUI over a task's items, or over recorded responses (with or without items).
    Mui {
        task: Option<TaskItems>,
        recorded: Option<Vec<TokenSample>>,
        settings: MuiSettings,
    },
    /// AIS of benchmarks for abilities (named as `Ability::name`), at one budget or
    /// the authors' sweep.
    Ais {
        abilities: Vec<String>,
        items_per_ability: usize,
        benchmarks: Vec<TaskItems>,
        settings: AisSettings,
        sweep: bool,
    },
    /// LPP with its probes; `text` is `(name, text)` for the text probe.
    Lpp {
        text: Option<(String, String)>,
        settings: LppSettings,
    },
    /// A `?bench=` measurement: it loads its own copies of the demo model.
    Bench {
        kind: String,
        /// The page's query parameters.
        params: Vec<(String, String)>,
        /// The demo model, downloaded afresh (its download is measured).
        demo: Download,
        /// What the driving script injected (`window.mechscopeBench*`).
        injected: Injected,
    },
}

/// Inputs a benchmark script puts on `window` before the page starts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Injected {
    pub responses: Option<String>,
    pub ids: Option<String>,
    pub items: Option<(String, String)>,
}

/// One row of the next-token table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenRow {
    pub id: u32,
    pub token: String,
    pub probability: f64,
    pub logit: f32,
}

/// What a finished request gives back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Output {
    Loaded(Box<LoadedFacts>),
    NextTokens {
        rows: Vec<TokenRow>,
        input_tokens: usize,
    },
    Report(Box<Report>),
    /// A benchmark's measurements as JSON text.
    Bench(String),
}

/// The model the worker now holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoadedFacts {
    pub info: ModelInfo,
    /// What the user reads: "WebGPU (google swiftshader)".
    pub backend: String,
    /// What reports record: "webgpu" or "cpu".
    pub backend_id: String,
    pub load_ms: f64,
    /// Bytes that came from the browser's cache rather than the network.
    pub cached_bytes: u64,
    pub downloaded_bytes: u64,
    /// Things the user should know: the CPU fallback, a cache that was full.
    pub notices: Vec<String>,
}

/// One file's download.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileProgress {
    pub name: String,
    pub received: u64,
    pub total: Option<u64>,
    pub from_cache: bool,
    pub done: bool,
}

/// Where a request is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Progress {
    /// Waiting for the request before it to finish.
    Queued,
    Downloading {
        files: Vec<FileProgress>,
        received: u64,
        total: Option<u64>,
        bytes_per_s: f64,
        seconds_left: Option<f64>,
    },
    /// Parsing, dequantising and uploading the weights.
    PreparingWeights,
    /// A first forward pass, so WebGPU compiles its kernels now rather than in a run.
    CompilingKernels,
    /// A run's step, in words.
    Step(String),
}

/// Why a request failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FailureKind {
    /// The user cancelled it.
    Cancelled,
    /// The input was unusable (a file, a repo, a setting): the message says what.
    Input,
    /// A network failure: unreachable, an HTTP error, a download cut short.
    Network,
    /// The GPU was lost or ran out of memory: the CPU is offered.
    Gpu,
    /// The worker itself stopped (a panic): the model is gone.
    Crashed,
}

/// A failed request, in words for the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct Failure {
    pub kind: FailureKind,
    pub message: String,
}

impl Failure {
    pub fn new(kind: FailureKind, message: impl Into<String>) -> Self {
        Failure {
            kind,
            message: message.into(),
        }
    }

    pub fn input(message: impl Into<String>) -> Self {
        Failure::new(FailureKind::Input, message)
    }

    pub fn cancelled() -> Self {
        Failure::new(FailureKind::Cancelled, "cancelled")
    }

    /// A run's error: a GPU's trouble when its words say so (device lost, out of
    /// memory), else the input's.
    pub fn classify(message: impl Into<String>) -> Self {
        let message = message.into();
        let lower = message.to_ascii_lowercase();
        let gpu = [
            "out of memory",
            "outofmemory",
            "device lost",
            "devicelost",
            "device is lost",
            // cubecl's mark on a device that failed once (wgpu reported it lost or
            // errored): every later readback fails with it.
            "device is poisoned",
        ]
        .iter()
        .any(|needle| lower.contains(needle));
        Failure::new(
            if gpu {
                FailureKind::Gpu
            } else {
                FailureKind::Input
            },
            message,
        )
    }
}

/// What the worker tells the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Event {
    /// The worker has started and reads requests.
    Ready,
    Progress {
        id: RequestId,
        progress: Progress,
    },
    Done {
        id: RequestId,
        output: Output,
    },
    Failed {
        id: RequestId,
        failure: Failure,
    },
    /// The worker panicked: every request fails and the model is gone.
    Crashed {
        message: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    /// What `postMessage` carries survives the trip, NaN included (JSON would not).
    #[wasm_bindgen_test]
    fn events_cross_as_js_values() {
        let event = Event::Done {
            id: 7,
            output: Output::NextTokens {
                rows: vec![TokenRow {
                    id: 3,
                    token: "☃".into(),
                    probability: f64::NAN,
                    logit: -1.5,
                }],
                input_tokens: 4,
            },
        };
        let serializer = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
        let value = serde::Serialize::serialize(&event, &serializer).expect("serialises");
        let back: Event = serde_wasm_bindgen::from_value(value).expect("deserialises");
        let Event::Done {
            id: 7,
            output:
                Output::NextTokens {
                    rows,
                    input_tokens: 4,
                },
        } = back
        else {
            panic!("{back:?}");
        };
        assert!(rows[0].probability.is_nan());
        assert_eq!(
            (rows[0].id, rows[0].token.as_str(), rows[0].logit),
            (3, "☃", -1.5)
        );
    }

    #[wasm_bindgen_test]
    fn gpu_trouble_is_told_from_bad_input() {
        assert_eq!(
            Failure::classify("wgpu: Device lost: reason Unknown").kind,
            FailureKind::Gpu
        );
        assert_eq!(
            Failure::classify("Buffer allocation: Out of memory").kind,
            FailureKind::Gpu
        );
        // What a run said when Chromium's GPU process crashed under it (e2e test).
        assert_eq!(
            Failure::classify(
                "reading results from the device failed: The device is poisoned Caused by: \
                 Unknown: A valid external Instance reference no longer exists."
            )
            .kind,
            FailureKind::Gpu
        );
        assert_eq!(
            Failure::classify("the prompt is empty").kind,
            FailureKind::Input
        );
    }

    #[wasm_bindgen_test]
    fn devices_parse_from_the_url() {
        assert_eq!(DeviceChoice::from_param(None), Ok(DeviceChoice::Auto));
        assert_eq!(DeviceChoice::from_param(Some("cpu")), Ok(DeviceChoice::Cpu));
        assert!(DeviceChoice::from_param(Some("tpu")).is_err());
        for d in [DeviceChoice::Auto, DeviceChoice::Cpu, DeviceChoice::WebGpu] {
            assert_eq!(DeviceChoice::from_param(Some(d.param())), Ok(d));
        }
    }
}
