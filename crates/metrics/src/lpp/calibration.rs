//! Uncertainty and calibration on multiple-choice probes (metrics.md §3): option
//! distributions renormalised over the options, their entropy, the KL divergence to the
//! uniform ideal of the random stratum, ECE with 15 equal-width bins, the Brier score,
//! and the AUROC of entropy separating uncertain from determinate items.

/// Bins of the expected calibration error (Naeini et al. 2015; Guo et al. 2017).
pub const ECE_BINS: usize = 15;

/// Option log-likelihoods turned into probabilities over the options alone (a softmax
/// of the scores), the distribution every calibration metric reads.
///
/// ```
/// use mechscope_metrics::lpp::calibration::option_probabilities;
/// let p = option_probabilities(&[-1.5, -1.5]);
/// assert_eq!(p, vec![0.5, 0.5]);
/// ```
pub fn option_probabilities(logprobs: &[f64]) -> Vec<f64> {
    let max = logprobs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !max.is_finite() {
        return vec![1.0 / logprobs.len().max(1) as f64; logprobs.len()];
    }
    let exp: Vec<f64> = logprobs.iter().map(|&l| (l - max).exp()).collect();
    let sum: f64 = exp.iter().sum();
    exp.into_iter().map(|e| e / sum).collect()
}

/// Shannon entropy of `p` in nats, divided by `ln n` (1 for the uniform distribution,
/// 0 for a certain one); 0 for fewer than two options.
pub fn normalised_entropy(p: &[f64]) -> f64 {
    if p.len() < 2 {
        return 0.0;
    }
    let h: f64 = p.iter().filter(|&&x| x > 0.0).map(|&x| -x * x.ln()).sum();
    h / (p.len() as f64).ln()
}

/// `KL(p ‖ uniform)` in nats: `ln n - H(p)`, 0 exactly when `p` is uniform.
pub fn kl_to_uniform(p: &[f64]) -> f64 {
    p.iter()
        .filter(|&&x| x > 0.0)
        .map(|&x| x * (x * p.len() as f64).ln())
        .sum()
}

/// One answered item: the option distribution and the index of the right option.
#[derive(Debug, Clone, PartialEq)]
pub struct Answered {
    pub probabilities: Vec<f64>,
    pub gold: usize,
}

impl Answered {
    /// The confidence (largest probability) and whether its option is the gold one
    /// (the first of ties is the prediction).
    fn confidence(&self) -> (f64, bool) {
        let mut best = 0;
        for (i, &p) in self.probabilities.iter().enumerate() {
            if p > self.probabilities[best] {
                best = i;
            }
        }
        (
            self.probabilities.get(best).copied().unwrap_or(0.0),
            best == self.gold,
        )
    }
}

/// Expected calibration error with [`ECE_BINS`] equal-width confidence bins, bin `m`
/// holding confidences in `((m-1)/M, m/M]` (0 falls in the first):
/// `Σ_b |B_b|/n · |accuracy(B_b) - mean confidence(B_b)|`. `None` for no items.
pub fn ece(items: &[Answered]) -> Option<f64> {
    if items.is_empty() {
        return None;
    }
    let mut count = [0usize; ECE_BINS];
    let mut confidence = [0.0f64; ECE_BINS];
    let mut correct = [0.0f64; ECE_BINS];
    for item in items {
        let (c, right) = item.confidence();
        let bin = ((c * ECE_BINS as f64).ceil() as usize).clamp(1, ECE_BINS) - 1;
        count[bin] += 1;
        confidence[bin] += c;
        correct[bin] += f64::from(u8::from(right));
    }
    let n = items.len() as f64;
    Some(
        (0..ECE_BINS)
            .filter(|&b| count[b] > 0)
            .map(|b| (correct[b] - confidence[b]).abs() / n)
            .sum(),
    )
}

/// The (multi-class) Brier score: mean over items of `Σ_k (p_k - y_k)²`, `y` the one-hot
/// gold answer; 0 for certain right answers, 2 for certain wrong ones. `None` for no
/// items.
pub fn brier(items: &[Answered]) -> Option<f64> {
    if items.is_empty() {
        return None;
    }
    let total: f64 = items
        .iter()
        .map(|item| {
            item.probabilities
                .iter()
                .enumerate()
                .map(|(k, &p)| {
                    let y = if k == item.gold { 1.0 } else { 0.0 };
                    (p - y) * (p - y)
                })
                .sum::<f64>()
        })
        .sum();
    Some(total / items.len() as f64)
}

