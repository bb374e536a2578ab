//! Diagnostic sets a user brings: JSON Lines, one item per line.
//!
//! Each line is an object with `question` (a string), `options` (2 to 26 distinct
//! strings), `answer` (the option's text, its letter `"A"`.. or `"(A)"`, or its 0-based
//! index as a number or digits), `ability` (the snake name or the label, any case), and
//! optionally `context` (a string; absent or null means none). Other fields are ignored.
//! A bad line becomes a [`RowError`](crate::RowError) naming the line and the field while
//! the other lines still load; nothing here panics, whatever the bytes.

use serde_json::Value;

use super::{Ability, DiagnosticItem};
use crate::error::{Loaded, Location, RowError, RowProblem};
use crate::readers::fields::{AnswerEncoding, answer_index, lookup, string, string_list};

/// What [`read_jsonl`] made of a file: the items that loaded and one error per line that
/// did not (the crate's [`Loaded`], for diagnostic items).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoadedDiagnostics {
    /// The items, in file order.
    pub items: Vec<DiagnosticItem>,
    /// 1-based line numbers of the items, parallel to `items` (for reports that point
    /// back into the file).
    pub lines: Vec<usize>,
    /// The lines that could not become items, in file order.
    pub errors: Vec<RowError>,
}

impl LoadedDiagnostics {
    /// The items of one ability, in file order.
    pub fn of(&self, ability: Ability) -> Vec<DiagnosticItem> {
        self.items
            .iter()
            .filter(|item| item.ability == ability)
            .cloned()
            .collect()
    }

    /// As the crate's [`Loaded`]: multiple-choice [`crate::Item`]s with the ability as
    /// their subset and their position among the file's data lines as their index.
    pub fn into_loaded(self) -> Loaded {
        let mut loaded = Loaded {
            items: Vec::with_capacity(self.items.len()),
            errors: self.errors,
        };
        for (at, item) in self.items.iter().enumerate() {
            // Items here passed `check`, so the conversion cannot fail; should it, the
            // error is reported rather than lost.
            let line = self.lines.get(at).copied().unwrap_or(0);
            match item.to_item(at) {
                Ok(converted) => loaded.items.push(converted),
                Err(problem) => loaded.errors.push(problem.at(Location::Line(line))),
            }
        }
        loaded
    }
}

/// The names [`Ability::from_name`] accepts, for the error of a row that names none.
const ABILITY_EXPECTED: &str = "one of analogical, commonsense_causal, contextual_recall, deductive, inductive, long_term_knowledge, quantitative, semantic_relationship, spatial, temporal (or its label)";

/// Reads a diagnostic set from JSON Lines bytes. Blank lines are skipped; a UTF-8
/// byte-order mark is dropped; a line that is not UTF-8, not JSON, not an object, or
/// lacks a field becomes an error at its line number.
///
/// ```
/// use mechscope_tasks::diagnostics::{Ability, read_jsonl};
///
/// let file = br#"{"question": "2 + 2?", "options": ["3", "4", "5", "6"], "answer": "4", "ability": "quantitative"}
/// {"question": "Capital of Peru?", "options": ["Lima", "Quito"], "answer": "A", "ability": "Long-term knowledge"}
/// {"question": "Who?", "options": ["a", "b"], "ability": "deductive"}
/// "#;
/// let loaded = read_jsonl(file);
/// assert_eq!(loaded.items.len(), 2);
/// assert_eq!(loaded.items[1].answer, "Lima");
/// assert_eq!(loaded.items[1].ability, Ability::LongTermKnowledge);
/// assert_eq!(loaded.errors[0].to_string(), "line 3: missing field `answer`");
/// ```
pub fn read_jsonl(bytes: &[u8]) -> LoadedDiagnostics {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut loaded = LoadedDiagnostics::default();
    for (at, line) in bytes.split(|byte| *byte == b'\n').enumerate() {
        let line_number = at + 1;
        let line = line.trim_ascii();
        if line.is_empty() {
            continue;
        }
        match item_from_line(line) {
            Ok(item) => {
                loaded.items.push(item);
                loaded.lines.push(line_number);
            }
            Err(problem) => loaded.errors.push(problem.at(Location::Line(line_number))),
        }
    }
    loaded
}

