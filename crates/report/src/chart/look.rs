//! What every chart shares: the palette and sizes that scale with the area.
//!
//! Sizes are given for an 800 × 400 chart and scale with the smaller of the two ratios,
//! so a chart drawn larger for a projector keeps its proportions, and one drawn into a
//! small panel keeps its text legible (the scale never drops below 0.6).

use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::prelude::*;
use plotters::style::FontStyle;
use std::ops::Range;

// The Okabe–Ito palette (Okabe & Ito, "Color Universal Design", 2008): distinguishable
// under the common colour-vision deficiencies and in greyscale by lightness. Each
// chart also tells its series apart by shape or dash, never by colour alone.
/// Bars and the fitted curve.
pub(crate) const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
/// Highlights that ask for attention (contamination hints).
pub(crate) const VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
/// Reference lines (the overall MUI across layers).
pub(crate) const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
/// Text, axes and the data points.
pub(crate) const INK: RGBColor = RGBColor(0x1A, 0x1A, 0x1A);
/// Secondary text and reference curves drawn for comparison.
pub(crate) const MUTED: RGBColor = RGBColor(0x5A, 0x5A, 0x5A);
/// Frames and grid lines: visible on a washed-out projector, quiet on a screen.
pub(crate) const FRAME: RGBColor = RGBColor(0xC8, 0xC8, 0xC8);
/// The third and fourth series of a chart that overlays several (AIS profiles).
pub(crate) const BLUISH_GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
pub(crate) const REDDISH_PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);

/// The sizes of one chart, from the size of the area it is drawn on.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Look {
    scale: f64,
    width_px: u32,
}

impl Look {
    pub(crate) fn for_area<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>) -> Look {
        let (width_px, height_px) = area.dim_in_pixel();
        let scale = (f64::from(width_px) / 800.0)
            .min(f64::from(height_px) / 400.0)
            .clamp(0.6, 4.0);
        Look { scale, width_px }
    }

    /// A length given for the 800 × 400 chart, in this chart's pixels.
    pub(crate) fn px(&self, at_800: f64) -> f64 {
        at_800 * self.scale
    }

    /// A line width given for the 800 × 400 chart.
    pub(crate) fn stroke(&self, at_800: f64) -> u32 {
        self.px(at_800).round().max(1.0) as u32
    }

    /// Plain text in ink; `at_800` is plotters' font size (the SVG's is 1.24 times
    /// smaller).
    pub(crate) fn text(&self, at_800: f64) -> TextStyle<'static> {
        FontDesc::new(FontFamily::SansSerif, self.px(at_800), FontStyle::Normal).color(&INK)
    }

    /// The chart's first line.
    pub(crate) fn title(&self) -> TextStyle<'static> {
        FontDesc::new(FontFamily::SansSerif, self.px(26.0), FontStyle::Bold).color(&INK)
    }

    /// The line under the title.
    pub(crate) fn subtitle(&self) -> TextStyle<'static> {
        self.text(21.0).color(&MUTED)
    }

    /// `text` cut with an ellipsis so that it fits `share` of the width at font size
    /// `at_800`. The estimate is deliberately generous (0.5 em a character), since the
    /// real width is known only to the viewer.
    pub(crate) fn fit_width(&self, text: &str, at_800: f64, share: f64) -> String {
        let em_px = self.px(at_800) / 1.24;
        let max_chars = ((f64::from(self.width_px) * share) / (0.5 * em_px)).floor() as usize;
        shorten(text, max_chars.max(8))
    }
}

/// The size of `area` in pixels, 0 where titles took more than the whole height:
/// plotters' `dim_in_pixel` casts a negative size to `u32`, which reads as 4 billion
/// pixels and makes every coordinate computed from it overflow.
pub(crate) fn pixel_size<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>) -> (f64, f64) {
    let (x, y) = area.get_pixel_range();
    (
        f64::from((x.end - x.start).max(0)),
        f64::from((y.end - y.start).max(0)),
    )
}

/// Whether `area` (the chart below its titles) has room for anything more: in a panel
/// a few dozen pixels high, the titles are all there is to show.
pub(crate) fn has_room<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, look: &Look) -> bool {
    let (width, height) = pixel_size(area);
    width >= look.px(60.0) && height >= look.px(60.0)
}

/// An axis with tick values chosen by the chart rather than by plotters' heuristic
/// (layer numbers, 1-2-5 steps on a log axis). plotters' own `with_key_points` loses
/// the default label formatting of f64 axes, so `configure_mesh` refuses it.
pub(crate) struct Ticked<R: Ranged> {
    inner: R,
    ticks: Vec<R::ValueType>,
}

