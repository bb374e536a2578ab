//! `cargo xtask bench`: measures, then rewrites its sections of BENCHMARKS.md.
//!
//! Each measured area owns a section between `<!-- NAME:begin -->` and
//! `<!-- NAME:end -->` markers, so later areas add sections without touching others.
//! Figures are never asserted in tests: this is where they are written down.

use crate::paths::Paths;
use crate::server::{self, Site};
use crate::shell::{self, output_line};
use crate::{setup, test};
use anyhow::{Context, Result, bail};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

mod ais;
mod forward;
mod lpp;
mod mui;

/// A section of BENCHMARKS.md that `cargo xtask bench` measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Section {
    Formats,
    Forward,
    Mui,
    Ais,
    Lpp,
}

pub fn run(paths: &Paths, sections: &[Section]) -> Result<()> {
    let all = [
        Section::Formats,
        Section::Forward,
        Section::Mui,
        Section::Ais,
        Section::Lpp,
    ];
    let sections = if sections.is_empty() {
        &all[..]
    } else {
        sections
    };
    setup::run(paths)?;
    let machine = machine_section();
    println!("{machine}");

    println!("\n== building the CLI and the page (release)");
    let cli = release_cli(paths)?;
    let dist = test::build_page(paths, true)?;
    let base = server::spawn(Site::new(paths, &dist)?)?;

    let file = paths.root.join("BENCHMARKS.md");
    let mut text = std::fs::read_to_string(&file).unwrap_or_else(|_| {
        "# Benchmarks\n\nWritten by `cargo xtask bench`; each section is rewritten when it is measured again.\n\n".to_string()
    });
    text = replace_section(&text, "machine", &machine);
    for section in sections {
        let (name, body) = match section {
            Section::Formats => ("formats", formats(paths, &cli, &base)?),
            Section::Forward => ("forward", forward::run(paths, &cli, &base)?),
            Section::Mui => ("mui", mui::run(paths, &cli, &base)?),
            Section::Ais => ("ais", ais::run(paths, &cli, &base)?),
            Section::Lpp => ("lpp", lpp::run(paths, &cli, &base)?),
        };
        println!("{body}");
        text = replace_section(&text, name, &body);
        // Written after each section: a later one failing keeps what was measured.
        std::fs::write(&file, &text)?;
    }
    println!("\nwrote {}", file.display());
    Ok(())
}

fn formats(paths: &Paths, cli: &Path, base: &str) -> Result<String> {
    println!("\n== formats, native (release)");
    let native = json_from(
        Command::new(cli)
            .arg("bench-formats")
            .arg(paths.demo_model()),
    )?;
    println!("\n== formats, wasm in headless Chromium (release page)");
    let wasm = json_from(&mut node(paths, base, "tests/bench/formats.cjs"))?;
    Ok(formats_section(&native, &wasm))
}

/// A bench's JSON, or why there is none: one failing measurement leaves a note in its
/// section instead of stopping the others.
type Measured = std::result::Result<Value, String>;

fn measured(what: &str, cmd: &mut Command) -> Measured {
    println!("\n== {what}");
    json_from(cmd).map_err(|e| format!("{e:#}"))
}

/// `node SCRIPT` with the page's address and the node packages `cargo xtask setup`
/// installed.
fn node(paths: &Paths, base: &str, script: &str) -> Command {
    let mut cmd = Command::new("node");
    cmd.current_dir(&paths.root)
        .env("BASE_URL", base)
        .env("NODE_PATH", paths.node_modules())
        .arg(script);
    cmd
}

/// The 1-minute load average: other work on the 2 cores moves every figure.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

/// A rate or a time with about three significant digits; "—" when not measured.
fn figure(value: Option<f64>) -> String {
    match value {
        Some(v) if v.is_finite() && v.abs() >= 100.0 => format!("{v:.0}"),
        Some(v) if v.is_finite() && v.abs() >= 10.0 => format!("{v:.1}"),
        Some(v) if v.is_finite() => format!("{v:.2}"),
        _ => "—".to_string(),
    }
}

/// A ratio with two decimals, flagged ⚠ above its aim; "—" when not measured.
fn ratio_cell(ratio: Option<f64>, aim: f64) -> String {
    let flag = match ratio {
        Some(r) if r > aim => " ⚠",
        _ => "",
    };
    format!("{}{flag}", fixed(ratio, 2))
}

/// A number with fixed decimals; "—" when not measured.
fn fixed(value: Option<f64>, decimals: usize) -> String {
    match value {
        Some(v) if v.is_finite() => format!("{v:.decimals$}"),
        _ => "—".to_string(),
    }
}

