//! The hidden-state metrics of metrics.md §3 once their device reductions are read
//! back: anisotropy from the sum of unit vectors, effective rank from singular values,
//! the massive-activation ratio, and layer drift from cosines.

/// Mean cosine over all distinct pairs of `n` unit vectors, from the squared norm of
/// their sum: `(‖Σ u_t‖² - n) / (n (n - 1))` (Ethayarajh 2019). 1 when every vector
/// points the same way; `None` for fewer than two vectors.
///
/// ```
/// use mechscope_metrics::lpp::hidden::anisotropy;
/// // Three identical unit vectors: ‖Σu‖² = 9.
/// assert_eq!(anisotropy(9.0, 3), Some(1.0));
/// ```
pub fn anisotropy(sum_squared_norm: f64, n: usize) -> Option<f64> {
    (n >= 2).then(|| (sum_squared_norm - n as f64) / (n as f64 * (n as f64 - 1.0)))
}

/// Effective rank (Roy & Vetterli 2007) of a matrix with these singular values:
/// `exp(-Σ p ln p)`, `p = s / Σ s`. `n` for `n` equal singular values, 1 for a rank-one
/// matrix; `None` when every singular value is 0.
pub fn effective_rank(singular_values: &[f64]) -> Option<f64> {
    let total: f64 = singular_values.iter().filter(|s| **s > 0.0).sum();
    if total <= 0.0 || !total.is_finite() {
        return None;
    }
    let entropy: f64 = singular_values
        .iter()
        .filter(|s| **s > 0.0)
        .map(|&s| {
            let p = s / total;
            -p * p.ln()
        })
        .sum();
    Some(entropy.exp())
}

/// `max |h| / median |h|` over a layer's activations (Sun et al. 2024): how far the
/// largest activation stands out. `None` for no values or a zero median.
pub fn massive_activation_ratio(values: &[f32]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut magnitudes: Vec<f32> = values.iter().map(|v| v.abs()).collect();
    let middle = magnitudes.len() / 2;
    let (_, median, _) = magnitudes.select_nth_unstable_by(middle, f32::total_cmp);
    let median = f64::from(*median);
    let max = values.iter().map(|v| v.abs()).fold(0.0f32, f32::max);
    (median > 0.0).then(|| f64::from(max) / median)
}

/// Layer drift: `1 - mean cosine` between a position's hidden state at layer `l` and
/// at `l + 1`, from the per-position cosines; `None` for no positions.
pub fn drift(cosines: &[f64]) -> Option<f64> {
    (!cosines.is_empty()).then(|| 1.0 - cosines.iter().sum::<f64>() / cosines.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_vectors_are_fully_anisotropic_and_opposite_ones_negative() {
        assert_eq!(anisotropy(16.0, 4), Some(1.0));
        // u and -u: the sum is 0, the mean cosine -1.
        assert_eq!(anisotropy(0.0, 2), Some(-1.0));
        // Orthonormal vectors: ‖Σu‖² = n, mean cosine 0.
        assert_eq!(anisotropy(5.0, 5), Some(0.0));
        assert_eq!(anisotropy(1.0, 1), None);
    }

    #[test]
    fn orthonormal_rows_have_full_effective_rank() {
        assert!((effective_rank(&[1.0; 7]).unwrap() - 7.0).abs() < 1e-12);
        assert!((effective_rank(&[3.0, 0.0, 0.0]).unwrap() - 1.0).abs() < 1e-12);
        let skewed = effective_rank(&[10.0, 1.0]).unwrap();
        assert!(skewed > 1.0 && skewed < 2.0);
        assert_eq!(effective_rank(&[0.0, 0.0]), None);
    }

    #[test]
    fn the_ratio_sees_one_massive_activation() {
        let mut values = vec![1.0f32; 99];
        values.push(-500.0);
        assert_eq!(massive_activation_ratio(&values), Some(500.0));
        assert_eq!(massive_activation_ratio(&[0.0, 0.0, 1.0]), None);
        assert_eq!(massive_activation_ratio(&[]), None);
    }

    #[test]
    fn drift_is_one_minus_the_mean_cosine() {
        assert_eq!(drift(&[1.0, 1.0]), Some(0.0));
        assert_eq!(drift(&[0.5, 0.0]), Some(0.75));
        assert_eq!(drift(&[]), None);
    }
}
