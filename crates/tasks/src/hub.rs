//! The Hugging Face datasets-server rows API: URLs, paging, and parsing its answers.
//!
//! The HTTP request is the caller's (the CLI's client, the page's `fetch`): this module
//! says what to ask for and what the answer means, so both ask alike and neither parses
//! JSON by hand. `GET {base}/rows?dataset=..&config=..&split=..&offset=..&length=..`
//! answers `{"features": [...], "rows": [{"row_idx", "row", "truncated_cells"}],
//! "num_rows_total", "num_rows_per_page", "partial"}`, at most 100 rows a request.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Loaded, Location, ReadError, RowProblem};
use crate::readers::Layout;

/// The public datasets server; configurable because mirrors and a local test server exist.
pub const DEFAULT_BASE: &str = "https://datasets-server.huggingface.co";

/// The most rows the server returns for one request.
pub const MAX_PAGE_LENGTH: usize = 100;

/// Query-string characters left as they are: RFC 3986 unreserved ones, and `/` so that
/// `allenai/ai2_arc` stays readable (the server decodes both spellings alike).
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// One split of a hub dataset: what `hf:` task specs name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct HubSplit {
    /// The dataset id, `owner/name`.
    pub dataset: String,
    /// The configuration (subset); `"default"` for datasets with one.
    pub config: String,
    /// The split, e.g. `test`.
    pub split: String,
}

impl HubSplit {
    /// The URL of one page of this split.
    pub fn rows_url(&self, base: &str, offset: usize, length: usize) -> String {
        rows_url(
            base,
            &self.dataset,
            &self.config,
            &self.split,
            offset,
            length,
        )
    }

    /// The URLs that fetch `n_items` rows from `offset`, one per page.
    pub fn page_urls(&self, base: &str, offset: usize, n_items: usize) -> Vec<String> {
        page_requests(offset, n_items)
            .into_iter()
            .map(|page| self.rows_url(base, page.offset, page.length))
            .collect()
    }

    /// The layout of this dataset when it is a known one (see [`Layout::for_hub_dataset`]).
    pub fn known_layout(&self) -> Option<Layout> {
        Layout::for_hub_dataset(&self.dataset)
    }
}

/// The rows-API URL for `length` rows from `offset`, every value percent-encoded. A
/// trailing `/` on `base` is ignored. `length` is passed as given: keep it at most
/// [`MAX_PAGE_LENGTH`] (use [`page_requests`]).
///
/// ```
/// # use mechscope_tasks::hub::{rows_url, DEFAULT_BASE};
/// assert_eq!(
///     rows_url(DEFAULT_BASE, "allenai/ai2_arc", "ARC-Easy", "test", 0, 100),
///     "https://datasets-server.huggingface.co/rows?dataset=allenai/ai2_arc&config=ARC-Easy&split=test&offset=0&length=100"
/// );
/// ```
pub fn rows_url(
    base: &str,
    dataset: &str,
    config: &str,
    split: &str,
    offset: usize,
    length: usize,
) -> String {
    let encode = |value: &str| utf8_percent_encode(value, QUERY_VALUE).to_string();
    format!(
        "{}/rows?dataset={}&config={}&split={}&offset={offset}&length={length}",
        base.trim_end_matches('/'),
        encode(dataset),
        encode(config),
        encode(split),
    )
}

/// One request's window of rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRequest {
    /// The first row.
    pub offset: usize,
    /// How many rows, at most [`MAX_PAGE_LENGTH`].
    pub length: usize,
}

/// The requests that fetch `n_items` rows from `offset`: full pages of
/// [`MAX_PAGE_LENGTH`], then the remainder. A split shorter than asked for answers the
/// last pages with fewer rows (or none); stop when a page comes back short.
pub fn page_requests(offset: usize, n_items: usize) -> Vec<PageRequest> {
    (0..n_items)
        .step_by(MAX_PAGE_LENGTH)
        .map(|start| PageRequest {
            offset: offset.saturating_add(start),
            length: MAX_PAGE_LENGTH.min(n_items - start),
        })
        .collect()
}

/// One row of a rows-API answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HubRow {
    /// The row's 0-based position in the split.
    pub row_idx: usize,
    /// The row's fields.
    pub row: Value,
    /// Cells the server shortened because the row was too large.
    pub truncated_cells: Vec<String>,
}

/// A parsed rows-API answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RowsPage {
    /// The rows, in the order given.
    pub rows: Vec<HubRow>,
    /// The column names the server lists, for choosing a field mapping.
    pub features: Vec<String>,
    /// Rows in the whole split, when the server says.
    pub num_rows_total: Option<usize>,
    /// Whether the server has only part of the split (very large datasets).
    pub partial: bool,
}

