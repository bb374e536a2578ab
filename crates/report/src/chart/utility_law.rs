//! The Utility Law chart: (P, MUI) points of (model, task) pairs, the least-squares fit
//! `MUI = a ln P + b`, the authors' fit for reference, and the points that sit far below
//! the fit (metrics.md §1, corollaries: a contamination hint).
//!
//! P is drawn on a logarithmic axis. The law is linear in `ln P`, so on this axis both
//! curves are straight lines and a point's residual is its plain vertical distance from
//! a line, which is what a reader is asked to judge; a linear 1..100 axis would bend the
//! curves and crowd the low-P points into the left edge.

use super::labels::{PixelBox, place_labels};
use super::look::{self, Look, Ticked, shorten};
use super::{ChartError, no_data};
use mechscope_metrics::mui::{AUTHORS_FIT, LawFit, LawPoint, fit_utility_law};
use plotters::coord::Shift;
use plotters::coord::combinators::LogCoord;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

pub(crate) const TITLE: &str = "Utility Law: MUI = a ln P + b";
/// Below this, a performance in percent is indistinguishable from 0 and has no place on
/// a log axis.
pub(crate) const MIN_PERFORMANCE_PCT: f64 = 1e-3;
/// Points needed before a residual can be called unusual.
const MIN_POINTS_FOR_HINTS: usize = 4;
/// How far below the fit, in standard deviations of the residuals, a point is flagged.
const HINT_SIGMAS: f64 = 2.0;
/// Point labels longer than this are cut: they are names, not prose.
const MAX_LABEL_CHARS: usize = 30;

/// The points (indices into `fit.residuals`, i.e. into the fitted points) whose residual
/// is below `-2σ`, σ the standard deviation of all residuals (their mean is 0 for a
/// least-squares fit, so σ is their root mean square).
///
/// A model that scores well on a task while using abnormally few neurons for it is what
/// the MUI paper reads as a hint of contamination (the answers are recalled, not worked
/// out). With fewer than 4 points nothing is flagged: the spread is not yet known.
/// Note that with σ taken over all n residuals, one outlier can reach at most
/// `sqrt(n - 1)` σ, so in practice a hint needs 6 or more points.
///
/// ```
/// use mechscope_metrics::mui::LawFit;
/// use mechscope_report::chart::contamination_hints;
/// let fit = LawFit { a: -4.0, b: 30.0, r2: 0.9, residuals: vec![0.5, 0.4, 0.6, 0.5, 0.5, -2.5] };
/// assert_eq!(contamination_hints(&fit), vec![5]);
/// ```
pub fn contamination_hints(fit: &LawFit) -> Vec<usize> {
    let n = fit.residuals.len();
    if n < MIN_POINTS_FOR_HINTS {
        return Vec::new();
    }
    let sigma = (fit.residuals.iter().map(|r| r * r).sum::<f64>() / n as f64).sqrt();
    if !(sigma.is_finite() && sigma > 0.0) {
        return Vec::new();
    }
    fit.residuals
        .iter()
        .enumerate()
        .filter(|(_, r)| **r < -HINT_SIGMAS * sigma)
        .map(|(i, _)| i)
        .collect()
}

/// `MUI = a ln P + b` as the legend and the CLI print it, 3 decimals.
pub(crate) fn law_equation(a: f64, b: f64) -> String {
    let sign = if b < 0.0 { '-' } else { '+' };
    format!("MUI = {a:.3} ln P {sign} {:.3}", b.abs())
}

