//! The metrics stage: MUI, AIS and LPP as pure functions on traces, plus the pipelines
//! that drive `mechscope-model` over `mechscope-tasks` with progress and cancellation.
//!
//! The exact definitions and defaults are in the project's metrics contract
//! (`../shared/docs/metrics.md`); every option it names is a field of the metric's
//! options struct, so a report can record the setting that produced it.

use std::future::{Ready, ready};
use std::ops::ControlFlow;

pub mod ais;
pub mod bench;
pub mod lpp;
pub mod mui;

/// A progress callback that watches nothing and never cancels, for the `on_step` of
/// every pipeline ([`ais::run_ais`], [`lpp::run_lpp`] and the rest).
///
/// Progress callbacks return a future so that a browser page can let the tab repaint
/// and handle a click on Cancel between items (it awaits a zero timeout there); natively
/// the future is ready at once.
pub fn no_progress<T>(_: T) -> Ready<ControlFlow<()>> {
    ready(ControlFlow::Continue(()))
}
