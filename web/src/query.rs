//! The page's URL parameters: `?model=`, `?gguf=`, `?device=`, `?model_hub=` (the
//! model panel), `?hub=` (another datasets-server, for tests), `?bench=` and each
//! bench's own.

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
