//! The charts, one function per chart, each drawing on any plotters
//! [`DrawingBackend`]: the same code writes an SVG natively ([`to_svg`], the CLI's
//! `--svg`) and paints a `<canvas>` in the browser (plotters-canvas, in the web crate).
//!
//! A chart function takes the [`DrawingArea`] to draw on and the data, and never
//! presents the area: the caller owns the backend, may split the area to compose several
//! charts, and presents once at the end. Data that cannot be plotted (no layers, no
//! points, not-a-number) gives a chart that says so ([`no_data`]), never a panic or an
//! error: an error here means the backend failed.
//!
//! Text is laid out with plotters' built-in estimate natively (no font files, no
//! fontconfig) and measured by the browser in wasm; the SVG keeps real `<text>` elements
//! that the viewer renders with its own sans-serif font. A bitmap backend would need a
//! font feature of plotters, which this crate leaves off on purpose.

pub mod ais_heatmap;
pub mod ais_radar;
mod grid;
mod labels;
mod look;
pub mod lpp_depth_curves;
pub mod lpp_radar;
pub mod mui_layers;
mod radar;
mod series;
pub mod similarity_matrix;
pub mod utility_law;

pub use ais_heatmap::ais_heatmap;
pub use ais_radar::ais_radar;
pub use lpp_depth_curves::{DEPTH_METRICS, DepthCurve, DepthMetric, lpp_depth_curves};
pub use lpp_radar::{LppAxis, lpp_radar, lpp_radar_series};
pub use mui_layers::mui_layers;
pub use radar::{RADAR_MAX_SERIES, RadarSeries};
pub use similarity_matrix::similarity_matrix;
pub use utility_law::{contamination_hints, utility_law};

use look::Look;
use plotters::coord::Shift;
use plotters::drawing::DrawingAreaErrorKind;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Beyond this an AIS is taken for a broken input rather than a score drop relative to
/// chance: a real one is within a few units, and only a base accuracy a hair above
/// chance reaches thousands. The AIS charts draw "no data" rather than print 300-digit
/// numbers or squash every other value into the centre.
const LARGEST_AIS: f64 = 1e6;

/// Why a chart could not be drawn. Only the backend can fail (a canvas that went away, a
/// file that cannot be written); bad data is drawn as a "no data" chart instead.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// The drawing backend refused an operation. The source is plotters' error for the
    /// backend in use, boxed so that one error type serves every backend.
    #[error("drawing the chart failed")]
    Drawing(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl<E: std::error::Error + Send + Sync + 'static> From<DrawingAreaErrorKind<E>> for ChartError {
    fn from(error: DrawingAreaErrorKind<E>) -> Self {
        ChartError::Drawing(Box::new(error))
    }
}

/// Draws into an in-memory SVG of `width` × `height` pixels and returns its text.
///
/// The closure gets the whole area (already white) and calls one or more chart functions
/// on it; the SVG is finished (presented) here, after the closure, so a backend error at
/// the end is reported rather than lost in a `Drop`.
///
/// ```
/// use mechscope_metrics::mui::MuiResult;
/// use mechscope_report::chart::{mui_layers, to_svg};
/// let result = MuiResult::from_samples(&[], 0, 0);
/// let svg = to_svg(800, 400, |area| mui_layers(area, &result, "demo")).unwrap();
/// assert!(svg.starts_with("<svg") && svg.contains("No MUI data"));
/// ```
pub fn to_svg(
    width: u32,
    height: u32,
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), ChartError>,
) -> Result<String, ChartError> {
    let mut svg = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        area.fill(&WHITE)?;
        draw(&area)?;
        area.present()?;
    }
    Ok(svg)
}

/// A chart that explains why there is nothing to show: a title, and `reason` (lines
/// separated by `\n`) in the middle. Used by every chart for empty or unusable data, and
/// available to the page for "nothing computed yet".
pub fn no_data<DB>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    reason: &str,
) -> Result<(), ChartError>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let look = Look::for_area(area);
    area.fill(&WHITE)?;
    let body = area.titled(title, look.title())?;
    let (width, height) = body.dim_in_pixel();
    let inset = look.px(12.0) as i32;
    body.draw(&Rectangle::new(
        [
            (inset, inset),
            (width as i32 - inset, height as i32 - inset),
        ],
        look::FRAME.stroke_width(look.stroke(2.0)),
    ))?;
    let lines: Vec<&str> = reason.lines().collect();
    let line_height = look.px(30.0) as i32;
    let first_y = height as i32 / 2 - line_height * (lines.len() as i32 - 1) / 2;
    let style = look
        .text(22.0)
        .color(&look::MUTED)
        .pos(Pos::new(HPos::Center, VPos::Center));
    for (i, line) in lines.iter().enumerate() {
        body.draw_text(
            line,
            &style,
            (width as i32 / 2, first_y + line_height * i as i32),
        )?;
    }
    Ok(())
}
