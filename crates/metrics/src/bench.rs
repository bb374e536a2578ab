//! Timings of the model core, of MUI, of AIS ([`ais()`]) and of LPP ([`lpp()`]), shared by
//! `mechscope bench-forward|bench-mui|bench-ais` and the page's `?bench=forward|mui|ais`
//! panel, so the native and the browser figures in BENCHMARKS.md come from the same
//! code.
//!
//! Times are wall-clock (`web_time`, which is `std::time` natively and
//! `performance.now()` in the browser). Every timed forward reads something back: on
//! WebGPU the work only runs when a result is read.

use crate::mui::{
    MuiOptions, MuiSettings, PipelineError, PromptStyle, ResponseSource, TokenSample, run_mui,
    score_samples,
};
use mechscope_model::generate::{ReadbackError, read_f32};
use mechscope_model::{Decoder, LoadedModel, Logits, ModelConfig, Trace};
use mechscope_tasks::Builtin;
use serde::Serialize;
use std::future::Future;
use web_time::Instant;

mod ais;
mod lpp;

pub use ais::{
    AisBench, AisBenchOptions, GRADIENT_AIM, GradientBench, SCORING_AIM, ScoringBench, ais,
    builtin_choice_items, builtin_sequences,
};
pub use lpp::{LPP_AIM, LppBench, LppBenchOptions, lpp};

/// Multiply-adds of one forward over `t` tokens, counted as 2 FLOP each: the weight
/// matmuls, attention's two causal `t × t` products (half the square), and optionally
/// the unembedding. Norms, rope and softmax are left out: they are a few percent.
pub fn forward_flops(c: &ModelConfig, t: usize, logits: bool) -> f64 {
    let (d, f, l) = (c.d_model as f64, c.d_ff as f64, c.n_layers as f64);
    let q = (c.n_heads * c.head_dim) as f64;
    let kv = (c.n_kv_heads * c.head_dim) as f64;
    let t = t as f64;
    let mlp = if c.family.gated_mlp() { 3.0 } else { 2.0 } * d * f;
    let per_token = l * (d * q + 2.0 * d * kv + q * d + mlp);
    let attention = l * 2.0 * t * t * q / 2.0;
    let unembed = if logits { d * c.vocab_size as f64 } else { 0.0 };
    2.0 * (t * per_token + attention + t * unembed)
}

/// The token ids every forward bench runs: deterministic, spread over the vocabulary.
pub fn bench_ids(t: usize, vocab_size: usize) -> Vec<u32> {
    (0..t)
        .map(|i| ((i * 7919 + 13) % vocab_size.max(1)) as u32)
        .collect()
}

/// What [`forward`] times.
#[derive(Debug, Clone, PartialEq)]
pub struct ForwardBenchOptions {
    /// Sequence lengths, each timed on its own.
    pub lengths: Vec<usize>,
    /// Timed runs per length after one warm-up; the median is reported.
    pub repeats: usize,
    /// Also compute the logits at every position.
    pub logits: bool,
    /// A length predicted to take longer than this per forward (from the previous
    /// length, linearly: a lower bound) is skipped; a warm-up that takes longer is
    /// reported alone. WebGPU on a software adapter needs this.
    pub max_forward_s: f64,
}

impl Default for ForwardBenchOptions {
    fn default() -> Self {
        ForwardBenchOptions {
            lengths: vec![128, 512],
            repeats: 3,
            logits: false,
            max_forward_s: f64::INFINITY,
        }
    }
}

/// One length of a forward bench.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForwardRun {
    pub tokens: usize,
    /// Why this length was not run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    /// The median timed run (the warm-up when no run was timed).
    pub seconds: Option<f64>,
    pub tokens_per_s: Option<f64>,
    pub gflop_per_s: Option<f64>,
    /// FLOP of one forward at this length ([`forward_flops`]).
    pub flops: f64,
    /// The first forward, kernel compilation and allocation included.
    pub warm_up_s: Option<f64>,
    pub timed_runs: usize,
}

/// One traced forward (MLP activations and the residual stream recorded, logits if
/// asked), every recorded tensor's sum read back. Returns the seconds taken.
pub async fn traced_forward_s(
    decoder: &Decoder,
    ids: &[u32],
    logits: bool,
) -> Result<f64, ReadbackError> {
    let trace = Trace {
        mlp_activations: true,
        residual_stream: true,
        logits: if logits { Logits::All } else { Logits::None },
    };
    let begin = Instant::now();
    let traced = decoder.forward(decoder.ids_tensor(ids, 1), trace, None);
    let mut checksum = 0f64;
    for recorded in traced
        .mlp_activations
        .into_iter()
        .chain(traced.residual_stream)
    {
        checksum += read_f32(recorded.sum())
            .await?
            .iter()
            .map(|&v| f64::from(v))
            .sum::<f64>();
    }
    if let Some(logits) = traced.logits {
        checksum += read_f32(logits.sum())
            .await?
            .iter()
            .map(|&v| f64::from(v))
            .sum::<f64>();
    }
    std::hint::black_box(checksum);
    Ok(begin.elapsed().as_secs_f64())
}

