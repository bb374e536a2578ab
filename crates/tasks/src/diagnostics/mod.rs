//! Ability diagnostic sets for AIS (`metrics.md` §2): ten generated sets of
//! `{context, question, options[4], answer, ability}` items, their 80/20 split, and a
//! reader for sets a user brings as JSONL.
//!
//! The paper's 20,000 items are not released, so the project generates its own:
//! [`generate`] draws from hand-written word lists and rules with the crate's
//! [`SplitMix64`], so a set is fixed by (ability, size, seed) forever. Each ability mixes
//! four to seven question forms, varied entities and varied difficulty (steps, distractor
//! facts, passage length), so that answering needs the ability rather than a template.
//! Across all sets:
//!
//! - Every question can be answered without seeing the options, because importance
//!   trains on the chat `"Context: ..\nQuestion: .."` → `"Answer: {answer}."`, which does
//!   not show them; where a question is a choice by nature (odd one out), the candidates
//!   are listed in the question.
//! - Distractors are of the answer's kind (a city for a city, a time for a time), mostly
//!   the near misses a wrong reasoning step gives, so surface form gives nothing away;
//!   options are distinct and carry no final full stop (the answer turn adds one).
//! - Computed answers (quantitative, temporal, spatial, deductive, inductive) are
//!   computed by the code, and the tests recompute them from the item's text.
//! - Facts (long-term knowledge, analogies) come only from well-known, settled facts.
//!
//! # The generators, with one example each
//!
//! Options are listed in their shuffled order; `*` marks the answer.
//!
//! - [`Ability::Analogical`]: "A is to B as C is to ?" over eleven relations (opposites,
//!   young animals, capitals, materials, irregular plurals and past tenses, parts, animal
//!   sounds, workplaces, measuring instruments, tools), in five forms with one to three
//!   example pairs, forwards or backwards. Near misses: the example's own answer, the
//!   regular form ("mouses").
//!   > Question: goose is to geese as foot is to what?
//!   > Options: foots, geese, feet*, men
//! - [`Ability::CommonsenseCausal`]: 32 everyday situations, asked forwards (what
//!   happened next), backwards (the most likely cause), hypothetically, and with an
//!   unrelated event mixed in; the wrong options are about the same objects.
//!   > Context: Julia left the lid off the paint tin for a week.
//!   > Question: What most likely happened next?
//!   > Options: The paint dried out*, The paint turned into water, The paint became
//!   > fresher, The tin filled with more paint
//! - [`Ability::ContextualRecall`]: a passage about four to six invented people (age,
//!   city, pet, job, colour, hobby; grouped or interleaved); ask a detail, who has a
//!   detail, a detail of the person who has another (two hops), or which re-worded
//!   statement is true. Distractors are the other people's details.
//!   > Context: Dina has a pet cat. Dina works as an architect. Marco works as a
//!   > dentist. Marco has a pet rabbit. Ivan earns a living as a gardener. Ivan has a pet
//!   > goldfish. Ravi works as a teacher. Ravi owns a ferret.
//!   > Question: What kind of pet does Marco have?
//!   > Options: cat, rabbit*, goldfish, ferret
//! - [`Ability::Deductive`]: rules about invented kinds ("blickets", "wugs"): syllogisms
//!   with distractor rules, two-to-three-step chains, modus tollens over kinds, modus
//!   ponens and tollens over conditionals (and the converse fallacy, where nothing
//!   follows), elimination, transitive comparisons.
//!   > Context: Everything here has exactly one colour. All wugs are dovs. Every dov is a
//!   > zorp. Zorps are always green. Every fep is a glim. All glims are red. Every toma
//!   > is blue. Anna's kite is a wug.
//!   > Question: What colour is Anna's kite?
//!   > Options: red, green*, yellow, blue
//! - [`Ability::Inductive`]: a rule from examples, applied: six kinds of number
//!   sequence, a number machine `y = a x + b`, a letter code on words, a repeating
//!   pattern asked far ahead, a rule on lists, a hidden number property. The code checks
//!   that no other rule of the family fits the examples with another answer.
//!   > Context: A machine changes every number it is given by the same rule. It turned
//!   > 11 into 28, 7 into 20 and 9 into 24.
//!   > Question: By the same rule, what does 1 become?
//!   > Options: 18, 2, 10, 8*
//! - [`Ability::LongTermKnowledge`]: eighteen tables (capitals, authors, painters,
//!   composers, animal classes, chemical symbols, planets, currencies, languages,
//!   continents, landmarks, scientists, years, counts, organs, gases, oceans,
//!   mountains); about 700 distinct questions.
//!   > Question: Biologists classify the seahorse as what kind of animal?
//!   > Options: mammal, reptile, fish*, bird
//! - [`Ability::Quantitative`]: word problems of two or three steps (change, ages,
//!   rates, percentages, unit conversions, sharing, two speeds); distractors are the
//!   results of the usual slips.
//!   > Context: Umar buys 4 mugs at $2 each and 4 sandwiches at $5 each, and pays with a
//!   > $50 note.
//!   > Question: How much change does Umar get?
//!   > Options: $28 (one kind forgotten), $42, $43, $22*
//! - [`Ability::SemanticRelationship`]: synonyms, opposites, what kind of thing a word
//!   names, which word names a kind, parts and wholes, odd one out, naming the relation
//!   between two words.
//!   > Question: Which word does not belong with the others: aluminium, oval, titanium,
//!   > zinc?
//!   > Options: oval*, aluminium, titanium, zinc
//! - [`Ability::Spatial`]: a row from shuffled neighbour facts, a stack of boxes, the
//!   heading after turns, where a walk ends (direction or distance), the direction
//!   between two places on a street map.
//!   > Context: Chen, Grace, Priya and Pablo stand in a row. Grace stands immediately to
//!   > the right of Pablo. Priya stands immediately to the left of Pablo. Priya stands
//!   > immediately to the right of Chen.
//!   > Question: Who stands at the far right of the row?
//!   > Options: Chen, Priya, Pablo, Grace*
//! - [`Ability::Temporal`]: end or start times, durations, weekdays after or before a
//!   number of days, the order of errands from before/after facts, dates some days
//!   later, years and ages.
//!   > Context: The piano lesson started at 17:00 and lasted 1 hour 40 minutes.
//!   > Question: At what time did it end?
//!   > Options: 17:40 (no carry into the hour), 18:50, 18:30, 18:40*
//!
//! # Split and files
//!
//! [`split`] makes the 80/20 train/test split of one ability's set with [`SPLIT_SEED`]
//! (exact rule in its doc); [`read_jsonl`] reads a set a user brings, one item per line,
//! with a [`RowError`](crate::RowError) per bad line.
//!
//! # Example
//!
//! ```
//! use mechscope_tasks::diagnostics::{self, Ability, DEFAULT_ITEMS_PER_ABILITY, SPLIT_SEED};
//!
//! let items = diagnostics::generate(Ability::Temporal, DEFAULT_ITEMS_PER_ABILITY, 42);
//! assert_eq!(items.len(), 250);
//! assert_eq!(items, diagnostics::generate(Ability::Temporal, 250, 42));
//!
//! let (train, test) = diagnostics::split(&items, SPLIT_SEED);
//! assert_eq!((train.len(), test.len()), (200, 50));
//!
//! // Importance trains on chats; the test split is scored as multiple choice.
//! let first = &train[0];
//! assert!(first.user_message().contains("Question: "));
//! assert_eq!(first.assistant_message(), format!("Answer: {}.", first.answer));
//! let item = test[0].to_item(0)?;
//! assert_eq!(item.choices[item.gold_index().unwrap()], test[0].answer);
//! assert_eq!(item.subset.as_deref(), Some("temporal"));
//! # Ok::<(), mechscope_tasks::RowProblem>(())
//! ```

