//! The readers against the real benchmark files in `../shared/data/benchmarks`: item
//! counts equal `data/README.md`'s table, concrete items are spot-checked, and no row of
//! the real data is rejected.

mod common;

use common::{benchmark_bytes, benchmark_files, shared_dir};
use mechscope_tasks::readers::{self, Format, Layout};
use mechscope_tasks::{ItemKind, Loaded};

fn read_file(shared: &std::path::Path, relative: &str) -> (Format, Loaded) {
    let bytes = benchmark_bytes(shared, relative);
    let (format, loaded) = readers::load(relative, &bytes, None).unwrap();
    assert!(
        loaded.errors.is_empty(),
        "{relative}: {} bad rows, first: {}",
        loaded.errors.len(),
        loaded.errors[0]
    );
    (format, loaded)
}

#[test]
fn llm_foundry_files_have_the_documented_counts() {
    let Some(shared) = shared_dir("llm_foundry_files_have_the_documented_counts") else {
        return;
    };
    for (file, count, n_choices) in [
        ("arc_easy.jsonl", 2376, 4),
        ("arc_challenge.jsonl", 1172, 4),
        ("boolq.jsonl", 3270, 2),
        ("piqa.jsonl", 1838, 2),
        ("openbook_qa.jsonl", 500, 4),
        ("copa.jsonl", 100, 2),
    ] {
        let (format, loaded) = read_file(&shared, file);
        assert_eq!(format, Format::Jsonl(Layout::LlmFoundry), "{file}");
        assert_eq!(loaded.items.len(), count, "{file}");
        assert!(
            loaded
                .items
                .iter()
                .all(|item| item.choices.len() == n_choices),
            "{file}"
        );
        assert!(
            loaded
                .items
                .iter()
                .enumerate()
                .all(|(at, item)| item.index == at),
            "{file}: indices are positions"
        );
    }
}

#[test]
fn first_arc_easy_item() {
    let Some(shared) = shared_dir("first_arc_easy_item") else {
        return;
    };
    let (_, loaded) = read_file(&shared, "arc_easy.jsonl");
    let first = &loaded.items[0];
    assert_eq!(
        first.query,
        "Question: Which statement best explains why photosynthesis is the foundation of most food webs?"
    );
    assert_eq!(first.kind, ItemKind::MultipleChoice { gold: 0 });
    assert_eq!(
        first.choices[3],
        "The producers in all ecosystems are plants."
    );
}

#[test]
fn winogrande_is_partial_scoring() {
    let Some(shared) = shared_dir("winogrande_is_partial_scoring") else {
        return;
    };
    let (format, loaded) = read_file(&shared, "winogrande.jsonl");
    assert_eq!(format, Format::Jsonl(Layout::LlmFoundryPartial));
    assert_eq!(loaded.items.len(), 1267);
    let first = &loaded.items[0];
    assert_eq!(
        first.kind,
        ItemKind::Partial {
            context_options: vec![
                "Sarah was a much better surgeon than Maria so Sarah".into(),
                "Sarah was a much better surgeon than Maria so Maria".into()
            ],
            continuation: "always got the easier cases.".into(),
            gold: 1
        }
    );
    assert_eq!(first.choices, ["Sarah", "Maria"]);
    assert_eq!(
        first.query,
        "Sarah was a much better surgeon than Maria so _ always got the easier cases."
    );
    // Every item recovers its two options as the words after the shared prefix.
    for item in &loaded.items {
        let ItemKind::Partial {
            context_options, ..
        } = &item.kind
        else {
            panic!("item {} is not partial", item.index);
        };
        for (context, option) in context_options.iter().zip(&item.choices) {
            assert!(
                context.ends_with(option.as_str()),
                "{context:?} / {option:?}"
            );
            assert!(!option.is_empty());
        }
        assert!(item.query.contains('_'), "{}", item.query);
    }
}

#[test]
fn commonsense_qa_and_gsm8k() {
    let Some(shared) = shared_dir("commonsense_qa_and_gsm8k") else {
        return;
    };
    let (format, csqa) = read_file(&shared, "commonsense_qa_dev.jsonl");
    assert_eq!(format, Format::Jsonl(Layout::CommonsenseQa));
    assert_eq!(csqa.items.len(), 1221);
    let first = &csqa.items[0];
    assert_eq!(
        first.query,
        "A revolving door is convenient for two direction travel, but it also serves as a security measure at a what?"
    );
    assert_eq!(
        first.choices,
        ["bank", "library", "department store", "mall", "new york"]
    );
    assert_eq!(first.gold_index(), Some(0));
    assert_eq!(
        first.source_id.as_deref(),
        Some("1afa02df02c908a558b4036e80242fac")
    );
    assert!(csqa.items.iter().all(|item| item.choices.len() == 5));

    let (format, gsm) = read_file(&shared, "gsm8k_test.jsonl");
    assert_eq!(format, Format::Jsonl(Layout::Gsm8k));
    assert_eq!(gsm.items.len(), 1319);
    assert!(
        gsm.items[0]
            .query
            .starts_with("Janet\u{2019}s ducks lay 16 eggs per day.")
    );
    assert_eq!(gsm.items[0].gold_text(), Some("18"));
    // Commas are stripped from the final answers ("2,125" in the data).
    assert!(
        gsm.items
            .iter()
            .any(|item| item.gold_text() == Some("2125"))
    );
    assert!(gsm.items.iter().all(|item| {
        item.gold_text()
            .is_some_and(|gold| mechscope_tasks::score::normalize_number(gold).is_some())
    }));
    // The worked solution scores as correct against its own item.
    for item in &gsm.items {
        let reference = mechscope_tasks::prompt::gold_response(item);
        assert!(
            mechscope_tasks::score::score(item, &reference).correct,
            "item {}",
            item.index
        );
    }
}

