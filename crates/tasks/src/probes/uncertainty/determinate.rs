//! Determinate questions: one right answer a small model can know or compute. Small
//! arithmetic (near-miss distractors), and four word tables written for this crate from
//! common knowledge: young animals, synonyms, opposites, definitions. A word question's
//! distractors are other rows' answers of the same table, so they are of the answer's
//! kind; the tables avoid rows whose answers could also fit another row's question.

use super::Draft;
use crate::builtin::pick_distractors;
use crate::rng::SplitMix64;

/// One word table: how to ask, and (subject, answer) rows. `{}` in the template is the
/// subject.
struct WordTable {
    form: &'static str,
    template: &'static str,
    rows: &'static [(&'static str, &'static str)],
}

const TABLES: [WordTable; 4] = [
    WordTable {
        form: "young_animal",
        template: "Which word means a young {}?",
        rows: &[
            ("dog", "puppy"),
            ("cat", "kitten"),
            ("cow", "calf"),
            ("horse", "foal"),
            ("sheep", "lamb"),
            ("goat", "kid"),
            ("bear", "cub"),
            ("duck", "duckling"),
            ("goose", "gosling"),
            ("frog", "tadpole"),
            ("kangaroo", "joey"),
            ("swan", "cygnet"),
            ("deer", "fawn"),
            ("pig", "piglet"),
            ("owl", "owlet"),
            ("hen", "chick"),
        ],
    },
    WordTable {
        form: "synonym",
        template: "Which word means the same as \"{}\"?",
        rows: &[
            ("big", "large"),
            ("small", "tiny"),
            ("quick", "fast"),
            ("happy", "glad"),
            ("begin", "start"),
            ("speak", "talk"),
            ("hard", "difficult"),
            ("simple", "easy"),
            ("rich", "wealthy"),
            ("silent", "quiet"),
            ("gift", "present"),
            ("damp", "moist"),
            ("shout", "yell"),
            ("choose", "pick"),
            ("finish", "end"),
            ("brave", "bold"),
        ],
    },
    WordTable {
        form: "opposite",
        template: "Which word is the opposite of \"{}\"?",
        rows: &[
            ("hot", "cold"),
            ("early", "late"),
            ("full", "empty"),
            ("wet", "dry"),
            ("heavy", "light"),
            ("loud", "quiet"),
            ("win", "lose"),
            ("buy", "sell"),
            ("push", "pull"),
            ("above", "below"),
            ("first", "last"),
            ("always", "never"),
            ("thick", "thin"),
            ("rough", "smooth"),
            ("inside", "outside"),
            ("tall", "short"),
        ],
    },
    WordTable {
        form: "definition",
        template: "Which word names {}?",
        rows: &[
            ("a person who flies an aircraft", "pilot"),
            ("a doctor who treats animals", "vet"),
            ("a building where people borrow books", "library"),
            ("a place where aircraft take off and land", "airport"),
            ("a tool for cutting paper", "scissors"),
            ("a device for measuring temperature", "thermometer"),
            ("the room where food is cooked", "kitchen"),
            ("a person who writes poems", "poet"),
            ("a person who bakes bread", "baker"),
            ("a very large body of salt water", "ocean"),
            ("a period of ten years", "decade"),
            ("a period of one hundred years", "century"),
            ("a shape with three sides", "triangle"),
            ("a book of maps", "atlas"),
            ("a book that lists words and their meanings", "dictionary"),
            ("a person who grows crops", "farmer"),
        ],
    },
];

/// A determinate draft: `options[0]` is the answer, the rest are distractors.
pub(super) fn draft(rng: &mut SplitMix64) -> Draft {
    // Arithmetic as often as each word table.
    let pick = rng.index(TABLES.len() + 1);
    match TABLES.get(pick) {
        Some(table) => word_question(rng, table),
        None => arithmetic_question(rng),
    }
}