mod analogical;
mod commonsense_causal;
mod contextual_recall;
mod deductive;
mod inductive;
mod long_term_knowledge;
mod quantitative;
mod reader;
mod semantic_relationship;
mod spatial;
mod temporal;
mod words;

use std::collections::HashSet;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

use crate::builtin::balanced_positions;
use crate::error::RowProblem;
use crate::item::{Item, ItemKind};
use crate::readers::fields::check_choice_count;
use crate::rng::SplitMix64;

pub use reader::{
    LoadedDiagnostics, LoadedTokenDiagnostics, is_token_jsonl, read_jsonl, read_token_jsonl,
};

/// Items per ability when the caller does not say: every generator has at least this
/// many distinct items, so a default set never repeats one.
pub const DEFAULT_ITEMS_PER_ABILITY: usize = 250;

/// The seed of the train/test split (`metrics.md` §2: "80/20 train/test split, seed 42").
pub const SPLIT_SEED: u64 = 42;

/// Options per generated item.
pub const N_OPTIONS: usize = 4;

/// One of the ten abilities of Benchmark Profiling (arXiv 2510.01232).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ability {
    /// A is to B as C is to ?
    Analogical,
    /// Causes and effects of everyday situations.
    CommonsenseCausal,
    /// A detail of a short passage.
    ContextualRecall,
    /// Conclusions that follow from stated rules.
    Deductive,
    /// A rule inferred from examples and applied to a new case.
    Inductive,
    /// World facts the model has to know.
    LongTermKnowledge,
    /// Multi-step arithmetic word problems.
    Quantitative,
    /// Synonyms, antonyms, kinds and parts of things.
    SemanticRelationship,
    /// Positions, directions and stacks.
    Spatial,
    /// Clock, calendar and event-order reasoning.
    Temporal,
}

