//! The MechScope page: a Leptos (client-side rendered) app compiled to WebAssembly.
//!
//! What the page shows today: what MechScope is, the WebGPU adapter it will compute on
//! (or why it will use the CPU), and the demo model's header read from real bytes by
//! `mechscope-formats`. A file picker inspects any GGUF file the user has.

mod ais_panel;
mod app;
mod bench_panel;
mod bytes;
mod chart_canvas;
mod gpu;
mod lpp_panel;
mod model_header;
mod model_slot;
mod mui_panel;
mod next_token_panel;
mod query;
mod run_status;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}

#[cfg(test)]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
