//! One converter per row layout: a JSON object in, an [`Item`] or the field that is
//! wrong out. [`Layout::item_from_row`](super::Layout::item_from_row) picks the converter.

use serde_json::Value;

use super::fields::{
    self, AnswerEncoding, answer_index, check_choice_count, gold_index, integer, item,
    label_position, optional_string, string, string_list,
};
use super::layout::{ChoiceFields, FieldMapping};
use crate::error::RowProblem;
use crate::item::{Item, ItemKind};

pub(super) fn llm_foundry(row: &Value, index: usize) -> Result<Item, RowProblem> {
    let query = string(row, "query")?;
    let choices = string_list(row, "choices")?;
    check_choice_count(choices.len(), "choices")?;
    let gold = gold_index(integer(row, "gold")?, choices.len(), "gold")?;
    Ok(item(
        index,
        query,
        choices,
        ItemKind::MultipleChoice { gold },
    ))
}

pub(super) fn llm_foundry_partial(row: &Value, index: usize) -> Result<Item, RowProblem> {
    let context_options = string_list(row, "context_options")?;
    check_choice_count(context_options.len(), "context_options")?;
    let continuation = string(row, "continuation")?;
    let gold = gold_index(integer(row, "gold")?, context_options.len(), "gold")?;
    let (query, choices) = blank_sentence(&context_options, &continuation);
    Ok(item(
        index,
        query,
        choices,
        ItemKind::Partial {
            context_options,
            continuation,
            gold,
        },
    ))
}

/// Rebuilds a fill-in-the-blank sentence from partial-scoring contexts, for chat prompts:
/// the contexts share a prefix and end in the option, so the options are what follows
/// the shared prefix (cut back to a word start: "the pen" / "the pencil" are options
/// "pen" / "pencil", not "" / "cil"), and the query is `prefix + "_" + continuation`.
/// Contexts that do not differ in their last words keep their full text as choices.
fn blank_sentence(contexts: &[String], continuation: &str) -> (String, Vec<String>) {
    let first = contexts.first().map(String::as_str).unwrap_or("");
    let mut shared = first.len();
    for (at, ch) in first.char_indices() {
        let all_share = contexts
            .iter()
            .all(|other| other.get(at..).is_some_and(|rest| rest.starts_with(ch)));
        if !all_share {
            shared = at;
            break;
        }
    }
    let prefix = first
        .get(..shared)
        .unwrap_or("")
        .trim_end_matches(char::is_alphanumeric);
    let options: Vec<String> = contexts
        .iter()
        .map(|context| context.get(prefix.len()..).unwrap_or("").to_string())
        .collect();
    if options.iter().any(String::is_empty) {
        return (continuation.to_string(), contexts.to_vec());
    }
    let gap = if continuation.starts_with(char::is_alphanumeric) {
        " "
    } else {
        ""
    };
    (format!("{prefix}_{gap}{continuation}"), options)
}

pub(super) fn commonsense_qa(row: &Value, index: usize) -> Result<Item, RowProblem> {
    let stem = string(row, "question.stem")?;
    let listed = match fields::lookup(row, "question.choices") {
        Some(Value::Array(listed)) => listed,
        Some(_) => {
            return Err(RowProblem::WrongType {
                field: "question.choices".into(),
                expected: "an array of {label, text}",
            });
        }
        None => return Err(RowProblem::MissingField("question.choices".into())),
    };
    let mut labels = Vec::with_capacity(listed.len());
    let mut choices = Vec::with_capacity(listed.len());
    for choice in listed {
        labels.push(string(choice, "label").map_err(|_| RowProblem::WrongType {
            field: "question.choices.label".into(),
            expected: "a string label on every choice",
        })?);
        choices.push(string(choice, "text").map_err(|_| RowProblem::WrongType {
            field: "question.choices.text".into(),
            expected: "a string text on every choice",
        })?);
    }
    check_choice_count(choices.len(), "question.choices")?;
    let key = string(row, "answerKey")?;
    let gold = label_position(&labels, &key, "answerKey")?;
    let mut built = item(index, stem, choices, ItemKind::MultipleChoice { gold });
    built.source_id = optional_string(row, "id");
    Ok(built)
}

/// The final answer of a GSM8K solution: what follows the last `#### `, commas removed.
fn gsm8k_final_answer(solution: &str) -> Option<String> {
    let (_, tail) = solution.rsplit_once("#### ")?;
    let answer: String = tail.trim().chars().filter(|c| *c != ',').collect();
    (!answer.is_empty()).then_some(answer)
}

