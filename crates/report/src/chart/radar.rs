//! The radar (spider) chart both profiles are drawn as, AIS's (one spoke per ability)
//! and LPP's (one spoke per scalar metric): the web of spokes and rings, the axis labels
//! placed so that they stay inside the area, each series' outline and markers, the
//! values printed beside markers without covering each other, and the legend.
//!
//! What a chart means by its radius is the caller's: [`Radar`] says where the rings
//! are, which ring is bold or dashed, which markers are hollow and which values are
//! printed. A missing value (`None`) leaves a gap in its outline: joining the
//! neighbours across it would draw a value that does not exist.

use super::ChartError;
use super::labels::{PixelBox, place_labels};
use super::look::{self, Look, shorten, split_in_two};
use super::series::{
    Legend, MAX_SERIES, SERIES_STYLES, Swatch, dash_pieces, draw_line, draw_marker,
};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::f64::consts::PI;

/// Fewer spokes make no polygon.
pub(crate) const MIN_AXES: usize = 3;
/// Past this the axis names around the circle run into each other.
pub(crate) const MAX_AXES: usize = 12;

/// One profile on a radar: its name and its value on each axis, in the order of the
/// chart's axes; `None` where it has none.
#[derive(Debug, Clone, PartialEq)]
pub struct RadarSeries {
    pub label: String,
    pub values: Vec<Option<f64>>,
}

/// At most this many profiles on one radar: more overlapping polygons stop being
/// readable (the heatmap shows them all).
pub const RADAR_MAX_SERIES: usize = MAX_SERIES;

impl RadarSeries {
    /// The first [`RADAR_MAX_SERIES`] rows of a matrix (an AIS matrix: benchmarks ×
    /// abilities), each under its row's name.
    pub fn first_rows(names: &[String], rows: &[Vec<Option<f64>>]) -> Vec<RadarSeries> {
        names
            .iter()
            .zip(rows)
            .take(RADAR_MAX_SERIES)
            .map(|(label, values)| RadarSeries {
                label: label.clone(),
                values: values.clone(),
            })
            .collect()
    }
}

/// One spoke's label: the name (split in two lines when long) and muted lines under it
/// (the axis's range, which series lack a value).
pub(crate) struct AxisLabel {
    pub name: String,
    pub notes: Vec<String>,
}

/// What a radar draws, decided by the chart that calls [`draw_radar`].
pub(crate) struct Radar<'a> {
    pub axes: Vec<AxisLabel>,
    /// At most [`MAX_SERIES`], each with one value per axis (checked by the caller).
    pub series: &'a [RadarSeries],
    pub scale: RadialScale,
    /// The ring drawn bold in ink (AIS = 0; the low end of LPP's ranges).
    pub bold_ring: Option<f64>,
    /// The ring drawn dashed in orange (AIS's display threshold).
    pub dashed_ring: Option<f64>,
    /// Whether the rings' values are printed up the top spoke: they mean something
    /// when every axis shares the scale (AIS), not when each has its own range (LPP).
    pub ring_labels: bool,
    /// Markers of values below this are hollow (a negative AIS).
    pub hollow_below: Option<f64>,
    /// The text printed beside the marker of `(series, axis, value)`, if any.
    pub value_label: &'a dyn Fn(usize, usize, f64) -> Option<String>,
    /// The legend rows after the series: the key to the chart's own marks.
    pub key: Vec<(Swatch, String)>,
    /// Series labels in the legend are cut to this many characters first.
    pub max_label_chars: usize,
    /// The most of the width the legend may take (benchmark names are short, run
    /// labels with a model's name are not).
    pub legend_share: f64,
    /// Where the legend goes.
    pub legend_at: LegendAt,
}

/// Where a radar's legend goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LegendAt {
    /// On the right: short labels, the radar keeps the height.
    Right,
    /// Under the radar: long labels would take the width the axis labels beside the
    /// circle need, and a radar limited by its width stays small however tall it is.
    Below,
}

