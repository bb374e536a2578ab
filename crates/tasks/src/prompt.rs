//! Items as text for a model: the chat user message, the plain prompt for base models,
//! and the (context, continuation) pairs of log-likelihood scoring.
//!
//! Everything here is text, not tokens: the caller applies the chat template and the
//! tokenizer. The multiple-choice layout is fixed by the MUI reference fixture
//! (`../shared/fixtures/mui_smollm2_arc.json`, `user_message`) and must not drift: a
//! different prompt gives different responses, hence different neurons and accuracy.

use serde::{Deserialize, Serialize};

use crate::item::{Item, ItemKind, option_letter};

/// The instruction after the lettered options of a multiple-choice user message.
pub const CHOICE_INSTRUCTION: &str = "Answer with the letter of the correct choice.";

/// What a plain (base-model) prompt ends with, and what log-likelihood contexts of
/// multiple-choice items end with: the cue after which the answer comes.
pub const ANSWER_CUE: &str = "\nAnswer:";

/// The user message of a chat for instruct models.
///
/// Items answered by choosing: `query`, then one line `"{letter}. {choice}"` per choice,
/// then [`CHOICE_INSTRUCTION`], joined by `\n`. Generative items: the query alone (GSM8K's
/// question, BBH's input, which lists its own options). An item's `context`, when set,
/// comes first on its own line.
///
/// ```
/// # use mechscope_tasks::{Item, ItemKind, prompt::user_message};
/// let item = Item {
///     index: 0, source_id: None, subset: None, context: None,
///     query: "Question: 2 + 2?".into(),
///     choices: vec!["3".into(), "4".into()],
///     kind: ItemKind::MultipleChoice { gold: 1 },
/// };
/// assert_eq!(
///     user_message(&item),
///     "Question: 2 + 2?\nA. 3\nB. 4\nAnswer with the letter of the correct choice."
/// );
/// ```
pub fn user_message(item: &Item) -> String {
    let mut text = String::new();
    if let Some(context) = &item.context {
        text.push_str(context);
        text.push('\n');
    }
    text.push_str(&item.query);
    if !item.is_generative() {
        for (index, choice) in item.choices.iter().enumerate() {
            let Some(letter) = option_letter(index) else {
                break;
            };
            text.push('\n');
            text.push(letter);
            text.push_str(". ");
            text.push_str(choice);
        }
        text.push('\n');
        text.push_str(CHOICE_INSTRUCTION);
    }
    text
}

/// The prompt for base models, which have no chat template: the user message followed by
/// [`ANSWER_CUE`].
pub fn plain_prompt(item: &Item) -> String {
    let mut text = user_message(item);
    text.push_str(ANSWER_CUE);
    text
}

/// One option of log-likelihood scoring: the model scores `continuation` after `context`
/// (tokenised separately and concatenated, per `../shared/fixtures/README.md`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoglikRequest {
    /// The text the continuation is conditioned on.
    pub context: String,
    /// The text whose log-probability is summed (its length in characters, leading space
    /// included, is acc_norm's divisor).
    pub continuation: String,
}

/// The requests whose scores pick an answer, one per option, in option order (the argmax
/// is the prediction):
///
/// - multiple choice: context `query + "\nAnswer:"` (after the item's context line, if
///   any), continuation `" " + choice`;
/// - completion (HellaSwag): context the query itself, continuation `" " + ending`;
/// - partial (Winogrande): each context option with the shared continuation, both as the
///   data gives them;
/// - generative items: none (they are scored by generating).
pub fn loglik_requests(item: &Item) -> Vec<LoglikRequest> {
    let with = |context: &str, continuation: String| LoglikRequest {
        context: context.to_string(),
        continuation,
    };
    match &item.kind {
        ItemKind::MultipleChoice { .. } => {
            let mut context = item
                .context
                .as_ref()
                .map(|context| format!("{context}\n"))
                .unwrap_or_default();
            context.push_str(&item.query);
            context.push_str(ANSWER_CUE);
            item.choices
                .iter()
                .map(|choice| with(&context, format!(" {choice}")))
                .collect()
        }
        ItemKind::Completion { .. } => item
            .choices
            .iter()
            .map(|ending| with(&item.query, format!(" {ending}")))
            .collect(),
        ItemKind::Partial {
            context_options,
            continuation,
            ..
        } => context_options
            .iter()
            .map(|context| with(context, continuation.clone()))
            .collect(),
        ItemKind::FinalNumber { .. } | ItemKind::ExactMatch { .. } => Vec::new(),
    }
}