/// Parses a rows-API answer. An `{"error": ...}` answer becomes [`ReadError::Server`];
/// an answer without `rows`, or with a row lacking `row_idx` or `row`, is not the API's
/// shape and fails whole.
pub fn parse_rows_response(bytes: &[u8]) -> Result<RowsPage, ReadError> {
    let document: Value =
        serde_json::from_slice(bytes).map_err(|error| ReadError::Json(error.to_string()))?;
    if let Some(message) = document.get("error") {
        let message = message
            .as_str()
            .map_or_else(|| message.to_string(), str::to_string);
        return Err(ReadError::Server(message));
    }
    let rows = document
        .get("rows")
        .and_then(Value::as_array)
        .ok_or_else(|| ReadError::MissingField("rows".into()))?;
    let rows = rows
        .iter()
        .enumerate()
        .map(|(at, entry)| {
            let row_idx = entry
                .get("row_idx")
                .and_then(Value::as_u64)
                .and_then(|row_idx| usize::try_from(row_idx).ok())
                .ok_or_else(|| ReadError::MissingField(format!("rows[{at}].row_idx")))?;
            let row = entry
                .get("row")
                .filter(|row| row.is_object())
                .cloned()
                .ok_or_else(|| ReadError::MissingField(format!("rows[{at}].row")))?;
            let truncated_cells = entry
                .get("truncated_cells")
                .and_then(Value::as_array)
                .map(|cells| {
                    cells
                        .iter()
                        .map(|cell| {
                            cell.as_str()
                                .map_or_else(|| cell.to_string(), str::to_string)
                        })
                        .collect()
                })
                .unwrap_or_default();
            Ok(HubRow {
                row_idx,
                row,
                truncated_cells,
            })
        })
        .collect::<Result<Vec<_>, ReadError>>()?;
    let features = document
        .get("features")
        .and_then(Value::as_array)
        .map(|features| {
            features
                .iter()
                .filter_map(|feature| feature.get("name").and_then(Value::as_str))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    Ok(RowsPage {
        rows,
        features,
        num_rows_total: document
            .get("num_rows_total")
            .and_then(Value::as_u64)
            .and_then(|total| usize::try_from(total).ok()),
        partial: document
            .get("partial")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    })
}

/// Turns hub rows into items with `layout`; each item's index is its `row_idx`. A row
/// with a truncated cell is refused (its text is not the dataset's), as is any row the
/// layout cannot read; the others still load.
pub fn items_from_rows(rows: &[HubRow], layout: &Layout) -> Loaded {
    let mut loaded = Loaded::default();
    for hub_row in rows {
        let location = Location::HubRow(hub_row.row_idx);
        let item = match hub_row.truncated_cells.first() {
            Some(cell) => Err(RowProblem::Truncated(cell.clone())),
            None => layout.item_from_row(&hub_row.row, hub_row.row_idx),
        };
        match item {
            Ok(item) => loaded.items.push(item),
            Err(problem) => loaded.errors.push(problem.at(location)),
        }
    }
    loaded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_encode_what_needs_encoding() {
        let url = rows_url(
            "http://127.0.0.1:8080/",
            "me/my data&more",
            "a=b+c",
            "test#1?é",
            200,
            50,
        );
        assert_eq!(
            url,
            "http://127.0.0.1:8080/rows?dataset=me/my%20data%26more&config=a%3Db%2Bc&split=test%231%3F%C3%A9&offset=200&length=50"
        );
    }

    #[test]
    fn pages_cover_the_range_in_hundreds() {
        assert_eq!(
            page_requests(10, 250),
            vec![
                PageRequest {
                    offset: 10,
                    length: 100
                },
                PageRequest {
                    offset: 110,
                    length: 100
                },
                PageRequest {
                    offset: 210,
                    length: 50
                },
            ]
        );
        assert_eq!(page_requests(0, 100).len(), 1);
        assert!(page_requests(0, 0).is_empty());
        let split = HubSplit {
            dataset: "openai/gsm8k".into(),
            config: "main".into(),
            split: "test".into(),
        };
        let urls = split.page_urls(DEFAULT_BASE, 0, 101);
        assert_eq!(urls.len(), 2);
        assert!(urls[1].ends_with("&offset=100&length=1"), "{}", urls[1]);
        assert_eq!(split.known_layout(), Some(Layout::Gsm8k));
    }

    #[test]
    fn server_errors_and_wrong_shapes() {
        assert_eq!(
            parse_rows_response(br#"{"error": "Not found."}"#),
            Err(ReadError::Server("Not found.".into()))
        );
        assert_eq!(
            parse_rows_response(br#"{"features": []}"#),
            Err(ReadError::MissingField("rows".into()))
        );
        assert_eq!(
            parse_rows_response(br#"{"rows": [{"row": {}}]}"#),
            Err(ReadError::MissingField("rows[0].row_idx".into()))
        );
        assert!(matches!(
            parse_rows_response(b"<html>"),
            Err(ReadError::Json(_))
        ));
    }

    #[test]
    fn truncated_rows_are_refused() {
        let page = parse_rows_response(
            br#"{"rows": [
                {"row_idx": 5, "row": {"question": "q", "answer": "a\n#### 2"}, "truncated_cells": []},
                {"row_idx": 6, "row": {"question": "q", "answer": "a"}, "truncated_cells": ["answer"]}
            ], "num_rows_total": 7}"#,
        )
        .unwrap();
        assert_eq!(page.num_rows_total, Some(7));
        let loaded = items_from_rows(&page.rows, &Layout::Gsm8k);
        assert_eq!(loaded.items.len(), 1);
        assert_eq!(loaded.items[0].index, 5);
        assert_eq!(
            loaded.errors[0].to_string(),
            "row_idx 6: field `answer` was truncated by the server"
        );
    }
}
