//! A `<canvas>` that a chart of `mechscope_report::chart` paints, through
//! plotters-canvas: the same drawing code as the CLI's `--svg`. Under it, "PNG" saves
//! the canvas as drawn and "SVG" draws the chart again on plotters' SVG backend.
//!
//! The canvas is sized in device pixels (CSS size × `devicePixelRatio`), so text and
//! lines stay sharp on a projector or a high-density screen; the chart scales its fonts
//! to the area. It redraws whenever a signal read by the drawing changes.

use crate::download::{blob_url_of, revoke};
use crate::explain::Explain;
use leptos::html::Canvas;
use leptos::prelude::*;
use mechscope_report::chart::{self, ChartError};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsCast;

type Painted = Result<(), ChartError>;
type PaintCanvas = dyn Fn(&DrawingArea<CanvasBackend, Shift>) -> Painted;
type PaintSvg = dyn Fn(&DrawingArea<SVGBackend<'_>, Shift>) -> Painted;

/// What a [`ChartCanvas`] shows: one `mechscope_report::chart` call, kept once for
/// the canvas and once for the SVG export (plotters' backends are type parameters, and
/// a closure cannot be generic). Made with [`drawing!`](crate::drawing).
pub struct Drawing {
    canvas: Box<PaintCanvas>,
    svg: Box<PaintSvg>,
}

impl Drawing {
    /// The two closures must draw the same thing; [`drawing!`](crate::drawing) writes
    /// them from one body.
    pub fn new(
        canvas: impl Fn(&DrawingArea<CanvasBackend, Shift>) -> Painted + 'static,
        svg: impl Fn(&DrawingArea<SVGBackend<'_>, Shift>) -> Painted + 'static,
    ) -> Self {
        Self {
            canvas: Box::new(canvas),
            svg: Box::new(svg),
        }
    }
}

/// A [`Drawing`] from one closure body over `area`; the listed captures are cloned for
/// the canvas's copy.
///
/// ```ignore
/// drawing!([result, subject] |area| mui_layers(area, &result, &subject))
/// ```
#[macro_export]
macro_rules! drawing {
    ([$($captured:ident),* $(,)?] |$area:ident| $body:expr) => {
        $crate::chart_canvas::Drawing::new(
            {
                $(let $captured = $captured.clone();)*
                move |$area| $body
            },
            move |$area| $body,
        )
    };
}

/// A chart on a canvas `width` × `height` CSS pixels at most (it shrinks with the
/// page), with PNG and SVG downloads (`#{id}-png`, `#{id}-svg`). `label` is what screen
/// readers say, and is also kept in `aria-label` for tests: a summary of the numbers
/// drawn.
#[component]
pub fn ChartCanvas(
    id: &'static str,
    #[prop(into)] label: Signal<String>,
    width: u32,
    height: u32,
    draw: Drawing,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let Drawing {
        canvas: paint,
        svg: paint_svg,
    } = draw;
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
            .and_then(|()| paint(&area))
            .and_then(|()| area.present().map_err(ChartError::from));
        set_drawn.set(Some(
            drawn.map_err(|e| format!("The chart could not be drawn: {e}")),
        ));
    });

    // The last export's object URL, revoked when the next one is made.
    let last_svg = StoredValue::new_local(None::<String>);
    let (export_error, set_export_error) = signal(None::<String>);
    let save_png = move |event: leptos::ev::MouseEvent| {
        let url = canvas
            .get_untracked()
            .ok_or_else(|| "the chart is not on the page".to_string())
            .and_then(|c| {
                c.to_data_url_with_type("image/png")
                    .map_err(|e| format!("{e:?}"))
            });
        point_link_at(&event, url, set_export_error);
    };
    let save_svg = move |event: leptos::ev::MouseEvent| {
        let url = chart::to_svg(width, height, |area| paint_svg(area))
            .map_err(|e| e.to_string())
            .and_then(|svg| {
                blob_url_of(&svg, "image/svg+xml")
                    .ok_or_else(|| "the browser refused to make a file of it".to_string())
            });
        if let Ok(url) = &url
            && let Some(old) = last_svg
                .try_update_value(|last| last.replace(url.clone()))
                .flatten()
        {
            revoke(&old);
        }
        point_link_at(&event, url, set_export_error);
    };
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
            // Through CSSOM (`style:`), not a `style` attribute, which the page's
            // Content-Security-Policy (style-src 'self') refuses.
            style:max-width=format!("{width}px")
            style:aspect-ratio=format!("{width} / {height}")
        ></canvas>
        {move || drawn.get().and_then(Result::err).map(|e| view! { <p class="error">{e}</p> })}
        <p class="chart-export">
            "Save the chart: "
            <a id=format!("{id}-png") href="#" download=format!("{id}.png") on:click=save_png>"PNG"</a>
            " · "
            <a id=format!("{id}-svg") href="#" download=format!("{id}.svg") on:click=save_svg>"SVG"</a>
            {move || export_error.get().map(|e| view! { <span class="error">" Not saved: "{e}</span> })}
        </p>
        <Explain chart=id />
    }
}

/// Points the clicked download link at `url` before the browser follows it (the
/// browser reads `href` after the click handlers ran), or stops the click and says why.
fn point_link_at(
    event: &leptos::ev::MouseEvent,
    url: Result<String, String>,
    set_error: WriteSignal<Option<String>>,
) {
    let link = event
        .current_target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
    match (url, link) {
        (Ok(url), Some(link)) => {
            set_error.set(None);
            if let Err(e) = link.set_attribute("href", &url) {
                event.prevent_default();
                set_error.set(Some(format!("{e:?}")));
            }
        }
        (Err(e), _) => {
            event.prevent_default();
            set_error.set(Some(e));
        }
        (Ok(_), None) => event.prevent_default(),
    }
}