/// A name that is not one of the ten abilities.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "unknown ability {0:?}; abilities: analogical, commonsense_causal, contextual_recall, deductive, inductive, long_term_knowledge, quantitative, semantic_relationship, spatial, temporal"
)]
pub struct UnknownAbility(pub String);

impl Ability {
    /// Every ability, in the order of `metrics.md` (and of reports and radar charts).
    pub const ALL: [Ability; 10] = [
        Ability::Analogical,
        Ability::CommonsenseCausal,
        Ability::ContextualRecall,
        Ability::Deductive,
        Ability::Inductive,
        Ability::LongTermKnowledge,
        Ability::Quantitative,
        Ability::SemanticRelationship,
        Ability::Spatial,
        Ability::Temporal,
    ];

    /// The snake_case id used in files, reports and serde (`commonsense_causal`).
    pub fn name(self) -> &'static str {
        match self {
            Ability::Analogical => "analogical",
            Ability::CommonsenseCausal => "commonsense_causal",
            Ability::ContextualRecall => "contextual_recall",
            Ability::Deductive => "deductive",
            Ability::Inductive => "inductive",
            Ability::LongTermKnowledge => "long_term_knowledge",
            Ability::Quantitative => "quantitative",
            Ability::SemanticRelationship => "semantic_relationship",
            Ability::Spatial => "spatial",
            Ability::Temporal => "temporal",
        }
    }

    /// The human name, as `metrics.md` and the paper write it.
    pub fn label(self) -> &'static str {
        match self {
            Ability::Analogical => "Analogical reasoning",
            Ability::CommonsenseCausal => "Commonsense & causal reasoning",
            Ability::ContextualRecall => "Contextual recall",
            Ability::Deductive => "Deductive reasoning",
            Ability::Inductive => "Inductive reasoning",
            Ability::LongTermKnowledge => "Long-term knowledge",
            Ability::Quantitative => "Quantitative reasoning",
            Ability::SemanticRelationship => "Semantic relationship comprehension",
            Ability::Spatial => "Spatial reasoning",
            Ability::Temporal => "Temporal reasoning",
        }
    }

    /// One line saying what the set asks, with an example, for help texts and the page.
    pub fn description(self) -> &'static str {
        match self {
            Ability::Analogical => {
                "Word analogies over eleven relations: puppy is to dog as cub is to what? (bear)"
            }
            Ability::CommonsenseCausal => {
                "Everyday causes and effects: ice cream left in the sun; what happened next? (it melted)"
            }
            Ability::ContextualRecall => {
                "One detail from a passage about invented people: where does Nora live?"
            }
            Ability::Deductive => {
                "Syllogisms, rule chains, modus tollens, elimination: all wugs are red; Tom's toy is a wug; its colour?"
            }
            Ability::Inductive => {
                "Infer a rule from examples and apply it: 3 -> 7, 5 -> 11, 10 -> 21; what does 8 become?"
            }
            Ability::LongTermKnowledge => {
                "Well-known world facts: capitals, authors, elements, animals, landmarks: who wrote Hamlet?"
            }
            Ability::Quantitative => {
                "Multi-step word problems: 3 notebooks at $4 each, paid with $20; how much change?"
            }
            Ability::SemanticRelationship => {
                "Synonyms, opposites, kinds, parts, odd one out: a sparrow is a kind of what?"
            }
            Ability::Spatial => {
                "Rows, stacks, maps and turns: facing north, turn right twice; which way now?"
            }
            Ability::Temporal => {
                "Clock, calendar and event order: started 9:40, lasted 35 minutes; when did it end?"
            }
        }
    }

    /// The ability with this name, case-insensitive: the snake name (`long_term_knowledge`)
    /// or the label (`Long-term knowledge`, `Commonsense & causal reasoning`). Spaces,
    /// hyphens and `&` count as separators, and a trailing "reasoning" or
    /// "comprehension" may be left out or kept.
    pub fn from_name(name: &str) -> Result<Ability, UnknownAbility> {
        let key = name_key(name);
        Ability::ALL
            .into_iter()
            .find(|ability| key == name_key(ability.name()) || key == name_key(ability.label()))
            .ok_or_else(|| UnknownAbility(name.to_string()))
    }

    /// A fixed number mixed into the seed, so that one seed gives unrelated streams for
    /// the ten abilities.
    fn salt(self) -> u64 {
        // "ability" in ASCII, plus the position: stable across renames of the variants.
        let position = Ability::ALL
            .iter()
            .position(|ability| *ability == self)
            .unwrap_or(0) as u64;
        0x6162_696c_6974_7900 ^ (position.wrapping_add(1)).wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }

    /// One draft of this ability's generator (`None` when a random draw did not give a
    /// well-formed item; the caller draws again).
    fn draft(self, rng: &mut SplitMix64) -> Option<Draft> {
        match self {
            Ability::Analogical => analogical::draft(rng),
            Ability::CommonsenseCausal => commonsense_causal::draft(rng),
            Ability::ContextualRecall => contextual_recall::draft(rng),
            Ability::Deductive => deductive::draft(rng),
            Ability::Inductive => inductive::draft(rng),
            Ability::LongTermKnowledge => long_term_knowledge::draft(rng),
            Ability::Quantitative => quantitative::draft(rng),
            Ability::SemanticRelationship => semantic_relationship::draft(rng),
            Ability::Spatial => spatial::draft(rng),
            Ability::Temporal => temporal::draft(rng),
        }
    }
}

