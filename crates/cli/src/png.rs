//! PNG files of the charts: the SVG that `--svg` writes, rendered to pixels by resvg
//! (pure Rust, no system libraries) with the system's fonts for the labels.
//!
//! Rendering the SVG, rather than drawing again on a bitmap backend of plotters, keeps
//! one drawing path per chart (the page's canvas, the SVG and the PNG show the same
//! thing) and puts the text through a real shaper; plotters' bitmap text would need
//! font-kit and fontconfig.

use resvg::usvg::fontdb::Database;
use resvg::{tiny_skia, usvg};
use std::sync::{Arc, OnceLock};

/// Pixels per SVG unit in a PNG the CLI writes: twice the chart's design size, sharp on
/// a projector or a high-density screen (the page's PNG is its canvas, in device pixels).
pub const PNG_SCALE: f32 = 2.0;

/// The most pixels a PNG may have (8192², 256 MiB of RGBA): a chart is under 2000²
/// at [`PNG_SCALE`]; the renderer would try to allocate anything it is asked for.
const MAX_PIXELS: u64 = 8192 * 8192;

/// Font families tried, in order, for the `sans-serif` that the charts' text asks for;
/// without one of them the system's first font is used.
const SANS_SERIF: [&str; 6] = [
    "DejaVu Sans",
    "Liberation Sans",
    "Noto Sans",
    "Arial",
    "Helvetica",
    "Verdana",
];

/// Why a chart could not be made into a PNG.
#[derive(Debug, thiserror::Error)]
pub enum PngError {
    /// A PNG without its labels would mislead, so none is written.
    #[error(
        "no fonts were found on this system, so the chart's labels cannot be drawn into a \
         PNG: install a TrueType font (Debian: fonts-dejavu-core) or use --svg, which the \
         viewer renders with its own fonts"
    )]
    NoFonts,
    #[error("the chart's SVG could not be read: {0}")]
    Svg(#[from] usvg::Error),
    #[error("a chart of {width} × {height} pixels at {scale}× is too large for an image")]
    TooLarge { width: f32, height: f32, scale: f32 },
    #[error("the PNG could not be encoded: {0}")]
    Encode(String),
}

/// The system's fonts, loaded once per process (a scan of the font directories), with
/// `sans-serif` and `serif` (usvg's fallback) pointed at a family that is there.
pub fn system_fonts() -> Arc<Database> {
    static FONTS: OnceLock<Arc<Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut fonts = Database::new();
            fonts.load_system_fonts();
            Arc::new(with_sans_serif(fonts))
        })
        .clone()
}

/// `fonts` with its generic families set to the first of [`SANS_SERIF`] it holds, else
/// to its first face's family.
fn with_sans_serif(mut fonts: Database) -> Database {
    let has = |family: &str| {
        fonts
            .faces()
            .any(|face| face.families.iter().any(|(name, _)| name == family))
    };
    let chosen = SANS_SERIF
        .iter()
        .find(|family| has(family))
        .map(|family| family.to_string())
        .or_else(|| {
            let face = fonts.faces().next()?;
            face.families.first().map(|(name, _)| name.clone())
        });
    if let Some(family) = chosen {
        fonts.set_sans_serif_family(family.clone());
        fonts.set_serif_family(family);
    }
    fonts
}

/// Renders `svg` at `scale` pixels per unit, on the white the charts are drawn on, and
/// encodes it as PNG, with the text in `fonts` ([`system_fonts`] for the CLI's). An SVG
/// with text and no font to draw it in is refused ([`PngError::NoFonts`]).
pub fn svg_to_png(svg: &str, scale: f32, fonts: Arc<Database>) -> Result<Vec<u8>, PngError> {
    if fonts.is_empty() && svg.contains("<text") {
        return Err(PngError::NoFonts);
    }
    let options = usvg::Options {
        fontdb: fonts,
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options)?;
    let size = tree.size();
    let too_large = || PngError::TooLarge {
        width: size.width(),
        height: size.height(),
        scale,
    };
    let pixels = size
        .to_int_size()
        .scale_by(scale)
        .filter(|p| u64::from(p.width()) * u64::from(p.height()) <= MAX_PIXELS)
        .ok_or_else(too_large)?;
    let mut pixmap =
        tiny_skia::Pixmap::new(pixels.width(), pixels.height()).ok_or_else(too_large)?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| PngError::Encode(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use mechscope_metrics::mui::MuiResult;
    use mechscope_report::chart;

    /// A real chart: the MUI chart's "no data" page, a frame and three lines of text.
    fn chart_svg() -> String {
        let empty = MuiResult::from_samples(&[], 0, 0);
        chart::to_svg(400, 200, |area| chart::mui_layers(area, &empty, "demo")).unwrap()
    }

    /// The image's size and its pixels (RGBA), read back by the png crate's decoder.
    fn decode(png: &[u8]) -> (u32, u32, Vec<u8>) {
        let mut reader = ::png::Decoder::new(std::io::Cursor::new(png))
            .read_info()
            .unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut pixels).unwrap();
        pixels.truncate(info.buffer_size());
        (info.width, info.height, pixels)
    }

    /// Pixels that are not (nearly) the white background.
    fn inked_pixels(rgba: &[u8]) -> usize {
        rgba.chunks(4)
            .filter(|p| u32::from(p[0]) + u32::from(p[1]) + u32::from(p[2]) < 720)
            .count()
    }

    #[test]
    fn a_chart_renders_at_twice_its_size_with_its_labels() {
        let fonts = system_fonts();
        if fonts.is_empty() {
            eprintln!("SKIP: this system has no fonts to draw the labels with");
            return;
        }
        let svg = chart_svg();
        let (width, height, pixels) = decode(&svg_to_png(&svg, PNG_SCALE, fonts.clone()).unwrap());
        assert_eq!((width, height), (800, 400));
        // The same chart without its <text> elements: what the labels add is ink.
        let mut bare = svg.clone();
        while let Some(start) = bare.find("<text") {
            let end = start + bare[start..].find("</text>").unwrap() + "</text>".len();
            bare.replace_range(start..end, "");
        }
        assert_ne!(bare, svg, "the chart has labels");
        let (_, _, bare_pixels) = decode(&svg_to_png(&bare, PNG_SCALE, fonts).unwrap());
        let (with_text, without) = (inked_pixels(&pixels), inked_pixels(&bare_pixels));
        assert!(without > 0, "the frame is drawn");
        assert!(
            with_text > without + 500,
            "the labels are drawn: {with_text} inked pixels with them, {without} without"
        );
    }

    #[test]
    fn text_without_fonts_is_refused_not_left_out() {
        let error = svg_to_png(&chart_svg(), 1.0, Arc::new(Database::new())).unwrap_err();
        assert!(matches!(error, PngError::NoFonts), "{error}");
        assert!(error.to_string().contains("--svg"));
    }

    #[test]
    fn a_broken_svg_or_an_absurd_size_is_an_error() {
        let fonts = Arc::new(Database::new());
        assert!(matches!(
            svg_to_png("<svg", 1.0, fonts.clone()),
            Err(PngError::Svg(_))
        ));
        let huge = r#"<svg xmlns="http://www.w3.org/2000/svg" width="4000000" height="4000000"/>"#;
        assert!(matches!(
            svg_to_png(huge, 2.0, fonts),
            Err(PngError::TooLarge { .. })
        ));
    }
}