/// Draws `radar` into `body` (the chart's area below its titles): the radar, and the
/// legend beside or under it.
pub(crate) fn draw_radar<DB>(
    body: &DrawingArea<DB, Shift>,
    look: &Look,
    radar_spec: &Radar<'_>,
) -> Result<(), ChartError>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let Radar {
        axes,
        series: shown,
        scale,
        bold_ring,
        dashed_ring,
        ring_labels,
        hollow_below,
        value_label,
        key,
        max_label_chars,
        legend_share,
        legend_at,
    } = radar_spec;
    let (scale, n_axes) = (*scale, axes.len());

    // The legend takes the right of the chart or a strip under it, the radar the rest.
    let mut legend_entries: Vec<(Swatch, String)> = shown
        .iter()
        .enumerate()
        .map(|(i, s)| (Swatch::Series(i), shorten(&s.label, *max_label_chars)))
        .collect();
    legend_entries.extend(key.iter().cloned());
    let legend = Legend::fit(body, look, legend_entries, *legend_share)?;
    let (width, height) = look::pixel_size(body);
    let (radar, legend_area, radar_size) = match legend_at {
        LegendAt::Right => {
            let radar_width = (width - legend.width).max(width * 0.5);
            let (radar, legend_area) = body.split_horizontally(radar_width.round() as i32);
            (radar, legend_area, (radar_width, height))
        }
        LegendAt::Below => {
            let radar_height = (height - legend.height(look)).max(height * 0.6);
            let (radar, legend_area) = body.split_vertically(radar_height.round() as i32);
            (radar, legend_area, (width, radar_height))
        }
    };

    // Axis labels: the name on one or two lines, then the muted notes.
    let label_style = look.text(16.0);
    let note_style = look.text(15.0).color(&look::MUTED);
    let line_height = f64::from(radar.estimate_text_size("Ag", &label_style)?.1) * 1.15;
    let mut axis_lines: Vec<Vec<(String, bool)>> = Vec::with_capacity(n_axes);
    for axis in axes {
        let mut lines: Vec<(String, bool)> = Vec::new();
        let one_line = f64::from(radar.estimate_text_size(&axis.name, &label_style)?.0);
        match split_in_two(&axis.name) {
            Some((first, second)) if one_line > 0.13 * width => {
                lines.push((shorten(&first, 14), false));
                lines.push((shorten(&second, 14), false));
            }
            _ => lines.push((shorten(&axis.name, 20), false)),
        }
        lines.extend(axis.notes.iter().map(|note| (note.clone(), true)));
        axis_lines.push(lines);
    }
    let mut label_sizes = Vec::with_capacity(n_axes);
    for lines in &axis_lines {
        let mut block_width = 0.0f64;
        for (line, muted) in lines {
            let style = if *muted { &note_style } else { &label_style };
            block_width = block_width.max(f64::from(radar.estimate_text_size(line, style)?.0));
        }
        label_sizes.push((block_width, line_height * lines.len() as f64));
    }

    // On a whole pixel, like the rings drawn around it.
    let centre = ((radar_size.0 / 2.0).round(), (radar_size.1 / 2.0).round());
    let directions: Vec<(f64, f64)> = (0..n_axes)
        .map(|i| {
            let angle = -PI / 2.0 + 2.0 * PI * i as f64 / n_axes as f64;
            (angle.cos(), angle.sin())
        })
        .collect();
    let label_gap = look.px(10.0);
    let radius =
        largest_radius(centre, radar_size, &directions, &label_sizes, label_gap).max(look.px(40.0));
    let at = |axis: usize, value: f64| {
        let r = scale.radius(value, radius);
        let (dx, dy) = directions[axis];
        (centre.0 + r * dx, centre.1 + r * dy)
    };
    let pixel = |(x, y): (f64, f64)| (x.round() as i32, y.round() as i32);
    let centre_px = pixel(centre);

    // The web: spokes, rings, the bold ring and the dashed one.
    for &(dx, dy) in &directions {
        radar.draw(&PathElement::new(
            vec![
                centre_px,
                pixel((centre.0 + radius * dx, centre.1 + radius * dy)),
            ],
            look::FRAME.stroke_width(look.stroke(1.0)),
        ))?;
    }
    let rings = scale.rings();
    for &ring in &rings {
        let r = scale.radius(ring, radius).round() as i32;
        let style = if Some(ring) == *bold_ring {
            look::INK.stroke_width(look.stroke(2.5))
        } else {
            look::FRAME.stroke_width(look.stroke(1.0))
        };
        radar.draw(&Circle::new(centre_px, r, style))?;
    }
    if let Some(dashed) = *dashed_ring {
        let dashed_style = look::ORANGE.stroke_width(look.stroke(2.0));
        let circle = circle_points(centre, scale.radius(dashed, radius));
        for piece in dash_pieces(&circle, &[look.px(7.0), look.px(5.0)]) {
            radar.draw(&PathElement::new(
                piece.into_iter().map(pixel).collect::<Vec<_>>(),
                dashed_style,
            ))?;
        }
    }
    // Ring values up the top spoke, on its left, under the data. Value labels keep
    // clear of them.
    let mut ring_label_boxes = Vec::new();
    if *ring_labels {
        let ring_style = look
            .text(13.0)
            .color(&look::MUTED)
            .pos(Pos::new(HPos::Right, VPos::Bottom));
        for &ring in &rings {
            let text = look::axis_number(&ring);
            let (x, y) = at(0, ring);
            let anchor = (x - look.px(4.0), y - look.px(1.0));
            radar.draw_text(&text, &ring_style, pixel(anchor))?;
            let (w, h) = radar.estimate_text_size(&text, &ring_style)?;
            ring_label_boxes.push(label_box(
                anchor,
                (f64::from(w), f64::from(h)),
                HPos::Right,
                VPos::Bottom,
            ));
        }
    }

    // Axis names around the circle.
    let mut label_boxes = Vec::with_capacity(n_axes);
    for (axis, lines) in axis_lines.iter().enumerate() {
        let (dx, dy) = directions[axis];
        let anchor = (
            centre.0 + (radius + label_gap) * dx,
            centre.1 + (radius + label_gap) * dy,
        );
        let (h, v) = label_anchor((dx, dy));
        let block = label_box(anchor, label_sizes[axis], h, v);
        label_boxes.push(block);
        let x = match h {
            HPos::Left => block.x0,
            HPos::Center => (block.x0 + block.x1) / 2.0,
            HPos::Right => block.x1,
        };
        for (i, (line, muted)) in lines.iter().enumerate() {
            let style = if *muted { &note_style } else { &label_style };
            radar.draw_text(
                line,
                &style.pos(Pos::new(h, VPos::Top)),
                pixel((x, block.y0 + line_height * i as f64)),
            )?;
        }
    }

    // The outlines: each run of consecutive defined values, closed when none is missing.
    let line_width = look.stroke(3.0);
    for (series, style) in shown.iter().zip(&SERIES_STYLES) {
        for run in runs(&series.values) {
            let points: Vec<(f64, f64)> = run
                .iter()
                .filter_map(|&axis| series.values[axis].map(|v| at(axis, v)))
                .collect();
            if points.len() < 2 {
                continue;
            }
            draw_line(&radar, look, style, &points, line_width, 1.0)?;
        }
    }

    // Markers over every outline, then the values that need printing.
    let marker_radius = look.px(6.0);
    let mut markers: Vec<(f64, f64)> = Vec::new();
    let mut to_label: Vec<((f64, f64), String, RGBColor)> = Vec::new();
    for (index, (series, style)) in shown.iter().zip(&SERIES_STYLES).enumerate() {
        for (axis, value) in series.values.iter().enumerate() {
            let Some(value) = *value else { continue };
            let point = at(axis, value);
            draw_marker(
                &radar,
                style.marker,
                point,
                marker_radius,
                style.colour,
                hollow_below.is_none_or(|below| value >= below),
                look.stroke(2.0),
            )?;
            markers.push(point);
            if let Some(text) = value_label(index, axis, value) {
                to_label.push((point, text, style.colour));
            }
        }
    }
    let value_style = look.text(14.0);
    let mut value_sizes = Vec::with_capacity(to_label.len());
    for (_, text, _) in &to_label {
        let (w, h) = radar.estimate_text_size(text, &value_style)?;
        value_sizes.push((f64::from(w), f64::from(h)));
    }
    let obstacles: Vec<PixelBox> = label_boxes
        .iter()
        .chain(&ring_label_boxes)
        .copied()
        .chain(markers.iter().map(|&p| PixelBox::around(p, marker_radius)))
        .collect();
    let label_points: Vec<(f64, f64)> = to_label.iter().map(|(p, _, _)| *p).collect();
    let order: Vec<usize> = (0..to_label.len()).collect();
    let placements = place_labels(
        &label_points,
        &value_sizes,
        &order,
        marker_radius,
        look.px(9.0),
        radar_size,
        &obstacles,
    );
    // Each value on a white patch: near the centre it sits over outlines and rings.
    for (((point, text, colour), placement), &size) in
        to_label.iter().zip(&placements).zip(&value_sizes)
    {
        let (x, y) = pixel(*point);
        let at = (x + placement.offset.0, y + placement.offset.1);
        let anchor = placement.anchor();
        let patch = label_box(
            (f64::from(at.0), f64::from(at.1)),
            size,
            anchor.h_pos,
            anchor.v_pos,
        );
        let pad = look.px(1.5);
        radar.draw(&Rectangle::new(
            [
                pixel((patch.x0 - pad, patch.y0 - pad)),
                pixel((patch.x1 + pad, patch.y1 + pad)),
            ],
            WHITE.mix(0.85).filled(),
        ))?;
        radar.draw_text(text, &value_style.color(colour).pos(anchor), at)?;
    }

    legend.draw(&legend_area, look, *legend_at == LegendAt::Below)
}