/// Lower case, words split at anything not alphanumeric, "and"/"reasoning"/
/// "comprehension" dropped, joined by `_`: one key for a snake name and its label.
fn name_key(name: &str) -> String {
    name.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty() && !matches!(*word, "and" | "reasoning" | "comprehension"))
        .collect::<Vec<_>>()
        .join("_")
}

impl fmt::Display for Ability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Ability {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Ability {
    /// The snake name, or anything else [`Ability::from_name`] accepts.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Ability::from_name(&name).map_err(serde::de::Error::custom)
    }
}

/// One diagnostic item: the `{context, question, options, answer, ability}` of
/// `metrics.md` §2.
///
/// `answer` is the answer's text (one of `options`), because importance trains on the
/// chat `"Answer: {answer}."`. Generated items always have [`N_OPTIONS`] options; items
/// read from a file may have 2 to 26.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DiagnosticItem {
    /// Text the question is about (a passage, rules, a situation); empty when the
    /// question stands alone.
    #[serde(default)]
    pub context: String,
    /// The question, without a `"Question: "` prefix.
    pub question: String,
    /// The options, in the order they are offered.
    pub options: Vec<String>,
    /// The text of the correct option.
    pub answer: String,
    /// The ability the item diagnoses.
    pub ability: Ability,
}

