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
use std::process::Command;

pub fn run(paths: &Paths) -> Result<()> {
    setup::run(paths)?;
    let machine = machine_section();
    println!("{machine}");

    println!("\n== formats, native (release)");
    shell::run(Command::new("cargo").current_dir(&paths.root).args([
        "build",
        "--release",
        "--quiet",
        "-p",
        "mechscope-cli",
    ]))?;
    let cli = paths.target.join("release/mechscope");
    let native = json_from(
        Command::new(&cli)
            .arg("bench-formats")
            .arg(paths.demo_model()),
    )?;

    println!("\n== formats, wasm in headless Chromium (release page)");
    let dist = test::build_page(paths, true)?;
    let base = server::spawn(Site::new(paths, &dist))?;
    let wasm = json_from(
        Command::new("node")
            .current_dir(&paths.root)
            .env("BASE_URL", &base)
            .env("NODE_PATH", paths.node_modules())
            .arg("tests/bench/formats.cjs"),
    )?;

    let formats = formats_section(&native, &wasm);
    println!("{formats}");
    let file = paths.root.join("BENCHMARKS.md");
    let mut text = std::fs::read_to_string(&file).unwrap_or_else(|_| {
        "# Benchmarks\n\nWritten by `cargo xtask bench`; each section is rewritten when it is measured again.\n\n".to_string()
    });
    text = replace_section(&text, "machine", &machine);
    text = replace_section(&text, "formats", &formats);
    std::fs::write(&file, text)?;
    println!("\nwrote {}", file.display());
    Ok(())
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
