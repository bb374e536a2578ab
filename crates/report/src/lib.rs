//! The report stage: the versioned JSON report every metric run produces (metrics.md §4:
//! enough to reproduce the result from the report alone), and the charts drawn from it.
//!
//! A report is an envelope ([`Report`]: schema version, tool, model, backend, task,
//! timings) around one metric's settings and results ([`MetricReport`]). The envelope
//! is shared so that the page, the CLI and share links read every metric the same way.
//!
//! The charts ([`chart`]) are one function per chart over plotters' `DrawingBackend`,
//! so the CLI's SVG files and the page's canvas come from the same drawing code. Each
//! chart has a table ([`table`]): what the page shows beside it, reads out to screen
//! readers and exports as CSV.
//!
//! A share link ([`share`]) carries reports and the view state in the URL fragment
//! (`#ms1.` + base64url of deflated JSON), so the page reproduces a view without a
//! model; decoding it is safe on any input.
//!
//! Everything here is pure Rust and builds for `wasm32-unknown-unknown`: the page uses
//! it as it is. It must not depend on the model's backend beyond the metric types.

pub mod chart;
pub mod schema;
pub mod share;
pub mod table;
#[cfg(test)]
mod test_reports;

pub use schema::{
    AbilityMasks, AisReport, MaskFile, MetricReport, ModelInfo, ModelSource, Report, ReportError,
    SCHEMA_VERSION, TaskInfo,
};
