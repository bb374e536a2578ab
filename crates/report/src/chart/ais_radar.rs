//! A benchmark's AIS profile as a radar (spider) chart: one spoke per ability, the AIS
//! as the distance from the centre, up to four benchmarks overlaid (metrics.md §2).
//!
//! The shape is the message: a benchmark that leans on one ability has one long spike,
//! one that needs everything is round, and two benchmarks with the same shape measure
//! the same thing. What a radar hides has to be put back explicitly:
//!
//! - the sign: the centre is not 0. The scale starts below 0, so AIS = 0 is a bold ring
//!   and a negative AIS (removing the ability helped) sits inside it; its marker is
//!   hollow, and its value is printed.
//! - the authors' display threshold: a dashed ring at 0.05, below which an effect is
//!   not worth reading.
//! - undefined values (base accuracy at or below chance): no marker, a gap in the
//!   outline, and the ability's label says so. Joining the neighbours across the gap
//!   would draw a value that does not exist.

use super::labels::{PixelBox, place_labels};
use super::look::{self, Look, shorten, split_in_two, two_decimals};
use super::{ChartError, LARGEST_AIS, no_data};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::f64::consts::PI;

/// The authors' display threshold: an AIS below it is read as "no effect".
pub const DISPLAY_THRESHOLD: f64 = 0.05;
/// Fewer spokes make no polygon: one or two abilities are drawn as a "no data" chart
/// that points to the heatmap, which shows any number of them.
const MIN_AXES: usize = 3;
/// Past this the ability names around the circle run into each other.
const MAX_AXES: usize = 12;
/// Beyond four overlaid outlines a radar is a tangle; the rest are left out and the
/// subtitle says how many.
const MAX_SERIES: usize = 4;
/// Series labels in the legend longer than this are cut: they are benchmark names.
const MAX_LABEL_CHARS: usize = 24;

/// One benchmark's profile: its name and its AIS for each ability, in the order of the
/// chart's abilities; `None` where the AIS is undefined.
#[derive(Debug, Clone, PartialEq)]
pub struct RadarSeries {
    pub label: String,
    pub values: Vec<Option<f64>>,
}

/// At most this many profiles on one radar: more overlapping polygons stop being
/// readable (the heatmap shows them all).
pub const RADAR_MAX_SERIES: usize = 4;

impl RadarSeries {
    /// The first [`RADAR_MAX_SERIES`] rows of an AIS matrix, each under its benchmark's
    /// name.
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

/// A marker shape: with the dash of the outline, what tells the series apart besides
/// their colour.
#[derive(Debug, Clone, Copy)]
enum Marker {
    Circle,
    Square,
    Triangle,
    Diamond,
}

/// How one series is drawn: colour (Okabe–Ito), dash pattern (lengths at 800 × 400,
/// on and off alternately; empty for a solid line) and marker.
struct SeriesStyle {
    colour: RGBColor,
    dash: &'static [f64],
    marker: Marker,
}

const SERIES_STYLES: [SeriesStyle; MAX_SERIES] = [
    SeriesStyle {
        colour: look::BLUE,
        dash: &[],
        marker: Marker::Circle,
    },
    SeriesStyle {
        colour: look::VERMILLION,
        dash: &[11.0, 6.0],
        marker: Marker::Square,
    },
    SeriesStyle {
        colour: look::BLUISH_GREEN,
        dash: &[3.0, 5.0],
        marker: Marker::Triangle,
    },
    SeriesStyle {
        colour: look::REDDISH_PURPLE,
        dash: &[14.0, 5.0, 3.0, 5.0],
        marker: Marker::Diamond,
    },
];

/// The radius axis: `lo` at the centre, `hi` at the outer ring, rings every `step`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct RadialScale {
    lo: f64,
    hi: f64,
    step: f64,
}

