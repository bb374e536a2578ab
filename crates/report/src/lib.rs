//! The report stage: the versioned JSON report every metric run produces (metrics.md §4:
//! enough to reproduce the result from the report alone), and the charts drawn from it.
//!
//! A report is an envelope ([`Report`]: schema version, tool, model, backend, task,
//! timings) around one metric's settings and results ([`MetricReport`]). The envelope
//! is shared so that the page, the CLI and share links read every metric the same way.
//!
//! The charts ([`chart`]) are one function per chart over plotters' `DrawingBackend`,
//! so the CLI's SVG files and the page's canvas come from the same drawing code.

pub mod chart;
pub mod schema;

pub use schema::{
    AbilityMasks, AisReport, MaskFile, MetricReport, ModelInfo, ModelSource, Report, ReportError,
    SCHEMA_VERSION, TaskInfo,
};
