//! Where a task's key neurons sit: the share of each layer's MLP neurons in the union,
//! as bars, with the overall MUI as a dashed line (it is the mean of the bars, since
//! every layer has `d_ff` neurons).

use super::look::{self, Look, Ticked, percent};
use super::{ChartError, no_data};
use mechscope_metrics::mui::MuiResult;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Above this many layers the bars carry no value labels: they would overlap.
const MAX_LAYERS_WITH_VALUES: usize = 12;
/// At most this many layer numbers on the x axis.
const MAX_LAYER_TICKS: usize = 16;

/// Draws the per-layer share of neurons in the union (`union_per_layer[l] / d_ff`, in
/// percent), titled with the overall MUI and `subject` (e.g. "SmolLM2-135M · arc_easy").
///
/// The shape is what a reader looks for: whether a task leans on early, middle or late
/// layers, and how far the busiest layer is from the average. A result without layers,
/// without neurons or with a non-finite MUI is drawn as a "no data" chart.
pub fn mui_layers<DB>(
    area: &DrawingArea<DB, Shift>,
    result: &MuiResult,
    subject: &str,
) -> Result<(), ChartError>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let heading = if subject.is_empty() {
        "MUI per layer".to_string()
    } else {
        format!("MUI per layer · {subject}")
    };
    let n_layers = result.union_per_layer.len();
    let d_ff = result.neuron_set.d_ff;
    let empty_reason = if n_layers == 0 {
        Some("No MUI data: the run has no layers.")
    } else if d_ff == 0 {
        Some("No MUI data: the model has no MLP neurons (d_ff = 0).")
    } else if !result.mui.is_finite() {
        Some("No MUI data: the MUI value is not a number.")
    } else {
        None
    };
    if let Some(reason) = empty_reason {
        return no_data(area, &heading, reason);
    }

    let look = Look::for_area(area);
    area.fill(&WHITE)?;
    let overall_pct = result.mui * 100.0;
    let shares_pct: Vec<f64> = result
        .union_per_layer
        .iter()
        .map(|&used| used as f64 / d_ff as f64 * 100.0)
        .collect();

    let title = format!("MUI {} · {subject}", percent(overall_pct));
    let title = look.fit_width(title.trim_end_matches(" · "), 26.0, 0.95);
    let body = area.titled(&title, look.title())?;
    let subtitle = format!(
        "{} of {} MLP neurons used; bars: share of each layer's {}",
        result.union_size, result.total_neurons, d_ff
    );
    let body = body.titled(&look.fit_width(&subtitle, 21.0, 0.95), look.subtitle())?;

    // Headroom above the tallest bar keeps its value label and the legend clear of it.
    let tallest = shares_pct.iter().copied().fold(overall_pct, f64::max);
    let y_top = if tallest > 0.0 { tallest * 1.4 } else { 1.0 };
    let last_layer = n_layers as f64 - 1.0;
    let step = n_layers.div_ceil(MAX_LAYER_TICKS).max(1);
    let ticks: Vec<f64> = (0..n_layers).step_by(step).map(|l| l as f64).collect();

    let mut chart = ChartBuilder::on(&body)
        .margin(look.px(10.0))
        .margin_right(look.px(24.0))
        .x_label_area_size(look.px(52.0))
        .y_label_area_size(look.px(66.0))
        .build_cartesian_2d(
            Ticked::new(RangedCoordf64::from(-0.5..last_layer + 0.5), ticks),
            0.0..y_top,
        )?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .max_light_lines(0)
        .bold_line_style(look::FRAME.stroke_width(look.stroke(1.0)))
        .axis_style(look::INK.stroke_width(look.stroke(2.0)))
        .x_desc("layer")
        .y_desc("neurons used (%)")
        .axis_desc_style(look.text(21.0))
        .label_style(look.text(18.0))
        .x_label_formatter(&|layer| format!("{layer:.0}"))
        .y_labels(6)
        .y_label_formatter(&look::axis_number)
        .draw()?;

    let half_width = 0.38;
    chart
        .draw_series(shares_pct.iter().enumerate().map(|(layer, &share)| {
            let x = layer as f64;
            Rectangle::new(
                [(x - half_width, 0.0), (x + half_width, share)],
                look::BLUE.filled(),
            )
        }))?
        .label("neurons used in the layer")
        .legend(move |(x, y)| {
            let half = look.px(8.0) as i32;
            Rectangle::new(
                [(x, y - half), (x + 2 * half, y + half)],
                look::BLUE.filled(),
            )
        });

    if n_layers <= MAX_LAYERS_WITH_VALUES {
        let value_style = look.text(16.0).pos(Pos::new(HPos::Center, VPos::Bottom));
        let lift = -(look.px(4.0) as i32);
        chart.draw_series(shares_pct.iter().enumerate().map(|(layer, &share)| {
            EmptyElement::at((layer as f64, share))
                + Text::new(percent(share), (0, lift), value_style.clone())
        }))?;
    }

    let line_style = look::ORANGE.stroke_width(look.stroke(3.0));
    let (dash, gap) = (look.px(12.0), look.px(7.0));
    chart
        .draw_series(DashedLineSeries::new(
            [(-0.5, overall_pct), (last_layer + 0.5, overall_pct)],
            dash,
            gap,
            line_style,
        ))?
        .label(format!("all layers (MUI {})", percent(overall_pct)))
        .legend(move |(x, y)| {
            DashedPathElement::new(
                [(x, y), (x + look.px(16.0) as i32, y)],
                look.px(7.0),
                look.px(3.0),
                line_style,
            )
        });

    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .label_font(look.text(17.0))
        .background_style(WHITE.mix(0.9))
        .border_style(look::FRAME)
        .margin(look.px(8.0))
        .legend_area_size(look.px(30.0))
        .draw()?;
    Ok(())
}
