//! The hub's file listing (`api/models/{repo}/revision/{rev}`) and repo ids from
//! arbitrary bytes.
//!
//! Invariants: nothing panics; what `layout` picks is among the listed files; a repo id
//! that parses builds URLs without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mechscope_formats::hub::{RepoLayout, RepoListing, RepoRef, SafetensorsWeights};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(repo) = RepoRef::parse(text)
    {
        let _ = repo.listing_url("https://hub.invalid");
        let _ = repo.file_url("https://hub.invalid", "config.json");
    }
    let Ok(listing) = RepoListing::parse(data) else {
        return;
    };
    let listed = |name: &str| listing.file(name).is_some();
    for file in listing.gguf_files() {
        assert!(listed(&file.name));
    }
    match listing.layout() {
        Ok(RepoLayout::Safetensors {
            config,
            tokenizer,
            weights,
            ..
        }) => {
            assert!(listed(&config.name) && listed(&tokenizer.name));
            match weights {
                SafetensorsWeights::Single(file) => assert!(listed(&file.name)),
                SafetensorsWeights::Sharded { index } => assert!(listed(&index.name)),
            }
        }
        Ok(RepoLayout::Gguf { files }) => {
            assert!(files.iter().all(|f| listed(&f.name)));
        }
        Err(_) => {}
    }
});