impl RadialScale {
    /// A scale over min(0, `min`) ..= max(1, `max`) in round steps, with at least one
    /// step below 0 so that the zero ring is a ring and not the centre point.
    fn covering(min: f64, max: f64) -> RadialScale {
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

/// Why the profiles cannot be drawn as a radar, or `None`.
fn problem(abilities: &[String], profiles: &[RadarSeries]) -> Option<String> {
    if abilities.is_empty() || profiles.is_empty() {
        return Some(
            "No AIS profile yet.\nEach benchmark scored with and without each ability adds one."
                .to_string(),
        );
    }
    if abilities.len() < MIN_AXES {
        return Some(format!(
            "A radar needs at least {MIN_AXES} abilities, got {}.\nThe AIS heatmap shows any number.",
            abilities.len()
        ));
    }
    if abilities.len() > MAX_AXES {
        return Some(format!(
            "Too many abilities for a radar: {} (at most {MAX_AXES}).\nThe AIS heatmap shows any number.",
            abilities.len()
        ));
    }
    for series in profiles {
        let name = shorten(&series.label, 30);
        if series.values.len() != abilities.len() {
            return Some(format!(
                "The profile does not match the abilities:\n{name} has {} values for {} abilities.",
                series.values.len(),
                abilities.len()
            ));
        }
        if series.values.iter().flatten().any(|v| !v.is_finite()) {
            return Some(format!(
                "{name} has an AIS that is not a number.\nUndefined values are None, not NaN."
            ));
        }
        if series
            .values
            .iter()
            .flatten()
            .any(|v| v.abs() > LARGEST_AIS)
        {
            return Some(format!(
                "{name} has values too large to be AIS:\nan AIS is a score drop relative to chance, about -0.5 to 1.5."
            ));
        }
    }
    None
}

/// Draws the AIS profiles of up to four benchmarks (`profiles`, more are left out and
/// counted) over `abilities`, one spoke per ability clockwise from the top.
///
/// Each series has its own colour, outline dash and marker shape (circle, square,
/// triangle, diamond). A marker is filled where the AIS is ≥ 0 and hollow where it is
/// negative; negative values beyond the threshold are printed beside their marker, and
/// with a single profile every value beyond ±0.05 is. The radius runs from one ring
/// below min(0, smallest AIS) to max(1, largest AIS): AIS = 0 is the bold ring, the
/// authors' 0.05 threshold the dashed one, and 1 (the ablation takes the score to
/// chance) is always inside the chart. An undefined AIS leaves a gap in its outline and
/// marks the ability's label "(undefined)", naming the benchmarks when only some lack
/// it. A profile whose every AIS is ≥ 1 is flagged in the subtitle: the ablation broke
/// the model rather than one ability (metrics.md §2).
///
/// Fewer than 3 or more than 12 abilities, no profile, a profile whose length does not
/// match `abilities`, a value that is not a number and profiles with no defined value at
/// all give a "no data" chart.
pub fn ais_radar<DB>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    abilities: &[String],
    profiles: &[RadarSeries],
) -> Result<(), ChartError>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let heading = if title.is_empty() {
        "AIS profiles"
    } else {
        title
    };
    if let Some(reason) = problem(abilities, profiles) {
        return no_data(area, heading, &reason);
    }
    let shown = &profiles[..profiles.len().min(MAX_SERIES)];
    let (min, max) = shown
        .iter()
        .flat_map(|s| s.values.iter().flatten().copied())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if min > max {
        return no_data(
            area,
            heading,
            "Every AIS is undefined:\nno benchmark scored above chance before the ablation.",
        );
    }
    let scale = RadialScale::covering(min, max);
    let n_axes = abilities.len();

