//! The hidden-state metrics of metrics.md §3 once their device reductions are read
//! back: anisotropy from the sum of unit vectors, effective rank from singular values,
//! the massive-activation ratio, and layer drift from cosines.

use nalgebra::DMatrix;

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

/// Cosine between two vectors, in `f64`; 0 when either is zero.
pub fn cosine(a: &[f32], b: &[f32]) -> f64 {
    let (mut dot, mut aa, mut bb) = (0.0f64, 0.0f64, 0.0f64);
    for (&x, &y) in a.iter().zip(b) {
        let (x, y) = (f64::from(x), f64::from(y));
        dot += x * y;
        aa += x * x;
        bb += y * y;
    }
    if aa > 0.0 && bb > 0.0 {
        dot / (aa.sqrt() * bb.sqrt())
    } else {
        0.0
    }
}

/// Bits of an `f32` magnitude a [`MagnitudeHistogram`] bin keeps: sign, exponent and 7
/// mantissa bits, so a bin spans at most 2⁻⁷ of its value.
const HISTOGRAM_SHIFT: u32 = 16;

/// A histogram of `|h|` over the bit patterns of `f32` (for non-negative floats, bit
/// order is value order), plus the exact maximum: the massive-activation ratio of
/// millions of values in 256 KiB, one sequence at a time, where an exact median would
/// keep them all. The median is the middle of its bin, within 0.4% of the exact one.
///
/// ```
/// use mechscope_metrics::lpp::hidden::MagnitudeHistogram;
/// let mut histogram = MagnitudeHistogram::new();
/// histogram.add(&[1.0, -1.0, 1.0, 200.0]);
/// let ratio = histogram.massive_activation_ratio().unwrap();
/// assert!((ratio - 200.0).abs() / 200.0 < 0.004);
/// ```
#[derive(Debug, Clone)]
pub struct MagnitudeHistogram {
    counts: Vec<u64>,
    total: u64,
    max: f32,
}

impl Default for MagnitudeHistogram {
    fn default() -> Self {
        Self::new()
    }
}

impl MagnitudeHistogram {
    /// An empty histogram.
    pub fn new() -> Self {
        MagnitudeHistogram {
            counts: vec![0; 1 << (32 - HISTOGRAM_SHIFT)],
            total: 0,
            max: 0.0,
        }
    }

    /// Adds the magnitudes of `values` (NaN is skipped).
    pub fn add(&mut self, values: &[f32]) {
        for v in values.iter().map(|v| v.abs()).filter(|v| !v.is_nan()) {
            self.counts[(v.to_bits() >> HISTOGRAM_SHIFT) as usize] += 1;
            self.total += 1;
            self.max = self.max.max(v);
        }
    }

    /// The median magnitude (the element at index `n / 2` in sorted order, as
    /// [`massive_activation_ratio`] takes it), to the middle of its bin.
    pub fn median(&self) -> Option<f64> {
        let middle = self.total / 2;
        let mut seen = 0;
        for (bin, &count) in self.counts.iter().enumerate() {
            seen += count;
            if seen > middle {
                let low = (bin as u32) << HISTOGRAM_SHIFT;
                let high = low | ((1 << HISTOGRAM_SHIFT) - 1);
                let (low, high) = (f32::from_bits(low), f32::from_bits(high));
                return Some((f64::from(low) + f64::from(high.min(self.max))) / 2.0);
            }
        }
        None
    }

    /// `max |h| / median |h|`; `None` for no values or a zero median.
    pub fn massive_activation_ratio(&self) -> Option<f64> {
        let median = self.median()?;
        (median > 0.0).then(|| f64::from(self.max) / median)
    }
}