/// The dataset's own answer written as a model would answer the user message: `"B. text"`
/// for items answered by choosing, the worked solution (or the number) for GSM8K, the
/// target for BBH. For scoring the reference answer instead of a generation (MUI's
/// `response = gold` option).
pub fn gold_response(item: &Item) -> String {
    match &item.kind {
        ItemKind::FinalNumber { gold, solution } => {
            solution.clone().unwrap_or_else(|| gold.clone())
        }
        ItemKind::ExactMatch { gold } => gold.clone(),
        ItemKind::MultipleChoice { gold }
        | ItemKind::Completion { gold }
        | ItemKind::Partial { gold, .. } => match (option_letter(*gold), item.choices.get(*gold)) {
            (Some(letter), Some(choice)) => format!("{letter}. {choice}"),
            (Some(letter), None) => letter.to_string(),
            (None, _) => String::new(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(kind: ItemKind, choices: &[&str]) -> Item {
        Item {
            index: 0,
            source_id: None,
            subset: None,
            query: "Q".into(),
            context: None,
            choices: choices.iter().map(|c| c.to_string()).collect(),
            kind,
        }
    }

    #[test]
    fn multiple_choice_prompts_and_requests() {
        let mc = item(ItemKind::MultipleChoice { gold: 2 }, &["a", "b", "c"]);
        assert_eq!(
            user_message(&mc),
            "Q\nA. a\nB. b\nC. c\nAnswer with the letter of the correct choice."
        );
        assert_eq!(
            plain_prompt(&mc),
            "Q\nA. a\nB. b\nC. c\nAnswer with the letter of the correct choice.\nAnswer:"
        );
        let requests = loglik_requests(&mc);
        assert_eq!(requests.len(), 3);
        assert_eq!(
            requests[1],
            LoglikRequest {
                context: "Q\nAnswer:".into(),
                continuation: " b".into()
            }
        );
        assert_eq!(gold_response(&mc), "C. c");

        let with_context = Item {
            context: Some("P".into()),
            ..mc
        };
        assert!(user_message(&with_context).starts_with("P\nQ\nA. a"));
        assert_eq!(loglik_requests(&with_context)[0].context, "P\nQ\nAnswer:");
    }

    #[test]
    fn completion_partial_and_generative_requests() {
        let completion = item(ItemKind::Completion { gold: 0 }, &["x", "y"]);
        assert_eq!(
            loglik_requests(&completion)[1],
            LoglikRequest {
                context: "Q".into(),
                continuation: " y".into()
            }
        );

        let partial = item(
            ItemKind::Partial {
                context_options: vec!["so Sarah".into(), "so Maria".into()],
                continuation: "won.".into(),
                gold: 1,
            },
            &["Sarah", "Maria"],
        );
        let requests = loglik_requests(&partial);
        assert_eq!(
            requests[1],
            LoglikRequest {
                context: "so Maria".into(),
                continuation: "won.".into()
            }
        );

        let gsm = item(
            ItemKind::FinalNumber {
                gold: "18".into(),
                solution: Some("9*2=18\n#### 18".into()),
            },
            &[],
        );
        assert_eq!(user_message(&gsm), "Q");
        assert_eq!(plain_prompt(&gsm), "Q\nAnswer:");
        assert!(loglik_requests(&gsm).is_empty());
        assert_eq!(gold_response(&gsm), "9*2=18\n#### 18");

        // BBH inputs carry their own options: the parsed choices are not listed again.
        let bbh = item(
            ItemKind::ExactMatch { gold: "(A)".into() },
            &["red", "blue"],
        );
        assert_eq!(user_message(&bbh), "Q");
    }
}
