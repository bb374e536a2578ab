//! Drawing problems, and writing them as prompts.
//!
//! The stored answer comes from how a problem was built (the stack the bracket walk left
//! open, the value that started the chain, the running parity), not from the reference
//! solver, so that the tests comparing the two check something.

use super::{Assignment, Family, Problem, Source};
use crate::rng::SplitMix64;

/// Digits of each operand, per level.
const ADDITION_DIGITS: [u32; 5] = [1, 2, 3, 5, 8];
/// Bits per level: `3 · 2^(level−1)`.
const PARITY_BITS: [usize; 5] = [3, 6, 12, 24, 48];
/// Numbers per list, per level.
const SORTING_LENGTHS: [usize; 5] = [3, 5, 8, 12, 16];
/// Sorting draws from `0..SORTING_BOUND`: small numbers, one or two digits.
const SORTING_BOUND: u64 = 100;

/// The entry of a per-level table (levels are checked by the caller; the last entry
/// stands in for a level past the table rather than panicking).
fn per_level<T: Copy>(table: &[T; 5], level: u32) -> T {
    let at = usize::try_from(level.saturating_sub(1)).unwrap_or(0);
    table.get(at).copied().unwrap_or(table[4])
}

/// One problem of `family` at `level`, with its answer as the prompt asks for it.
pub(super) fn draw(rng: &mut SplitMix64, family: Family, level: u32) -> (Problem, String) {
    match family {
        Family::Addition => addition(rng, per_level(&ADDITION_DIGITS, level)),
        Family::Parity => parity(rng, per_level(&PARITY_BITS, level)),
        Family::Dyck2 => dyck2(rng, level as usize),
        Family::Sorting => sorting(rng, per_level(&SORTING_LENGTHS, level)),
        Family::VariableBinding => variable_binding(rng, level as usize),
    }
}

fn addition(rng: &mut SplitMix64, digits: u32) -> (Problem, String) {
    let low = if digits <= 1 {
        1
    } else {
        10_i64.pow(digits - 1)
    };
    let high = 10_i64.pow(digits) - 1;
    let left = rng.in_range(low, high).unsigned_abs();
    let right = rng.in_range(low, high).unsigned_abs();
    let sum = u128::from(left) + u128::from(right);
    (Problem::Addition { left, right }, sum.to_string())
}

fn parity(rng: &mut SplitMix64, n_bits: usize) -> (Problem, String) {
    let mut odd = false;
    let bits = (0..n_bits)
        .map(|_| {
            let one = rng.below(2) == 1;
            odd ^= one;
            if one { '1' } else { '0' }
        })
        .collect();
    let answer = if odd { "odd" } else { "even" };
    (Problem::Parity { bits }, answer.to_string())
}

/// A random prefix of `3 · open_at_end` brackets that leaves exactly `open_at_end` open:
/// a walk over the nesting depth that may open whenever the target depth stays reachable
/// and may close whenever something is open and the target stays reachable.
fn dyck2(rng: &mut SplitMix64, open_at_end: usize) -> (Problem, String) {
    let length = 3 * open_at_end;
    let mut stack: Vec<char> = Vec::with_capacity(length);
    let mut prefix = String::with_capacity(length);
    for at in 0..length {
        let left_after = length - at - 1;
        let depth = stack.len();
        // Opening must leave the target depth reachable by closing in the brackets left.
        let may_open = depth < open_at_end + left_after;
        let may_close = depth > 0 && open_at_end.abs_diff(depth - 1) <= left_after;
        let open = match (may_open, may_close) {
            (true, true) => rng.below(2) == 0,
            (open, _) => open,
        };
        if open {
            let bracket = if rng.below(2) == 0 { '(' } else { '[' };
            stack.push(bracket);
            prefix.push(bracket);
        } else if let Some(top) = stack.pop() {
            prefix.push(closer(top));
        }
    }
    let answer: Vec<String> = stack
        .iter()
        .rev()
        .map(|open| closer(*open).to_string())
        .collect();
    (Problem::Dyck2 { prefix }, answer.join(" "))
}

