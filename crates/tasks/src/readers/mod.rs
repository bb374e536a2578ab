//! Benchmark files from bytes: formats, their detection, and the readers.
//!
//! Readers take `&[u8]`, never paths, because the page gets files from the browser. Each
//! returns a [`Loaded`]: the items that loaded and a [`RowError`](crate::RowError) per
//! row that did not. Only a file that cannot be read at all is an `Err`.

mod bbh;
mod csv;
pub(crate) mod fields;
mod hellaswag;
mod jsonl;
mod layout;
mod rows;

pub use fields::AnswerEncoding;
pub use hellaswag::MAX_DECOMPRESSED_BYTES;
pub use layout::{ChoiceFields, FieldMapping, Layout};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::error::{Loaded, ReadError};

/// How a file is encoded and what its rows look like.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// JSON Lines, one row per line in the given layout.
    Jsonl(Layout),
    /// MMLU subject CSV `question,choice0..3,answer` (header optional).
    MmluCsv,
    /// HellaSwag in llama.cpp's six-lines-per-item text, bzip2-compressed or not.
    HellaSwagText,
    /// A BIG-Bench-Hard task file `{examples: [{input, target}]}`.
    BbhJson,
    /// Any CSV with a header row, through a field mapping.
    Csv(FieldMapping),
}

/// The format names [`Format::from_name`] accepts, with what each reads (for help texts
/// and the page's format picker).
pub const NAMES: &[(&str, &str)] = &[
    (
        "llm-foundry",
        "JSONL {query, choices, gold} (also: arc_easy, arc_challenge, boolq, piqa, openbook_qa, copa)",
    ),
    (
        "winogrande",
        "JSONL {context_options, continuation, gold}: partial scoring",
    ),
    (
        "commonsense_qa",
        "JSONL, original CommonsenseQA {answerKey, question: {stem, choices}}",
    ),
    (
        "gsm8k",
        "JSONL {question, answer}, final answer after \"#### \"",
    ),
    (
        "hellaswag",
        "text, 6 lines per item (context, gold, 4 endings), .bz2 or plain",
    ),
    (
        "mmlu",
        "CSV question,choice0..3,answer (one file per subject)",
    ),
    ("bbh", "BIG-Bench-Hard JSON {examples: [{input, target}]}"),
    ("bbh-jsonl", "JSONL {input, target}"),
    ("hf-arc", "JSONL of allenai/ai2_arc rows"),
    ("hf-commonsense_qa", "JSONL of tau/commonsense_qa rows"),
    ("hf-mmlu", "JSONL of cais/mmlu rows"),
    ("hf-hellaswag", "JSONL of Rowan/hellaswag rows"),
    ("hf-winogrande", "JSONL of allenai/winogrande rows"),
    (
        "jsonl",
        "JSONL through a field mapping (default: question, choices, answer)",
    ),
    (
        "csv",
        "CSV with a header through a field mapping (default: question, choices, answer)",
    ),
];

/// A format name that [`Format::from_name`] does not know.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unknown format {0:?}; known formats: {known}", known = NAMES.iter().map(|(name, _)| *name).collect::<Vec<_>>().join(", "))]
pub struct UnknownFormat(pub String);

impl Format {
    /// The format with this name or alias (case-insensitive, `-` and `_` alike), for
    /// `--format` options and `path:format` task specs. Generic formats get the default
    /// [`FieldMapping`]; replace it to map other field names.
    pub fn from_name(name: &str) -> Result<Format, UnknownFormat> {
        let key = name.trim().to_ascii_lowercase().replace('-', "_");
        Ok(match key.as_str() {
            "llm_foundry" | "foundry" | "arc_easy" | "arc_challenge" | "arc" | "boolq" | "piqa"
            | "openbook_qa" | "openbookqa" | "copa" => Format::Jsonl(Layout::LlmFoundry),
            "winogrande" | "llm_foundry_partial" => Format::Jsonl(Layout::LlmFoundryPartial),
            "commonsense_qa" | "csqa" => Format::Jsonl(Layout::CommonsenseQa),
            "gsm8k" => Format::Jsonl(Layout::Gsm8k),
            "hellaswag" => Format::HellaSwagText,
            "mmlu" => Format::MmluCsv,
            "bbh" => Format::BbhJson,
            "bbh_jsonl" => Format::Jsonl(Layout::Bbh),
            "hf_arc" => Format::Jsonl(Layout::HfArc),
            "hf_commonsense_qa" => Format::Jsonl(Layout::HfCommonsenseQa),
            "hf_mmlu" => Format::Jsonl(Layout::HfMmlu),
            "hf_hellaswag" => Format::Jsonl(Layout::HfHellaSwag),
            "hf_winogrande" => Format::Jsonl(Layout::HfWinogrande),
            "jsonl" | "generic" => Format::Jsonl(Layout::Generic(FieldMapping::default())),
            "csv" => Format::Csv(FieldMapping::default()),
            _ => return Err(UnknownFormat(name.to_string())),
        })
    }

