//! Reading the charts' SVG back in the tests: elements by tag and attribute, their
//! numeric attributes, and the text of every `<text>`.
//!
//! Each test binary uses a different part of this, so unused parts are not an error.
#![allow(dead_code)]

/// Every `<tag ...>` of the SVG that contains `needle`, in document order.
pub fn tags_with<'a>(svg: &'a str, tag: &str, needle: &str) -> Vec<&'a str> {
    svg.split('<')
        .filter(|t| t.starts_with(tag) && t.contains(needle))
        .collect()
}

/// The value of attribute `name` in one tag.
pub fn attribute(tag: &str, name: &str) -> f64 {
    let start = tag
        .find(&format!(" {name}=\""))
        .unwrap_or_else(|| panic!("no {name} in {tag}"))
        + name.len()
        + 3;
    let end = start + tag[start..].find('"').unwrap();
    tag[start..end].parse().unwrap()
}

/// The text of every `<text>` element, trimmed and unescaped.
pub fn texts(svg: &str) -> Vec<String> {
    text_elements(svg).into_iter().map(|t| t.text).collect()
}

/// One `<text>` element: where it is anchored, its fill, its text.
#[derive(Debug, Clone)]
pub struct TextElement {
    pub x: f64,
    pub y: f64,
    pub fill: String,
    /// The whole opening tag, for attributes the fields leave out (`transform`).
    pub tag: String,
    pub text: String,
}

/// Every `<text>` element, in document order.
pub fn text_elements(svg: &str) -> Vec<TextElement> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let tag_end = t.find('>')?;
            let tag = &t[..tag_end];
            let body = &t[tag_end + 1..];
            let text = body[..body.find("</text>")?].trim();
            let fill_start = tag.find(" fill=\"")? + 7;
            let fill = tag[fill_start..fill_start + tag[fill_start..].find('"')?].to_string();
            Some(TextElement {
                x: attribute(tag, "x"),
                y: attribute(tag, "y"),
                fill,
                tag: tag.to_string(),
                text: text
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&apos;", "'")
                    .replace("&quot;", "\"")
                    .replace("&amp;", "&"),
            })
        })
        .collect()
}

/// Whether one of the texts is exactly `text`.
pub fn has(texts: &[String], text: &str) -> bool {
    texts.iter().any(|t| t == text)
}

/// The points of a `<polyline>` or `<polygon>` tag.
pub fn points(tag: &str) -> Vec<(f64, f64)> {
    let start = tag.find("points=\"").expect("a points attribute") + 8;
    let end = start + tag[start..].find('"').unwrap();
    tag[start..end]
        .split_whitespace()
        .filter_map(|pair| {
            let (x, y) = pair.split_once(',')?;
            Some((x.parse().ok()?, y.parse().ok()?))
        })
        .collect()
}

pub fn assert_svg(svg: &str) {
    assert!(svg.starts_with("<svg"), "{}", &svg[..svg.len().min(200)]);
    assert!(svg.trim_end().ends_with("</svg>"));
    assert_eq!(
        svg.matches("<text").count(),
        svg.matches("</text>").count(),
        "every text element is closed"
    );
}
