//! Which weights a mask zeroes: the top-n, bottom-n or a seeded random n of the MLP
//! importances, or the top fraction of each million-weight chunk (metrics.md §2).
//!
//! Importances are `|θ ⊙ G|`, never negative, and for non-negative floats the order of
//! the values is the order of their bit patterns. So the n-th largest of tens of
//! millions is found with a radix select on the bits (a 65,536-bucket histogram of the
//! high half, then an exact sort of the one bucket the cut falls in), in two passes and
//! without a copy of the importances: a sort of 80 million values would need 320 MB
//! more in a browser tab, and a GPU sort is not available there (toolchain.md).

use mechscope_tasks::rng::SplitMix64;
use std::collections::HashSet;

/// The authors' chunk length for the `chunked` selection.
pub const CHUNK: usize = 1_000_000;

/// Why importances cannot be ranked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectError {
    #[error(
        "importance {index} is {value}: importances are |weight × gradient| and must be finite and \
         non-negative (a NaN or infinite gradient means the diagnostic pass overflowed)"
    )]
    NotRankable { index: u64, value: String },
}

/// Checks that every importance can be ranked by its bits.
pub fn check_rankable(values: &[f32]) -> Result<(), SelectError> {
    match values
        .iter()
        .position(|v| !(v.is_finite() && v.is_sign_positive()))
    {
        None => Ok(()),
        Some(index) => Err(SelectError::NotRankable {
            index: index as u64,
            value: values[index].to_string(),
        }),
    }
}

/// The `n` largest values' indices, ties at the cut going to the lower index; ascending.
/// Values must pass [`check_rankable`].
///
/// ```
/// use mechscope_metrics::ais::select::top_n;
/// assert_eq!(top_n(&[0.5, 2.0, 1.0, 2.0, 1.0], 3), [1, 2, 3]);
/// ```
pub fn top_n(values: &[f32], n: usize) -> Vec<u64> {
    select_by_key(values, n, |v| v.to_bits())
}

/// The `n` smallest values' indices, ties at the cut going to the lower index; ascending.
///
/// ```
/// use mechscope_metrics::ais::select::bottom_n;
/// assert_eq!(bottom_n(&[0.5, 0.0, 1.0, 0.0], 2), [1, 3]);
/// assert_eq!(bottom_n(&[0.5, 0.0, 1.0, 0.0], 3), [0, 1, 3]);
/// ```
pub fn bottom_n(values: &[f32], n: usize) -> Vec<u64> {
    select_by_key(values, n, |v| !v.to_bits())
}

/// `n` distinct indices below `len`, drawn with `seed` (Floyd's algorithm); ascending.
pub fn random_n(len: u64, n: usize, seed: u64) -> Vec<u64> {
    let n = (n as u64).min(len);
    let mut rng = SplitMix64::new(seed);
    let mut chosen = HashSet::with_capacity(n as usize);
    for j in (len - n)..len {
        let t = rng.below(j + 1);
        if !chosen.insert(t) {
            chosen.insert(j);
        }
    }
    let mut out: Vec<u64> = chosen.into_iter().collect();
    out.sort_unstable();
    out
}

/// The authors' `chunked` selection: in each contiguous chunk of [`CHUNK`] values, the
/// top `floor(len_chunk · n / len)` (so the budget is spread evenly and the total can
/// fall a few short of `n`); ascending.
pub fn chunked_top(values: &[f32], n: usize) -> Vec<u64> {
    let total = values.len().max(1) as u128;
    let mut out = Vec::new();
    for (c, chunk) in values.chunks(CHUNK).enumerate() {
        let take = (chunk.len() as u128 * n as u128 / total) as usize;
        let offset = (c * CHUNK) as u64;
        out.extend(top_n(chunk, take).into_iter().map(|i| i + offset));
    }
    out
}