/// Area under the ROC curve of `score` separating `positives` from `negatives`: the
/// probability that a random positive scores higher than a random negative, ties
/// counting one half (Mann–Whitney U). `None` when either side is empty.
///
/// ```
/// use mechscope_metrics::lpp::calibration::auroc;
/// assert_eq!(auroc(&[0.9, 0.8], &[0.1, 0.2]), Some(1.0));
/// assert_eq!(auroc(&[0.5], &[0.5]), Some(0.5));
/// ```
pub fn auroc(positives: &[f64], negatives: &[f64]) -> Option<f64> {
    if positives.is_empty() || negatives.is_empty() {
        return None;
    }
    let mut wins = 0.0;
    for &p in positives {
        for &n in negatives {
            wins += if p > n {
                1.0
            } else if p == n {
                0.5
            } else {
                0.0
            };
        }
    }
    Some(wins / (positives.len() * negatives.len()) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answered(probabilities: &[f64], gold: usize) -> Answered {
        Answered {
            probabilities: probabilities.to_vec(),
            gold,
        }
    }

    #[test]
    fn uniform_has_entropy_one_and_no_divergence() {
        let uniform = [0.25; 4];
        assert!((normalised_entropy(&uniform) - 1.0).abs() < 1e-12);
        assert!(kl_to_uniform(&uniform).abs() < 1e-12);
        assert_eq!(normalised_entropy(&[1.0, 0.0, 0.0, 0.0]), 0.0);
        assert!((kl_to_uniform(&[1.0, 0.0, 0.0, 0.0]) - 4f64.ln()).abs() < 1e-12);
    }

    #[test]
    fn probabilities_are_a_softmax_of_the_scores() {
        let p = option_probabilities(&[-1.0, -2.0, -3.0]);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!((p[0] / p[1] - 1f64.exp()).abs() < 1e-12);
        assert_eq!(
            option_probabilities(&[f64::NEG_INFINITY; 2]),
            vec![0.5, 0.5]
        );
    }

    #[test]
    fn perfect_calibration_has_zero_ece() {
        // Certain and right; and confidence 0.6 right on 3 of 5 items.
        let mut items = vec![answered(&[1.0, 0.0], 0); 4];
        for gold in [0, 0, 0, 1, 1] {
            items.push(answered(&[0.6, 0.4], gold));
        }
        assert!(ece(&items).unwrap().abs() < 1e-12);
        assert_eq!(ece(&[]), None);
    }

    #[test]
    fn overconfidence_is_the_gap_weighted_by_bin_size() {
        // Confidence 0.9, never right: ECE 0.9. Half of those, half certain and right: 0.45.
        let wrong = answered(&[0.9, 0.1], 1);
        assert!((ece(&[wrong.clone(), wrong.clone()]).unwrap() - 0.9).abs() < 1e-12);
        let right = answered(&[1.0, 0.0], 0);
        assert!((ece(&[wrong, right]).unwrap() - 0.45).abs() < 1e-12);
    }

    #[test]
    fn brier_of_certain_uniform_and_wrong_answers() {
        assert_eq!(brier(&[answered(&[1.0, 0.0], 0)]), Some(0.0));
        assert_eq!(brier(&[answered(&[0.0, 1.0], 0)]), Some(2.0));
        // Uniform over 4: (0.75)² + 3 · (0.25)² = 0.75.
        assert!((brier(&[answered(&[0.25; 4], 2)]).unwrap() - 0.75).abs() < 1e-12);
    }

    #[test]
    fn auroc_of_separated_reversed_and_mixed_scores() {
        assert_eq!(auroc(&[0.1], &[0.9]), Some(0.0));
        assert_eq!(auroc(&[0.2, 0.8], &[0.5]), Some(0.5));
        assert_eq!(auroc(&[], &[0.5]), None);
    }
}
