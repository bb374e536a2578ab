//! Every chart as a table: what the page shows beside a chart (and gives screen
//! readers), and what its CSV export holds.
//!
//! One function per chart family, each taking what its chart takes (a [`Report`], or
//! several where the chart overlays runs) and computing what the chart draws the same
//! way the chart does: the same points, the same fit, the same flags. A table holds the
//! numbers in full; rounding them for display is the page's business.

use crate::chart::DEPTH_METRICS;
use crate::chart::contamination_hints;
use crate::chart::lpp_radar_series;
use crate::chart::utility_law::{MIN_PERFORMANCE_PCT, TITLE as LAW_TITLE, law, law_equation};
use crate::schema::Report;
use mechscope_metrics::ais::{AisRun, Metric};
use mechscope_metrics::lpp::profile::Scale;
use mechscope_metrics::mui::{AUTHORS_FIT, LawPoint, fit_utility_law};
use std::fmt::Write as _;

/// A titled table: named columns with units, rows of cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// What the table shows, as its chart's title says it (the caption on the page).
    pub title: String,
    pub columns: Vec<Column>,
    /// One cell per column each.
    pub rows: Vec<Vec<Cell>>,
}

/// A column's name and the unit of its numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    /// `%`, `s`, ...; `None` for text, counts and ratios without a unit.
    pub unit: Option<String>,
}

impl Column {
    fn new(name: impl Into<String>) -> Self {
        Column {
            name: name.into(),
            unit: None,
        }
    }

    fn with_unit(name: impl Into<String>, unit: &str) -> Self {
        Column {
            name: name.into(),
            unit: Some(unit.to_string()),
        }
    }

    /// The header as the CSV and the page write it: `name (unit)`.
    pub fn header(&self) -> String {
        match &self.unit {
            Some(unit) => format!("{} ({unit})", self.name),
            None => self.name.clone(),
        }
    }
}

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    /// In full precision; NaN where a metric left a value undefined as NaN.
    Number(f64),
    /// No value: undefined (an AIS at chance), or not measured by this run.
    Empty,
}

impl Cell {
    fn text(text: impl Into<String>) -> Self {
        Cell::Text(text.into())
    }

    fn count(n: usize) -> Self {
        Cell::Number(n as f64)
    }

    fn maybe(value: Option<f64>) -> Self {
        value.map_or(Cell::Empty, Cell::Number)
    }

    fn yes_no(yes: bool) -> Self {
        Cell::text(if yes { "yes" } else { "no" })
    }
}

impl Table {
    /// The table as CSV (RFC 4180): a header row of `name (unit)`, then the rows; fields
    /// separated by commas, lines by CRLF, a field quoted when it holds a comma, a
    /// quote, CR or LF, with its quotes doubled.
    ///
    /// Numbers are written so that they read back to the same `f64`: the shortest
    /// decimal that does (`0.1`, `12`, `-0`), with an exponent below 1e-5 and from 1e16
    /// up (`1e-7`, `1.5e300`); NaN and infinities as `NaN`, `inf`, `-inf` (what Rust's
    /// and Python's `float()` read). An empty cell is an empty field.
    ///
    /// A text field that begins with `=`, `+`, `-`, `@`, a tab or CR gets a leading `'`:
    /// spreadsheets would run it as a formula, and a report can come from anyone's
    /// link (a model named `=HYPERLINK(...)`). This is the one place where the CSV
    /// differs from the table's text.
    ///
    /// ```
    /// use mechscope_report::table::{Cell, Column, Table};
    /// let table = Table {
    ///     title: "demo".into(),
    ///     columns: vec![
    ///         Column { name: "model".into(), unit: None },
    ///         Column { name: "MUI".into(), unit: Some("%".into()) },
    ///     ],
    ///     rows: vec![vec![Cell::Text("a, \"b\"".into()), Cell::Number(0.1)]],
    /// };
    /// assert_eq!(table.to_csv(), "model,MUI (%)\r\n\"a, \"\"b\"\"\",0.1\r\n");
    /// ```
    pub fn to_csv(&self) -> String {
        let mut csv = String::new();
        let header: Vec<String> = self.columns.iter().map(Column::header).collect();
        write_record(&mut csv, header.iter().map(|h| text_field(h)));
        for row in &self.rows {
            write_record(&mut csv, row.iter().map(cell_field));
        }
        csv
    }
}

