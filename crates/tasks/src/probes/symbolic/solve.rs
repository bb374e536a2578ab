//! The reference solver: each family's answer computed the way a person would by hand,
//! from the structured problem alone, counting elementary steps as it goes.
//!
//! It is deliberately not the generator's computation (schoolbook digits, not `+`; an
//! insertion sort, not the standard library's; a backward walk over assignments, not the
//! chain the generator built), so that agreeing with the stored answers is evidence that
//! both are right, and the step counts are a difficulty measure independent of how the
//! levels were defined.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::generate::list_text;
use super::{Assignment, Problem, Source};

/// The reference answer to a problem and the work it took.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Solution {
    /// The answer, in the format the prompt asks for (equal to a generated item's
    /// `answer`).
    pub answer: String,
    /// Elementary steps: digit columns added, bits read, brackets scanned or closed,
    /// comparisons made, assignments looked up (the table in the module doc).
    pub steps: usize,
}

/// Why a problem has no answer. Generated problems always have one; these arise only from
/// problems built or deserialised by hand.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SolveError {
    /// A parity bit string with something other than `0` or `1` in it.
    #[error("the bit string has {found:?} at position {position}; only 0 and 1 may appear")]
    NotABit {
        /// The character found.
        found: char,
        /// Its 0-based position, in characters.
        position: usize,
    },
    /// A Dyck-2 prefix with something other than a bracket in it.
    #[error("the bracket prefix has {found:?} at position {position}; only ( ) [ ] may appear")]
    NotABracket {
        /// The character found.
        found: char,
        /// Its 0-based position, in characters.
        position: usize,
    },
    /// A Dyck-2 prefix with a closing bracket that closes nothing or the wrong kind.
    #[error(
        "the bracket prefix closes with {found:?} at position {position}, which matches no open bracket"
    )]
    Unmatched {
        /// The closing bracket.
        found: char,
        /// Its 0-based position, in characters.
        position: usize,
    },
    /// A variable read before any assignment gives it a value (or asked for and never
    /// assigned).
    #[error("variable {0:?} is used before it is assigned")]
    Unassigned(String),
}

/// The reference answer and step count of `problem`.
///
/// ```
/// use mechscope_tasks::probes::symbolic::{Problem, solve};
///
/// let solution = solve(&Problem::Addition { left: 58, right: 67 })?;
/// assert_eq!((solution.answer.as_str(), solution.steps), ("125", 3));
/// let solution = solve(&Problem::Dyck2 { prefix: "([](".into() })?;
/// assert_eq!(solution.answer, ") )");
/// # Ok::<(), mechscope_tasks::probes::symbolic::SolveError>(())
/// ```
pub fn solve(problem: &Problem) -> Result<Solution, SolveError> {
    match problem {
        Problem::Addition { left, right } => Ok(add_by_columns(*left, *right)),
        Problem::Parity { bits } => parity(bits),
        Problem::Dyck2 { prefix } => close_brackets(prefix),
        Problem::Sorting { list } => Ok(insertion_sort(list)),
        Problem::VariableBinding { assignments, query } => look_up(assignments, query),
    }
}

/// Decimal digits, least significant first (`0` has the single digit 0).
fn digits(mut number: u64) -> Vec<u8> {
    let mut digits = Vec::new();
    loop {
        digits.push(u8::try_from(number % 10).unwrap_or(0));
        number /= 10;
        if number == 0 {
            return digits;
        }
    }
}

/// Schoolbook addition: one step per column (two digits and the carry), one more to
/// write a final carry.
fn add_by_columns(left: u64, right: u64) -> Solution {
    let (left, right) = (digits(left), digits(right));
    let columns = left.len().max(right.len());
    let mut sum_digits = Vec::with_capacity(columns + 1);
    let mut carry = 0;
    let mut steps = 0;
    for column in 0..columns {
        let total = left.get(column).copied().unwrap_or(0)
            + right.get(column).copied().unwrap_or(0)
            + carry;
        sum_digits.push(total % 10);
        carry = total / 10;
        steps += 1;
    }
    if carry > 0 {
        sum_digits.push(carry);
        steps += 1;
    }
    let answer = sum_digits
        .iter()
        .rev()
        .map(|digit| char::from(b'0' + digit))
        .collect();
    Solution { answer, steps }
}

/// Reads the bits one by one, flipping the parity at each 1.
fn parity(bits: &str) -> Result<Solution, SolveError> {
    let mut odd = false;
    let mut steps = 0;
    for (position, bit) in bits.chars().enumerate() {
        match bit {
            '0' => {}
            '1' => odd = !odd,
            found => return Err(SolveError::NotABit { found, position }),
        }
        steps += 1;
    }
    let answer = if odd { "odd" } else { "even" };
    Ok(Solution {
        answer: answer.to_string(),
        steps,
    })
}

/// Scans the prefix with a stack (one step per bracket), then closes what is left open,
/// innermost first (one step per bracket closed).
fn close_brackets(prefix: &str) -> Result<Solution, SolveError> {
    let mut open: Vec<char> = Vec::new();
    let mut steps = 0;
    for (position, found) in prefix.chars().enumerate() {
        match found {
            '(' | '[' => open.push(found),
            ')' | ']' => {
                let expected_opener = if found == ')' { '(' } else { '[' };
                if open.pop() != Some(expected_opener) {
                    return Err(SolveError::Unmatched { found, position });
                }
            }
            _ => return Err(SolveError::NotABracket { found, position }),
        }
        steps += 1;
    }
    let mut closing = Vec::with_capacity(open.len());
    while let Some(opener) = open.pop() {
        closing.push(if opener == '(' { ")" } else { "]" });
        steps += 1;
    }
    Ok(Solution {
        answer: closing.join(" "),
        steps,
    })
}