pub(super) fn gsm8k(row: &Value, index: usize) -> Result<Item, RowProblem> {
    let question = string(row, "question")?;
    let solution = string(row, "answer")?;
    let gold = gsm8k_final_answer(&solution).ok_or(RowProblem::NoFinalAnswer("answer".into()))?;
    Ok(item(
        index,
        question,
        Vec::new(),
        ItemKind::FinalNumber {
            gold,
            solution: Some(solution),
        },
    ))
}

/// The `(A) text` options listed in a BBH input, in order; empty when the input lists
/// none (yes/no tasks list `- Yes`, which has no letters to answer with).
fn lettered_options(input: &str) -> Vec<String> {
    let mut options = Vec::new();
    for line in input.lines() {
        let Some(letter) = crate::item::option_letter(options.len()) else {
            break;
        };
        let label = format!("({letter}) ");
        match line.trim_start().strip_prefix(&label) {
            Some(text) => options.push(text.trim().to_string()),
            None if options.is_empty() => {}
            None => break,
        }
    }
    options
}

pub(super) fn bbh(row: &Value, index: usize) -> Result<Item, RowProblem> {
    let input = string(row, "input")?;
    let gold = fields::text_or_number(row, "target")?;
    let choices = lettered_options(&input);
    Ok(item(index, input, choices, ItemKind::ExactMatch { gold }))
}

/// ARC and CommonsenseQA on the hub: `choices: {text: [..], label: [..]}`, `answerKey`.
pub(super) fn choices_dict(
    row: &Value,
    index: usize,
    query_prefix: &str,
) -> Result<Item, RowProblem> {
    let question = string(row, "question")?;
    let choices = string_list(row, "choices.text")?;
    let labels = string_list(row, "choices.label")?;
    if labels.len() != choices.len() {
        return Err(RowProblem::WrongType {
            field: "choices.label".into(),
            expected: "one label per choice",
        });
    }
    check_choice_count(choices.len(), "choices.text")?;
    let key = string(row, "answerKey")?;
    let gold = label_position(&labels, &key, "answerKey")?;
    let mut built = item(
        index,
        format!("{query_prefix}{question}"),
        choices,
        ItemKind::MultipleChoice { gold },
    );
    built.source_id = optional_string(row, "id");
    Ok(built)
}

pub(super) fn hf_mmlu(row: &Value, index: usize) -> Result<Item, RowProblem> {
    let question = string(row, "question")?;
    let choices = string_list(row, "choices")?;
    check_choice_count(choices.len(), "choices")?;
    let gold = answer_index(row, "answer", &choices, AnswerEncoding::Index)?;
    let mut built = item(index, question, choices, ItemKind::MultipleChoice { gold });
    built.subset = optional_string(row, "subject");
    Ok(built)
}

pub(super) fn hf_hellaswag(row: &Value, index: usize) -> Result<Item, RowProblem> {
    let ctx = string(row, "ctx")?;
    let endings = string_list(row, "endings")?;
    check_choice_count(endings.len(), "endings")?;
    let gold = gold_index(integer(row, "label")?, endings.len(), "label")?;
    let query = match optional_string(row, "activity_label") {
        Some(activity) if !activity.is_empty() => format!("{activity}: {ctx}"),
        _ => ctx,
    };
    let mut built = item(index, query, endings, ItemKind::Completion { gold });
    built.source_id = optional_string(row, "source_id");
    Ok(built)
}

pub(super) fn hf_winogrande(row: &Value, index: usize) -> Result<Item, RowProblem> {
    let sentence = string(row, "sentence")?;
    let options = vec![string(row, "option1")?, string(row, "option2")?];
    let (before, after) = sentence.split_once('_').ok_or(RowProblem::WrongType {
        field: "sentence".into(),
        expected: "a sentence with a `_` blank",
    })?;
    let answer = integer(row, "answer")?;
    // The answer is 1-based ("1" or "2").
    let gold = usize::try_from(answer)
        .ok()
        .and_then(|answer| answer.checked_sub(1))
        .filter(|gold| *gold < options.len())
        .ok_or(RowProblem::GoldOutOfRange {
            field: "answer".into(),
            gold: answer,
            n_choices: options.len(),
        })?;
    let context_options = options
        .iter()
        .map(|option| format!("{before}{option}"))
        .collect();
    Ok(item(
        index,
        sentence.clone(),
        options,
        ItemKind::Partial {
            context_options,
            continuation: after.trim().to_string(),
            gold,
        },
    ))
}

