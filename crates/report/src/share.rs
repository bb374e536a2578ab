//! Share links: the reports on screen and how they are shown, carried in the URL's
//! fragment, so that whoever opens the link sees the same view without loading a model
//! (metrics.md §4: "a share link carries a report ... and reproduces the same view").
//!
//! # The link format
//!
//! `ms1.` + base64url without padding (RFC 4648 §5) of zlib-wrapped deflate (RFC 1950)
//! of compact JSON of a [`SharedView`]:
//!
//! - `ms` says it is ours and `1` is the format ([`SHARE_FORMAT`]): a page refuses a
//!   link of a newer format with a message that says so, before reading any further.
//! - base64url and `.` are all characters a fragment carries as they are: no
//!   percent-encoding, nothing for a chat app to mangle.
//! - the zlib wrapper costs 6 bytes over raw deflate and brings an Adler-32 checksum of
//!   the JSON: a link that lost or changed characters on the way is reported as damaged
//!   instead of showing numbers that differ from the sender's.
//! - the JSON is the reports' own schema, with one addition that keeps every float
//!   exact (`share/lossless.rs`): a float that serde_json would not read back to the
//!   same bits — NaN and ±infinity, which it writes as `null`, and the one value in
//!   ten its fast reader rounds off — is written as a string tagged with U+0000:
//!   `"\u00000.30000000000000004"`, `"\u0000inf"`, `"\u0000NaN:7ff8000000000000"`.
//!
//! # Limits
//!
//! [`encode`] refuses a view whose link would exceed [`LINK_BUDGET_BYTES`] (the page
//! then offers the report file). [`decode`] reads anything a user can paste without
//! panicking, in time and memory bounded by [`MAX_LINK_BYTES`] of link,
//! [`MAX_CONTENT_BYTES`] of inflated JSON and serde_json's nesting limit (128).

mod lossless;

use crate::schema::{Report, SCHEMA_VERSION};
use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use miniz_oxide::inflate::TINFLStatus;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The link format this build writes and the newest it reads. Bumped when a link of
/// the new format could not be read by the old decoder (a new encoding, or an
/// incompatible [`SharedView`]); a new optional field does not need it.
pub const SHARE_FORMAT: u32 = 1;

/// Longest link fragment [`encode`] produces, in bytes (32 KiB).
///
/// Browsers take far longer URLs (Chromium up to 2 MiB), but a link is only useful if
/// it survives being pasted into a chat message, an issue or an e-mail, and those cut or
/// refuse messages in the tens of kilobytes. 32 KiB leaves room for the rest of the URL
/// and a sentence around it, and keeps the address bar, the history and the clipboard
/// responsive. A view over the budget is shared as a report file instead.
pub const LINK_BUDGET_BYTES: usize = 32 * 1024;

/// Longest fragment [`decode`] reads, in bytes (1 MiB): 32 times the budget, so links
/// made by a version with a larger budget still open, while a pasted 10 MB string is
/// refused by its length alone, before any decoding.
pub const MAX_LINK_BYTES: usize = 1024 * 1024;

/// Most JSON a link may inflate to, in bytes (4 MiB). Reports deflate about 4:1 (the
/// `link_sizes` test), so a link within the budget holds ~100 KiB of JSON and even a
/// link at [`MAX_LINK_BYTES`] ~3 MiB; deflate itself reaches ~1000:1, and this is what
/// keeps a decompression bomb from making the page allocate gigabytes.
pub const MAX_CONTENT_BYTES: usize = 4 * 1024 * 1024;

/// `ms`, the format, then `.`.
const MAGIC: &str = "ms";

/// Compression level, 0-10 in miniz_oxide; 9 is zlib's best.
const COMPRESSION_LEVEL: u8 = 9;

/// base64url. Writes no padding; reads a link with or without it (some tools add it),
/// but refuses stray bits in the last character: that is a damaged link.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// What a share link carries: the reports shown and how they are shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharedView {
    /// The reports on screen, in the order shown: one run, or several compared (LPP
    /// profiles overlaid, the Utility Law over MUI runs).
    pub reports: Vec<Report>,
    /// How they are shown; a link without it shows the page's default view.
    #[serde(default)]
    pub view: ViewState,
}

impl SharedView {
    /// A view of `reports` as the page shows them by default.
    pub fn of(reports: Vec<Report>) -> Self {
        SharedView {
            reports,
            view: ViewState::default(),
        }
    }

    /// The report in front ([`ViewState::report`]), or the first when the index is out
    /// of range (a link is untrusted input), or `None` without reports.
    pub fn report_in_front(&self) -> Option<&Report> {
        self.reports
            .get(self.view.report)
            .or_else(|| self.reports.first())
    }
}

