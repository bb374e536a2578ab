//! `cargo xtask fuzz [TARGET] [--seconds N]`: the cargo-fuzz targets in `fuzz/`.
//!
//! Installs cargo-fuzz when it is missing (once), writes each target's seed corpus
//! (from the tiny model, the test hub's listings, `../shared` and the committed seeds in
//! `fuzz/seeds/`) into `~/.cache/mechscope/fuzz-corpus/<target>`, builds every target
//! once, then runs one or all of them for N seconds each, one at a time. Crash inputs go
//! to `~/.cache/mechscope/fuzz-artifacts/<target>/`; nothing is written into the repo.
//!
//! Fuzzing needs the nightly toolchain (sanitizer flags); without it the command says
//! so and skips, successfully, so `cargo xtask test` still passes on a stable-only
//! machine.

mod seeds;

use crate::paths::Paths;
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// Every target in `fuzz/Cargo.toml`, in the order they run (a test checks the two
/// lists agree).
pub const TARGETS: [&str; 11] = [
    "gguf",
    "safetensors",
    "safetensors_index",
    "hf_config",
    "tokenizer_json",
    "gguf_tokenizer",
    "chat_template",
    "dataset_rows",
    "report_json",
    "share_link",
    "hub_listing",
];

/// Seconds per target in `cargo xtask test`'s smoke run.
pub const SMOKE_SECONDS: u64 = 5;

/// How one target's run ended.
struct Outcome {
    target: &'static str,
    seconds: f64,
    executions: Option<u64>,
    corpus_files: usize,
    /// The libFuzzer summary line when it failed (crash, leak, timeout, OOM).
    failure: Option<String>,
}

/// Runs `target` (or all) for `seconds` each. Fails when any target found a crash.
/// With `seeds_only`, writes the seed corpora and stops (no nightly needed).
///
/// With `smoke` (what `cargo xtask test` runs), every target but the
/// [`REPORT_TARGETS`]: the report's types pull in burn, and a sanitizer build of burn
/// on a fresh CI machine would cost half an hour for a few seconds of fuzzing; the
/// report and share-link decoders are covered by their unit tests there, and fuzzed by
/// `cargo xtask fuzz report_json` and `cargo xtask fuzz share_link`.
pub fn run(
    paths: &Paths,
    target: Option<&str>,
    seconds: u64,
    seeds_only: bool,
    smoke: bool,
) -> Result<()> {
    let targets: Vec<&'static str> = match target {
        None if smoke => TARGETS
            .into_iter()
            .filter(|t| !REPORT_TARGETS.contains(t))
            .collect(),
        None => TARGETS.to_vec(),
        Some(name) => match TARGETS.iter().find(|t| **t == name) {
            Some(t) => vec![*t],
            None => bail!(
                "no fuzz target {name:?}; the targets are: {}",
                TARGETS.join(", ")
            ),
        },
    };
    if seeds_only {
        return write_seeds(paths, &targets);
    }
    if !nightly_available() {
        println!(
            "SKIP fuzzing: it needs the nightly toolchain (`rustup toolchain install nightly`), \
             which this machine does not have"
        );
        println!("fuzz summary: 0 passed, 0 failed");
        return Ok(());
    }
    ensure_cargo_fuzz()?;
    write_seeds(paths, &targets)?;
    let features: &[&str] = if targets.iter().any(|t| REPORT_TARGETS.contains(t)) {
        &FEATURES
    } else {
        &[]
    };
    build(paths, features)?;
    let mut outcomes = Vec::new();
    for t in targets {
        outcomes.push(run_one(paths, t, seconds, features)?);
    }
    report(&outcomes);
    let failed = outcomes.iter().filter(|o| o.failure.is_some()).count();
    if failed > 0 {
        bail!(
            "{failed} fuzz target(s) failed; the inputs are in {}",
            paths.cache.join("fuzz-artifacts").display()
        );
    }
    Ok(())
}

fn write_seeds(paths: &Paths, targets: &[&str]) -> Result<()> {
    let shared = shared_dir(paths);
    for t in targets {
        let dir = corpus_dir(paths, t);
        let written = seeds::write(t, &dir, &paths.root, &shared)
            .with_context(|| format!("writing the seed corpus of {t}"))?;
        println!("seeds: {written} files in {}", dir.display());
    }
    Ok(())
}

fn nightly_available() -> bool {
    Command::new("cargo")
        .args(["+nightly", "--version"])
        .output()
        .is_ok_and(|out| out.status.success())
}

/// Installs cargo-fuzz unless `cargo fuzz` already runs.
fn ensure_cargo_fuzz() -> Result<()> {
    let installed = Command::new("cargo")
        .args(["fuzz", "--version"])
        .output()
        .is_ok_and(|out| out.status.success());
    if installed {
        return Ok(());
    }
    println!("\n== installing cargo-fuzz (once)");
    crate::shell::run(Command::new("cargo").args(["install", "cargo-fuzz", "--locked"]))
        .context("cargo install cargo-fuzz failed")
}

