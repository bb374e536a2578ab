//! Generative benchmark items (GSM8K's final number, BBH's exact match): the model
//! answers by greedy generation and the answer extracted from its response is compared
//! to the gold one (metrics.md §2). There is nothing to guess among, so chance is 0.
//!
//! The prompt is the one the MUI pipeline uses: the item as a user turn of the model's
//! chat template with the generation prompt, or the plain prompt for a model without a
//! template.

use super::AisError;
use mechscope_formats::tokenizer::{ChatMessage, Tokenizer, TokenizerError};
use mechscope_model::Decoder;
use mechscope_model::generate::generate_greedy;
use mechscope_tasks::score::score;
use mechscope_tasks::{Item, prompt};
use serde::{Deserialize, Serialize};

/// Tokens a response may have (the browser default of metrics.md §1): long enough for
/// a short worked answer, bounded because every item is generated once per mask.
pub const DEFAULT_MAX_NEW_TOKENS: usize = 128;

/// One generative item: its prompt as token ids, and the item that says how a
/// response is scored.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerativeItem {
    pub prompt_ids: Vec<u32>,
    pub item: Item,
}

/// A benchmark's generative items with what generating and judging them needs.
#[derive(Clone)]
pub struct GenerativeSet {
    pub items: Vec<GenerativeItem>,
    /// Decodes responses for the task's answer extraction.
    pub tokenizer: Tokenizer,
    pub max_new_tokens: usize,
}

impl std::fmt::Debug for GenerativeSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GenerativeSet")
            .field("items", &self.items.len())
            .field("max_new_tokens", &self.max_new_tokens)
            .finish_non_exhaustive()
    }
}

impl GenerativeSet {
    /// The generative ones among `items`; `None` when there are none.
    pub fn from_items(
        tokenizer: &Tokenizer,
        items: &[Item],
    ) -> Result<Option<Self>, TokenizerError> {
        let mut generative = Vec::new();
        for item in items.iter().filter(|i| i.is_generative()) {
            let prompt_ids = if tokenizer.chat_template().is_some() {
                tokenizer.encode_chat(&[ChatMessage::user(prompt::user_message(item))], true)?
            } else {
                tokenizer.encode(&prompt::plain_prompt(item), true)?
            };
            generative.push(GenerativeItem {
                prompt_ids,
                item: item.clone(),
            });
        }
        Ok((!generative.is_empty()).then(|| GenerativeSet {
            items: generative,
            tokenizer: tokenizer.clone(),
            max_new_tokens: DEFAULT_MAX_NEW_TOKENS,
        }))
    }

    /// The model's greedy answer to item `index`, judged by the task's rule.
    pub async fn answer(&self, decoder: &Decoder, index: usize) -> Result<Generated, AisError> {
        let item = &self.items[index];
        let ids = generate_greedy(
            decoder,
            &item.prompt_ids,
            self.max_new_tokens,
            &self.tokenizer.eos_ids(),
            |_| std::ops::ControlFlow::Continue(()),
        )
        .await?;
        let response = self
            .tokenizer
            .decode(&ids, true)
            .map_err(|e| AisError::Tokenizer(e.to_string()))?;
        let scored = score(&item.item, &response);
        Ok(Generated {
            extracted: scored.extracted,
            correct: scored.correct,
            response,
        })
    }
}

/// One generated answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Generated {
    pub response: String,
    /// The answer the task's rule found in the response.
    pub extracted: Option<String>,
    pub correct: bool,
}
