//! CSV files: MMLU's `question,choice0..3,answer` and any CSV through a field mapping.
//!
//! Records are parsed by the `csv` crate (MMLU has quoted fields with commas, quotes and
//! newlines); rows are located by the line they start on.

use serde_json::{Map, Value};

use super::fields::{gold_index, item};
use super::layout::{ChoiceFields, FieldMapping, Layout};
use crate::error::{Loaded, Location, ReadError, RowProblem};
use crate::item::{ItemKind, letter_index};

/// MMLU's columns, in order.
const MMLU_COLUMNS: [&str; 6] = [
    "question", "choice0", "choice1", "choice2", "choice3", "answer",
];

/// One parsed CSV record: its first line and its cells, or what went wrong.
type Record = (usize, Result<Vec<String>, RowProblem>);

/// Every record of a CSV file, header included. Cells that are not UTF-8 fail their row
/// only.
fn records(bytes: &[u8]) -> impl Iterator<Item = Record> + '_ {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut last_line = 0;
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
        .into_byte_records()
        .map(move |record| {
            let line = match &record {
                Ok(record) => record.position().map(|at| at.line()),
                Err(error) => error.position().map(|at| at.line()),
            }
            .and_then(|line| usize::try_from(line).ok())
            .unwrap_or(last_line + 1);
            last_line = line;
            let cells = record
                .map_err(|error| RowProblem::Csv(error.to_string()))
                .and_then(|record| {
                    record
                        .iter()
                        .map(|cell| {
                            String::from_utf8(cell.to_vec()).map_err(|_| RowProblem::NotUtf8)
                        })
                        .collect()
                });
            (line, cells)
        })
}

/// Whether a record is MMLU's header row (the original hendrycks files have none).
fn is_mmlu_header(cells: &[String]) -> bool {
    cells
        .first()
        .is_some_and(|first| first.trim().eq_ignore_ascii_case("question"))
        && cells
            .last()
            .is_some_and(|last| last.trim().eq_ignore_ascii_case("answer"))
}

/// Whether the bytes begin with MMLU's header, for format detection.
pub(crate) fn has_mmlu_header(bytes: &[u8]) -> bool {
    records(bytes)
        .next()
        .and_then(|(_, cells)| cells.ok())
        .is_some_and(|cells| cells.len() == MMLU_COLUMNS.len() && is_mmlu_header(&cells))
}

/// Reads an MMLU subject file, with or without the header row; the answer may be an index
/// (`0`-`3`) or a letter (`A`-`D`).
pub(crate) fn read_mmlu(bytes: &[u8]) -> Loaded {
    let mut loaded = Loaded::default();
    let mut index = 0;
    for (record_number, (line, cells)) in records(bytes).enumerate() {
        if record_number == 0 && cells.as_deref().is_ok_and(is_mmlu_header) {
            continue;
        }
        match cells.and_then(|cells| mmlu_item(index, cells)) {
            Ok(item) => loaded.items.push(item),
            Err(problem) => loaded.errors.push(problem.at(Location::Line(line))),
        }
        index += 1;
    }
    loaded
}

fn mmlu_item(index: usize, cells: Vec<String>) -> Result<crate::item::Item, RowProblem> {
    if let Some(missing) = MMLU_COLUMNS.get(cells.len()) {
        return Err(RowProblem::MissingField((*missing).to_string()));
    }
    if cells.len() > MMLU_COLUMNS.len() {
        return Err(RowProblem::ExtraColumns {
            expected: MMLU_COLUMNS.len(),
            found: cells.len(),
        });
    }
    let mut cells = cells.into_iter();
    let question = cells.next().unwrap_or_default();
    let choices: Vec<String> = cells.by_ref().take(4).collect();
    let answer = cells.next().unwrap_or_default();
    let answer = answer.trim();
    let gold = match answer.parse::<i64>() {
        Ok(number) => gold_index(number, choices.len(), "answer")?,
        Err(_) => {
            let mut chars = answer.chars();
            match (chars.next(), chars.next()) {
                (Some(letter), None) if letter.is_ascii_alphabetic() => {
                    letter_index(letter).filter(|at| *at < choices.len())
                }
                _ => None,
            }
            .ok_or_else(|| RowProblem::UnknownAnswer {
                field: "answer".into(),
                value: answer.to_string(),
            })?
        }
    };
    Ok(item(
        index,
        question,
        choices,
        ItemKind::MultipleChoice { gold },
    ))
}

