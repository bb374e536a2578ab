//! Share links and opened reports: results reach the page from a link's fragment
//! (`#ms1.…`, [`mechscope_report::share`]), from `?report=URL`, or from a report file
//! the user opens (the CLI's `--out` or the page's own download). Each panel shows the
//! opened reports of its metric as if it had just run them, with no model loaded, and
//! a "Copy share link" button writes the panel's results back into such a link.

use crate::bytes::fetch_all;
use crate::download::blob_url;
use crate::global::{js_detail, member};
use leptos::prelude::*;
use leptos::task::spawn_local;
use mechscope_report::Report;
use mechscope_report::share::{self, ChartOptions, ShareError, SharedView};
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// Where the opened results came from, said above them.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    Link,
    Url(String),
    File(String),
    /// The bundled example reports of the teaching demo ([`EXAMPLES`]).
    Examples,
}

/// The teaching demo's example reports: made by the CLI on the demo model
/// (`cargo xtask examples`), served from `public/examples/`, shown on a plain visit
/// while nothing else is opened, so a class sees results before any model loads.
/// `?examples=off` leaves them out. (AIS's example joins once its CLI run, the longest,
/// has been made and committed: `cargo xtask examples` writes `ais.json` too.)
pub const EXAMPLES: [&str; 3] = [
    "public/examples/lpp.json",
    "public/examples/mui.json",
    "public/examples/ais.json",
];

/// Results opened from outside the session, or why they could not be.
#[derive(Debug, Clone, PartialEq)]
pub enum Opened {
    Nothing,
    /// Fetching what the string names ("the report at URL", "the example results").
    Loading(String),
    View(Box<SharedView>, Origin),
    Failed(String),
}

/// The page's opened results, shared by the panels through leptos' context.
#[derive(Debug, Clone, Copy)]
pub struct OpenedResults(pub RwSignal<Opened>);

impl OpenedResults {
    /// Reads the link's fragment and `?report=` once, and again whenever the fragment
    /// changes (a link pasted into the address bar of an open page).
    pub fn provide() -> Self {
        let opened = OpenedResults(RwSignal::new(Opened::Nothing));
        provide_context(opened);
        opened.read_location(true);
        let on_hash = Closure::<dyn Fn()>::new(move || opened.read_location(false));
        if let Some(window) = web_sys::window() {
            let _ = window
                .add_event_listener_with_callback("hashchange", on_hash.as_ref().unchecked_ref());
        }
        on_hash.forget();
        opened
    }

    /// The fragment, then (`at_start` only: a later anchor click must not fetch them
    /// again over the session's runs) `?report=` or the examples.
    fn read_location(self, at_start: bool) {
        let hash = web_sys::window()
            .and_then(|w| w.location().hash().ok())
            .unwrap_or_default();
        // A fragment that is not a share link (an anchor such as `#lpp`) is not ours.
        match share::decode(&hash) {
            Err(ShareError::Foreign) => {}
            Ok(view) => {
                self.0.set(Opened::View(Box::new(view), Origin::Link));
                return;
            }
            Err(e) => {
                self.0.set(Opened::Failed(format!(
                    "This link could not be opened: {e}."
                )));
                return;
            }
        }
        if !at_start {
            return;
        }
        if let Some(url) = crate::query::param("report") {
            self.0.set(Opened::Loading(format!("the report at {url}")));
            spawn_local(async move {
                self.0.set(match fetch_all(&url, |_, _| {}).await {
                    Ok(bytes) => match report_from_json(&bytes) {
                        Ok(view) => Opened::View(Box::new(view), Origin::Url(url)),
                        Err(e) => {
                            Opened::Failed(format!("The report at {url} could not be opened: {e}"))
                        }
                    },
                    Err(e) => Opened::Failed(format!("The report could not be fetched: {e}")),
                });
            });
        } else if crate::query::param("examples").as_deref() != Some("off")
            && matches!(*self.0.read_untracked(), Opened::Nothing)
        {
            self.show_examples();
        }
    }

    /// Fetches the [`EXAMPLES`] and shows those that read as reports. A missing or
    /// unreadable example is said in the console and left out: the page works without.
    fn show_examples(self) {
        self.0.set(Opened::Loading("the example results".into()));
        spawn_local(async move {
            let mut reports = Vec::new();
            for url in EXAMPLES {
                match fetch_all(url, |_, _| {})
                    .await
                    .map_err(|e| e.to_string())
                    .and_then(|bytes| Report::from_json(&bytes).map_err(|e| e.to_string()))
                {
                    Ok(report) => reports.push(report),
                    Err(e) => {
                        web_sys::console::warn_1(&format!("example {url} left out: {e}").into())
                    }
                }
            }
            // A link or a file opened meanwhile wins over the examples.
            if matches!(*self.0.read_untracked(), Opened::Loading(_)) {
                self.0.set(if reports.is_empty() {
                    Opened::Nothing
                } else {
                    Opened::View(Box::new(SharedView::of(reports)), Origin::Examples)
                });
            }
        });
    }