impl DiagnosticItem {
    /// The position of `answer` among `options`; `None` when it is not there (possible
    /// only for an item built or deserialised by hand: see [`DiagnosticItem::check`]).
    pub fn answer_index(&self) -> Option<usize> {
        self.options
            .iter()
            .position(|option| *option == self.answer)
    }

    /// The user turn of the importance chat (`metrics.md` §2):
    /// `"Context: {context}\nQuestion: {question}"`, or `"Question: {question}"` when the
    /// context is empty.
    pub fn user_message(&self) -> String {
        if self.context.is_empty() {
            format!("Question: {}", self.question)
        } else {
            format!("Context: {}\nQuestion: {}", self.context, self.question)
        }
    }

    /// The assistant turn of the importance chat: `"Answer: {answer}."`.
    pub fn assistant_message(&self) -> String {
        format!("Answer: {}.", self.answer)
    }

    /// Whether the item can be asked: a non-empty question, 2 to 26 distinct non-empty
    /// options, and the answer among them. The problem names the field at fault.
    pub fn check(&self) -> Result<(), RowProblem> {
        if self.question.trim().is_empty() {
            return Err(RowProblem::MissingField("question".into()));
        }
        check_choice_count(self.options.len(), "options")?;
        let mut seen = HashSet::with_capacity(self.options.len());
        if self
            .options
            .iter()
            .any(|option| option.trim().is_empty() || !seen.insert(option.trim()))
        {
            return Err(RowProblem::WrongType {
                field: "options".into(),
                expected: "an array of distinct, non-empty strings",
            });
        }
        if self.answer_index().is_none() {
            return Err(RowProblem::UnknownAnswer {
                field: "answer".into(),
                value: self.answer.clone(),
            });
        }
        Ok(())
    }

    /// The item as the crate's multiple-choice [`Item`], for scoring a benchmark-style
    /// run (the ability's own test accuracy): `query` is `"Question: {question}"`,
    /// `context` is `"Context: {context}"` (`None` when empty) so that the rendered user
    /// message starts exactly like [`DiagnosticItem::user_message`], `subset` is the
    /// ability's name, `index` the given position.
    pub fn to_item(&self, index: usize) -> Result<Item, RowProblem> {
        self.check()?;
        let gold = self.answer_index().unwrap_or(0);
        Ok(Item {
            index,
            source_id: None,
            subset: Some(self.ability.name().to_string()),
            query: format!("Question: {}", self.question),
            context: (!self.context.is_empty()).then(|| format!("Context: {}", self.context)),
            choices: self.options.clone(),
            kind: ItemKind::MultipleChoice { gold },
        })
    }
}

