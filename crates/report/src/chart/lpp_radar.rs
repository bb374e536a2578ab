//! A model's LPP profile as a radar (metrics.md §3): one spoke per scalar metric, each
//! mapped to [0, 1] from its own stated range, up to four runs overlaid.
//!
//! Unlike AIS, the axes do not share a unit (an entropy, a perplexity on a log scale, an
//! AUROC), so the rings carry no numbers: each axis's label states its range, the bold
//! ring is the low end of every range and the outer ring the high end. With one run the
//! raw values are printed beside the markers; with several, the page's tables hold them.

use super::look::{self, Look, shorten, two_decimals};
use super::radar::{
    AxisLabel, LegendAt, MAX_AXES, MIN_AXES, RADAR_MAX_SERIES, Radar, RadarSeries, RadialScale,
    draw_radar,
};
use super::series::Swatch;
use super::{ChartError, no_data};
use mechscope_metrics::lpp::profile::{ProfileAxis, Scale};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Series labels in the legend longer than this are cut: a model's name and the run's
/// settings.
const MAX_LABEL_CHARS: usize = 48;
/// How far a normalised value may stray outside [0, 1] before it is taken for an input
/// that was never normalised (rounding in a JSON round trip stays far below this).
const NORMALISED_SLACK: f64 = 1e-9;

/// One spoke: the metric's name and the raw values that map to its centre (low) and
/// outer (high) ends.
#[derive(Debug, Clone, PartialEq)]
pub struct LppAxis {
    pub name: String,
    pub range: [f64; 2],
    pub scale: Scale,
}

impl LppAxis {
    /// The spoke of a profile axis (its value is left out: series carry values).
    pub fn of(axis: &ProfileAxis) -> LppAxis {
        LppAxis {
            name: axis.name.clone(),
            range: axis.range,
            scale: axis.scale,
        }
    }

    /// The range as the label states it: `0–1`, `1–1000, log`.
    pub fn range_text(&self) -> String {
        let [low, high] = self.range;
        let text = format!("{}–{}", look::axis_number(&low), look::axis_number(&high));
        match self.scale {
            Scale::Linear => text,
            Scale::Log => format!("{text}, log"),
        }
    }

    /// The raw value at `normalised` on this axis (the inverse of the profile's map).
    fn raw(&self, normalised: f64) -> f64 {
        let [low, high] = self.range;
        match self.scale {
            Scale::Linear => low + normalised * (high - low),
            Scale::Log => 10f64.powf(low.log10() + normalised * (high.log10() - low.log10())),
        }
    }
}

/// The radar's spokes and series for several runs' profiles (`(label, axes)` each): the
/// union of their axes in the order they first appear, and each run's values on them,
/// `None` where a run did not measure an axis. A run's value is mapped again on the
/// spoke's range (the first run's), so that two runs are compared on one scale even if
/// their reports stated different ranges.
///
/// ```
/// use mechscope_metrics::lpp::profile::{ProfileAxis, Scale};
/// use mechscope_report::chart::lpp_radar_series;
/// let a = [ProfileAxis::new("output_entropy", 0.4, [0.0, 1.0], Scale::Linear)];
/// let b = [
///     ProfileAxis::new("output_entropy", 0.6, [0.0, 1.0], Scale::Linear),
///     ProfileAxis::new("perplexity", 100.0, [1.0, 10_000.0], Scale::Log),
/// ];
/// let (axes, series) = lpp_radar_series(&[("a", &a), ("b", &b)]);
/// assert_eq!(axes.len(), 2);
/// assert_eq!(series[0].values, vec![Some(0.4), None]);
/// assert_eq!(series[1].values, vec![Some(0.6), Some(0.5)]);
/// ```
pub fn lpp_radar_series(profiles: &[(&str, &[ProfileAxis])]) -> (Vec<LppAxis>, Vec<RadarSeries>) {
    let mut axes: Vec<LppAxis> = Vec::new();
    for (_, profile) in profiles {
        for axis in profile.iter() {
            if !axes.iter().any(|a| a.name == axis.name) {
                axes.push(LppAxis::of(axis));
            }
        }
    }
    let series = profiles
        .iter()
        .map(|(label, profile)| RadarSeries {
            label: label.to_string(),
            values: axes
                .iter()
                .map(|spoke| {
                    profile.iter().find(|a| a.name == spoke.name).map(|a| {
                        ProfileAxis::new(&a.name, a.value, spoke.range, spoke.scale).normalised
                    })
                })
                .collect(),
        })
        .collect();
    (axes, series)
}

