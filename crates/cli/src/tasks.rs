//! Loading a task from what the user typed: a built-in name, a file (with an optional
//! `:format`), or `hf:dataset/config/split` through the datasets-server rows API.

use anyhow::{Context, Result, bail};
use mechscope_tasks::hub::{self, HubSplit};
use mechscope_tasks::readers::{self, Layout};
use mechscope_tasks::{Item, Loaded, TaskSpec};
use std::path::Path;

/// Items of a task and how many source rows were left out.
pub struct LoadedTask {
    pub spec: String,
    pub items: Vec<Item>,
    pub rows_skipped: usize,
    pub seed: Option<u64>,
}

/// Where the datasets-server is: `$MECHSCOPE_HUB_ROWS` (tests point it at a local
/// server), else Hugging Face's.
pub fn hub_base() -> String {
    std::env::var("MECHSCOPE_HUB_ROWS").unwrap_or_else(|_| hub::DEFAULT_BASE.to_string())
}

/// Loads `spec`, keeping at most `limit` items (built-in tasks generate `limit`).
pub fn load_task(spec: &str, limit: Option<usize>, seed: u64) -> Result<LoadedTask> {
    let parsed = TaskSpec::parse(spec).with_context(|| format!("task {spec:?}"))?;
    let (loaded, seed) = match &parsed {
        TaskSpec::Builtin(builtin) => (
            Loaded {
                items: builtin.generate(limit.unwrap_or(50), seed),
                errors: Vec::new(),
            },
            Some(seed),
        ),
        TaskSpec::File { path, format } => {
            let bytes = std::fs::read(path).with_context(|| format!("cannot read {path}"))?;
            let name = Path::new(path)
                .file_name()
                .map_or_else(|| path.clone(), |n| n.to_string_lossy().into_owned());
            let (_, loaded) = readers::load(&name, &bytes, format.clone())
                .with_context(|| format!("reading {path}"))?;
            (loaded, None)
        }
        TaskSpec::Hub(split) => (fetch_hub(split, limit.unwrap_or(100))?, None),
    };
    for error in loaded.errors.iter().take(5) {
        eprintln!("skipped {error}");
    }
    if loaded.errors.len() > 5 {
        eprintln!("skipped {} more rows", loaded.errors.len() - 5);
    }
    let mut items = loaded.items;
    if let Some(limit) = limit {
        items.truncate(limit);
    }
    if items.is_empty() {
        bail!("task {spec:?} has no usable items");
    }
    Ok(LoadedTask {
        spec: parsed.to_string(),
        items,
        rows_skipped: loaded.errors.len(),
        seed,
    })
}

fn fetch_hub(split: &HubSplit, n_items: usize) -> Result<Loaded> {
    let base = hub_base();
    let mut rows = Vec::new();
    for url in split.page_urls(&base, 0, n_items) {
        let page = fetch_rows(&url)?;
        let last = page.rows.len() < hub::MAX_PAGE_LENGTH;
        rows.extend(page.rows);
        if last {
            break;
        }
    }
    let layout = match split.known_layout() {
        Some(layout) => layout,
        None => rows
            .first()
            .and_then(|r| Layout::sniff(&r.row))
            .with_context(|| {
                format!(
                    "no known layout for {}; its rows have no recognised fields",
                    split.dataset
                )
            })?,
    };
    Ok(hub::items_from_rows(&rows, &layout))
}

/// One page of the datasets-server rows API.
pub fn fetch_rows(url: &str) -> Result<hub::RowsPage> {
    let body = ureq::get(url)
        .call()
        .with_context(|| format!("fetching {url}"))?
        .body_mut()
        .read_to_vec()
        .with_context(|| format!("reading {url}"))?;
    hub::parse_rows_response(&body).with_context(|| format!("parsing {url}"))
}
