//! The runs the worker does on the loaded model: next token, MUI, AIS, LPP. Each
//! takes what the page prepared (items, settings) and gives back a [`Report`] naming
//! the model and backend, or a failure in words.

use super::loading::ModelFiles;
use crate::global::yield_now;
use crate::protocol::{Failure, Job, LoadedFacts, Output, Progress, TaskItems, TokenRow};
use burn::module::Module;
use mechscope_formats::tokenizer::ChatMessage;
use mechscope_metrics::ais::{
    AUTHORS_GRID, AbilityInput, AisSettings, BenchmarkInput, Step as AisStep, run_ais_sweep,
};
use mechscope_metrics::lpp::{LppSettings, Step as LppStep, probe_sequences, run_lpp};
use mechscope_metrics::mui::{
    MuiSettings, ResponseSource, Step as MuiStep, TokenSample, run_mui, score_samples,
};
use mechscope_model::LoadedModel;
use mechscope_model::next_token::next_tokens;
use mechscope_report::{AisReport, MetricReport, Report, TaskInfo};
use mechscope_tasks::Item;
use mechscope_tasks::diagnostics::{self, Ability};
use std::ops::ControlFlow;

/// The model the worker holds, with its files and what the page was told of it.
pub struct Slot {
    pub model: LoadedModel,
    pub files: ModelFiles,
    pub facts: LoadedFacts,
}

/// What a job needs from the worker around it.
pub struct Ctx<'a> {
    pub progress: &'a dyn Fn(Progress),
    pub cancelled: &'a dyn Fn() -> bool,
}

impl Ctx<'_> {
    /// A pipeline step: shown, then a yield (the worker reads a Cancel there), then
    /// whether to go on.
    async fn step(&self, text: String) -> ControlFlow<()> {
        (self.progress)(Progress::Step(text));
        yield_now().await;
        if (self.cancelled)() {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }

    /// A pipeline's error: "cancelled" when the user stopped it.
    fn failed(&self, e: impl std::fmt::Display) -> Failure {
        if (self.cancelled)() {
            Failure::cancelled()
        } else {
            Failure::classify(e.to_string())
        }
    }
}

/// Runs `job` on the model in `slot`.
pub async fn run(slot: &mut Slot, job: Job, ctx: &Ctx<'_>) -> Result<Output, Failure> {
    match job {
        Job::NextToken { prompt, chat, top } => next_token(&slot.model, &prompt, chat, top).await,
        Job::Mui {
            task,
            recorded,
            settings,
        } => mui(slot, task, recorded, settings, ctx).await,
        Job::Ais {
            abilities,
            items_per_ability,
            benchmarks,
            settings,
            sweep,
        } => {
            ais(
                slot,
                &abilities,
                items_per_ability,
                benchmarks,
                settings,
                sweep,
                ctx,
            )
            .await
        }
        Job::Lpp { text, settings } => lpp(slot, text, settings, ctx).await,
        Job::Bench { .. } => Err(Failure::input("a benchmark runs without the page's model")),
    }
}

fn report(slot: &Slot, task: TaskInfo, metric: MetricReport) -> Output {
    Output::Report(Box::new(Report::new(
        slot.facts.info.clone(),
        &slot.facts.backend_id,
        task,
        metric,
    )))
}

async fn next_token(
    model: &LoadedModel,
    prompt: &str,
    chat: bool,
    top: usize,
) -> Result<Output, Failure> {
    let ids = if chat {
        model
            .tokenizer
            .encode_chat(&[ChatMessage::user(prompt.to_string())], true)
    } else {
        model.tokenizer.encode(prompt, true)
    }
    .map_err(|e| Failure::input(e.to_string()))?;
    if ids.is_empty() {
        return Err(Failure::input("the prompt is empty"));
    }
    let result = next_tokens(&model.decoder, &ids, top)
        .await
        .map_err(|e| Failure::classify(e.to_string()))?;
    let rows = result
        .top
        .iter()
        .map(|c| TokenRow {
            id: c.id,
            token: model.tokenizer.token_text(c.id).unwrap_or_default(),
            probability: c.logprob.exp(),
            logit: c.logit,
        })
        .collect();
    Ok(Output::NextTokens {
        rows,
        input_tokens: ids.len(),
    })
}

async fn mui(
    slot: &Slot,
    task: Option<TaskItems>,
    recorded: Option<Vec<TokenSample>>,
    mut settings: MuiSettings,
    ctx: &Ctx<'_>,
) -> Result<Output, Failure> {
    let model = &slot.model;
    let on_step = |step: MuiStep| {
        ctx.step(match step {
            MuiStep::Generating { done, total } => {
                format!("Generating response {} of {total}…", done + 1)
            }
            MuiStep::Scoring { done, total } => format!("Scoring sample {} of {total}…", done + 1),
        })
    };
    let run = match (&recorded, &task) {
        (Some(samples), _) => {
            settings.response = ResponseSource::Recorded;
            let items = task
                .as_ref()
                .map(|t| &t.items[..t.items.len().min(samples.len())]);
            let samples = &samples[..items.map_or(samples.len(), <[Item]>::len)];
            score_samples(model, samples, items, &settings, on_step).await
        }
        (None, Some(task)) => run_mui(model, &task.items, &settings, on_step).await,
        (None, None) => return Err(Failure::input("choose a task or recorded responses")),
    }
    .map_err(|e| ctx.failed(e))?;
    let info = match task {
        Some(t) => TaskInfo {
            spec: t.spec,
            n_items: run.samples.len(),
            rows_skipped: t.rows_skipped,
            seed: t.seed,
        },
        None => TaskInfo {
            spec: "recorded responses".into(),
            n_items: run.samples.len(),
            rows_skipped: 0,
            seed: None,
        },
    };
    Ok(report(slot, info, MetricReport::Mui(Box::new(run))))
}

