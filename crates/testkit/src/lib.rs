//! Test support shared by the crates' integration tests: where the downloaded models
//! and the read-only `../shared` folder are, and a uniform way to skip a test when they
//! are absent (a user's clone has neither).
//!
//! Every lookup prints `SKIP: <why>` to stderr and returns `None` when the file is not
//! there, so a test reads `let Some(x) = testkit::demo_model() else { return };`.
//!
//! [`tiny_model`] needs no download: a tiny seeded llama (Hugging Face folder, shards or
//! GGUF) made by our own code. This crate must not depend on burn: xtask builds it for
//! the hub-like test server's files.

use serde_json::Value;
use std::path::{Path, PathBuf};

pub mod tiny_model;

/// The file name of the demo model in the model cache.
pub const DEMO_MODEL: &str = "SmolLM2-135M-Instruct.Q4_1.gguf";

/// The model cache: `$MECHSCOPE_MODELS` (set by `cargo xtask test`), else
/// `~/.cache/mechscope/models` (where `cargo xtask setup` puts them).
pub fn models_dir() -> Option<PathBuf> {
    std::env::var_os("MECHSCOPE_MODELS")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/mechscope/models"))
        })
        .or_else(|| {
            eprintln!("SKIP: neither MECHSCOPE_MODELS nor HOME is set");
            None
        })
}

/// The bytes of a model in the cache, or `None` (with a SKIP line) when absent.
pub fn model_bytes(file_name: &str) -> Option<Vec<u8>> {
    let path = models_dir()?.join(file_name);
    read_or_skip(
        &path,
        "run `cargo xtask setup` (or the test command) to fetch it",
    )
}

/// The demo model's bytes.
pub fn demo_model() -> Option<Vec<u8>> {
    model_bytes(DEMO_MODEL)
}

/// The `../shared` folder beside the clone: `$MECHSCOPE_SHARED`, else the workspace's
/// sibling `shared`.
pub fn shared_dir() -> PathBuf {
    std::env::var_os("MECHSCOPE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("../shared"))
}

/// The directory of the crate whose test is running (`crates/formats`, ...), from the
/// runtime `CARGO_MANIFEST_DIR` for the reason [`workspace_root`] gives: test binaries
/// compiled in another clone are reused, and `env!("CARGO_MANIFEST_DIR")` names that
/// clone.
pub fn crate_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

/// The root of the clone whose tests are running.
///
/// Found from the *runtime* `CARGO_MANIFEST_DIR` (cargo and nextest set it for every
/// test process), not the compile-time one: builds are cached outside the clone and
/// shared between clones, and cargo reuses this crate's compiled code from another
/// clone's path, which may since have been deleted.
pub fn workspace_root() -> PathBuf {
    let start = crate_dir();
    start
        .ancestors()
        .find(|dir| dir.join("Cargo.lock").is_file())
        .map(Path::to_path_buf)
        .unwrap_or(start)
}

/// A file of `../shared` (e.g. `fixtures/mui_smollm2_arc.json`), or `None` with a
/// SKIP line.
pub fn shared_file(relative: &str) -> Option<Vec<u8>> {
    read_or_skip(
        &shared_dir().join(relative),
        "../shared is not beside the clone",
    )
}

/// A JSON file of `../shared`, parsed; a file that is there but is not JSON fails the
/// test (the fixture is broken, not absent).
pub fn shared_json(relative: &str) -> Option<Value> {
    let bytes = shared_file(relative)?;
    Some(serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{relative} is not JSON: {e}")))
}

/// A JSON array of token ids.
pub fn ids(v: &Value) -> Vec<u32> {
    v.as_array()
        .unwrap_or_else(|| panic!("expected an array of ids, found {v}"))
        .iter()
        .map(|x| u32::try_from(x.as_u64().expect("an id")).expect("an id fits u32"))
        .collect()
}

fn read_or_skip(path: &Path, hint: &str) -> Option<Vec<u8>> {
    std::fs::read(path)
        .map_err(|e| eprintln!("SKIP: {} is absent ({e}); {hint}", path.display()))
        .ok()
}