/// The radius axis: `lo` at the centre, `hi` at the outer ring, rings every `step`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RadialScale {
    pub lo: f64,
    pub hi: f64,
    pub step: f64,
}

impl RadialScale {
    /// A scale over min(0, `min`) ..= max(1, `max`) in round steps, with at least one
    /// step below 0 so that the zero ring is a ring and not the centre point.
    pub(crate) fn covering(min: f64, max: f64) -> RadialScale {
        let (low, high) = (min.min(0.0), max.max(1.0));
        let step = round_step((high - low) / 5.0);
        let lo = ((low - 0.1 * step) / step).floor() * step;
        let hi = (high / step - 1e-9).ceil() * step;
        RadialScale { lo, hi, step }
    }

    /// The distance from the centre of `value`, for an outer ring of `radius` pixels.
    fn radius(&self, value: f64, radius: f64) -> f64 {
        radius * (value - self.lo) / (self.hi - self.lo)
    }

    /// The values of the rings, the first one step out from the centre.
    fn rings(&self) -> Vec<f64> {
        let count = ((self.hi - self.lo) / self.step).round() as usize;
        (1..=count)
            .map(|i| {
                let value = self.lo + self.step * i as f64;
                // Rounded so that labels read "0.2", not "0.20000000000000004".
                (value / self.step).round() * self.step
            })
            .collect()
    }
}