/// Why the profiles cannot be drawn as a radar, or `None`.
fn problem(axes: &[LppAxis], profiles: &[RadarSeries]) -> Option<String> {
    if axes.is_empty() || profiles.is_empty() {
        return Some("No LPP profile yet.\nEach LPP run adds one.".to_string());
    }
    if axes.len() < MIN_AXES {
        return Some(format!(
            "A radar needs at least {MIN_AXES} axes, got {}.\nThe probe text adds six; the tables show every value.",
            axes.len()
        ));
    }
    if axes.len() > MAX_AXES {
        return Some(format!(
            "Too many axes for a radar: {} (at most {MAX_AXES}).",
            axes.len()
        ));
    }
    for series in profiles {
        let name = shorten(&series.label, 30);
        if series.values.len() != axes.len() {
            return Some(format!(
                "The profile does not match the axes:\n{name} has {} values for {} axes.",
                series.values.len(),
                axes.len()
            ));
        }
        let outside =
            |v: &f64| !v.is_finite() || *v < -NORMALISED_SLACK || *v > 1.0 + NORMALISED_SLACK;
        if series.values.iter().flatten().any(outside) {
            return Some(format!(
                "{name} has a value outside [0, 1]:\nthe radar takes each axis's normalised value."
            ));
        }
    }
    None
}

/// How an axis note names a run: its number when the label starts with one (`#2` of
/// `#2 SmolLM2-135M · 8×256`, the page's labels), else its label cut short. A whole
/// label under every spoke would take the room the radar needs.
fn run_tag(label: &str) -> String {
    match label.split_whitespace().next() {
        Some(first) if first.starts_with('#') => first.to_string(),
        _ => shorten(label, 14),
    }
}

/// The muted line under an axis's name: its range, and which shown runs did not
/// measure it (`0–1, not in #2`), on one line so that nine labels around the circle
/// stay clear of each other.
fn range_line(axis: &LppAxis, shown: &[RadarSeries], index: usize) -> String {
    let lacking: Vec<String> = shown
        .iter()
        .filter(|s| s.values.get(index).is_some_and(Option::is_none))
        .map(|s| run_tag(&s.label))
        .collect();
    let range = axis.range_text();
    if lacking.is_empty() {
        range
    } else if lacking.len() == shown.len() {
        format!("{range}, not measured")
    } else {
        shorten(&format!("{range}, not in {}", lacking.join(", ")), 30)
    }
}

/// A raw value as a label prints it: three significant digits or so, never a long tail.
fn short_number(value: f64) -> String {
    let magnitude = value.abs();
    if magnitude >= 100.0 {
        format!("{value:.0}")
    } else if magnitude >= 10.0 {
        format!("{value:.1}")
    } else if magnitude >= 0.1 || magnitude == 0.0 {
        two_decimals(value)
    } else {
        // Small values (an ECE) keep three decimals, trailing zeros dropped: 0.042, 0.05.
        look::axis_number(&value)
    }
}

