//! Chat templates: Hugging Face's Jinja templates rendered with minijinja.
//!
//! `transformers` renders them with Jinja2 under `trim_blocks=True, lstrip_blocks=True`,
//! the `loopcontrols` extension, a `raise_exception(message)` global and its own `tojson`
//! (Python's `json.dumps`, not Jinja's HTML-safe one). The same settings are used here,
//! plus minijinja-contrib's Python string and dict methods (`.strip()`, `.startswith()`,
//! `.items()`, ...) that templates call.

use super::TokenizerError;
use minijinja::value::{Kwargs, ValueKind};
use minijinja::{Environment, Error, ErrorKind, Value};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex};

/// Most VM steps (minijinja's fuel) one rendering may take. Real templates take a few
/// dozen per message, so this allows conversations of thousands of messages while a
/// template that loops without end stops within about a tenth of a second.
pub const MAX_RENDER_STEPS: u64 = 2_000_000;
/// Most bytes one rendering may write: far more than any prompt a model can take.
pub const MAX_RENDERED_BYTES: usize = 16 << 20;
/// Widest `tojson(indent=N)` accepted (templates use 2 or 4); Python takes any, but a
/// huge N would allocate N spaces.
pub const MAX_TOJSON_INDENT: usize = 64;

/// One turn of a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// `"system"`, `"user"` or `"assistant"` (templates may accept others, e.g. `"tool"`).
    pub role: String,
    pub content: String,
}

impl ChatMessage {
    pub fn new(role: impl Into<String>, content: impl Into<String>) -> Self {
        ChatMessage {
            role: role.into(),
            content: content.into(),
        }
    }

    pub fn system(content: impl Into<String>) -> Self {
        Self::new("system", content)
    }

    pub fn user(content: impl Into<String>) -> Self {
        Self::new("user", content)
    }

    pub fn assistant(content: impl Into<String>) -> Self {
        Self::new("assistant", content)
    }
}

pub(super) fn render(
    template: &str,
    messages: &[ChatMessage],
    add_generation_prompt: bool,
    bos_token: &str,
    eos_token: &str,
) -> Result<String, TokenizerError> {
    let mut env = Environment::new();
    env.set_fuel(Some(MAX_RENDER_STEPS));
    let syntax = minijinja::syntax::SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .build()
        .map_err(|e| TokenizerError::ChatTemplateSyntax(describe(&e)))?;
    env.set_syntax(syntax);
    env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
    // The message a template raises is the useful part of the error; keep it apart from
    // minijinja's framing.
    let raised: Arc<Mutex<Option<String>>> = Arc::default();
    let raised_in_template = Arc::clone(&raised);
    env.add_function(
        "raise_exception",
        move |message: String| -> Result<Value, Error> {
            if let Ok(mut slot) = raised_in_template.lock() {
                *slot = Some(message.clone());
            }
            Err(Error::new(ErrorKind::InvalidOperation, message))
        },
    );
    env.add_filter("tojson", tojson);

    let compiled = env
        .template_from_str(template)
        .map_err(|e| TokenizerError::ChatTemplateSyntax(describe(&e)))?;
    let n_messages = messages.len();
    let messages: Vec<Value> = messages
        .iter()
        .map(|m| {
            Value::from_pairs([
                ("role", Value::from(m.role.as_str())),
                ("content", Value::from(m.content.as_str())),
            ])
        })
        .collect();
    let context = Value::from_pairs([
        ("messages", Value::from(messages)),
        ("add_generation_prompt", Value::from(add_generation_prompt)),
        ("bos_token", Value::from(bos_token)),
        ("eos_token", Value::from(eos_token)),
    ]);
    let mut output = CappedOutput::default();
    let rendered = compiled
        .render_captured_to(context, &mut output)
        .map(|_state| ());
    if output.overflowed {
        return Err(TokenizerError::ChatTemplateOutputTooLarge {
            limit_bytes: MAX_RENDERED_BYTES,
            messages: n_messages,
        });
    }
    if let Err(e) = rendered {
        if let Some(message) = raised.lock().ok().and_then(|mut slot| slot.take()) {
            return Err(TokenizerError::ChatTemplateRaised(message));
        }
        if e.kind() == ErrorKind::OutOfFuel {
            return Err(TokenizerError::ChatTemplateTooLong {
                steps: MAX_RENDER_STEPS,
                messages: n_messages,
            });
        }
        return Err(TokenizerError::ChatTemplateRender(describe(&e)));
    }
    // minijinja writes whole `str`s, so the bytes are UTF-8.
    String::from_utf8(output.bytes)
        .map_err(|e| TokenizerError::ChatTemplateRender(format!("the output is not UTF-8: {e}")))
}

