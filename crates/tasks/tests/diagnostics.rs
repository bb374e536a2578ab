//! The ability diagnostic sets through the public API: determinism, variety, option
//! hygiene, balanced answers, the 80/20 split, conversion to items, and the JSONL reader
//! on good, bad and random input.

use std::collections::HashSet;

use mechscope_tasks::diagnostics::{
    self, Ability, DEFAULT_ITEMS_PER_ABILITY, DiagnosticItem, N_OPTIONS, SPLIT_SEED, generate,
    read_jsonl, split, split_indices,
};
use mechscope_tasks::rng::SplitMix64;
use mechscope_tasks::{ItemKind, Location, RowProblem, prompt};

#[test]
fn same_seed_same_items_other_seed_other_items_and_prefixes_agree() {
    for ability in Ability::ALL {
        let a = generate(ability, 60, 42);
        assert_eq!(a.len(), 60);
        assert_eq!(a, generate(ability, 60, 42), "{ability}");
        let b = generate(ability, 60, 43);
        let same = a.iter().zip(&b).filter(|(x, y)| x == y).count();
        assert!(
            same < 10,
            "{ability}: {same} of 60 items equal across seeds"
        );
        // A longer run starts with the shorter one.
        assert_eq!(generate(ability, 100, 42)[..60], a[..], "{ability}");
        assert!(generate(ability, 0, 42).is_empty());
        for item in &a {
            assert_eq!(item.ability, ability);
        }
    }
}

#[test]
fn the_default_size_has_that_many_distinct_items() {
    for ability in Ability::ALL {
        for seed in [0, 42, 2024] {
            let items = generate(ability, DEFAULT_ITEMS_PER_ABILITY, seed);
            assert_eq!(items.len(), DEFAULT_ITEMS_PER_ABILITY);
            let distinct: HashSet<(&str, &str)> = items
                .iter()
                .map(|item| (item.context.as_str(), item.question.as_str()))
                .collect();
            assert_eq!(
                distinct.len(),
                DEFAULT_ITEMS_PER_ABILITY,
                "{ability}, seed {seed}"
            );
            // Variety beyond the (context, question) pair: many distinct answers too.
            let answers: HashSet<&str> = items.iter().map(|item| item.answer.as_str()).collect();
            assert!(answers.len() >= 20, "{ability}: {} answers", answers.len());
        }
    }
}

#[test]
fn options_are_four_distinct_with_the_answer_exactly_once() {
    for ability in Ability::ALL {
        for item in generate(ability, DEFAULT_ITEMS_PER_ABILITY, 5) {
            assert_eq!(item.options.len(), N_OPTIONS, "{item:?}");
            let distinct: HashSet<&String> = item.options.iter().collect();
            assert_eq!(distinct.len(), N_OPTIONS, "{item:?}");
            let hits = item.options.iter().filter(|o| **o == item.answer).count();
            assert_eq!(hits, 1, "{item:?}");
            assert!(item.options.iter().all(|o| !o.trim().is_empty()));
            assert!(!item.question.trim().is_empty());
            assert!(item.check().is_ok(), "{item:?}");
            // The answer turn of the chat ends with exactly one full stop.
            assert!(!item.answer.ends_with('.'), "{item:?}");
        }
    }
}

#[test]
fn gold_positions_are_balanced() {
    for ability in Ability::ALL {
        let items = generate(ability, DEFAULT_ITEMS_PER_ABILITY, 11);
        let positions: Vec<usize> = items.iter().map(|i| i.answer_index().unwrap()).collect();
        let mut counts = [0usize; N_OPTIONS];
        for position in &positions {
            counts[*position] += 1;
        }
        // 250 = 62 * 4 + 2: each position 62 or 63 times.
        assert!(
            counts.iter().all(|c| (62..=63).contains(c)),
            "{ability}: {counts:?}"
        );
        for block in positions.chunks(4).filter(|block| block.len() == 4) {
            let mut sorted = block.to_vec();
            sorted.sort_unstable();
            assert_eq!(sorted, [0, 1, 2, 3], "{ability}");
        }
    }
}