/// `n_items` items of `ability` drawn with `seed`.
///
/// Deterministic: the same ability, size and seed give the same items forever (the
/// generator is this crate's [`SplitMix64`]), and a longer run starts with the items of
/// a shorter one. Items are distinct in `(context, question)` up to the generator's pool
/// (every pool holds well over [`DEFAULT_ITEMS_PER_ABILITY`]); past it, items repeat
/// rather than the run coming up short. The answer's position is balanced as in the
/// built-in tasks: each run of four items puts it once in each position.
pub fn generate(ability: Ability, n_items: usize, seed: u64) -> Vec<DiagnosticItem> {
    generate_drafts(ability, n_items, seed)
        .into_iter()
        .map(|(draft, gold)| draft.into_item(ability, gold))
        .collect()
}

/// Every ability's set, `n_items` each, in [`Ability::ALL`] order.
pub fn generate_all(n_items: usize, seed: u64) -> Vec<(Ability, Vec<DiagnosticItem>)> {
    Ability::ALL
        .into_iter()
        .map(|ability| (ability, generate(ability, n_items, seed)))
        .collect()
}

/// Draws before accepting a repeat: the pools are large, so a repeat after this many
/// fresh draws means the pool is used up.
const MAX_DRAWS_PER_ITEM: usize = 200;

/// The drafts behind [`generate`], with their gold positions (tests read the template
/// ids).
fn generate_drafts(ability: Ability, n_items: usize, seed: u64) -> Vec<(Draft, usize)> {
    let salt = ability.salt();
    // Separate streams for the questions and the gold positions, as in the built-ins.
    let mut rng = SplitMix64::new(seed ^ salt);
    let mut position_rng = SplitMix64::new(seed ^ salt ^ 0x706f_7369_7469_6f6e);
    let positions = balanced_positions(&mut position_rng, n_items);
    let mut seen: HashSet<(String, String)> = HashSet::with_capacity(n_items);
    let mut drafts = Vec::with_capacity(n_items);
    for gold in positions {
        let mut repeat = None;
        let mut fresh = None;
        for _ in 0..MAX_DRAWS_PER_ITEM {
            let Some(draft) = ability.draft(&mut rng) else {
                continue;
            };
            if seen.insert((draft.context.clone(), draft.question.clone())) {
                fresh = Some(draft);
                break;
            }
            repeat.get_or_insert(draft);
        }
        if let Some(draft) = fresh.or(repeat) {
            drafts.push((draft, gold));
        }
    }
    drafts
}

/// Splits `items` into (train, test), 80/20, reproducibly.
///
/// Exactly: the indices `0..n` are shuffled with [`SplitMix64::new(seed)`](SplitMix64)
/// and [`SplitMix64::shuffle`] (Fisher-Yates from the back); the first
/// `floor(4 * n / 5)` shuffled indices are the train split and the rest (`ceil(n / 5)`
/// items) the test split; each split is then put back in source order. So 250 items
/// give 200 + 50, 7 give 5 + 2, 1 gives 0 + 1. Use [`SPLIT_SEED`] for the split of
/// `metrics.md`, and split each ability's set on its own so every ability keeps 80/20.
pub fn split<T: Clone>(items: &[T], seed: u64) -> (Vec<T>, Vec<T>) {
    let (train, test) = split_indices(items.len(), seed);
    let pick = |indices: Vec<usize>| {
        indices
            .into_iter()
            .filter_map(|index| items.get(index).cloned())
            .collect()
    };
    (pick(train), pick(test))
}

/// The indices behind [`split`]: (train, test), each ascending.
pub fn split_indices(n_items: usize, seed: u64) -> (Vec<usize>, Vec<usize>) {
    let mut order: Vec<usize> = (0..n_items).collect();
    SplitMix64::new(seed).shuffle(&mut order);
    let n_train = n_items.saturating_mul(4) / 5;
    let mut test = order.split_off(n_train.min(order.len()));
    order.sort_unstable();
    test.sort_unstable();
    (order, test)
}

/// A generated item before its answer is placed among the options.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Draft {
    /// Which question form made it (tests count the forms; not part of the item).
    template: &'static str,
    context: String,
    question: String,
    answer: String,
    /// Exactly three wrong options, distinct from each other and from the answer.
    distractors: [String; N_OPTIONS - 1],
}

