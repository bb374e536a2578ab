//! Typed access to the fields of one JSON row, with errors that name the field.
//!
//! Shared by every JSON-shaped layout (JSONL files, BBH examples, hub rows, CSV rows
//! turned into objects) so that "missing field `gold`" reads the same everywhere.

use serde_json::Value;

use crate::error::RowProblem;
use crate::item::{Item, ItemKind, MAX_CHOICES, letter_index};

/// The value at `path`: the key itself if the object has it, else a dotted path
/// (`question.stem`) walked through nested objects.
pub(crate) fn lookup<'a>(row: &'a Value, path: &str) -> Option<&'a Value> {
    if let Some(value) = row.get(path) {
        return Some(value);
    }
    if !path.contains('.') {
        return None;
    }
    path.split('.').try_fold(row, |value, key| value.get(key))
}

/// A required string field.
pub(crate) fn string(row: &Value, field: &str) -> Result<String, RowProblem> {
    match lookup(row, field) {
        None | Some(Value::Null) => Err(RowProblem::MissingField(field.to_string())),
        Some(Value::String(text)) => Ok(text.clone()),
        Some(_) => Err(RowProblem::WrongType {
            field: field.to_string(),
            expected: "a string",
        }),
    }
}

/// A required string field that may also be given as a number (answers in CSV-born or
/// loosely typed data); numbers are written back as JSON writes them.
pub(crate) fn text_or_number(row: &Value, field: &str) -> Result<String, RowProblem> {
    match lookup(row, field) {
        None | Some(Value::Null) => Err(RowProblem::MissingField(field.to_string())),
        Some(Value::String(text)) => Ok(text.clone()),
        Some(Value::Number(number)) => Ok(number.to_string()),
        Some(_) => Err(RowProblem::WrongType {
            field: field.to_string(),
            expected: "a string or a number",
        }),
    }
}

/// An optional string field: absent, null or not a string gives `None`.
pub(crate) fn optional_string(row: &Value, field: &str) -> Option<String> {
    lookup(row, field).and_then(|value| match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    })
}

/// A required array of strings.
pub(crate) fn string_list(row: &Value, field: &str) -> Result<Vec<String>, RowProblem> {
    let wrong = || RowProblem::WrongType {
        field: field.to_string(),
        expected: "an array of strings",
    };
    match lookup(row, field) {
        None | Some(Value::Null) => Err(RowProblem::MissingField(field.to_string())),
        Some(Value::Array(values)) => values
            .iter()
            .map(|value| value.as_str().map(str::to_string).ok_or_else(wrong))
            .collect(),
        Some(_) => Err(wrong()),
    }
}

/// A required integer, given as a JSON integer or as a string of digits (Hugging Face
/// stores some labels as strings: HellaSwag's `"3"`).
pub(crate) fn integer(row: &Value, field: &str) -> Result<i64, RowProblem> {
    let wrong = || RowProblem::WrongType {
        field: field.to_string(),
        expected: "an integer",
    };
    match lookup(row, field) {
        None | Some(Value::Null) => Err(RowProblem::MissingField(field.to_string())),
        Some(Value::Number(number)) => number.as_i64().ok_or_else(wrong),
        Some(Value::String(text)) if text.trim().is_empty() => {
            Err(RowProblem::MissingField(field.to_string()))
        }
        Some(Value::String(text)) => text.trim().parse::<i64>().map_err(|_| wrong()),
        Some(_) => Err(wrong()),
    }
}

/// `gold` as an index into `n_choices` choices.
pub(crate) fn gold_index(gold: i64, n_choices: usize, field: &str) -> Result<usize, RowProblem> {
    usize::try_from(gold)
        .ok()
        .filter(|index| *index < n_choices)
        .ok_or_else(|| RowProblem::GoldOutOfRange {
            field: field.to_string(),
            gold,
            n_choices,
        })
}

/// Rejects choice lists that cannot be offered as lettered options.
pub(crate) fn check_choice_count(n: usize, field: &str) -> Result<(), RowProblem> {
    if (2..=MAX_CHOICES).contains(&n) {
        Ok(())
    } else {
        Err(RowProblem::ChoiceCount {
            field: field.to_string(),
            n,
        })
    }
}

/// The index of the choice whose label equals `key` (CommonsenseQA's and ARC's
/// `answerKey` against `choices.label`).
pub(crate) fn label_position(
    labels: &[String],
    key: &str,
    field: &str,
) -> Result<usize, RowProblem> {
    labels
        .iter()
        .position(|label| label.trim() == key.trim())
        .ok_or_else(|| RowProblem::UnknownAnswer {
            field: field.to_string(),
            value: key.to_string(),
        })
}

/// How a generic layout's answer field names the gold choice.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerEncoding {
    /// Decide per value: a JSON number is a 0-based index; a string is matched against
    /// the choices' text first, then read as a letter (`"B"`, `"(B)"`), then as a 0-based
    /// index (`"1"`). Text first because choices like `["1", "2", "3"]` exist.
    #[default]
    Auto,
    /// A 0-based index (number or digits).
    Index,
    /// A letter `A`..`Z` (or `(A)`), case-insensitive.
    Letter,
    /// The text of the correct choice, compared after trimming.
    Text,
}

