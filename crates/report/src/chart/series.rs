//! How charts that overlay several series tell them apart, and the legend that names
//! them: the radars (AIS profiles, LPP profiles) and the LPP depth curves share one set
//! of styles, so a run drawn in blue circles on one chart is blue circles on the next.
//!
//! Colour alone is never the only difference (a projector washes it out, and about one
//! man in twelve cannot tell red from green): each series also has its own dash pattern
//! and marker shape.

use super::ChartError;
use super::look::{self, Look, shorten};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Beyond four overlaid series a chart is a tangle; charts leave the rest out and say
/// how many.
pub(crate) const MAX_SERIES: usize = 4;

/// A marker shape: with the dash of the line, what tells the series apart besides their
/// colour.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Marker {
    Circle,
    Square,
    Triangle,
    Diamond,
}

/// How one series is drawn: colour (Okabe–Ito), dash pattern (lengths at 800 × 400,
/// on and off alternately; empty for a solid line) and marker.
pub(crate) struct SeriesStyle {
    pub colour: RGBColor,
    pub dash: &'static [f64],
    pub marker: Marker,
}

/// The styles of the first, second, ... series.
pub(crate) const SERIES_STYLES: [SeriesStyle; MAX_SERIES] = [
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

fn pixel((x, y): (f64, f64)) -> (i32, i32) {
    (x.round() as i32, y.round() as i32)
}

/// Draws `polyline` (pixels) in `style`'s colour and dash, `width` wide; `dash_scale`
/// shrinks the dash for short lines (a legend swatch).
pub(crate) fn draw_line<DB>(
    area: &DrawingArea<DB, Shift>,
    look: &Look,
    style: &SeriesStyle,
    polyline: &[(f64, f64)],
    width: u32,
    dash_scale: f64,
) -> Result<(), ChartError>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let dash: Vec<f64> = style
        .dash
        .iter()
        .map(|&d| look.px(d) * dash_scale)
        .collect();
    let pieces = if dash.is_empty() {
        vec![polyline.to_vec()]
    } else {
        dash_pieces(polyline, &dash)
    };
    for piece in pieces {
        area.draw(&PathElement::new(
            piece.into_iter().map(pixel).collect::<Vec<_>>(),
            style.colour.stroke_width(width),
        ))?;
    }
    Ok(())
}

