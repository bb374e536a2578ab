//! Task specs: the one string a user types to say which task to run (`--task` in the CLI,
//! `?task=` in a share link).
//!
//! Three forms, tried in this order:
//!
//! 1. a built-in name: `arithmetic`, `facts`, `patterns` (a file with such a name is
//!    written `./facts`);
//! 2. `hf:owner/name/config/split`, or `hf:owner/name/split` for config `default`;
//! 3. anything else is a file path, with an optional `:format` suffix. The suffix is
//!    taken as a format only when the text after the **last** `:` is a format name
//!    ([`Format::from_name`]); otherwise the whole string is the path. So
//!    `mmlu/test/x.csv:mmlu` is `mmlu/test/x.csv` read as MMLU, while `C:\data\a.jsonl`
//!    and `runs/a:b.jsonl` are plain paths. A path that itself ends in `:<format name>`
//!    needs an explicit suffix: `odd:csv:jsonl`.

use std::fmt;

use thiserror::Error;

use crate::builtin::Builtin;
use crate::hub::HubSplit;
use crate::readers::Format;

/// Which task to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskSpec {
    /// A generated task.
    Builtin(Builtin),
    /// A split of a Hugging Face dataset, read through the rows API.
    Hub(HubSplit),
    /// A local file (or one the user drops on the page).
    File {
        /// The path as given.
        path: String,
        /// The format, when the spec names one; else it is detected.
        format: Option<Format>,
    },
}

/// A task spec that cannot be understood.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SpecError {
    /// Nothing was given.
    #[error(
        "empty task spec; give a built-in name (arithmetic, facts, patterns), hf:owner/name/config/split, or a file path"
    )]
    Empty,
    /// An `hf:` spec with the wrong number of parts or an empty one.
    #[error("bad hub task {spec:?}: expected hf:owner/name/config/split or hf:owner/name/split")]
    BadHub {
        /// The spec as given.
        spec: String,
    },
    /// A `:format` suffix with nothing before it.
    #[error("task spec {spec:?} names a format but no file")]
    NoPath {
        /// The spec as given.
        spec: String,
    },
}

impl TaskSpec {
    /// Parses a spec by the rules in the module documentation.
    ///
    /// ```
    /// # use mechscope_tasks::spec::TaskSpec;
    /// # use mechscope_tasks::{Builtin, Format};
    /// assert_eq!(TaskSpec::parse("facts").unwrap(), TaskSpec::Builtin(Builtin::Facts));
    /// let TaskSpec::Hub(split) = TaskSpec::parse("hf:openai/gsm8k/main/test").unwrap() else { panic!() };
    /// assert_eq!((split.config.as_str(), split.split.as_str()), ("main", "test"));
    /// assert_eq!(
    ///     TaskSpec::parse("data/anatomy.csv:mmlu").unwrap(),
    ///     TaskSpec::File { path: "data/anatomy.csv".into(), format: Some(Format::MmluCsv) }
    /// );
    /// ```
    pub fn parse(spec: &str) -> Result<TaskSpec, SpecError> {
        let spec = spec.trim();
        if spec.is_empty() {
            return Err(SpecError::Empty);
        }
        if let Ok(builtin) = Builtin::from_name(spec) {
            return Ok(TaskSpec::Builtin(builtin));
        }
        if let Some(hub) = spec.strip_prefix("hf:") {
            return parse_hub(hub).ok_or_else(|| SpecError::BadHub {
                spec: spec.to_string(),
            });
        }
        if let Some((path, suffix)) = spec.rsplit_once(':')
            && let Ok(format) = Format::from_name(suffix)
        {
            if path.is_empty() {
                return Err(SpecError::NoPath {
                    spec: spec.to_string(),
                });
            }
            return Ok(TaskSpec::File {
                path: path.to_string(),
                format: Some(format),
            });
        }
        Ok(TaskSpec::File {
            path: spec.to_string(),
            format: None,
        })
    }
}

