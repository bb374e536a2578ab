//! Benchmarks as data: readers, prompts, scoring, and the project's generated tasks.
//!
//! The tasks stage of MechScope. It turns benchmark data into [`Item`]s and prompts, and
//! model responses into scores; it knows nothing about models or tokenizers (the metrics
//! crate joins the two), and it builds for `wasm32-unknown-unknown` because the page uses
//! it too. It must not depend on burn or on any crate with C code.
//!
//! - [`readers`]: benchmark files from bytes (llm-foundry JSONL, Winogrande,
//!   CommonsenseQA, GSM8K, HellaSwag `.txt.bz2`, MMLU CSV, BBH JSON, and any JSONL/CSV
//!   through a [`FieldMapping`]), with format detection.
//! - [`hub`]: the Hugging Face datasets-server rows API (URLs, paging, parsing); the HTTP
//!   request itself is the caller's.
//! - [`spec`]: the task spec a user types (`facts`, `hf:openai/gsm8k/main/test`,
//!   `file.csv:mmlu`).
//! - [`prompt`]: chat user messages, plain prompts, log-likelihood requests.
//! - [`score`]: answer extraction (option letter, final number, exact match), accuracy.
//! - [`builtin`](mod@builtin): seeded, generated tasks for offline runs.
//! - [`diagnostics`]: the ten ability diagnostic sets of AIS (generated, seeded), their
//!   80/20 split, and a JSONL reader for sets a user brings.
//! - [`probes`]: the LPP probes (generated, seeded): the offline probe text, the
//!   uncertainty probe (determinate, random, unanswerable strata) and the symbolic
//!   reasoning probe (five families at five difficulty levels, with a reference solver).
//!
//! Nothing here panics on bad input: a file that cannot be read at all gives a
//! [`ReadError`]; a bad row gives a [`RowError`] naming its line and field while the
//! other rows still load ([`Loaded`]).
//!
//! # Example
//!
//! ```
//! use mechscope_tasks::{Format, prompt, readers, score};
//!
//! let file = br#"{"query": "Question: Which is a planet?", "choices": ["Mars", "Moon"], "gold": 0}
//! {"query": "Question: Broken row", "choices": ["a", "b"]}
//! "#;
//! let loaded = readers::read(&Format::from_name("arc_easy")?, file)?;
//! assert_eq!(loaded.items.len(), 1);
//! assert_eq!(loaded.errors[0].to_string(), "line 2: missing field `gold`");
//!
//! let item = &loaded.items[0];
//! assert_eq!(
//!     prompt::user_message(item),
//!     "Question: Which is a planet?\nA. Mars\nB. Moon\nAnswer with the letter of the correct choice."
//! );
//! let scored = score::score(item, "A. Mars");
//! assert_eq!(scored.extracted.as_deref(), Some("A"));
//! assert!(scored.correct);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

pub mod builtin;
pub mod diagnostics;
pub mod error;
pub mod hub;
pub mod item;
pub mod probes;
pub mod prompt;
pub mod readers;
pub mod rng;
pub mod score;
pub mod spec;

pub use builtin::{Builtin, builtin};
pub use diagnostics::{Ability, DiagnosticItem, LoadedDiagnostics, UnknownAbility};
pub use error::{Loaded, Location, ReadError, RowError, RowProblem};
pub use hub::{HubRow, HubSplit, RowsPage};
pub use item::{Item, ItemKind};
pub use prompt::LoglikRequest;
pub use readers::{AnswerEncoding, ChoiceFields, FieldMapping, Format, Layout};
pub use score::{Accuracy, Scored};
pub use spec::TaskSpec;
