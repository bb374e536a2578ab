//! An LPP run: the latent metrics on probe text, the uncertainty probe and the symbolic
//! probe, with progress and cancel, and the profile that sums them up. The CLI's
//! `mechscope lpp` and the page's LPP panel both call [`run_lpp`].

use super::latent::{LatentMetrics, LppError, latent_metrics};
use super::profile::{self, ProfileAxis};
use super::symbolic::{self, SymbolicResult};
use super::uncertainty::{self, UncertaintyResult};
use mechscope_formats::tokenizer::Tokenizer;
use mechscope_model::Decoder;
use mechscope_tasks::probes::{symbolic as symbolic_probe, uncertainty as uncertainty_probe};
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::ops::ControlFlow;

/// Which parts of LPP to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Probes {
    /// The latent metrics on probe text.
    pub text: bool,
    /// The uncertainty probe.
    pub uncertainty: bool,
    /// The symbolic reasoning probe.
    pub symbolic: bool,
}

impl Probes {
    /// Everything.
    pub const ALL: Probes = Probes {
        text: true,
        uncertainty: true,
        symbolic: true,
    };

    /// Parses `all` or a comma-separated list of `text`, `uncertainty`, `symbolic`.
    ///
    /// ```
    /// use mechscope_metrics::lpp::Probes;
    /// assert_eq!(Probes::parse("all"), Ok(Probes::ALL));
    /// let p = Probes::parse("text,symbolic").unwrap();
    /// assert!(p.text && p.symbolic && !p.uncertainty);
    /// assert!(Probes::parse("texts").is_err());
    /// ```
    pub fn parse(list: &str) -> Result<Probes, String> {
        if list.trim() == "all" {
            return Ok(Probes::ALL);
        }
        let mut probes = Probes {
            text: false,
            uncertainty: false,
            symbolic: false,
        };
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            match name {
                "text" => probes.text = true,
                "uncertainty" => probes.uncertainty = true,
                "symbolic" => probes.symbolic = true,
                other => {
                    return Err(format!(
                        "no probe {other:?}; probes: text, uncertainty, symbolic, or all"
                    ));
                }
            }
        }
        if probes
            == (Probes {
                text: false,
                uncertainty: false,
                symbolic: false,
            })
        {
            return Err("no probe named; probes: text, uncertainty, symbolic, or all".into());
        }
        Ok(probes)
    }
}

/// Every setting of an LPP run, recorded in its report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LppSettings {
    /// Which parts run.
    pub probes: Probes,
    /// Probe-text sequences (the browser default of metrics.md: 8).
    pub n_seq: usize,
    /// Tokens per sequence (256).
    pub seq_len: usize,
    /// Uncertainty items per stratum.
    pub uncertainty_per_stratum: usize,
    /// Symbolic problems per family and level.
    pub symbolic_per_level: usize,
    /// Seed of both probes.
    pub seed: u64,
    /// Tokens a symbolic answer may take.
    pub max_new_tokens: usize,
}

impl Default for LppSettings {
    fn default() -> Self {
        LppSettings {
            probes: Probes::ALL,
            n_seq: 8,
            seq_len: 256,
            uncertainty_per_stratum: 20,
            symbolic_per_level: 4,
            seed: 42,
            max_new_tokens: symbolic::DEFAULT_MAX_NEW_TOKENS,
        }
    }
}

/// What an LPP run measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LppRun {
    /// Its settings.
    pub settings: LppSettings,
    /// The latent metrics on probe text.
    pub text: Option<LatentMetrics>,
    /// The uncertainty probe.
    pub uncertainty: Option<UncertaintyResult>,
    /// The symbolic probe.
    pub symbolic: Option<SymbolicResult>,
    /// The radar's axes.
    pub profile: Vec<ProfileAxis>,
}

/// Where a run is, for progress bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Probe-text sequence `done` of `total`.
    Text { done: usize, total: usize },
    /// Uncertainty item `done` of `total`.
    Uncertainty { done: usize, total: usize },
    /// Symbolic problem `done` of `total`.
    Symbolic { done: usize, total: usize },
}

impl Step {
    /// What runs, without the count.
    pub fn stage(&self) -> &'static str {
        match self {
            Step::Text { .. } => "latent metrics on the probe text",
            Step::Uncertainty { .. } => "uncertainty probe",
            Step::Symbolic { .. } => "symbolic reasoning probe",
        }
    }

    /// Done and total of the stage.
    pub fn progress(&self) -> (usize, usize) {
        match *self {
            Step::Text { done, total }
            | Step::Uncertainty { done, total }
            | Step::Symbolic { done, total } => (done, total),
        }
    }
}

/// The status line: `"Uncertainty probe: 3 of 60…"`.
impl std::fmt::Display for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let stage = self.stage();
        let (done, total) = self.progress();
        let mut chars = stage.chars();
        let first: String = chars
            .next()
            .map(|c| c.to_uppercase().collect())
            .unwrap_or_default();
        write!(f, "{first}{}: {done} of {total}…", chars.as_str())
    }
}

/// Runs the probes `settings` asks for. `text_sequences` are the probe text's token ids
/// (from [`super::latent::probe_sequences`]); unused when the text probe is off.
pub async fn run_lpp<F>(
    decoder: &Decoder,
    tokenizer: &Tokenizer,
    text_sequences: &[Vec<u32>],
    settings: &LppSettings,
    mut on_step: impl FnMut(Step) -> F,
) -> Result<LppRun, LppError>
where
    F: Future<Output = ControlFlow<()>>,
{
    let text = if settings.probes.text {
        Some(latent_metrics(decoder, text_sequences, &mut on_step).await?)
    } else {
        None
    };

    let mut go = async |step| {
        if on_step(step).await.is_break() {
            Err(LppError::Cancelled)
        } else {
            Ok(())
        }
    };

    let uncertainty = if settings.probes.uncertainty {
        let items = uncertainty_probe::generate(settings.uncertainty_per_stratum, settings.seed);
        let choices = uncertainty::choice_items(tokenizer, &items)
            .map_err(|e| LppError::Probe(e.to_string()))?;
        let total = items.len();
        let mut records = Vec::with_capacity(total);
        for (done, (item, choice)) in items.iter().zip(&choices).enumerate() {
            go(Step::Uncertainty { done, total }).await?;
            records.push(
                uncertainty::score(decoder, item, choice)
                    .await
                    .map_err(|e| LppError::Probe(e.to_string()))?,
            );
        }
        go(Step::Uncertainty { done: total, total }).await?;
        Some(uncertainty::summarise(records))
    } else {
        None
    };

    let symbolic = if settings.probes.symbolic {
        let items = symbolic_probe::generate_all(settings.symbolic_per_level, settings.seed);
        let total = items.len();
        let mut records = Vec::with_capacity(total);
        for (done, item) in items.iter().enumerate() {
            go(Step::Symbolic { done, total }).await?;
            records.push(
                symbolic::answer(decoder, tokenizer, item, settings.max_new_tokens)
                    .await
                    .map_err(|e| LppError::Probe(e.to_string()))?,
            );
        }
        go(Step::Symbolic { done: total, total }).await?;
        Some(symbolic::summarise(records))
    } else {
        None
    };

    Ok(LppRun {
        settings: settings.clone(),
        profile: profile::axes(text.as_ref(), uncertainty.as_ref(), symbolic.as_ref()),
        text,
        uncertainty,
        symbolic,
    })
}
