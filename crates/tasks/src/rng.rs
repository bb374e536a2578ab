//! SplitMix64: the seeded generator behind the built-in tasks.
//!
//! Written out here (a dozen lines, Steele, Lea & Flood 2014, constants from Vigna's
//! reference `splitmix64.c`) instead of taken from `rand`, because a built-in task's items
//! are part of a result's identity: the same name, size and seed must give the same items
//! forever, whatever a dependency does to its algorithms between versions. Not for
//! anything that needs unpredictability.

/// A SplitMix64 generator: 64 bits of state, one output per step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator whose sequence is fixed by `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform integer in `0..n` (0 when `n` is 0), without modulo bias: draws that fall
    /// in the incomplete last block of `2^64` are redrawn.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        let zone = u64::MAX - (u64::MAX % n);
        loop {
            let draw = self.next_u64();
            if draw < zone {
                return draw % n;
            }
        }
    }

    /// A uniform index into a slice of length `len` (0 for an empty one).
    pub fn index(&mut self, len: usize) -> usize {
        // usize fits in u64 on every target Rust supports, and the result is below len.
        usize::try_from(self.below(len as u64)).unwrap_or(0)
    }

    /// A uniform integer in `low..=high` (`low` when the range is empty).
    pub fn in_range(&mut self, low: i64, high: i64) -> i64 {
        if high <= low {
            return low;
        }
        let span = high.abs_diff(low).saturating_add(1);
        low.wrapping_add_unsigned(self.below(span))
    }

    /// Shuffles in place (Fisher-Yates, from the back).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for last in (1..items.len()).rev() {
            let other = self.index(last + 1);
            items.swap(last, other);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_reference_sequence() {
        // splitmix64.c seeded with 1234567 (values also printed by a Python port).
        let mut rng = SplitMix64::new(1_234_567);
        let expected = [
            6_457_827_717_110_365_317,
            3_203_168_211_198_807_973,
            9_817_491_932_198_370_423,
            4_593_380_528_125_082_431,
            16_408_922_859_458_223_821,
        ];
        for value in expected {
            assert_eq!(rng.next_u64(), value);
        }
    }

    #[test]
    fn ranges_stay_in_bounds_and_cover_them() {
        let mut rng = SplitMix64::new(7);
        let mut seen = [0usize; 5];
        for _ in 0..5000 {
            let value = rng.in_range(-2, 2);
            assert!((-2..=2).contains(&value));
            seen[usize::try_from(value + 2).unwrap()] += 1;
        }
        assert!(
            seen.iter().all(|count| (850..1150).contains(count)),
            "{seen:?}"
        );
        assert_eq!(rng.below(0), 0);
        assert_eq!(rng.in_range(3, 3), 3);
        // The full range must not overflow.
        let _ = rng.in_range(i64::MIN, i64::MAX);
    }

    #[test]
    fn shuffle_is_a_permutation() {
        let mut rng = SplitMix64::new(1);
        let mut items: Vec<u32> = (0..50).collect();
        rng.shuffle(&mut items);
        assert_ne!(items, (0..50).collect::<Vec<_>>());
        items.sort_unstable();
        assert_eq!(items, (0..50).collect::<Vec<_>>());
    }
}