/// The split, re-derived here from its documentation: shuffle `0..n` with SplitMix64
/// (Fisher-Yates from the back), the first floor(4n/5) are train, each part sorted.
fn documented_split(n: usize, seed: u64) -> (Vec<usize>, Vec<usize>) {
    let mut order: Vec<usize> = (0..n).collect();
    let mut rng = SplitMix64::new(seed);
    for last in (1..n).rev() {
        let other = usize::try_from(rng.below(last as u64 + 1)).unwrap();
        order.swap(last, other);
    }
    let mut train = order[..n * 4 / 5].to_vec();
    let mut test = order[n * 4 / 5..].to_vec();
    train.sort_unstable();
    test.sort_unstable();
    (train, test)
}

#[test]
fn the_split_is_80_20_disjoint_stable_and_as_documented() {
    let items = generate(Ability::Temporal, DEFAULT_ITEMS_PER_ABILITY, 42);
    let (train, test) = split(&items, SPLIT_SEED);
    assert_eq!((train.len(), test.len()), (200, 50));
    let train_keys: HashSet<&DiagnosticItem> = train.iter().collect();
    assert!(test.iter().all(|item| !train_keys.contains(item)));
    let mut all: Vec<&DiagnosticItem> = train.iter().chain(&test).collect();
    all.sort_by_key(|item| (&item.context, &item.question));
    let mut original: Vec<&DiagnosticItem> = items.iter().collect();
    original.sort_by_key(|item| (&item.context, &item.question));
    assert_eq!(all, original);
    // Stable: the same call gives the same split; source order is kept.
    assert_eq!(split(&items, SPLIT_SEED), (train.clone(), test.clone()));
    let position = |item: &DiagnosticItem| items.iter().position(|x| x == item).unwrap();
    assert!(train.windows(2).all(|w| position(&w[0]) < position(&w[1])));
    // As documented, and another seed splits differently.
    for n in [0, 1, 2, 9, 10, 250, 1001] {
        assert_eq!(
            split_indices(n, SPLIT_SEED),
            documented_split(n, SPLIT_SEED),
            "n = {n}"
        );
    }
    assert_ne!(split_indices(250, SPLIT_SEED), split_indices(250, 7));
    // The split depends on positions only, not on the items.
    let numbers: Vec<usize> = (0..250).collect();
    let (train_numbers, _) = split(&numbers, SPLIT_SEED);
    assert_eq!(train_numbers, split_indices(250, SPLIT_SEED).0);
}

#[test]
fn items_convert_to_multiple_choice_items_and_chat_turns() {
    let with_context = generate(Ability::ContextualRecall, 1, 3).remove(0);
    let item = with_context.to_item(7).unwrap();
    assert_eq!(item.index, 7);
    assert_eq!(item.subset.as_deref(), Some("contextual_recall"));
    assert_eq!(item.query, format!("Question: {}", with_context.question));
    assert_eq!(item.choices, with_context.options);
    assert_eq!(
        item.kind,
        ItemKind::MultipleChoice {
            gold: with_context.answer_index().unwrap()
        }
    );
    assert_eq!(item.chance_accuracy(), 0.25);
    let user = with_context.user_message();
    assert!(user.starts_with("Context: "), "{user}");
    assert!(user.contains("\nQuestion: "));
    // The scoring prompt starts exactly with the importance chat's user turn.
    assert!(prompt::user_message(&item).starts_with(&user));

    let without = DiagnosticItem {
        context: String::new(),
        question: "What is 2 + 2?".into(),
        options: vec!["3".into(), "4".into(), "5".into(), "6".into()],
        answer: "4".into(),
        ability: Ability::Quantitative,
    };
    assert_eq!(without.user_message(), "Question: What is 2 + 2?");
    assert_eq!(without.assistant_message(), "Answer: 4.");
    assert_eq!(without.to_item(0).unwrap().context, None);

    let broken = DiagnosticItem {
        answer: "7".into(),
        ..without.clone()
    };
    assert_eq!(broken.answer_index(), None);
    assert!(matches!(
        broken.to_item(0),
        Err(RowProblem::UnknownAnswer { .. })
    ));
}

