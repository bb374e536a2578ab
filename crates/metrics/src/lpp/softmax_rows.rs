//! Softmax statistics of logit rows computed on the host: the entropy, and what scores a
//! token's log-probability, in one pass over each row after its maximum.
//!
//! Why not burn's tensor ops: on the CPU backend the lens logits already sit in host
//! memory, and burn-flex's elementwise `exp` calls libm one value at a time on one core,
//! allocating a fresh `[seq, V]` tensor for each of the six ops the entropy takes. That
//! was a third of LPP's time (BENCHMARKS.md). Here rows run on every core natively,
//! nothing is allocated but the result, and `exp` is `exp_nonpositive`: after the
//! shift by the row's maximum every argument is `≤ 0`, so the range reduction needs no
//! overflow, NaN or infinity branches and the loop vectorises (1.2 ns a value on one
//! core here, against 2.2 for the `wide` crate's general `f32x8::exp` and 3.9 for libm's).
//! On a GPU the device reduction stays: reading `[seq, V]` back would cost far more.

/// Lanes summed side by side, so the compiler can keep them in one SIMD register each
/// (a single running sum is a dependency chain it may not reorder).
const LANES: usize = 8;

/// Values summed in `f32` lanes before the block's sum is added to `f64`: short enough
/// that the `f32` rounding stays far below the metric's 1e-3 tolerance, long enough that
/// the `f64` additions cost nothing.
const BLOCK: usize = 512;

/// Below this `exp` is under `f32`'s smallest normal and counts for nothing against a
/// total of at least 1; clamping there keeps the exponent arithmetic in range.
const EXP_FLOOR: f32 = -87.0;

/// What LPP needs of one row's softmax.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RowStats {
    /// The largest logit, the shift that keeps every `exp` at most 1.
    pub max: f32,
    /// `ln Σ exp(z - max)`.
    pub log_total: f64,
    /// `H(softmax(z))` in nats.
    pub entropy: f64,
}

impl RowStats {
    /// The log-probability of the token whose logit is `z`.
    ///
    /// ```
    /// use mechscope_metrics::lpp::softmax_rows::row_stats;
    /// let stats = row_stats(&[0.0, 0.0, 0.0, 0.0]);
    /// assert!((stats.log_prob(0.0) - 0.25f64.ln()).abs() < 1e-6);
    /// ```
    pub fn log_prob(&self, z: f32) -> f64 {
        f64::from(z - self.max) - self.log_total
    }
}

/// The softmax statistics of one row of logits. `H = ln Σe - Σ e (z - m) / Σe` with
/// `e = exp(z - m)` and `m = max z`, so no probability is ever formed. A row holding
/// NaN or `+∞` gives NaN statistics, as the device reduction does; an empty row too.
///
/// ```
/// use mechscope_metrics::lpp::softmax_rows::row_stats;
/// // Uniform over 10: entropy ln 10.
/// let uniform = row_stats(&[3.0; 10]);
/// assert!((uniform.entropy - 10f64.ln()).abs() < 1e-6);
/// // All but certain: entropy 0.
/// let certain = row_stats(&[0.0, 200.0, 0.0]);
/// assert!(certain.entropy.abs() < 1e-6);
/// ```
pub fn row_stats(z: &[f32]) -> RowStats {
    let max = row_max(z);
    if z.is_empty() || !max.is_finite() {
        return RowStats {
            max,
            log_total: f64::NAN,
            entropy: f64::NAN,
        };
    }
    let (mut total, mut weighted) = (0.0f64, 0.0f64);
    for block in z.chunks(BLOCK) {
        let (mut t, mut w) = ([0.0f32; LANES], [0.0f32; LANES]);
        let lanes = block.chunks_exact(LANES);
        let tail = lanes.remainder();
        for lane in lanes {
            for ((t, w), &x) in t.iter_mut().zip(&mut w).zip(lane) {
                // The clamp also makes a -∞ logit count as p ln p = 0, not 0 · -∞.
                let shifted = (x - max).max(EXP_FLOOR);
                let e = exp_nonpositive(shifted);
                *t += e;
                *w += e * shifted;
            }
        }
        for &x in tail {
            let shifted = (x - max).max(EXP_FLOOR);
            let e = exp_nonpositive(shifted);
            t[0] += e;
            w[0] += e * shifted;
        }
        total += t.iter().map(|&v| f64::from(v)).sum::<f64>();
        weighted += w.iter().map(|&v| f64::from(v)).sum::<f64>();
    }
    let log_total = total.ln();
    RowStats {
        max,
        log_total,
        entropy: log_total - weighted / total,
    }
}

