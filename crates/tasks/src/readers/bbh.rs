//! BIG-Bench-Hard task files: one JSON document `{examples: [{input, target}], ...}`.

use serde_json::Value;

use super::layout::Layout;
use crate::error::{Loaded, Location, ReadError};

/// Reads a BBH task file. The document must parse (else there is nothing to load); a bad
/// example becomes an error at its 1-based position and the others still load.
pub(crate) fn read_bbh(bytes: &[u8]) -> Result<Loaded, ReadError> {
    let document: Value =
        serde_json::from_slice(bytes).map_err(|error| ReadError::Json(error.to_string()))?;
    let examples = document
        .get("examples")
        .and_then(Value::as_array)
        .ok_or_else(|| ReadError::MissingField("examples".into()))?;
    let mut loaded = Loaded::default();
    for (index, example) in examples.iter().enumerate() {
        match Layout::Bbh.item_from_row(example, index) {
            Ok(item) => loaded.items.push(item),
            Err(problem) => loaded.errors.push(problem.at(Location::Example(index + 1))),
        }
    }
    Ok(loaded)
}