    /// Opens a report file the user chose.
    pub fn open_file(self, name: String, bytes: &[u8]) {
        self.0.set(match report_from_json(bytes) {
            Ok(view) => Opened::View(Box::new(view), Origin::File(name)),
            Err(e) => Opened::Failed(format!("{name} could not be opened: {e}")),
        });
    }

    /// The setting `key` of chart `chart` in the opened view ([`ViewState::options`]),
    /// when a view is open and names it. A link is untrusted: the caller checks the value.
    ///
    /// [`ViewState::options`]: mechscope_report::share::ViewState::options
    pub fn chart_option(self, chart: &str, key: &str) -> Option<serde_json::Value> {
        match &*self.0.read() {
            Opened::View(view, _) => view.view.options.get(chart)?.get(key).cloned(),
            _ => None,
        }
    }

    /// The opened reports that `keep` selects (a panel's metric), when there are any.
    pub fn reports(self, keep: fn(&Report) -> bool) -> Option<Vec<Report>> {
        match &*self.0.read() {
            Opened::View(view, _) => {
                let reports: Vec<Report> =
                    view.reports.iter().filter(|r| keep(r)).cloned().collect();
                (!reports.is_empty()).then_some(reports)
            }
            _ => None,
        }
    }
}

/// The panels' context; a panel outside [`crate::app::App`] (none today) gets none.
pub fn opened_results() -> Option<OpenedResults> {
    use_context::<OpenedResults>()
}

/// A report file: one report (as the CLI and the page write them), or a JSON array of
/// them (the page's "Download the reports", offered when results are too large for a
/// link). A report of a newer schema is refused by [`Report::from_json`].
fn report_from_json(bytes: &[u8]) -> Result<SharedView, String> {
    Report::list_from_json(bytes)
        .map(SharedView::of)
        .map_err(|e| e.to_string())
}

/// What the top of the page says about opened results.
#[component]
pub fn OpenedBanner() -> impl IntoView {
    let Some(opened) = opened_results() else {
        return ().into_any();
    };
    let on_file = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        spawn_local(async move {
            let name = file.name();
            match crate::bytes::ByteSource::File(file).prefix(u64::MAX).await {
                Ok((bytes, _)) => opened.open_file(name, &bytes),
                Err(e) => opened
                    .0
                    .set(Opened::Failed(format!("{name} could not be read: {e}"))),
            }
        });
    };
    view! {
        <section id="opened" aria-live="polite">
            {move || match opened.0.get() {
                Opened::Nothing => ().into_any(),
                Opened::Loading(what) => view! {
                    <p id="opened-state" data-state="loading" class="muted">"Fetching " {what} "…"</p>
                }.into_any(),
                Opened::Failed(message) => view! {
                    <p id="opened-state" data-state="failed" class="error" role="alert">{message}</p>
                }.into_any(),
                Opened::View(view, Origin::Examples) => view! {
                    <p id="opened-state" data-state="view" data-origin="examples" class="status-ok">
                        {format!(
                            "Example results: {} made by the MechScope command line on the demo model ({}), shown while nothing else is loaded. Load the model to run your own; they are drawn next to these. ",
                            view.reports.iter().map(|r| r.metric_name()).collect::<Vec<_>>().join(", "),
                            view.reports.first().map(|r| r.model.id.clone()).unwrap_or_default(),
                        )}
                        <a id="hide-examples" href="?examples=off">"Start without the examples"</a>
                    </p>
                }.into_any(),
                Opened::View(view, origin) => {
                    // Each model once, in the order first seen (a comparison repeats them).
                    let mut models: Vec<String> = Vec::new();
                    for report in &view.reports {
                        if !models.contains(&report.model.id) {
                            models.push(report.model.id.clone());
                        }
                    }
                    let from = match origin {
                        Origin::Link => "a share link".to_string(),
                        Origin::Url(url) => url,
                        Origin::File(name) => name,
                        Origin::Examples => "the examples".into(),
                    };
                    view! {
                        <p id="opened-state" data-state="view" class="status-ok">
                            {format!(
                                "Showing {} result{} opened from {from} ({}). No model is needed to view them; load one to run your own.",
                                view.reports.len(),
                                if view.reports.len() == 1 { "" } else { "s" },
                                models.join(", ")
                            )}
                        </p>
                    }.into_any()
                }
            }}
            <label class="muted">"Open a report file (from the page or the CLI's --out) "
                <input type="file" id="open-report" accept=".json,application/json" on:change=on_file /></label>
        </section>
    }
    .into_any()
}

