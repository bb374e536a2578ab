//! The report schema. Field names are the JSON contract: renaming one is a schema
//! change and bumps [`SCHEMA_VERSION`].

use mechscope_formats::config::ModelConfig;
use mechscope_metrics::ais::{AisRun, SelectedMasks, Selection};
use mechscope_metrics::lpp::LppRun;
use mechscope_metrics::mui::MuiRun;
use serde::{Deserialize, Serialize};

/// Bumped on any incompatible change to the JSON layout.
pub const SCHEMA_VERSION: u32 = 1;

/// Where the model came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ModelSource {
    /// A local file (or a folder's main weights file), identified by its content.
    File { name: String, sha256: String },
    /// A URL (the bundled demo, a hub download).
    Url { url: String, sha256: Option<String> },
}

/// The model a result belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    /// A human name, e.g. "SmolLM2-135M-Instruct.Q4_1".
    pub id: String,
    pub source: ModelSource,
    pub architecture: String,
    pub n_layers: usize,
    pub d_model: usize,
    pub d_ff: usize,
    pub vocab_size: usize,
    /// Every parameter counted once (tied embeddings once): the P of "model size".
    pub n_params: u64,
    /// How the weights are computed with, e.g. "f32 (dequantised from GGUF)".
    pub dtype: String,
}

impl ModelInfo {
    /// The sizes from a model's configuration.
    pub fn new(
        id: impl Into<String>,
        source: ModelSource,
        config: &ModelConfig,
        dtype: impl Into<String>,
    ) -> Self {
        ModelInfo {
            id: id.into(),
            source,
            architecture: config.family.to_string(),
            n_layers: config.n_layers,
            d_model: config.d_model,
            d_ff: config.d_ff,
            vocab_size: config.vocab_size,
            n_params: config.parameter_count(),
            dtype: dtype.into(),
        }
    }
}

/// The task a result was computed on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskInfo {
    /// The spec as the user gave it (`arc_easy.jsonl`, `hf:openai/gsm8k/main/test`,
    /// `facts`), or a description of recorded responses.
    pub spec: String,
    pub n_items: usize,
    /// Rows of the source that could not be read and were left out.
    pub rows_skipped: usize,
    /// For generated tasks, the seed.
    pub seed: Option<u64>,
}

/// One metric's settings and results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "metric", rename_all = "snake_case")]
pub enum MetricReport {
    Mui(Box<MuiRun>),
    Ais(AisReport),
    Lpp(Box<LppRun>),
}

/// AIS at one budget, or at each budget of a sweep in the order they ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AisReport {
    pub runs: Vec<AisRun>,
}

/// Masks `mechscope importance` selected, for `mechscope ais --masks` to reuse without
/// a gradient pass. Tied to the model by its parameter and MLP weight counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MaskFile {
    pub schema_version: u32,
    pub tool: String,
    pub model: ModelInfo,
    pub n_total: u64,
    pub n_mlp: u64,
    pub selection: Selection,
    pub abilities: Vec<AbilityMasks>,
}

/// One ability's masks, one per budget.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AbilityMasks {
    pub ability: String,
    /// Diagnostic sequences the gradients were summed over.
    pub n_train: usize,
    pub masks: Vec<SelectedMasks>,
}

impl MaskFile {
    /// A mask file stamped with this build's schema and tool version.
    pub fn new(
        model: ModelInfo,
        n_total: u64,
        n_mlp: u64,
        selection: Selection,
        abilities: Vec<AbilityMasks>,
    ) -> Self {
        MaskFile {
            schema_version: SCHEMA_VERSION,
            tool: format!("mechscope {}", env!("CARGO_PKG_VERSION")),
            model,
            n_total,
            n_mlp,
            selection,
            abilities,
        }
    }
}

/// A complete, self-describing result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: u32,
    /// `"mechscope <version>"`.
    pub tool: String,
    pub model: ModelInfo,
    /// `"cpu"` or `"webgpu"` (`"wgpu"` natively).
    pub backend: String,
    pub task: TaskInfo,
    #[serde(flatten)]
    pub metric: MetricReport,
}

