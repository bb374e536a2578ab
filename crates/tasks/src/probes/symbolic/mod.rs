//! The symbolic reasoning probe (`metrics.md` §3): procedurally generated exact-match
//! problems in five families, each at difficulty levels 1 to 5, scored by exact match so
//! that accuracy per level and the level where it crosses 50% can be reported.
//!
//! # Families and levels
//!
//! | family | level L | answer | reference steps |
//! |---|---|---|---|
//! | [`Family::Addition`] | two numbers of exactly 1, 2, 3, 5, 8 digits | the sum, digits only | one per digit column, plus one for a final carry |
//! | [`Family::Parity`] | a bit string of 3, 6, 12, 24, 48 bits (`3 · 2^(L−1)`) | `even` or `odd`: the parity of the number of 1s | one per bit |
//! | [`Family::Dyck2`] | a prefix of `3L` brackets over `()` and `[]`: L matched pairs and L brackets left open | the L closing brackets, separated by spaces | one per prefix bracket scanned, one per bracket closed |
//! | [`Family::Sorting`] | a list of 3, 5, 8, 12, 16 integers in 0..=99 | the list sorted ascending, written like the question's list: `[3, 17, 17, 42]` | comparisons of an insertion sort |
//! | [`Family::VariableBinding`] | a chain of L copies from a number (`a = 7. b = a.`), interleaved with a distractor chain of the same length | the queried variable's number | one per assignment looked up |
//!
//! Parity answers are the words `even` and `odd`, not `0` and `1`, so that the answer
//! cannot be mistaken for one of the bits. Brackets and bits are written with spaces
//! between them (`( [ ] (`), so every tokenizer sees one symbol per token or so.
//!
//! The difficulty is checked, not assumed: [`solve`] is a reference solver that works
//! from the structured [`Problem`] alone (never from the stored answer) and counts its
//! elementary steps, and the tests require the mean step count to rise strictly with the
//! level in every family.
//!
//! # Answers
//!
//! Each item's [`prompt`](SymbolicItem::prompt) is a chat user message that ends by
//! saying the exact answer format ("Answer with the number only."). [`is_correct`]
//! compares [`normalize_answer`] of the response with that of the stored answer; the
//! normalisation forgives formatting, never content (its rule is in its doc). A response
//! that adds words on its answer line ("The sum is 42") is wrong.
//!
//! # Determinism
//!
//! [`generate`] draws from [`SplitMix64`] with a stream per (family, level), so the same
//! (family, level, n, seed) gives the same items forever, and a longer run starts with the
//! items of a shorter one.

mod generate;
mod solve;

use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::prompt::ANSWER_CUE;
use crate::rng::SplitMix64;

pub use solve::{Solution, SolveError, solve};

/// The lowest difficulty level of every family.
pub const MIN_LEVEL: u32 = 1;
/// The highest difficulty level of every family.
pub const MAX_LEVEL: u32 = 5;

/// A family of symbolic problems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// The sum of two n-digit numbers.
    Addition,
    /// Whether a bit string has an even or odd number of 1s.
    Parity,
    /// The closing brackets that complete a prefix over `()` and `[]`.
    Dyck2,
    /// A list of small integers sorted ascending.
    Sorting,
    /// The value at the end of a chain of variable copies.
    VariableBinding,
}

impl Family {
    /// Every family, in the order of `metrics.md` and of reports.
    pub const ALL: [Family; 5] = [
        Family::Addition,
        Family::Parity,
        Family::Dyck2,
        Family::Sorting,
        Family::VariableBinding,
    ];

    /// The name reports use (also the serde form): `addition`, `parity`, `dyck2`,
    /// `sorting`, `variable_binding`.
    pub fn name(self) -> &'static str {
        match self {
            Family::Addition => "addition",
            Family::Parity => "parity",
            Family::Dyck2 => "dyck2",
            Family::Sorting => "sorting",
            Family::VariableBinding => "variable_binding",
        }
    }

    /// The family's difficulty levels: `1..=5` for every family (the module doc says
    /// what each level is).
    pub fn levels(self) -> RangeInclusive<u32> {
        MIN_LEVEL..=MAX_LEVEL
    }

    /// A fixed number mixed into the seed, so one seed gives unrelated streams per family.
    fn salt(self) -> u64 {
        match self {
            Family::Addition => 0x6164_6469_7469_6f6e,
            Family::Parity => 0x0070_6172_6974_7900,
            Family::Dyck2 => 0x0000_6479_636b_3200,
            Family::Sorting => 0x0073_6f72_7469_6e67,
            Family::VariableBinding => 0x6269_6e64_696e_6773,
        }
    }
}

/// A problem as structured data: what the generator drew and the reference solver reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "family", rename_all = "snake_case")]
pub enum Problem {
    /// `left + right`.
    Addition {
        /// The first operand.
        left: u64,
        /// The second operand.
        right: u64,
    },
    /// The parity of the number of `1`s in `bits`.
    Parity {
        /// The bit string, one `0` or `1` per character, no spaces: `"01101"`.
        bits: String,
    },
    /// The closing sequence that balances `prefix`.
    Dyck2 {
        /// The brackets, one of `( ) [ ]` per character, no spaces: `"([]("`.
        prefix: String,
    },
    /// `list` sorted ascending.
    Sorting {
        /// The numbers in the order the question shows them.
        list: Vec<u32>,
    },
    /// The number `query` holds after `assignments` run in order.
    VariableBinding {
        /// The assignments, in the order the question shows them.
        assignments: Vec<Assignment>,
        /// The variable asked for.
        query: String,
    },
}

