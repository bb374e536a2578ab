//! Timings of LPP's latent metrics over probe text, shared by `mechscope bench-lpp`
//! and the page's `?bench=lpp`.
//!
//! Two baselines over the same sequences:
//! - the plain traced forward: one forward per sequence tracing the residual stream,
//!   logits at every position, the last hidden state's and the logits' sums read back
//!   (the aim: LPP within [`LPP_AIM`]× this);
//! - that forward plus the logit lens's `L` extra projections `W_U Norm(h_l)`, each
//!   summed on the device and read back together: the matmul work the lens metric is
//!   made of, whatever reduces it.
//!
//! With `lens: false` (a software WebGPU adapter, where `L + 1` unembeddings of 49k
//! rows would take hours), only the outputs-only path ([`output_metrics`]: output
//! entropy and perplexity) is timed against the plain forward.

use super::median;
use crate::lpp::latent::{LppError, output_metrics};
use crate::lpp::latent_metrics;
use crate::no_progress;
use burn::tensor::Tensor;
use mechscope_model::Decoder;
use mechscope_model::decoder::{Logits, Trace};
use mechscope_model::generate::read_f32;
use serde::Serialize;
use std::future::Future;
use web_time::Instant;

/// The aim for the latent metrics against the plain traced forward.
pub const LPP_AIM: f64 = 1.2;

/// What [`lpp`] times.
#[derive(Debug, Clone, PartialEq)]
pub struct LppBenchOptions {
    /// Alternated passes (LPP, then its baselines); medians.
    pub repeats: usize,
    /// Time the full latent metrics (logit lens included); `false` times only output
    /// entropy and perplexity.
    pub lens: bool,
}

impl Default for LppBenchOptions {
    fn default() -> Self {
        LppBenchOptions {
            repeats: 3,
            lens: true,
        }
    }
}

/// What an LPP bench measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LppBench {
    pub sequences: usize,
    pub tokens: usize,
    /// `L + 1`.
    pub layers: usize,
    pub repeats: usize,
    /// The plain traced forward over every sequence.
    pub forward_seconds: f64,
    /// The forward plus the lens's projections, when `lens`.
    pub lens_forward_seconds: Option<f64>,
    /// `latent_metrics` over every sequence, when `lens`.
    pub lpp_seconds: Option<f64>,
    /// `lpp_seconds / forward_seconds` (the aim is ≤ [`LPP_AIM`]).
    pub lpp_over_forward: Option<f64>,
    /// `lpp_seconds / lens_forward_seconds`: what the metrics add to their matmuls.
    pub lpp_over_lens_forward: Option<f64>,
    /// `output_metrics` (output entropy and perplexity alone) over every sequence.
    pub outputs_seconds: f64,
    /// `outputs_seconds / forward_seconds`.
    pub outputs_over_forward: f64,
    /// The numbers, so native and browser runs can be seen to agree (and the fixture's
    /// be compared).
    pub output_entropy: f64,
    pub perplexity: f64,
    /// The first sequence through `latent_metrics` (or `output_metrics`) alone, kernel
    /// compilation included.
    pub warm_up_s: f64,
}

/// The plain traced forward of one sequence; returns a checksum read from the device.
async fn traced_forward(decoder: &Decoder, ids: &[u32]) -> Result<f64, LppError> {
    let trace = Trace {
        residual_stream: true,
        logits: Logits::All,
        ..Trace::default()
    };
    let mut traced = decoder.forward(decoder.ids_tensor(ids, 1), trace, None);
    let last = traced.residual_stream.pop();
    let mut sums = vec![];
    sums.extend(last.map(|h| h.sum()));
    sums.extend(traced.logits.map(|l| l.sum()));
    sum_read(sums).await
}

/// The traced forward plus the lens's projections of `h_0 .. h_{L-1}` (the last one is
/// the forward's own logits).
async fn lens_forward(decoder: &Decoder, ids: &[u32]) -> Result<f64, LppError> {
    let trace = Trace {
        residual_stream: true,
        logits: Logits::All,
        ..Trace::default()
    };
    let traced = decoder.forward(decoder.ids_tensor(ids, 1), trace, None);
    let mut stream = traced.residual_stream;
    let last = stream.pop();
    let mut sums: Vec<Tensor<1>> = stream
        .into_iter()
        .map(|h| decoder.logits(h).sum())
        .collect();
    sums.extend(last.map(|h| h.sum()));
    sums.extend(traced.logits.map(|l| l.sum()));
    sum_read(sums).await
}

