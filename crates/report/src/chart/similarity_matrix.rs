//! How alike the benchmarks' AIS profiles are: the benchmark × benchmark matrix of
//! profile similarity, 1 - Jensen-Shannon divergence (metrics.md §2), each cell coloured
//! and printed with its value.
//!
//! Two benchmarks with a similarity near 1 lean on the same abilities: one of them tells
//! little that the other does not.

use super::grid::{Grid, Noun, Scale, draw_grid, table_problem};
use super::look::Look;
use super::{ChartError, no_data};
use plotters::coord::Shift;
use plotters::prelude::*;

const BENCHMARK: Noun = ("benchmark", "benchmarks");

/// How far outside [0, 1] a similarity may stray by rounding before it is taken for a
/// different quantity passed by mistake.
const TOLERANCE: f64 = 1e-6;

/// Draws the similarity of every pair of benchmarks: `names` label both the rows and
/// the columns, `values[row][column]` is in [0, 1] or `None` where it is undefined (a
/// profile with no defined positive AIS has nothing to compare).
///
/// One hue, off-white (0) to blue (1), so that darker always means more alike; the
/// value is printed in every cell with two decimals, undefined cells are hatched and
/// print "n/a". The matrix is drawn as given: the diagonal prints whatever the caller
/// computed (1.00 for a defined profile), and an asymmetric input shows as such rather
/// than being averaged away. Empty input, a matrix that is not square or does not match
/// `names`, values that are not numbers and values outside [0, 1] give a "no data" chart.
pub fn similarity_matrix<DB>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    names: &[String],
    values: &[Vec<Option<f64>>],
) -> Result<(), ChartError>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let heading = if title.is_empty() {
        "Profile similarity"
    } else {
        title
    };
    if let Some(reason) = table_problem(names, names, values, (BENCHMARK, BENCHMARK)) {
        return no_data(area, heading, &reason);
    }
    if let Some(value) = values
        .iter()
        .flatten()
        .flatten()
        .find(|v| !(-TOLERANCE..=1.0 + TOLERANCE).contains(*v))
    {
        return no_data(
            area,
            heading,
            &format!("{value} is not a similarity:\nprofile similarity is between 0 and 1."),
        );
    }

    let look = Look::for_area(area);
    area.fill(&WHITE)?;
    let body = area.titled(&look.fit_width(heading, 26.0, 0.95), look.title())?;
    let subtitle = "1 - Jensen-Shannon divergence of the AIS profiles: 1 = the same abilities";
    let body = body.titled(&look.fit_width(subtitle, 21.0, 0.95), look.subtitle())?;
    draw_grid(
        &body,
        &look,
        &Grid {
            rows: names,
            columns: names,
            values,
            scale: Scale::Sequential { max: 1.0 },
            square_cells: true,
            key_title: "similarity",
        },
    )
}