/// Insertion sort; a step is one comparison of two numbers.
fn insertion_sort(list: &[u32]) -> Solution {
    let mut sorted: Vec<u32> = Vec::with_capacity(list.len());
    let mut steps = 0;
    for &value in list {
        // Walk left from the end past every larger number, comparing as we go.
        let mut at = sorted.len();
        while at > 0 {
            steps += 1;
            match sorted.get(at - 1) {
                Some(previous) if *previous > value => at -= 1,
                _ => break,
            }
        }
        sorted.insert(at, value);
    }
    Solution {
        answer: list_text(&sorted),
        steps,
    }
}

/// Walks backwards from the question: finds the last assignment to the variable before
/// the current point (one step per assignment found), and follows it until a number.
/// Ends because every step moves strictly earlier in the list.
fn look_up(assignments: &[Assignment], query: &str) -> Result<Solution, SolveError> {
    let mut variable = query;
    let mut before = assignments.len();
    let mut steps = 0;
    loop {
        let Some((at, assignment)) = assignments
            .get(..before)
            .unwrap_or_default()
            .iter()
            .enumerate()
            .rev()
            .find(|(_, assignment)| assignment.target == variable)
        else {
            return Err(SolveError::Unassigned(variable.to_string()));
        };
        steps += 1;
        match &assignment.source {
            Source::Number(value) => {
                return Ok(Solution {
                    answer: value.to_string(),
                    steps,
                });
            }
            Source::Variable(name) => {
                variable = name;
                before = at;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assign(target: &str, source: Source) -> Assignment {
        Assignment {
            target: target.into(),
            source,
        }
    }

    #[test]
    fn hand_worked_answers_and_steps() {
        let cases = [
            (Problem::Addition { left: 3, right: 4 }, "7", 1),
            (Problem::Addition { left: 95, right: 7 }, "102", 3),
            (Problem::Addition { left: 0, right: 0 }, "0", 1),
            (
                Problem::Addition {
                    left: u64::MAX,
                    right: u64::MAX,
                },
                "36893488147419103230",
                // Twenty columns; the top one (1 + 1 + carry) does not carry out.
                20,
            ),
            (
                Problem::Parity {
                    bits: "1101".into(),
                },
                "odd",
                4,
            ),
            (Problem::Parity { bits: "".into() }, "even", 0),
            (
                Problem::Dyck2 {
                    prefix: "([](".into(),
                },
                ") )",
                6,
            ),
            (
                Problem::Dyck2 {
                    prefix: "[(".into(),
                },
                ") ]",
                4,
            ),
            (
                Problem::Dyck2 {
                    prefix: "()".into(),
                },
                "",
                2,
            ),
            (
                Problem::Sorting {
                    list: vec![3, 1, 2],
                },
                "[1, 2, 3]",
                3,
            ),
            (
                Problem::Sorting {
                    list: vec![1, 2, 3],
                },
                "[1, 2, 3]",
                2,
            ),
            (Problem::Sorting { list: vec![] }, "[]", 0),
        ];
        for (problem, answer, steps) in cases {
            let solution = solve(&problem).unwrap();
            assert_eq!(solution.answer, answer, "{problem:?}");
            assert_eq!(solution.steps, steps, "{problem:?}");
        }
    }

    #[test]
    fn variable_lookups_respect_order_and_reassignment() {
        let chain = Problem::VariableBinding {
            assignments: vec![
                assign("a", Source::Number(7)),
                assign("x", Source::Number(3)),
                assign("b", Source::Variable("a".into())),
                assign("a", Source::Number(9)),
                assign("c", Source::Variable("b".into())),
            ],
            query: "c".into(),
        };
        // c = b, b = a (the first a, 7: the later a = 9 came after b = a).
        let solution = solve(&chain).unwrap();
        assert_eq!((solution.answer.as_str(), solution.steps), ("7", 3));

        let unassigned = Problem::VariableBinding {
            assignments: vec![
                assign("b", Source::Variable("a".into())),
                assign("a", Source::Number(1)),
            ],
            query: "b".into(),
        };
        assert_eq!(solve(&unassigned), Err(SolveError::Unassigned("a".into())));
        let self_reference = Problem::VariableBinding {
            assignments: vec![assign("a", Source::Variable("a".into()))],
            query: "a".into(),
        };
        assert_eq!(
            solve(&self_reference),
            Err(SolveError::Unassigned("a".into()))
        );
    }

    #[test]
    fn malformed_problems_are_errors_not_panics() {
        assert_eq!(
            solve(&Problem::Parity { bits: "10x".into() }),
            Err(SolveError::NotABit {
                found: 'x',
                position: 2
            })
        );
        assert_eq!(
            solve(&Problem::Dyck2 {
                prefix: "(]".into()
            }),
            Err(SolveError::Unmatched {
                found: ']',
                position: 1
            })
        );
        assert_eq!(
            solve(&Problem::Dyck2 { prefix: ")".into() }),
            Err(SolveError::Unmatched {
                found: ')',
                position: 0
            })
        );
        let error = solve(&Problem::Dyck2 {
            prefix: "( {".into(),
        })
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "the bracket prefix has ' ' at position 1; only ( ) [ ] may appear"
        );
    }
}
