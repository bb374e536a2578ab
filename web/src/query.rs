//! The page's URL parameters: `?model=`, `?gguf=`, `?device=`, `?model_hub=` (the
//! model panel), `?hub=` (another datasets-server, for tests), `?bench=` and each
//! bench's own, and each panel's task settings (`?mui_task=`, `?ais_k=`, `?lpp_seqs=`…,
//! through [`url_setting`]), so that a reload or a shared URL restores the setup.

use leptos::prelude::*;
use std::str::FromStr;

/// A query-string parameter of the page's URL.
pub fn param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get(name)
}

/// A parameter parsed, or `default` when absent or unreadable.
pub fn param_or<T: FromStr>(name: &str, default: T) -> T {
    param(name).and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Sets (`Some`) or removes (`None`) parameters of the page's URL in place: through
/// `history.replaceState`, so nothing reloads and the Back button is not filled with
/// every keystroke.
pub fn set_params(changes: &[(&str, Option<&str>)]) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(url) = web_sys::Url::new(&window.location().href().unwrap_or_default()) else {
        return;
    };
    let params = url.search_params();
    for (name, value) in changes {
        match value {
            Some(value) => params.set(name, value),
            None => params.delete(name),
        }
    }
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url.href()));
    }
}

/// A setting that lives in the URL as `?name=value`: read when the page opens (an
/// unreadable value falls back to `default`), written back whenever it changes, and
/// left out while it equals `default`, so shared URLs stay short and readable.
pub fn url_setting<T>(name: &'static str, default: T) -> RwSignal<T>
where
    T: FromStr + ToString + PartialEq + Clone + Send + Sync + 'static,
{
    let setting = RwSignal::new(param_or(name, default.clone()));
    Effect::new(move |_| {
        let value = setting.get();
        let text = (value != default).then(|| value.to_string());
        set_params(&[(name, text.as_deref())]);
    });
    setting
}
