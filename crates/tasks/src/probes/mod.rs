//! The probes of LPP (`metrics.md` §3): generated, seeded inputs on which a model's hidden
//! states and output distributions are measured.
//!
//! - [`DEFAULT_TEXT`]: the page's offline probe text for the task-agnostic metrics
//!   (entropy profiles, drift, effective rank, perplexity, ...).
//! - [`uncertainty`]: four-option questions in three strata (determinate, random,
//!   unanswerable), for option entropy per stratum, KL to uniform on the random stratum,
//!   calibration on the determinate one, and the AUROC of entropy.
//! - [`symbolic`]: exact-match problems in five families (addition, parity, Dyck-2,
//!   sorting, variable binding) at difficulty levels 1 to 5, each with a reference solver
//!   that counts its steps.
//!
//! Like the built-in tasks, everything is fixed by its seed and size through the crate's
//! [`SplitMix64`](crate::rng::SplitMix64), and a longer run starts with the items of a
//! shorter one.
//!
//! # Example
//!
//! ```
//! use mechscope_tasks::probes::{self, Family, Stratum, symbolic, uncertainty};
//! use mechscope_tasks::prompt;
//!
//! // Uncertainty: ordinary multiple-choice items; `gold` is set only where one answer is right.
//! let items = uncertainty::generate(4, 42);
//! assert_eq!(items.len(), 12);
//! for item in &items {
//!     assert_eq!(item.gold.is_some(), item.stratum == Stratum::Determinate);
//!     assert!(prompt::user_message(&item.item).starts_with("Question: "));
//! }
//!
//! // Symbolic: a prompt that states the answer format, scored by normalised exact match.
//! let sums = symbolic::generate(Family::Addition, 3, 5, 42)?;
//! let item = &sums[0];
//! let reference = symbolic::solve(&item.problem)?;
//! assert_eq!(reference.answer, item.answer);
//! assert!(symbolic::is_correct(item, &format!("Answer: {}.", item.answer)));
//!
//! // The probe text: plain English prose, several paragraphs.
//! assert!(probes::DEFAULT_TEXT.split_whitespace().count() > 2_000);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod symbolic;
pub mod uncertainty;

pub use symbolic::{Family, SymbolicItem};
pub use uncertainty::{Stratum, UncertaintyItem};

/// The offline probe text: about 2,300 words of plain encyclopedic English prose on the
/// history of timekeeping, in fifteen paragraphs separated by blank lines, ASCII only.
/// That is more than 8 × 256 tokens for GPT-2- and LLaMA-style tokenizers, the browser
/// default of `metrics.md` §3 (whose native default is WikiText-2 test).
///
/// Written for this project by its authors, not copied or adapted from any source, and
/// dedicated to the public domain (CC0 1.0) so that reports may quote it freely.
pub const DEFAULT_TEXT: &str = include_str!("probe_text.txt");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_probe_text_is_long_plain_prose() {
        let words = DEFAULT_TEXT.split_whitespace().count();
        assert!((2_000..3_000).contains(&words), "{words} words");
        assert!(DEFAULT_TEXT.is_ascii());
        let paragraphs: Vec<&str> = DEFAULT_TEXT
            .split("\n\n")
            .map(str::trim)
            .filter(|paragraph| !paragraph.is_empty())
            .collect();
        assert!(paragraphs.len() >= 8, "{} paragraphs", paragraphs.len());
        for paragraph in &paragraphs {
            assert!(paragraph.ends_with('.'), "{paragraph}");
            assert!(
                !paragraph.contains('\n'),
                "one line per paragraph: {paragraph}"
            );
        }
        // A conservative token estimate: GPT-2's BPE gives at least one token per word
        // and per punctuation mark, so 8 × 256 tokens are there with room to spare.
        let punctuation = DEFAULT_TEXT
            .chars()
            .filter(|ch| ch.is_ascii_punctuation())
            .count();
        assert!(
            words + punctuation > 8 * 256 + 256,
            "{}",
            words + punctuation
        );
    }
}