/// The view state: which chart is in front and each chart's settings. Every field has
/// a default, so a link that leaves one out (an older link) still reads, and unknown
/// fields (a newer link) are ignored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ViewState {
    /// The chart in front, by the id the page gives it (`mui-layers`, `mui-law`,
    /// `ais-radar`, `ais-heatmap`, `ais-similarity`, `lpp-radar`, `lpp-depth-drift`,
    /// ...); `None` for the page's first chart. A page that does not know the id shows
    /// its first chart too, so a link may name a chart that a later version added.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chart: Option<String>,
    /// The chart's table instead of the chart.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub show_table: bool,
    /// Which of [`SharedView::reports`] is in front where the page shows one at a time.
    #[serde(skip_serializing_if = "is_zero")]
    pub report: usize,
    /// Each chart's own settings, by chart id, e.g. `{"ais-radar": {"run": 2,
    /// "benchmarks": ["arc_easy", "gsm8k"]}}`. Open on purpose: a chart gains an option
    /// without a new link format, and a page ignores the options it does not know.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub options: BTreeMap<String, ChartOptions>,
}

/// One chart's settings in a [`ViewState`]: a JSON object.
pub type ChartOptions = serde_json::Map<String, serde_json::Value>;

fn is_zero(value: &usize) -> bool {
    *value == 0
}

/// Which version a [`ShareError::NewerVersion`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Versioned {
    /// The link's own format, [`SHARE_FORMAT`].
    LinkFormat,
    /// A report's schema inside the link, [`SCHEMA_VERSION`].
    ReportSchema,
}

impl fmt::Display for Versioned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Versioned::LinkFormat => "format",
            Versioned::ReportSchema => "report schema",
        })
    }
}

/// Why a view could not be written as a link, or a link could not be read. The
/// messages are for the person holding the link: what happened and what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShareError {
    /// [`encode`]: the link would be longer than the budget; share the report file.
    #[error(
        "the results are too large for a link ({bytes} bytes; a link holds at most {limit}): \
         download the report file and share that instead"
    )]
    TooLargeForLink { bytes: usize, limit: usize },
    /// [`encode`]: the view cannot be written as JSON (not expected from a [`Report`]).
    #[error("the view cannot be written as a link: {reason}")]
    NotEncodable { reason: String },
    /// [`decode`]: not a MechScope share link at all.
    #[error(
        "this is not a MechScope share link (those start with \"#{MAGIC}{SHARE_FORMAT}.\"): \
         check that the whole link was copied"
    )]
    Foreign,
    /// [`decode`]: a link from a newer MechScope.
    #[error(
        "this link was made by a newer MechScope ({what} {found}); this page reads up to \
         {what} {supported}: open it with the newer version, or ask for the report file"
    )]
    NewerVersion {
        what: Versioned,
        found: u32,
        supported: u32,
    },
    /// [`decode`]: ours, but it does not read: cut short or changed on the way.
    #[error(
        "this link is damaged ({reason}); it was probably cut short or changed when it was \
         copied: copy it again, or ask for the report file"
    )]
    Damaged { reason: String },
    /// [`decode`]: longer than [`MAX_LINK_BYTES`]; refused unread.
    #[error(
        "this link is too long to open ({bytes} bytes; this page opens links of up to \
         {limit}): ask for the report file instead"
    )]
    LinkTooLong { bytes: usize, limit: usize },
    /// [`decode`]: it inflates beyond [`MAX_CONTENT_BYTES`]; no link of ours does.
    #[error(
        "this link unpacks to more than {limit} bytes, more than a MechScope link holds: \
         ask for the report file instead"
    )]
    ContentTooLarge { limit: usize },
}

fn damaged(reason: impl Into<String>) -> ShareError {
    ShareError::Damaged {
        reason: reason.into(),
    }
}

