//! One LPP per-layer metric over relative depth `l / L` (metrics.md §3), several runs
//! overlaid: a 30-layer model and a 12-layer one compare point by point because both
//! are resampled to the same grid (0, 0.05, ..., 1).
//!
//! What a reader looks for is the shape: where the logit-lens entropy drops (the model
//! commits to an answer), where layers change the residual stream most (drift), how the
//! hidden states' scale and spread evolve. The x axis is therefore always the full
//! 0..1, and each run is a line with its own colour, dash and marker, as on the radars.

use super::look::{self, Look, Ticked};
use super::series::{Legend, MAX_SERIES, SERIES_STYLES, Swatch, draw_line, draw_marker};
use super::{ChartError, no_data};
use mechscope_metrics::lpp::latent::DepthCurves;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

/// Series labels in the legend longer than this are cut first.
const MAX_LABEL_CHARS: usize = 48;

/// One per-layer metric of [`DepthCurves`] as the page charts it: the chart's id,
/// title and y axis, and where its values are. The charts and their tables
/// ([`crate::table::lpp_depth_curves`]) take their names from here.
#[derive(Debug, Clone, Copy)]
pub struct DepthMetric {
    /// The chart's id on the page (and in a share link's view state).
    pub id: &'static str,
    /// The per-layer field of the report (metrics.md's name) that the curve resamples;
    /// the CLI names its chart files after it.
    pub field: &'static str,
    pub title: &'static str,
    /// What the y axis measures.
    pub axis: &'static str,
    pub values: fn(&DepthCurves) -> &[f64],
}

/// The per-depth charts, in the page's order.
pub const DEPTH_METRICS: [DepthMetric; 5] = [
    DepthMetric {
        id: "lpp-depth-lens",
        field: "logit_lens_entropy",
        title: "Logit-lens entropy",
        axis: "entropy / ln V",
        values: |c| &c.logit_lens_entropy,
    },
    DepthMetric {
        id: "lpp-depth-drift",
        field: "layer_drift",
        title: "Layer drift",
        axis: "1 − cos(h_l, h_l+1)",
        values: |c| &c.layer_drift,
    },
    DepthMetric {
        id: "lpp-depth-norm",
        field: "hidden_norm",
        title: "Hidden norm",
        axis: "‖h‖ / √d",
        values: |c| &c.hidden_norm,
    },
    DepthMetric {
        id: "lpp-depth-anisotropy",
        field: "anisotropy",
        title: "Anisotropy",
        axis: "mean cosine of positions",
        values: |c| &c.anisotropy,
    },
    DepthMetric {
        id: "lpp-depth-erank",
        field: "effective_rank_frac",
        title: "Effective rank / d",
        axis: "effective rank / d",
        values: |c| &c.effective_rank_frac,
    },
];

/// One run's curve: its label and its values at the relative depths `depth` (the same
/// length; a value that is not a number leaves a gap in the line).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DepthCurve<'a> {
    pub label: &'a str,
    pub depth: &'a [f64],
    pub values: &'a [f64],
}

impl DepthCurve<'_> {
    /// The points that can be drawn, in order: depth within [0, 1], both finite. A gap
    /// (a dropped point) splits the line: `None` marks it.
    fn points(&self) -> Vec<Option<(f64, f64)>> {
        self.depth
            .iter()
            .zip(self.values)
            .map(|(&x, &y)| {
                (x.is_finite() && (0.0..=1.0).contains(&x) && y.is_finite()).then_some((x, y))
            })
            .collect()
    }

    /// Why this curve cannot be drawn, or `None`.
    fn problem(&self) -> Option<&'static str> {
        if self.depth.len() != self.values.len() {
            Some("depths and values of different lengths")
        } else if self.points().iter().all(Option::is_none) {
            Some("no value")
        } else {
            None
        }
    }
}

/// Round bounds for the y axis over `min..=max`: from 0 when every value is positive
/// (a scale, an entropy, a share), else a little below the smallest; a tenth of the
/// span above the largest.
fn y_range(min: f64, max: f64) -> (f64, f64) {
    let span = (max - min).abs().max(max.abs() * 0.1).max(1e-6);
    let low = if min >= 0.0 { 0.0 } else { min - 0.05 * span };
    let high = max + 0.1 * span;
    (low, if high > low { high } else { low + 1.0 })
}