fn shared_dir(paths: &Paths) -> PathBuf {
    std::env::var_os("MECHSCOPE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| paths.root.join("../shared"))
}

fn corpus_dir(paths: &Paths, target: &str) -> PathBuf {
    paths.cache.join("fuzz-corpus").join(target)
}

fn artifact_dir(paths: &Paths, target: &str) -> PathBuf {
    paths.cache.join("fuzz-artifacts").join(target)
}

fn cargo_fuzz(paths: &Paths) -> Command {
    let mut cmd = Command::new("cargo");
    cmd.current_dir(paths.root.join("fuzz"))
        .args(["+nightly", "fuzz"]);
    cmd
}

/// Every cargo-fuzz build and run passes the same flags, so `run` reuses `build`'s
/// binaries: all targets (`report` enables `report_json`, which pulls in burn).
/// Debug assertions and overflow checks come from the fuzz crate's release profile.
const FEATURES: [&str; 2] = ["--features", "report"];

/// The targets that need [`FEATURES`].
const REPORT_TARGETS: [&str; 2] = ["report_json", "share_link"];

/// Builds the targets once (release with debug assertions, AddressSanitizer);
/// `features` is [`FEATURES`] when one of the [`REPORT_TARGETS`] is among them.
fn build(paths: &Paths, features: &[&str]) -> Result<()> {
    println!("\n== building the fuzz targets");
    let started = Instant::now();
    crate::shell::run(cargo_fuzz(paths).arg("build").args(features))
        .context("building the fuzz targets failed")?;
    println!("built in {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}

fn run_one(
    paths: &Paths,
    target: &'static str,
    seconds: u64,
    features: &[&str],
) -> Result<Outcome> {
    println!("\n== fuzz {target} for {seconds} s");
    let corpus = corpus_dir(paths, target);
    let artifacts = artifact_dir(paths, target);
    std::fs::create_dir_all(&artifacts)?;
    let started = Instant::now();
    let (ok, output) = crate::shell::run_teed(
        cargo_fuzz(paths)
            .arg("run")
            .args(features)
            .arg(target)
            .arg(&corpus)
            .arg("--")
            .arg(format!("-max_total_time={seconds}"))
            .arg(format!("-artifact_prefix={}/", artifacts.display()))
            // A slow unit is a finding too (a parser that loops), as is memory past
            // what a browser tab has.
            .arg("-timeout=20")
            .arg("-rss_limit_mb=3072")
            .arg("-print_final_stats=1"),
    )?;
    let failure = (!ok).then(|| {
        output
            .lines()
            .find(|line| line.contains("SUMMARY:") || line.contains("ERROR:"))
            .unwrap_or("the fuzzer exited with an error")
            .to_string()
    });
    Ok(Outcome {
        target,
        seconds: started.elapsed().as_secs_f64(),
        executions: executions(&output),
        corpus_files: count_files(&corpus),
        failure,
    })
}

/// libFuzzer's `stat::number_of_executed_units: N`.
fn executions(output: &str) -> Option<u64> {
    output.lines().find_map(|line| {
        line.trim()
            .strip_prefix("stat::number_of_executed_units:")?
            .trim()
            .parse()
            .ok()
    })
}

fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| entries.filter_map(Result::ok).count())
}

fn report(outcomes: &[Outcome]) {
    println!("\n== fuzz results");
    println!("| target | time (s) | executions | corpus files | result |");
    println!("|---|---:|---:|---:|---|");
    for o in outcomes {
        let execs = o.executions.map_or("?".to_string(), |n| n.to_string());
        let result = o.failure.as_deref().unwrap_or("no crash");
        println!(
            "| {} | {:.0} | {execs} | {} | {result} |",
            o.target, o.seconds, o.corpus_files
        );
    }
    let failed = outcomes.iter().filter(|o| o.failure.is_some()).count();
    println!(
        "fuzz summary: {} passed, {failed} failed",
        outcomes.len() - failed
    );
}

/// Reads `fuzz summary: P passed, F failed` for `cargo xtask test`'s tally.
pub fn summary_counts(output: &str) -> Option<(u64, u64)> {
    let line = output
        .lines()
        .rev()
        .find_map(|line| line.trim().strip_prefix("fuzz summary: "))?;
    let (passed, failed) = line.split_once(", ")?;
    Some((
        passed.strip_suffix(" passed")?.parse().ok()?,
        failed.strip_suffix(" failed")?.parse().ok()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_target_is_declared_in_the_fuzz_manifest_and_has_a_source() {
        // Not `env!`: this binary may have been compiled in another clone (builds are
        // cached outside it) and would read that clone's fuzz/.
        let root = mechscope_testkit::crate_dir().join("../fuzz");
        let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
        let declared: Vec<&str> = manifest
            .lines()
            .filter_map(|line| line.strip_prefix("name = \""))
            .filter_map(|rest| rest.strip_suffix('"'))
            .filter(|name| *name != "mechscope-fuzz")
            .collect();
        assert_eq!(declared, TARGETS);
        for target in TARGETS {
            let source = root.join("fuzz_targets").join(format!("{target}.rs"));
            assert!(source.is_file(), "{}", source.display());
        }
    }

    #[test]
    fn reads_the_summary_and_libfuzzer_stats() {
        assert_eq!(
            summary_counts("x\nfuzz summary: 9 passed, 1 failed\n"),
            Some((9, 1))
        );
        assert_eq!(summary_counts("nothing"), None);
        assert_eq!(
            executions("stat::number_of_executed_units: 12345\nstat::peak_rss_mb: 80"),
            Some(12345)
        );
    }
}
