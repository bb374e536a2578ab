//! The LPP profile (metrics.md §3): a model's scalar metrics as one radar chart, each
//! axis mapped to [0, 1] from a stated range, so that the shape compares across models
//! and the ranges are part of the report (a reader can undo the mapping).

use super::latent::LatentMetrics;
use super::symbolic::SymbolicResult;
use super::uncertainty::UncertaintyResult;
use serde::{Deserialize, Serialize};

/// How an axis maps its raw value to [0, 1].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// `(x - low) / (high - low)`, clamped.
    Linear,
    /// `(log10 x - log10 low) / (log10 high - log10 low)`, clamped.
    Log,
}

/// One radar axis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileAxis {
    /// The metric, as the report names it.
    pub name: String,
    /// Its raw value.
    pub value: f64,
    /// The raw value that maps to 0 and the one that maps to 1.
    pub range: [f64; 2],
    /// The mapping.
    pub scale: Scale,
    /// The value on the axis, in [0, 1].
    pub normalised: f64,
}

impl ProfileAxis {
    /// An axis for `value` over `range`.
    ///
    /// ```
    /// use mechscope_metrics::lpp::profile::{ProfileAxis, Scale};
    /// assert_eq!(ProfileAxis::new("x", 5.0, [0.0, 10.0], Scale::Linear).normalised, 0.5);
    /// assert_eq!(ProfileAxis::new("x", 100.0, [1.0, 10_000.0], Scale::Log).normalised, 0.5);
    /// assert_eq!(ProfileAxis::new("x", 20.0, [0.0, 10.0], Scale::Linear).normalised, 1.0);
    /// ```
    pub fn new(name: &str, value: f64, range: [f64; 2], scale: Scale) -> Self {
        let [low, high] = range;
        let t = match scale {
            Scale::Linear => (value - low) / (high - low),
            Scale::Log => (value.log10() - low.log10()) / (high.log10() - low.log10()),
        };
        ProfileAxis {
            name: name.to_string(),
            value,
            range,
            scale,
            normalised: if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) },
        }
    }
}

/// The profile's axes from whatever was measured; a probe not run adds no axis.
pub fn axes(
    text: Option<&LatentMetrics>,
    uncertainty: Option<&UncertaintyResult>,
    symbolic: Option<&SymbolicResult>,
) -> Vec<ProfileAxis> {
    let mut axes = Vec::new();
    if let Some(m) = text {
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
        axes.push(ProfileAxis::new(
            "output_entropy",
            m.output_entropy,
            [0.0, 1.0],
            Scale::Linear,
        ));
        if let Some(area) = m.logit_lens_area {
            axes.push(ProfileAxis::new(
                "logit_lens_area",
                area,
                [0.0, 1.0],
                Scale::Linear,
            ));
        }
        axes.push(ProfileAxis::new(
            "adaptability",
            m.adaptability,
            [0.0, 1.0],
            Scale::Linear,
        ));
        axes.push(ProfileAxis::new(
            "effective_rank_frac",
            mean(&m.effective_rank_frac),
            [0.0, 1.0],
            Scale::Linear,
        ));
        axes.push(ProfileAxis::new(
            "anisotropy",
            mean(&m.anisotropy),
            [0.0, 1.0],
            Scale::Linear,
        ));
        axes.push(ProfileAxis::new(
            "perplexity",
            m.perplexity,
            [1.0, 1000.0],
            Scale::Log,
        ));
    }
    if let Some(u) = uncertainty {
        if let Some(auroc) = u.entropy_auroc {
            axes.push(ProfileAxis::new(
                "uncertainty_auroc",
                auroc,
                [0.5, 1.0],
                Scale::Linear,
            ));
        }
        if let Some(ece) = u.ece {
            axes.push(ProfileAxis::new("ece", ece, [0.0, 0.5], Scale::Linear));
        }
    }
    if let Some(s) = symbolic
        && !s.accuracy.is_nan()
    {
        axes.push(ProfileAxis::new(
            "symbolic_accuracy",
            s.accuracy,
            [0.0, 1.0],
            Scale::Linear,
        ));
    }
    axes
}
