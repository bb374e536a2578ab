//! LPP, Latent Performance Profiling (metrics.md §3): scalar metrics on hidden states
//! and output distributions that compare across model sizes.
//!
//! - [`latent`]: the task-agnostic metrics over probe text (output entropy, logit-lens
//!   profile, drift, hidden scale, anisotropy, effective rank, perplexity), streamed one
//!   sequence at a time: reductions on the device, the rest on the host in `f64`.
//! - [`uncertainty`]: the uncertainty probe scored by log-likelihood: option entropy per
//!   stratum, KL to uniform, ECE, Brier, AUROC.
//! - [`symbolic`]: the symbolic probe answered by greedy generation: accuracy per family
//!   and level, the 50% crossing.
//! - [`profile`]: the radar's axes, each mapped to [0, 1] from a stated range.
//! - [`pipeline`]: all of it with progress and cancel ([`run_lpp`]).
//! - The arithmetic they end in, with known-answer tests: [`depth`] (relative depth,
//!   area, commit depth), [`calibration`], [`hidden`], [`softmax_rows`] (entropy and
//!   log-probabilities of logit rows on the host, for CPU devices).
//!
//! The probes themselves (items, the probe text) are generated in
//! `mechscope_tasks::probes`.

pub mod calibration;
pub mod depth;
pub mod hidden;
pub mod latent;
pub mod pipeline;
pub mod profile;
pub mod softmax_rows;
pub mod symbolic;
pub mod uncertainty;

pub use latent::{LatentMetrics, LppError, latent_metrics, probe_sequences};
pub use pipeline::{LppRun, LppSettings, Probes, Step, run_lpp};
