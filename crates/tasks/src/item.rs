//! One benchmark question, whatever file or generator it came from.
//!
//! Every reader and generator in this crate produces [`Item`]s, and every prompt and
//! scoring function consumes them, so the item is the one place that says how a task is
//! scored: pick a choice by letter or by log-likelihood, score a shared continuation after
//! alternative contexts (Winogrande), or compare a generated answer to a gold text.

use serde::{Deserialize, Serialize};

/// One question with its answer, ready to be rendered as a prompt and scored.
///
/// The fields are plain data (serde) so that a report can store the exact items it ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// 0-based position in its source: the n-th data row of a file (blank lines and
    /// headers not counted), the `row_idx` of a hub row, the n-th generated item. Stable
    /// when other rows fail to load, so results can be joined back to the source.
    pub index: usize,
    /// The dataset's own identifier when it has one (CommonsenseQA's hash, ARC's
    /// `Mercury_7175875`); `None` for layouts without ids.
    pub source_id: Option<String>,
    /// The part of a multi-file benchmark the item belongs to: the MMLU subject, the BBH
    /// task. Lets a caller report accuracy per subset.
    pub subset: Option<String>,
    /// The question text as the dataset gives it (llm-foundry's ARC queries start with
    /// `"Question: "`, and that prefix is part of the reference prompts).
    pub query: String,
    /// Text that comes before the question (a passage, a diagnostic item's context);
    /// rendered on its own line before the query. `None` for every bundled layout except
    /// a generic mapping with a context field.
    pub context: Option<String>,
    /// The options, in the dataset's order; empty for free-form generative items. BBH
    /// items whose input lists `(A) ...` options carry them here too, so that an answer
    /// given as the option's text can still be matched.
    pub choices: Vec<String>,
    /// How the item is answered and scored, with its gold answer.
    pub kind: ItemKind,
}

/// How an item is answered and scored; each variant carries its gold answer.
///
/// The variants differ in what log-likelihood scoring compares, which is why they are
/// kinds and not just "an index or a text".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ItemKind {
    /// Pick one of `choices`. Log-likelihood context `query + "\nAnswer:"`, continuation
    /// `" " + choice` (the convention of `../shared/data/README.md`).
    MultipleChoice {
        /// Index of the correct choice.
        gold: usize,
    },
    /// Pick the ending that continues `query` (HellaSwag): the context is the query
    /// itself and each continuation is `" " + ending`, no "Answer:" cue in between.
    Completion {
        /// Index of the correct ending.
        gold: usize,
    },
    /// Partial scoring (Winogrande): the same `continuation` is scored after each of
    /// `context_options`; the context under which it is most likely wins. `choices` holds
    /// the words that differ between the contexts, for chat prompts.
    Partial {
        /// The alternative contexts, as the data gives them.
        context_options: Vec<String>,
        /// The continuation shared by every context, as the data gives it.
        continuation: String,
        /// Index of the correct context.
        gold: usize,
    },
    /// Free generation whose final number is the answer (GSM8K); compared numerically.
    FinalNumber {
        /// The gold number as text, commas removed (`"1234"`, `"-3.5"`).
        gold: String,
        /// The dataset's worked solution, when it has one (for scoring the reference
        /// answer instead of a model's response).
        solution: Option<String>,
    },
    /// Free generation compared to `gold` after trimming (BBH). Targets written as an
    /// option label, like `"(A)"`, match that option however the response names it.
    ExactMatch {
        /// The target text.
        gold: String,
    },
}

impl Item {
    /// The index of the correct choice for items scored by choosing (multiple choice,
    /// completion, partial); `None` for generative items.
    pub fn gold_index(&self) -> Option<usize> {
        match &self.kind {
            ItemKind::MultipleChoice { gold }
            | ItemKind::Completion { gold }
            | ItemKind::Partial { gold, .. } => Some(*gold),
            ItemKind::FinalNumber { .. } | ItemKind::ExactMatch { .. } => None,
        }
    }