#[test]
fn serde_uses_snake_names_and_round_trips() {
    for ability in Ability::ALL {
        let item = generate(ability, 1, 1).remove(0);
        let json = serde_json::to_string(&item).unwrap();
        assert!(
            json.contains(&format!("\"ability\":\"{}\"", ability.name())),
            "{json}"
        );
        let back: DiagnosticItem = serde_json::from_str(&json).unwrap();
        assert_eq!(back, item);
    }
}

#[test]
fn a_generated_set_written_as_jsonl_reads_back_unchanged() {
    let items: Vec<DiagnosticItem> = diagnostics::generate_all(5, 9)
        .into_iter()
        .flat_map(|(_, items)| items)
        .collect();
    let file: String = items
        .iter()
        .map(|item| serde_json::to_string(item).unwrap() + "\n")
        .collect();
    let loaded = read_jsonl(file.as_bytes());
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    assert_eq!(loaded.items, items);
    assert_eq!(loaded.of(Ability::Spatial).len(), 5);
    let as_items = loaded.into_loaded();
    assert_eq!(as_items.items.len(), 50);
    assert_eq!(as_items.items[49].index, 49);
    assert_eq!(as_items.items[0].subset.as_deref(), Some("analogical"));
}

#[test]
fn bad_rows_name_line_and_field_and_the_rest_load() {
    let file = "\u{feff}{\"question\": \"Q1\", \"options\": [\"a\", \"b\", \"c\", \"d\"], \"answer\": \"b\", \"ability\": \"deductive\"}\n\
        {\"options\": [\"a\", \"b\"], \"answer\": \"a\", \"ability\": \"deductive\"}\n\
        \n\
        {\"question\": \"Q3\", \"answer\": \"a\", \"ability\": \"deductive\"}\n\
        {\"question\": \"Q4\", \"options\": [\"a\", \"b\"], \"answer\": \"a\"}\n\
        {\"question\": \"Q5\", \"options\": [\"a\", \"b\"], \"answer\": \"a\", \"ability\": \"telepathy\"}\n\
        {\"question\": \"Q6\", \"options\": \"a, b\", \"answer\": \"a\", \"ability\": \"spatial\"}\n\
        {\"question\": \"Q7\", \"options\": [\"a\", 2], \"answer\": \"a\", \"ability\": \"spatial\"}\n\
        {\"question\": 8, \"options\": [\"a\", \"b\"], \"answer\": \"a\", \"ability\": \"spatial\"}\n\
        {\"question\": \"Q9\", \"options\": [\"a\", \"b\"], \"answer\": \"z\", \"ability\": \"spatial\"}\n\
        {\"question\": \"Q10\", \"options\": [\"a\", \"b\"], \"answer\": [0], \"ability\": \"spatial\"}\n\
        {\"question\": \"Q11\", \"context\": 5, \"options\": [\"a\", \"b\"], \"answer\": 0, \"ability\": \"spatial\"}\n\
        {\"question\": \"Q12\", \"options\": [\"a\", \"b\"], \"answer\": 99999999999999999999, \"ability\": \"spatial\"}\n\
        {\"question\": \"Q13\", \"options\": [\"a\", \"b\"], \"answer\": 1.5, \"ability\": \"spatial\"}\n\
        {\"question\": \"Q14\", \"options\": [\"a\", \"b\"], \"answer\": -1, \"ability\": \"spatial\"}\n\
        {\"question\": \"Q15\", \"context\": null, \"options\": [\"a\", \"b\", \"c\"], \"answer\": \"C\", \"ability\": \"Spatial reasoning\"}\n\
        [1, 2]\n\
        {\"question\": \"Q17\", \"opti\n\
        {\"question\": \"Q18\", \"options\": [\"a\", \"b\"], \"answer\": 1e400, \"ability\": \"spatial\"}\n";
    let loaded = read_jsonl(file.as_bytes());
    let good: Vec<(&str, &str)> = loaded
        .items
        .iter()
        .map(|item| (item.question.as_str(), item.answer.as_str()))
        .collect();
    assert_eq!(good, [("Q1", "b"), ("Q15", "c")]);
    assert_eq!(loaded.lines, [1, 16]);
    assert_eq!(loaded.items[1].ability, Ability::Spatial);
    assert_eq!(loaded.items[1].context, "");
    let shown: Vec<String> = loaded.errors.iter().map(ToString::to_string).collect();
    let fields: Vec<(Location, Option<&str>)> = loaded
        .errors
        .iter()
        .map(|error| (error.location, error.field()))
        .collect();
    assert_eq!(
        fields,
        [
            (Location::Line(2), Some("question")),
            (Location::Line(4), Some("options")),
            (Location::Line(5), Some("ability")),
            (Location::Line(6), Some("ability")),
            (Location::Line(7), Some("options")),
            (Location::Line(8), Some("options")),
            (Location::Line(9), Some("question")),
            (Location::Line(10), Some("answer")),
            (Location::Line(11), Some("answer")),
            (Location::Line(12), Some("context")),
            (Location::Line(13), Some("answer")),
            (Location::Line(14), Some("answer")),
            (Location::Line(15), Some("answer")),
            (Location::Line(17), None),
            (Location::Line(18), None),
            (Location::Line(19), None),
        ],
        "{shown:#?}"
    );
    assert_eq!(shown[0], "line 2: missing field `question`");
    assert_eq!(shown[1], "line 4: missing field `options`");
    assert!(shown[3].starts_with("line 6: field `ability` should be one of analogical"));
    assert_eq!(
        shown[7],
        "line 10: field `answer`: answer \"z\" matches no choice"
    );
    assert_eq!(
        shown[12],
        "line 15: field `answer`: gold index -1 is out of range for 2 choices"
    );
    assert_eq!(loaded.errors[13].problem, RowProblem::NotAnObject);
    assert!(matches!(loaded.errors[14].problem, RowProblem::BadJson(_)));
}