async fn sum_read(sums: Vec<Tensor<1>>) -> Result<f64, LppError> {
    if sums.is_empty() {
        return Ok(0.0);
    }
    Ok(read_f32(Tensor::cat(sums, 0))
        .await?
        .iter()
        .map(|&v| f64::from(v))
        .sum())
}

async fn seconds_of<'a, Fut>(
    sequences: &'a [Vec<u32>],
    mut one: impl FnMut(&'a [u32]) -> Fut,
) -> Result<f64, LppError>
where
    Fut: Future<Output = Result<f64, LppError>>,
{
    let begin = Instant::now();
    let mut checksum = 0.0;
    for ids in sequences {
        checksum += one(ids).await?;
    }
    std::hint::black_box(checksum);
    Ok(begin.elapsed().as_secs_f64())
}

/// Times LPP's latent metrics over `sequences` against its baselines: one warm-up on
/// the first sequence, then `repeats` alternated passes, medians reported. `progress`
/// is told what runs next and awaited, so the page can repaint between steps.
pub async fn lpp<P, F>(
    decoder: &Decoder,
    sequences: &[Vec<u32>],
    options: &LppBenchOptions,
    mut progress: P,
) -> Result<LppBench, LppError>
where
    P: FnMut(String) -> F,
    F: Future<Output = ()>,
{
    let repeats = options.repeats.max(1);
    let first = sequences.first().ok_or(LppError::NoTokens)?;
    progress("warm-up (one sequence)…".into()).await;
    let begin = Instant::now();
    if options.lens {
        latent_metrics(decoder, std::slice::from_ref(first), no_progress).await?;
        lens_forward(decoder, first).await?;
    }
    output_metrics(decoder, std::slice::from_ref(first), no_progress).await?;
    let warm_up_s = begin.elapsed().as_secs_f64();
    traced_forward(decoder, first).await?;

    let (mut lpp_s, mut lens_s, mut outputs_s, mut forward_s) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut output_entropy, mut perplexity) = (f64::NAN, f64::NAN);
    for i in 0..repeats {
        let pass = format!("{} of {repeats}, {} sequences", i + 1, sequences.len());
        if options.lens {
            progress(format!("latent metrics {pass}…")).await;
            let begin = Instant::now();
            let metrics = latent_metrics(decoder, sequences, no_progress).await?;
            lpp_s.push(begin.elapsed().as_secs_f64());
            (output_entropy, perplexity) = (metrics.output_entropy, metrics.perplexity);
            progress(format!("forward and lens projections {pass}…")).await;
            lens_s.push(seconds_of(sequences, |ids| lens_forward(decoder, ids)).await?);
        }
        progress(format!("output entropy and perplexity alone {pass}…")).await;
        let begin = Instant::now();
        let outputs = output_metrics(decoder, sequences, no_progress).await?;
        outputs_s.push(begin.elapsed().as_secs_f64());
        if !options.lens {
            (output_entropy, perplexity) = (outputs.output_entropy, outputs.perplexity);
        }
        progress(format!("plain traced forward {pass}…")).await;
        forward_s.push(seconds_of(sequences, |ids| traced_forward(decoder, ids)).await?);
    }
    let forward_seconds = median(forward_s).unwrap_or(f64::NAN);
    let lpp_seconds = median(lpp_s);
    let lens_forward_seconds = median(lens_s);
    let outputs_seconds = median(outputs_s).unwrap_or(f64::NAN);
    Ok(LppBench {
        sequences: sequences.len(),
        tokens: sequences.iter().map(Vec::len).sum(),
        layers: decoder.config.n_layers + 1,
        repeats,
        forward_seconds,
        lens_forward_seconds,
        lpp_seconds,
        lpp_over_forward: lpp_seconds.map(|s| s / forward_seconds),
        lpp_over_lens_forward: lpp_seconds.zip(lens_forward_seconds).map(|(a, b)| a / b),
        outputs_seconds,
        outputs_over_forward: outputs_seconds / forward_seconds,
        output_entropy,
        perplexity,
        warm_up_s,
    })
}
