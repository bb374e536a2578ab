//! Checks of BPE merges before they reach the `tokenizers` crate.
//!
//! `tokenizers` builds its merge table in a buffer as long as the longest vocabulary
//! piece and slices into it, so a merge whose result is longer than every piece (or whose
//! second half is shorter than the continuing-subword prefix) panics there instead of
//! returning an error. Every merge is checked here first, which also gives messages that
//! name the merge.

use super::TokenizerError;
use std::collections::HashMap;

/// Parses `"left right"` merge lines against `vocab`: both halves and their concatenation
/// must be pieces of the vocabulary.
pub(super) fn merges<'a, S>(
    lines: impl IntoIterator<Item = &'a str>,
    vocab: &HashMap<String, u32, S>,
) -> Result<Vec<(String, String)>, TokenizerError>
where
    S: std::hash::BuildHasher,
{
    let mut parsed = Vec::new();
    for (index, line) in lines.into_iter().enumerate() {
        let bad = |reason: String| TokenizerError::BadMerge {
            index,
            merge: line.to_string(),
            reason,
        };
        let Some((left, right)) = line.split_once(' ') else {
            return Err(bad("it is not two pieces separated by a space".into()));
        };
        if right.contains(' ') {
            return Err(bad("it has more than two pieces".into()));
        }
        check_pair(left, right, "", |p| vocab.contains_key(p)).map_err(bad)?;
        parsed.push((left.to_string(), right.to_string()));
    }
    Ok(parsed)
}

/// Why `left` + `right` is not a merge of the vocabulary, if it is not.
fn check_pair(
    left: &str,
    right: &str,
    continuing_prefix: &str,
    in_vocab: impl Fn(&str) -> bool,
) -> Result<(), String> {
    if left.is_empty() || right.is_empty() {
        return Err("one of its pieces is empty".into());
    }
    for piece in [left, right] {
        if !in_vocab(piece) {
            return Err(format!("the piece {piece:?} is not in the vocabulary"));
        }
    }
    let Some(rest) = right.get(continuing_prefix.len()..) else {
        return Err(format!(
            "the second piece does not start with the continuing-subword prefix {continuing_prefix:?}"
        ));
    };
    let merged = format!("{left}{rest}");
    if !in_vocab(&merged) {
        return Err(format!(
            "the merged piece {merged:?} is not in the vocabulary"
        ));
    }
    Ok(())
}

/// Checks the parts of a `tokenizer.json` that the `tokenizers` crate trusts without
/// checking: BPE merges (as `"a b"` strings or `["a", "b"]` pairs) and the templates of a
/// `TemplateProcessing` post-processor. Anything else malformed is left to the
/// deserializer, which reports it.
pub(super) fn tokenizer_json(json: &serde_json::Value) -> Result<(), TokenizerError> {
    if let Some(processor) = json.get("post_processor") {
        post_processor(processor)?;
    }
    bpe_merges(json)
}

/// A `TemplateProcessing` indexes its special-token table by every name its templates use
/// and its `single` template by sequence A only; the crate panics when either is not so.
fn post_processor(processor: &serde_json::Value) -> Result<(), TokenizerError> {
    let bad = |why: String| TokenizerError::InvalidTokenizerJson(format!("post_processor: {why}"));
    match processor.get("type").and_then(|t| t.as_str()) {
        Some("Sequence") => {
            for inner in processor
                .get("processors")
                .and_then(|p| p.as_array())
                .into_iter()
                .flatten()
            {
                post_processor(inner)?;
            }
            Ok(())
        }
        Some("TemplateProcessing") => {
            let table = processor.get("special_tokens").and_then(|t| t.as_object());
            if let Some(table) = table {
                for (name, entry) in table {
                    let len = |key: &str| entry.get(key).and_then(|v| v.as_array()).map(Vec::len);
                    if len("ids") != len("tokens") {
                        return Err(bad(format!(
                            "special token {name:?} has a different number of ids and tokens"
                        )));
                    }
                }
            }
            for template in ["single", "pair"] {
                for piece in processor
                    .get(template)
                    .and_then(|t| t.as_array())
                    .into_iter()
                    .flatten()
                {
                    if let Some(name) = piece.pointer("/SpecialToken/id").and_then(|i| i.as_str())
                        && !table.is_some_and(|t| t.contains_key(name))
                    {
                        return Err(bad(format!(
                            "the {template} template uses special token {name:?}, which its special_tokens do not define"
                        )));
                    }
                    if template == "single"
                        && piece.pointer("/Sequence/id").and_then(|i| i.as_str()) == Some("B")
                    {
                        return Err(bad("the single template uses the second sequence $B".into()));
                    }
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn bpe_merges(json: &serde_json::Value) -> Result<(), TokenizerError> {
    let Some(model) = json.get("model") else {
        return Ok(());
    };
    let (Some(vocab), Some(merges)) = (
        model.get("vocab").and_then(|v| v.as_object()),
        model.get("merges").and_then(|m| m.as_array()),
    ) else {
        return Ok(());
    };
    let prefix = model
        .get("continuing_subword_prefix")
        .and_then(|p| p.as_str())
        .unwrap_or("");
    for (index, merge) in merges.iter().enumerate() {
        let pair = match merge {
            serde_json::Value::String(s) => s.split_once(' '),
            serde_json::Value::Array(a) => match a.as_slice() {
                [serde_json::Value::String(l), serde_json::Value::String(r)] => {
                    Some((l.as_str(), r.as_str()))
                }
                _ => None,
            },
            _ => None,
        };
        let bad = |reason: String| TokenizerError::BadMerge {
            index,
            merge: merge.to_string(),
            reason,
        };
        let Some((left, right)) = pair else {
            return Err(bad(
                "it is neither \"left right\" nor [\"left\", \"right\"]".into(),
            ));
        };
        check_pair(left, right, prefix, |p| vocab.contains_key(p)).map_err(bad)?;
    }
    Ok(())
}