    let look = Look::for_area(area);
    area.fill(&WHITE)?;
    let body = area.titled(&look.fit_width(heading, 26.0, 0.95), look.title())?;
    let subtitle = "AIS per ability: 1 = removing it takes the score to chance, < 0 = it helped";
    let mut body = body.titled(&look.fit_width(subtitle, 21.0, 0.95), look.subtitle())?;
    let notes = notes(profiles, shown);
    if !notes.is_empty() {
        body = body.titled(
            &look.fit_width(&notes.join("; "), 21.0, 0.95),
            look.subtitle(),
        )?;
    }

    if !look::has_room(&body, &look) {
        return Ok(());
    }

    // The legend takes the right of the chart, the radar the rest.
    let legend = legend_entries(shown);
    let legend_font = look.text(16.0);
    let (width, height) = look::pixel_size(&body);
    let swatch_width = look.px(48.0);
    let max_legend_text = 0.36 * width - swatch_width;
    let mut legend_texts = Vec::with_capacity(legend.len());
    let mut legend_text_width = 0.0f64;
    for (_, text) in &legend {
        let mut chars = text.chars().count();
        let mut fitted = text.clone();
        while chars > 4
            && f64::from(body.estimate_text_size(&fitted, &legend_font)?.0) > max_legend_text
        {
            chars -= 1;
            fitted = shorten(text, chars);
        }
        legend_text_width =
            legend_text_width.max(f64::from(body.estimate_text_size(&fitted, &legend_font)?.0));
        legend_texts.push(fitted);
    }
    let legend_width = swatch_width + legend_text_width + look.px(16.0);
    let radar_width = (width - legend_width).max(width * 0.5);
    let (radar, legend_area) = body.split_horizontally(radar_width.round() as i32);
    let radar_size = (radar_width, height);