    /// The canonical name of the format (one that [`Format::from_name`] reads back), for
    /// reports and share links.
    pub fn name(&self) -> &'static str {
        match self {
            Format::Jsonl(layout) => match layout {
                Layout::LlmFoundry => "llm-foundry",
                Layout::LlmFoundryPartial => "winogrande",
                Layout::CommonsenseQa => "commonsense_qa",
                Layout::Gsm8k => "gsm8k",
                Layout::Bbh => "bbh-jsonl",
                Layout::HfArc => "hf-arc",
                Layout::HfCommonsenseQa => "hf-commonsense_qa",
                Layout::HfMmlu => "hf-mmlu",
                Layout::HfHellaSwag => "hf-hellaswag",
                Layout::HfWinogrande => "hf-winogrande",
                Layout::Generic(_) => "jsonl",
            },
            Format::MmluCsv => "mmlu",
            Format::HellaSwagText => "hellaswag",
            Format::BbhJson => "bbh",
            Format::Csv(_) => "csv",
        }
    }

    /// Tells the format from a file's name and first bytes, for files given without one.
    ///
    /// Rules, first match wins: bzip2 bytes or a `hellaswag*.txt` name → HellaSwag text;
    /// `.jsonl`/`.ndjson` → JSONL in the layout its first row fits ([`Layout::sniff`]),
    /// else the generic mapping; `.json` → BBH; `.csv` with MMLU's header or under a
    /// folder named `mmlu` → MMLU, other `.csv` → generic CSV. `None` otherwise.
    pub fn detect(file_name: &str, bytes: &[u8]) -> Option<Format> {
        let path = file_name.to_ascii_lowercase().replace('\\', "/");
        let base = path.rsplit('/').next().unwrap_or(&path);
        let extension = base.rsplit_once('.').map_or("", |(_, extension)| extension);
        if hellaswag::is_bzip2(bytes) || (base.contains("hellaswag") && extension == "txt") {
            return Some(Format::HellaSwagText);
        }
        match extension {
            "jsonl" | "ndjson" => Some(Format::Jsonl(
                jsonl::first_object(bytes)
                    .and_then(|row| Layout::sniff(&row))
                    .unwrap_or_else(|| Layout::Generic(FieldMapping::default())),
            )),
            "json" => Some(Format::BbhJson),
            "csv" if csv::has_mmlu_header(bytes) || path.split('/').any(|part| part == "mmlu") => {
                Some(Format::MmluCsv)
            }
            "csv" => Some(Format::Csv(FieldMapping::default())),
            _ => None,
        }
    }
}

/// Reads a whole file in the given format.
pub fn read(format: &Format, bytes: &[u8]) -> Result<Loaded, ReadError> {
    match format {
        Format::Jsonl(layout) => Ok(jsonl::read_jsonl(bytes, layout)),
        Format::MmluCsv => Ok(csv::read_mmlu(bytes)),
        Format::HellaSwagText => hellaswag::read_hellaswag(bytes),
        Format::BbhJson => bbh::read_bbh(bytes),
        Format::Csv(mapping) => csv::read_generic_csv(bytes, mapping),
    }
}