/// The gold choice index named by the value at `field`, read as `encoding` says.
pub(crate) fn answer_index(
    row: &Value,
    field: &str,
    choices: &[String],
    encoding: AnswerEncoding,
) -> Result<usize, RowProblem> {
    let unknown = |value: &str| RowProblem::UnknownAnswer {
        field: field.to_string(),
        value: value.to_string(),
    };
    let by_index =
        || -> Result<usize, RowProblem> { gold_index(integer(row, field)?, choices.len(), field) };
    let raw = match lookup(row, field) {
        None | Some(Value::Null) => return Err(RowProblem::MissingField(field.to_string())),
        Some(Value::Number(_)) if encoding != AnswerEncoding::Text => return by_index(),
        Some(Value::Number(number)) => number.to_string(),
        Some(Value::String(text)) => text.trim().to_string(),
        Some(_) => {
            return Err(RowProblem::WrongType {
                field: field.to_string(),
                expected: "a number or a string",
            });
        }
    };
    let by_text = || choices.iter().position(|choice| choice.trim() == raw);
    let by_letter = || {
        let inner = raw
            .strip_prefix('(')
            .and_then(|rest| rest.strip_suffix(')'))
            .unwrap_or(&raw);
        let mut chars = inner.chars();
        match (chars.next(), chars.next()) {
            (Some(letter), None) if letter.is_ascii_alphabetic() => {
                letter_index(letter).filter(|index| *index < choices.len())
            }
            _ => None,
        }
    };
    match encoding {
        AnswerEncoding::Text => by_text().ok_or_else(|| unknown(&raw)),
        AnswerEncoding::Letter => by_letter().ok_or_else(|| unknown(&raw)),
        AnswerEncoding::Index => by_index(),
        AnswerEncoding::Auto => match by_text().or_else(by_letter) {
            Some(index) => Ok(index),
            None if raw.parse::<i64>().is_ok() => by_index(),
            None => Err(unknown(&raw)),
        },
    }
}

/// An item with the fields every layout sets; the layout fills in the rest.
pub(crate) fn item(index: usize, query: String, choices: Vec<String>, kind: ItemKind) -> Item {
    Item {
        index,
        source_id: None,
        subset: None,
        query,
        context: None,
        choices,
        kind,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lookup_walks_dotted_paths_but_prefers_the_literal_key() {
        let row = json!({"question": {"stem": "s"}, "a.b": 1});
        assert_eq!(lookup(&row, "question.stem"), Some(&json!("s")));
        assert_eq!(lookup(&row, "a.b"), Some(&json!(1)));
        assert_eq!(lookup(&row, "question.nope"), None);
        assert_eq!(lookup(&json!([1, 2]), "x"), None);
    }

    #[test]
    fn integers_from_numbers_and_digit_strings() {
        let row = json!({"a": 3, "b": " 2 ", "c": "x", "d": 1.5, "e": ""});
        assert_eq!(integer(&row, "a"), Ok(3));
        assert_eq!(integer(&row, "b"), Ok(2));
        assert!(matches!(
            integer(&row, "c"),
            Err(RowProblem::WrongType { .. })
        ));
        assert!(matches!(
            integer(&row, "d"),
            Err(RowProblem::WrongType { .. })
        ));
        assert_eq!(
            integer(&row, "e"),
            Err(RowProblem::MissingField("e".into()))
        );
        assert_eq!(
            integer(&row, "z"),
            Err(RowProblem::MissingField("z".into()))
        );
    }

    #[test]
    fn answers_by_index_letter_and_text() {
        let choices: Vec<String> = ["red", "2", "blue"].map(String::from).to_vec();
        let pick = |value: Value, encoding| {
            answer_index(&json!({ "ans": value }), "ans", &choices, encoding)
        };
        assert_eq!(pick(json!(2), AnswerEncoding::Auto), Ok(2));
        assert_eq!(pick(json!("blue"), AnswerEncoding::Auto), Ok(2));
        assert_eq!(pick(json!("B"), AnswerEncoding::Auto), Ok(1));
        assert_eq!(pick(json!("(c)"), AnswerEncoding::Letter), Ok(2));
        // Text before index: "2" is the text of choice 1, not index 2.
        assert_eq!(pick(json!("2"), AnswerEncoding::Auto), Ok(1));
        assert_eq!(pick(json!("2"), AnswerEncoding::Index), Ok(2));
        assert_eq!(pick(json!("0"), AnswerEncoding::Auto), Ok(0));
        assert!(matches!(
            pick(json!(3), AnswerEncoding::Auto),
            Err(RowProblem::GoldOutOfRange {
                gold: 3,
                n_choices: 3,
                ..
            })
        ));
        assert!(matches!(
            pick(json!(-1), AnswerEncoding::Index),
            Err(RowProblem::GoldOutOfRange { gold: -1, .. })
        ));
        assert!(matches!(
            pick(json!("green"), AnswerEncoding::Auto),
            Err(RowProblem::UnknownAnswer { .. })
        ));
        assert!(matches!(
            pick(json!("D"), AnswerEncoding::Letter),
            Err(RowProblem::UnknownAnswer { .. })
        ));
    }
}