/// Why bytes could not be read as a [`Report`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    /// Not a report of any version: serde_json's account (with line and column),
    /// explained where it is cryptic.
    #[error("this is not a MechScope report: {0}")]
    NotAReport(String),
    /// A report of a later schema. Refused even when its fields happen to read, since a
    /// new schema version means some field's meaning changed.
    #[error(
        "this report was made by a newer MechScope (report schema {found}); this version \
         reads up to schema {supported}: open it with the newer version"
    )]
    Newer { found: u64, supported: u32 },
    /// A file that starts as a JSON array but is not one of reports.
    #[error("it is not a list of MechScope reports: {0}")]
    NotAList(String),
    #[error("the file holds no reports")]
    EmptyList,
    /// One report of a list could not be read.
    #[error("report {number} of {count}: {error}")]
    InList {
        number: usize,
        count: usize,
        error: Box<ReportError>,
    },
}

impl Report {
    /// Reads a report from its JSON (what `--json` writes and the page saves). Input
    /// from elsewhere is untrusted: a malformed or hostile file is an error, never a
    /// panic; nesting past serde_json's limit of 128 is refused with a message that says
    /// so.
    pub fn from_json(bytes: &[u8]) -> Result<Report, ReportError> {
        /// Only the version, read first: a newer report need not read as this schema.
        #[derive(serde::Deserialize)]
        struct Version {
            schema_version: u64,
        }
        if let Ok(Version { schema_version }) = serde_json::from_slice::<Version>(bytes)
            && schema_version > u64::from(SCHEMA_VERSION)
        {
            return Err(ReportError::Newer {
                found: schema_version,
                supported: SCHEMA_VERSION,
            });
        }
        serde_json::from_slice(bytes).map_err(|error| {
            ReportError::NotAReport(mechscope_formats::json::describe_error(&error))
        })
    }