/// Draws the LPP profiles of up to four runs (`profiles`, more are left out and
/// counted) over `axes`, one spoke per metric clockwise from the top. Values are the
/// profile's normalised ones, in [0, 1].
///
/// Each run has its own colour, outline dash and marker shape, as on the AIS radar and
/// the depth curves. Each spoke is labelled with its metric and its range (`0–1`,
/// `1–1000, log`); the bold ring is the low end of every range, the outer ring the high
/// end. With one run every raw value is printed beside its marker (`≥ 1000` where the
/// value was clamped to the range). A run that did not measure an axis leaves a gap in
/// its outline, and the axis's label names it ("not measured").
///
/// Fewer than 3 or more than 12 axes, no run, a run whose length does not match `axes`,
/// and a value outside [0, 1] give a "no data" chart.
pub fn lpp_radar<DB>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    axes: &[LppAxis],
    profiles: &[RadarSeries],
) -> Result<(), ChartError>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let heading = if title.is_empty() {
        "LPP profile"
    } else {
        title
    };
    if let Some(reason) = problem(axes, profiles) {
        return no_data(area, heading, &reason);
    }
    let shown = &profiles[..profiles.len().min(RADAR_MAX_SERIES)];
    if shown.iter().all(|s| s.values.iter().all(Option::is_none)) {
        return no_data(area, heading, "No run has a value on any axis.");
    }

    let look = Look::for_area(area);
    area.fill(&WHITE)?;
    let body = area.titled(&look.fit_width(heading, 26.0, 0.95), look.title())?;
    let subtitle =
        "each axis from the low end of its range (bold ring) to the high end (outer ring)";
    let mut body = body.titled(&look.fit_width(subtitle, 21.0, 0.95), look.subtitle())?;
    if profiles.len() > shown.len() {
        let note = format!("showing {} of {} runs", shown.len(), profiles.len());
        body = body.titled(&look.fit_width(&note, 21.0, 0.95), look.subtitle())?;
    }
    if !look::has_room(&body, &look) {
        return Ok(());
    }

    let labels = axes
        .iter()
        .enumerate()
        .map(|(i, axis)| AxisLabel {
            name: axis.name.clone(),
            notes: vec![range_line(axis, shown, i)],
        })
        .collect();
    let single = shown.len() == 1;
    let value_label = |_: usize, axis: usize, normalised: f64| {
        let spoke = axes.get(axis)?;
        if !single {
            return None;
        }
        Some(if normalised >= 1.0 {
            format!("≥ {}", short_number(spoke.range[1]))
        } else if normalised <= 0.0 && spoke.raw(0.0) != 0.0 {
            format!("≤ {}", short_number(spoke.range[0]))
        } else {
            short_number(spoke.raw(normalised))
        })
    };
    draw_radar(
        &body,
        &look,
        &Radar {
            axes: labels,
            series: shown,
            // One empty ring inside the low end, so that values at the low end sit on
            // their own spokes rather than all on the centre point.
            scale: RadialScale::covering(0.0, 1.0),
            bold_ring: Some(0.0),
            dashed_ring: None,
            ring_labels: false,
            hollow_below: None,
            value_label: &value_label,
            key: vec![(Swatch::BoldRing, "low end of each range".to_string())],
            max_label_chars: MAX_LABEL_CHARS,
            legend_share: 0.9,
            legend_at: LegendAt::Below,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_read_as_stated_and_invert_the_profile_map() {
        let axis = |range, scale| LppAxis {
            name: "x".into(),
            range,
            scale,
        };
        let linear = axis([0.0, 0.5], Scale::Linear);
        assert_eq!(linear.range_text(), "0–0.5");
        assert_eq!(linear.raw(0.5), 0.25);
        let log = axis([1.0, 1000.0], Scale::Log);
        assert_eq!(log.range_text(), "1–1000, log");
        let mapped = ProfileAxis::new("x", 31.6, [1.0, 1000.0], Scale::Log).normalised;
        assert!((log.raw(mapped) - 31.6).abs() < 1e-9);
    }

    #[test]
    fn runs_are_named_by_their_number_when_they_have_one() {
        assert_eq!(run_tag("#12 SmolLM2-135M-Instruct.Q4_1 · 8×256"), "#12");
        assert_eq!(run_tag("model B"), "model B");
        assert_eq!(run_tag("SmolLM2-135M-Instruct.Q4_1"), "SmolLM2-135M-…");
    }

    #[test]
    fn numbers_keep_three_digits_or_so() {
        let printed: Vec<String> = [1234.6, 23.46, 1.234, 0.623, 0.0421, 0.05, 0.0]
            .into_iter()
            .map(short_number)
            .collect();
        assert_eq!(
            printed,
            ["1235", "23.5", "1.23", "0.62", "0.042", "0.05", "0.00"]
        );
    }
}
