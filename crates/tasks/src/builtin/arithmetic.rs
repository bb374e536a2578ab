//! "What is 37 + 48?": two-number arithmetic with near-miss distractors (off by one, by
//! two, by ten; for products, off by one row of the times table), the mistakes a model
//! that half-knows the answer makes.

use super::{Question, pick_distractors};
use crate::rng::SplitMix64;

pub(super) fn question(rng: &mut SplitMix64) -> Question {
    let (subset, a, symbol, b, answer, row) = match rng.below(3) {
        0 => {
            let (a, b) = (rng.in_range(10, 99), rng.in_range(10, 99));
            ("addition", a, '+', b, a + b, 10)
        }
        1 => {
            let a = rng.in_range(20, 99);
            let b = rng.in_range(10, a - 1);
            ("subtraction", a, '-', b, a - b, 10)
        }
        _ => {
            let (a, b) = (rng.in_range(2, 12), rng.in_range(2, 12));
            ("multiplication", a, '×', b, a * b, a)
        }
    };
    let candidates = [1, -1, 2, -2, 10, -10, row, -row]
        .into_iter()
        .map(|offset| answer + offset)
        .filter(|value| *value >= 0)
        .map(|value| value.to_string())
        .collect();
    let answer = answer.to_string();
    Question {
        subset,
        text: format!("What is {a} {symbol} {b}?"),
        distractors: pick_distractors(rng, &answer, candidates),
        answer,
    }
}
