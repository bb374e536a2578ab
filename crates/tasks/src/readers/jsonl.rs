//! JSON Lines: one row per line, each turned into an item by a [`Layout`].

use serde_json::Value;

use super::layout::Layout;
use crate::error::{Loaded, Location, RowProblem};

/// The non-blank lines of a JSONL file with their 1-based line numbers; a UTF-8 byte-order
/// mark on the first line is dropped (editors on Windows add one).
fn data_lines(bytes: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    bytes
        .split(|byte| *byte == b'\n')
        .enumerate()
        .map(|(at, line)| (at + 1, line.trim_ascii()))
        .filter(|(_, line)| !line.is_empty())
}

/// Reads every line with `layout`; a bad line becomes an error at its line number and
/// the others still load. Item indices count data lines, bad ones included.
pub(crate) fn read_jsonl(bytes: &[u8], layout: &Layout) -> Loaded {
    let mut loaded = Loaded::default();
    for (index, (line_number, line)) in data_lines(bytes).enumerate() {
        let row = serde_json::from_slice::<Value>(line)
            .map_err(|error| RowProblem::BadJson(error.to_string()))
            .and_then(|row| layout.item_from_row(&row, index));
        match row {
            Ok(item) => loaded.items.push(item),
            Err(problem) => loaded.errors.push(problem.at(Location::Line(line_number))),
        }
    }
    loaded
}

/// The first line that parses as a JSON object, for guessing a file's layout.
pub(crate) fn first_object(bytes: &[u8]) -> Option<Value> {
    data_lines(bytes)
        .take(16)
        .filter_map(|(_, line)| serde_json::from_slice::<Value>(line).ok())
        .find(Value::is_object)
}