pub(super) fn generic(
    row: &Value,
    index: usize,
    mapping: &FieldMapping,
) -> Result<Item, RowProblem> {
    let query = string(row, &mapping.question)?;
    let choices = match &mapping.choices {
        ChoiceFields::List(field) => match fields::lookup(row, field) {
            // CSV cells are strings: a list field there holds a JSON array.
            Some(Value::String(text)) => {
                serde_json::from_str::<Vec<String>>(text).map_err(|_| RowProblem::WrongType {
                    field: field.clone(),
                    expected: "an array of strings (in CSV: a JSON array in the cell)",
                })?
            }
            _ => string_list(row, field)?,
        },
        ChoiceFields::Columns(columns) => columns
            .iter()
            .map(|column| fields::text_or_number(row, column))
            .collect::<Result<_, _>>()?,
        ChoiceFields::None => Vec::new(),
    };
    let kind = if matches!(mapping.choices, ChoiceFields::None) {
        ItemKind::ExactMatch {
            gold: fields::text_or_number(row, &mapping.answer)?,
        }
    } else {
        let field = match &mapping.choices {
            ChoiceFields::List(field) => field.as_str(),
            _ => "choices",
        };
        check_choice_count(choices.len(), field)?;
        ItemKind::MultipleChoice {
            gold: answer_index(row, &mapping.answer, &choices, mapping.answer_encoding)?,
        }
    };
    let mut built = item(index, query, choices, kind);
    if let Some(field) = &mapping.context {
        built.context = Some(string(row, field)?);
    }
    built.source_id = mapping
        .id
        .as_deref()
        .and_then(|field| optional_string(row, field));
    Ok(built)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::readers::Layout;
    use serde_json::json;

    #[test]
    fn blank_sentence_cuts_at_word_starts() {
        let contexts = [
            "Bobby used the pen because the pen".to_string(),
            "Bobby used the pen because the pencil".to_string(),
        ];
        let (query, choices) = blank_sentence(&contexts, "was full of ink.");
        assert_eq!(query, "Bobby used the pen because the _ was full of ink.");
        assert_eq!(choices, ["pen", "pencil"]);
        let (query, _) = blank_sentence(&contexts, "'s ink ran out.");
        assert_eq!(query, "Bobby used the pen because the _'s ink ran out.");
        let same = ["a b".to_string(), "a b".to_string()];
        assert_eq!(
            blank_sentence(&same, "c"),
            ("a _ c".to_string(), vec!["b".to_string(); 2])
        );
        let empty = [String::new(), "a".to_string()];
        assert_eq!(
            blank_sentence(&empty, "c"),
            ("c".to_string(), empty.to_vec())
        );
    }

    #[test]
    fn gsm8k_final_answer_strips_commas() {
        assert_eq!(gsm8k_final_answer("so\n#### 1,234"), Some("1234".into()));
        assert_eq!(gsm8k_final_answer("#### -5\n"), Some("-5".into()));
        assert_eq!(gsm8k_final_answer("no marker 5"), None);
        assert_eq!(gsm8k_final_answer("#### "), None);
    }

    #[test]
    fn bbh_options_are_parsed_in_letter_order() {
        let input = "Q?\nOptions:\n(A) red\n(B) blue green\n(C) pink\nAfter";
        assert_eq!(lettered_options(input), ["red", "blue green", "pink"]);
        assert!(lettered_options("Q?\nOptions:\n- Yes\n- No").is_empty());
        assert!(lettered_options("(B) starts wrong").is_empty());
    }

    #[test]
    fn hub_layouts_build_the_same_items_as_the_files() {
        let arc = json!({"id": "Mercury_1", "question": "Why?", "answerKey": "B",
            "choices": {"text": ["x", "y", "z", "w"], "label": ["A", "B", "C", "D"]}});
        let item = Layout::HfArc.item_from_row(&arc, 7).unwrap();
        assert_eq!(item.query, "Question: Why?");
        assert_eq!(item.gold_index(), Some(1));
        assert_eq!(item.index, 7);
        assert_eq!(item.source_id.as_deref(), Some("Mercury_1"));

        let wino = json!({"sentence": "Sarah beat Maria so _ won.", "option1": "Sarah",
            "option2": "Maria", "answer": "1"});
        let item = Layout::HfWinogrande.item_from_row(&wino, 0).unwrap();
        assert_eq!(
            item.kind,
            ItemKind::Partial {
                context_options: vec![
                    "Sarah beat Maria so Sarah".into(),
                    "Sarah beat Maria so Maria".into()
                ],
                continuation: "won.".into(),
                gold: 0
            }
        );
        let bad = json!({"sentence": "s _", "option1": "a", "option2": "b", "answer": "3"});
        let err = Layout::HfWinogrande.item_from_row(&bad, 0).unwrap_err();
        assert_eq!(err.field(), Some("answer"));
    }
}
