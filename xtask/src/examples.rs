//! `cargo xtask examples`: the teaching demo's example reports, made by the CLI on the
//! demo model and written to `public/examples/`, where the page shows them on a plain
//! visit before any model loads (web/src/share.rs, `EXAMPLES`).
//!
//! The reports are committed: they are what a class sees first, and making them takes
//! minutes of CPU. Run this again when a report's schema or a metric's numbers change;
//! `cargo xtask test` checks (crates/report/tests/examples.rs) that they still read
//! as this version's reports of the demo model.

use crate::paths::Paths;
use crate::{setup, shell};
use anyhow::{Context, Result};
use std::path::Path;
use std::process::Command;

/// Benchmark items per AIS benchmark (the first lines of each file).
const AIS_ITEMS: &str = "40";
/// Diagnostic items per ability (80% drive the gradient): enough for a stable ranking of
/// the weights on the demo model, a fraction of the CLI's default of 250.
const AIS_DIAGNOSTIC_ITEMS: &str = "50";

pub fn run(paths: &Paths) -> Result<()> {
    setup::run(paths)?;
    println!("\n== building the CLI (release)");
    let cli = crate::bench::release_cli(paths)?;
    let demo = paths.demo_model();
    let out = paths.root.join("public/examples");
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let data = paths.root.join("../shared/data/benchmarks");

    println!("\n== LPP (the CLI's defaults)");
    report(&cli, &demo, &out.join("lpp.json"), &["lpp"], &[])?;

    println!("\n== MUI (built-in arithmetic, 20 items, the model's own answers)");
    report(
        &cli,
        &demo,
        &out.join("mui.json"),
        &["mui"],
        &["--task", "arithmetic", "--limit", "20"],
    )?;

    println!("\n== AIS (three benchmarks × ten abilities, k = 0.001, 50 diagnostic items each)");
    // Run beside the files and name them bare, as a user would type them: a benchmark's
    // name in the report (and on the page's charts) is its spec as given.
    shell::run(
        Command::new(&cli)
            .current_dir(&data)
            .args(["ais"])
            .arg(&demo)
            .args([
                "--benchmarks",
                "arc_easy.jsonl,copa.jsonl,piqa.jsonl",
                "--limit",
                AIS_ITEMS,
                "--items-per-ability",
                AIS_DIAGNOSTIC_ITEMS,
                "--out",
            ])
            .arg(out.join("ais.json")),
    )?;
    println!("\nwrote the example reports to {}", out.display());
    Ok(())
}

/// Runs `cli {command} {model} {args} --out {out}`.
fn report(cli: &Path, model: &Path, out: &Path, command: &[&str], args: &[&str]) -> Result<()> {
    shell::run(
        Command::new(cli)
            .args(command)
            .arg(model)
            .args(args)
            .arg("--out")
            .arg(out),
    )
}
