//! The project's own tasks, generated from a seed: no download, so the offline demo and
//! the tests always have something real to run.
//!
//! Every built-in is multiple choice with four options, queries in the `"Question: ..."`
//! style of llm-foundry's ARC (so the same prompt and log-likelihood conventions apply),
//! and the gold position balanced: each run of four items puts the answer once in each
//! position, in a seeded order. Same name and seed give the same items forever, and a
//! longer run starts with the items of a shorter one (the generator is [`SplitMix64`],
//! written out in this crate).

mod arithmetic;
mod facts;
mod patterns;

use thiserror::Error;

use crate::item::{Item, ItemKind};
use crate::rng::SplitMix64;

/// Options per built-in item.
pub const N_CHOICES: usize = 4;

/// A built-in task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Builtin {
    /// Two-number addition, subtraction and multiplication.
    Arithmetic,
    /// Capitals, chemical symbols, planets and continents from a small hand-written table.
    Facts,
    /// What comes next in number, letter and word sequences.
    Patterns,
}

/// A name that is not a built-in task.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("no built-in task {0:?}; built-ins: arithmetic, facts, patterns")]
pub struct UnknownBuiltin(pub String);

impl Builtin {
    /// Every built-in, in the order help texts list them.
    pub const ALL: [Builtin; 3] = [Builtin::Arithmetic, Builtin::Facts, Builtin::Patterns];

    /// The name task specs and reports use.
    pub fn name(self) -> &'static str {
        match self {
            Builtin::Arithmetic => "arithmetic",
            Builtin::Facts => "facts",
            Builtin::Patterns => "patterns",
        }
    }

    /// One line saying what the task asks, for help texts and the page.
    pub fn description(self) -> &'static str {
        match self {
            Builtin::Arithmetic => {
                "What is 37 + 48? Two-number addition, subtraction and multiplication, 4 options"
            }
            Builtin::Facts => {
                "Capitals, chemical symbols, planets and continents from a built-in table, 4 options"
            }
            Builtin::Patterns => {
                "What comes next in 3, 7, 11, 15, 19? Number, letter and word sequences, 4 options"
            }
        }
    }

    /// The built-in with this name (case-insensitive).
    pub fn from_name(name: &str) -> Result<Builtin, UnknownBuiltin> {
        Builtin::ALL
            .into_iter()
            .find(|builtin| builtin.name().eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| UnknownBuiltin(name.to_string()))
    }

    /// `n_items` items drawn with `seed`.
    pub fn generate(self, n_items: usize, seed: u64) -> Vec<Item> {
        // A different stream per task, so one seed does not correlate the tasks.
        let salt = match self {
            Builtin::Arithmetic => 0x6172_6974_686d_6574,
            Builtin::Facts => 0x0066_6163_7473,
            Builtin::Patterns => 0x7061_7474_6572_6e73,
        };
        // Separate streams for the questions and the gold positions, so a longer run
        // starts with exactly the items of a shorter one.
        let mut rng = SplitMix64::new(seed ^ salt);
        let mut position_rng = SplitMix64::new(seed ^ salt ^ 0x706f_7369_7469_6f6e);
        let positions = balanced_positions(&mut position_rng, n_items);
        let questions = match self {
            Builtin::Arithmetic => (0..n_items)
                .map(|_| arithmetic::question(&mut rng))
                .collect(),
            Builtin::Facts => facts::questions(&mut rng, n_items),
            Builtin::Patterns => (0..n_items)
                .map(|_| patterns::question(&mut rng))
                .collect::<Vec<_>>(),
        };
        questions
            .into_iter()
            .zip(positions)
            .enumerate()
            .map(|(index, (question, gold))| question.into_item(index, gold))
            .collect()
    }
}

/// `n_items` items of the built-in task `name` drawn with `seed`.
///
/// ```
/// let items = mechscope_tasks::builtin("arithmetic", 8, 42).unwrap();
/// assert_eq!(items.len(), 8);
/// assert_eq!(items, mechscope_tasks::builtin("arithmetic", 8, 42).unwrap());
/// ```
pub fn builtin(name: &str, n_items: usize, seed: u64) -> Result<Vec<Item>, UnknownBuiltin> {
    Ok(Builtin::from_name(name)?.generate(n_items, seed))
}