/// Reads a file the user gave by name: detects the format unless one is given, and for
/// one-file-per-subset benchmarks (MMLU, BBH) sets each item's subset from the file name.
/// Returns the format used, for the report.
pub fn load(
    file_name: &str,
    bytes: &[u8],
    format: Option<Format>,
) -> Result<(Format, Loaded), ReadError> {
    let format = match format {
        Some(format) => format,
        None => Format::detect(file_name, bytes).ok_or_else(|| ReadError::UnknownFormat {
            file_name: file_name.to_string(),
        })?,
    };
    let loaded = read(&format, bytes)?;
    let loaded = match format {
        Format::MmluCsv | Format::BbhJson => loaded.with_subset(&subset_from_file_name(file_name)),
        _ => loaded,
    };
    Ok((format, loaded))
}

/// The subset a file holds, from its name: the base name without extensions and without a
/// split suffix (`mmlu/test/anatomy_test.csv` → `anatomy`, `bbh/navigate.json` →
/// `navigate`).
pub fn subset_from_file_name(file_name: &str) -> String {
    let normalised = file_name.replace('\\', "/");
    let base = normalised.rsplit('/').next().unwrap_or(&normalised);
    let stem = base.split('.').next().unwrap_or(base);
    ["_test", "_dev", "_val", "_validation", "_train"]
        .iter()
        .find_map(|suffix| stem.strip_suffix(suffix))
        .unwrap_or(stem)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_name_reads_back_and_canonical_names_round_trip() {
        for (name, _) in NAMES {
            let format = Format::from_name(name).unwrap();
            assert_eq!(Format::from_name(format.name()).unwrap(), format, "{name}");
        }
        assert_eq!(Format::from_name("MMLU").unwrap(), Format::MmluCsv);
        assert_eq!(
            Format::from_name("arc-easy").unwrap(),
            Format::Jsonl(Layout::LlmFoundry)
        );
        let error = Format::from_name("parquet").unwrap_err();
        assert!(
            error.to_string().contains("known formats: llm-foundry"),
            "{error}"
        );
    }

    #[test]
    fn detection_by_name_and_content() {
        let foundry = br#"{"query": "q", "choices": ["a", "b"], "gold": 0}"#;
        assert_eq!(
            Format::detect("x/whatever.jsonl", foundry),
            Some(Format::Jsonl(Layout::LlmFoundry))
        );
        assert_eq!(
            Format::detect(
                "w.jsonl",
                br#"{"context_options": ["a"], "continuation": "b", "gold": 0}"#
            ),
            Some(Format::Jsonl(Layout::LlmFoundryPartial))
        );
        assert_eq!(
            Format::detect("hellaswag_val.txt", b"ctx\n0\n"),
            Some(Format::HellaSwagText)
        );
        assert_eq!(
            Format::detect("data.bin", b"BZh91AY&SY"),
            Some(Format::HellaSwagText)
        );
        assert_eq!(
            Format::detect("bbh/navigate.json", b"{}"),
            Some(Format::BbhJson)
        );
        assert_eq!(
            Format::detect(
                "a.csv",
                b"question,choice0,choice1,choice2,choice3,answer\n"
            ),
            Some(Format::MmluCsv)
        );
        assert_eq!(
            Format::detect("C:\\data\\mmlu\\x.csv", b"q,a,b,c,d,0\n"),
            Some(Format::MmluCsv)
        );
        assert_eq!(
            Format::detect("other.csv", b"prompt,answer\n"),
            Some(Format::Csv(FieldMapping::default()))
        );
        assert_eq!(Format::detect("notes.txt", b"hello"), None);
    }

    #[test]
    fn subsets_from_file_names() {
        assert_eq!(
            subset_from_file_name("mmlu/test/anatomy_test.csv"),
            "anatomy"
        );
        assert_eq!(subset_from_file_name("bbh\\navigate.json"), "navigate");
        assert_eq!(subset_from_file_name("x.tar.gz"), "x");
    }

    #[test]
    fn load_sets_the_subset_and_reports_the_format() {
        let csv = b"question,choice0,choice1,choice2,choice3,answer\nq,a,b,c,d,1\n";
        let (format, loaded) = load("high_school_physics_dev.csv", csv, None).unwrap();
        assert_eq!(format, Format::MmluCsv);
        assert_eq!(
            loaded.items[0].subset.as_deref(),
            Some("high_school_physics")
        );
        assert!(matches!(
            load("mystery.bin", b"??", None),
            Err(ReadError::UnknownFormat { .. })
        ));
    }
}
