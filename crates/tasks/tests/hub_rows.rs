//! The datasets-server rows API: answers built from real rows of the shared files, in the
//! server's shape and in each known dataset's own row layout, must give the same items as
//! the file readers.

mod common;

use common::{benchmark_bytes, shared_dir};
use mechscope_tasks::hub::{self, DEFAULT_BASE, HubSplit, parse_rows_response};
use mechscope_tasks::readers::{self, Format, Layout};
use mechscope_tasks::{Item, ItemKind, TaskSpec};
use serde_json::{Value, json};

/// A rows-API answer holding `rows` from `offset`, as the server writes it.
fn rows_response(rows: &[Value], offset: usize, total: usize) -> Vec<u8> {
    let features: Vec<Value> = rows
        .first()
        .and_then(Value::as_object)
        .map(|row| {
            row.keys()
                .enumerate()
                .map(|(at, name)| json!({"feature_idx": at, "name": name, "type": {"_type": "Value", "dtype": "string"}}))
                .collect()
        })
        .unwrap_or_default();
    let rows: Vec<Value> = rows
        .iter()
        .enumerate()
        .map(|(at, row)| json!({"row_idx": offset + at, "row": row, "truncated_cells": []}))
        .collect();
    serde_json::to_vec(&json!({
        "features": features,
        "rows": rows,
        "num_rows_total": total,
        "num_rows_per_page": 100,
        "partial": false
    }))
    .unwrap()
}

fn file_items(shared: &std::path::Path, relative: &str) -> Vec<Item> {
    let (_, loaded) = readers::load(relative, &benchmark_bytes(shared, relative), None).unwrap();
    assert!(loaded.errors.is_empty());
    loaded.items
}

/// Parses `rows` as a server answer and reads them with the layout the first row
/// sniffs as, which must be `expected`.
fn through_the_api(rows: &[Value], offset: usize, expected: &Layout) -> Vec<Item> {
    let page = parse_rows_response(&rows_response(rows, offset, 99_999)).unwrap();
    assert_eq!(page.rows.len(), rows.len());
    assert_eq!(page.num_rows_total, Some(99_999));
    assert_eq!(Layout::sniff(&page.rows[0].row).as_ref(), Some(expected));
    let loaded = hub::items_from_rows(&page.rows, expected);
    assert!(loaded.errors.is_empty(), "{}", loaded.errors[0]);
    loaded.items
}

/// The fields that must agree whichever way an item was loaded.
fn essence(item: &Item) -> (&str, &[String], &ItemKind) {
    (&item.query, &item.choices, &item.kind)
}

#[test]
fn llm_foundry_rows_and_gsm8k_rows() {
    let Some(shared) = shared_dir("llm_foundry_rows_and_gsm8k_rows") else {
        return;
    };
    for (file, layout) in [
        ("arc_easy.jsonl", Layout::LlmFoundry),
        ("gsm8k_test.jsonl", Layout::Gsm8k),
    ] {
        let bytes = benchmark_bytes(&shared, file);
        let lines: Vec<Value> = String::from_utf8(bytes)
            .unwrap()
            .lines()
            .skip(100)
            .take(100)
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        let items = through_the_api(&lines, 100, &layout);
        let expected = file_items(&shared, file);
        assert_eq!(items, expected[100..200].to_vec(), "{file}");
    }
}

