//! The report stage: the versioned JSON report schema, the share-link codec, and one
//! chart function per chart written against plotters' `DrawingBackend` (canvas in the
//! browser, SVG/PNG natively).
//!
//! Filled by the metric and page issues; today it only fixes its place.

use mechscope_metrics as _;