impl Draft {
    /// A draft whose distractors are the first usable entries of `preferred` (in the
    /// given order: the hard near misses), then of `pool` (in a seeded order). Usable:
    /// non-empty, not the answer, not already picked. `None` when fewer than three are
    /// usable, so the caller draws again instead of padding with giveaways.
    fn new(
        rng: &mut SplitMix64,
        template: &'static str,
        context: String,
        question: String,
        answer: String,
        preferred: Vec<String>,
        mut pool: Vec<String>,
    ) -> Option<Draft> {
        rng.shuffle(&mut pool);
        let mut picked: Vec<String> = Vec::with_capacity(N_OPTIONS - 1);
        for candidate in preferred.into_iter().chain(pool) {
            if picked.len() == N_OPTIONS - 1 {
                break;
            }
            if !candidate.trim().is_empty() && candidate != answer && !picked.contains(&candidate) {
                picked.push(candidate);
            }
        }
        let distractors: [String; N_OPTIONS - 1] = picked.try_into().ok()?;
        (!answer.trim().is_empty() && !question.trim().is_empty()).then_some(Draft {
            template,
            context,
            question,
            answer,
            distractors,
        })
    }

    fn into_item(self, ability: Ability, gold: usize) -> DiagnosticItem {
        let mut options: Vec<String> = self.distractors.into();
        options.insert(gold.min(options.len()), self.answer.clone());
        DiagnosticItem {
            context: self.context,
            question: self.question,
            options,
            answer: self.answer,
            ability,
        }
    }
}

/// A uniformly chosen element of a non-empty word list (the lists are constants of this
/// module; an empty one would be a bug caught by the tests).
fn pick<T: Copy>(rng: &mut SplitMix64, items: &[T]) -> T {
    items[rng.index(items.len())]
}

/// `k` distinct elements (by position) of a list, in a seeded order.
fn pick_distinct<T: Copy>(rng: &mut SplitMix64, items: &[T], k: usize) -> Vec<T> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    rng.shuffle(&mut order);
    order.into_iter().take(k).map(|at| items[at]).collect()
}

/// A uniform integer in `low..=high` as `usize` (`low` when the range is empty).
fn range(rng: &mut SplitMix64, low: usize, high: usize) -> usize {
    if high <= low {
        return low;
    }
    low + rng.index(high - low + 1)
}

/// `text` with its first letter in upper case.
fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// "a" or "an" before `word` (by its first letter; the word lists avoid the exceptions).
fn article(word: &str) -> &'static str {
    match word.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u' | 'A' | 'E' | 'I' | 'O' | 'U') => "an",
        _ => "a",
    }
}

/// `word` with its indefinite article: "an owl", "a dog".
fn with_article(word: &str) -> String {
    format!("{} {word}", article(word))
}