/// Draws `metric_name` over relative depth for each of `curves` (up to four; more are
/// left out and counted in the subtitle), titled `title`.
///
/// The x axis is relative depth `l/L` from 0 (the embeddings) to 1 (the last layer);
/// the y axis starts at 0 when every value is positive. Each run's line has its own
/// colour, dash and marker, named in the legend on the right. Curves whose depths and
/// values differ in length, or that have no finite value, are left out and counted;
/// when none is left, a "no data" chart says why.
pub fn lpp_depth_curves<DB>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    metric_name: &str,
    curves: &[DepthCurve<'_>],
) -> Result<(), ChartError>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let heading = if title.is_empty() {
        format!("{metric_name} over relative depth")
    } else {
        title.to_string()
    };
    let usable: Vec<&DepthCurve<'_>> = curves.iter().filter(|c| c.problem().is_none()).collect();
    if usable.is_empty() {
        let reason = match curves.first() {
            None => "No per-depth values yet.\nEach LPP run with the probe text adds a curve."
                .to_string(),
            Some(first) => {
                let why = first.problem().unwrap_or("no value");
                let more = match curves.len() {
                    1 => String::new(),
                    n => format!(" (and {} more)", n - 1),
                };
                format!(
                    "No curve can be drawn:\n{} has {why}{more}.",
                    look::shorten(first.label, 30)
                )
            }
        };
        return no_data(area, &heading, &reason);
    }
    let shown = &usable[..usable.len().min(MAX_SERIES)];
    let left_out = curves.len() - usable.len();
    let (min, max) = shown
        .iter()
        .flat_map(|c| c.points().into_iter().flatten().map(|(_, y)| y))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), y| {
            (lo.min(y), hi.max(y))
        });
    let (y_low, y_high) = y_range(min, max);

    let look = Look::for_area(area);
    area.fill(&WHITE)?;
    let body = area.titled(&look.fit_width(&heading, 26.0, 0.95), look.title())?;
    let mut notes = vec!["layer l of L at l/L: 0 = embeddings, 1 = last layer".to_string()];
    if usable.len() > shown.len() {
        notes.push(format!("showing {} of {} runs", shown.len(), usable.len()));
    }
    if left_out > 0 {
        notes.push(format!("{left_out} left out (nothing to draw)"));
    }
    let body = body.titled(
        &look.fit_width(&notes.join("; "), 21.0, 0.95),
        look.subtitle(),
    )?;
    if !look::has_room(&body, &look) {
        return Ok(());
    }

    let entries = shown
        .iter()
        .enumerate()
        .map(|(i, c)| (Swatch::Series(i), look::shorten(c.label, MAX_LABEL_CHARS)))
        .collect();
    let legend = Legend::fit(&body, &look, entries, 0.42)?;
    let (width, _) = look::pixel_size(&body);
    let plot_width = (width - legend.width).max(width * 0.55);
    let (plot_area, legend_area) = body.split_horizontally(plot_width.round() as i32);

    let ticks = vec![0.0, 0.25, 0.5, 0.75, 1.0];
    let mut chart = ChartBuilder::on(&plot_area)
        .margin(look.px(10.0))
        .margin_right(look.px(18.0))
        .x_label_area_size(look.px(52.0))
        .y_label_area_size(look.px(66.0))
        .build_cartesian_2d(
            // A little room either side, so that the markers at 0 and 1 sit clear of
            // the y axis and of the plot's edge.
            Ticked::new(RangedCoordf64::from(-0.025..1.025), ticks),
            y_low..y_high,
        )?;
    chart
        .configure_mesh()
        .max_light_lines(0)
        .bold_line_style(look::FRAME.stroke_width(look.stroke(1.0)))
        .axis_style(look::INK.stroke_width(look.stroke(2.0)))
        .x_desc("relative depth l/L")
        .y_desc(metric_name)
        .axis_desc_style(look.text(21.0))
        .label_style(look.text(18.0))
        .x_label_formatter(&look::axis_number)
        .y_labels(6)
        .y_label_formatter(&look::axis_number)
        .draw()?;

    // Lines and markers in pixels, so that a dash runs on across the grid points and
    // every series has the radar's marker shapes. They are drawn on the whole chart
    // area rather than the plotting area, which would cut a marker on its edge in half.
    let plot = chart.plotting_area();
    let (base_x, base_y) = plot_area.get_base_pixel();
    let to_pixel = |point: &(f64, f64)| {
        let (x, y) = plot.map_coordinate(point);
        (f64::from(x - base_x), f64::from(y - base_y))
    };
    let canvas = &plot_area;
    let marker_radius = look.px(4.5);
    for (curve, style) in shown.iter().zip(&SERIES_STYLES) {
        let points = curve.points();
        for run in points.split(Option::is_none) {
            let pixels: Vec<(f64, f64)> = run.iter().flatten().map(to_pixel).collect();
            if pixels.len() >= 2 {
                draw_line(canvas, &look, style, &pixels, look.stroke(3.0), 1.0)?;
            }
        }
    }
    for (curve, style) in shown.iter().zip(&SERIES_STYLES) {
        for point in curve.points().iter().flatten() {
            draw_marker(
                canvas,
                style.marker,
                to_pixel(point),
                marker_radius,
                style.colour,
                true,
                look.stroke(2.0),
            )?;
        }
    }
    legend.draw(&legend_area, &look, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_y_range_starts_at_zero_for_positive_values() {
        assert_eq!(y_range(0.2, 0.8).0, 0.0);
        let (low, high) = y_range(-0.1, 0.9);
        assert!(low < -0.1 && high > 0.9, "{low} {high}");
        // A flat curve still gets a range.
        let (low, high) = y_range(0.0, 0.0);
        assert!(high > low, "{low} {high}");
    }

    #[test]
    fn gaps_and_stray_depths_are_not_points() {
        let curve = DepthCurve {
            label: "x",
            depth: &[0.0, 0.5, 1.0, 1.5],
            values: &[1.0, f64::NAN, 0.5, 0.2],
        };
        assert_eq!(
            curve.points(),
            vec![Some((0.0, 1.0)), None, Some((1.0, 0.5)), None]
        );
        let short = DepthCurve {
            values: &[1.0],
            ..curve
        };
        assert!(short.problem().is_some());
    }
}
