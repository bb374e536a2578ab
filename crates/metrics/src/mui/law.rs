//! The Utility Law: `MUI = a·ln(P) + b` over (model, task) points, P and MUI in
//! percent, fitted by least squares.

use serde::{Deserialize, Serialize};

/// The authors' fit over 8 models of 7-9B parameters: `(a, b)` with
/// `MUI = -4.632 ln(P) + 28.305`, shown beside a user's fit for reference.
pub const AUTHORS_FIT: (f64, f64) = (-4.632, 28.305);

/// One (model, task) point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LawPoint {
    /// What the point is, e.g. "SmolLM2-135M · arc_easy".
    pub label: String,
    /// Task performance P, in percent (0 < P ≤ 100).
    pub performance_pct: f64,
    /// MUI, in percent.
    pub mui_pct: f64,
}

/// A least-squares fit of the law.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LawFit {
    pub a: f64,
    pub b: f64,
    /// Coefficient of determination of the fit on its points (1 when every point is
    /// on the curve; undefined, here NaN-free 0, when all MUI values are equal).
    pub r2: f64,
    /// `MUI - (a·ln P + b)` per point, in the order given. A point well below the
    /// curve (high P with low MUI) is what the paper reads as a contamination hint.
    pub residuals: Vec<f64>,
}

/// Why the law cannot be fitted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LawError {
    #[error("fitting a line needs at least 2 points, got {0}")]
    TooFewPoints(usize),
    #[error("point {label:?} has performance {performance_pct}%: ln(P) needs P > 0")]
    NonPositivePerformance { label: String, performance_pct: f64 },
    #[error("every point has the same performance, so the slope is undefined")]
    NoSpread,
}

/// Fits `MUI = a·ln(P) + b` by ordinary least squares in `x = ln P`.
///
/// ```
/// use mechscope_metrics::mui::{LawPoint, fit_utility_law};
/// let points: Vec<LawPoint> = [20.0, 40.0, 80.0]
///     .iter()
///     .map(|&p: &f64| LawPoint { label: format!("{p}"), performance_pct: p, mui_pct: -4.0 * p.ln() + 30.0 })
///     .collect();
/// let fit = fit_utility_law(&points).unwrap();
/// assert!((fit.a + 4.0).abs() < 1e-12 && (fit.b - 30.0).abs() < 1e-12);
/// ```
pub fn fit_utility_law(points: &[LawPoint]) -> Result<LawFit, LawError> {
    if points.len() < 2 {
        return Err(LawError::TooFewPoints(points.len()));
    }
    if let Some(p) = points
        .iter()
        .find(|p| p.performance_pct.is_nan() || p.performance_pct <= 0.0)
    {
        return Err(LawError::NonPositivePerformance {
            label: p.label.clone(),
            performance_pct: p.performance_pct,
        });
    }
    let n = points.len() as f64;
    let xs: Vec<f64> = points.iter().map(|p| p.performance_pct.ln()).collect();
    let ys: Vec<f64> = points.iter().map(|p| p.mui_pct).collect();
    let (mx, my) = (xs.iter().sum::<f64>() / n, ys.iter().sum::<f64>() / n);
    let sxx: f64 = xs.iter().map(|x| (x - mx).powi(2)).sum();
    let sxy: f64 = xs.iter().zip(&ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    if sxx <= f64::EPSILON * n * mx.abs().max(1.0) {
        return Err(LawError::NoSpread);
    }
    let a = sxy / sxx;
    let b = my - a * mx;
    let residuals: Vec<f64> = xs.iter().zip(&ys).map(|(x, y)| y - (a * x + b)).collect();
    let ss_res: f64 = residuals.iter().map(|r| r * r).sum();
    let ss_tot: f64 = ys.iter().map(|y| (y - my).powi(2)).sum();
    let r2 = if ss_tot > 0.0 {
        1.0 - ss_res / ss_tot
    } else {
        0.0
    };
    Ok(LawFit {
        a,
        b,
        r2,
        residuals,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(p: f64, mui: f64) -> LawPoint {
        LawPoint {
            label: format!("P={p}"),
            performance_pct: p,
            mui_pct: mui,
        }
    }

    /// Points on the authors' curve with seeded noise: the fit recovers a and b, and
    /// R² drops below 1 only by the noise.
    #[test]
    fn recovers_a_known_curve() {
        let (a, b) = AUTHORS_FIT;
        let exact: Vec<LawPoint> = (1..=12)
            .map(|i| {
                let p = 5.0 * f64::from(i);
                point(p, a * p.ln() + b)
            })
            .collect();
        let fit = fit_utility_law(&exact).unwrap();
        assert!((fit.a - a).abs() < 1e-10, "{fit:?}");
        assert!((fit.b - b).abs() < 1e-9, "{fit:?}");
        assert!((fit.r2 - 1.0).abs() < 1e-12);
        assert!(fit.residuals.iter().all(|r| r.abs() < 1e-9));

        // A deterministic ±0.2 perturbation: still close, R² a little below 1.
        let noisy: Vec<LawPoint> = exact
            .iter()
            .enumerate()
            .map(|(i, p)| {
                point(
                    p.performance_pct,
                    p.mui_pct + if i % 2 == 0 { 0.2 } else { -0.2 },
                )
            })
            .collect();
        let fit = fit_utility_law(&noisy).unwrap();
        assert!((fit.a - a).abs() < 0.2, "{fit:?}");
        assert!(fit.r2 < 1.0 && fit.r2 > 0.95, "{fit:?}");
        let mean_residual: f64 = fit.residuals.iter().sum::<f64>() / 12.0;
        assert!(mean_residual.abs() < 1e-12, "OLS residuals sum to zero");
    }

    #[test]
    fn refuses_what_cannot_be_fitted() {
        assert_eq!(
            fit_utility_law(&[point(10.0, 1.0)]),
            Err(LawError::TooFewPoints(1))
        );
        assert!(matches!(
            fit_utility_law(&[point(10.0, 1.0), point(0.0, 2.0)]),
            Err(LawError::NonPositivePerformance { .. })
        ));
        assert_eq!(
            fit_utility_law(&[point(10.0, 1.0), point(10.0, 2.0)]),
            Err(LawError::NoSpread)
        );
    }
}