/// `"a, b and c"`.
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [only] => only.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// `"a, b or c"`.
fn join_or(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [only] => only.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// Strings of anything displayable.
fn strings<T: ToString>(items: impl IntoIterator<Item = T>) -> Vec<String> {
    items.into_iter().map(|item| item.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_labels_round_trip() {
        for ability in Ability::ALL {
            assert_eq!(Ability::from_name(ability.name()), Ok(ability));
            assert_eq!(Ability::from_name(ability.label()), Ok(ability));
            assert_eq!(
                Ability::from_name(&ability.name().to_uppercase()),
                Ok(ability)
            );
            assert!(!ability.description().is_empty());
            let json = serde_json::to_string(&ability).unwrap();
            assert_eq!(json, format!("\"{}\"", ability.name()));
            assert_eq!(serde_json::from_str::<Ability>(&json).unwrap(), ability);
        }
        assert_eq!(
            Ability::from_name("Commonsense and causal"),
            Ok(Ability::CommonsenseCausal)
        );
        assert_eq!(
            Ability::from_name(" long-term knowledge "),
            Ok(Ability::LongTermKnowledge)
        );
        let error = Ability::from_name("telepathy").unwrap_err();
        assert!(
            error.to_string().contains("semantic_relationship"),
            "{error}"
        );
        assert!(Ability::from_name("").is_err());
        assert!(serde_json::from_str::<Ability>("\"telepathy\"").is_err());
        // Distinct salts: one seed must not give correlated streams.
        let salts: HashSet<u64> = Ability::ALL.iter().map(|a| a.salt()).collect();
        assert_eq!(salts.len(), Ability::ALL.len());
    }

    #[test]
    fn every_ability_uses_at_least_four_templates_each_often() {
        for ability in Ability::ALL {
            let drafts = generate_drafts(ability, DEFAULT_ITEMS_PER_ABILITY, 7);
            let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
            for (draft, _) in &drafts {
                *counts.entry(draft.template).or_default() += 1;
            }
            assert!(counts.len() >= 4, "{ability}: {counts:?}");
            // Each form used is used more than a token amount.
            assert!(
                counts.values().filter(|count| **count >= 10).count() >= 4,
                "{ability}: {counts:?}"
            );
        }
    }

    #[test]
    fn drafts_are_well_formed() {
        for ability in Ability::ALL {
            for seed in [0, 1, 42] {
                for (draft, gold) in generate_drafts(ability, 120, seed) {
                    let item = draft.clone().into_item(ability, gold);
                    assert_eq!(item.answer_index(), Some(gold), "{item:?}");
                    item.check()
                        .unwrap_or_else(|problem| panic!("{problem}: {item:?}"));
                    assert!(!draft.question.contains('{'), "{draft:?}");
                    assert!(!draft.context.contains('{'), "{draft:?}");
                    assert!(!draft.question.contains("  "), "{draft:?}");
                    assert!(!draft.context.contains("  "), "{draft:?}");
                }
            }
        }
    }

    #[test]
    fn split_sizes_follow_the_documented_rule() {
        for (n, train, test) in [(0, 0, 0), (1, 0, 1), (5, 4, 1), (7, 5, 2), (250, 200, 50)] {
            let (a, b) = split_indices(n, SPLIT_SEED);
            assert_eq!((a.len(), b.len()), (train, test), "n = {n}");
            let mut all: Vec<usize> = a.iter().chain(&b).copied().collect();
            all.sort_unstable();
            assert_eq!(all, (0..n).collect::<Vec<_>>());
            assert!(a.windows(2).all(|pair| pair[0] < pair[1]));
            assert!(b.windows(2).all(|pair| pair[0] < pair[1]));
        }
    }

    #[test]
    fn helpers() {
        assert_eq!(capitalize("the cup"), "The cup");
        assert_eq!(capitalize(""), "");
        assert_eq!(with_article("owl"), "an owl");
        assert_eq!(with_article("dog"), "a dog");
        let words = strings(["a", "b", "c"]);
        assert_eq!(join_and(&words), "a, b and c");
        assert_eq!(join_or(&words[..2]), "a or b");
        assert_eq!(
            name_key("Commonsense & causal reasoning"),
            "commonsense_causal"
        );
        let mut rng = SplitMix64::new(1);
        assert!(
            Draft::new(
                &mut rng,
                "t",
                String::new(),
                "q".into(),
                "a".into(),
                vec!["a".into(), "b".into()],
                vec!["b".into(), String::new(), "c".into()],
            )
            .is_none(),
            "only two usable distractors"
        );
        let draft = Draft::new(
            &mut rng,
            "t",
            String::new(),
            "q".into(),
            "a".into(),
            vec!["d".into()],
            vec!["b".into(), "c".into(), "e".into()],
        )
        .unwrap();
        assert_eq!(draft.distractors[0], "d");
    }
}