impl Problem {
    /// The family the problem belongs to.
    pub fn family(&self) -> Family {
        match self {
            Problem::Addition { .. } => Family::Addition,
            Problem::Parity { .. } => Family::Parity,
            Problem::Dyck2 { .. } => Family::Dyck2,
            Problem::Sorting { .. } => Family::Sorting,
            Problem::VariableBinding { .. } => Family::VariableBinding,
        }
    }
}

/// One statement of a variable-binding problem: `target = source`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    /// The variable assigned (a lower-case letter in generated problems).
    pub target: String,
    /// What it is assigned.
    pub source: Source,
}

/// The right-hand side of an [`Assignment`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A literal number: `a = 7`.
    Number(u32),
    /// The current value of another variable: `b = a`.
    Variable(String),
}

/// One generated problem with its prompt and answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SymbolicItem {
    /// The difficulty level, within [`Family::levels`].
    pub level: u32,
    /// The problem as data; its [`family`](Problem::family) is the item's.
    pub problem: Problem,
    /// The chat user message: the problem in words, ending with the exact answer format.
    pub prompt: String,
    /// The expected answer, in the format the prompt asks for (`"1042"`, `"odd"`,
    /// `"] )"`, `"[3, 17, 42]"`).
    pub answer: String,
}

impl SymbolicItem {
    /// The item's family.
    pub fn family(&self) -> Family {
        self.problem.family()
    }

    /// The prompt for base models, which have no chat template: [`prompt`](Self::prompt)
    /// followed by [`ANSWER_CUE`] (`"\nAnswer:"`), as the other tasks' plain prompts.
    pub fn plain_prompt(&self) -> String {
        format!("{}{ANSWER_CUE}", self.prompt)
    }
}

/// A level outside a family's [`levels`](Family::levels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("{family:?} has no level {level}; levels are {MIN_LEVEL} to {MAX_LEVEL}")]
pub struct UnknownLevel {
    /// The family asked for.
    pub family: Family,
    /// The level asked for.
    pub level: u32,
}

/// `n` items of one family at one level, drawn with `seed`.
///
/// ```
/// use mechscope_tasks::probes::symbolic::{self, Family};
///
/// let items = symbolic::generate(Family::Parity, 2, 3, 42)?;
/// assert_eq!(items.len(), 3);
/// assert!(items.iter().all(|item| item.answer == "even" || item.answer == "odd"));
/// assert!(symbolic::generate(Family::Parity, 6, 3, 42).is_err());
/// # Ok::<(), symbolic::UnknownLevel>(())
/// ```
pub fn generate(
    family: Family,
    level: u32,
    n: usize,
    seed: u64,
) -> Result<Vec<SymbolicItem>, UnknownLevel> {
    if !family.levels().contains(&level) {
        return Err(UnknownLevel { family, level });
    }
    let mut rng = SplitMix64::new(
        seed ^ family.salt() ^ u64::from(level).wrapping_mul(0x9E37_79B9_7F4A_7C15),
    );
    Ok((0..n)
        .map(|_| {
            let (problem, answer) = generate::draw(&mut rng, family, level);
            SymbolicItem {
                level,
                prompt: generate::prompt(&problem),
                answer,
                problem,
            }
        })
        .collect())
}

/// `n_per_level` items of every family at every level, family by family in the order of
/// [`Family::ALL`], levels ascending: the whole probe.
pub fn generate_all(n_per_level: usize, seed: u64) -> Vec<SymbolicItem> {
    Family::ALL
        .into_iter()
        .flat_map(|family| {
            family.levels().flat_map(move |level| {
                generate(family, level, n_per_level, seed).unwrap_or_default()
            })
        })
        .collect()
}

/// A response or answer reduced to what exact match compares:
///
/// 1. the first non-blank line (a model's explanation on later lines is ignored);
/// 2. a leading `Answer:` label removed (any case): base-model prompts end with that cue
///    and chat models often repeat it;
/// 3. one trailing full stop removed (`"42."`);
/// 4. all whitespace removed, since no answer has whitespace as content (`"] )"` and
///    `"])"`, `"[1, 2]"` and `"[1,2]"` are the same answer);
/// 5. lower-cased (`"Even"`).
///
/// Nothing else is forgiven: quotes, markdown, units, thousands separators and words
/// around the answer stay, so they make the answer wrong.
///
/// ```
/// use mechscope_tasks::probes::symbolic::normalize_answer;
///
/// assert_eq!(normalize_answer("  Answer: 42.\nBecause 40 + 2 = 42."), "42");
/// assert_eq!(normalize_answer("] )"), normalize_answer("])"));
/// assert_eq!(normalize_answer("The sum is 42"), "thesumis42");
/// ```
pub fn normalize_answer(text: &str) -> String {
    let line = text
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .unwrap_or("");
    let line = strip_prefix_ignore_case(line, "answer:")
        .unwrap_or(line)
        .trim();
    let line = line.strip_suffix('.').unwrap_or(line);
    line.chars()
        .filter(|ch| !ch.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| text.get(prefix.len()..))
        .flatten()
}

/// Whether `response` gives the item's answer: [`normalize_answer`] of both equal, and
/// the response not empty.
///
/// ```
/// use mechscope_tasks::probes::symbolic::{self, Family, is_correct};
///
/// let item = &symbolic::generate(Family::Addition, 1, 1, 42)?[0];
/// assert!(is_correct(item, &format!("{}.", item.answer)));
/// assert!(is_correct(item, &format!("Answer: {}", item.answer)));
/// assert!(!is_correct(item, &format!("The sum is {}", item.answer)));
/// # Ok::<(), symbolic::UnknownLevel>(())
/// ```
pub fn is_correct(item: &SymbolicItem, response: &str) -> bool {
    let expected = normalize_answer(&item.answer);
    !expected.is_empty() && normalize_answer(response) == expected
}

#[cfg(test)]
mod tests;