/// Diagnostic sequences a user gives as token ids: JSON Lines of
/// `{"ability": NAME, "ids": [...]}`, each an already formatted training sequence (the
/// chat rendered and tokenised elsewhere, as `../shared/fixtures/ais_smollm2.json`
/// gives them).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoadedTokenDiagnostics {
    /// Each ability that has lines, in the order first seen, with its sequences in file
    /// order.
    pub sets: Vec<(Ability, Vec<Vec<u32>>)>,
    /// The lines that could not be read, in file order.
    pub errors: Vec<RowError>,
}

/// Whether JSONL bytes hold token-id sequences ([`read_token_jsonl`]) rather than
/// items ([`read_jsonl`]): the first data line is an object with an `ids` field.
///
/// ```
/// use mechscope_tasks::diagnostics::is_token_jsonl;
/// assert!(is_token_jsonl(b"\n{\"ability\": \"spatial\", \"ids\": [1, 2]}\n"));
/// assert!(!is_token_jsonl(b"{\"question\": \"q\"}"));
/// assert!(!is_token_jsonl(b"\xff"));
/// ```
pub fn is_token_jsonl(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    bytes
        .split(|byte| *byte == b'\n')
        .map(<[u8]>::trim_ascii)
        .find(|line| !line.is_empty())
        .and_then(|line| serde_json::from_slice::<Value>(line).ok())
        .is_some_and(|row| row.get("ids").is_some())
}

/// Reads token-id diagnostic sequences. A line that is not JSON, names no known
/// ability, or whose `ids` is not an array of at least two token ids (one predicted
/// token at least) becomes an error at its line; the others load.
///
/// ```
/// use mechscope_tasks::diagnostics::{Ability, read_token_jsonl};
///
/// let file = br#"{"ability": "quantitative", "ids": [1, 9690, 198]}
/// {"ability": "Spatial", "ids": [5, 6]}
/// {"ability": "quantitative", "ids": [7]}
/// {"ability": "quantitative", "ids": [-1, 4]}
/// "#;
/// let loaded = read_token_jsonl(file);
/// assert_eq!(loaded.sets[0], (Ability::Quantitative, vec![vec![1, 9690, 198]]));
/// assert_eq!(loaded.sets[1].0, Ability::Spatial);
/// assert_eq!(loaded.errors.len(), 2);
/// assert_eq!(
///     loaded.errors[0].to_string(),
///     "line 3: field `ids` should be an array of at least two token ids (integers from 0 to 4294967295)"
/// );
/// ```
pub fn read_token_jsonl(bytes: &[u8]) -> LoadedTokenDiagnostics {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut loaded = LoadedTokenDiagnostics::default();
    for (at, line) in bytes.split(|byte| *byte == b'\n').enumerate() {
        let line = line.trim_ascii();
        if line.is_empty() {
            continue;
        }
        match sequence_from_line(line) {
            Ok((ability, ids)) => match loaded.sets.iter_mut().find(|(a, _)| *a == ability) {
                Some((_, sequences)) => sequences.push(ids),
                None => loaded.sets.push((ability, vec![ids])),
            },
            Err(problem) => loaded.errors.push(problem.at(Location::Line(at + 1))),
        }
    }
    loaded
}