/// Draws the Utility Law chart for `points` (P and MUI in percent).
///
/// The fit is computed here, on the points that can be plotted, so that the line, its
/// equation and R² always describe what is on screen. Points with P ≤ 0 or a value that
/// is not a number are left out and counted in the subtitle; with fewer than 2 usable
/// points, or no spread in P, the points are drawn without a fit and the subtitle says
/// why; with no usable point at all, a "no data" chart is drawn.
pub fn utility_law<DB>(area: &DrawingArea<DB, Shift>, points: &[LawPoint]) -> Result<(), ChartError>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let plotted: Vec<LawPoint> = points
        .iter()
        .filter(|p| {
            p.performance_pct.is_finite()
                && p.performance_pct >= MIN_PERFORMANCE_PCT
                && p.mui_pct.is_finite()
        })
        .cloned()
        .collect();
    let left_out = points.len() - plotted.len();
    if plotted.is_empty() {
        let reason = if points.is_empty() {
            "No (model, task) points yet.\nEach MUI run with a scored accuracy adds one."
                .to_string()
        } else {
            format!(
                "No point can be plotted:\n{left_out} of {} have P ≤ 0 or a value that is not a number.",
                points.len()
            )
        };
        return no_data(area, TITLE, &reason);
    }
    let fit = fit_utility_law(&plotted);
    let hints = fit.as_ref().map(contamination_hints).unwrap_or_default();

    let (p_min, p_max) = min_max(plotted.iter().map(|p| p.performance_pct));
    let x_lo = round_down_125(p_min / 1.25).max(MIN_PERFORMANCE_PCT);
    let x_hi = if p_max <= 100.0 {
        100.0
    } else {
        round_up_125(p_max * 1.25)
    };

    // The y range covers the points and the fitted line over them; the authors' line
    // joins only when it is near, else a few points would be squeezed to the floor.
    let mut y_values: Vec<f64> = plotted.iter().map(|p| p.mui_pct).collect();
    if let Ok(fit) = &fit {
        y_values.extend([law((fit.a, fit.b), p_min), law((fit.a, fit.b), p_max)]);
    }
    let (data_min, data_max) = min_max(y_values.iter().copied());
    let (authors_min, authors_max) =
        min_max([p_min, p_max].into_iter().map(|p| law(AUTHORS_FIT, p)));
    let (mut y_min, mut y_max) = (data_min.min(0.0), data_max);
    if authors_max <= 3.0 * data_max.max(1.0) && authors_min >= y_min {
        y_max = y_max.max(authors_max);
    }
    let span = (y_max - y_min).max(1e-9);
    if y_min < 0.0 {
        y_min -= 0.1 * span;
    }
    y_max = if y_max > y_min {
        y_max + 0.35 * span
    } else {
        y_min + 1.0
    };
    // Beyond this, the axis arithmetic (ticks, 1.35 × span) loses every digit or
    // overflows: such inputs are not percentages anyway.
    const LARGEST_PLOTTABLE: f64 = 1e12;
    if ![x_hi, y_min, y_max]
        .iter()
        .all(|v| v.is_finite() && v.abs() < LARGEST_PLOTTABLE)
    {
        return no_data(
            area,
            TITLE,
            "The values are too large to plot.\nP and MUI are percentages.",
        );
    }
    let authors_range = clip_law(AUTHORS_FIT, (x_lo, x_hi), (y_min, y_max));

    let look = Look::for_area(area);
    area.fill(&WHITE)?;
    let body = area.titled(TITLE, look.title())?;
    let mut first_line = format!(
        "{} (model, task) point{}",
        plotted.len(),
        if plotted.len() == 1 { "" } else { "s" }
    );
    if let Err(error) = &fit {
        first_line.push_str(&format!("; no fit: {error}"));
    }
    let mut notes = Vec::new();
    if left_out > 0 {
        notes.push(format!("{left_out} left out (P ≤ 0 or not a number)"));
    }
    if authors_range.is_none() {
        notes.push("the authors' line lies outside this range".to_string());
    }
    let mut body = body.titled(&look.fit_width(&first_line, 21.0, 0.95), look.subtitle())?;
    if !notes.is_empty() {
        body = body.titled(
            &look.fit_width(&notes.join("; "), 21.0, 0.95),
            look.subtitle(),
        )?;
    }

    let ticks = ticks_125(x_lo, x_hi);
    let mut chart = ChartBuilder::on(&body)
        .margin(look.px(10.0))
        .margin_right(look.px(24.0))
        .x_label_area_size(look.px(52.0))
        .y_label_area_size(look.px(66.0))
        .build_cartesian_2d(
            Ticked::new(LogCoord::from((x_lo..x_hi).log_scale()), ticks),
            y_min..y_max,
        )?;
    chart
        .configure_mesh()
        .max_light_lines(0)
        .bold_line_style(look::FRAME.stroke_width(look.stroke(1.0)))
        .axis_style(look::INK.stroke_width(look.stroke(2.0)))
        .x_desc("performance P (%, log scale)")
        .y_desc("MUI (%)")
        .axis_desc_style(look.text(21.0))
        .label_style(look.text(18.0))
        .x_label_formatter(&|p| format!("{p}"))
        .y_labels(6)
        .y_label_formatter(&look::axis_number)
        .draw()?;

    // What the legend will say, known before drawing so that point labels can keep
    // clear of its box.
    let authors_line = authors_range.map(|range| sample_law(AUTHORS_FIT, range));
    let fit_line = fit.as_ref().ok().and_then(|fit| {
        let reach = ((p_min / 1.25).max(x_lo), (p_max * 1.25).min(x_hi));
        clip_law((fit.a, fit.b), reach, (y_min, y_max)).map(|range| {
            let label = format!("fit: {}, R² = {:.3}", law_equation(fit.a, fit.b), fit.r2);
            (sample_law((fit.a, fit.b), range), label)
        })
    });
    let authors_label = format!(
        "authors (7–9B): {}",
        law_equation(AUTHORS_FIT.0, AUTHORS_FIT.1)
    );
    const MEASURED_LABEL: &str = "measured (model, task)";
    const HINT_LABEL: &str = "contamination hint? (residual < -2σ)";
    let mut legend_lines: Vec<&str> = Vec::new();
    if authors_line.is_some() {
        legend_lines.push(&authors_label);
    }
    if let Some((_, label)) = &fit_line {
        legend_lines.push(label);
    }
    legend_lines.push(MEASURED_LABEL);
    if !hints.is_empty() {
        legend_lines.push(HINT_LABEL);
    }

    let authors_style = look::MUTED.stroke_width(look.stroke(3.0));
    let (dash, gap) = (look.px(12.0), look.px(7.0));
    if let Some(line) = &authors_line {
        chart
            .draw_series(DashedLineSeries::new(
                line.iter().copied(),
                dash,
                gap,
                authors_style,
            ))?
            .label(authors_label.as_str())
            .legend(move |(x, y)| {
                DashedPathElement::new(
                    [(x, y), (x + look.px(22.0) as i32, y)],
                    look.px(7.0),
                    look.px(3.0),
                    authors_style,
                )
            });
    }

    let fit_style = look::BLUE.stroke_width(look.stroke(3.0));
    if let Some((line, label)) = &fit_line {
        chart
            .draw_series(LineSeries::new(line.iter().copied(), fit_style))?
            .label(label.as_str())
            .legend(move |(x, y)| {
                PathElement::new([(x, y), (x + look.px(22.0) as i32, y)], fit_style)
            });
    }

    let radius = look.px(6.0) as i32;
    let regular: Vec<&LawPoint> = plotted
        .iter()
        .enumerate()
        .filter(|(i, _)| !hints.contains(i))
        .map(|(_, p)| p)
        .collect();
    chart
        .draw_series(
            regular
                .iter()
                .map(|p| Circle::new((p.performance_pct, p.mui_pct), radius, look::INK.filled())),
        )?
        .label(MEASURED_LABEL)
        .legend(move |(x, y)| Circle::new((x + radius, y), radius, look::INK.filled()));
    let triangle = look.px(15.0) as i32;
    if !hints.is_empty() {
        chart
            .draw_series(hints.iter().filter_map(|&i| plotted.get(i)).map(|p| {
                TriangleMarker::new(
                    (p.performance_pct, p.mui_pct),
                    triangle,
                    look::VERMILLION.filled(),
                )
            }))?
            .label(HINT_LABEL)
            .legend(move |(x, y)| {
                TriangleMarker::new((x + triangle / 2, y), triangle, look::VERMILLION.filled())
            });
    }

    // Everything below is laid out in pixels of the plotting area.
    let plot = chart.plotting_area();
    let base = plot.get_base_pixel();
    let plot_size = {
        let (w, h) = plot.dim_in_pixel();
        (f64::from(w), f64::from(h))
    };
    let to_px = |(p, mui): (f64, f64)| {
        let (x, y) = chart.backend_coord(&(p, mui));
        (f64::from(x - base.0), f64::from(y - base.1))
    };
    let point_px: Vec<(f64, f64)> = plotted
        .iter()
        .map(|p| to_px((p.performance_pct, p.mui_pct)))
        .collect();
    // The curves as dense runs of pixels, so that the legend and the labels can tell
    // how much of a line they would hide.
    let curve_px: Vec<(f64, f64)> = authors_line
        .iter()
        .chain(fit_line.iter().map(|(line, _)| line))
        .flat_map(|line| {
            let pixels: Vec<(f64, f64)> = line.iter().map(|&xy| to_px(xy)).collect();
            densify(&pixels, look.px(4.0))
        })
        .collect();

    let legend_font = look.text(16.0);
    let legend_margin = look.px(8.0);
    let legend_swatch = look.px(34.0);
    let mut legend_text_width = 0u32;
    let mut last_line_height = 0u32;
    for line in &legend_lines {
        let (w, h) = body.estimate_text_size(line, &legend_font)?;
        legend_text_width = legend_text_width.max(w);
        last_line_height = h;
    }
    // plotters spaces legend lines 1.25 font sizes apart.
    let legend_size = (
        f64::from(legend_text_width) + legend_swatch.round() + 2.0 * legend_margin.round(),
        (legend_lines.len() as f64 - 1.0) * 1.25 * legend_font.font.get_size()
            + f64::from(last_line_height)
            + 2.0 * legend_margin.round(),
    );
    let legend_box = legend_corner(legend_size, plot_size, &point_px, &curve_px, radius.into());

    let label_style = look.text(16.0);
    let labels: Vec<String> = plotted
        .iter()
        .map(|p| shorten(&p.label, MAX_LABEL_CHARS))
        .collect();
    let mut label_sizes = Vec::with_capacity(labels.len());
    for label in &labels {
        let (w, h) = body.estimate_text_size(label, &label_style)?;
        label_sizes.push((f64::from(w), f64::from(h)));
    }
    // Flagged points choose first: their labels matter most.
    let order: Vec<usize> = hints
        .iter()
        .copied()
        .chain((0..plotted.len()).filter(|i| !hints.contains(i)))
        .collect();
    // A label may cross a line, but it would rather not: each few pixels of line it
    // covers count a little against a spot.
    let obstacles: Vec<PixelBox> = std::iter::once(legend_box)
        .chain(curve_px.iter().map(|&p| PixelBox::around(p, look.px(1.5))))
        .collect();
    let placements = place_labels(
        &point_px,
        &label_sizes,
        &order,
        f64::from(radius),
        look.px(13.0),
        plot_size,
        &obstacles,
    );
    for (i, ((point, label), placement)) in plotted.iter().zip(&labels).zip(&placements).enumerate()
    {
        let colour = if hints.contains(&i) {
            look::VERMILLION
        } else {
            look::INK
        };
        let style = label_style.color(&colour).pos(placement.anchor());
        chart.draw_series(std::iter::once(
            EmptyElement::at((point.performance_pct, point.mui_pct))
                + Text::new(label.clone(), placement.offset, style),
        ))?;
    }

    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::Coordinate(
            legend_box.x0.round() as i32,
            legend_box.y0.round() as i32,
        ))
        .label_font(legend_font)
        .background_style(WHITE.mix(0.92))
        .border_style(look::FRAME)
        .margin(legend_margin)
        .legend_area_size(legend_swatch)
        .draw()?;
    Ok(())
}

