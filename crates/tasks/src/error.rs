//! Errors of the readers: one for a file that cannot be read at all, one for a row that
//! cannot become an item.
//!
//! Benchmark files come from users and downloads, so a bad row must not cost the whole
//! file: readers collect a [`RowError`] per bad row, load the rest, and fail as a whole
//! only when nothing can be read (not bzip2, not JSON, a CSV without the columns asked for).

use std::fmt;

use thiserror::Error;

use crate::item::Item;

/// What a reader made of a file: the items that loaded and one error per row that did not.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Loaded {
    /// The items, in source order.
    pub items: Vec<Item>,
    /// The rows that could not become items, in source order.
    pub errors: Vec<RowError>,
}

impl Loaded {
    /// Sets `subset` on every item that has none, for multi-file benchmarks whose subset
    /// is known only from the file name (MMLU subjects, BBH tasks).
    pub fn with_subset(mut self, subset: &str) -> Self {
        for item in &mut self.items {
            if item.subset.is_none() {
                item.subset = Some(subset.to_string());
            }
        }
        self
    }

    /// Appends another file's result, for benchmarks split over many files.
    pub fn extend(&mut self, other: Loaded) {
        self.items.extend(other.items);
        self.errors.extend(other.errors);
    }
}

/// Where in its source a bad row is, in the words a user would look for it with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// 1-based line of a text file (JSONL, CSV, HellaSwag text): the row's first line.
    Line(usize),
    /// 1-based position in a JSON array (BBH's `examples`).
    Example(usize),
    /// The `row_idx` of a Hugging Face datasets-server row (0-based, as the API says it).
    HubRow(usize),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Line(n) => write!(f, "line {n}"),
            Location::Example(n) => write!(f, "example {n}"),
            Location::HubRow(n) => write!(f, "row_idx {n}"),
        }
    }
}

/// A row that could not become an item, and where it is.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{location}: {problem}")]
pub struct RowError {
    /// Where the row is.
    pub location: Location,
    /// What is wrong with it.
    pub problem: RowProblem,
}

impl RowError {
    /// The field the problem is about, when it is about one (for grouping and tests).
    pub fn field(&self) -> Option<&str> {
        self.problem.field()
    }
}

/// What is wrong with one row. Every variant about a field names it, as the data spells it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RowProblem {
    /// The line is not JSON.
    #[error("not valid JSON ({0})")]
    BadJson(String),
    /// The row is JSON but not an object.
    #[error("the row is not a JSON object")]
    NotAnObject,
    /// The text is not UTF-8.
    #[error("not UTF-8 text")]
    NotUtf8,
    /// A field the layout needs is absent (or a CSV row has too few columns for it).
    #[error("missing field `{0}`")]
    MissingField(String),
    /// A field is present with the wrong type or shape.
    #[error("field `{field}` should be {expected}")]
    WrongType {
        /// The field.
        field: String,
        /// What it should be, in words.
        expected: &'static str,
    },
    /// A gold index names no choice.
    #[error("field `{field}`: gold index {gold} is out of range for {n_choices} choices")]
    GoldOutOfRange {
        /// The field holding the gold answer.
        field: String,
        /// The index the row gives.
        gold: i64,
        /// How many choices the row has.
        n_choices: usize,
    },
    /// A gold answer given as a label or text matches none of the choices.
    #[error("field `{field}`: answer {value:?} matches no choice")]
    UnknownAnswer {
        /// The field holding the gold answer.
        field: String,
        /// The value found.
        value: String,
    },
    /// Too few or too many choices to be named by letters `A`..=`Z`.
    #[error("field `{field}`: {n} choices (an item needs 2 to 26)")]
    ChoiceCount {
        /// The choices field.
        field: String,
        /// How many the row has.
        n: usize,
    },
    /// A GSM8K-style answer without the `#### ` final-answer marker.
    #[error("field `{0}` has no final answer after \"#### \"")]
    NoFinalAnswer(String),
    /// A CSV row with more columns than the layout has.
    #[error("{found} columns, expected {expected}")]
    ExtraColumns {
        /// Columns the layout has.
        expected: usize,
        /// Columns the row has.
        found: usize,
    },
    /// The CSV parser rejected the row.
    #[error("bad CSV ({0})")]
    Csv(String),
    /// A hub row whose cell the server cut short: its text is not the dataset's.
    #[error("field `{0}` was truncated by the server")]
    Truncated(String),
    /// The file ends in the middle of a multi-line item (HellaSwag text).
    #[error("incomplete item: {found} of {expected} lines; field `{missing}` is missing")]
    Incomplete {
        /// Lines found.
        found: usize,
        /// Lines an item has.
        expected: usize,
        /// The first field that is missing.
        missing: String,
    },
}

impl RowProblem {
    /// The field the problem is about, when it is about one.
    pub fn field(&self) -> Option<&str> {
        match self {
            RowProblem::MissingField(field)
            | RowProblem::NoFinalAnswer(field)
            | RowProblem::Truncated(field)
            | RowProblem::WrongType { field, .. }
            | RowProblem::GoldOutOfRange { field, .. }
            | RowProblem::UnknownAnswer { field, .. }
            | RowProblem::ChoiceCount { field, .. }
            | RowProblem::Incomplete { missing: field, .. } => Some(field),
            RowProblem::BadJson(_)
            | RowProblem::NotAnObject
            | RowProblem::NotUtf8
            | RowProblem::ExtraColumns { .. }
            | RowProblem::Csv(_) => None,
        }
    }

    /// Attaches a location, making the problem a reportable error.
    pub fn at(self, location: Location) -> RowError {
        RowError {
            location,
            problem: self,
        }
    }
}

/// A file (or server response) that cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ReadError {
    /// Bytes that start like bzip2 but do not decompress.
    #[error(
        "the bzip2 data is damaged or cut short ({0}); give the .bz2 file unchanged, or its decompressed text"
    )]
    Bzip2(String),
    /// Decompression would exceed the size limit (a damaged or malicious file).
    #[error("the bzip2 data decompresses to more than {limit_bytes} bytes; refusing to go on")]
    TooLarge {
        /// The limit.
        limit_bytes: usize,
    },
    /// A whole-file JSON document (BBH, a hub response) that does not parse.
    #[error("not valid JSON ({0})")]
    Json(String),
    /// A whole-file JSON document without the field its layout needs.
    #[error("missing field `{0}` in the document")]
    MissingField(String),
    /// A CSV whose header lacks a column the field mapping names.
    #[error("no column `{column}` in the CSV header (columns: {header})")]
    MissingColumn {
        /// The column asked for.
        column: String,
        /// The header as found, comma-separated.
        header: String,
    },
    /// A CSV without a header row where one is needed.
    #[error("the CSV has no header row; a field mapping needs column names")]
    NoHeader,
    /// No format was given and none could be told from the file's name or first bytes.
    #[error(
        "cannot tell the format of {file_name:?} from its name or content; name one with a suffix, e.g. `{file_name}:jsonl` (formats: readers::NAMES)"
    )]
    UnknownFormat {
        /// The file as named by the user.
        file_name: String,
    },
    /// The datasets server answered with an error instead of rows.
    #[error("the datasets server answered with an error: {0}")]
    Server(String),
}