fn sequence_from_line(line: &[u8]) -> Result<(Ability, Vec<u32>), RowProblem> {
    let text = std::str::from_utf8(line).map_err(|_| RowProblem::NotUtf8)?;
    let row: Value =
        serde_json::from_str(text).map_err(|error| RowProblem::BadJson(error.to_string()))?;
    if !row.is_object() {
        return Err(RowProblem::NotAnObject);
    }
    let ability =
        Ability::from_name(&string(&row, "ability")?).map_err(|_| RowProblem::WrongType {
            field: "ability".into(),
            expected: ABILITY_EXPECTED,
        })?;
    let wrong = || RowProblem::WrongType {
        field: "ids".into(),
        expected: "an array of at least two token ids (integers from 0 to 4294967295)",
    };
    let ids = match lookup(&row, "ids") {
        None => return Err(RowProblem::MissingField("ids".into())),
        Some(Value::Array(values)) => values
            .iter()
            .map(|v| v.as_u64().and_then(|id| u32::try_from(id).ok()))
            .collect::<Option<Vec<u32>>>()
            .ok_or_else(wrong)?,
        Some(_) => return Err(wrong()),
    };
    if ids.len() < 2 {
        return Err(wrong());
    }
    Ok((ability, ids))
}

fn item_from_line(line: &[u8]) -> Result<DiagnosticItem, RowProblem> {
    let text = std::str::from_utf8(line).map_err(|_| RowProblem::NotUtf8)?;
    let row: Value =
        serde_json::from_str(text).map_err(|error| RowProblem::BadJson(error.to_string()))?;
    if !row.is_object() {
        return Err(RowProblem::NotAnObject);
    }
    item_from_row(&row)
}

/// One JSON object as a checked diagnostic item.
fn item_from_row(row: &Value) -> Result<DiagnosticItem, RowProblem> {
    let context = match lookup(row, "context") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(_) => {
            return Err(RowProblem::WrongType {
                field: "context".into(),
                expected: "a string",
            });
        }
    };
    let question = string(row, "question")?;
    let options = string_list(row, "options")?;
    let ability_name = string(row, "ability")?;
    let ability = Ability::from_name(&ability_name).map_err(|_| RowProblem::WrongType {
        field: "ability".into(),
        expected: ABILITY_EXPECTED,
    })?;
    // The shape of the options first, so that an answer is matched against valid ones.
    let mut item = DiagnosticItem {
        context,
        question,
        answer: options.first().cloned().unwrap_or_default(),
        options,
        ability,
    };
    item.check()?;
    let gold = answer_index(row, "answer", &item.options, AnswerEncoding::Auto)?;
    item.answer = item
        .options
        .get(gold)
        .cloned()
        .ok_or_else(|| RowProblem::GoldOutOfRange {
            field: "answer".into(),
            gold: gold as i64,
            n_choices: item.options.len(),
        })?;
    Ok(item)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_by_text_letter_and_index() {
        let file =
            br#"{"question": "q", "options": ["x", "y", "z"], "answer": "z", "ability": "spatial"}
{"question": "q", "options": ["x", "y", "z"], "answer": "(b)", "ability": "spatial"}
{"question": "q", "options": ["x", "y", "z"], "answer": 0, "ability": "spatial"}
{"question": "q", "options": ["x", "y", "z"], "answer": "2", "ability": "spatial"}
"#;
        let loaded = read_jsonl(file);
        assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
        let answers: Vec<&str> = loaded.items.iter().map(|i| i.answer.as_str()).collect();
        assert_eq!(answers, ["z", "y", "x", "z"]);
        assert_eq!(loaded.lines, [1, 2, 3, 4]);
    }

    #[test]
    fn options_must_be_distinct_and_answerable() {
        let file =
            br#"{"question": "q", "options": ["x", "x"], "answer": "x", "ability": "spatial"}
{"question": "q", "options": ["x"], "answer": "x", "ability": "spatial"}
{"question": " ", "options": ["x", "y"], "answer": "x", "ability": "spatial"}
{"question": "q", "options": ["x", "y"], "answer": 5, "ability": "spatial"}
"#;
        let loaded = read_jsonl(file);
        assert!(loaded.items.is_empty());
        let fields: Vec<Option<&str>> = loaded.errors.iter().map(RowError::field).collect();
        assert_eq!(
            fields,
            [
                Some("options"),
                Some("options"),
                Some("question"),
                Some("answer")
            ]
        );
    }
}
