//! The uncertainty probe (`metrics.md` §3): four-option questions in three strata, so that
//! a model's option distribution can be compared with what it should be.
//!
//! - [`Stratum::Determinate`]: one right answer (small arithmetic, young animals,
//!   synonyms, opposites, definitions from a hand-written table). Calibration (ECE,
//!   Brier) is measured here.
//! - [`Stratum::Random`]: the outcome of a fair random event with four equally likely
//!   outcomes (a four-sided die, a card from four, a spinner, two coin tosses, a marble
//!   from a bag, drawing lots, a random number). No answer is better than another: the
//!   ideal option distribution is uniform, and the report measures KL to it.
//! - [`Stratum::Unanswerable`]: questions about entities that do not exist (a poet, an
//!   island nation, a river, a mountain with generated names), with four plausible
//!   options. Nobody can know; a well-calibrated model spreads its probability.
//!
//! Every item is an ordinary multiple-choice [`Item`] in the built-ins' `"Question: ..."`
//! style, so [`prompt`](crate::prompt) and log-likelihood scoring apply unchanged. Only a
//! determinate item has a right answer: [`UncertaintyItem::gold`] is the authority, and the
//! `gold` inside the [`Item`] of a random or unanswerable item is a placeholder (see
//! [`UncertaintyItem::item`]).
//!
//! [`generate`] interleaves the strata (determinate, random, unanswerable, determinate,
//! ...), each from its own seeded stream, so the strata come in equal numbers, the same
//! `(per_stratum, seed)` gives the same items forever, and a longer run starts with the
//! items of a shorter one. Determinate gold positions are balanced as the built-ins' are;
//! the options of the other strata are in a seeded random order.

mod determinate;
mod random;
mod unanswerable;

use serde::{Deserialize, Serialize};

use crate::builtin::{N_CHOICES, balanced_positions};
use crate::item::{Item, ItemKind};
use crate::rng::SplitMix64;

/// The `gold` written into the [`Item`] of a random or unanswerable item, which has no
/// right answer. A placeholder only: option 0 is no more right than any other.
pub const PLACEHOLDER_GOLD: usize = 0;

/// The kind of uncertainty an item carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stratum {
    /// One right answer that a model can know or compute.
    Determinate,
    /// Irreducibly random: four equally likely outcomes, the ideal answer is uniform.
    Random,
    /// About fictional entities: the answer cannot be known.
    Unanswerable,
}

impl Stratum {
    /// Every stratum, in the order [`generate`] interleaves them and reports list them.
    pub const ALL: [Stratum; 3] = [Stratum::Determinate, Stratum::Random, Stratum::Unanswerable];

    /// The name reports use (also the serde form and the items' `subset`).
    pub fn name(self) -> &'static str {
        match self {
            Stratum::Determinate => "determinate",
            Stratum::Random => "random",
            Stratum::Unanswerable => "unanswerable",
        }
    }

    /// Whether a model ought to be uncertain on this stratum's items: the positive class
    /// when AUROC measures how well entropy separates uncertain from determinate items.
    pub fn is_uncertain(self) -> bool {
        !matches!(self, Stratum::Determinate)
    }

    /// A fixed number mixed into the seed, so one seed gives unrelated streams per stratum.
    fn salt(self) -> u64 {
        match self {
            Stratum::Determinate => 0x6465_7465_726d_696e,
            Stratum::Random => 0x0072_616e_646f_6d00,
            Stratum::Unanswerable => 0x756e_616e_7377_6572,
        }
    }
}

/// One item of the uncertainty probe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UncertaintyItem {
    /// Which stratum the item belongs to.
    pub stratum: Stratum,
    /// The question form within the stratum, for per-form breakdowns: `arithmetic`,
    /// `young_animal`, `synonym`, `opposite`, `definition`; `die`, `card`, `spinner`,
    /// `coins`, `marble`, `lots`, `random_number`; `birth_year`, `capital`, `river`,
    /// `export`, `instrument`, `height`, `founded`, `first_novel`.
    pub form: String,
    /// The question as a four-option [`ItemKind::MultipleChoice`] item: `query` starts
    /// with `"Question: "`, `subset` is the stratum's name, `index` the position in the
    /// generated list. For random and unanswerable items its `gold` is
    /// [`PLACEHOLDER_GOLD`], which means nothing: read [`UncertaintyItem::gold`].
    pub item: Item,
    /// The index of the right option: `Some` exactly for determinate items.
    pub gold: Option<usize>,
}

