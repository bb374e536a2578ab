//! Row layouts: how one JSON object (a JSONL line, a BBH example, a hub row) becomes an
//! [`Item`].
//!
//! The same layout serves a local file and the Hugging Face rows API, so a benchmark
//! gives identical items (and prompts) whichever way it was loaded.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::fields::{self, AnswerEncoding};
use super::rows;
use crate::error::RowProblem;
use crate::item::Item;

/// The shape of one row, named after the source that uses it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// llm-foundry multiple choice `{query, choices, gold}` (ARC, BoolQ, PIQA,
    /// OpenBookQA, COPA in `../shared/data`).
    LlmFoundry,
    /// llm-foundry partial scoring `{context_options, continuation, gold}` (Winogrande).
    LlmFoundryPartial,
    /// Original CommonsenseQA `{id, answerKey, question: {stem, choices: [{label, text}]}}`.
    CommonsenseQa,
    /// GSM8K `{question, answer}`, the final answer after `#### ` (file and `openai/gsm8k`).
    Gsm8k,
    /// BIG-Bench-Hard `{input, target}` (a BBH file's examples, `lukaemon/bbh` rows).
    Bbh,
    /// `allenai/ai2_arc` `{id, question, choices: {text, label}, answerKey}`. The query
    /// gets llm-foundry's `"Question: "` prefix so prompts equal the file layout's.
    HfArc,
    /// `tau/commonsense_qa` `{id, question, choices: {label, text}, answerKey}`.
    HfCommonsenseQa,
    /// `cais/mmlu` `{question, subject, choices, answer}` (answer a 0-based index).
    HfMmlu,
    /// `Rowan/hellaswag` `{ctx, endings, label, activity_label}`; the query is
    /// `"{activity_label}: {ctx}"`, as in the text layout of `hellaswag_val.txt.bz2`.
    HfHellaSwag,
    /// `allenai/winogrande` `{sentence, option1, option2, answer}` with a `_` blank.
    HfWinogrande,
    /// Any other shape, through a user's field mapping.
    Generic(FieldMapping),
}

/// Where a generic layout finds the question, the choices and the answer.
///
/// Field names may be dotted paths into nested objects (`question.stem`). Without
/// choices the items are generative and the answer is the gold text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldMapping {
    /// The field holding the question.
    pub question: String,
    /// Where the options are.
    pub choices: ChoiceFields,
    /// The field holding the answer.
    pub answer: String,
    /// How the answer names the gold choice.
    pub answer_encoding: AnswerEncoding,
    /// A field with text to show before the question (a passage), if any.
    pub context: Option<String>,
    /// A field with the row's own id, if any.
    pub id: Option<String>,
}

impl Default for FieldMapping {
    /// The commonest names on the hub: `question`, `choices`, `answer`.
    fn default() -> Self {
        FieldMapping {
            question: "question".into(),
            choices: ChoiceFields::List("choices".into()),
            answer: "answer".into(),
            answer_encoding: AnswerEncoding::Auto,
            context: None,
            id: None,
        }
    }
}

/// Where a generic layout's options are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChoiceFields {
    /// One field holding an array of strings (in CSV: a cell holding a JSON array).
    List(String),
    /// One field per option, in order (`choice0`, `choice1`, ... or `A`, `B`, ...).
    Columns(Vec<String>),
    /// No options: generative items, the answer is the gold text.
    None,
}

impl Layout {
    /// The layout of a known Hugging Face dataset, by its id (`allenai/ai2_arc`), so that
    /// `hf:` task specs work without naming a layout.
    pub fn for_hub_dataset(dataset: &str) -> Option<Layout> {
        let name = dataset.to_ascii_lowercase();
        let name = name.trim_matches('/');
        let repo = name.rsplit('/').next().unwrap_or(name);
        Some(match repo {
            "ai2_arc" => Layout::HfArc,
            "commonsense_qa" => Layout::HfCommonsenseQa,
            "mmlu" => Layout::HfMmlu,
            "hellaswag" => Layout::HfHellaSwag,
            "winogrande" => Layout::HfWinogrande,
            "gsm8k" => Layout::Gsm8k,
            "bbh" | "big_bench_hard" => Layout::Bbh,
            _ => return None,
        })
    }

