//! Files the page hands to the user: object URLs for reports, tables and charts.
//!
//! An object URL keeps its blob alive until revoked; the page makes one per result
//! view (a handful per session), so they are left to the page's lifetime, except for
//! the chart exports, which are made on every click and revoke the previous one.

/// An object URL holding JSON `text`, for a download link.
pub(crate) fn blob_url(text: &str) -> Option<String> {
    blob_url_of(text, "application/json")
}

/// An object URL holding `text` of type `mime`, for a download link.
pub(crate) fn blob_url_of(text: &str, mime: &str) -> Option<String> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}

/// Gives back an object URL made by [`blob_url_of`] (its blob can be freed).
pub(crate) fn revoke(url: &str) {
    // Revoking an URL that is not an object URL is a no-op, never an error worth showing.
    let _ = web_sys::Url::revoke_object_url(url);
}
