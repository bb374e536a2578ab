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

use super::look::{self, Look, shorten, two_decimals};
use super::radar::{
    AxisLabel, LegendAt, MAX_AXES, MIN_AXES, RADAR_MAX_SERIES, Radar, RadarSeries, RadialScale,
    draw_radar,
};
use super::series::Swatch;
use super::{ChartError, LARGEST_AIS, no_data};
use plotters::coord::Shift;
use plotters::prelude::*;

/// The authors' display threshold: an AIS below it is read as "no effect".
pub const DISPLAY_THRESHOLD: f64 = 0.05;
/// Series labels in the legend longer than this are cut: they are benchmark names.
const MAX_LABEL_CHARS: usize = 24;

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
    let shown = &profiles[..profiles.len().min(RADAR_MAX_SERIES)];
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
    let axes = abilities
        .iter()
        .enumerate()
        .map(|(axis, name)| AxisLabel {
            name: name.clone(),
            notes: lacking_note(shown, axis, "undefined").into_iter().collect(),
        })
        .collect();
    // With one profile every value beyond ±0.05 is printed; with several only the
    // negative ones, which the hollow markers alone make easy to miss.
    let single = shown.len() == 1;
    let value_label = |_: usize, _: usize, value: f64| {
        let beyond = if single {
            value.abs() >= DISPLAY_THRESHOLD
        } else {
            value <= -DISPLAY_THRESHOLD
        };
        beyond.then(|| two_decimals(value))
    };
    draw_radar(
        &body,
        &look,
        &Radar {
            axes,
            series: shown,
            scale,
            bold_ring: Some(0.0),
            dashed_ring: Some(DISPLAY_THRESHOLD),
            ring_labels: true,
            hollow_below: Some(0.0),
            value_label: &value_label,
            key: vec![
                (Swatch::Filled, "AIS ≥ 0".to_string()),
                (Swatch::Hollow, "AIS < 0: removing it helped".to_string()),
                (Swatch::BoldRing, "AIS = 0".to_string()),
                (
                    Swatch::DashedRing,
                    format!("{DISPLAY_THRESHOLD}: authors' threshold"),
                ),
            ],
            max_label_chars: MAX_LABEL_CHARS,
            legend_share: 0.36,
            legend_at: LegendAt::Right,
        },
    )
}

/// The muted line that says which of `series` have no value on `axis`: `"(word)"` when
/// none has, `"(word: a, b)"` when some lack it, `None` when all have one.
fn lacking_note(series: &[RadarSeries], axis: usize, word: &str) -> Option<String> {
    let lacking: Vec<&str> = series
        .iter()
        .filter(|s| s.values.get(axis).is_some_and(Option::is_none))
        .map(|s| s.label.as_str())
        .collect();
    if lacking.is_empty() {
        None
    } else if lacking.len() == series.len() {
        Some(format!("({word})"))
    } else {
        Some(shorten(&format!("({word}: {})", lacking.join(", ")), 24))
    }
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