    /// Guesses the layout from one row's fields, for files and datasets not known by
    /// name. `None` when no known layout fits (use a [`FieldMapping`]).
    pub fn sniff(row: &Value) -> Option<Layout> {
        let has = |path: &str| fields::lookup(row, path).is_some();
        let is_array = |path: &str| fields::lookup(row, path).is_some_and(Value::is_array);
        if has("context_options") && has("continuation") {
            Some(Layout::LlmFoundryPartial)
        } else if has("query") && is_array("choices") && has("gold") {
            Some(Layout::LlmFoundry)
        } else if has("answerKey") && has("question.stem") {
            Some(Layout::CommonsenseQa)
        } else if has("answerKey") && has("choices.text") && has("choices.label") {
            if has("question_concept") {
                Some(Layout::HfCommonsenseQa)
            } else {
                Some(Layout::HfArc)
            }
        } else if has("ctx") && is_array("endings") {
            Some(Layout::HfHellaSwag)
        } else if has("sentence") && has("option1") && has("option2") {
            Some(Layout::HfWinogrande)
        } else if has("question") && is_array("choices") && has("answer") {
            Some(Layout::HfMmlu)
        } else if has("input") && has("target") {
            Some(Layout::Bbh)
        } else if fields::lookup(row, "answer")
            .and_then(Value::as_str)
            .is_some_and(|answer| answer.contains("#### "))
            && has("question")
        {
            Some(Layout::Gsm8k)
        } else {
            None
        }
    }

    /// Turns one row into an item; `index` becomes [`Item::index`].
    pub fn item_from_row(&self, row: &Value, index: usize) -> Result<Item, RowProblem> {
        if !row.is_object() {
            return Err(RowProblem::NotAnObject);
        }
        match self {
            Layout::LlmFoundry => rows::llm_foundry(row, index),
            Layout::LlmFoundryPartial => rows::llm_foundry_partial(row, index),
            Layout::CommonsenseQa => rows::commonsense_qa(row, index),
            Layout::Gsm8k => rows::gsm8k(row, index),
            Layout::Bbh => rows::bbh(row, index),
            Layout::HfArc => rows::choices_dict(row, index, "Question: "),
            Layout::HfCommonsenseQa => rows::choices_dict(row, index, ""),
            Layout::HfMmlu => rows::hf_mmlu(row, index),
            Layout::HfHellaSwag => rows::hf_hellaswag(row, index),
            Layout::HfWinogrande => rows::hf_winogrande(row, index),
            Layout::Generic(mapping) => rows::generic(row, index, mapping),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sniff_recognises_the_known_shapes() {
        let cases = [
            (
                json!({"query": "q", "choices": ["a"], "gold": 0}),
                Layout::LlmFoundry,
            ),
            (
                json!({"context_options": [], "continuation": "c", "gold": 0}),
                Layout::LlmFoundryPartial,
            ),
            (
                json!({"answerKey": "A", "question": {"stem": "s"}}),
                Layout::CommonsenseQa,
            ),
            (
                json!({"question": "q", "answer": "x\n#### 3"}),
                Layout::Gsm8k,
            ),
            (json!({"input": "i", "target": "t"}), Layout::Bbh),
            (
                json!({"ctx": "c", "endings": [], "label": "0"}),
                Layout::HfHellaSwag,
            ),
            (
                json!({"question": "q", "choices": [], "answer": 0, "subject": "s"}),
                Layout::HfMmlu,
            ),
        ];
        for (row, layout) in cases {
            assert_eq!(Layout::sniff(&row), Some(layout), "{row}");
        }
        assert_eq!(Layout::sniff(&json!({"text": "t"})), None);
    }
}