/// Times the traced forward at each length. `progress` is told what runs next and
/// awaited, so the page can repaint between forwards.
pub async fn forward<P, F>(
    decoder: &Decoder,
    config: &ModelConfig,
    options: &ForwardBenchOptions,
    mut progress: P,
) -> Result<Vec<ForwardRun>, ReadbackError>
where
    P: FnMut(String) -> F,
    F: Future<Output = ()>,
{
    let repeats = options.repeats.max(1);
    let mut runs = Vec::new();
    let mut previous: Option<(usize, f64)> = None;
    for &t in &options.lengths {
        let mut run = ForwardRun {
            tokens: t,
            skipped: None,
            seconds: None,
            tokens_per_s: None,
            gflop_per_s: None,
            flops: forward_flops(config, t, options.logits),
            warm_up_s: None,
            timed_runs: 0,
        };
        if let Some((prev_t, prev_s)) = previous {
            let predicted = prev_s * t as f64 / prev_t as f64;
            if predicted > options.max_forward_s {
                run.skipped = Some(format!(
                    "predicted at least {predicted:.0} s per forward (limit {:.0} s)",
                    options.max_forward_s
                ));
                runs.push(run);
                continue;
            }
        }
        let ids = bench_ids(t, config.vocab_size);
        progress(format!("{t} tokens: warm-up…")).await;
        let warm_up = traced_forward_s(decoder, &ids, options.logits).await?;
        let mut times = Vec::new();
        if warm_up <= options.max_forward_s {
            for i in 0..repeats {
                progress(format!("{t} tokens: run {} of {repeats}…", i + 1)).await;
                times.push(traced_forward_s(decoder, &ids, options.logits).await?);
            }
        }
        run.timed_runs = times.len();
        let seconds = median(times).unwrap_or(warm_up);
        run.warm_up_s = Some(warm_up);
        run.seconds = Some(seconds);
        run.tokens_per_s = Some(t as f64 / seconds);
        run.gflop_per_s = Some(run.flops / seconds / 1e9);
        previous = Some((t, seconds));
        runs.push(run);
    }
    Ok(runs)
}

/// The median, or `None` of nothing.
fn median(mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied()
}

/// What [`mui`] times.
#[derive(Debug, Clone, PartialEq)]
pub struct MuiBenchOptions {
    /// Alternated passes (MUI, then plain forward) over the recorded samples; medians.
    pub repeats: usize,
    /// Items of the built-in `arithmetic` task (seed 0) run with generation; 0 skips.
    pub generate: usize,
    pub max_new_tokens: usize,
}

impl Default for MuiBenchOptions {
    fn default() -> Self {
        MuiBenchOptions {
            repeats: 3,
            generate: 10,
            max_new_tokens: 32,
        }
    }
}

/// The teacher-forced MUI pass over recorded samples against a plain forward over the
/// same sequences.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeacherForced {
    pub items: usize,
    /// Prompt and response tokens, summed over the samples.
    pub tokens: usize,
    pub repeats: usize,
    /// The MUI of the samples, so native and browser runs can be seen to agree.
    pub mui: f64,
    pub mui_seconds: f64,
    pub mui_items_per_min: f64,
    pub mui_tokens_per_s: f64,
    pub plain_seconds: f64,
    pub plain_tokens_per_s: f64,
    /// What recording and scoring cost over the plain forward (the aim is ≤ 1.3).
    pub mui_over_plain: f64,
}

/// MUI with generation on built-in items.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WithGeneration {
    pub task: &'static str,
    pub items: usize,
    pub max_new_tokens: usize,
    pub seconds: f64,
    pub responses_seconds: f64,
    pub scoring_seconds: f64,
    pub generated_tokens: usize,
    pub items_per_min: f64,
    pub generated_tokens_per_s: f64,
    pub accuracy: Option<f64>,
}

/// Both parts of a MUI bench; a part that was not asked for is `None`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MuiBench {
    pub teacher_forced: Option<TeacherForced>,
    pub generation: Option<WithGeneration>,
}

/// The plain forward over one sample: no MLP activations, no logits; the sum of the
/// last hidden state is read back so the work runs.
async fn plain_forward(decoder: &Decoder, sample: &TokenSample) -> Result<f64, ReadbackError> {
    let ids = sample.ids();
    let trace = Trace {
        residual_stream: true,
        ..Trace::default()
    };
    let mut hidden = decoder
        .forward(decoder.ids_tensor(&ids, 1), trace, None)
        .residual_stream;
    let Some(last) = hidden.pop() else {
        return Ok(0.0);
    };
    Ok(read_f32(last.sum())
        .await?
        .iter()
        .map(|&v| f64::from(v))
        .sum())
}

