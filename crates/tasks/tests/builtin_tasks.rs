//! The generated tasks: deterministic per seed, different across seeds, every gold answer
//! right (checked by recomputing it from the question text, not by asking the generator),
//! and the gold position balanced.

use mechscope_tasks::builtin::{Builtin, N_CHOICES};
use mechscope_tasks::{Item, ItemKind, builtin, prompt};

fn gold(item: &Item) -> &str {
    let ItemKind::MultipleChoice { gold } = item.kind else {
        panic!("built-ins are multiple choice");
    };
    &item.choices[gold]
}

#[test]
fn same_seed_same_items_other_seed_other_items() {
    for task in Builtin::ALL {
        let a = builtin(task.name(), 200, 42).unwrap();
        assert_eq!(a, builtin(task.name(), 200, 42).unwrap(), "{}", task.name());
        assert_ne!(a, builtin(task.name(), 200, 43).unwrap(), "{}", task.name());
        // A longer run starts with the shorter one's items.
        let longer = builtin(task.name(), 261, 42).unwrap();
        assert_eq!(longer[..200], a[..], "{}", task.name());
        assert!(builtin(task.name(), 0, 42).unwrap().is_empty());
    }
}

#[test]
fn pinned_items_never_change() {
    // The items of a seed are part of a result's identity: if this fails, the generator
    // changed and old reports no longer describe what the task asks.
    for (task, recorded) in [
        ("arithmetic", PINNED_ARITHMETIC),
        ("facts", PINNED_FACTS),
        ("patterns", PINNED_PATTERNS),
    ] {
        let shown: Vec<String> = builtin(task, 2, 42)
            .unwrap()
            .iter()
            .map(prompt::user_message)
            .collect();
        assert_eq!(shown, recorded, "{task}");
    }
}

const PINNED_ARITHMETIC: [&str; 2] = [
    "Question: What is 12 + 14?\nA. 16\nB. 26\nC. 24\nD. 27\nAnswer with the letter of the correct choice.",
    "Question: What is 8 × 10?\nA. 90\nB. 82\nC. 80\nD. 81\nAnswer with the letter of the correct choice.",
];
const PINNED_FACTS: [&str; 2] = [
    "Question: What is the capital of Argentina?\nA. Mexico City\nB. New Delhi\nC. Buenos Aires\nD. Canberra\nAnswer with the letter of the correct choice.",
    "Question: What is the chemical symbol for oxygen?\nA. Zn\nB. N\nC. C\nD. O\nAnswer with the letter of the correct choice.",
];
const PINNED_PATTERNS: [&str; 2] = [
    "Question: What comes next in the pattern cat, circle, cat, circle, cat, circle?\nA. dog\nB. cat\nC. green\nD. circle\nAnswer with the letter of the correct choice.",
    "Question: What number comes next in the sequence 2, 4, 8, 16, 32?\nA. 66\nB. 32\nC. 64\nD. 65\nAnswer with the letter of the correct choice.",
];

#[test]
fn every_item_is_well_formed_and_balanced() {
    for task in Builtin::ALL {
        for seed in [0, 1, 7, 42] {
            let items = builtin(task.name(), 400, seed).unwrap();
            let mut positions = [0usize; N_CHOICES];
            for (at, item) in items.iter().enumerate() {
                assert_eq!(item.index, at);
                assert_eq!(item.choices.len(), N_CHOICES);
                let mut distinct = item.choices.clone();
                distinct.sort();
                distinct.dedup();
                assert_eq!(distinct.len(), N_CHOICES, "{:?}", item.choices);
                assert!(item.query.starts_with("Question: "));
                assert!(item.subset.is_some());
                positions[item.gold_index().unwrap()] += 1;
            }
            assert_eq!(positions, [100; N_CHOICES], "{} seed {seed}", task.name());
        }
    }
}

#[test]
fn arithmetic_answers_are_right() {
    for seed in [0, 3, 99] {
        for item in builtin("arithmetic", 300, seed).unwrap() {
            let expression = item
                .query
                .strip_prefix("Question: What is ")
                .and_then(|rest| rest.strip_suffix('?'))
                .unwrap();
            let parts: Vec<&str> = expression.split(' ').collect();
            let [a, op, b] = parts.as_slice() else {
                panic!("{expression}");
            };
            let (a, b): (i64, i64) = (a.parse().unwrap(), b.parse().unwrap());
            let expected = match *op {
                "+" => a + b,
                "-" => a - b,
                "×" => a * b,
                other => panic!("operator {other}"),
            };
            assert_eq!(gold(&item), expected.to_string(), "{expression}");
            assert!(expected >= 0);
        }
    }
}

#[test]
fn pattern_answers_are_right() {
    for seed in [0, 5, 11] {
        for item in builtin("patterns", 300, seed).unwrap() {
            let body = item.query.strip_prefix("Question: ").unwrap();
            let (_, terms) = body
                .rsplit_once(" sequence ")
                .or_else(|| body.rsplit_once(" pattern "))
                .unwrap();
            let terms: Vec<&str> = terms.strip_suffix('?').unwrap().split(", ").collect();
            let expected = match item.subset.as_deref().unwrap() {
                "arithmetic_sequence" | "geometric_sequence" => {
                    let numbers: Vec<i64> =
                        terms.iter().map(|term| term.parse().unwrap()).collect();
                    let differences: Vec<i64> =
                        numbers.windows(2).map(|pair| pair[1] - pair[0]).collect();
                    let ratios: Vec<i64> =
                        numbers.windows(2).map(|pair| pair[1] / pair[0]).collect();
                    let last = *numbers.last().unwrap();
                    if differences.iter().all(|d| *d == differences[0]) {
                        (last + differences[0]).to_string()
                    } else {
                        assert!(
                            numbers
                                .windows(2)
                                .all(|pair| pair[1] == pair[0] * ratios[0]),
                            "{body}"
                        );
                        (last * ratios[0]).to_string()
                    }
                }
                "letter_sequence" => {
                    let codes: Vec<u8> = terms.iter().map(|term| term.as_bytes()[0]).collect();
                    let step = codes[1] - codes[0];
                    assert!(
                        codes.windows(2).all(|pair| pair[1] - pair[0] == step),
                        "{body}"
                    );
                    char::from(codes.last().unwrap() + step).to_string()
                }
                "repeating_pattern" => {
                    // The shortest period that explains the whole sequence.
                    let period = (1..terms.len())
                        .find(|period| {
                            (*period..terms.len()).all(|at| terms[at] == terms[at - period])
                        })
                        .unwrap();
                    terms[terms.len() - period].to_string()
                }
                other => panic!("subset {other}"),
            };
            assert_eq!(gold(&item), expected, "{body}");
        }
    }
}

#[test]
fn facts_cover_every_category() {
    let items = builtin("facts", 57, 42).unwrap();
    for subset in ["capital", "chemical_symbol", "planet", "continent"] {
        assert!(
            items
                .iter()
                .any(|item| item.subset.as_deref() == Some(subset)),
            "{subset}"
        );
    }
    let paris = builtin("facts", 500, 1)
        .unwrap()
        .into_iter()
        .find(|item| item.query == "Question: What is the capital of France?")
        .unwrap();
    assert_eq!(gold(&paris), "Paris");
}