    /// Reads a report file: one report ([`Report::from_json`]), or a JSON array of them
    /// (the page's "Download the reports", offered when results are too large for a
    /// link). Each report of a list is read as one, so a newer schema is refused there
    /// too, and the error says which report it was.
    ///
    /// ```
    /// use mechscope_report::{Report, ReportError};
    /// assert_eq!(Report::list_from_json(b" []").unwrap_err(), ReportError::EmptyList);
    /// let error = Report::list_from_json(b"[{}]").unwrap_err().to_string();
    /// assert!(error.starts_with("report 1 of 1: this is not a MechScope report"), "{error}");
    /// ```
    pub fn list_from_json(bytes: &[u8]) -> Result<Vec<Report>, ReportError> {
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'[') {
            return Ok(vec![Report::from_json(bytes)?]);
        }
        let items: Vec<serde_json::Value> = serde_json::from_slice(bytes).map_err(|error| {
            ReportError::NotAList(mechscope_formats::json::describe_error(&error))
        })?;
        if items.is_empty() {
            return Err(ReportError::EmptyList);
        }
        let count = items.len();
        items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                // Each item through the report reader, for its schema check and messages.
                let json = serde_json::to_vec(item)
                    .map_err(|error| ReportError::NotAReport(error.to_string()));
                json.and_then(|json| Report::from_json(&json))
                    .map_err(|error| ReportError::InList {
                        number: i + 1,
                        count,
                        error: Box::new(error),
                    })
            })
            .collect()
    }

    /// A report stamped with this build's schema and tool version.
    pub fn new(
        model: ModelInfo,
        backend: impl Into<String>,
        task: TaskInfo,
        metric: MetricReport,
    ) -> Self {
        Report {
            schema_version: SCHEMA_VERSION,
            tool: format!("mechscope {}", env!("CARGO_PKG_VERSION")),
            model,
            backend: backend.into(),
            task,
            metric,
        }
    }

    /// The metric's short name, as the page and the CLI write it: `"MUI"`, `"AIS"` or
    /// `"LPP"`.
    pub fn metric_name(&self) -> &'static str {
        match &self.metric {
            MetricReport::Mui(_) => "MUI",
            MetricReport::Ais(_) => "AIS",
            MetricReport::Lpp(_) => "LPP",
        }
    }

    /// The MUI run, when this is a MUI report.
    pub fn mui(&self) -> Option<&MuiRun> {
        match &self.metric {
            MetricReport::Mui(run) => Some(run),
            _ => None,
        }
    }

    /// The LPP run, when this is an LPP report.
    pub fn lpp(&self) -> Option<&LppRun> {
        match &self.metric {
            MetricReport::Lpp(run) => Some(run),
            _ => None,
        }
    }

    /// The AIS runs, when this is an AIS report.
    pub fn ais(&self) -> Option<&AisReport> {
        match &self.metric {
            MetricReport::Ais(report) => Some(report),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_file_holds_one_report_or_a_list_of_them() {
        let lpp = include_str!("../../../public/examples/lpp.json");
        let one = Report::list_from_json(lpp.as_bytes()).unwrap();
        assert_eq!(one.len(), 1);
        let two = Report::list_from_json(format!(" [{lpp},{lpp}]").as_bytes()).unwrap();
        // (Equal up to the last bit of some floats: the list is read through
        // serde_json::Value, whose reader rounds a 17-digit value by an ulp at times.)
        assert_eq!(two.len(), 2);
        assert!(
            two.iter()
                .all(|r| r.model == one[0].model && r.lpp().is_some())
        );
        let newer = lpp.replacen("\"schema_version\": 1", "\"schema_version\": 2", 1);
        let error = Report::list_from_json(format!("[{lpp},{newer}]").as_bytes()).unwrap_err();
        assert!(matches!(
            &error,
            ReportError::InList { number: 2, count: 2, error } if matches!(**error, ReportError::Newer { found: 2, .. })
        ));
        assert!(matches!(
            Report::list_from_json(b"[1, 2"),
            Err(ReportError::NotAList(_))
        ));
    }

    /// The fuzzer's hand-written seeds (fuzz/seeds/report_json) are real reports: if the
    /// schema changes, this says which seed to update.
    #[test]
    fn the_fuzz_seeds_are_valid_reports_that_round_trip() {
        let dir = crate::test_reports::fuzz_seeds("report_json");
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            let report =
                Report::from_json(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let again = Report::from_json(&serde_json::to_vec(&report).unwrap()).unwrap();
            assert_eq!(again, report, "{}", path.display());
            seen += 1;
        }
        assert_eq!(seen, 3);
    }

    #[test]
    fn a_report_nested_100k_deep_is_an_error_that_says_so() {
        let deep = format!(
            "{{\"schema_version\": 1, \"model\": {}",
            "[".repeat(100_000)
        );
        // A typed field meets the nesting at once and refuses its type, before any
        // recursion: an error, not a stack overflow.
        let error = Report::from_json(deep.as_bytes()).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("this is not a MechScope report: "),
            "{error}"
        );
    }

    #[test]
    fn a_newer_schema_is_refused_even_when_its_fields_read() {
        let mut report = serde_json::to_value(crate::test_reports::mui("m", 3, 1)).unwrap();
        report["schema_version"] = (SCHEMA_VERSION + 1).into();
        let error = Report::from_json(report.to_string().as_bytes()).unwrap_err();
        assert_eq!(
            error,
            ReportError::Newer {
                found: u64::from(SCHEMA_VERSION) + 1,
                supported: SCHEMA_VERSION
            }
        );
        assert!(error.to_string().contains("newer MechScope"), "{error}");
        report["schema_version"] = SCHEMA_VERSION.into();
        assert!(Report::from_json(report.to_string().as_bytes()).is_ok());
    }

    #[test]
    fn garbage_is_an_error_naming_what_is_missing() {
        let error = Report::from_json(br#"{"schema_version": 1}"#).unwrap_err();
        assert_eq!(
            error.to_string(),
            "this is not a MechScope report: missing field `tool` at line 1 column 21"
        );
    }
}
