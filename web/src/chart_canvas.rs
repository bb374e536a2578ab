//! A `<canvas>` that a chart of `mechscope_report::chart` paints, through
//! plotters-canvas: the same drawing code as the CLI's `--svg`.
//!
//! The canvas is sized in device pixels (CSS size × `devicePixelRatio`), so text and
//! lines stay sharp on a projector or a high-density screen; the chart scales its fonts
//! to the area. It redraws whenever a signal read by `draw` changes.

use leptos::html::Canvas;
use leptos::prelude::*;
use mechscope_report::chart::ChartError;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;

/// The drawing a [`ChartCanvas`] shows.
pub type Draw = dyn Fn(&DrawingArea<CanvasBackend, Shift>) -> Result<(), ChartError>;

/// A chart on a canvas `width` × `height` CSS pixels at most (it shrinks with the
/// page). `label` is what screen readers say, and is also kept in `aria-label` for
/// tests: a summary of the numbers drawn.
#[component]
pub fn ChartCanvas(
    id: &'static str,
    #[prop(into)] label: Signal<String>,
    width: u32,
    height: u32,
    draw: Box<Draw>,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    // None until the first drawing: tests wait for `data-drawn`.
    let (drawn, set_drawn) = signal(None::<Result<(), String>>);
    Effect::new(move |_| {
        let Some(element) = canvas.get() else {
            return;
        };
        let ratio = window().device_pixel_ratio().clamp(1.0, 4.0);
        element.set_width((f64::from(width) * ratio).round() as u32);
        element.set_height((f64::from(height) * ratio).round() as u32);
        let Some(backend) = CanvasBackend::with_canvas_object(element) else {
            set_drawn.set(Some(Err("this browser gave no 2D canvas context".into())));
            return;
        };
        let area = backend.into_drawing_area();
        let drawn = area
            .fill(&WHITE)
            .map_err(ChartError::from)
            .and_then(|()| draw(&area))
            .and_then(|()| area.present().map_err(ChartError::from));
        set_drawn.set(Some(
            drawn.map_err(|e| format!("The chart could not be drawn: {e}")),
        ));
    });
    view! {
        <canvas
            node_ref=canvas
            id=id
            class="chart"
            role="img"
            aria-label=move || label.get()
            data-drawn=move || match drawn.get() {
                None => "pending",
                Some(Ok(())) => "true",
                Some(Err(_)) => "false",
            }
            style=format!("width: 100%; max-width: {width}px; aspect-ratio: {width} / {height};")
        ></canvas>
        {move || drawn.get().and_then(Result::err).map(|e| view! { <p class="error">{e}</p> })}
    }
}