/// A question before it is numbered and its options are ordered.
struct Draft {
    form: &'static str,
    /// The question without the `"Question: "` prefix.
    text: String,
    /// Determinate: the right answer first, then three distractors. Other strata: the four
    /// options in any order (they are shuffled).
    options: [String; N_CHOICES],
}

/// `per_stratum` items of each stratum drawn with `seed`, interleaved in the order of
/// [`Stratum::ALL`]: `3 × per_stratum` items.
///
/// ```
/// use mechscope_tasks::probes::uncertainty::{self, Stratum};
///
/// let items = uncertainty::generate(2, 42);
/// assert_eq!(items.len(), 6);
/// assert_eq!(items[1].stratum, Stratum::Random);
/// assert_eq!(items[1].gold, None);
/// assert!(items[0].gold.is_some());
/// ```
pub fn generate(per_stratum: usize, seed: u64) -> Vec<UncertaintyItem> {
    let mut per_stratum_items: Vec<std::vec::IntoIter<(Draft, Option<usize>)>> = Stratum::ALL
        .into_iter()
        .map(|stratum| drafts(stratum, per_stratum, seed).into_iter())
        .collect();
    let mut items = Vec::with_capacity(per_stratum * Stratum::ALL.len());
    for _ in 0..per_stratum {
        for (stratum, drafts) in Stratum::ALL.into_iter().zip(per_stratum_items.iter_mut()) {
            if let Some((draft, gold)) = drafts.next() {
                items.push(into_item(stratum, draft, gold, items.len()));
            }
        }
    }
    items
}

/// `n` drafts of one stratum with their options in final order, and the gold position
/// for determinate ones. Questions and positions come from separate streams, so a longer
/// run starts with exactly the drafts of a shorter one.
fn drafts(stratum: Stratum, n: usize, seed: u64) -> Vec<(Draft, Option<usize>)> {
    let mut rng = SplitMix64::new(seed ^ stratum.salt());
    match stratum {
        Stratum::Determinate => {
            let mut position_rng = SplitMix64::new(seed ^ stratum.salt() ^ 0x706f_7369_7469_6f6e);
            balanced_positions(&mut position_rng, n)
                .into_iter()
                .map(|gold| {
                    let mut draft = determinate::draft(&mut rng);
                    // options[0] is the answer: move it to `gold`, keep the rest in order.
                    draft.options[..=gold].rotate_left(1);
                    (draft, Some(gold))
                })
                .collect()
        }
        Stratum::Random | Stratum::Unanswerable => (0..n)
            .map(|_| {
                let mut draft = if stratum == Stratum::Random {
                    random::draft(&mut rng)
                } else {
                    unanswerable::draft(&mut rng)
                };
                rng.shuffle(&mut draft.options);
                (draft, None)
            })
            .collect(),
    }
}

fn into_item(stratum: Stratum, draft: Draft, gold: Option<usize>, index: usize) -> UncertaintyItem {
    UncertaintyItem {
        stratum,
        form: draft.form.to_string(),
        item: Item {
            index,
            source_id: None,
            subset: Some(stratum.name().to_string()),
            query: format!("Question: {}", draft.text),
            context: None,
            choices: draft.options.into(),
            kind: ItemKind::MultipleChoice {
                gold: gold.unwrap_or(PLACEHOLDER_GOLD),
            },
        },
        gold,
    }
}