/// Times MUI with the contract's defaults: the teacher-forced pass over `samples`
/// (when there are any) against a plain forward, then MUI with generation.
pub async fn mui<P, F>(
    model: &LoadedModel,
    samples: &[TokenSample],
    options: &MuiBenchOptions,
    mut progress: P,
) -> Result<MuiBench, PipelineError>
where
    P: FnMut(String) -> F,
    F: Future<Output = ()>,
{
    let recorded = MuiSettings {
        options: MuiOptions::default(),
        response: ResponseSource::Recorded,
        prompt: PromptStyle::Chat,
    };
    let go_on = crate::no_progress;
    let teacher_forced = if let Some(first) = samples.first() {
        let repeats = options.repeats.max(1);
        progress("warm-up…".into()).await;
        score_samples(model, std::slice::from_ref(first), None, &recorded, go_on).await?;
        plain_forward(&model.decoder, first).await?;
        let (mut mui_s, mut plain_s) = (Vec::new(), Vec::new());
        let mut mui_value = f64::NAN;
        for i in 0..repeats {
            progress(format!("MUI pass {} of {repeats}…", i + 1)).await;
            let begin = Instant::now();
            let run = score_samples(model, samples, None, &recorded, go_on).await?;
            mui_s.push(begin.elapsed().as_secs_f64());
            mui_value = run.result.mui;
            progress(format!("plain forward {} of {repeats}…", i + 1)).await;
            let begin = Instant::now();
            let mut checksum = 0.0;
            for sample in samples {
                checksum += plain_forward(&model.decoder, sample).await?;
            }
            plain_s.push(begin.elapsed().as_secs_f64());
            std::hint::black_box(checksum);
        }
        let tokens: usize = samples
            .iter()
            .map(|s| s.prompt_ids.len() + s.response_ids.len())
            .sum();
        let (mui_s, plain_s) = (
            median(mui_s).unwrap_or(f64::NAN),
            median(plain_s).unwrap_or(f64::NAN),
        );
        Some(TeacherForced {
            items: samples.len(),
            tokens,
            repeats,
            mui: mui_value,
            mui_seconds: mui_s,
            mui_items_per_min: samples.len() as f64 / mui_s * 60.0,
            mui_tokens_per_s: tokens as f64 / mui_s,
            plain_seconds: plain_s,
            plain_tokens_per_s: tokens as f64 / plain_s,
            mui_over_plain: mui_s / plain_s,
        })
    } else {
        None
    };

    let generation = if options.generate > 0 {
        progress(format!(
            "MUI with generation on {} items…",
            options.generate
        ))
        .await;
        let task = Builtin::Arithmetic;
        let items = task.generate(options.generate, 0);
        let settings = MuiSettings {
            response: ResponseSource::Model {
                max_new_tokens: options.max_new_tokens,
            },
            ..recorded
        };
        let begin = Instant::now();
        let run = run_mui(model, &items, &settings, go_on).await?;
        let seconds = begin.elapsed().as_secs_f64();
        let generated: usize = run.samples.iter().map(|s| s.response_ids.len()).sum();
        Some(WithGeneration {
            task: task.name(),
            items: items.len(),
            max_new_tokens: options.max_new_tokens,
            seconds,
            responses_seconds: run.timings.responses_s,
            scoring_seconds: run.timings.scoring_s,
            generated_tokens: generated,
            items_per_min: items.len() as f64 / seconds * 60.0,
            generated_tokens_per_s: generated as f64 / run.timings.responses_s,
            accuracy: run.accuracy.and_then(|a| a.value()),
        })
    } else {
        None
    };
    Ok(MuiBench {
        teacher_forced,
        generation,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flops_of_a_tiny_llama_by_hand() {
        let config = ModelConfig::from_hf_json(
            br#"{"model_type": "llama", "hidden_size": 4,
                "intermediate_size": 8, "num_hidden_layers": 1, "num_attention_heads": 1,
                "num_key_value_heads": 1, "vocab_size": 10}"#,
        )
        .unwrap();
        // Per token: q, k, v, o (4·4 each) + gate, up, down (4·8 each) = 160.
        // Attention over 2 tokens: 2 products · 2·2·4 / 2 = 16. Unembedding 4·10 per token.
        assert_eq!(forward_flops(&config, 2, false), 2.0 * (2.0 * 160.0 + 16.0));
        assert_eq!(
            forward_flops(&config, 2, true),
            2.0 * (2.0 * 160.0 + 16.0 + 2.0 * 40.0)
        );
    }

    #[test]
    fn ids_stay_in_the_vocabulary() {
        assert!(bench_ids(1000, 7).iter().all(|&id| id < 7));
        assert_eq!(bench_ids(3, 0), vec![0, 0, 0]);
    }

    #[test]
    fn median_of_odd_even_and_nothing() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0]), Some(4.0));
        assert_eq!(median(Vec::new()), None);
    }
}