fn json_from(cmd: &mut Command) -> Result<Value> {
    let out = cmd
        .output()
        .with_context(|| format!("could not run {cmd:?}"))?;
    if !out.status.success() {
        bail!("{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    serde_json::from_slice(&out.stdout).with_context(|| format!("{cmd:?} printed no JSON"))
}

/// Builds the CLI with the release profile (the figures and the examples come from
/// it) and gives the binary's path.
pub fn release_cli(paths: &Paths) -> Result<PathBuf> {
    shell::run(Command::new("cargo").current_dir(&paths.root).args([
        "build",
        "--release",
        "--quiet",
        "-p",
        "mechscope-cli",
    ]))?;
    Ok(paths.target.join("release/mechscope"))
}

fn machine_section() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem_gib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            let kb: f64 = s.lines().next()?.split_whitespace().nth(1)?.parse().ok()?;
            Some(kb / 1024.0 / 1024.0)
        })
        .unwrap_or(0.0);
    let rustc = output_line("rustc", &["--version"]).unwrap_or_default();
    let chromium = output_line("/usr/bin/chromium", &["--version"]).unwrap_or_default();
    format!(
        "## Machine\n\n{cpu}, {cores} cores, {mem_gib:.0} GiB RAM, no GPU (the browser's WebGPU adapter is \
         SwiftShader, on the CPU). {rustc}; {chromium}. Measured with `cargo xtask bench` on {}.\n",
        output_line("date", &["-u", "+%Y-%m-%d"]).unwrap_or_default()
    )
}

fn num(v: &Value, key: &str) -> f64 {
    v[key].as_f64().unwrap_or(f64::NAN)
}

fn formats_section(native: &Value, wasm: &Value) -> String {
    let row = |name: &str, v: &Value| {
        format!(
            "| {name} | {:.2} | {:.0} | {:.0} | {:.0} |\n",
            num(v, "header_parse_ms"),
            num(v, "dequant_ms"),
            num(v, "dequant_input_mb_per_s"),
            num(v, "dequant_output_mb_per_s"),
        )
    };
    format!(
        "## Formats: GGUF header and dequantisation\n\n\
         The demo model (SmolLM2-135M-Instruct Q4_1, {:.1} MB, {} tensors, header {:.2} MB with the \
         tokenizer): median of {} header parses, then every tensor dequantised to f32 on one thread. \
         Native: `mechscope bench-formats` (release). Wasm: the release page's `?bench=formats` in headless \
         Chromium. Checksums of all values: native {:.6e}, wasm {:.6e}.\n\n\
         | where | header parse (ms) | dequantise all (ms) | quantised in (MB/s) | f32 out (MB/s) |\n\
         |---|---|---|---|---|\n{}{}\n\
         Wasm runs at {:.0}% of native for dequantisation.\n",
        num(native, "file_bytes") / 1e6,
        native["tensors"],
        num(native, "header_bytes") / 1e6,
        native["header_repeats"],
        num(native, "checksum"),
        num(wasm, "checksum"),
        row("native (x86_64)", native),
        row("wasm (Chromium)", wasm),
        100.0 * num(native, "dequant_ms") / num(wasm, "dequant_ms"),
    )
}

/// Replaces (or appends) the text between the section's markers.
fn replace_section(text: &str, name: &str, body: &str) -> String {
    let begin = format!("<!-- {name}:begin -->");
    let end = format!("<!-- {name}:end -->");
    let block = format!("{begin}\n{body}{end}");
    match (text.find(&begin), text.find(&end)) {
        (Some(b), Some(e)) if e > b => format!("{}{block}{}", &text[..b], &text[e + end.len()..]),
        _ => format!("{}\n{block}\n", text.trim_end()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_keep_about_three_digits() {
        assert_eq!(figure(Some(1234.5)), "1234");
        assert_eq!(figure(Some(12.345)), "12.3");
        assert_eq!(figure(Some(0.1234)), "0.12");
        assert_eq!(figure(Some(f64::NAN)), "—");
        assert_eq!(figure(None), "—");
        assert_eq!(fixed(Some(2.0), 1), "2.0");
    }

    #[test]
    fn sections_are_replaced_or_appended() {
        let text = "# B\n<!-- a:begin -->\nold\n<!-- a:end -->\ntail\n";
        assert_eq!(
            replace_section(text, "a", "new\n"),
            "# B\n<!-- a:begin -->\nnew\n<!-- a:end -->\ntail\n"
        );
        assert!(
            replace_section(text, "b", "x\n").ends_with("<!-- b:begin -->\nx\n<!-- b:end -->\n")
        );
    }
}