/// Writes `view` as a link fragment (without the `#`), at most [`LINK_BUDGET_BYTES`]
/// long.
///
/// ```
/// use mechscope_report::share::{SharedView, ShareError, decode, encode};
/// let mut view = SharedView::of(Vec::new()); // the page puts its reports here
/// view.view.chart = Some("mui-layers".into());
/// view.view.show_table = true;
///
/// let fragment = encode(&view)?;
/// assert!(fragment.starts_with("ms1."));
/// // The page reads `location.hash`, '#' included.
/// assert_eq!(decode(&format!("#{fragment}"))?, view);
///
/// assert_eq!(decode("#section-2"), Err(ShareError::Foreign));
/// let cut = &fragment[..fragment.len() - 3];
/// assert!(matches!(decode(cut), Err(ShareError::Damaged { .. })));
/// # Ok::<(), ShareError>(())
/// ```
///
/// # Errors
///
/// [`ShareError::TooLargeForLink`] when the link would be longer than the budget:
/// the page offers the report file instead.
pub fn encode(view: &SharedView) -> Result<String, ShareError> {
    let json = lossless::to_vec(view).map_err(|error| ShareError::NotEncodable {
        reason: error.to_string(),
    })?;
    let compressed = miniz_oxide::deflate::compress_to_vec_zlib(&json, COMPRESSION_LEVEL);
    let fragment = format!("{MAGIC}{SHARE_FORMAT}.{}", BASE64.encode(compressed));
    if fragment.len() > LINK_BUDGET_BYTES {
        return Err(ShareError::TooLargeForLink {
            bytes: fragment.len(),
            limit: LINK_BUDGET_BYTES,
        });
    }
    Ok(fragment)
}

/// Reads a link fragment written by [`encode`], with or without its leading `#`.
///
/// Never panics, whatever the input; a fragment longer than [`MAX_LINK_BYTES`] is
/// refused by its length alone, inflating stops at [`MAX_CONTENT_BYTES`], and JSON
/// nested deeper than serde_json's limit is an error.
///
/// # Errors
///
/// [`ShareError::Foreign`], [`ShareError::NewerVersion`], [`ShareError::Damaged`],
/// [`ShareError::LinkTooLong`] or [`ShareError::ContentTooLarge`]; each message tells
/// the user what to do.
pub fn decode(fragment: &str) -> Result<SharedView, ShareError> {
    if fragment.len() > MAX_LINK_BYTES {
        return Err(ShareError::LinkTooLong {
            bytes: fragment.len(),
            limit: MAX_LINK_BYTES,
        });
    }
    let fragment = fragment.trim();
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    let payload = split_format(fragment)?;
    let compressed = BASE64
        .decode(payload)
        .map_err(|error| damaged(format!("not base64url: {error}")))?;
    let json = inflate(&compressed)?;
    check_report_versions(&json)?;
    lossless::from_slice(&json).map_err(|error| damaged(format!("not a MechScope view: {error}")))
}

/// Checks `ms<format>.` and returns what follows.
fn split_format(fragment: &str) -> Result<&str, ShareError> {
    let (digits, payload) = fragment
        .strip_prefix(MAGIC)
        .and_then(|rest| rest.split_once('.'))
        .ok_or(ShareError::Foreign)?;
    // A format is a plain number; "ms-draft.x" or a long run of digits is not ours.
    if digits.is_empty() || digits.len() > 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ShareError::Foreign);
    }
    let format: u32 = digits.parse().map_err(|_| ShareError::Foreign)?;
    if format == 0 {
        return Err(damaged("format 0 does not exist"));
    }
    if format > SHARE_FORMAT {
        return Err(ShareError::NewerVersion {
            what: Versioned::LinkFormat,
            found: format,
            supported: SHARE_FORMAT,
        });
    }
    Ok(payload)
}

/// Inflates a zlib stream, checking its checksum, up to [`MAX_CONTENT_BYTES`].
fn inflate(compressed: &[u8]) -> Result<Vec<u8>, ShareError> {
    miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(compressed, MAX_CONTENT_BYTES).map_err(
        |error| match error.status {
            TINFLStatus::HasMoreOutput => ShareError::ContentTooLarge {
                limit: MAX_CONTENT_BYTES,
            },
            TINFLStatus::FailedCannotMakeProgress | TINFLStatus::NeedsMoreInput => {
                damaged("the compressed data ends early")
            }
            TINFLStatus::Adler32Mismatch => damaged("the checksum does not match the content"),
            _ => damaged("the compressed data is invalid"),
        },
    )
}

/// Refuses reports of a newer schema before reading them, so that the user is told
/// "newer version" rather than whatever the first unknown field would make the
/// reader say.
fn check_report_versions(json: &[u8]) -> Result<(), ShareError> {
    #[derive(Deserialize)]
    struct Versions {
        #[serde(default)]
        reports: Vec<ReportVersion>,
    }
    #[derive(Deserialize)]
    struct ReportVersion {
        schema_version: u32,
    }
    let versions: Versions = lossless::from_slice(json)
        .map_err(|error| damaged(format!("not a MechScope view: {error}")))?;
    match versions
        .reports
        .iter()
        .map(|r| r.schema_version)
        .find(|&v| v > SCHEMA_VERSION)
    {
        Some(found) => Err(ShareError::NewerVersion {
            what: Versioned::ReportSchema,
            found,
            supported: SCHEMA_VERSION,
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests;