/// Radix select of the `n` largest keys (ties to the lower index).
fn select_by_key(values: &[f32], n: usize, key: impl Fn(f32) -> u32) -> Vec<u64> {
    if n == 0 {
        return Vec::new();
    }
    if n >= values.len() {
        return (0..values.len() as u64).collect();
    }
    let mut histogram = vec![0u64; 1 << 16];
    for &v in values {
        histogram[(key(v) >> 16) as usize] += 1;
    }
    // Walk down from the largest bucket to the one holding the n-th largest key.
    let mut above = 0u64;
    let mut cut_bucket = 0u32;
    for bucket in (0..histogram.len()).rev() {
        if above + histogram[bucket] >= n as u64 {
            cut_bucket = bucket as u32;
            break;
        }
        above += histogram[bucket];
    }
    let wanted_in_bucket = n - above as usize;
    let mut in_bucket: Vec<(u32, u64)> =
        Vec::with_capacity(histogram[cut_bucket as usize] as usize);
    let mut out = Vec::with_capacity(n);
    for (i, &v) in values.iter().enumerate() {
        let k = key(v);
        match (k >> 16).cmp(&cut_bucket) {
            std::cmp::Ordering::Greater => out.push(i as u64),
            std::cmp::Ordering::Equal => in_bucket.push((k, i as u64)),
            std::cmp::Ordering::Less => {}
        }
    }
    // Larger key first, then lower index.
    in_bucket.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    out.extend(in_bucket[..wanted_in_bucket].iter().map(|&(_, i)| i));
    out.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition, written the slow way: sort every (value, index) pair.
    fn by_sorting(values: &[f32], n: usize, largest: bool) -> Vec<u64> {
        let mut order: Vec<usize> = (0..values.len()).collect();
        order.sort_by(|&a, &b| {
            let by_value = if largest {
                values[b].total_cmp(&values[a])
            } else {
                values[a].total_cmp(&values[b])
            };
            by_value.then(a.cmp(&b))
        });
        let mut out: Vec<u64> = order.into_iter().take(n).map(|i| i as u64).collect();
        out.sort_unstable();
        out
    }

    #[test]
    fn radix_select_equals_a_full_sort_with_ties_and_zeros() {
        let mut rng = SplitMix64::new(9);
        for round in 0..40 {
            let len = 1 + rng.below(3000) as usize;
            // Few distinct values in some rounds (many ties), spread ones in others.
            let distinct = if round % 2 == 0 { 7 } else { 1 << 20 };
            let values: Vec<f32> = (0..len)
                .map(|_| {
                    let draw = rng.below(distinct) as f32;
                    if round % 3 == 0 { draw * 1e-7 } else { draw }
                })
                .collect();
            for n in [0, 1, len / 3, len - 1, len, len + 5] {
                assert_eq!(
                    top_n(&values, n),
                    by_sorting(&values, n, true),
                    "top {n} of {len}"
                );
                assert_eq!(
                    bottom_n(&values, n),
                    by_sorting(&values, n, false),
                    "bottom {n} of {len}"
                );
            }
        }
    }

    #[test]
    fn random_selection_is_seeded_distinct_and_in_range() {
        let a = random_n(1000, 100, 7);
        assert_eq!(a.len(), 100);
        assert!(a.windows(2).all(|w| w[0] < w[1]));
        assert!(a.iter().all(|&i| i < 1000));
        assert_eq!(a, random_n(1000, 100, 7));
        assert_ne!(a, random_n(1000, 100, 8));
        assert_eq!(random_n(5, 10, 1), [0, 1, 2, 3, 4]);
    }

    #[test]
    fn chunked_spreads_the_budget_per_chunk() {
        // Two and a half chunks, increasing values: each chunk's top is its end.
        let len = CHUNK * 5 / 2;
        let values: Vec<f32> = (0..len).map(|i| (i % CHUNK) as f32).collect();
        let picked = chunked_top(&values, 50);
        // 20 + 20 + 10.
        assert_eq!(picked.len(), 50);
        assert_eq!(picked[0], (CHUNK - 20) as u64);
        assert_eq!(*picked.last().unwrap(), (len - 1) as u64);
    }

    #[test]
    fn negative_nan_and_infinite_importances_are_refused() {
        assert!(check_rankable(&[0.0, 1.0, 3.5]).is_ok());
        for bad in [-1.0, f32::NAN, f32::INFINITY, -0.0] {
            let err = check_rankable(&[0.0, bad]).unwrap_err();
            assert!(
                matches!(err, SelectError::NotRankable { index: 1, .. }),
                "{bad}"
            );
        }
    }
}