impl<R: Ranged> Ticked<R> {
    pub(crate) fn new(inner: R, ticks: Vec<R::ValueType>) -> Self {
        Ticked { inner, ticks }
    }
}

impl<R: Ranged> Ranged for Ticked<R>
where
    R::ValueType: Clone,
{
    type ValueType = R::ValueType;
    // The charts format every label themselves; this only unlocks `configure_mesh`.
    type FormatOption = DefaultFormatting;

    fn map(&self, value: &Self::ValueType, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<Self::ValueType> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<Self::ValueType> {
        self.inner.range()
    }

    fn axis_pixel_range(&self, limit: (i32, i32)) -> Range<i32> {
        self.inner.axis_pixel_range(limit)
    }
}

/// `text` with at most `max_chars` characters, the last one an ellipsis when cut.
pub(crate) fn shorten(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max_chars.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// `text` cut in two lines at the word break (`_`, space or `-`) nearest its middle,
/// the break itself dropped (`long_term_knowledge` → `long_term`, `knowledge`), or
/// `None` when it has no break. Names of abilities and benchmarks are identifiers: two
/// short lines fit beside a radar or above a grid column where one long one does not.
pub(crate) fn split_in_two(text: &str) -> Option<(String, String)> {
    let chars: Vec<char> = text.chars().collect();
    let middle = chars.len() as f64 / 2.0;
    let at = chars
        .iter()
        .enumerate()
        .filter(|&(i, c)| matches!(c, '_' | ' ' | '-') && i > 0 && i + 1 < chars.len())
        .map(|(i, _)| i)
        .min_by(|&a, &b| {
            (a as f64 - middle)
                .abs()
                .total_cmp(&(b as f64 - middle).abs())
        })?;
    let first: String = chars[..at].iter().collect();
    let second: String = chars[at + 1..].iter().collect();
    Some((first, second))
}

/// A value with two decimals, as a grid cell or a value label prints it; `-0.00` reads
/// `0.00`, since a sign on a rounded zero claims a direction the value does not have.
pub(crate) fn two_decimals(value: f64) -> String {
    let text = format!("{value:.2}");
    if text == "-0.00" {
        "0.00".to_string()
    } else {
        text
    }
}

/// A percentage with as many decimals as a small value needs to be told apart from
/// zero: `12.5%`, `3.46%`, `0.125%`, and `0%` for nothing at all.
pub(crate) fn percent(value_pct: f64) -> String {
    let magnitude = value_pct.abs();
    if magnitude == 0.0 {
        "0%".to_string()
    } else if magnitude >= 10.0 {
        format!("{value_pct:.1}%")
    } else if magnitude >= 1.0 {
        format!("{value_pct:.2}%")
    } else {
        format!("{value_pct:.3}%")
    }
}

/// An axis label without trailing zeros: `0`, `2.5`, `0.125`, not `0.0`, `2.50`.
pub(crate) fn axis_number(value: &f64) -> String {
    let text = format!("{value:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_keeps_small_values_distinct() {
        assert_eq!(percent(12.5), "12.5%");
        assert_eq!(percent(3.456), "3.46%");
        assert_eq!(percent(0.0651), "0.065%");
        assert_eq!(percent(0.0), "0%");
    }

    #[test]
    fn axis_numbers_drop_trailing_zeros() {
        let labels: Vec<String> = [0.0, 2.5, 20.0, 0.125, -0.0001]
            .iter()
            .map(axis_number)
            .collect();
        assert_eq!(labels, ["0", "2.5", "20", "0.125", "0"]);
    }

    #[test]
    fn names_split_at_the_break_nearest_the_middle() {
        let split = |s: &str| split_in_two(s).map(|(a, b)| format!("{a}|{b}"));
        assert_eq!(
            split("long_term_knowledge").as_deref(),
            Some("long_term|knowledge")
        );
        assert_eq!(
            split("semantic_relationship").as_deref(),
            Some("semantic|relationship")
        );
        assert_eq!(split("arc easy").as_deref(), Some("arc|easy"));
        assert_eq!(split("quantitative"), None);
        assert_eq!(split("_leading"), None);
    }

    #[test]
    fn two_decimals_has_no_negative_zero() {
        assert_eq!(two_decimals(0.834), "0.83");
        assert_eq!(two_decimals(-0.121), "-0.12");
        assert_eq!(two_decimals(-0.001), "0.00");
        assert_eq!(two_decimals(1.0), "1.00");
    }

    #[test]
    fn shorten_cuts_on_characters_not_bytes() {
        assert_eq!(shorten("SmolLM2 · arc", 20), "SmolLM2 · arc");
        assert_eq!(shorten("SmolLM2 · arc_easy", 10), "SmolLM2 ·…");
    }
}