/// The smallest 1, 2, 2.5 or 5 times a power of ten that is at least `raw`.
fn round_step(raw: f64) -> f64 {
    let decade = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * decade)
        .find(|&s| s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * decade)
}

/// The runs of consecutive defined values around the circle, as axis indices; a
/// profile with no gap is one run that ends where it started (a closed outline).
fn runs(values: &[Option<f64>]) -> Vec<Vec<usize>> {
    let n = values.len();
    let Some(gap) = values.iter().position(Option::is_none) else {
        return vec![(0..=n).map(|i| i % n).collect()];
    };
    let mut runs = Vec::new();
    let mut current = Vec::new();
    for step in 1..=n {
        let axis = (gap + step) % n;
        if values[axis].is_some() {
            current.push(axis);
        } else if !current.is_empty() {
            runs.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

/// The text anchor of an ability's label at the end of a spoke pointing `(dx, dy)`:
/// beside it on the left and right, above it at the top, below it at the bottom.
fn label_anchor((dx, dy): (f64, f64)) -> (HPos, VPos) {
    let h = if dx > 0.25 {
        HPos::Left
    } else if dx < -0.25 {
        HPos::Right
    } else {
        HPos::Center
    };
    let v = if dy > 0.5 {
        VPos::Top
    } else if dy < -0.5 {
        VPos::Bottom
    } else {
        VPos::Center
    };
    (h, v)
}

fn label_box((x, y): (f64, f64), (width, height): (f64, f64), h: HPos, v: VPos) -> PixelBox {
    let x0 = match h {
        HPos::Left => x,
        HPos::Right => x - width,
        HPos::Center => x - width / 2.0,
    };
    let y0 = match v {
        VPos::Top => y,
        VPos::Bottom => y - height,
        VPos::Center => y - height / 2.0,
    };
    PixelBox {
        x0,
        y0,
        x1: x0 + width,
        y1: y0 + height,
    }
}

/// The largest outer radius at which every ability label (`sizes`, at `gap` beyond the
/// end of its spoke) stays inside `area`. Each label's box moves outwards linearly with
/// the radius, so each side of the area bounds the radius once per label.
fn largest_radius(
    centre: (f64, f64),
    area: (f64, f64),
    directions: &[(f64, f64)],
    sizes: &[(f64, f64)],
    gap: f64,
) -> f64 {
    let mut radius = area.0.min(area.1) / 2.0;
    for (&direction, &size) in directions.iter().zip(sizes) {
        let (h, v) = label_anchor(direction);
        // The box at radius 0, relative to its anchor point.
        let offset = label_box((0.0, 0.0), size, h, v);
        let axes = [
            (centre.0, direction.0, offset.x0, offset.x1, area.0),
            (centre.1, direction.1, offset.y0, offset.y1, area.1),
        ];
        for (c, d, low, high, limit) in axes {
            // c + (r + gap) d + high ≤ limit and c + (r + gap) d + low ≥ 0.
            if d > 1e-9 {
                radius = radius.min((limit - c - high) / d - gap);
            } else if d < -1e-9 {
                radius = radius.min((c + low) / -d - gap);
            }
        }
    }
    radius
}

/// A closed circle as a polyline, one vertex every few degrees.
fn circle_points((cx, cy): (f64, f64), radius: f64) -> Vec<(f64, f64)> {
    const VERTICES: usize = 120;
    (0..=VERTICES)
        .map(|i| {
            let angle = 2.0 * PI * i as f64 / VERTICES as f64;
            (cx + radius * angle.cos(), cy + radius * angle.sin())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scale_puts_zero_on_a_ring_and_covers_one() {
        let scale = RadialScale::covering(0.1, 0.8);
        assert_eq!(
            scale,
            RadialScale {
                lo: -0.2,
                hi: 1.0,
                step: 0.2
            }
        );
        assert_eq!(scale.rings()[..2], [0.0, 0.2]);
        let scale = RadialScale::covering(-0.3, 1.14);
        assert!(scale.lo < -0.3 && scale.hi >= 1.14, "{scale:?}");
        assert!(scale.rings().contains(&0.0), "{scale:?}");
        assert_eq!(scale.radius(scale.lo, 100.0), 0.0);
        assert_eq!(scale.radius(scale.hi, 100.0), 100.0);
    }

    #[test]
    fn gaps_split_the_outline_into_runs() {
        let all = [Some(1.0), Some(2.0), Some(3.0)];
        assert_eq!(runs(&all), vec![vec![0, 1, 2, 0]]);
        let gap = [Some(1.0), Some(2.0), None, Some(4.0), Some(5.0)];
        assert_eq!(runs(&gap), vec![vec![3, 4, 0, 1]]);
        let two = [Some(1.0), None, Some(3.0), Some(4.0), None];
        assert_eq!(runs(&two), vec![vec![2, 3], vec![0]]);
        assert!(runs(&[None, None, None]).is_empty());
    }

    #[test]
    fn labels_fit_the_area_at_the_largest_radius() {
        let directions: Vec<(f64, f64)> = (0..6)
            .map(|i| {
                let a = -PI / 2.0 + 2.0 * PI * i as f64 / 6.0;
                (a.cos(), a.sin())
            })
            .collect();
        let sizes = vec![(80.0, 20.0); 6];
        let (centre, area) = ((200.0, 150.0), (400.0, 300.0));
        let radius = largest_radius(centre, area, &directions, &sizes, 10.0);
        assert!(radius > 50.0, "{radius}");
        let mut touches = false;
        for (&(dx, dy), &size) in directions.iter().zip(&sizes) {
            let (h, v) = label_anchor((dx, dy));
            let anchor = (
                centre.0 + (radius + 10.0) * dx,
                centre.1 + (radius + 10.0) * dy,
            );
            let b = label_box(anchor, size, h, v);
            assert!(b.x0 >= -1e-9 && b.y0 >= -1e-9, "{b:?}");
            assert!(b.x1 <= area.0 + 1e-9 && b.y1 <= area.1 + 1e-9, "{b:?}");
            touches |= b.x0.abs() < 1e-6 || b.y0.abs() < 1e-6 || (b.x1 - area.0).abs() < 1e-6;
            touches |= (b.y1 - area.1).abs() < 1e-6;
        }
        assert!(touches, "the radius is the largest that fits");
    }
}