pub(crate) fn law((a, b): (f64, f64), performance_pct: f64) -> f64 {
    a * performance_pct.ln() + b
}

fn min_max(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    })
}

/// The part of `[x_lo, x_hi]` where the law's curve stays inside `[y_lo, y_hi]`, or
/// `None` when it never does. Drawing only this part keeps lines inside the plot: plotters
/// does not clip series to the plotting area on every backend.
fn clip_law(
    (a, b): (f64, f64),
    (x_lo, x_hi): (f64, f64),
    (y_lo, y_hi): (f64, f64),
) -> Option<(f64, f64)> {
    let (mut u_lo, mut u_hi) = (x_lo.ln(), x_hi.ln());
    if a == 0.0 {
        return (y_lo..=y_hi).contains(&b).then_some((x_lo, x_hi));
    }
    // y = a u + b is monotone in u = ln P: solve for the u where it meets each bound.
    let (at_y_lo, at_y_hi) = ((y_lo - b) / a, (y_hi - b) / a);
    u_lo = u_lo.max(at_y_lo.min(at_y_hi));
    u_hi = u_hi.min(at_y_lo.max(at_y_hi));
    (u_lo < u_hi).then(|| (u_lo.exp(), u_hi.exp()))
}

/// Points along the law's curve, evenly spaced in `ln P`: straight on the log axis, and
/// smooth on a linear one if a caller ever draws it there.
fn sample_law(coefficients: (f64, f64), (from, to): (f64, f64)) -> Vec<(f64, f64)> {
    const SAMPLES: usize = 48;
    let (u0, u1) = (from.ln(), to.ln());
    (0..=SAMPLES)
        .map(|i| {
            let p = (u0 + (u1 - u0) * i as f64 / SAMPLES as f64).exp();
            (p, law(coefficients, p))
        })
        .collect()
}