/// The rendered text, refusing to grow past [`MAX_RENDERED_BYTES`] (the write fails,
/// which stops the rendering).
#[derive(Default)]
struct CappedOutput {
    bytes: Vec<u8>,
    overflowed: bool,
}

impl std::io::Write for CappedOutput {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len().saturating_add(buf.len()) > MAX_RENDERED_BYTES {
            self.overflowed = true;
            return Err(std::io::Error::other(
                "the chat template's output is too large",
            ));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// minijinja's message with the line it points at.
fn describe(error: &Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

/// `tojson` as `transformers` defines it: `json.dumps(value, ensure_ascii=False,
/// indent=indent, separators=None, sort_keys=False)`, i.e. `", "` and `": "` separators
/// and no HTML escaping.
fn tojson(value: &Value, indent: Option<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let indent = match indent.or(kwargs.get::<Option<Value>>("indent")?) {
        None => None,
        Some(v) if v.is_none() => None,
        Some(v) => match v.as_usize() {
            Some(n) if n > MAX_TOJSON_INDENT => {
                return Err(Error::new(
                    ErrorKind::InvalidOperation,
                    format!("tojson: indent {n} is wider than the {MAX_TOJSON_INDENT} accepted"),
                ));
            }
            Some(n) => Some(" ".repeat(n)),
            None => Some(v.as_str().map(str::to_string).ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidOperation,
                    "tojson: indent must be a number or a string",
                )
            })?),
        },
    };
    let ensure_ascii: bool = kwargs.get::<Option<bool>>("ensure_ascii")?.unwrap_or(false);
    let sort_keys: bool = kwargs.get::<Option<bool>>("sort_keys")?.unwrap_or(false);
    kwargs.assert_all_used()?;
    let options = JsonOptions {
        indent,
        ensure_ascii,
        sort_keys,
    };
    let mut out = String::new();
    write_json(&mut out, value, &options, 0)?;
    Ok(Value::from(out))
}

struct JsonOptions {
    indent: Option<String>,
    ensure_ascii: bool,
    sort_keys: bool,
}

fn write_json(
    out: &mut String,
    value: &Value,
    options: &JsonOptions,
    depth: usize,
) -> Result<(), Error> {
    match value.kind() {
        ValueKind::Undefined | ValueKind::None => out.push_str("null"),
        ValueKind::Bool => out.push_str(if value.is_true() { "true" } else { "false" }),
        ValueKind::Number => {
            if let Some(i) = value.as_i64() {
                out.push_str(&i.to_string());
            } else {
                let f = f64::try_from(value.clone()).unwrap_or(f64::NAN);
                out.push_str(&python_float_repr(f));
            }
        }
        ValueKind::String => write_json_string(
            out,
            value.as_str().unwrap_or_default(),
            options.ensure_ascii,
        ),
        ValueKind::Seq | ValueKind::Iterable => {
            let items: Vec<Value> = value.try_iter()?.collect();
            write_container(out, '[', ']', &items, options, depth, write_json)?;
        }
        ValueKind::Map => {
            let mut entries: Vec<(Value, Value)> = value
                .try_iter()?
                .map(|key| {
                    let item = value.get_item(&key).unwrap_or_default();
                    (key, item)
                })
                .collect();
            if options.sort_keys {
                entries.sort_by_key(|entry| entry.0.to_string());
            }
            write_container(
                out,
                '{',
                '}',
                &entries,
                options,
                depth,
                |out, (key, item), options, depth| {
                    match key.as_str() {
                        Some(k) => write_json_string(out, k, options.ensure_ascii),
                        None => write_json_string(out, &key.to_string(), options.ensure_ascii),
                    }
                    out.push_str(": ");
                    write_json(out, item, options, depth)
                },
            )?;
        }
        _ => write_json_string(out, &value.to_string(), options.ensure_ascii),
    }
    Ok(())
}

fn write_container<T>(
    out: &mut String,
    open: char,
    close: char,
    items: &[T],
    options: &JsonOptions,
    depth: usize,
    mut write_item: impl FnMut(&mut String, &T, &JsonOptions, usize) -> Result<(), Error>,
) -> Result<(), Error> {
    out.push(open);
    if items.is_empty() {
        out.push(close);
        return Ok(());
    }
    for (i, item) in items.iter().enumerate() {
        match &options.indent {
            Some(indent) => {
                out.push_str(if i == 0 { "\n" } else { ",\n" });
                out.push_str(&indent.repeat(depth + 1));
            }
            None if i > 0 => out.push_str(", "),
            None => {}
        }
        write_item(out, item, options, depth + 1)?;
    }
    if let Some(indent) = &options.indent {
        out.push('\n');
        out.push_str(&indent.repeat(depth));
    }
    out.push(close);
    Ok(())
}

