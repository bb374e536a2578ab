//! "What comes next?": arithmetic and geometric number sequences, letter sequences with a
//! fixed step, and repeating word patterns. Distractors are the near misses: the last
//! shown term, one step too far, off by one.

use super::{Question, pick_distractors};
use crate::rng::SplitMix64;

/// Words for repeating patterns.
const WORDS: [&str; 8] = [
    "red", "blue", "green", "circle", "square", "cat", "dog", "sun",
];

/// Terms shown before the one asked for.
const SHOWN: usize = 5;

fn join(terms: &[String]) -> String {
    terms.join(", ")
}

pub(super) fn question(rng: &mut SplitMix64) -> Question {
    match rng.below(4) {
        0 => arithmetic_sequence(rng),
        1 => geometric_sequence(rng),
        2 => letter_sequence(rng),
        _ => repeating_pattern(rng),
    }
}

fn numbers_question(
    rng: &mut SplitMix64,
    subset: &'static str,
    terms: &[i64],
    next: i64,
    step: i64,
) -> Question {
    let shown: Vec<String> = terms.iter().map(i64::to_string).collect();
    let last = terms.last().copied().unwrap_or(0);
    let candidates = [last, next + step, next + 1, next - 1, next + 2]
        .into_iter()
        .filter(|value| *value >= 0)
        .map(|value| value.to_string())
        .collect();
    let answer = next.to_string();
    Question {
        subset,
        text: format!("What number comes next in the sequence {}?", join(&shown)),
        distractors: pick_distractors(rng, &answer, candidates),
        answer,
    }
}

fn arithmetic_sequence(rng: &mut SplitMix64) -> Question {
    let start = rng.in_range(1, 30);
    let step = rng.in_range(2, 9);
    let terms: Vec<i64> = (0..SHOWN as i64).map(|at| start + at * step).collect();
    numbers_question(
        rng,
        "arithmetic_sequence",
        &terms,
        start + SHOWN as i64 * step,
        step,
    )
}

fn geometric_sequence(rng: &mut SplitMix64) -> Question {
    let start = rng.in_range(1, 5);
    let ratio = rng.in_range(2, 3);
    let terms: Vec<i64> = (0..SHOWN as u32).map(|at| start * ratio.pow(at)).collect();
    let next = start * ratio.pow(SHOWN as u32);
    let last = terms.last().copied().unwrap_or(0);
    numbers_question(rng, "geometric_sequence", &terms, next, next - last)
}

fn letter(index: i64) -> Option<String> {
    u8::try_from(index)
        .ok()
        .filter(|index| *index < 26)
        .map(|index| char::from(b'A' + index).to_string())
}

fn letter_sequence(rng: &mut SplitMix64) -> Question {
    let step = rng.in_range(1, 3);
    // The asked-for letter must still be within A..Z.
    let start = rng.in_range(0, 25 - SHOWN as i64 * step);
    let shown: Vec<String> = (0..SHOWN as i64)
        .filter_map(|at| letter(start + at * step))
        .collect();
    let next = start + SHOWN as i64 * step;
    let answer = letter(next).unwrap_or_default();
    let candidates = [next - step, next + step, next + 1, next - 1, next + 2]
        .into_iter()
        .filter_map(letter)
        .collect();
    Question {
        subset: "letter_sequence",
        text: format!("What letter comes next in the sequence {}?", join(&shown)),
        distractors: pick_distractors(rng, &answer, candidates),
        answer,
    }
}

fn repeating_pattern(rng: &mut SplitMix64) -> Question {
    let mut words = WORDS.map(String::from).to_vec();
    rng.shuffle(&mut words);
    let period = 2 + rng.index(2);
    let cycle = &words[..period];
    let total = SHOWN + 1 + rng.index(2);
    let shown: Vec<String> = (0..total).map(|at| cycle[at % period].clone()).collect();
    let answer = cycle[total % period].clone();
    // The pattern's other words are the tempting wrong answers; unused words fill up.
    let mut candidates: Vec<String> = cycle
        .iter()
        .filter(|word| **word != answer)
        .cloned()
        .collect();
    let fill = 3 - candidates.len();
    candidates.extend(words[period..].iter().take(fill).cloned());
    Question {
        subset: "repeating_pattern",
        text: format!("What comes next in the pattern {}?", join(&shown)),
        distractors: pick_distractors(rng, &answer, candidates),
        answer,
    }
}
