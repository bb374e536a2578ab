//! Every AIS of every benchmark at once: rows are benchmarks, columns abilities, each
//! cell coloured on a scale centred at 0 and printed with its value (metrics.md §2).
//!
//! The radar shows the shape of a few profiles; this grid is where a reader looks up a
//! number, compares one ability across many benchmarks, and sees which values are
//! undefined.

use super::grid::{Grid, Noun, Scale, draw_grid, table_problem};
use super::look::Look;
use super::{ChartError, LARGEST_AIS, no_data};
use plotters::coord::Shift;
use plotters::prelude::*;

const BENCHMARK: Noun = ("benchmark", "benchmarks");
const ABILITY: Noun = ("ability", "abilities");

/// Draws the AIS of each ability (`abilities`, the columns) on each benchmark
/// (`benchmarks`, the rows); `values[benchmark][ability]`, `None` where the AIS is
/// undefined (the base accuracy was at or below chance).
///
/// Colours: blue where removing the ability lowered the score (AIS > 0), vermillion
/// where it raised it (AIS < 0), off-white near 0, darker the larger the effect. The
/// scale spans ±max(1, largest |AIS|) rounded up to a half, so that every heatmap whose
/// AIS stay within ±1 (1: the score falls to chance) colours alike, and the key's ticks
/// (the ends, their halves and 0) are round numbers. Each cell prints its value with two
/// decimals in ink or white, whichever reads better on the cell; undefined cells are
/// hatched and print "n/a". Empty input, a table that does not match its labels, and
/// values that are not numbers (or beyond ±10⁶) give a "no data" chart.
pub fn ais_heatmap<DB>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    abilities: &[String],
    benchmarks: &[String],
    values: &[Vec<Option<f64>>],
) -> Result<(), ChartError>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let heading = if title.is_empty() {
        "AIS by benchmark and ability"
    } else {
        title
    };
    if let Some(reason) = table_problem(benchmarks, abilities, values, (BENCHMARK, ABILITY)) {
        return no_data(area, heading, &reason);
    }
    let largest = values
        .iter()
        .flatten()
        .flatten()
        .fold(0.0f64, |m, v| m.max(v.abs()));
    if largest > LARGEST_AIS {
        return no_data(
            area,
            heading,
            "The values are too large to be AIS:\nan AIS is a score drop relative to chance, about -0.5 to 1.5.",
        );
    }

    let look = Look::for_area(area);
    area.fill(&WHITE)?;
    let body = area.titled(&look.fit_width(heading, 26.0, 0.95), look.title())?;
    let subtitle =
        "AIS: blue = removing the ability lowered the score, vermillion = removing it raised it";
    let body = body.titled(&look.fit_width(subtitle, 21.0, 0.95), look.subtitle())?;
    draw_grid(
        &body,
        &look,
        &Grid {
            rows: benchmarks,
            columns: abilities,
            values,
            scale: Scale::Diverging {
                limit: (largest.max(1.0) * 2.0).ceil() / 2.0,
            },
            square_cells: false,
            key_title: "AIS",
        },
    )
}