/// A "Copy share link" button for `reports`, with `chart` in front when the link opens
/// and `options` as that chart's settings ([`OpenedResults::chart_option`] reads them
/// back). The link is also shown, selectable, where the clipboard is not available; a
/// view too large for a link offers the report file instead.
#[component]
pub fn ShareLink(
    id: &'static str,
    reports: Vec<Report>,
    #[prop(optional)] chart: Option<&'static str>,
    #[prop(optional)] options: Option<ChartOptions>,
) -> impl IntoView {
    let (outcome, set_outcome) = signal(None::<Result<String, (String, Option<String>)>>);
    let on_click = move |_| {
        let mut view = SharedView::of(reports.clone());
        view.view.chart = chart.map(str::to_string);
        if let (Some(chart), Some(options)) = (chart, &options) {
            view.view.options.insert(chart.to_string(), options.clone());
        }
        set_outcome.set(Some(match share::encode(&view) {
            Ok(fragment) => {
                let link = link_for(&fragment);
                copy_to_clipboard(&link);
                Ok(link)
            }
            Err(e @ ShareError::TooLargeForLink { .. }) => {
                let json = serde_json::to_string(&view.reports).unwrap_or_default();
                Err((e.to_string(), blob_url(&json)))
            }
            Err(e) => Err((e.to_string(), None)),
        }));
    };
    view! {
        <div class="share">
            <button id=format!("{id}-share") on:click=on_click>"Copy share link"</button>
            {move || match outcome.get() {
                None => ().into_any(),
                Some(Ok(link)) => view! {
                    <input id=format!("{id}-share-link") class="share-link" type="text" readonly=true
                        prop:value=link aria-label="The share link" />
                    <span class="muted">" copied; anyone who opens it sees these results."</span>
                }.into_any(),
                Some(Err((message, file))) => view! {
                    <p id=format!("{id}-share-error") class="status-warn">{message}
                        {file.map(|url| view! { " " <a href=url download="mechscope-reports.json">"Download the reports"</a> })}
                    </p>
                }.into_any(),
            }}
        </div>
    }
}

/// Query parameters a share link leaves out: `model` and `gguf` would start a model
/// download in the reader's tab (the link is for viewing; "Load" is one click away),
/// and `report` and `examples` would open other results than the fragment's.
const NOT_SHARED: [&str; 4] = ["model", "gguf", "report", "examples"];

/// The page's address with `fragment` as its fragment. The query is kept (it holds the
/// panels' setup) except for [`NOT_SHARED`].
fn link_for(fragment: &str) -> String {
    let href = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    let Ok(url) = web_sys::Url::new(&href) else {
        let base = href.split('#').next().unwrap_or_default();
        return format!("{base}#{fragment}");
    };
    for name in NOT_SHARED {
        url.search_params().delete(name);
    }
    url.set_hash(fragment);
    url.href()
}

/// `navigator.clipboard.writeText(text)`, if the browser allows it; the link is on the
/// page either way.
fn copy_to_clipboard(text: &str) {
    let clipboard = js_sys::Reflect::get(&member("navigator"), &"clipboard".into())
        .unwrap_or(JsValue::UNDEFINED);
    let write = js_sys::Reflect::get(&clipboard, &"writeText".into()).unwrap_or(JsValue::UNDEFINED);
    if let Some(write) = write.dyn_ref::<js_sys::Function>()
        && let Ok(promise) = write.call1(&clipboard, &JsValue::from_str(text))
        && let Ok(promise) = promise.dyn_into::<js_sys::Promise>()
    {
        spawn_local(async move {
            if let Err(e) = wasm_bindgen_futures::JsFuture::from(promise).await {
                web_sys::console::warn_1(&format!("copy to clipboard: {}", js_detail(&e)).into());
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    const MUI: &str = include_str!("../../public/examples/mui.json");
    const LPP: &str = include_str!("../../public/examples/lpp.json");

    #[wasm_bindgen_test]
    fn report_files_hold_one_report_or_the_pages_list_of_them() {
        assert_eq!(report_from_json(MUI.as_bytes()).unwrap().reports.len(), 1);
        let list = format!("[{MUI}, {LPP}]");
        let view = report_from_json(list.as_bytes()).unwrap();
        let metrics: Vec<&str> = view.reports.iter().map(Report::metric_name).collect();
        assert_eq!(metrics, ["MUI", "LPP"]);
        // What "Download the reports" writes reads back.
        let saved = serde_json::to_string(&view.reports).unwrap();
        assert_eq!(report_from_json(saved.as_bytes()).unwrap().reports.len(), 2);

        let mut newer: serde_json::Value = serde_json::from_str(LPP).unwrap();
        newer["schema_version"] = (mechscope_report::SCHEMA_VERSION + 1).into();
        let error = report_from_json(format!("[{MUI}, {newer}]").as_bytes()).unwrap_err();
        assert!(error.starts_with("report 2 of 2: "), "{error}");
        assert!(error.contains("newer MechScope"), "{error}");
        assert_eq!(
            report_from_json(b" []").unwrap_err(),
            "the file holds no reports"
        );
        assert!(
            report_from_json(b"[1,")
                .unwrap_err()
                .starts_with("it is not a list")
        );
    }
}