/// "What is 7 + 8?": sums and differences below 40, products from the times tables.
/// Distractors are near misses (off by one, two or ten).
fn arithmetic_question(rng: &mut SplitMix64) -> Draft {
    let (a, symbol, b, answer) = match rng.below(3) {
        0 => {
            let (a, b) = (rng.in_range(2, 20), rng.in_range(2, 20));
            (a, '+', b, a + b)
        }
        1 => {
            let a = rng.in_range(6, 20);
            let b = rng.in_range(1, a - 1);
            (a, '-', b, a - b)
        }
        _ => {
            let (a, b) = (rng.in_range(2, 9), rng.in_range(2, 9));
            (a, '×', b, a * b)
        }
    };
    let candidates = [1, -1, 2, -2, 10, -10]
        .into_iter()
        .map(|offset| answer + offset)
        .filter(|value| *value >= 0)
        .map(|value| value.to_string())
        .collect();
    let answer = answer.to_string();
    let [d1, d2, d3] = pick_distractors(rng, &answer, candidates);
    Draft {
        form: "arithmetic",
        text: format!("What is {a} {symbol} {b}?"),
        options: [answer, d1, d2, d3],
    }
}

fn word_question(rng: &mut SplitMix64, table: &WordTable) -> Draft {
    let row = rng.index(table.rows.len());
    let (subject, answer) = table.rows.get(row).copied().unwrap_or(("", ""));
    let candidates = table
        .rows
        .iter()
        .map(|(_, other)| (*other).to_string())
        .collect();
    let [d1, d2, d3] = pick_distractors(rng, answer, candidates);
    Draft {
        form: table.form,
        text: table.template.replace("{}", subject),
        options: [answer.to_string(), d1, d2, d3],
    }
}

/// The answer to a determinate question recomputed from its text alone (the sum from the
/// numbers, the word from the table), for the tests.
#[cfg(test)]
pub(super) fn expected_answer(text: &str) -> Option<String> {
    if let Some(expression) = text
        .strip_prefix("What is ")
        .and_then(|rest| rest.strip_suffix('?'))
    {
        let parts: Vec<&str> = expression.split(' ').collect();
        let [a, op, b] = parts.as_slice() else {
            return None;
        };
        let (a, b): (i64, i64) = (a.parse().ok()?, b.parse().ok()?);
        return Some(
            match *op {
                "+" => a + b,
                "-" => a - b,
                "×" => a * b,
                _ => return None,
            }
            .to_string(),
        );
    }
    TABLES.iter().find_map(|table| {
        table
            .rows
            .iter()
            .find(|(subject, _)| table.template.replace("{}", subject) == text)
            .map(|(_, answer)| (*answer).to_string())
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn tables_have_distinct_subjects_and_answers() {
        let mut every_answer = HashSet::new();
        for table in &TABLES {
            assert!(table.rows.len() >= 4, "{}", table.form);
            let subjects: HashSet<&str> = table.rows.iter().map(|(s, _)| *s).collect();
            let answers: HashSet<&str> = table.rows.iter().map(|(_, a)| *a).collect();
            assert_eq!(subjects.len(), table.rows.len(), "{}", table.form);
            assert_eq!(answers.len(), table.rows.len(), "{}", table.form);
            // No row's subject is another row's answer: "finish" asked for and offered.
            assert!(subjects.is_disjoint(&answers), "{}", table.form);
            every_answer.extend(answers);
        }
        assert_eq!(
            expected_answer("Which word means a young dog?").as_deref(),
            Some("puppy")
        );
        assert_eq!(expected_answer("What is 7 × 8?").as_deref(), Some("56"));
        assert_eq!(expected_answer("What is the meaning of life?"), None);
    }

    #[test]
    fn answers_are_first_and_recomputable() {
        let mut rng = SplitMix64::new(17);
        for _ in 0..500 {
            let draft = draft(&mut rng);
            assert_eq!(
                expected_answer(&draft.text).as_deref(),
                Some(draft.options[0].as_str()),
                "{}",
                draft.text
            );
        }
    }
}
