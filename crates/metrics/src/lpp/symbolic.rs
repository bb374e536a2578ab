//! The symbolic reasoning probe (metrics.md §3): generated problems in five families at
//! five difficulty levels, answered by greedy generation and judged by exact match
//! ([`mechscope_tasks::probes::symbolic::is_correct`]). Reported: accuracy per family
//! and level, and the level where accuracy crosses 50%.

use mechscope_formats::tokenizer::{ChatMessage, Tokenizer, TokenizerError};
use mechscope_model::Decoder;
use mechscope_model::generate::{ReadbackError, generate_greedy};
use mechscope_tasks::probes::symbolic::{Family, SymbolicItem, is_correct};
use serde::{Deserialize, Serialize};
use std::ops::ControlFlow;

/// Tokens an answer may take: the longest (16 sorted two-digit numbers) needs about 50.
pub const DEFAULT_MAX_NEW_TOKENS: usize = 64;

/// One answered problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SymbolicRecord {
    /// The family's name.
    pub family: String,
    /// Its difficulty level.
    pub level: u32,
    /// The question as the model saw it.
    pub prompt: String,
    /// The expected answer.
    pub answer: String,
    /// What the model generated (up to the end of its first non-blank line).
    pub response: String,
    /// Whether the response gives the answer.
    pub correct: bool,
}

/// Accuracy at one level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelAccuracy {
    /// The level.
    pub level: u32,
    /// Problems at it.
    pub n: usize,
    /// Share answered right.
    pub accuracy: f64,
}

/// Where a family's accuracy crosses 50%, going up the levels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "crossing", content = "level", rename_all = "snake_case")]
pub enum Crossing {
    /// Below 50% already at the easiest level.
    BelowAtStart,
    /// Between two levels, linearly interpolated: the first fall below 50%.
    At(f64),
    /// At or above 50% at every level.
    Never,
}

/// One family's curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FamilyResult {
    /// The family's name.
    pub family: String,
    /// Accuracy per level, ascending.
    pub levels: Vec<LevelAccuracy>,
    /// Where accuracy crosses 50%.
    pub crossing: Crossing,
}

/// What the symbolic probe measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SymbolicResult {
    /// Per family, in the order of [`Family::ALL`].
    pub families: Vec<FamilyResult>,
    /// Share of all problems answered right.
    pub accuracy: f64,
    /// Every problem.
    pub items: Vec<SymbolicRecord>,
}

/// The level where `levels` (ascending) first falls below 50%, interpolated between it
/// and the level before.
///
/// ```
/// use mechscope_metrics::lpp::symbolic::{Crossing, LevelAccuracy, crossing};
/// let at = |level, accuracy| LevelAccuracy { level, n: 10, accuracy };
/// assert_eq!(crossing(&[at(1, 1.0), at(2, 0.8), at(3, 0.2)]), Crossing::At(2.5));
/// assert_eq!(crossing(&[at(1, 0.3), at(2, 0.1)]), Crossing::BelowAtStart);
/// assert_eq!(crossing(&[at(1, 0.9), at(2, 0.5)]), Crossing::Never);
/// ```
pub fn crossing(levels: &[LevelAccuracy]) -> Crossing {
    let Some(first) = levels.first() else {
        return Crossing::Never;
    };
    if first.accuracy < 0.5 {
        return Crossing::BelowAtStart;
    }
    for pair in levels.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        if b.accuracy < 0.5 {
            let t = (a.accuracy - 0.5) / (a.accuracy - b.accuracy);
            return Crossing::At(f64::from(a.level) + t * f64::from(b.level - a.level));
        }
    }
    Crossing::Never
}

/// A problem's prompt as ids: the chat template's user turn when the model has one,
/// the plain prompt ending in `"Answer:"` otherwise.
pub fn prompt_ids(tokenizer: &Tokenizer, item: &SymbolicItem) -> Result<Vec<u32>, TokenizerError> {
    if tokenizer.chat_template().is_some() {
        tokenizer.encode_chat(&[ChatMessage::user(item.prompt.clone())], true)
    } else {
        tokenizer.encode(&item.plain_prompt(), true)
    }
}

/// The model's greedy answer to `item`, generated until its first non-blank line ends
/// (exact match reads no further), end of text, or `max_new_tokens`.
pub async fn answer(
    decoder: &Decoder,
    tokenizer: &Tokenizer,
    item: &SymbolicItem,
    max_new_tokens: usize,
) -> Result<SymbolicRecord, SymbolicError> {
    let ids = prompt_ids(tokenizer, item)?;
    let mut seen = Vec::new();
    let generated = generate_greedy(decoder, &ids, max_new_tokens, &tokenizer.eos_ids(), |id| {
        seen.push(id);
        let text = tokenizer.decode(&seen, true).unwrap_or_default();
        let first_line_done = text.trim_start().contains('\n');
        if first_line_done {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
    .await?;
    let response = tokenizer.decode(&generated, true)?;
    Ok(SymbolicRecord {
        family: item.family().name().to_string(),
        level: item.level,
        prompt: item.prompt.clone(),
        answer: item.answer.clone(),
        correct: is_correct(item, &response),
        response,
    })
}

/// Why a problem could not be answered.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SymbolicError {
    /// Encoding the prompt or decoding the response.
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    /// Reading from the device.
    #[error(transparent)]
    Readback(#[from] ReadbackError),
}

impl From<TokenizerError> for SymbolicError {
    fn from(e: TokenizerError) -> Self {
        SymbolicError::Tokenizer(e.to_string())
    }
}

/// Accuracy per family and level, and the crossings.
pub fn summarise(items: Vec<SymbolicRecord>) -> SymbolicResult {
    let families = Family::ALL
        .into_iter()
        .filter_map(|family| {
            let records: Vec<&SymbolicRecord> =
                items.iter().filter(|r| r.family == family.name()).collect();
            if records.is_empty() {
                return None;
            }
            let levels: Vec<LevelAccuracy> = family
                .levels()
                .filter_map(|level| {
                    let at: Vec<_> = records.iter().filter(|r| r.level == level).collect();
                    (!at.is_empty()).then(|| LevelAccuracy {
                        level,
                        n: at.len(),
                        accuracy: at.iter().filter(|r| r.correct).count() as f64 / at.len() as f64,
                    })
                })
                .collect();
            Some(FamilyResult {
                family: family.name().to_string(),
                crossing: crossing(&levels),
                levels,
            })
        })
        .collect();
    let accuracy = if items.is_empty() {
        f64::NAN
    } else {
        items.iter().filter(|r| r.correct).count() as f64 / items.len() as f64
    };
    SymbolicResult {
        families,
        accuracy,
        items,
    }
}
