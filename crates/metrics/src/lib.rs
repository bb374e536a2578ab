//! The metrics stage: MUI, AIS and LPP as pure functions on traces, plus the pipelines
//! that drive `mechscope-model` over `mechscope-tasks` with progress and cancellation.
//!
//! The exact definitions and defaults are in the project's metrics contract
//! (`../shared/docs/metrics.md`). Filled by the metric issues; today it only fixes its
//! place in the data flow.

// Keep the dependency edges of the data flow visible even before they are used.
use mechscope_model as _;
use mechscope_tasks as _;