    /// The gold answer text of a generative item; `None` for items scored by choosing.
    pub fn gold_text(&self) -> Option<&str> {
        match &self.kind {
            ItemKind::FinalNumber { gold, .. } | ItemKind::ExactMatch { gold } => Some(gold),
            _ => None,
        }
    }

    /// Whether the item is answered by free generation rather than by picking a choice;
    /// decides between generation and log-likelihood scoring.
    pub fn is_generative(&self) -> bool {
        self.gold_index().is_none()
    }

    /// The accuracy a uniform random guess gets on this item: `1 / n` for `n` options,
    /// 0 for generative items (the `P^chance` of AIS in `metrics.md` §2).
    pub fn chance_accuracy(&self) -> f64 {
        match (&self.kind, self.choices.len()) {
            (
                ItemKind::Partial {
                    context_options, ..
                },
                _,
            ) if !context_options.is_empty() => 1.0 / context_options.len() as f64,
            (ItemKind::FinalNumber { .. } | ItemKind::ExactMatch { .. }, _) | (_, 0) => 0.0,
            (_, n) => 1.0 / n as f64,
        }
    }
}

/// The most options an item may have: one per letter `A`..=`Z`, so every option can be
/// named by a letter in prompts and answers.
pub const MAX_CHOICES: usize = 26;

/// The letter that names option `index` in prompts (`0` → `'A'`); `None` past `'Z'`.
pub fn option_letter(index: usize) -> Option<char> {
    u8::try_from(index)
        .ok()
        .filter(|i| usize::from(*i) < MAX_CHOICES)
        .map(|i| char::from(b'A' + i))
}

/// The option index a letter names (`'C'` or `'c'` → 2); `None` for anything else.
pub fn letter_index(letter: char) -> Option<usize> {
    let upper = letter.to_ascii_uppercase();
    upper
        .is_ascii_uppercase()
        .then(|| usize::from(upper as u8 - b'A'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mc(n: usize, gold: usize) -> Item {
        Item {
            index: 0,
            source_id: None,
            subset: None,
            query: "q".into(),
            context: None,
            choices: (0..n).map(|i| i.to_string()).collect(),
            kind: ItemKind::MultipleChoice { gold },
        }
    }

    #[test]
    fn letters_round_trip() {
        for i in 0..MAX_CHOICES {
            let letter = option_letter(i).unwrap();
            assert_eq!(letter_index(letter), Some(i));
        }
        assert_eq!(option_letter(0), Some('A'));
        assert_eq!(option_letter(26), None);
        assert_eq!(option_letter(300), None);
        assert_eq!(letter_index('d'), Some(3));
        assert_eq!(letter_index('1'), None);
        assert_eq!(letter_index('É'), None);
    }

    #[test]
    fn chance_and_gold() {
        assert_eq!(mc(4, 2).chance_accuracy(), 0.25);
        assert_eq!(mc(4, 2).gold_index(), Some(2));
        let gsm = Item {
            kind: ItemKind::FinalNumber {
                gold: "18".into(),
                solution: None,
            },
            ..mc(0, 0)
        };
        assert!(gsm.is_generative());
        assert_eq!(gsm.chance_accuracy(), 0.0);
        assert_eq!(gsm.gold_text(), Some("18"));
    }

    #[test]
    fn serde_round_trip_keeps_the_kind() {
        let item = Item {
            kind: ItemKind::Partial {
                context_options: vec!["a x".into(), "a y".into()],
                continuation: "z".into(),
                gold: 1,
            },
            ..mc(2, 1)
        };
        let json = serde_json::to_string(&item).unwrap();
        assert!(json.contains("\"kind\":\"partial\""), "{json}");
        let back: Item = serde_json::from_str(&json).unwrap();
        assert_eq!(back, item);
    }
}
