//! Keeps the shared build cache from filling the disk.
//!
//! Builds go to a target directory outside the clone that every clone and every CI run
//! reuses. Each change of a feature set or of rustflags leaves a whole stale copy of
//! the burn/wgpu stack behind (~10 GB with debuginfo), and cargo never removes one: a
//! full disk then fails a link in the middle of the tests. When little space is left,
//! this removes what cargo can always rebuild and is least likely to be current:
//! incremental caches, then build outputs not written for a day.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, SystemTime};

/// Below this much free space (GiB) the cache is pruned before building.
const MIN_FREE_GIB: f64 = 25.0;
const STALE_AFTER: Duration = Duration::from_secs(24 * 3600);

/// Free space of the filesystem holding `dir`, in GiB (from `df`; `None` if unknown).
fn free_gib(dir: &Path) -> Option<f64> {
    let out = Command::new("df").arg("-Pk").arg(dir).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let kib: f64 = text
        .lines()
        .nth(1)?
        .split_whitespace()
        .nth(3)?
        .parse()
        .ok()?;
    Some(kib / 1024.0 / 1024.0)
}

/// Prunes `target` if the disk is nearly full; says what it did.
pub fn keep_space(target: &Path) {
    if !target.is_dir() {
        return;
    }
    let Some(before) = free_gib(target) else {
        return;
    };
    if before >= MIN_FREE_GIB {
        return;
    }
    println!(
        "disk: {before:.1} GiB free, pruning the build cache {}",
        target.display()
    );
    let mut removed = 0u64;
    for profile_dir in profile_dirs(target) {
        let incremental = profile_dir.join("incremental");
        removed += size_of(&incremental);
        let _ = std::fs::remove_dir_all(&incremental);
    }
    if free_gib(target).is_some_and(|free| free < MIN_FREE_GIB) {
        let now = SystemTime::now();
        for profile_dir in profile_dirs(target) {
            for sub in ["deps", "build", ".fingerprint"] {
                removed += remove_stale(&profile_dir.join(sub), now);
            }
        }
    }
    println!(
        "disk: removed {:.1} GB, {:.1} GiB free now",
        removed as f64 / 1e9,
        free_gib(target).unwrap_or(f64::NAN)
    );
}

/// `target/{debug,release}` and `target/<triple>/{debug,release}`.
fn profile_dirs(target: &Path) -> Vec<std::path::PathBuf> {
    let mut dirs = Vec::new();
    let Ok(entries) = std::fs::read_dir(target) else {
        return dirs;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        for profile in ["debug", "release"] {
            if path.file_name().is_some_and(|n| n == profile) {
                dirs.push(path.clone());
            } else if path.join(profile).is_dir() {
                dirs.push(path.join(profile));
            }
        }
    }
    dirs
}

fn size_of(path: &Path) -> u64 {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return 0;
    };
    if !meta.is_dir() {
        return meta.len();
    }
    std::fs::read_dir(path)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| size_of(&e.path()))
        .sum()
}

/// Removes the entries of `dir` not modified within [`STALE_AFTER`]; returns bytes freed.
fn remove_stale(dir: &Path, now: SystemTime) -> u64 {
    let mut removed = 0;
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .is_some_and(|age| age > STALE_AFTER);
        if stale {
            let size = size_of(&path);
            let gone = if path.is_dir() {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
            if gone.is_ok() {
                removed += size;
            }
        }
    }
    removed
}
