//! MUI over a task: prompts from items, responses (greedy generation, the gold answer,
//! or recorded ids), key neurons, the union, and the accuracy of the same responses —
//! with progress and cancellation for the page and the CLI.

use super::{KeyNeurons, MuiError, MuiOptions, MuiResult, TokenSample, key_neurons};
use mechscope_formats::tokenizer::{ChatMessage, TokenizerError};
use mechscope_model::LoadedModel;
use mechscope_model::generate::{ReadbackError, generate_greedy};
use mechscope_tasks::score::{Accuracy, Scored, accuracy, score};
use mechscope_tasks::{Item, prompt};
use serde::{Deserialize, Serialize};
use std::ops::ControlFlow;
use web_time::Instant;

/// Where the scored responses come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum ResponseSource {
    /// The model's own greedy generation, teacher-forced in a second pass (the
    /// contract's default).
    Model { max_new_tokens: usize },
    /// The dataset's reference answer: no generation, much faster, but it measures the
    /// neurons for an answer the model may not have given.
    Gold,
    /// Token ids recorded elsewhere (the CLI's `--responses` file), scored as they are.
    Recorded,
}

/// How an item becomes a prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PromptStyle {
    /// A user turn of the model's chat template with the generation prompt (instruct
    /// models; what the reference fixture does).
    Chat,
    /// The plain question followed by "Answer:" (base models).
    Plain,
}

/// Everything that decides a MUI result besides the model and the items.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MuiSettings {
    #[serde(flatten)]
    pub options: MuiOptions,
    pub response: ResponseSource,
    pub prompt: PromptStyle,
}

/// One sample as run: its ids, the response text and how it scored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleRecord {
    /// The item's index in the task (or the line of a responses file).
    pub index: usize,
    pub prompt_ids: Vec<u32>,
    pub response_ids: Vec<u32>,
    pub response_text: String,
    /// `None` when no item says what is correct (recorded responses without a task).
    pub scored: Option<Scored>,
}

/// Where a run is, for progress bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Generating the response of sample `done` (0-based) of `total`.
    Generating { done: usize, total: usize },
    /// Scoring sample `done` of `total`.
    Scoring { done: usize, total: usize },
}

/// Wall-clock seconds per phase.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct MuiTimings {
    pub responses_s: f64,
    pub scoring_s: f64,
    /// Tokens teacher-forced in the scoring pass (prompt + response, summed).
    pub scored_tokens: usize,
}

/// A finished MUI run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MuiRun {
    pub settings: MuiSettings,
    /// k as used (from the ratio or given).
    pub k: usize,
    /// Flattened: `mui`, `union_size`, `union_per_layer`, `per_sample_layer_sets`, ...
    /// sit at the top of the report, where scripts look for them.
    #[serde(flatten)]
    pub result: MuiResult,
    /// Accuracy of the same responses; `None` without items to score against.
    pub accuracy: Option<Accuracy>,
    pub samples: Vec<SampleRecord>,
    /// Per sample, the selected entries behind the neuron sets.
    pub key_neurons: Vec<KeyNeurons>,
    pub timings: MuiTimings,
}

/// Why a run stopped.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error("cancelled")]
    Cancelled,
    #[error("item {index}: {source}")]
    Tokenizer {
        index: usize,
        source: TokenizerError,
    },
    #[error("sample {index}: {source}")]
    Mui { index: usize, source: MuiError },
    #[error(transparent)]
    Readback(#[from] ReadbackError),
    #[error("{responses} responses were given for {items} items; they are matched line by line")]
    CountMismatch { responses: usize, items: usize },
}

/// The prompt ids of an item.
pub fn prompt_ids(
    model: &LoadedModel,
    item: &Item,
    style: PromptStyle,
) -> Result<Vec<u32>, TokenizerError> {
    match style {
        PromptStyle::Chat => model
            .tokenizer
            .encode_chat(&[ChatMessage::user(prompt::user_message(item))], true),
        PromptStyle::Plain => model.tokenizer.encode(&prompt::plain_prompt(item), true),
    }
}