/// The vertices of a polyline with points added so that none is more than `step`
/// pixels from the next.
fn densify(polyline: &[(f64, f64)], step: f64) -> Vec<(f64, f64)> {
    let mut dense = Vec::new();
    for pair in polyline.windows(2) {
        let ((x0, y0), (x1, y1)) = (pair[0], pair[1]);
        let pieces = ((x1 - x0).hypot(y1 - y0) / step.max(1.0)).ceil().max(1.0) as usize;
        dense.extend((0..pieces).map(|i| {
            let t = i as f64 / pieces as f64;
            (x0 + (x1 - x0) * t, y0 + (y1 - y0) * t)
        }));
    }
    dense.extend(polyline.last());
    dense
}

/// The largest 1, 2 or 5 times a power of ten that is at most `value`.
fn round_down_125(value: f64) -> f64 {
    let decade = 10f64.powf(value.log10().floor());
    [5.0, 2.0, 1.0]
        .into_iter()
        .map(|m| m * decade)
        .find(|&v| v <= value)
        .unwrap_or(decade)
}

/// The smallest 1, 2 or 5 times a power of ten that is at least `value`.
fn round_up_125(value: f64) -> f64 {
    let decade = 10f64.powf(value.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * decade)
        .find(|&v| v >= value)
        .unwrap_or(10.0 * decade)
}

