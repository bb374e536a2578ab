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

/// `f(i)` for every `i` in `0..count`, in order: natively on every core (rayon), in the
/// browser on its one thread. For independent jobs big enough to pay for a thread (a
/// logit row of 49 152 values, a layer's eigenvalues).
pub(crate) fn each_index<T: Send>(count: usize, f: impl Fn(usize) -> T + Sync + Send) -> Vec<T> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        use rayon::prelude::*;
        (0..count).into_par_iter().map(f).collect()
    }
    #[cfg(target_arch = "wasm32")]
    {
        (0..count).map(f).collect()
    }
}
pub use pipeline::{LppRun, LppSettings, Probes, Step, run_lpp};
