//! The Ability Impact Score, benchmark profiles and their similarity (metrics.md §2).

use serde::{Deserialize, Serialize};

/// An AIS value, or why there is none: a score whose base accuracy is at or below
/// chance has nothing to lose, and a ratio over it would be noise presented as a number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Score {
    Defined { value: f64 },
    Undefined { reason: String },
}

impl Score {
    /// The value when defined.
    pub fn value(&self) -> Option<f64> {
        match self {
            Score::Defined { value } => Some(*value),
            Score::Undefined { .. } => None,
        }
    }
}

/// `AIS = (P - P_ablated) / (P - P_chance)`; undefined when `P ≤ P_chance`.
///
/// ```
/// use mechscope_metrics::ais::profile::ais;
/// // The SmolLM2 reference: ARC-Easy 0.46 → 0.22 with 4 choices.
/// let score = ais(0.46, 0.22, 0.25).value().unwrap();
/// assert!((score - 1.142857).abs() < 1e-6);
/// assert!(ais(0.25, 0.20, 0.25).value().is_none());
/// ```
pub fn ais(base: f64, ablated: f64, chance: f64) -> Score {
    if base <= chance {
        return Score::Undefined {
            reason: format!(
                "the unablated accuracy {base:.4} is not above chance ({chance:.4}): there is no \
                 ability to remove"
            ),
        };
    }
    Score::Defined {
        value: (base - ablated) / (base - chance),
    }
}

/// The plain relative drop `(P - P_ablated) / P`; undefined when `P = 0`.
pub fn relative_drop(base: f64, ablated: f64) -> Score {
    if base <= 0.0 {
        return Score::Undefined {
            reason: "the unablated accuracy is 0: a relative drop is undefined".into(),
        };
    }
    Score::Defined {
        value: (base - ablated) / base,
    }
}

/// AIS with the bottom-mask control's drop subtracted:
/// `((P - P_top) - (P - P_bottom)) / (P - P_chance)`.
pub fn control_corrected(base: f64, top: f64, bottom: f64, chance: f64) -> Score {
    match ais(base, top, chance) {
        Score::Defined { .. } => Score::Defined {
            value: (bottom - top) / (base - chance),
        },
        undefined => undefined,
    }
}

/// Similarity of two profiles: negatives clipped to 0, each normalised to sum 1, then
/// `1 - JSD` with the Jensen-Shannon divergence in bits (so 1 = same shape, 0 =
/// disjoint). `None` when a profile has no positive entry (nothing to normalise) or the
/// lengths differ. Undefined entries count as 0.
///
/// ```
/// use mechscope_metrics::ais::profile::similarity;
/// assert_eq!(similarity(&[Some(0.2), Some(0.6)], &[Some(0.1), Some(0.3)]), Some(1.0));
/// assert_eq!(similarity(&[Some(1.0), Some(0.0)], &[Some(0.0), Some(2.0)]), Some(0.0));
/// assert_eq!(similarity(&[Some(-1.0), None], &[Some(1.0), Some(1.0)]), None);
/// ```
pub fn similarity(a: &[Option<f64>], b: &[Option<f64>]) -> Option<f64> {
    if a.len() != b.len() {
        return None;
    }
    let p = normalised(a)?;
    let q = normalised(b)?;
    let kl = |x: &[f64], m: &[f64]| -> f64 {
        x.iter()
            .zip(m)
            .filter(|(xi, _)| **xi > 0.0)
            .map(|(xi, mi)| xi * (xi / mi).log2())
            .sum()
    };
    let m: Vec<f64> = p.iter().zip(&q).map(|(x, y)| 0.5 * (x + y)).collect();
    let jsd = 0.5 * kl(&p, &m) + 0.5 * kl(&q, &m);
    Some((1.0 - jsd).clamp(0.0, 1.0))
}

fn normalised(profile: &[Option<f64>]) -> Option<Vec<f64>> {
    let clipped: Vec<f64> = profile
        .iter()
        .map(|v| v.filter(|x| x.is_finite()).unwrap_or(0.0).max(0.0))
        .collect();
    let total: f64 = clipped.iter().sum();
    (total > 0.0).then(|| clipped.iter().map(|x| x / total).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ais_of_the_reference_and_its_controls() {
        // ../shared/fixtures/ais_smollm2.json: acc 0.46 / 0.22 / 0.46, chance 0.25.
        assert!((ais(0.46, 0.22, 0.25).value().unwrap() - 8.0 / 7.0).abs() < 1e-12);
        assert_eq!(ais(0.46, 0.46, 0.25).value(), Some(0.0));
        // Ablation that helps is a negative score, not an error.
        assert!(ais(0.5, 0.6, 0.25).value().unwrap() < 0.0);
        let Score::Undefined { reason } = ais(0.2, 0.1, 0.25) else {
            panic!("below chance must be undefined");
        };
        assert!(reason.contains("chance"));
        assert_eq!(relative_drop(0.5, 0.25).value(), Some(0.5));
        assert!(relative_drop(0.0, 0.0).value().is_none());
        let corrected = control_corrected(0.46, 0.22, 0.44, 0.25).value().unwrap();
        assert!((corrected - 0.22 / 0.21).abs() < 1e-12);
    }

    #[test]
    fn similarity_is_symmetric_and_bounded() {
        let a = [Some(0.5), Some(0.1), None, Some(-0.3)];
        let b = [Some(0.2), Some(0.2), Some(0.4), Some(0.0)];
        let ab = similarity(&a, &b).unwrap();
        assert!((ab - similarity(&b, &a).unwrap()).abs() < 1e-12);
        assert!(ab > 0.0 && ab < 1.0);
        // p = (5/6, 1/6, 0, 0), q = (1/4, 1/4, 1/2, 0): JSD by hand.
        let p = [5.0 / 6.0, 1.0 / 6.0, 0.0];
        let q = [0.25, 0.25, 0.5];
        let mut jsd = 0.0;
        for i in 0..3 {
            let m: f64 = (p[i] + q[i]) / 2.0;
            if p[i] > 0.0 {
                jsd += 0.5 * p[i] * (p[i] / m).log2();
            }
            jsd += 0.5 * q[i] * (q[i] / m).log2();
        }
        assert!((ab - (1.0 - jsd)).abs() < 1e-12);
        assert!(similarity(&a, &b[..3]).is_none());
    }
}
