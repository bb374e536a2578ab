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

/// Where a command draws its charts: SVG and/or PNG files, the page's charts drawn by
/// the same code.
#[derive(clap::Args, Debug, Default)]
pub struct ChartFiles {
    /// Draw the charts into this SVG file; a command with several charts writes them
    /// beside it, named after it (`lpp.svg` gives `lpp.radar.svg`,
    /// `lpp.depth.layer_drift.svg`, ...).
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
    /// The same charts as PNG, named the same way, at twice their size in pixels, the
    /// labels drawn with the system's fonts.
    #[arg(long, value_name = "FILE")]
    pub png: Option<PathBuf>,
}

impl ChartFiles {
    /// Whether any chart file was asked for (drawing can be skipped otherwise).
    pub fn wanted(&self) -> bool {
        self.svg.is_some() || self.png.is_some()
    }

    /// Writes one chart, drawn as `svg`: `name` tells it from the command's other
    /// charts, `None` for a command that draws one (the file is then the path given).
    pub fn write(&self, name: Option<&str>, svg: &str) -> Result<()> {
        if let Some(path) = &self.svg {
            write_chart(&named(path, name, "svg"), svg.as_bytes())?;
        }
        if let Some(path) = &self.png {
            let png =
                crate::png::svg_to_png(svg, crate::png::PNG_SCALE, crate::png::system_fonts())?;
            write_chart(&named(path, name, "png"), &png)?;
        }
        Ok(())
    }
}

/// `path` for the chart called `name`: `{stem}.{name}.{extension}` beside it.
fn named(path: &Path, name: Option<&str>, extension: &str) -> PathBuf {
    let Some(name) = name else {
        return path.to_path_buf();
    };
    let stem = path
        .file_stem()
        .map_or_else(|| "chart".into(), |s| s.to_string_lossy().into_owned());
    path.with_file_name(format!("{stem}.{name}.{extension}"))
}

fn write_chart(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
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

/// The reports in `paths`, each with the file it came from: a file holds one report (the
/// CLI's `--out`, the page's "Download") or a JSON array of them (the page's "Download
/// the reports", offered when results are too large for a link).
pub fn read_reports(paths: &[PathBuf]) -> Result<Vec<(PathBuf, Report)>> {
    let mut reports = Vec::new();
    for path in paths {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        // The report crate's reader: its errors say what is wrong in words.
        let list = Report::list_from_json(&bytes).with_context(|| path.display().to_string())?;
        reports.extend(list.into_iter().map(|report| (path.clone(), report)));
    }
    Ok(reports)
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