fn parse_hub(text: &str) -> Option<TaskSpec> {
    let parts: Vec<&str> = text.split('/').map(str::trim).collect();
    if parts.iter().any(|part| part.is_empty()) {
        return None;
    }
    let (owner, name, config, split) = match parts.as_slice() {
        [owner, name, config, split] => (owner, name, *config, split),
        [owner, name, split] => (owner, name, "default", split),
        _ => return None,
    };
    Some(TaskSpec::Hub(HubSplit {
        dataset: format!("{owner}/{name}"),
        config: config.to_string(),
        split: split.to_string(),
    }))
}

impl fmt::Display for TaskSpec {
    /// The spec back as text; [`TaskSpec::parse`] reads it back to the same value, except
    /// that a generic format's custom field mapping is not part of the text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskSpec::Builtin(builtin) => f.write_str(builtin.name()),
            TaskSpec::Hub(split) => {
                write!(f, "hf:{}/{}/{}", split.dataset, split.config, split.split)
            }
            TaskSpec::File { path, format: None } => f.write_str(path),
            TaskSpec::File {
                path,
                format: Some(format),
            } => write!(f, "{path}:{}", format.name()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::readers::Layout;

    fn file(path: &str, format: Option<Format>) -> TaskSpec {
        TaskSpec::File {
            path: path.into(),
            format,
        }
    }

    #[test]
    fn the_three_forms() {
        assert_eq!(
            TaskSpec::parse(" Arithmetic ").unwrap(),
            TaskSpec::Builtin(Builtin::Arithmetic)
        );
        assert_eq!(
            TaskSpec::parse("hf:allenai/ai2_arc/ARC-Easy/test").unwrap(),
            TaskSpec::Hub(HubSplit {
                dataset: "allenai/ai2_arc".into(),
                config: "ARC-Easy".into(),
                split: "test".into()
            })
        );
        let TaskSpec::Hub(split) = TaskSpec::parse("hf:Rowan/hellaswag/validation").unwrap() else {
            panic!("not a hub spec")
        };
        assert_eq!(split.config, "default");
        assert_eq!(
            TaskSpec::parse("../shared/data/benchmarks/winogrande.jsonl").unwrap(),
            file("../shared/data/benchmarks/winogrande.jsonl", None)
        );
        assert_eq!(
            TaskSpec::parse("x.jsonl:winogrande").unwrap(),
            file("x.jsonl", Some(Format::Jsonl(Layout::LlmFoundryPartial)))
        );
        assert_eq!(TaskSpec::parse("./facts").unwrap(), file("./facts", None));
    }

    #[test]
    fn colons_in_paths() {
        assert_eq!(
            TaskSpec::parse("C:\\data\\a.jsonl").unwrap(),
            file("C:\\data\\a.jsonl", None)
        );
        assert_eq!(
            TaskSpec::parse("runs/a:b.jsonl").unwrap(),
            file("runs/a:b.jsonl", None)
        );
        assert_eq!(
            TaskSpec::parse("odd:csv:jsonl").unwrap(),
            file("odd:csv", Some(Format::from_name("jsonl").unwrap()))
        );
    }

    #[test]
    fn errors() {
        assert_eq!(TaskSpec::parse("  "), Err(SpecError::Empty));
        for bad in [
            "hf:",
            "hf:gsm8k",
            "hf:openai/gsm8k",
            "hf:a/b/c/d/e",
            "hf:a//c",
        ] {
            assert!(
                matches!(TaskSpec::parse(bad), Err(SpecError::BadHub { .. })),
                "{bad}"
            );
        }
        assert!(matches!(
            TaskSpec::parse(":mmlu"),
            Err(SpecError::NoPath { .. })
        ));
    }

    #[test]
    fn display_round_trips() {
        for text in [
            "patterns",
            "hf:openai/gsm8k/main/test",
            "a/b.csv:mmlu",
            "c.jsonl",
        ] {
            let spec = TaskSpec::parse(text).unwrap();
            assert_eq!(TaskSpec::parse(&spec.to_string()).unwrap(), spec, "{text}");
        }
        assert_eq!(
            TaskSpec::parse("hf:o/n/test").unwrap().to_string(),
            "hf:o/n/default/test"
        );
    }
}