/// Singular values of the centred `[n, d]` matrix `X - mean`, from the running sums a
/// stream of rows gives: `scatter = Σ (x - k)(x - k)ᵀ` (row-major `d × d`, any fixed
/// shift `k`) and `shifted_sum = Σ (x - k)`. The centred scatter is
/// `scatter - shifted_sum shifted_sumᵀ / n`, whose eigenvalues are the squared singular
/// values; rounding can make the smallest slightly negative, which count as 0.
///
/// ```
/// use mechscope_metrics::lpp::hidden::centred_singular_values;
/// // Rows (1, 0) and (3, 0), no shift: centred they are (-1, 0) and (1, 0).
/// let scatter = [10.0, 0.0, 0.0, 0.0];
/// let s = centred_singular_values(&scatter, &[4.0, 0.0], 2);
/// assert!((s[0] - 2f64.sqrt()).abs() < 1e-12 && s[1] == 0.0);
/// ```
pub fn centred_singular_values(scatter: &[f32], shifted_sum: &[f64], n: usize) -> Vec<f64> {
    let d = shifted_sum.len();
    if scatter.len() != d * d || n == 0 {
        return Vec::new();
    }
    let n = n as f64;
    let centred = DMatrix::from_fn(d, d, |i, j| {
        // Symmetrised: the device's sums of (i, j) and (j, i) may differ in rounding.
        let s = (f64::from(scatter[i * d + j]) + f64::from(scatter[j * d + i])) / 2.0;
        s - shifted_sum[i] * shifted_sum[j] / n
    });
    let mut singular: Vec<f64> = centred
        .symmetric_eigenvalues()
        .iter()
        .map(|&l| l.max(0.0).sqrt())
        .collect();
    singular.sort_by(|a, b| b.total_cmp(a));
    singular
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
    fn the_histogram_median_is_within_its_bin_of_the_exact_one() {
        let values: Vec<f32> = (1..=10_001)
            .map(|i| (i as f32 * 0.37).sin() * i as f32)
            .collect();
        let mut histogram = MagnitudeHistogram::new();
        for chunk in values.chunks(999) {
            histogram.add(chunk);
        }
        let exact = massive_activation_ratio(&values).unwrap();
        let estimate = histogram.massive_activation_ratio().unwrap();
        assert!(
            (estimate - exact).abs() / exact < 0.004,
            "{estimate} vs {exact}"
        );
        assert_eq!(MagnitudeHistogram::new().median(), None);
    }

    #[test]
    fn scatter_sums_give_the_centred_singular_values_whatever_the_shift() {
        // Rows with a large mean; centred they are (±1, 0, 0) and (0, ±2, 0), whose
        // singular values are √8, √2 and 0.
        let rows = [
            [101.0f32, 50.0, 7.0],
            [99.0, 50.0, 7.0],
            [100.0, 52.0, 7.0],
            [100.0, 48.0, 7.0],
        ];
        for shift in [[0.0f32, 0.0, 0.0], [100.5, 49.0, 7.0]] {
            let mut scatter = [0.0f32; 9];
            let mut sum = [0.0f64; 3];
            for r in rows {
                for i in 0..3 {
                    sum[i] += f64::from(r[i] - shift[i]);
                    for j in 0..3 {
                        scatter[i * 3 + j] += (r[i] - shift[i]) * (r[j] - shift[j]);
                    }
                }
            }
            let s = centred_singular_values(&scatter, &sum, 4);
            assert!((s[0] - 8f64.sqrt()).abs() < 1e-3, "{s:?}");
            assert!((s[1] - 2f64.sqrt()).abs() < 1e-3, "{s:?}");
            assert!(s[2].abs() < 1e-2, "{s:?}");
        }
    }

    #[test]
    fn cosine_of_parallel_orthogonal_and_zero_vectors() {
        assert!((cosine(&[1.0, 2.0], &[2.0, 4.0]) - 1.0).abs() < 1e-12);
        assert_eq!(cosine(&[1.0, 0.0], &[0.0, 3.0]), 0.0);
        assert_eq!(cosine(&[0.0, 0.0], &[1.0, 0.0]), 0.0);
    }

    #[test]
    fn drift_is_one_minus_the_mean_cosine() {
        assert_eq!(drift(&[1.0, 1.0]), Some(0.0));
        assert_eq!(drift(&[0.5, 0.0]), Some(0.75));
        assert_eq!(drift(&[]), None);
    }
}
