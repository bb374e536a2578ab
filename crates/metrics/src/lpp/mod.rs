//! LPP, Latent Performance Profiling (metrics.md §3): scalar metrics on hidden states
//! and output distributions that compare across model sizes.
//!
//! This first part holds the host-side arithmetic every LPP metric ends in: per-layer
//! curves on relative depth with their area and commit depth ([`depth`]), the
//! uncertainty and calibration measures of the multiple-choice probes
//! ([`calibration`]), and the hidden-state measures from their reductions
//! ([`hidden`]). The traced quantities (entropy over the vocabulary, cosines between
//! layers, singular values, sums of unit vectors, perplexity) are reduced on the device
//! and handed to these.

pub mod calibration;
pub mod depth;
pub mod hidden;
pub mod latent;