#[allow(clippy::too_many_arguments)]
async fn ais(
    slot: &mut Slot,
    abilities: &[String],
    items_per_ability: usize,
    benchmarks: Vec<TaskItems>,
    settings: AisSettings,
    sweep: bool,
    ctx: &Ctx<'_>,
) -> Result<Output, Failure> {
    if abilities.is_empty() {
        return Err(Failure::input("choose at least one ability"));
    }
    if !(0.0..=1.0).contains(&settings.k) {
        return Err(Failure::input(format!(
            "k must be from 0 to 1, got {}",
            settings.k
        )));
    }
    let tokenizer = &slot.model.tokenizer;
    let mut inputs = Vec::with_capacity(benchmarks.len());
    for b in &benchmarks {
        let input = BenchmarkInput::from_items(tokenizer, &b.spec, &b.items)
            .map_err(|e| Failure::input(e.to_string()))?;
        if input.is_empty() {
            return Err(Failure::input(format!("{} has no items to score", b.spec)));
        }
        inputs.push(input);
    }
    let abilities = abilities
        .iter()
        .map(|name| {
            let ability = Ability::from_name(name).map_err(|e| Failure::input(e.to_string()))?;
            let items = diagnostics::generate(ability, items_per_ability, 42);
            AbilityInput::from_items(tokenizer, ability.name(), &items)
                .map_err(|e| Failure::input(e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    (ctx.progress)(Progress::Step(
        "Preparing a differentiable copy of the weights…".into(),
    ));
    yield_now().await;
    let device = slot.model.decoder.embed.device();
    let mut gradient_model = slot.files.load(&device.autodiff())?;
    gradient_model.decoder = gradient_model.decoder.with_gradients_on_mlp_matrices_only();
    let n_total = slot.model.decoder.num_params() as u64;
    let ks: Vec<f64> = if sweep {
        AUTHORS_GRID.to_vec()
    } else {
        vec![settings.k]
    };
    let on_step = |step: AisStep| ctx.step(step.to_string());
    let runs = run_ais_sweep(
        &gradient_model.decoder,
        &mut slot.model.decoder,
        n_total,
        &abilities,
        &inputs,
        &settings,
        &ks,
        on_step,
    )
    .await
    .map_err(|e| ctx.failed(e))?;
    let info = TaskInfo {
        spec: benchmarks
            .iter()
            .map(|b| b.spec.as_str())
            .collect::<Vec<_>>()
            .join(","),
        n_items: inputs.iter().map(BenchmarkInput::len).sum(),
        rows_skipped: benchmarks.iter().map(|b| b.rows_skipped).sum(),
        seed: Some(42),
    };
    Ok(report(slot, info, MetricReport::Ais(AisReport { runs })))
}

async fn lpp(
    slot: &Slot,
    text: Option<(String, String)>,
    settings: LppSettings,
    ctx: &Ctx<'_>,
) -> Result<Output, Failure> {
    let model = &slot.model;
    let probes = settings.probes;
    let (text_name, sequences) = match (&text, probes.text) {
        (Some((name, text)), true) => {
            (ctx.progress)(Progress::Step(format!("Tokenizing the {name}…")));
            yield_now().await;
            let ids = model
                .tokenizer
                .encode(text, true)
                .map_err(|e| Failure::input(format!("tokenizing {name}: {e}")))?;
            let sequences = probe_sequences(&ids, settings.n_seq, settings.seq_len);
            if sequences.is_empty() {
                return Err(Failure::input(format!("{name} has no tokens")));
            }
            (Some(name.clone()), sequences)
        }
        (None, true) => return Err(Failure::input("the text probe needs a text")),
        (_, false) => (None, Vec::new()),
    };
    let on_step = |step: LppStep| ctx.step(step.to_string());
    let run = run_lpp(
        &model.decoder,
        &model.tokenizer,
        &sequences,
        &settings,
        on_step,
    )
    .await
    .map_err(|e| ctx.failed(e))?;
    let mut parts = Vec::new();
    if let Some(name) = &text_name {
        parts.push(format!("text ({name})"));
    }
    if probes.uncertainty {
        parts.push("uncertainty".to_string());
    }
    if probes.symbolic {
        parts.push("symbolic".to_string());
    }
    let n_items = run.text.as_ref().map_or(0, |t| t.n_sequences)
        + run.uncertainty.as_ref().map_or(0, |u| u.items.len())
        + run.symbolic.as_ref().map_or(0, |s| s.items.len());
    let info = TaskInfo {
        spec: format!("lpp: {}", parts.join(", ")),
        n_items,
        rows_skipped: 0,
        seed: Some(settings.seed),
    };
    Ok(report(slot, info, MetricReport::Lpp(Box::new(run))))
}