/// Runs MUI over `items`: prompts, responses (generated or gold), then
/// [`score_samples`]. `on_step` is called and awaited before each sample of each
/// phase (the page yields there, so a click on Cancel is seen); returning
/// `ControlFlow::Break` cancels.
pub async fn run_mui<F>(
    model: &LoadedModel,
    items: &[Item],
    settings: &MuiSettings,
    mut on_step: impl FnMut(Step) -> F,
) -> Result<MuiRun, PipelineError>
where
    F: Future<Output = ControlFlow<()>>,
{
    let started = Instant::now();
    let eos = model.tokenizer.eos_ids();
    let mut samples = Vec::with_capacity(items.len());
    for (done, item) in items.iter().enumerate() {
        if on_step(Step::Generating {
            done,
            total: items.len(),
        })
        .await
        .is_break()
        {
            return Err(PipelineError::Cancelled);
        }
        let tokenizer_error = |source| PipelineError::Tokenizer {
            index: item.index,
            source,
        };
        let prompt_ids = prompt_ids(model, item, settings.prompt).map_err(tokenizer_error)?;
        let response_ids = match settings.response {
            ResponseSource::Model { max_new_tokens } => {
                generate_greedy(&model.decoder, &prompt_ids, max_new_tokens, &eos, |_| {
                    ControlFlow::Continue(())
                })
                .await?
            }
            ResponseSource::Gold | ResponseSource::Recorded => model
                .tokenizer
                .encode(&prompt::gold_response(item), false)
                .map_err(tokenizer_error)?,
        };
        samples.push(TokenSample {
            prompt_ids,
            response_ids,
        });
    }
    let responses_s = started.elapsed().as_secs_f64();
    let mut run = score_samples(model, &samples, Some(items), settings, on_step).await?;
    run.timings.responses_s = responses_s;
    Ok(run)
}

/// Scores samples whose responses are already known (generated by [`run_mui`], or
/// recorded). With `items`, sample `i` is scored for accuracy against item `i`.
pub async fn score_samples<F>(
    model: &LoadedModel,
    samples: &[TokenSample],
    items: Option<&[Item]>,
    settings: &MuiSettings,
    mut on_step: impl FnMut(Step) -> F,
) -> Result<MuiRun, PipelineError>
where
    F: Future<Output = ControlFlow<()>>,
{
    if let Some(items) = items
        && items.len() != samples.len()
    {
        return Err(PipelineError::CountMismatch {
            responses: samples.len(),
            items: items.len(),
        });
    }
    let started = Instant::now();
    let mut key = Vec::with_capacity(samples.len());
    let mut records = Vec::with_capacity(samples.len());
    let mut scored_tokens = 0;
    for (done, sample) in samples.iter().enumerate() {
        if on_step(Step::Scoring {
            done,
            total: samples.len(),
        })
        .await
        .is_break()
        {
            return Err(PipelineError::Cancelled);
        }
        let item = items.map(|items| &items[done]);
        let index = item.map_or(done, |item| item.index);
        key.push(
            key_neurons(&model.decoder, sample, &settings.options)
                .await
                .map_err(|source| PipelineError::Mui { index, source })?,
        );
        scored_tokens += sample.prompt_ids.len() + sample.response_ids.len();
        let response_text = model
            .tokenizer
            .decode(&sample.response_ids, true)
            .map_err(|source| PipelineError::Tokenizer { index, source })?;
        records.push(SampleRecord {
            index,
            prompt_ids: sample.prompt_ids.clone(),
            response_ids: sample.response_ids.clone(),
            scored: item.map(|item| score(item, &response_text)),
            response_text,
        });
    }
    let (n_layers, d_ff) = (model.config.n_layers, model.config.d_ff);
    let accuracy = items.map(|_| accuracy(records.iter().filter_map(|r| r.scored.as_ref())));
    Ok(MuiRun {
        settings: *settings,
        k: settings.options.k(d_ff),
        result: MuiResult::from_samples(&key, n_layers, d_ff),
        accuracy,
        samples: records,
        key_neurons: key,
        timings: MuiTimings {
            responses_s: 0.0,
            scoring_s: started.elapsed().as_secs_f64(),
            scored_tokens,
        },
    })
}
