//! The seeded generator behind the tiny model's weights.
//!
//! SplitMix64 (Steele, Lea & Flood 2014; constants from Vigna's `splitmix64.c`), written
//! out rather than taken from `rand` so that a seed names the same weights forever,
//! whatever a dependency does between versions. Normal-ish draws use only additions and
//! multiplications (a sum of uniforms), never `ln`/`cos`, whose last bit may differ
//! between platforms' maths libraries: the files must be byte-identical everywhere.

/// A SplitMix64 generator: 64 bits of state, one output per step.
#[derive(Debug, Clone)]
pub(super) struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub(super) fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    pub(super) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`, from the top 53 bits (exact in `f64`).
    pub(super) fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Mean 0, standard deviation 1, bell-shaped on `[-2√3, 2√3]`: the sum of four
    /// uniforms (Irwin-Hall, variance 4/12), centred and scaled. Bounded tails suit
    /// weights, where a rare huge value would dominate a tiny model's logits.
    pub(super) fn normal(&mut self) -> f64 {
        const SQRT_3: f64 = 1.732_050_807_568_877_2;
        let sum: f64 = (0..4).map(|_| self.uniform()).sum();
        (sum - 2.0) * SQRT_3
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_matches_the_reference_sequence() {
        // The first outputs of Vigna's splitmix64.c seeded with 1234567.
        let mut rng = SplitMix64::new(1234567);
        let first: Vec<u64> = (0..3).map(|_| rng.next_u64()).collect();
        assert_eq!(
            first,
            [
                6457827717110365317,
                3203168211198807973,
                9817491932198370423
            ]
        );
    }

    #[test]
    fn normal_draws_have_unit_spread() {
        let mut rng = SplitMix64::new(7);
        let n = 20_000;
        let draws: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
        let mean = draws.iter().sum::<f64>() / n as f64;
        let var = draws.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.03, "mean {mean}");
        assert!((var.sqrt() - 1.0).abs() < 0.03, "std {}", var.sqrt());
        assert!(draws.iter().all(|x| x.abs() <= 2.0 * 1.7320508075688772));
    }
}