    // Ability labels: one or two lines, and a line saying which benchmarks lack a value.
    let label_style = look.text(16.0);
    let undefined_style = look.text(15.0).color(&look::MUTED);
    let line_height = f64::from(radar.estimate_text_size("Ag", &label_style)?.1) * 1.15;
    let mut axis_labels: Vec<Vec<(String, bool)>> = Vec::with_capacity(n_axes);
    for (axis, name) in abilities.iter().enumerate() {
        let mut lines: Vec<(String, bool)> = Vec::new();
        let one_line = f64::from(radar.estimate_text_size(name, &label_style)?.0);
        match split_in_two(name) {
            Some((first, second)) if one_line > 0.13 * width => {
                lines.push((shorten(&first, 14), false));
                lines.push((shorten(&second, 14), false));
            }
            _ => lines.push((shorten(name, 20), false)),
        }
        let lacking: Vec<&str> = shown
            .iter()
            .filter(|s| s.values.get(axis).is_some_and(Option::is_none))
            .map(|s| s.label.as_str())
            .collect();
        if lacking.len() == shown.len() {
            lines.push(("(undefined)".to_string(), true));
        } else if !lacking.is_empty() {
            lines.push((
                shorten(&format!("(undefined: {})", lacking.join(", ")), 24),
                true,
            ));
        }
        axis_labels.push(lines);
    }
    let mut label_sizes = Vec::with_capacity(n_axes);
    for lines in &axis_labels {
        let mut block_width = 0.0f64;
        for (line, undefined) in lines {
            let style = if *undefined {
                &undefined_style
            } else {
                &label_style
            };
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

    // The web: spokes, rings, the zero ring and the threshold.
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
        let style = if ring == 0.0 {
            look::INK.stroke_width(look.stroke(2.5))
        } else {
            look::FRAME.stroke_width(look.stroke(1.0))
        };
        radar.draw(&Circle::new(centre_px, r, style))?;
    }
    let threshold_style = look::ORANGE.stroke_width(look.stroke(2.0));
    let threshold_circle = circle_points(centre, scale.radius(DISPLAY_THRESHOLD, radius));
    for piece in dash_pieces(&threshold_circle, &[look.px(7.0), look.px(5.0)]) {
        radar.draw(&PathElement::new(
            piece.into_iter().map(pixel).collect::<Vec<_>>(),
            threshold_style,
        ))?;
    }
    // Ring values up the top spoke, on its left, under the data. Value labels keep
    // clear of them.
    let ring_style = look
        .text(13.0)
        .color(&look::MUTED)
        .pos(Pos::new(HPos::Right, VPos::Bottom));
    let mut ring_label_boxes = Vec::with_capacity(rings.len());
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

    // Ability names around the circle.
    let mut label_boxes = Vec::with_capacity(n_axes);
    for (axis, lines) in axis_labels.iter().enumerate() {
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
        for (i, (line, undefined)) in lines.iter().enumerate() {
            let style = if *undefined {
                &undefined_style
            } else {
                &label_style
            };
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
        let dash: Vec<f64> = style.dash.iter().map(|&d| look.px(d)).collect();
        for run in runs(&series.values) {
            let points: Vec<(f64, f64)> = run
                .iter()
                .filter_map(|&axis| series.values[axis].map(|v| at(axis, v)))
                .collect();
            if points.len() < 2 {
                continue;
            }
            let pieces = if dash.is_empty() {
                vec![points]
            } else {
                dash_pieces(&points, &dash)
            };
            for piece in pieces {
                radar.draw(&PathElement::new(
                    piece.into_iter().map(pixel).collect::<Vec<_>>(),
                    style.colour.stroke_width(line_width),
                ))?;
            }
        }
    }

    // Markers over every outline, then the values that need printing.
    let marker_radius = look.px(6.0);
    let mut markers: Vec<(f64, f64)> = Vec::new();
    let mut to_label: Vec<((f64, f64), String, RGBColor)> = Vec::new();
    for (series, style) in shown.iter().zip(&SERIES_STYLES) {
        for (axis, value) in series.values.iter().enumerate() {
            let Some(value) = *value else { continue };
            let point = at(axis, value);
            draw_marker(
                &radar,
                style.marker,
                point,
                marker_radius,
                style.colour,
                value >= 0.0,
                look.stroke(2.0),
            )?;
            markers.push(point);
            let beyond = if shown.len() == 1 {
                value.abs() >= DISPLAY_THRESHOLD
            } else {
                value <= -DISPLAY_THRESHOLD
            };
            if beyond {
                to_label.push((point, two_decimals(value), style.colour));
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

    draw_legend(&legend_area, &look, &legend, &legend_texts, &legend_font)
}

/// The subtitle's second line: profiles left out, undefined values, broken models.
fn notes(profiles: &[RadarSeries], shown: &[RadarSeries]) -> Vec<String> {
    let mut notes = Vec::new();
    if profiles.len() > shown.len() {
        notes.push(format!(
            "showing {} of {} benchmarks",
            shown.len(),
            profiles.len()
        ));
    }
    let undefined = shown
        .iter()
        .flat_map(|s| &s.values)
        .filter(|v| v.is_none())
        .count();
    if undefined > 0 {
        notes.push(format!(
            "{undefined} undefined (base accuracy at or below chance)"
        ));
    }
    let broken: Vec<&str> = shown
        .iter()
        .filter(|s| {
            s.values.iter().any(Option::is_some) && s.values.iter().flatten().all(|&v| v >= 1.0)
        })
        .map(|s| s.label.as_str())
        .collect();
    if !broken.is_empty() {
        notes.push(format!(
            "every AIS ≥ 1 for {}: the ablation broke the model",
            broken.join(", ")
        ));
    }
    notes
}

/// What the legend shows, top to bottom.
#[derive(Debug, Clone, Copy)]
enum Swatch {
    Series(usize),
    Filled,
    Hollow,
    ZeroRing,
    Threshold,
}

fn legend_entries(shown: &[RadarSeries]) -> Vec<(Swatch, String)> {
    let mut entries: Vec<(Swatch, String)> = shown
        .iter()
        .enumerate()
        .map(|(i, s)| (Swatch::Series(i), shorten(&s.label, MAX_LABEL_CHARS)))
        .collect();
    entries.extend([
        (Swatch::Filled, "AIS ≥ 0".to_string()),
        (Swatch::Hollow, "AIS < 0: removing it helped".to_string()),
        (Swatch::ZeroRing, "AIS = 0".to_string()),
        (
            Swatch::Threshold,
            format!("{DISPLAY_THRESHOLD}: authors' threshold"),
        ),
    ]);
    entries
}

fn draw_legend<DB>(
    area: &DrawingArea<DB, Shift>,
    look: &Look,
    entries: &[(Swatch, String)],
    texts: &[String],
    font: &TextStyle,
) -> Result<(), ChartError>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let (_, height) = look::pixel_size(area);
    let row = look.px(27.0);
    // A half-row gap between the benchmarks and the key to the marks.
    let series_count = entries
        .iter()
        .filter(|(s, _)| matches!(s, Swatch::Series(_)))
        .count();
    let total = row * (entries.len() as f64 + 0.5);
    let top = ((height - total) / 2.0).max(0.0) + row / 2.0;
    let x0 = look.px(4.0);
    let x1 = x0 + look.px(36.0);
    let text_x = (x0 + look.px(44.0)).round() as i32;
    let marker_radius = look.px(6.0);
    let text_style = font.pos(Pos::new(HPos::Left, VPos::Center));
    for (i, ((swatch, _), text)) in entries.iter().zip(texts).enumerate() {
        let gap = if i >= series_count { row / 2.0 } else { 0.0 };
        let y = top + row * i as f64 + gap;
        let yi = y.round() as i32;
        let middle = ((x0 + x1) / 2.0, y);
        match *swatch {
            Swatch::Series(s) => {
                let style = &SERIES_STYLES[s];
                let line = [(x0, y), (x1, y)];
                let dash: Vec<f64> = style.dash.iter().map(|&d| look.px(d) * 0.8).collect();
                let pieces = if dash.is_empty() {
                    vec![line.to_vec()]
                } else {
                    dash_pieces(&line, &dash)
                };
                for piece in pieces {
                    area.draw(&PathElement::new(
                        piece
                            .into_iter()
                            .map(|(x, y)| (x.round() as i32, y.round() as i32))
                            .collect::<Vec<_>>(),
                        style.colour.stroke_width(look.stroke(3.0)),
                    ))?;
                }
                draw_marker(
                    area,
                    style.marker,
                    middle,
                    marker_radius,
                    style.colour,
                    true,
                    look.stroke(2.0),
                )?;
            }
            Swatch::Filled | Swatch::Hollow => draw_marker(
                area,
                Marker::Circle,
                middle,
                marker_radius,
                look::INK,
                matches!(swatch, Swatch::Filled),
                look.stroke(2.0),
            )?,
            Swatch::ZeroRing => area.draw(&PathElement::new(
                vec![(x0.round() as i32, yi), (x1.round() as i32, yi)],
                look::INK.stroke_width(look.stroke(2.5)),
            ))?,
            Swatch::Threshold => {
                for piece in dash_pieces(&[(x0, y), (x1, y)], &[look.px(7.0), look.px(5.0)]) {
                    area.draw(&PathElement::new(
                        piece
                            .into_iter()
                            .map(|(x, y)| (x.round() as i32, y.round() as i32))
                            .collect::<Vec<_>>(),
                        look::ORANGE.stroke_width(look.stroke(2.0)),
                    ))?;
                }
            }
        }
        area.draw_text(text, &text_style, (text_x, yi))?;
    }
    Ok(())
}

/// Draws `marker` at `centre`: filled in `colour`, or hollow (white inside, a `colour`
/// outline `stroke` wide) so that it still covers the outlines beneath it.
fn draw_marker<DB>(
    area: &DrawingArea<DB, Shift>,
    marker: Marker,
    (x, y): (f64, f64),
    radius: f64,
    colour: RGBColor,
    filled: bool,
    stroke: u32,
) -> Result<(), ChartError>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let centre = (x.round() as i32, y.round() as i32);
    let vertices: Vec<(i32, i32)> = match marker {
        Marker::Circle => {
            let r = radius.round() as i32;
            if filled {
                area.draw(&Circle::new(centre, r, colour.filled()))?;
            } else {
                area.draw(&Circle::new(centre, r, WHITE.filled()))?;
                area.draw(&Circle::new(centre, r, colour.stroke_width(stroke)))?;
            }
            return Ok(());
        }
        Marker::Square => {
            let r = radius * 0.9;
            vec![(-r, -r), (r, -r), (r, r), (-r, r)]
        }
        Marker::Triangle => {
            let r = radius * 1.25;
            vec![(0.0, -r), (0.87 * r, 0.5 * r), (-0.87 * r, 0.5 * r)]
        }
        Marker::Diamond => {
            let r = radius * 1.25;
            vec![(0.0, -r), (r, 0.0), (0.0, r), (-r, 0.0)]
        }
    }
    .into_iter()
    .map(|(dx, dy)| ((x + dx).round() as i32, (y + dy).round() as i32))
    .collect();
    if filled {
        area.draw(&Polygon::new(vertices, colour.filled()))?;
    } else {
        area.draw(&Polygon::new(vertices.clone(), WHITE.filled()))?;
        let mut outline = vertices.clone();
        outline.extend(vertices.first());
        area.draw(&PathElement::new(outline, colour.stroke_width(stroke)))?;
    }
    Ok(())
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

/// The "on" pieces of `polyline` dashed with `pattern` (pixel lengths, on and off
/// alternately). The pattern runs on across vertices, so a dashed outline keeps its
/// rhythm around the corners; plotters' own dashed path restarts it at each segment.
fn dash_pieces(polyline: &[(f64, f64)], pattern: &[f64]) -> Vec<Vec<(f64, f64)>> {
    if pattern.is_empty() || pattern.iter().any(|&p| p.is_nan() || p <= 0.0) {
        return vec![polyline.to_vec()];
    }
    let mut pieces = Vec::new();
    let mut index = 0;
    let mut left = pattern[0];
    let mut current: Vec<(f64, f64)> = polyline.first().copied().into_iter().collect();
    for pair in polyline.windows(2) {
        let ((x0, y0), (x1, y1)) = (pair[0], pair[1]);
        let length = (x1 - x0).hypot(y1 - y0);
        let mut done = 0.0;
        while left <= length - done {
            done += left;
            let t = done / length;
            let point = (x0 + (x1 - x0) * t, y0 + (y1 - y0) * t);
            if index % 2 == 0 {
                current.push(point);
                pieces.push(std::mem::take(&mut current));
            } else {
                current = vec![point];
            }
            index = (index + 1) % pattern.len();
            left = pattern[index];
        }
        left -= length - done;
        if index % 2 == 0 {
            current.push((x1, y1));
        }
    }
    if index % 2 == 0 && current.len() >= 2 {
        pieces.push(current);
    }
    pieces
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
    fn dashes_keep_their_rhythm_across_corners() {
        // An L of 10 + 10 pixels dashed 4 on, 2 off: on 0-4, 6-10, 12-16, 18-20.
        let pieces = dash_pieces(&[(0.0, 0.0), (10.0, 0.0), (10.0, 10.0)], &[4.0, 2.0]);
        assert_eq!(pieces.len(), 4, "{pieces:?}");
        assert_eq!(pieces[1], vec![(6.0, 0.0), (10.0, 0.0)]);
        assert_eq!(pieces[2], vec![(10.0, 2.0), (10.0, 6.0)]);
        assert_eq!(pieces[3], vec![(10.0, 8.0), (10.0, 10.0)]);
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
