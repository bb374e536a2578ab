//! Finding `../shared` (benchmark data and reference fixtures) from the tests.
//!
//! The folder sits beside the project (`crates/tasks/../../../shared`); set
//! `MECHSCOPE_SHARED` to use another copy. A user's clone has none, so every test that
//! needs it prints `SKIP: ...` and returns.

#![allow(dead_code)] // each test file uses a different part

use std::path::PathBuf;

/// The shared folder, or `None` (after printing why the test skips).
pub fn shared_dir(test: &str) -> Option<PathBuf> {
    let dir = match std::env::var_os("MECHSCOPE_SHARED") {
        Some(dir) => PathBuf::from(dir),
        // The runtime variable (cargo and nextest set it): builds cached outside the
        // clone may come from another clone's path.
        None => std::env::var_os("CARGO_MANIFEST_DIR")
            .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from)
            .join("../../../shared"),
    };
    if dir.join("data/benchmarks").is_dir() {
        Some(dir)
    } else {
        println!(
            "SKIP: {test}: {} has no data/benchmarks (set MECHSCOPE_SHARED to the shared folder)",
            dir.display()
        );
        None
    }
}

/// The bytes of a file under `shared/data/benchmarks`.
pub fn benchmark_bytes(shared: &std::path::Path, relative: &str) -> Vec<u8> {
    let path = shared.join("data/benchmarks").join(relative);
    std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// Every file in a folder under `shared/data/benchmarks` with the given extension, sorted.
pub fn benchmark_files(shared: &std::path::Path, folder: &str, extension: &str) -> Vec<PathBuf> {
    let dir = shared.join("data/benchmarks").join(folder);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == extension))
        .collect();
    files.sort();
    files
}

/// A JSON fixture under `shared/fixtures`.
pub fn fixture(shared: &std::path::Path, name: &str) -> serde_json::Value {
    let path = shared.join("fixtures").join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}
