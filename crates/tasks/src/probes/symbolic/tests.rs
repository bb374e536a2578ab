//! The symbolic probe's guarantees: determinism, one right answer per item (the reference
//! solver agrees with the generator, and `is_correct` tells the answer from near misses),
//! and difficulty that rises with the level.

use std::collections::HashSet;

use super::*;

const N: usize = 60;

fn items(family: Family, level: u32) -> Vec<SymbolicItem> {
    generate(family, level, N, 42).unwrap()
}

#[test]
fn same_seed_same_items_other_seed_other_items_and_prefixes() {
    for family in Family::ALL {
        for level in family.levels() {
            let first = items(family, level);
            assert_eq!(first.len(), N);
            assert_eq!(first, items(family, level), "{family:?} {level}");
            assert_ne!(
                first,
                generate(family, level, N, 43).unwrap(),
                "{family:?} {level}"
            );
            let longer = generate(family, level, N + 37, 42).unwrap();
            assert_eq!(longer[..N], first[..], "{family:?} {level}");
            assert!(generate(family, level, 0, 42).unwrap().is_empty());
            assert!(
                first
                    .iter()
                    .all(|item| item.level == level && item.family() == family)
            );
        }
    }
    // Levels and families draw from different streams.
    let parity_1: Vec<String> = items(Family::Parity, 1)
        .into_iter()
        .map(|i| i.answer)
        .collect();
    let parity_2: Vec<String> = items(Family::Parity, 2)
        .into_iter()
        .map(|i| i.answer)
        .collect();
    assert_ne!(parity_1, parity_2);
}

#[test]
fn generate_all_covers_every_family_and_level_in_order() {
    let all = generate_all(3, 42);
    assert_eq!(all.len(), 5 * 5 * 3);
    let mut expected = Vec::new();
    for family in Family::ALL {
        for level in family.levels() {
            expected.extend(generate(family, level, 3, 42).unwrap());
        }
    }
    assert_eq!(all, expected);
}

#[test]
fn unknown_levels_are_errors() {
    for family in Family::ALL {
        for level in [0, MAX_LEVEL + 1, u32::MAX] {
            assert_eq!(
                generate(family, level, 1, 0),
                Err(UnknownLevel { family, level })
            );
        }
    }
    assert_eq!(
        UnknownLevel {
            family: Family::Dyck2,
            level: 9
        }
        .to_string(),
        "Dyck2 has no level 9; levels are 1 to 5"
    );
}

#[test]
fn pinned_items_never_change() {
    // The items of a seed are part of a result's identity: if this fails, the generator
    // changed and old reports no longer describe what the probe asks.
    let shown: Vec<(String, String)> = Family::ALL
        .into_iter()
        .map(|family| {
            let item = generate(family, 2, 1, 42).unwrap().remove(0);
            (item.prompt, item.answer)
        })
        .collect();
    let expected: Vec<(String, String)> = PINNED
        .iter()
        .map(|(prompt, answer)| (prompt.to_string(), answer.to_string()))
        .collect();
    assert_eq!(shown, expected);
}

const PINNED: [(&str, &str); 5] = [
    ("What is 49 + 35? Answer with the number only.", "84"),
    (
        "Here is a string of bits: 0 0 1 0 0 1. Is the number of 1s in it even or odd? Answer with one word: even or odd.",
        "even",
    ),
    (
        "Complete this sequence of brackets so that every bracket is closed in the right order.\nSequence: ( [ ] ) [ [\nAnswer with the missing closing brackets only, separated by spaces.",
        "] ]",
    ),
    (
        "Sort this list of numbers in ascending order: [48, 26, 91, 12, 77]. Answer with the sorted list only, written in the same format.",
        "[12, 26, 48, 77, 91]",
    ),
    (
        "j = 47. f = 28. u = f. l = u. r = j. v = r. What is the value of v? Answer with the number only.",
        "47",
    ),
];

#[test]
fn the_reference_solver_agrees_with_every_stored_answer() {
    for item in generate_all(N, 7) {
        let solution = solve(&item.problem).unwrap();
        assert_eq!(solution.answer, item.answer, "{item:?}");
        assert!(is_correct(&item, &solution.answer), "{item:?}");
        assert_eq!(item.prompt, generate::prompt(&item.problem));
        assert!(item.prompt.contains("Answer with"), "{}", item.prompt);
    }
}