fn write_json_string(out: &mut String, s: &str, ensure_ascii: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0C}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (ensure_ascii && !c.is_ascii()) => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Python's `repr(float)` as `json.dumps` writes it: shortest round-trip digits, `1.0`
/// for integral values, exponent form below 1e-4 and from 1e16, `Infinity`/`NaN`.
fn python_float_repr(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let magnitude = f.abs();
    if magnitude != 0.0 && !(1e-4..1e16).contains(&magnitude) {
        // Rust: "1e-7", "1.5e20"; Python: "1e-07", "1.5e+20".
        let formatted = format!("{f:e}");
        let (mantissa, exponent) = formatted.split_once('e').unwrap_or((&formatted, "0"));
        let (sign, digits) = match exponent.strip_prefix('-') {
            Some(d) => ('-', d),
            None => ('+', exponent),
        };
        return format!("{mantissa}e{sign}{digits:0>2}");
    }
    let formatted = format!("{f}");
    if formatted.contains('.') {
        formatted
    } else {
        format!("{formatted}.0")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render_source(source: &str) -> Result<String, TokenizerError> {
        render(source, &[ChatMessage::user("hi")], true, "<s>", "</s>")
    }

    #[test]
    fn tojson_is_pythons_json_dumps() {
        // Expected strings are what Python's json.dumps(..., ensure_ascii=False) prints.
        let out = render_source(
            r#"{{ {"a": [1, 2.5, none, true], "b": "x\"y</é>", "c": {}} | tojson }}"#,
        )
        .unwrap();
        assert_eq!(
            out,
            r#"{"a": [1, 2.5, null, true], "b": "x\"y</é>", "c": {}}"#
        );
        let out = render_source(r#"{{ [1, [2]] | tojson(indent=2) }}"#).unwrap();
        assert_eq!(out, "[\n  1,\n  [\n    2\n  ]\n]");
        let out = render_source(r#"{{ "é\n" | tojson(ensure_ascii=true) }}"#).unwrap();
        assert_eq!(out, r#""\u00e9\n""#);
    }

    #[test]
    fn python_floats() {
        assert_eq!(python_float_repr(1.0), "1.0");
        assert_eq!(python_float_repr(0.1), "0.1");
        assert_eq!(python_float_repr(1e-7), "1e-07");
        assert_eq!(python_float_repr(1.5e20), "1.5e+20");
        assert_eq!(python_float_repr(-0.0), "-0.0");
        assert_eq!(python_float_repr(f64::INFINITY), "Infinity");
    }

    #[test]
    fn templates_get_python_methods_and_trimmed_blocks() {
        let source = "{% for m in messages %}\n  {% if m['role'].startswith('us') %}U:{% endif %}\n{{ m.content.strip().upper() }}\n{% endfor %}";
        let out = render(source, &[ChatMessage::user("  hi ")], false, "", "").unwrap();
        // Jinja2 with trim_blocks + lstrip_blocks gives "U:HI\n" for this source.
        assert_eq!(out, "U:HI\n");
    }

    #[test]
    fn loop_controls_work() {
        let out = render_source(
            "{% for i in [1,2,3] %}{% if i == 2 %}{% break %}{% endif %}{{ i }}{% endfor %}",
        )
        .unwrap();
        assert_eq!(out, "1");
    }

    #[test]
    fn errors_are_typed() {
        let err = render_source("{% for m in messages %}").unwrap_err();
        assert!(
            matches!(err, TokenizerError::ChatTemplateSyntax(_)),
            "{err:?}"
        );
        let err = render_source("{{ raise_exception('roles must alternate') }}").unwrap_err();
        assert_eq!(
            err,
            TokenizerError::ChatTemplateRaised("roles must alternate".into())
        );
        let err = render_source("{{ messages[0].content.no_such_method() }}").unwrap_err();
        assert!(
            matches!(err, TokenizerError::ChatTemplateRender(_)),
            "{err:?}"
        );
    }

    #[test]
    fn special_tokens_reach_the_template() {
        let out =
            render_source("{{ bos_token }}{{ messages[0]['content'] }}{{ eos_token }}").unwrap();
        assert_eq!(out, "<s>hi</s>");
    }
}