#[test]
fn hub_layouts_of_known_datasets_match_the_files() {
    let Some(shared) = shared_dir("hub_layouts_of_known_datasets_match_the_files") else {
        return;
    };
    let letters = |n: usize| -> Vec<String> {
        (0..n)
            .map(|at| char::from(b'A' + at as u8).to_string())
            .collect()
    };

    // allenai/ai2_arc: the "Question: " prefix is the file layout's, not the hub's.
    let arc = file_items(&shared, "arc_easy.jsonl");
    let rows: Vec<Value> = arc[..50]
        .iter()
        .enumerate()
        .map(|(at, item)| {
            json!({
                "id": format!("arc-{at}"),
                "question": item.query.strip_prefix("Question: ").unwrap(),
                "choices": {"text": item.choices, "label": letters(item.choices.len())},
                "answerKey": letters(4)[item.gold_index().unwrap()],
            })
        })
        .collect();
    let items = through_the_api(&rows, 0, &Layout::HfArc);
    for (got, want) in items.iter().zip(&arc) {
        assert_eq!(essence(got), essence(want));
    }
    assert_eq!(
        Layout::for_hub_dataset("allenai/ai2_arc"),
        Some(Layout::HfArc)
    );

    // cais/mmlu, from the anatomy CSV.
    let anatomy = file_items(&shared, "mmlu/test/anatomy_test.csv");
    let rows: Vec<Value> = anatomy
        .iter()
        .map(|item| json!({"question": item.query, "subject": "anatomy", "choices": item.choices, "answer": item.gold_index()}))
        .collect();
    let items = through_the_api(&rows, 0, &Layout::HfMmlu);
    assert_eq!(items.len(), anatomy.len());
    for (got, want) in items.iter().zip(&anatomy) {
        assert_eq!(essence(got), essence(want));
        assert_eq!(got.subset, want.subset);
    }

    // tau/commonsense_qa, from the original layout.
    let csqa = file_items(&shared, "commonsense_qa_dev.jsonl");
    let rows: Vec<Value> = csqa[..100]
        .iter()
        .map(|item| {
            json!({
                "id": item.source_id,
                "question": item.query,
                "question_concept": "x",
                "choices": {"label": letters(5), "text": item.choices},
                "answerKey": letters(5)[item.gold_index().unwrap()],
            })
        })
        .collect();
    let items = through_the_api(&rows, 0, &Layout::HfCommonsenseQa);
    for (got, want) in items.iter().zip(&csqa) {
        assert_eq!(essence(got), essence(want));
        assert_eq!(got.source_id, want.source_id);
    }

    // Rowan/hellaswag: label is a string there; the text layout's query is
    // "activity_label: ctx".
    let hellaswag = file_items(&shared, "hellaswag_val.txt.bz2");
    let rows: Vec<Value> = hellaswag[..100]
        .iter()
        .map(|item| {
            let (activity, ctx) = item.query.split_once(": ").unwrap();
            json!({"activity_label": activity, "ctx": ctx, "endings": item.choices, "label": item.gold_index().unwrap().to_string()})
        })
        .collect();
    let items = through_the_api(&rows, 0, &Layout::HfHellaSwag);
    for (got, want) in items.iter().zip(&hellaswag) {
        assert_eq!(essence(got), essence(want));
    }
}

#[test]
fn winogrande_sentences_rebuild_the_partial_contexts() {
    let Some(shared) = shared_dir("winogrande_sentences_rebuild_the_partial_contexts") else {
        return;
    };
    // allenai/winogrande rows are a sentence with a `_` blank: the blank-sentence query
    // this crate derives from the llm-foundry contexts must turn back into the very same
    // contexts and continuation, for every item.
    let winogrande = file_items(&shared, "winogrande.jsonl");
    let rows: Vec<Value> = winogrande
        .iter()
        .map(|item| {
            json!({"sentence": item.query, "option1": item.choices[0], "option2": item.choices[1],
                   "answer": (item.gold_index().unwrap() + 1).to_string()})
        })
        .collect();
    for (chunk_at, chunk) in rows.chunks(100).enumerate() {
        let items = through_the_api(chunk, chunk_at * 100, &Layout::HfWinogrande);
        for (got, want) in items.iter().zip(&winogrande[chunk_at * 100..]) {
            assert_eq!(got.kind, want.kind, "item {}", want.index);
            assert_eq!(got.index, want.index);
        }
    }
}

#[test]
fn urls_for_a_spec() {
    let TaskSpec::Hub(split) = TaskSpec::parse("hf:cais/mmlu/all/test").unwrap() else {
        panic!("not a hub spec");
    };
    let urls = split.page_urls(DEFAULT_BASE, 0, 14042);
    assert_eq!(urls.len(), 141);
    assert_eq!(
        urls[140],
        "https://datasets-server.huggingface.co/rows?dataset=cais/mmlu&config=all&split=test&offset=14000&length=42"
    );
    assert_eq!(split.known_layout(), Some(Layout::HfMmlu));
    let odd = HubSplit {
        dataset: "me/a b".into(),
        config: "x&y=z".into(),
        split: "train[:10%]".into(),
    };
    assert_eq!(
        odd.rows_url("http://localhost:9/", 5, 1),
        "http://localhost:9/rows?dataset=me/a%20b&config=x%26y%3Dz&split=train%5B%3A10%25%5D&offset=5&length=1"
    );
    // The format of a file spec and the layout of a hub row agree for the same data.
    assert_eq!(
        Format::from_name("hf-mmlu").unwrap(),
        Format::Jsonl(Layout::HfMmlu)
    );
}