/// Draws `marker` at `centre`: filled in `colour`, or hollow (white inside, a `colour`
/// outline `stroke` wide) so that it still covers the lines beneath it.
pub(crate) fn draw_marker<DB>(
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
    let centre = pixel((x, y));
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
    .map(|(dx, dy)| pixel((x + dx, y + dy)))
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

/// The "on" pieces of `polyline` dashed with `pattern` (pixel lengths, on and off
/// alternately). The pattern runs on across vertices, so a dashed outline keeps its
/// rhythm around the corners; plotters' own dashed path restarts it at each segment.
pub(crate) fn dash_pieces(polyline: &[(f64, f64)], pattern: &[f64]) -> Vec<Vec<(f64, f64)>> {
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

/// What a legend row shows beside its text.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Swatch {
    /// The `i`-th series: its line, dash and marker.
    Series(usize),
    /// A filled circle in ink (AIS ≥ 0).
    Filled,
    /// A hollow circle in ink (AIS < 0).
    Hollow,
    /// A bold ink line: the radar's bold ring.
    BoldRing,
    /// A dashed orange line: the radar's dashed ring.
    DashedRing,
}

/// A legend laid out for one area: each entry's text cut to fit, and its width.
pub(crate) struct Legend {
    entries: Vec<(Swatch, String)>,
    font: TextStyle<'static>,
    /// The legend's width in pixels, swatches and margins included.
    pub width: f64,
}

impl Legend {
    /// Fits `entries` into at most `max_share` of `area`'s width: a text too long is
    /// cut with an ellipsis, measured by the backend (series labels are names of
    /// models and runs, often long).
    pub(crate) fn fit<DB>(
        area: &DrawingArea<DB, Shift>,
        look: &Look,
        entries: Vec<(Swatch, String)>,
        max_share: f64,
    ) -> Result<Legend, ChartError>
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        let font = look.text(16.0);
        let (width, _) = look::pixel_size(area);
        let swatch_width = look.px(48.0);
        let max_text = max_share * width - swatch_width;
        let mut fitted_entries = Vec::with_capacity(entries.len());
        let mut text_width = 0.0f64;
        for (swatch, text) in entries {
            let mut chars = text.chars().count();
            let mut fitted = text.clone();
            while chars > 4 && f64::from(area.estimate_text_size(&fitted, &font)?.0) > max_text {
                chars -= 1;
                fitted = shorten(&text, chars);
            }
            text_width = text_width.max(f64::from(area.estimate_text_size(&fitted, &font)?.0));
            fitted_entries.push((swatch, fitted));
        }
        Ok(Legend {
            entries: fitted_entries,
            font,
            width: swatch_width + text_width + look.px(16.0),
        })
    }

    /// The height the legend's rows take, a row's margin above and below included.
    pub(crate) fn height(&self, look: &Look) -> f64 {
        look.px(27.0) * (self.entries.len() as f64 + self.gaps() + 0.5)
    }

    /// Half a row between the series and the key to the other marks, when there is a
    /// key.
    fn gaps(&self) -> f64 {
        let series_count = self.series_count();
        if series_count < self.entries.len() {
            0.5
        } else {
            0.0
        }
    }

    fn series_count(&self) -> usize {
        self.entries
            .iter()
            .filter(|(s, _)| matches!(s, Swatch::Series(_)))
            .count()
    }

    /// Draws the legend centred in the height of `area` (and in its width when
    /// `centred`, for a legend under a chart): the series first, then, after a half-row
    /// gap, the key to the chart's other marks.
    pub(crate) fn draw<DB>(
        &self,
        area: &DrawingArea<DB, Shift>,
        look: &Look,
        centred: bool,
    ) -> Result<(), ChartError>
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        let (width, height) = look::pixel_size(area);
        let row = look.px(27.0);
        let series_count = self.series_count();
        let total = row * (self.entries.len() as f64 + self.gaps());
        let top = ((height - total) / 2.0).max(0.0) + row / 2.0;
        let left = if centred {
            ((width - self.width) / 2.0).max(0.0)
        } else {
            0.0
        };
        let x0 = left + look.px(4.0);
        let x1 = x0 + look.px(36.0);
        let text_x = (x0 + look.px(44.0)).round() as i32;
        let marker_radius = look.px(6.0);
        let text_style = self.font.pos(Pos::new(HPos::Left, VPos::Center));
        for (i, (swatch, text)) in self.entries.iter().enumerate() {
            let gap = if i >= series_count { row / 2.0 } else { 0.0 };
            let y = top + row * i as f64 + gap;
            let middle = ((x0 + x1) / 2.0, y);
            match *swatch {
                Swatch::Series(s) => {
                    let style = &SERIES_STYLES[s % MAX_SERIES];
                    draw_line(
                        area,
                        look,
                        style,
                        &[(x0, y), (x1, y)],
                        look.stroke(3.0),
                        0.8,
                    )?;
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
                Swatch::BoldRing => area.draw(&PathElement::new(
                    vec![pixel((x0, y)), pixel((x1, y))],
                    look::INK.stroke_width(look.stroke(2.5)),
                ))?,
                Swatch::DashedRing => {
                    for piece in dash_pieces(&[(x0, y), (x1, y)], &[look.px(7.0), look.px(5.0)]) {
                        area.draw(&PathElement::new(
                            piece.into_iter().map(pixel).collect::<Vec<_>>(),
                            look::ORANGE.stroke_width(look.stroke(2.0)),
                        ))?;
                    }
                }
            }
            area.draw_text(text, &text_style, (text_x, y.round() as i32))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dashes_keep_their_rhythm_across_corners() {
        // An L of 10 + 10 pixels dashed 4 on, 2 off: on 0-4, 6-10, 12-16, 18-20.
        let pieces = dash_pieces(&[(0.0, 0.0), (10.0, 0.0), (10.0, 10.0)], &[4.0, 2.0]);
        assert_eq!(pieces.len(), 4, "{pieces:?}");
        assert_eq!(pieces[1], vec![(6.0, 0.0), (10.0, 0.0)]);
        assert_eq!(pieces[2], vec![(10.0, 2.0), (10.0, 6.0)]);
        assert_eq!(pieces[3], vec![(10.0, 8.0), (10.0, 10.0)]);
    }
}