#[test]
fn non_utf8_lines_and_empty_files() {
    let mut file = b"{\"question\": \"Q\xff\", \"options\": [\"a\", \"b\"], \"answer\": 0, \"ability\": \"spatial\"}\n".to_vec();
    file.extend_from_slice(
        b"{\"question\": \"Q2\", \"options\": [\"a\", \"b\"], \"answer\": 1, \"ability\": \"spatial\"}\r\n",
    );
    let loaded = read_jsonl(&file);
    assert_eq!(loaded.items.len(), 1);
    assert_eq!(loaded.items[0].answer, "b");
    assert_eq!(loaded.errors.len(), 1);
    assert_eq!(loaded.errors[0].to_string(), "line 1: not UTF-8 text");

    for empty in [&b""[..], b"\n\n  \r\n", b"\xEF\xBB\xBF"] {
        let loaded = read_jsonl(empty);
        assert!(loaded.items.is_empty() && loaded.errors.is_empty());
        assert!(loaded.into_loaded().items.is_empty());
    }
    // Deep nesting is refused by the JSON parser, not by a stack overflow.
    let deep = format!("{}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let loaded = read_jsonl(deep.as_bytes());
    assert!(matches!(loaded.errors[0].problem, RowProblem::BadJson(_)));
}

#[test]
fn random_and_mutated_input_never_panics() {
    let seed_file: String = diagnostics::generate_all(2, 3)
        .into_iter()
        .flat_map(|(_, items)| items)
        .map(|item| serde_json::to_string(&item).unwrap() + "\n")
        .collect();
    let seed_file = seed_file.into_bytes();
    const ALPHABET: &[u8] =
        b"{}[]\":,.-_#()0123456789eE+ \n\r\tABCDquestionsanwrbilty\\\xC3\xA9\xFF\xEF\xBB\xBFnul";
    let mut rng = SplitMix64::new(0x5eed);
    let mut total_rows = 0;
    for round in 0..3000 {
        let bytes: Vec<u8> = match round % 3 {
            0 => (0..rng.index(300)).map(|_| rng.next_u64() as u8).collect(),
            1 => (0..rng.index(300))
                .map(|_| ALPHABET[rng.index(ALPHABET.len())])
                .collect(),
            _ => {
                let mut bytes = seed_file.clone();
                for _ in 0..=rng.index(8) {
                    if bytes.is_empty() {
                        break;
                    }
                    let at = rng.index(bytes.len());
                    match rng.below(4) {
                        0 => bytes[at] = rng.next_u64() as u8,
                        1 => {
                            bytes.remove(at);
                        }
                        2 => bytes.insert(at, ALPHABET[rng.index(ALPHABET.len())]),
                        _ => bytes.truncate(at),
                    }
                }
                bytes
            }
        };
        let loaded = read_jsonl(&bytes);
        // Every non-blank line is either an item or an error, never both or neither.
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        let lines = bytes
            .split(|b| *b == b'\n')
            .filter(|line| !line.trim_ascii().is_empty())
            .count();
        assert_eq!(loaded.items.len() + loaded.errors.len(), lines);
        assert_eq!(loaded.items.len(), loaded.lines.len());
        for item in &loaded.items {
            assert!(item.check().is_ok(), "{item:?}");
            assert!(item.answer_index().is_some());
        }
        total_rows += loaded.items.len();
        let _ = loaded.into_loaded();
    }
    // The mutated files still load most of their rows: the reader is not just refusing.
    assert!(total_rows > 5_000, "{total_rows}");
}

/// Word trigrams of every item's context, question and answer, lower-cased, with
/// numbers replaced by `#` (so "3 apples" and "7 apples" count as the same shape).
fn trigrams(items: &[DiagnosticItem]) -> HashSet<String> {
    let mut grams = HashSet::new();
    for item in items {
        let text = format!("{} {} {}", item.context, item.question, item.answer).to_lowercase();
        let words: Vec<String> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| {
                if w.chars().all(|c| c.is_ascii_digit()) {
                    "#".to_string()
                } else {
                    w.to_string()
                }
            })
            .collect();
        for window in words.windows(3) {
            grams.insert(window.join(" "));
        }
    }
    grams
}

#[test]
fn the_ten_sets_are_not_near_duplicates_of_each_other() {
    let sets: Vec<(Ability, HashSet<String>)> = Ability::ALL
        .into_iter()
        .map(|ability| {
            (
                ability,
                trigrams(&generate(ability, DEFAULT_ITEMS_PER_ABILITY, 42)),
            )
        })
        .collect();
    let mut worst = (0.0f64, "", "");
    for (i, (a, ga)) in sets.iter().enumerate() {
        for (b, gb) in &sets[i + 1..] {
            let shared = ga.intersection(gb).count() as f64;
            let jaccard = shared / ga.union(gb).count() as f64;
            if jaccard > worst.0 {
                worst = (jaccard, a.name(), b.name());
            }
        }
    }
    println!(
        "largest trigram overlap: {:.4} ({} vs {})",
        worst.0, worst.1, worst.2
    );
    // Measured 0.6% at most; sets sharing a twentieth of their shapes would be one task
    // under two names.
    assert!(
        worst.0 < 0.05,
        "{} and {} share {:.1}% of their word trigrams",
        worst.1,
        worst.2,
        100.0 * worst.0
    );
}
