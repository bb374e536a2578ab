//! The metrics stage: MUI, AIS and LPP as pure functions on traces, plus the pipelines
//! that drive `mechscope-model` over `mechscope-tasks` with progress and cancellation.
//!
//! The exact definitions and defaults are in the project's metrics contract
//! (`../shared/docs/metrics.md`); every option it names is a field of the metric's
//! options struct, so a report can record the setting that produced it.

pub mod ais;
pub mod bench;
pub mod lpp;
pub mod mui;