/// `n` distinct items drawn with `draw`, for option lists built from random parts (names,
/// years). Redraws a repeat up to a bound; the generators draw from ranges far larger
/// than `n`, so the bound is never reached in practice, and numbered fillers keep the
/// list well-formed rather than looping or panicking if it were.
fn distinct<T: PartialEq>(
    rng: &mut SplitMix64,
    n: usize,
    mut draw: impl FnMut(&mut SplitMix64) -> T,
    filler: impl Fn(usize) -> T,
) -> Vec<T> {
    let mut picked: Vec<T> = Vec::with_capacity(n);
    let mut attempts = 0;
    while picked.len() < n && attempts < 64 * n.max(1) {
        attempts += 1;
        let candidate = draw(rng);
        if !picked.contains(&candidate) {
            picked.push(candidate);
        }
    }
    let mut next_filler = 0;
    while picked.len() < n {
        let candidate = filler(next_filler);
        next_filler += 1;
        if !picked.contains(&candidate) {
            picked.push(candidate);
        }
    }
    picked
}

/// Four distinct strings drawn with `draw` (see [`distinct`]).
fn four_distinct(
    rng: &mut SplitMix64,
    draw: impl FnMut(&mut SplitMix64) -> String,
) -> [String; N_CHOICES] {
    let picked = distinct(rng, N_CHOICES, draw, |at| {
        format!("none of these ({})", at + 1)
    });
    std::array::from_fn(|at| picked.get(at).cloned().unwrap_or_default())
}

/// `k` distinct entries of `list` in a seeded order (all of them when `k` exceeds its
/// length).
fn sample<'a>(rng: &mut SplitMix64, list: &[&'a str], k: usize) -> Vec<&'a str> {
    let mut all = list.to_vec();
    rng.shuffle(&mut all);
    all.truncate(k);
    all
}

