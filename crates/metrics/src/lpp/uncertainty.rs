//! The uncertainty probe (metrics.md §3): four-option questions in three strata, each
//! scored by log-likelihood like a benchmark item, its option scores renormalised over
//! the four options. Reported: option entropy per stratum, KL to the uniform ideal on
//! the random stratum, accuracy, ECE and Brier on the determinate one, and the AUROC of
//! entropy separating the uncertain strata (random, unanswerable) from the determinate.

use super::calibration::{
    Answered, auroc, brier, ece, kl_to_uniform, normalised_entropy, option_probabilities,
};
use crate::ais::{AisError, ChoiceItem, score_item};
use mechscope_formats::tokenizer::{Tokenizer, TokenizerError};
use mechscope_model::Decoder;
use mechscope_tasks::probes::{Stratum, UncertaintyItem};
use serde::{Deserialize, Serialize};

/// One probe item as scored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UncertaintyRecord {
    /// The stratum's name.
    pub stratum: String,
    /// The question form (`die`, `birth_year`, ...).
    pub form: String,
    /// The question.
    pub query: String,
    /// The probabilities of the four options, renormalised over them.
    pub probabilities: Vec<f64>,
    /// The right option, for determinate items.
    pub gold: Option<usize>,
    /// `H(p) / ln 4`.
    pub entropy: f64,
}

/// One stratum's summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StratumSummary {
    /// The stratum's name.
    pub stratum: String,
    /// Items in it.
    pub n: usize,
    /// Mean normalised option entropy (1 = uniform over the options).
    pub mean_entropy: f64,
}

/// What the uncertainty probe measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UncertaintyResult {
    /// Per stratum, in the order determinate, random, unanswerable.
    pub strata: Vec<StratumSummary>,
    /// Mean `KL(p ‖ uniform)` in nats over the random stratum (0 is ideal).
    pub kl_to_uniform_random: Option<f64>,
    /// Share of determinate items whose most likely option is the right one.
    pub determinate_accuracy: Option<f64>,
    /// ECE (15 bins) on the determinate stratum.
    pub ece: Option<f64>,
    /// Multi-class Brier score on the determinate stratum.
    pub brier: Option<f64>,
    /// AUROC of option entropy separating uncertain (random, unanswerable) items from
    /// determinate ones: 1 when every uncertain item is less sure than every
    /// determinate one, 0.5 for no separation.
    pub entropy_auroc: Option<f64>,
    /// Every item.
    pub items: Vec<UncertaintyRecord>,
}

/// The probe's items as log-likelihood requests (the benchmark convention, so the
/// numbers compare with AIS's scoring).
pub fn choice_items(
    tokenizer: &Tokenizer,
    items: &[UncertaintyItem],
) -> Result<Vec<ChoiceItem>, TokenizerError> {
    items
        .iter()
        .map(|item| {
            ChoiceItem::from_item(tokenizer, &item.item).map(|c| {
                c.unwrap_or(ChoiceItem {
                    options: Vec::new(),
                    gold: 0,
                })
            })
        })
        .collect()
}

/// Scores one item: its four option probabilities.
pub async fn score(
    decoder: &Decoder,
    item: &UncertaintyItem,
    choice: &ChoiceItem,
) -> Result<UncertaintyRecord, AisError> {
    let scores = score_item(decoder, choice).await?;
    let probabilities = option_probabilities(&scores.logprobs);
    Ok(UncertaintyRecord {
        stratum: item.stratum.name().to_string(),
        form: item.form.clone(),
        query: item.item.query.clone(),
        entropy: normalised_entropy(&probabilities),
        probabilities,
        gold: item.gold,
    })
}

/// The summaries of scored items.
///
/// ```
/// use mechscope_metrics::lpp::uncertainty::{UncertaintyRecord, summarise};
/// let record = |stratum: &str, p: Vec<f64>, gold| UncertaintyRecord {
///     stratum: stratum.into(), form: String::new(), query: String::new(),
///     entropy: mechscope_metrics::lpp::calibration::normalised_entropy(&p),
///     probabilities: p, gold,
/// };
/// let result = summarise(vec![
///     record("determinate", vec![1.0, 0.0, 0.0, 0.0], Some(0)),
///     record("random", vec![0.25; 4], None),
/// ]);
/// assert_eq!(result.kl_to_uniform_random, Some(0.0));
/// assert_eq!(result.ece, Some(0.0));
/// assert_eq!(result.entropy_auroc, Some(1.0));
/// ```
pub fn summarise(items: Vec<UncertaintyRecord>) -> UncertaintyResult {
    let of = |stratum: Stratum| {
        items
            .iter()
            .filter(move |r| r.stratum == stratum.name())
            .collect::<Vec<_>>()
    };
    let mean = |values: Vec<f64>| {
        (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
    };
    let strata = Stratum::ALL
        .into_iter()
        .map(|stratum| {
            let records = of(stratum);
            StratumSummary {
                stratum: stratum.name().to_string(),
                n: records.len(),
                mean_entropy: mean(records.iter().map(|r| r.entropy).collect()).unwrap_or(f64::NAN),
            }
        })
        .collect();
    let answered: Vec<Answered> = of(Stratum::Determinate)
        .iter()
        .filter_map(|r| {
            Some(Answered {
                probabilities: r.probabilities.clone(),
                gold: r.gold?,
            })
        })
        .collect();
    let accuracy = mean(
        answered
            .iter()
            .map(|a| {
                let best = (0..a.probabilities.len()).fold(0, |b, i| {
                    if a.probabilities[i] > a.probabilities[b] {
                        i
                    } else {
                        b
                    }
                });
                f64::from(u8::from(best == a.gold))
            })
            .collect(),
    );
    let uncertain: Vec<f64> = items
        .iter()
        .filter(|r| r.stratum != Stratum::Determinate.name())
        .map(|r| r.entropy)
        .collect();
    let determinate: Vec<f64> = of(Stratum::Determinate).iter().map(|r| r.entropy).collect();
    UncertaintyResult {
        strata,
        kl_to_uniform_random: mean(
            of(Stratum::Random)
                .iter()
                .map(|r| kl_to_uniform(&r.probabilities))
                .collect(),
        ),
        determinate_accuracy: accuracy,
        ece: ece(&answered),
        brier: brier(&answered),
        entropy_auroc: auroc(&uncertain, &determinate),
        items,
    }
}