/// The largest value, NaN when any value is NaN (so a broken row is seen, not skipped).
fn row_max(z: &[f32]) -> f32 {
    let mut max = [f32::NEG_INFINITY; LANES];
    let mut nan = false;
    let lanes = z.chunks_exact(LANES);
    let tail = lanes.remainder();
    for lane in lanes {
        for (m, &x) in max.iter_mut().zip(lane) {
            nan |= x.is_nan();
            *m = if x > *m { x } else { *m };
        }
    }
    for &x in tail {
        nan |= x.is_nan();
        max[0] = max[0].max(x);
    }
    if nan {
        f32::NAN
    } else {
        max.into_iter().fold(f32::NEG_INFINITY, f32::max)
    }
}

/// `exp(x)` for `EXP_FLOOR ≤ x ≤ 0`, within 2e-7 relative: `x = n ln 2 + r` with `n`
/// rounded to nearest (`|r| ≤ ln 2 / 2`), `e^r` by its Taylor series to `r⁶` (the next
/// term is under 1.2e-7), and `2ⁿ` written straight into the exponent bits. Branch-free
/// so the loops above vectorise.
///
/// Adding `1.5 · 2²³` to `x log₂e` rounds it to an integer held in the low mantissa bits:
/// `n` is that sum minus the constant, and the sum's bits minus the constant's bits are
/// `n` as an integer, ready to be biased and shifted into place.
#[inline(always)]
fn exp_nonpositive(x: f32) -> f32 {
    const ROUNDER: f32 = 12_582_912.0; // 1.5 · 2²³
    const ROUNDER_BITS: u32 = 0x4B40_0000;
    // ln 2 split in two so n · LN2_HI is exact for |n| < 2¹⁰ (Cody and Waite).
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    let k = x * std::f32::consts::LOG2_E + ROUNDER;
    let n = k - ROUNDER;
    let r = x - n * LN2_HI - n * LN2_LO;
    let series = 1.0
        + r * (1.0
            + r * (1.0 / 2.0
                + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0))))));
    let two_to_n = f32::from_bits(k.to_bits().wrapping_sub(ROUNDER_BITS).wrapping_add(127) << 23);
    series * two_to_n
}