/// `"a, b, c and d"`.
fn and_list(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [only] => (*only).to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use super::*;
    use crate::prompt;

    #[test]
    fn same_seed_same_items_other_seed_other_items_and_prefixes() {
        let items = generate(60, 42);
        assert_eq!(items.len(), 180);
        assert_eq!(items, generate(60, 42));
        assert_ne!(items, generate(60, 43));
        // A longer run starts with the shorter one's items, in every stratum.
        let longer = generate(97, 42);
        assert_eq!(longer[..items.len()], items[..]);
        assert!(generate(0, 42).is_empty());
        // Each stratum changes with the seed, not only the mix.
        let other = generate(60, 43);
        for stratum in Stratum::ALL {
            let of = |list: &[UncertaintyItem]| -> Vec<Item> {
                list.iter()
                    .filter(|item| item.stratum == stratum)
                    .map(|item| item.item.clone())
                    .collect()
            };
            assert_ne!(of(&items), of(&other), "{}", stratum.name());
        }
    }

    #[test]
    fn pinned_items_never_change() {
        // The items of a seed are part of a result's identity: if this fails, the
        // generator changed and old reports no longer describe what the probe asks.
        let shown: Vec<String> = generate(1, 42)
            .iter()
            .map(|item| prompt::user_message(&item.item))
            .collect();
        assert_eq!(shown, PINNED);
    }

    const PINNED: [&str; 3] = [
        "Question: Which word means the same as \"small\"?\nA. yell\nB. difficult\nC. bold\nD. tiny\nAnswer with the letter of the correct choice.",
        "Question: A fair four-sided die with faces numbered 1 to 4 was rolled once. Which number did it show?\nA. 3\nB. 2\nC. 1\nD. 4\nAnswer with the letter of the correct choice.",
        "Question: In which year was Nimthu Zephhald, the poet from Thugol, born?\nA. 1933\nB. 1932\nC. 1884\nD. 1926\nAnswer with the letter of the correct choice.",
    ];

    #[test]
    fn strata_interleave_in_equal_numbers_with_gold_only_when_determinate() {
        let items = generate(50, 7);
        for (at, item) in items.iter().enumerate() {
            assert_eq!(item.stratum, Stratum::ALL[at % 3], "item {at}");
            assert_eq!(item.item.index, at);
            assert_eq!(item.item.subset.as_deref(), Some(item.stratum.name()));
            assert_eq!(
                item.gold.is_some(),
                item.stratum == Stratum::Determinate,
                "{item:?}"
            );
            assert_eq!(item.stratum.is_uncertain(), item.gold.is_none());
            let expected_item_gold = item.gold.unwrap_or(PLACEHOLDER_GOLD);
            assert_eq!(item.item.gold_index(), Some(expected_item_gold));
        }
        let mut counts: HashMap<Stratum, usize> = HashMap::new();
        for item in &items {
            *counts.entry(item.stratum).or_default() += 1;
        }
        assert_eq!(counts.len(), 3);
        assert!(counts.values().all(|count| *count == 50), "{counts:?}");
    }

    #[test]
    fn options_are_four_distinct_and_questions_well_formed() {
        for item in generate(300, 3) {
            let choices = &item.item.choices;
            assert_eq!(choices.len(), N_CHOICES, "{item:?}");
            let unique: HashSet<&String> = choices.iter().collect();
            assert_eq!(unique.len(), N_CHOICES, "{item:?}");
            assert!(
                choices
                    .iter()
                    .all(|c| !c.trim().is_empty() && !c.contains("none of these"))
            );
            assert!(item.item.query.starts_with("Question: "), "{item:?}");
            assert!(item.item.query.ends_with('?'), "{item:?}");
            assert!(!item.item.is_generative());
            assert!(!item.form.is_empty());
        }
    }

    #[test]
    fn determinate_gold_is_the_answer_recomputed_from_the_question() {
        for item in generate(300, 13) {
            let Some(gold) = item.gold else { continue };
            let text = item.item.query.strip_prefix("Question: ").unwrap();
            let expected = determinate::expected_answer(text);
            assert_eq!(item.item.choices.get(gold), expected.as_ref(), "{item:?}");
            // Exactly one option is right: the answer appears once.
            let matching = item
                .item
                .choices
                .iter()
                .filter(|choice| Some(*choice) == expected.as_ref())
                .count();
            assert_eq!(matching, 1, "{item:?}");
        }
    }

    #[test]
    fn determinate_gold_positions_are_balanced() {
        let items = generate(200, 11);
        let golds: Vec<usize> = items.iter().filter_map(|item| item.gold).collect();
        assert_eq!(golds.len(), 200);
        for block in golds.chunks(N_CHOICES) {
            let mut sorted = block.to_vec();
            sorted.sort_unstable();
            assert_eq!(sorted, [0, 1, 2, 3]);
        }
    }

    #[test]
    fn every_form_appears() {
        let forms: HashSet<String> = generate(400, 5).into_iter().map(|item| item.form).collect();
        for form in [
            "arithmetic",
            "young_animal",
            "synonym",
            "opposite",
            "definition",
            "die",
            "card",
            "spinner",
            "coins",
            "marble",
            "lots",
            "random_number",
            "birth_year",
            "capital",
            "river",
            "export",
            "instrument",
            "height",
            "founded",
            "first_novel",
        ] {
            assert!(forms.contains(form), "{form} missing from {forms:?}");
        }
    }

    #[test]
    fn serde_round_trip() {
        let items = generate(3, 1);
        let json = serde_json::to_string(&items).unwrap();
        assert!(json.contains("\"stratum\":\"unanswerable\""), "{json}");
        let back: Vec<UncertaintyItem> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, items);
    }

    #[test]
    fn helpers() {
        assert_eq!(and_list(&["a", "b", "c"]), "a, b and c");
        assert_eq!(and_list(&["a"]), "a");
        let mut rng = SplitMix64::new(1);
        // A draw with fewer than four values falls back to fillers instead of looping.
        let picked = four_distinct(&mut rng, |_| "same".to_string());
        assert_eq!(picked[0], "same");
        assert_eq!(picked[1], "none of these (1)");
        assert_eq!(sample(&mut rng, &["x", "y"], 5).len(), 2);
        for stratum in Stratum::ALL {
            let json = serde_json::to_string(&stratum).unwrap();
            assert_eq!(json, format!("\"{}\"", stratum.name()));
        }
    }
}