/// Gold positions: each block of four items holds each position once, blocks shuffled
/// independently, so positions are balanced to within one over any prefix of blocks.
pub(crate) fn balanced_positions(rng: &mut SplitMix64, n_items: usize) -> Vec<usize> {
    let mut positions = Vec::with_capacity(n_items);
    while positions.len() < n_items {
        let mut block: [usize; N_CHOICES] = std::array::from_fn(|at| at);
        rng.shuffle(&mut block);
        positions.extend(block.into_iter().take(n_items - positions.len()));
    }
    positions
}

/// A generated question before its answer is placed among the options.
struct Question {
    /// Which kind of question, for per-kind accuracy (`addition`, `capital`, ...).
    subset: &'static str,
    /// The question text without the `"Question: "` prefix.
    text: String,
    /// The right answer.
    answer: String,
    /// Exactly three wrong answers, distinct from each other and from the answer.
    distractors: [String; N_CHOICES - 1],
}

impl Question {
    fn into_item(self, index: usize, gold: usize) -> Item {
        let mut choices: Vec<String> = self.distractors.into();
        choices.insert(gold.min(choices.len()), self.answer);
        Item {
            index,
            source_id: None,
            subset: Some(self.subset.to_string()),
            query: format!("Question: {}", self.text),
            context: None,
            choices,
            kind: ItemKind::MultipleChoice { gold },
        }
    }
}

/// Three distinct wrong answers drawn from `candidates` (in a seeded order), skipping the
/// answer and repeats. The generators always offer at least three usable candidates;
/// should one not, numbered fillers keep the item well-formed rather than panicking.
pub(crate) fn pick_distractors(
    rng: &mut SplitMix64,
    answer: &str,
    mut candidates: Vec<String>,
) -> [String; N_CHOICES - 1] {
    rng.shuffle(&mut candidates);
    let mut picked: Vec<String> = Vec::with_capacity(N_CHOICES - 1);
    for candidate in candidates {
        if candidate != answer && !picked.contains(&candidate) && picked.len() < N_CHOICES - 1 {
            picked.push(candidate);
        }
    }
    let mut filler = 1;
    while picked.len() < N_CHOICES - 1 {
        let candidate = format!("none of these ({filler})");
        filler += 1;
        if !picked.contains(&candidate) {
            picked.push(candidate);
        }
    }
    std::array::from_fn(|at| picked.get(at).cloned().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_balanced_per_block() {
        let mut rng = SplitMix64::new(3);
        let positions = balanced_positions(&mut rng, 402);
        assert_eq!(positions.len(), 402);
        for block in positions.chunks(4).filter(|block| block.len() == 4) {
            let mut sorted = block.to_vec();
            sorted.sort_unstable();
            assert_eq!(sorted, [0, 1, 2, 3]);
        }
        assert!(balanced_positions(&mut rng, 0).is_empty());
    }

    #[test]
    fn distractors_skip_the_answer_and_repeats() {
        let mut rng = SplitMix64::new(9);
        let picked = pick_distractors(
            &mut rng,
            "5",
            ["5", "4", "4", "6", "7"].map(String::from).to_vec(),
        );
        let mut sorted = picked.to_vec();
        sorted.sort();
        assert_eq!(sorted, ["4", "6", "7"]);
        let short = pick_distractors(&mut rng, "5", vec!["4".into()]);
        assert_eq!(short[0], "4");
        assert_eq!(short[1], "none of these (1)");
    }

    #[test]
    fn names_round_trip() {
        for builtin in Builtin::ALL {
            assert_eq!(Builtin::from_name(builtin.name()), Ok(builtin));
            assert!(!builtin.description().is_empty());
        }
        assert!(builtin("nope", 1, 0).is_err());
    }
}