#[test]
fn hellaswag_compressed_and_plain() {
    let Some(shared) = shared_dir("hellaswag_compressed_and_plain") else {
        return;
    };
    let (format, loaded) = read_file(&shared, "hellaswag_val.txt.bz2");
    assert_eq!(format, Format::HellaSwagText);
    assert_eq!(loaded.items.len(), 10042);
    let first = &loaded.items[0];
    assert_eq!(
        first.query,
        "Roof shingle removal: A man is sitting on a roof. he"
    );
    assert_eq!(first.kind, ItemKind::Completion { gold: 3 });
    assert_eq!(first.choices[3], "starts pulling up roofing on a roof.");

    // The same text, already decompressed, gives the same items.
    let mut text = String::new();
    for item in &loaded.items {
        text.push_str(&item.query);
        text.push('\n');
        text.push_str(&item.gold_index().unwrap().to_string());
        for ending in &item.choices {
            text.push('\n');
            text.push_str(ending);
        }
        text.push('\n');
    }
    let plain = readers::read(&Format::HellaSwagText, text.as_bytes()).unwrap();
    assert!(plain.errors.is_empty());
    assert_eq!(plain.items, loaded.items);
}

#[test]
fn mmlu_all_subjects() {
    let Some(shared) = shared_dir("mmlu_all_subjects") else {
        return;
    };
    for (split, expected_items, expected_files) in [("test", 14042, 57), ("dev", 285, 57)] {
        let mut all = Loaded::default();
        let files = benchmark_files(&shared, &format!("mmlu/{split}"), "csv");
        assert_eq!(files.len(), expected_files);
        for path in &files {
            let relative = format!(
                "mmlu/{split}/{}",
                path.file_name().unwrap().to_string_lossy()
            );
            let (format, loaded) = read_file(&shared, &relative);
            assert_eq!(format, Format::MmluCsv);
            all.extend(loaded);
        }
        assert_eq!(all.items.len(), expected_items, "{split}");
        assert!(
            all.items
                .iter()
                .all(|item| item.choices.len() == 4 && item.subset.is_some())
        );
    }
    let (_, anatomy) = read_file(&shared, "mmlu/test/anatomy_test.csv");
    let first = &anatomy.items[0];
    assert_eq!(first.subset.as_deref(), Some("anatomy"));
    assert_eq!(
        first.query,
        "A lesion causing compression of the facial nerve at the stylomastoid foramen will cause ipsilateral"
    );
    // A quoted field with commas inside.
    assert_eq!(
        first.choices[2],
        "paralysis of the facial muscles, loss of taste and lacrimation."
    );
    assert_eq!(first.gold_index(), Some(0));
    // A quoted field with doubled quotes.
    assert_eq!(
        anatomy.items[1].query,
        "A \"dished face\" profile is often associated with"
    );
    assert_eq!(anatomy.items[1].gold_index(), Some(1));
}

#[test]
fn bbh_all_tasks() {
    let Some(shared) = shared_dir("bbh_all_tasks") else {
        return;
    };
    let files = benchmark_files(&shared, "bbh", "json");
    assert_eq!(files.len(), 27);
    let mut all = Loaded::default();
    for path in &files {
        let relative = format!("bbh/{}", path.file_name().unwrap().to_string_lossy());
        let (format, loaded) = read_file(&shared, &relative);
        assert_eq!(format, Format::BbhJson);
        all.extend(loaded);
    }
    assert_eq!(all.items.len(), 6511);
    assert!(
        all.items
            .iter()
            .all(|item| matches!(item.kind, ItemKind::ExactMatch { .. }))
    );
    // Every "(X)" target names one of the options its input lists.
    let lettered: Vec<_> = all
        .items
        .iter()
        .filter(|item| item.gold_text().is_some_and(|gold| gold.starts_with('(')))
        .collect();
    assert!(lettered.len() > 3000, "{}", lettered.len());
    for item in &lettered {
        let gold = item.gold_text().unwrap();
        let letter = gold.chars().nth(1).unwrap();
        let index = usize::from(letter as u8 - b'A');
        assert!(
            index < item.choices.len(),
            "{:?} {}: target {gold} but {} options",
            item.subset,
            item.index,
            item.choices.len()
        );
        // Answering with the target itself, or with the option's text, is correct.
        assert!(mechscope_tasks::score::score(item, gold).correct);
        assert!(mechscope_tasks::score::score(item, &item.choices[index]).correct);
    }
    let navigate: Vec<_> = all
        .items
        .iter()
        .filter(|item| item.subset.as_deref() == Some("navigate"))
        .collect();
    assert_eq!(navigate.len(), 250);
    assert_eq!(navigate[0].gold_text(), Some("No"));
    assert!(navigate[0].choices.is_empty());
}