fn write_record(csv: &mut String, fields: impl Iterator<Item = String>) {
    for (i, field) in fields.enumerate() {
        if i > 0 {
            csv.push(',');
        }
        csv.push_str(&field);
    }
    csv.push_str("\r\n");
}

fn cell_field(cell: &Cell) -> String {
    match cell {
        Cell::Text(text) => text_field(text),
        Cell::Number(value) => number_text(*value),
        Cell::Empty => String::new(),
    }
}

fn text_field(text: &str) -> String {
    let guarded = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if guarded.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// The shortest text that reads back to `value` (Rust's float formatting is shortest
/// round trip in both notations).
fn number_text(value: f64) -> String {
    let magnitude = value.abs();
    if value.is_finite() && magnitude != 0.0 && !(1e-5..1e16).contains(&magnitude) {
        format!("{value:e}")
    } else {
        // `{}` writes NaN, inf and -inf as such.
        format!("{value}")
    }
}

/// The subject line of a report, as the page's charts title it: `model · task`.
fn subject(report: &Report) -> String {
    format!("{} · {}", report.model.id, report.task.spec)
}

/// Names for several runs: the model's id, numbered where two runs share one.
fn run_labels(reports: &[&Report]) -> Vec<String> {
    reports
        .iter()
        .enumerate()
        .map(|(i, report)| {
            let id = &report.model.id;
            let same = reports.iter().filter(|r| &r.model.id == id).count();
            if same > 1 {
                format!("{id} (run {})", i + 1)
            } else {
                id.clone()
            }
        })
        .collect()
}

/// The [`mui_layers`](crate::chart::mui_layers) chart's bars and line: per layer the
/// neurons in the union, the layer's width and their share, then the same for all
/// layers together (the overall MUI, the dashed line). `None` for a report of another
/// metric.
pub fn mui_layers(report: &Report) -> Option<Table> {
    let run = report.mui()?;
    let result = &run.result;
    let d_ff = result.neuron_set.d_ff;
    let share = |used: usize| (d_ff > 0).then(|| used as f64 / d_ff as f64 * 100.0);
    let mut rows: Vec<Vec<Cell>> = result
        .union_per_layer
        .iter()
        .enumerate()
        .map(|(layer, &used)| {
            vec![
                Cell::count(layer),
                Cell::count(used),
                Cell::count(d_ff),
                Cell::maybe(share(used)),
            ]
        })
        .collect();
    rows.push(vec![
        Cell::text("all layers"),
        Cell::count(result.union_size),
        Cell::count(result.total_neurons),
        Cell::Number(result.mui * 100.0),
    ]);
    Some(Table {
        title: format!("MUI per layer · {}", subject(report)),
        columns: vec![
            Column::new("layer"),
            Column::new("neurons used"),
            Column::new("MLP neurons"),
            Column::with_unit("share used", "%"),
        ],
        rows,
    })
}

/// The Utility-Law points of MUI reports that have a scored accuracy, as the page
/// plots them: labelled `model · task`, P and MUI in percent.
pub fn law_points(reports: &[Report]) -> Vec<LawPoint> {
    reports
        .iter()
        .filter_map(|report| {
            let run = report.mui()?;
            let accuracy = run.accuracy.and_then(|a| a.value())?;
            Some(LawPoint {
                label: subject(report),
                performance_pct: accuracy * 100.0,
                mui_pct: run.result.mui * 100.0,
            })
        })
        .collect()
}

/// The [`utility_law`](crate::chart::utility_law) chart: one row per point, in the
/// order given, with what the chart does with it: whether it is plotted (P ≥ 0.001 %
/// and both values numbers), the fitted MUI at its P and its residual (the fit is over
/// the plotted points, as on the chart), the authors' curve at its P, and whether it
/// is flagged as a contamination hint (residual below -2σ).
pub fn utility_law(points: &[LawPoint]) -> Table {
    let plottable = |p: &LawPoint| {
        p.performance_pct.is_finite()
            && p.performance_pct >= MIN_PERFORMANCE_PCT
            && p.mui_pct.is_finite()
    };
    let plotted: Vec<LawPoint> = points.iter().filter(|p| plottable(p)).cloned().collect();
    let fit = fit_utility_law(&plotted);
    let hints = fit.as_ref().map(contamination_hints).unwrap_or_default();
    let title = match &fit {
        Ok(fit) => format!(
            "{LAW_TITLE} · fit: {}, R² = {:.3}",
            law_equation(fit.a, fit.b),
            fit.r2
        ),
        Err(error) => format!("{LAW_TITLE} · no fit: {error}"),
    };
    let mut plotted_index = 0;
    let rows = points
        .iter()
        .map(|point| {
            let p = point.performance_pct;
            let authors = (p.is_finite() && p > 0.0).then(|| law(AUTHORS_FIT, p));
            let (on_chart, fitted, residual, hint) = if plottable(point) {
                let i = plotted_index;
                plotted_index += 1;
                let fitted = fit.as_ref().ok().map(|f| law((f.a, f.b), p));
                let residual = fit.as_ref().ok().and_then(|f| f.residuals.get(i).copied());
                (true, fitted, residual, hints.contains(&i))
            } else {
                (false, None, None, false)
            };
            vec![
                Cell::text(point.label.clone()),
                Cell::Number(p),
                Cell::Number(point.mui_pct),
                Cell::maybe(fitted),
                Cell::maybe(residual),
                Cell::maybe(authors),
                Cell::yes_no(on_chart),
                Cell::yes_no(hint),
            ]
        })
        .collect();
    Table {
        title,
        columns: vec![
            Column::new("point"),
            Column::with_unit("performance P", "%"),
            Column::with_unit("MUI", "%"),
            Column::with_unit("fitted MUI at P", "%"),
            Column::with_unit("residual", "percentage points"),
            Column::with_unit("authors' fit at P", "%"),
            Column::new("plotted"),
            Column::new("contamination hint"),
        ],
        rows,
    }
}

/// The title the page gives one budget's AIS charts.
fn ais_title(run: &AisRun) -> String {
    format!(
        "AIS at k = {} ({} weights zeroed per mask)",
        run.settings.k, run.n_sel
    )
}

/// The AIS heatmap and radars (every benchmark's profile), one table per budget in
/// the order they ran: a row per benchmark with its items, accuracy before removal (by
/// the run's metric) and chance, then its AIS for each removed ability; empty where the
/// AIS is undefined (accuracy at or below chance). Empty for a report of another
/// metric.
pub fn ais_profiles(report: &Report) -> Vec<Table> {
    let Some(ais) = report.ais() else {
        return Vec::new();
    };
    ais.runs
        .iter()
        .map(|run| {
            let mut columns = vec![
                Column::new("benchmark"),
                Column::new("items"),
                Column::new(match run.settings.metric {
                    Metric::Acc => "accuracy (acc)",
                    Metric::AccNorm => "accuracy (acc_norm)",
                }),
                Column::new("chance"),
            ];
            columns.extend(
                run.abilities
                    .iter()
                    .map(|a| Column::new(format!("AIS without {}", a.name))),
            );
            let rows = run
                .benchmarks
                .iter()
                .map(|b| {
                    let mut row = vec![
                        Cell::text(b.name.clone()),
                        Cell::count(b.n_items),
                        Cell::Number(b.base.metric(run.settings.metric)),
                        Cell::Number(b.chance),
                    ];
                    // One cell per ability column, whatever the report holds.
                    row.extend(
                        (0..run.abilities.len())
                            .map(|i| Cell::maybe(b.abilities.get(i).and_then(|a| a.ais.value()))),
                    );
                    row
                })
                .collect();
            Table {
                title: format!("{} · {}", ais_title(run), subject(report)),
                columns,
                rows,
            }
        })
        .collect()
}

/// The [`similarity_matrix`](crate::chart::similarity_matrix) chart, one table per
/// budget: benchmark × benchmark profile similarity (1 − Jensen–Shannon divergence),
/// empty where a profile has no positive AIS.
pub fn ais_similarity(report: &Report) -> Vec<Table> {
    let Some(ais) = report.ais() else {
        return Vec::new();
    };
    ais.runs
        .iter()
        .map(|run| {
            let names = run.benchmark_names();
            let mut columns = vec![Column::new("benchmark")];
            columns.extend(names.iter().map(|n| Column::new(n.clone())));
            let rows = names
                .iter()
                .enumerate()
                .map(|(i, name)| {
                    let row = run.similarity.get(i);
                    let mut cells = vec![Cell::text(name.clone())];
                    cells.extend(
                        (0..names.len())
                            .map(|j| Cell::maybe(row.and_then(|r| r.get(j)).copied().flatten())),
                    );
                    cells
                })
                .collect();
            Table {
                title: format!(
                    "Benchmark profile similarity (1 − Jensen–Shannon divergence) at k = {} · {}",
                    run.settings.k,
                    subject(report)
                ),
                columns,
                rows,
            }
        })
        .collect()
}

/// The [`lpp_radar`](crate::chart::lpp_radar) chart over the LPP reports among
/// `reports` (others are skipped): a row per run and metric, with the raw value, the
/// range the radar maps to [0, 1] and where the value sits on that spoke. As on the
/// radar, every run is placed on the first run's range for a metric.
pub fn lpp_profile(reports: &[Report]) -> Table {
    let runs: Vec<&Report> = reports.iter().filter(|r| r.lpp().is_some()).collect();
    let labels = run_labels(&runs);
    let profiles: Vec<(&str, &[_])> = runs
        .iter()
        .zip(&labels)
        .filter_map(|(r, label)| Some((label.as_str(), r.lpp()?.profile.as_slice())))
        .collect();
    let (axes, series) = lpp_radar_series(&profiles);
    let mut rows = Vec::new();
    for ((label, profile), on_radar) in profiles.iter().zip(&series) {
        for (axis, normalised) in axes.iter().zip(&on_radar.values) {
            let Some(measured) = profile.iter().find(|a| a.name == axis.name) else {
                continue;
            };
            rows.push(vec![
                Cell::text(*label),
                Cell::text(axis.name.clone()),
                Cell::Number(measured.value),
                Cell::Number(axis.range[0]),
                Cell::Number(axis.range[1]),
                Cell::text(match axis.scale {
                    Scale::Linear => "linear",
                    Scale::Log => "log",
                }),
                Cell::maybe(*normalised),
            ]);
        }
    }
    let title = match labels.as_slice() {
        [one] => format!("LPP profile · {one}"),
        _ => "LPP profiles".to_string(),
    };
    Table {
        title,
        columns: vec![
            Column::new("run"),
            Column::new("metric"),
            Column::new("value"),
            Column::new("range low"),
            Column::new("range high"),
            Column::new("scale"),
            Column::with_unit("on the radar", "0–1"),
        ],
        rows,
    }
}

/// The [`lpp_depth_curves`](crate::chart::lpp_depth_curves) charts over the LPP
/// reports among `reports` that measured the probe text: one table per chart of
/// [`DEPTH_METRICS`], in its order, with a row per relative depth `l/L` and a column
/// per run. Runs resampled to different grids share the rows of every depth any of
/// them has, with empty cells where a run has none.
pub fn lpp_depth_curves(reports: &[Report]) -> Vec<Table> {
    let runs: Vec<&Report> = reports
        .iter()
        .filter(|r| r.lpp().is_some_and(|run| run.text.is_some()))
        .collect();
    let labels = run_labels(&runs);
    let curves: Vec<_> = runs
        .iter()
        .filter_map(|r| r.lpp()?.text.as_ref().map(|t| &t.on_depth))
        .collect();
    let mut depths: Vec<f64> = curves
        .iter()
        .flat_map(|c| c.depth.iter().copied())
        .collect();
    depths.sort_by(f64::total_cmp);
    depths.dedup_by(|a, b| a.to_bits() == b.to_bits());
    DEPTH_METRICS
        .iter()
        .map(|metric| {
            let mut columns = vec![Column::with_unit("relative depth", "l/L")];
            columns.extend(
                labels
                    .iter()
                    .map(|label| Column::with_unit(label.clone(), metric.axis)),
            );
            let rows = depths
                .iter()
                .map(|&d| {
                    let mut row = vec![Cell::Number(d)];
                    row.extend(curves.iter().map(|c| {
                        let at = c.depth.iter().position(|x| x.to_bits() == d.to_bits());
                        Cell::maybe(at.and_then(|i| (metric.values)(c).get(i)).copied())
                    }));
                    row
                })
                .collect();
            let mut title = format!("{} over relative depth", metric.title);
            if let [one] = labels.as_slice() {
                let _ = write!(title, " · {one}");
            }
            Table {
                title,
                columns,
                rows,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