/// A near miss of the right answer, of the answer's own form.
fn perturbed(item: &SymbolicItem) -> String {
    match &item.problem {
        Problem::Addition { left, right } => {
            (u128::from(*left) + u128::from(*right) + 1).to_string()
        }
        Problem::Parity { .. } => if item.answer == "odd" { "even" } else { "odd" }.to_string(),
        // Close the innermost bracket with the other kind.
        Problem::Dyck2 { .. } => {
            let mut closers: Vec<&str> = item.answer.split(' ').collect();
            if let Some(first) = closers.first_mut() {
                *first = if *first == ")" { "]" } else { ")" };
            }
            closers.join(" ")
        }
        // The list as given when it is not already sorted, else one number changed.
        Problem::Sorting { list } => {
            let mut changed = list.clone();
            if generate::list_text(&changed) == item.answer {
                changed.sort_unstable();
                if let Some(last) = changed.last_mut() {
                    *last += 1;
                }
            }
            generate::list_text(&changed)
        }
        // The distractor chain's number: what a model that lost track would say.
        Problem::VariableBinding { assignments, .. } => assignments
            .iter()
            .find_map(|assignment| match assignment.source {
                Source::Number(value) if value.to_string() != item.answer => {
                    Some(value.to_string())
                }
                _ => None,
            })
            .unwrap_or_default(),
    }
}

#[test]
fn wrong_answers_are_rejected() {
    for family in Family::ALL {
        for level in family.levels() {
            let items = items(family, level);
            for (at, item) in items.iter().enumerate() {
                let near_miss = perturbed(item);
                assert_ne!(near_miss, item.answer, "{item:?}");
                assert!(
                    !is_correct(item, &near_miss),
                    "{item:?} accepted {near_miss}"
                );
                // Another item's reference answer, when it differs.
                let other = &items[(at + 1) % items.len()];
                let other_answer = solve(&other.problem).unwrap().answer;
                if normalize_answer(&other_answer) != normalize_answer(&item.answer) {
                    assert!(!is_correct(item, &other_answer), "{item:?}");
                }
                assert!(!is_correct(item, ""));
                assert!(!is_correct(item, &format!("{} because", item.answer)));
            }
        }
    }
}

#[test]
fn formatting_is_forgiven_and_content_is_not() {
    let item = SymbolicItem {
        level: 1,
        problem: Problem::Addition { left: 40, right: 2 },
        prompt: String::new(),
        answer: "42".into(),
    };
    for accepted in [
        "42",
        "42.",
        " 42 ",
        "\n\n42\nBecause 40 + 2 = 42.",
        "Answer: 42",
        "answer:42.",
        "ANSWER: 42",
        "4 2",
    ] {
        assert!(is_correct(&item, accepted), "{accepted:?}");
    }
    for rejected in [
        "",
        "   \n  ",
        "The answer is 42",
        "42 apples",
        "**42**",
        "42!",
        "42..",
        "41",
        "420",
        "4,2",
        "The answer:\n42",
        "Answer: 42 or 43",
    ] {
        assert!(!is_correct(&item, rejected), "{rejected:?}");
    }

    let parity = SymbolicItem {
        problem: Problem::Parity { bits: "1".into() },
        answer: "odd".into(),
        ..item.clone()
    };
    assert!(is_correct(&parity, "Odd."));
    assert!(is_correct(&parity, "ODD"));
    assert!(!is_correct(&parity, "odd number"));
    assert!(!is_correct(&parity, "1"));

    let brackets = SymbolicItem {
        problem: Problem::Dyck2 {
            prefix: "([".into(),
        },
        answer: "] )".into(),
        ..item.clone()
    };
    assert!(is_correct(&brackets, "])"));
    assert!(is_correct(&brackets, "Answer: ] )."));
    assert!(!is_correct(&brackets, ") ]"));
    assert!(!is_correct(&brackets, "] ) ]"));

    let sorting = SymbolicItem {
        problem: Problem::Sorting { list: vec![2, 1] },
        answer: "[1, 2]".into(),
        ..item
    };
    assert!(is_correct(&sorting, "[1,2]"));
    assert!(!is_correct(&sorting, "1, 2"));
    assert!(!is_correct(&sorting, "[1 2]"));
    assert!(!is_correct(&sorting, "[12]"));
}