fn closer(open: char) -> char {
    if open == '[' { ']' } else { ')' }
}

fn sorting(rng: &mut SplitMix64, length: usize) -> (Problem, String) {
    let list: Vec<u32> = (0..length)
        .map(|_| u32::try_from(rng.below(SORTING_BOUND)).unwrap_or(0))
        .collect();
    let mut sorted = list.clone();
    sorted.sort_unstable();
    let answer = list_text(&sorted);
    (Problem::Sorting { list }, answer)
}

/// `[3, 17, 42]`: how sorting questions and answers write a list.
pub(super) fn list_text(list: &[u32]) -> String {
    let items: Vec<String> = list.iter().map(u32::to_string).collect();
    format!("[{}]", items.join(", "))
}

/// Two chains of `hops` copies each (`a = 7. b = a. c = b.` and a distractor chain from
/// another number), on distinct one-letter names, interleaved at random with each chain's
/// order kept; the question asks for the end of the first.
fn variable_binding(rng: &mut SplitMix64, hops: usize) -> (Problem, String) {
    let mut letters: Vec<char> = ('a'..='z').collect();
    rng.shuffle(&mut letters);
    let names: Vec<String> = letters.iter().map(char::to_string).collect();
    let chain_len = hops + 1;
    let target_names = names.get(..chain_len).unwrap_or_default();
    let distractor_names = names.get(chain_len..2 * chain_len).unwrap_or_default();
    let value = u32::try_from(rng.in_range(1, 99)).unwrap_or(1);
    let mut other_value = value;
    while other_value == value {
        other_value = u32::try_from(rng.in_range(1, 99)).unwrap_or(1);
    }
    let chain = |names: &[String], value: u32| -> Vec<Assignment> {
        names
            .iter()
            .enumerate()
            .map(|(at, name)| Assignment {
                target: name.clone(),
                source: match at.checked_sub(1).and_then(|before| names.get(before)) {
                    None => Source::Number(value),
                    Some(previous) => Source::Variable(previous.clone()),
                },
            })
            .collect()
    };
    let mut target = chain(target_names, value).into_iter().peekable();
    let mut distractor = chain(distractor_names, other_value).into_iter().peekable();
    let mut assignments = Vec::with_capacity(2 * chain_len);
    loop {
        let take_target = match (target.peek(), distractor.peek()) {
            (Some(_), Some(_)) => rng.below(2) == 0,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        let next = if take_target {
            target.next()
        } else {
            distractor.next()
        };
        assignments.extend(next);
    }
    let query = target_names.last().cloned().unwrap_or_default();
    (
        Problem::VariableBinding { assignments, query },
        value.to_string(),
    )
}

/// Symbols with a space between each, so that tokenizers see them one by one.
fn spaced(symbols: &str) -> String {
    let chars: Vec<String> = symbols.chars().map(String::from).collect();
    chars.join(" ")
}

/// The chat user message for `problem`: the problem in words, then the answer format.
pub(super) fn prompt(problem: &Problem) -> String {
    match problem {
        Problem::Addition { left, right } => {
            format!("What is {left} + {right}? Answer with the number only.")
        }
        Problem::Parity { bits } => format!(
            "Here is a string of bits: {}. Is the number of 1s in it even or odd? Answer \
             with one word: even or odd.",
            spaced(bits)
        ),
        Problem::Dyck2 { prefix } => format!(
            "Complete this sequence of brackets so that every bracket is closed in the right \
             order.\nSequence: {}\nAnswer with the missing closing brackets only, separated \
             by spaces.",
            spaced(prefix)
        ),
        Problem::Sorting { list } => format!(
            "Sort this list of numbers in ascending order: {}. Answer with the sorted list \
             only, written in the same format.",
            list_text(list)
        ),
        Problem::VariableBinding { assignments, query } => {
            let statements: Vec<String> = assignments
                .iter()
                .map(|assignment| match &assignment.source {
                    Source::Number(value) => format!("{} = {value}.", assignment.target),
                    Source::Variable(name) => format!("{} = {name}.", assignment.target),
                })
                .collect();
            format!(
                "{} What is the value of {query}? Answer with the number only.",
                statements.join(" ")
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompts_read_as_intended() {
        assert_eq!(
            prompt(&Problem::Addition {
                left: 37,
                right: 48
            }),
            "What is 37 + 48? Answer with the number only."
        );
        assert_eq!(
            prompt(&Problem::Parity { bits: "101".into() }),
            "Here is a string of bits: 1 0 1. Is the number of 1s in it even or odd? Answer \
             with one word: even or odd."
        );
        assert_eq!(
            prompt(&Problem::Dyck2 {
                prefix: "([](".into()
            }),
            "Complete this sequence of brackets so that every bracket is closed in the right \
             order.\nSequence: ( [ ] (\nAnswer with the missing closing brackets only, \
             separated by spaces."
        );
        assert_eq!(
            prompt(&Problem::Sorting {
                list: vec![34, 7, 81]
            }),
            "Sort this list of numbers in ascending order: [34, 7, 81]. Answer with the \
             sorted list only, written in the same format."
        );
        let chain = Problem::VariableBinding {
            assignments: vec![
                Assignment {
                    target: "a".into(),
                    source: Source::Number(7),
                },
                Assignment {
                    target: "b".into(),
                    source: Source::Variable("a".into()),
                },
            ],
            query: "b".into(),
        };
        assert_eq!(
            prompt(&chain),
            "a = 7. b = a. What is the value of b? Answer with the number only."
        );
    }

    #[test]
    fn sizes_follow_the_level_tables() {
        let mut rng = SplitMix64::new(4);
        for level in 1..=5u32 {
            let at = level as usize - 1;
            for _ in 0..50 {
                let (Problem::Addition { left, right }, _) =
                    draw(&mut rng, Family::Addition, level)
                else {
                    panic!("addition");
                };
                for operand in [left, right] {
                    assert_eq!(operand.to_string().len(), ADDITION_DIGITS[at] as usize);
                }
                let (Problem::Parity { bits }, _) = draw(&mut rng, Family::Parity, level) else {
                    panic!("parity");
                };
                assert_eq!(bits.len(), PARITY_BITS[at]);
                let (Problem::Dyck2 { prefix }, answer) = draw(&mut rng, Family::Dyck2, level)
                else {
                    panic!("dyck2");
                };
                assert_eq!(prefix.len(), 3 * level as usize);
                assert_eq!(answer.split(' ').count(), level as usize, "{answer}");
                let (Problem::Sorting { list }, _) = draw(&mut rng, Family::Sorting, level) else {
                    panic!("sorting");
                };
                assert_eq!(list.len(), SORTING_LENGTHS[at]);
                assert!(list.iter().all(|n| u64::from(*n) < SORTING_BOUND));
                let (Problem::VariableBinding { assignments, .. }, _) =
                    draw(&mut rng, Family::VariableBinding, level)
                else {
                    panic!("variable binding");
                };
                assert_eq!(assignments.len(), 2 * (level as usize + 1));
            }
        }
    }

    #[test]
    fn every_bracket_kind_and_depth_occurs() {
        let mut rng = SplitMix64::new(6);
        let prefixes: Vec<String> = (0..200)
            .map(|_| match draw(&mut rng, Family::Dyck2, 4) {
                (Problem::Dyck2 { prefix }, _) => prefix,
                _ => String::new(),
            })
            .collect();
        for bracket in ['(', ')', '[', ']'] {
            assert!(prefixes.iter().any(|p| p.contains(bracket)), "{bracket}");
        }
        // Not always the same shape: some prefixes close before opening the rest.
        let shapes: std::collections::HashSet<String> = prefixes
            .iter()
            .map(|p| p.replace('[', "(").replace(']', ")"))
            .collect();
        assert!(shapes.len() > 10, "{shapes:?}");
    }
}
