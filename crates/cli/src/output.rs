//! What every metric command writes: the report (a file and/or stdout), charts, the
//! model's identity, and progress on stderr.

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use mechscope_model::LoadedModel;
use mechscope_report::{ModelInfo, ModelSource, Report};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Charts are written at the size they are designed for; an SVG scales without loss.
pub const CHART_SIZE_PX: (u32, u32) = (800, 400);

pub fn write_svg(path: &Path, svg: &str) -> Result<()> {
    std::fs::write(path, svg).with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!("chart written to {}", path.display());
    Ok(())
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The model's identity for the report: file name and content hash.
pub fn model_source(path: &Path) -> Result<(String, ModelSource)> {
    let file = if path.is_dir() {
        let mut weights: Vec<PathBuf> = std::fs::read_dir(path)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "safetensors"))
            .collect();
        weights.sort();
        weights.into_iter().next().context("no .safetensors file")?
    } else {
        path.to_path_buf()
    };
    let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
    let name = |p: &Path| {
        p.file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned()
    };
    let id = name(path).trim_end_matches(".gguf").to_string();
    Ok((
        id,
        ModelSource::File {
            name: name(&file),
            sha256: sha256_hex(&bytes),
        },
    ))
}

/// The model's identity as a report records it (weights stay `f32` once loaded).
pub fn model_info(path: &Path, model: &LoadedModel) -> Result<ModelInfo> {
    let (id, source) = model_source(path)?;
    Ok(ModelInfo::new(id, source, &model.config, "f32"))
}

pub fn progress_bar() -> ProgressBar {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg:>10} {bar:30} {pos}/{len} ({elapsed}, eta {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// Writes `report` as pretty JSON to `out` and/or stdout.
pub fn write_report(report: &Report, out: Option<&Path>, stdout: bool) -> Result<()> {
    let json = serde_json::to_string_pretty(report)?;
    if let Some(path) = out {
        std::fs::write(path, &json).with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("report written to {}", path.display());
    }
    if stdout {
        println!("{json}");
    }
    Ok(())
}
