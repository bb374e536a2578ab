//! Where the page's model is in its life, as every panel sees it. The model itself
//! lives in the worker; this is what the page knows of it.

use crate::protocol::{Failure, LoadedFacts, Progress};

#[derive(Debug, Clone, PartialEq)]
pub enum ModelState {
    NotLoaded,
    /// A load is under way: what is loading, and its latest progress.
    Loading {
        label: String,
        progress: Option<Progress>,
    },
    Ready(Box<LoadedFacts>),
    Failed(Failure),
}

impl ModelState {
    /// The `data-state` the end-to-end tests wait on.
    pub fn name(&self) -> &'static str {
        match self {
            ModelState::NotLoaded => "not-loaded",
            ModelState::Loading {
                progress: Some(Progress::Downloading { .. }) | None,
                ..
            } => "downloading",
            ModelState::Loading { .. } => "preparing",
            ModelState::Ready(_) => "ready",
            ModelState::Failed(_) => "failed",
        }
    }

    pub fn is_ready(&self) -> bool {
        matches!(self, ModelState::Ready(_))
    }
}