/// Tick values on the log axis, as round numbers a reader can place: every integer
/// multiple of the decade over a narrow range, 1-2-3-5-7 over about a decade, 1-2-5
/// over a few, and only the decades beyond.
fn ticks_125(x_lo: f64, x_hi: f64) -> Vec<f64> {
    let ratio = x_hi / x_lo;
    let mantissas: &[f64] = if ratio <= 3.0 {
        &[1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]
    } else if ratio <= 12.0 {
        &[1.0, 2.0, 3.0, 5.0, 7.0]
    } else if ratio <= 1e4 {
        &[1.0, 2.0, 5.0]
    } else {
        &[1.0]
    };
    let mut ticks = Vec::new();
    let mut decade = 10f64.powf(x_lo.log10().floor());
    while decade <= x_hi {
        for m in mantissas {
            // Rounded so that labels read "0.2", not "0.20000000000000001".
            let tick = round_significant(m * decade);
            if tick >= x_lo * (1.0 - 1e-9) && tick <= x_hi * (1.0 + 1e-9) {
                ticks.push(tick);
            }
        }
        decade *= 10.0;
    }
    ticks
}

fn round_significant(value: f64) -> f64 {
    format!("{value:.6e}").parse().unwrap_or(value)
}

/// The legend's box (in plotting-area pixels, as plotters lays out a corner: 5 pixels
/// in) at the corner that covers the fewest points and the least of the curves; ties go
/// to the upper right, where the law's falling line leaves room.
fn legend_corner(
    (width, height): (f64, f64),
    (plot_width, plot_height): (f64, f64),
    points: &[(f64, f64)],
    curves: &[(f64, f64)],
    marker_radius: f64,
) -> PixelBox {
    let (left, top) = (5.0, 5.0);
    let (right, bottom) = (plot_width - width - 5.0, plot_height - height - 5.0);
    let corners = [(right, top), (left, top), (left, bottom), (right, bottom)];
    let covered = |b: &PixelBox| {
        let points = points
            .iter()
            .filter(|&&p| PixelBox::around(p, marker_radius).overlaps(b))
            .count() as f64;
        let curves = curves
            .iter()
            .filter(|&&p| PixelBox::around(p, 0.0).overlaps(b))
            .count() as f64;
        // A covered point hides data; a covered stretch of line (a curve pixel every few
        // pixels) only hides its course.
        points + 0.05 * curves
    };
    corners
        .into_iter()
        .map(|(x0, y0)| PixelBox {
            x0,
            y0,
            x1: x0 + width,
            y1: y0 + height,
        })
        .fold(None, |best: Option<(f64, PixelBox)>, b| {
            let cost = covered(&b);
            match best {
                Some((c, _)) if c <= cost => best,
                _ => Some((cost, b)),
            }
        })
        .map(|(_, b)| b)
        .unwrap_or(PixelBox {
            x0: right,
            y0: top,
            x1: right + width,
            y1: top + height,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_numbers_around_a_range() {
        assert_eq!(round_down_125(17.0), 10.0);
        assert_eq!(round_down_125(45.0), 20.0);
        assert_eq!(round_down_125(0.7), 0.5);
        assert_eq!(round_up_125(130.0), 200.0);
        assert_eq!(
            ticks_125(10.0, 100.0),
            vec![10.0, 20.0, 30.0, 50.0, 70.0, 100.0]
        );
        assert_eq!(
            ticks_125(1.0, 100.0),
            vec![1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0]
        );
        assert_eq!(ticks_125(0.2, 100.0)[..2], [0.2, 0.5]);
    }

    #[test]
    fn clipping_keeps_the_curve_inside_the_plot() {
        // MUI = -4 ln P + 30 crosses 20 at P = e^2.5 ≈ 12.18 and 10 at e^5 ≈ 148.4.
        let (from, to) = clip_law((-4.0, 30.0), (1.0, 100.0), (10.0, 20.0)).unwrap();
        assert!((from - 2.5f64.exp()).abs() < 1e-9, "{from}");
        assert!((to - 100.0).abs() < 1e-9, "{to}");
        assert_eq!(clip_law((-4.0, 30.0), (1.0, 100.0), (40.0, 50.0)), None);
        assert_eq!(
            clip_law((0.0, 5.0), (1.0, 100.0), (0.0, 10.0)),
            Some((1.0, 100.0))
        );
    }

    #[test]
    fn hints_need_enough_points_and_a_clear_outlier() {
        let fit = |residuals: Vec<f64>| LawFit {
            a: -1.0,
            b: 1.0,
            r2: 0.5,
            residuals,
        };
        assert!(contamination_hints(&fit(vec![1.0, 1.0, -2.0])).is_empty());
        assert!(contamination_hints(&fit(vec![0.0; 8])).is_empty());
        // -1 among ±0.1: well below 2σ ≈ 0.79.
        let residuals = vec![0.1, -0.1, 0.1, -0.1, 0.1, -0.1, 0.1, -1.0];
        assert_eq!(contamination_hints(&fit(residuals)), vec![7]);
    }

    #[test]
    fn equation_reads_like_the_cli() {
        assert_eq!(law_equation(-4.632, 28.305), "MUI = -4.632 ln P + 28.305");
        assert_eq!(law_equation(1.5, -2.0), "MUI = 1.500 ln P - 2.000");
    }
}
