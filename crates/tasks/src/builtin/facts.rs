//! Fact completion from a small table the project owns: capitals, chemical symbols,
//! planets, continents. Common knowledge, so even a small model should beat chance, and
//! the distractors come from the same category (a capital for a capital), so the surface
//! form gives nothing away.

use super::{Question, pick_distractors};
use crate::rng::SplitMix64;

/// One category: how to ask, and (subject, answer) pairs.
struct Category {
    subset: &'static str,
    template: &'static str,
    facts: &'static [(&'static str, &'static str)],
}

/// The table. Written for this crate from common knowledge; `{}` in a template is the
/// subject.
const CATEGORIES: [Category; 4] = [
    Category {
        subset: "capital",
        template: "What is the capital of {}?",
        facts: &[
            ("France", "Paris"),
            ("Japan", "Tokyo"),
            ("Italy", "Rome"),
            ("Spain", "Madrid"),
            ("Germany", "Berlin"),
            ("Egypt", "Cairo"),
            ("Canada", "Ottawa"),
            ("Australia", "Canberra"),
            ("Kenya", "Nairobi"),
            ("Peru", "Lima"),
            ("Norway", "Oslo"),
            ("Portugal", "Lisbon"),
            ("Greece", "Athens"),
            ("Russia", "Moscow"),
            ("China", "Beijing"),
            ("India", "New Delhi"),
            ("Mexico", "Mexico City"),
            ("Argentina", "Buenos Aires"),
            ("Ireland", "Dublin"),
            ("Poland", "Warsaw"),
        ],
    },
    Category {
        subset: "chemical_symbol",
        template: "What is the chemical symbol for {}?",
        facts: &[
            ("hydrogen", "H"),
            ("helium", "He"),
            ("carbon", "C"),
            ("nitrogen", "N"),
            ("oxygen", "O"),
            ("sodium", "Na"),
            ("iron", "Fe"),
            ("gold", "Au"),
            ("silver", "Ag"),
            ("copper", "Cu"),
            ("potassium", "K"),
            ("calcium", "Ca"),
            ("lead", "Pb"),
            ("tin", "Sn"),
            ("mercury", "Hg"),
            ("zinc", "Zn"),
        ],
    },
    Category {
        subset: "planet",
        template: "Which planet is {}?",
        facts: &[
            ("closest to the Sun", "Mercury"),
            ("the largest in the Solar System", "Jupiter"),
            ("known as the Red Planet", "Mars"),
            ("famous for its wide, bright rings", "Saturn"),
            ("the third from the Sun", "Earth"),
            ("the farthest from the Sun", "Neptune"),
            ("the hottest, under its thick clouds", "Venus"),
            ("tilted so far that it spins on its side", "Uranus"),
        ],
    },
    Category {
        subset: "continent",
        template: "On which continent is {}?",
        facts: &[
            ("Brazil", "South America"),
            ("Chile", "South America"),
            ("Nigeria", "Africa"),
            ("Kenya", "Africa"),
            ("Egypt", "Africa"),
            ("Japan", "Asia"),
            ("Thailand", "Asia"),
            ("India", "Asia"),
            ("Sweden", "Europe"),
            ("Italy", "Europe"),
            ("Canada", "North America"),
            ("Mexico", "North America"),
            ("New Zealand", "Oceania"),
        ],
    },
];

/// Every fact in one list: (category, subject, answer).
fn all_facts() -> Vec<(&'static Category, &'static str, &'static str)> {
    CATEGORIES
        .iter()
        .flat_map(|category| {
            category
                .facts
                .iter()
                .map(move |(subject, answer)| (category, *subject, *answer))
        })
        .collect()
}

/// `n_items` questions. The facts are visited in a seeded order, a fresh order each time
/// the table is used up, so a run shorter than the table never repeats a fact.
pub(super) fn questions(rng: &mut SplitMix64, n_items: usize) -> Vec<Question> {
    let facts = all_facts();
    let mut order: Vec<usize> = Vec::new();
    let mut questions = Vec::with_capacity(n_items);
    while questions.len() < n_items {
        if order.is_empty() {
            order = (0..facts.len()).collect();
            rng.shuffle(&mut order);
            // Popped from the back: reverse so the shuffled order reads front to back.
            order.reverse();
        }
        let Some((category, subject, answer)) = order.pop().and_then(|at| facts.get(at).copied())
        else {
            break;
        };
        let candidates = category
            .facts
            .iter()
            .map(|(_, other)| other.to_string())
            .collect();
        questions.push(Question {
            subset: category.subset,
            text: category.template.replace("{}", subject),
            distractors: pick_distractors(rng, answer, candidates),
            answer: answer.to_string(),
        });
    }
    questions
}

/// The answer the table gives for a question's text, for tests that check every
/// generated item against the table independently of the generator.
#[cfg(test)]
pub(super) fn answer_for(question_text: &str) -> Option<&'static str> {
    CATEGORIES.iter().find_map(|category| {
        category.facts.iter().find_map(|(subject, answer)| {
            (category.template.replace("{}", subject) == question_text).then_some(*answer)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtin::Builtin;

    #[test]
    fn every_gold_answer_is_the_tables_and_no_distractor_is() {
        for seed in [0, 1, 42] {
            for item in Builtin::Facts.generate(150, seed) {
                let text = item.query.strip_prefix("Question: ").unwrap();
                let answer = answer_for(text).unwrap_or_else(|| panic!("not in the table: {text}"));
                let gold = item.gold_index().unwrap();
                assert_eq!(item.choices[gold], answer, "{text}");
                for (at, choice) in item.choices.iter().enumerate() {
                    assert!(at == gold || choice != answer, "{text}: {:?}", item.choices);
                }
            }
        }
    }

    #[test]
    fn a_run_shorter_than_the_table_repeats_no_fact() {
        let n = all_facts().len();
        let items = Builtin::Facts.generate(n, 5);
        let mut queries: Vec<&str> = items.iter().map(|item| item.query.as_str()).collect();
        queries.sort_unstable();
        queries.dedup();
        assert_eq!(queries.len(), n);
    }

    #[test]
    fn every_category_offers_three_distractors() {
        for category in &CATEGORIES {
            let mut answers: Vec<&str> = category.facts.iter().map(|(_, answer)| *answer).collect();
            answers.sort_unstable();
            answers.dedup();
            assert!(answers.len() >= 4, "{}", category.subset);
        }
    }
}
