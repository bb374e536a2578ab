//! The MechScope page: a Leptos (client-side rendered) app compiled to WebAssembly,
//! and the Web Worker that holds the model.
//!
//! Two binaries share this library: `mechscope-web` mounts the page ([`app::App`]);
//! `mechscope-worker` runs [`worker::start`] in a dedicated worker, where the model is
//! loaded and every run happens. They talk in [`protocol`] messages through
//! [`client`] (the page's side). The page does the light work: forms, reading task
//! files and hub datasets, charts; the worker the heavy: downloads (with the
//! [`model_cache`]), weights, forward passes.

pub mod ais_panel;
pub mod app;
pub mod bench_panel;
pub mod bytes;
pub mod cache_panel;
pub mod chart_canvas;
pub mod client;
pub mod download;
pub mod explain;
pub mod global;
pub mod gpu;
pub mod hosts;
pub mod lpp_panel;
pub mod model_cache;
pub mod model_header;
pub mod model_panel;
pub mod model_state;
pub mod mui_panel;
pub mod next_token_panel;
pub mod protocol;
pub mod query;
pub mod run_status;
pub mod share;
pub mod table_view;
pub mod worker;

#[cfg(test)]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
