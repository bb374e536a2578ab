//! Every benchmark reader of `mechscope_tasks` on arbitrary bytes. The first byte picks
//! the reader, the rest is the file:
//!
//! - each named format of `readers::NAMES` (JSONL layouts, MMLU and generic CSV,
//!   HellaSwag text or bzip2, BBH JSON) through `readers::read`;
//! - format detection by file name and content through `readers::load`;
//! - the datasets-server rows API (`hub::parse_rows_response`, then `items_from_rows`
//!   in every JSONL layout);
//! - the AIS diagnostic readers (questions and token ids).
//!
//! Items that load are then turned into prompts and scored, as a run would.
//!
//! Invariants: nothing panics; every loaded item's gold answer is one of its choices.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mechscope_tasks::readers::{self, Format, NAMES};
use mechscope_tasks::{Item, diagnostics, hub, prompt, score};

const DETECT_NAMES: &[&str] = &[
    "data.jsonl",
    "data.csv",
    "mmlu/test/anatomy_test.csv",
    "bbh/navigate.json",
    "hellaswag_val.txt",
    "data.bin",
];

fn check(items: &[Item]) {
    for item in items {
        if let Some(gold) = item.gold_index() {
            assert!(
                gold < item.choices.len(),
                "gold {gold} of {:?}",
                item.choices
            );
        }
        let _ = prompt::user_message(item);
        let _ = prompt::plain_prompt(item);
        let _ = prompt::loglik_requests(item);
        let gold_response = prompt::gold_response(item);
        let _ = score::score(item, &gold_response);
        let _ = score::score(item, "The answer is (B) 42.");
        let _ = item.chance_accuracy();
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let selector = usize::from(selector);
    let formats: Vec<Format> = NAMES
        .iter()
        .filter_map(|(name, _)| Format::from_name(name).ok())
        .collect();
    let n_formats = formats.len();
    let n_detect = DETECT_NAMES.len();
    if let Some(format) = formats.get(selector) {
        if let Ok(loaded) = readers::read(format, bytes) {
            check(&loaded.items);
        }
    } else if let Some(name) = DETECT_NAMES.get(selector - n_formats) {
        if let Ok((_, loaded)) = readers::load(name, bytes, None) {
            check(&loaded.items);
        }
    } else if selector == n_formats + n_detect {
        if let Ok(page) = hub::parse_rows_response(bytes) {
            for format in &formats {
                if let Format::Jsonl(layout) = format {
                    check(&hub::items_from_rows(&page.rows, layout).items);
                }
            }
        }
    } else if selector == n_formats + n_detect + 1 {
        let loaded = diagnostics::read_jsonl(bytes);
        for item in &loaded.items {
            let _ = (item.user_message(), item.assistant_message(), item.check());
        }
        check(&loaded.into_loaded().items);
    } else {
        let _ = diagnostics::read_token_jsonl(bytes);
        let _ = diagnostics::is_token_jsonl(bytes);
    }
});