/// [`row_stats`] of every `vocab`-long row of `logits`, in order; on every core natively.
/// A trailing partial row is ignored (`logits` is a whole `[rows, vocab]` block).
///
/// ```
/// use mechscope_metrics::lpp::softmax_rows::rows_stats;
/// let stats = rows_stats(&[0.0, 0.0, 5.0, -5.0], 2);
/// assert_eq!(stats.len(), 2);
/// assert!((stats[0].entropy - 2f64.ln()).abs() < 1e-6);
/// assert!(stats[1].entropy < stats[0].entropy);
/// ```
pub fn rows_stats(logits: &[f32], vocab: usize) -> Vec<RowStats> {
    if vocab == 0 {
        return Vec::new();
    }
    super::each_index(logits.len() / vocab, |row| {
        row_stats(&logits[row * vocab..(row + 1) * vocab])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The textbook computation in `f64`, the reference.
    fn reference(z: &[f32]) -> (f64, f64) {
        let z: Vec<f64> = z.iter().map(|&x| f64::from(x)).collect();
        let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let total: f64 = z.iter().map(|x| (x - max).exp()).sum();
        let p: Vec<f64> = z.iter().map(|x| (x - max).exp() / total).collect();
        let entropy = -p
            .iter()
            .filter(|&&p| p > 0.0)
            .map(|p| p * p.ln())
            .sum::<f64>();
        (entropy, total.ln() + max)
    }

    /// Logits like a language model's: a wide spread with a few peaks, a length that is
    /// not a multiple of the lanes or the block.
    fn model_like_row(len: usize, seed: u64) -> Vec<f32> {
        let mut state = seed;
        (0..len)
            .map(|i| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                let u = (state >> 40) as f32 / (1u64 << 24) as f32;
                let peak = if i % 997 == 3 { 12.0 } else { 0.0 };
                8.0 * u - 4.0 + peak
            })
            .collect()
    }

    #[test]
    fn entropy_and_log_probs_match_the_textbook_computation() {
        for (len, seed) in [(1, 1), (7, 2), (8, 3), (513, 4), (49_152 + 5, 5)] {
            let z = model_like_row(len, seed);
            let stats = row_stats(&z);
            let (entropy, log_normaliser) = reference(&z);
            assert!(
                (stats.entropy - entropy).abs() <= 1e-5 * entropy.max(1.0),
                "len {len}: {} vs {entropy}",
                stats.entropy
            );
            for i in [0, len / 2, len - 1] {
                let expected = f64::from(z[i]) - log_normaliser;
                assert!(
                    (stats.log_prob(z[i]) - expected).abs() < 1e-5,
                    "len {len}, token {i}"
                );
            }
        }
    }

    #[test]
    fn exp_of_non_positive_arguments_matches_the_standard_library() {
        let mut worst = 0.0f64;
        for i in 0..=870_000 {
            let x = -(i as f32) * 1e-4;
            let exact = f64::from(x).exp();
            let relative = (f64::from(exp_nonpositive(x)) - exact).abs() / exact;
            worst = worst.max(relative);
        }
        assert!(worst < 3e-7, "worst relative error {worst}");
        assert_eq!(exp_nonpositive(0.0), 1.0);
    }

    #[test]
    fn extreme_logits_neither_overflow_nor_lose_the_peak() {
        // exp(1000) overflows f32; the shift by the maximum keeps it at 1.
        let mut z = vec![-1000.0f32; 100];
        z[17] = 1000.0;
        let stats = row_stats(&z);
        assert!(stats.entropy.abs() < 1e-9, "{stats:?}");
        assert!(stats.log_prob(1000.0).abs() < 1e-9);
        // Two tied peaks far above the rest: ln 2.
        z[40] = 1000.0;
        assert!((row_stats(&z).entropy - 2f64.ln()).abs() < 1e-6);
    }

    #[test]
    fn a_broken_row_gives_nan_not_a_number_that_looks_right() {
        let mut z = vec![0.0f32; 20];
        z[11] = f32::NAN;
        assert!(row_stats(&z).entropy.is_nan());
        z[11] = f32::INFINITY;
        assert!(row_stats(&z).entropy.is_nan());
        // NaN in the tail, past the last whole lane.
        let mut tail = vec![0.0f32; 16];
        tail.push(f32::NAN);
        assert!(row_stats(&tail).entropy.is_nan());
        assert!(row_stats(&[]).entropy.is_nan());
        // -∞ is an impossible token, not a broken row.
        let impossible = row_stats(&[0.0, f32::NEG_INFINITY, 0.0]);
        assert!((impossible.entropy - 2f64.ln()).abs() < 1e-6);
    }

    #[test]
    fn rows_are_cut_at_the_vocabulary_and_kept_in_order() {
        let a = model_like_row(300, 7);
        let b = vec![1.0f32; 300];
        let both = [a.clone(), b].concat();
        let stats = rows_stats(&both, 300);
        assert_eq!(stats, vec![row_stats(&a), row_stats(&both[300..])]);
        assert!(rows_stats(&both, 0).is_empty());
        assert_eq!(rows_stats(&both[..450], 300).len(), 1);
    }
}
