//! A sharded checkpoint's `model.safetensors.index.json` from arbitrary bytes.
//!
//! Invariants: nothing panics; a parsed index finds every shard it names among its own
//! shard list, and maps every tensor to one of them.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mechscope_formats::safetensors::ShardedIndex;

fuzz_target!(|data: &[u8]| {
    let Ok(index) = ShardedIndex::parse(data) else {
        return;
    };
    let shards = index.shard_files();
    assert!(index.check_shards_present(shards.iter().copied()).is_ok());
    for tensor in index.weight_map().keys() {
        let shard = index.shard_of(tensor).expect("a listed tensor has a shard");
        assert!(shards.contains(&shard));
    }
    let _ = index.total_size_bytes();
    if let Some(first) = shards.first() {
        let rest = shards.iter().copied().filter(|s| s != first);
        assert!(index.check_shards_present(rest).is_err());
    }
});