#[test]
fn mean_solver_steps_rise_strictly_with_the_level() {
    for family in Family::ALL {
        let means: Vec<f64> = family
            .levels()
            .map(|level| {
                let items = generate(family, level, 200, 3).unwrap();
                let steps: usize = items
                    .iter()
                    .map(|item| solve(&item.problem).unwrap().steps)
                    .sum();
                steps as f64 / items.len() as f64
            })
            .collect();
        // Strictly, and by a margin: two levels defined alike would differ only by
        // sampling noise, and must fail here rather than pass by luck.
        assert!(
            means.windows(2).all(|pair| pair[1] >= pair[0] + 0.5),
            "{family:?}: {means:?}"
        );
    }
}

/// Balanced and well nested, by a depth count per bracket kind that must match the most
/// recent opener (written apart from the solver's stack).
fn is_balanced(sequence: &str) -> bool {
    let mut open = String::new();
    for ch in sequence.chars().filter(|ch| !ch.is_whitespace()) {
        match ch {
            '(' | '[' => open.push(ch),
            ')' => {
                if !open.ends_with('(') {
                    return false;
                }
                open.pop();
            }
            ']' => {
                if !open.ends_with('[') {
                    return false;
                }
                open.pop();
            }
            _ => return false,
        }
    }
    open.is_empty()
}

#[test]
fn dyck_prefixes_plus_answers_are_balanced() {
    assert!(is_balanced("([])[]"));
    assert!(!is_balanced("([)]"));
    assert!(!is_balanced("(("));
    for level in Family::Dyck2.levels() {
        for item in items(Family::Dyck2, level) {
            let Problem::Dyck2 { prefix } = &item.problem else {
                panic!("not a Dyck-2 problem: {item:?}");
            };
            assert!(!is_balanced(prefix), "{item:?}");
            assert!(is_balanced(&format!("{prefix}{}", item.answer)), "{item:?}");
            // The shortest completion: exactly one closer per open bracket.
            assert_eq!(item.answer.split(' ').count(), level as usize, "{item:?}");
            assert!(item.prompt.contains(&generate_spaced(prefix)), "{item:?}");
        }
    }
}

fn generate_spaced(prefix: &str) -> String {
    prefix
        .chars()
        .map(String::from)
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn sorting_answers_are_sorted_permutations() {
    for level in Family::Sorting.levels() {
        for item in items(Family::Sorting, level) {
            let Problem::Sorting { list } = &item.problem else {
                panic!("not a sorting problem: {item:?}");
            };
            let numbers: Vec<u32> = item
                .answer
                .strip_prefix('[')
                .and_then(|rest| rest.strip_suffix(']'))
                .unwrap()
                .split(", ")
                .map(|n| n.parse().unwrap())
                .collect();
            assert!(
                numbers.windows(2).all(|pair| pair[0] <= pair[1]),
                "{item:?}"
            );
            let mut given = list.clone();
            given.sort_unstable();
            let mut answered = numbers.clone();
            answered.sort_unstable();
            assert_eq!(given, answered, "{item:?}");
            assert!(item.prompt.contains(&generate::list_text(list)), "{item:?}");
        }
    }
}

#[test]
fn variable_chains_use_distinct_names_and_a_distractor() {
    for level in Family::VariableBinding.levels() {
        for item in items(Family::VariableBinding, level) {
            let Problem::VariableBinding { assignments, query } = &item.problem else {
                panic!("not a variable-binding problem: {item:?}");
            };
            let targets: HashSet<&str> = assignments.iter().map(|a| a.target.as_str()).collect();
            assert_eq!(targets.len(), assignments.len(), "{item:?}");
            assert!(targets.contains(query.as_str()));
            let numbers: HashSet<u32> = assignments
                .iter()
                .filter_map(|a| match a.source {
                    Source::Number(value) => Some(value),
                    Source::Variable(_) => None,
                })
                .collect();
            assert_eq!(numbers.len(), 2, "{item:?}");
            assert_eq!(solve(&item.problem).unwrap().steps, level as usize + 1);
        }
    }
}

#[test]
fn names_and_serde() {
    let names: HashSet<&str> = Family::ALL.iter().map(|f| f.name()).collect();
    assert_eq!(names.len(), 5);
    for family in Family::ALL {
        assert_eq!(
            serde_json::to_string(&family).unwrap(),
            format!("\"{}\"", family.name())
        );
    }
    let sample = generate_all(2, 5);
    let json = serde_json::to_string(&sample).unwrap();
    assert!(json.contains("\"family\":\"variable_binding\""), "{json}");
    let back: Vec<SymbolicItem> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, sample);
    let item = &sample[0];
    assert_eq!(item.plain_prompt(), format!("{}\nAnswer:", item.prompt));
}