/// Reads a CSV with a header row through a field mapping: each row becomes an object keyed
/// by the header, then goes through the generic layout (so JSONL and CSV map alike).
pub(crate) fn read_generic_csv(bytes: &[u8], mapping: &FieldMapping) -> Result<Loaded, ReadError> {
    let mut rows = records(bytes);
    let header = match rows.next() {
        Some((_, Ok(header))) => header,
        _ => return Err(ReadError::NoHeader),
    };
    let header: Vec<String> = header.iter().map(|name| name.trim().to_string()).collect();
    let mut needed = vec![&mapping.question, &mapping.answer];
    match &mapping.choices {
        ChoiceFields::List(field) => needed.push(field),
        ChoiceFields::Columns(columns) => needed.extend(columns),
        ChoiceFields::None => {}
    }
    needed.extend(mapping.context.iter().chain(mapping.id.iter()));
    if let Some(column) = needed.into_iter().find(|column| !header.contains(column)) {
        return Err(ReadError::MissingColumn {
            column: column.clone(),
            header: header.join(","),
        });
    }
    let layout = Layout::Generic(mapping.clone());
    let mut loaded = Loaded::default();
    for (index, (line, cells)) in rows.enumerate() {
        let row = cells.and_then(|cells| {
            if cells.len() > header.len() {
                return Err(RowProblem::ExtraColumns {
                    expected: header.len(),
                    found: cells.len(),
                });
            }
            let object: Map<String, Value> = header
                .iter()
                .cloned()
                .zip(cells.into_iter().map(Value::String))
                .collect();
            layout.item_from_row(&Value::Object(object), index)
        });
        match row {
            Ok(item) => loaded.items.push(item),
            Err(problem) => loaded.errors.push(problem.at(Location::Line(line))),
        }
    }
    Ok(loaded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mmlu_quoted_fields_and_letters() {
        let csv = "question,choice0,choice1,choice2,choice3,answer\n\
                   \"Is \"\"this\"\", a\nquestion?\",a,\"b, c\",d,e,B\n\
                   q2,0,1,2,3,0\n";
        let loaded = read_mmlu(csv.as_bytes());
        assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
        assert_eq!(loaded.items.len(), 2);
        assert_eq!(loaded.items[0].query, "Is \"this\", a\nquestion?");
        assert_eq!(loaded.items[0].choices[1], "b, c");
        assert_eq!(loaded.items[0].gold_index(), Some(1));
        // A numeric answer is an index even when the choices are numbers too.
        assert_eq!(loaded.items[1].gold_index(), Some(0));
        assert_eq!(loaded.items[1].index, 1);
    }

    #[test]
    fn mmlu_without_header_and_with_bad_rows() {
        let csv = "q1,a,b,c,d,3\nq2,a,b\nq3,a,b,c,d,4\nq4,a,b,c,d,1,extra\nq5,a,b,c,d,2\n";
        let loaded = read_mmlu(csv.as_bytes());
        assert_eq!(loaded.items.len(), 2);
        assert_eq!(loaded.items[1].index, 4);
        let shown: Vec<String> = loaded.errors.iter().map(ToString::to_string).collect();
        assert_eq!(shown[0], "line 2: missing field `choice2`");
        assert_eq!(
            shown[1],
            "line 3: field `answer`: gold index 4 is out of range for 4 choices"
        );
        assert_eq!(shown[2], "line 4: 7 columns, expected 6");
    }

    #[test]
    fn a_row_with_cells_not_utf8_is_skipped_and_named() {
        let mut csv = b"q1,a,b,c,d,3\nq2,".to_vec();
        csv.extend_from_slice(b"\xFF\xFE,b,c,d,1\nq3,a,b,c,d,2\n");
        let loaded = read_mmlu(&csv);
        assert_eq!(loaded.items.len(), 2, "the other rows load");
        let shown: Vec<String> = loaded.errors.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["line 2: not UTF-8 text"]);
    }

    #[test]
    fn generic_csv_maps_columns() {
        let csv = "id,prompt,o1,o2,o3,key\nx1,Sky?,red,blue,green,blue\nx2,Grass?,red,blue,green,C\nx3,Short?,red\n";
        let mapping = FieldMapping {
            question: "prompt".into(),
            choices: ChoiceFields::Columns(vec!["o1".into(), "o2".into(), "o3".into()]),
            answer: "key".into(),
            id: Some("id".into()),
            ..FieldMapping::default()
        };
        let loaded = read_generic_csv(csv.as_bytes(), &mapping).unwrap();
        assert_eq!(loaded.items.len(), 2);
        assert_eq!(loaded.items[0].gold_index(), Some(1));
        assert_eq!(loaded.items[1].gold_index(), Some(2));
        assert_eq!(loaded.items[1].source_id.as_deref(), Some("x2"));
        assert_eq!(loaded.errors.len(), 1);
        assert_eq!(loaded.errors[0].location, Location::Line(4));
        assert_eq!(loaded.errors[0].field(), Some("o2"));

        let missing = FieldMapping {
            question: "nope".into(),
            ..mapping
        };
        assert!(matches!(
            read_generic_csv(csv.as_bytes(), &missing),
            Err(ReadError::MissingColumn { column, .. }) if column == "nope"
        ));
        assert_eq!(
            read_generic_csv(b"", &FieldMapping::default()),
            Err(ReadError::NoHeader)
        );
    }
}
