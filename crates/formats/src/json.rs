//! What a JSON parse error says to the user.
//!
//! serde_json refuses input nested more than 128 arrays or objects deep (its recursion
//! limit, which also keeps a hostile file from overflowing the stack), but its message,
//! "recursion limit exceeded at line 1 column 129", does not say what is wrong with the
//! file. [`describe_error`] adds that.

/// How deep serde_json lets arrays and objects nest.
pub const MAX_NESTING: usize = 128;

/// serde_json's message, with an explanation added when the input nests too deeply.
///
/// ```
/// let deep = "[".repeat(100_000);
/// let error = serde_json::from_str::<serde_json::Value>(&deep).unwrap_err();
/// let message = mechscope_formats::json::describe_error(&error);
/// // serde_json's own words and position (the column is its business), then ours.
/// assert!(message.starts_with("recursion limit exceeded at line 1 column 12"));
/// assert!(message.ends_with(
///     ": arrays or objects are nested more than 128 deep, which no real file needs \
///      (the file is corrupt or hostile)"
/// ));
/// ```
pub fn describe_error(error: &serde_json::Error) -> String {
    let message = error.to_string();
    if message.starts_with("recursion limit exceeded") {
        format!(
            "{message}: arrays or objects are nested more than {MAX_NESTING} deep, which no \
             real file needs (the file is corrupt or hostile)"
        )
    } else {
        message
    }
}
