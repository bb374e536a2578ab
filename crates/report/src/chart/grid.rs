//! What the AIS heatmap and the similarity matrix share: a grid of coloured cells with
//! the value printed in each, row labels on the left, column labels above (turned a
//! quarter, so that ten ability names fit above ten narrow columns), and a colour key.
//!
//! The value is printed in every cell because a colour scale alone is read to about a
//! fifth of its range, and a lecture wants "0.83", not "fairly blue". Undefined cells are
//! hatched and say "n/a": a missing value must not look like a small one.

use super::ChartError;
use super::look::{self, Look, shorten, split_in_two, two_decimals};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontTransform;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The colour of a value of (nearly) nothing at either end of a scale: off-white, so
/// that a near-zero cell still reads as a cell, apart from the white page and from the
/// hatched "n/a" cells.
const NEAR_ZERO: RGBColor = RGBColor(0xF4, 0xF4, 0xF4);
/// The hatching of undefined cells.
const HATCH: RGBColor = RGBColor(0xA0, 0xA0, 0xA0);
/// Colour strips in the key, per unit of the key's length: enough for a smooth bar.
const KEY_STRIPS: usize = 48;

/// How a value becomes a colour.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scale {
    /// Centred at 0, from vermillion (`-limit`) through off-white (0) to blue
    /// (`+limit`). Blue and vermillion stay apart under every common colour-vision
    /// deficiency, and the sign is also printed in the cell.
    Diverging { limit: f64 },
    /// From off-white (0) to blue (`max`): one hue, so that darker always means more.
    Sequential { max: f64 },
}

impl Scale {
    /// The fill of a cell holding `value`; values beyond the range take the end colour.
    pub(crate) fn colour(&self, value: f64) -> RGBColor {
        match *self {
            Scale::Diverging { limit } => {
                let t = (value / limit).clamp(-1.0, 1.0);
                if t >= 0.0 {
                    mix(NEAR_ZERO, look::BLUE, t)
                } else {
                    mix(NEAR_ZERO, look::VERMILLION, -t)
                }
            }
            Scale::Sequential { max } => mix(NEAR_ZERO, look::BLUE, (value / max).clamp(0.0, 1.0)),
        }
    }

    /// The key's range, top (largest) first.
    fn range(&self) -> (f64, f64) {
        match *self {
            Scale::Diverging { limit } => (limit, -limit),
            Scale::Sequential { max } => (max, 0.0),
        }
    }
}

/// `from` blended towards `to` by `t` in [0, 1], channel by channel in sRGB.
fn mix(from: RGBColor, to: RGBColor, t: f64) -> RGBColor {
    let channel = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
    RGBColor(
        channel(from.0, to.0),
        channel(from.1, to.1),
        channel(from.2, to.2),
    )
}

/// WCAG relative luminance of an sRGB colour.
fn luminance(colour: RGBColor) -> f64 {
    let linear = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(colour.0) + 0.7152 * linear(colour.1) + 0.0722 * linear(colour.2)
}

/// The text colour with the better contrast on `fill`: ink on light cells, white on
/// dark ones.
pub(crate) fn text_colour_on(fill: RGBColor) -> RGBColor {
    let contrast = |a: f64, b: f64| (a.max(b) + 0.05) / (a.min(b) + 0.05);
    let background = luminance(fill);
    if contrast(background, luminance(look::INK)) >= contrast(background, 1.0) {
        look::INK
    } else {
        WHITE
    }
}

/// A thing the grid's rows or columns stand for, in the singular and the plural, for
/// the messages of [`table_problem`].
pub(crate) type Noun = (&'static str, &'static str);

/// `count` with its noun: "1 benchmark", "3 abilities".
fn counted(count: usize, (one, many): Noun) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// Why a `rows × columns` table of `values` cannot be drawn, or `None` when it can.
pub(crate) fn table_problem(
    rows: &[String],
    columns: &[String],
    values: &[Vec<Option<f64>>],
    (row_noun, column_noun): (Noun, Noun),
) -> Option<String> {
    if rows.is_empty() || columns.is_empty() {
        return Some(format!(
            "Nothing to show: {} × {}.",
            counted(rows.len(), row_noun),
            counted(columns.len(), column_noun)
        ));
    }
    if values.len() != rows.len() {
        return Some(format!(
            "The table does not match its labels:\n{} of values for {}.",
            counted(values.len(), ("row", "rows")),
            counted(rows.len(), row_noun)
        ));
    }
    for (row, label) in values.iter().zip(rows) {
        if row.len() != columns.len() {
            return Some(format!(
                "The table does not match its labels:\n{} has {} for {}.",
                shorten(label, 30),
                counted(row.len(), ("value", "values")),
                counted(columns.len(), column_noun)
            ));
        }
        if row.iter().flatten().any(|v| !v.is_finite()) {
            return Some(format!(
                "{} has a value that is not a number.\nUndefined values are None, not NaN.",
                shorten(label, 30)
            ));
        }
    }
    None
}

/// What [`draw_grid`] draws.
pub(crate) struct Grid<'a> {
    pub rows: &'a [String],
    pub columns: &'a [String],
    /// `values[row][column]`, checked by [`table_problem`].
    pub values: &'a [Vec<Option<f64>>],
    pub scale: Scale,
    /// Square cells (a matrix of like against like), or as wide as the width allows.
    pub square_cells: bool,
    /// The word above the colour key ("AIS").
    pub key_title: &'a str,
}

/// The largest font size (plotters' size, at most `at_800` scaled) at which `text` fits
/// `width` × `height` pixels, going down in steps of a tenth, never below half.
fn fitting_font<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    look: &Look,
    text: &str,
    at_800: f64,
    (width, height): (f64, f64),
) -> Result<f64, ChartError>
where
    DB::ErrorType: 'static,
{
    let mut size = at_800;
    loop {
        let (w, h) = area.estimate_text_size(text, &look.text(size))?;
        if (f64::from(w) <= width && f64::from(h) <= height) || size <= at_800 / 2.0 {
            return Ok(size);
        }
        size *= 0.9;
    }
}

/// `name` as one or two lines that are each at most `length` pixels long at `style`:
/// whole if it fits, split at a word break if two lines are allowed, cut with an
/// ellipsis if it must.
fn fit_lines<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    style: &TextStyle,
    name: &str,
    length: f64,
    two_lines: bool,
) -> Result<Vec<String>, ChartError>
where
    DB::ErrorType: 'static,
{
    let fits = |text: &str| -> Result<bool, ChartError> {
        Ok(f64::from(area.estimate_text_size(text, style)?.0) <= length)
    };
    let cut = |text: &str| -> Result<String, ChartError> {
        let mut chars = text.chars().count();
        let mut line = text.to_string();
        while chars > 2 && !fits(&line)? {
            chars -= 1;
            line = shorten(text, chars);
        }
        Ok(line)
    };
    if fits(name)? {
        return Ok(vec![name.to_string()]);
    }
    match split_in_two(name) {
        Some((first, second)) if two_lines => Ok(vec![cut(&first)?, cut(&second)?]),
        _ => Ok(vec![cut(name)?]),
    }
}

/// Draws `grid` on `body` (the chart below its titles).
pub(crate) fn draw_grid<DB>(
    body: &DrawingArea<DB, Shift>,
    look: &Look,
    grid: &Grid,
) -> Result<(), ChartError>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    if !look::has_room(body, look) {
        return Ok(());
    }
    let (width, height) = look::pixel_size(body);
    let n_rows = grid.rows.len();
    let n_columns = grid.columns.len();
    let margin = look.px(10.0);
    let gap = look.px(8.0);
    let key_width = look.px(100.0);

    let row_style = look.text(17.0);
    let mut row_labels = Vec::with_capacity(n_rows);
    let mut row_label_width = 0.0f64;
    for name in grid.rows {
        let line = fit_lines(body, &row_style, name, 0.24 * width, false)?.concat();
        row_label_width =
            row_label_width.max(f64::from(body.estimate_text_size(&line, &row_style)?.0));
        row_labels.push(line);
    }

    // Column labels are turned a quarter: their length is the header's height. Two
    // lines side by side are allowed where a cell is wide enough for both; the cell size
    // depends on the header's height in turn, so a header laid out for two lines is laid
    // out again in one when the cells come out narrower.
    let column_style = look.text(16.0);
    let line_height = f64::from(body.estimate_text_size("Ag", &column_style)?.1) * 1.15;
    let available_width =
        (width - 2.0 * margin - row_label_width - gap - key_width).max(look.px(20.0));
    let column_width = available_width / n_columns as f64;
    let header_cap = 0.38 * height;
    let mut two_lines = column_width.min(look.px(120.0)) >= 2.0 * line_height;
    let (column_labels, grid_y0, cell_width, cell_height) = loop {
        let mut column_labels = Vec::with_capacity(n_columns);
        let mut header_height = 0.0f64;
        for name in grid.columns {
            let lines = fit_lines(body, &column_style, name, header_cap, two_lines)?;
            for line in &lines {
                header_height =
                    header_height.max(f64::from(body.estimate_text_size(line, &column_style)?.0));
            }
            column_labels.push(lines);
        }
        let grid_y0 = header_height + gap + look.px(4.0);
        let row_height = (height - grid_y0 - margin).max(look.px(20.0)) / n_rows as f64;
        // Cells no larger than a value needs: a 3-benchmark heatmap would otherwise be
        // three bands as tall as the page. A matrix of like against like has square
        // cells, as large as the height allows.
        let (cell_width, cell_height) = if grid.square_cells {
            let side = column_width.min(row_height).min(look.px(110.0));
            (side, side)
        } else {
            (
                column_width.min(look.px(120.0)),
                row_height.min(look.px(56.0)),
            )
        };
        if two_lines && cell_width < 2.0 * line_height {
            two_lines = false;
            continue;
        }
        break (column_labels, grid_y0, cell_width, cell_height);
    };
    // The row labels, the grid and the key, centred as one block.
    let block_width = row_label_width + gap + cell_width * n_columns as f64 + key_width;
    let grid_x0 = ((width - block_width) / 2.0).max(margin) + row_label_width + gap;
    let grid_x1 = grid_x0 + cell_width * n_columns as f64;
    let grid_y1 = grid_y0 + cell_height * n_rows as f64;
    let x_at = |column: usize| (grid_x0 + cell_width * column as f64).round() as i32;
    let y_at = |row: usize| (grid_y0 + cell_height * row as f64).round() as i32;

    // Row labels, right-aligned against the grid.
    let row_anchor = row_style.pos(Pos::new(HPos::Right, VPos::Center));
    for (row, label) in row_labels.iter().enumerate() {
        let y = ((y_at(row) + y_at(row + 1)) as f64 / 2.0).round() as i32;
        body.draw_text(label, &row_anchor, ((grid_x0 - gap).round() as i32, y))?;
    }
    // Column labels: reading upwards from just above the grid.
    let column_anchor = column_style
        .transform(FontTransform::Rotate270)
        .pos(Pos::new(HPos::Left, VPos::Center));
    for (column, lines) in column_labels.iter().enumerate() {
        let centre = (x_at(column) + x_at(column + 1)) as f64 / 2.0;
        let first = centre - line_height * (lines.len() as f64 - 1.0) / 2.0;
        for (i, line) in lines.iter().enumerate() {
            let x = (first + line_height * i as f64).round() as i32;
            body.draw_text(line, &column_anchor, (x, (grid_y0 - gap).round() as i32))?;
        }
    }

    // The cells. The value's font is the same in every cell, sized for the widest text.
    let widest = grid
        .values
        .iter()
        .flatten()
        .map(|v| v.map_or_else(|| "n/a".to_string(), two_decimals))
        .max_by_key(|text| text.chars().count())
        .unwrap_or_default();
    let value_size = fitting_font(
        body,
        look,
        &widest,
        16.0,
        (0.86 * cell_width, 0.7 * cell_height),
    )?;
    for (row, values) in grid.values.iter().enumerate() {
        for (column, value) in values.iter().enumerate() {
            let (x0, y0, x1, y1) = (x_at(column), y_at(row), x_at(column + 1), y_at(row + 1));
            let centre = ((x0 + x1) / 2, (y0 + y1) / 2);
            match value {
                Some(value) => {
                    let fill = grid.scale.colour(*value);
                    body.draw(&Rectangle::new([(x0, y0), (x1, y1)], fill.filled()))?;
                    let ink = text_colour_on(fill);
                    let style = look
                        .text(value_size)
                        .color(&ink)
                        .pos(Pos::new(HPos::Center, VPos::Center));
                    body.draw_text(&two_decimals(*value), &style, centre)?;
                }
                None => {
                    draw_hatched(body, look, (x0, y0, x1, y1))?;
                    let style = look
                        .text(value_size)
                        .color(&look::INK)
                        .pos(Pos::new(HPos::Center, VPos::Center));
                    body.draw_text("n/a", &style, centre)?;
                }
            }
            // Every cell is outlined, so that an off-white one still reads as a cell.
            body.draw(&Rectangle::new(
                [(x0, y0), (x1, y1)],
                look::FRAME.stroke_width(1),
            ))?;
        }
    }

    let any_undefined = grid.values.iter().flatten().any(Option::is_none);
    draw_key(
        body,
        look,
        grid,
        (
            grid_x1 + 2.0 * gap,
            grid_y0,
            grid_y1.max(grid_y0 + look.px(120.0)),
        ),
        any_undefined,
    )
}

/// White with diagonal hatching: the mark of an undefined cell, here and in the key.
fn draw_hatched<DB>(
    body: &DrawingArea<DB, Shift>,
    look: &Look,
    (x0, y0, x1, y1): (i32, i32, i32, i32),
) -> Result<(), ChartError>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    body.draw(&Rectangle::new([(x0, y0), (x1, y1)], WHITE.filled()))?;
    let spacing = look.px(9.0).max(4.0);
    let style = HATCH.stroke_width(1);
    for segment in hatch_segments(
        (f64::from(x0), f64::from(y0), f64::from(x1), f64::from(y1)),
        spacing,
    ) {
        let [(ax, ay), (bx, by)] = segment;
        body.draw(&PathElement::new(
            vec![
                (ax.round() as i32, ay.round() as i32),
                (bx.round() as i32, by.round() as i32),
            ],
            style,
        ))?;
    }
    Ok(())
}

/// Lines rising to the right (`x + y` constant), `spacing` pixels apart along x, cut
/// to the box `(x0, y0, x1, y1)`.
fn hatch_segments((x0, y0, x1, y1): (f64, f64, f64, f64), spacing: f64) -> Vec<[(f64, f64); 2]> {
    let mut segments = Vec::new();
    let mut sum = x0 + y0 + spacing;
    while sum < x1 + y1 {
        let (from_x, to_x) = ((sum - y1).max(x0), (sum - y0).min(x1));
        if to_x > from_x {
            segments.push([(from_x, sum - from_x), (to_x, sum - to_x)]);
        }
        sum += spacing;
    }
    segments
}

/// The colour key: a vertical bar from the scale's top to its bottom at `x`, between
/// `y0` and `y1` (no taller than a readable key needs), its ends and middle labelled,
/// and a hatched "n/a" swatch below it when some cell is undefined.
fn draw_key<DB>(
    body: &DrawingArea<DB, Shift>,
    look: &Look,
    grid: &Grid,
    (x, y0, y1): (f64, f64, f64),
    any_undefined: bool,
) -> Result<(), ChartError>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let title_style = look.text(16.0).pos(Pos::new(HPos::Left, VPos::Bottom));
    let title_height = f64::from(body.estimate_text_size(grid.key_title, &title_style)?.1);
    let bar_top = y0 + title_height * 0.4;
    let swatch = look.px(22.0);
    let reserved_below = if any_undefined { 2.0 * swatch } else { 0.0 };
    let bar_bottom = (y1 - reserved_below)
        .min(bar_top + look.px(220.0))
        .max(bar_top + swatch);
    let bar_width = look.px(22.0);
    let (x0, x1) = (x.round() as i32, (x + bar_width).round() as i32);

    body.draw_text(
        grid.key_title,
        &title_style,
        (x0, (y0 - look.px(2.0)).round() as i32),
    )?;
    let (top, bottom) = grid.scale.range();
    for strip in 0..KEY_STRIPS {
        let at = |i: usize| {
            (bar_top + (bar_bottom - bar_top) * i as f64 / KEY_STRIPS as f64).round() as i32
        };
        let value = top + (bottom - top) * (strip as f64 + 0.5) / KEY_STRIPS as f64;
        body.draw(&Rectangle::new(
            [(x0, at(strip)), (x1, at(strip + 1))],
            grid.scale.colour(value).filled(),
        ))?;
    }
    body.draw(&Rectangle::new(
        [
            (x0, bar_top.round() as i32),
            (x1, bar_bottom.round() as i32),
        ],
        look::MUTED.stroke_width(1),
    ))?;
    let tick_style = look.text(15.0).pos(Pos::new(HPos::Left, VPos::Center));
    let tick_length = look.px(5.0).round() as i32;
    for i in 0..=4 {
        let t = i as f64 / 4.0;
        let value = top + (bottom - top) * t;
        let y = (bar_top + (bar_bottom - bar_top) * t).round() as i32;
        body.draw(&PathElement::new(
            vec![(x1, y), (x1 + tick_length, y)],
            look::MUTED.stroke_width(1),
        ))?;
        body.draw_text(
            &look::axis_number(&value),
            &tick_style,
            (x1 + tick_length + look.px(3.0).round() as i32, y),
        )?;
    }
    if any_undefined {
        let sy0 = (bar_bottom + swatch * 0.6).round() as i32;
        let sy1 = sy0 + (swatch * 0.9).round() as i32;
        draw_hatched(body, look, (x0, sy0, x1, sy1))?;
        body.draw(&Rectangle::new(
            [(x0, sy0), (x1, sy1)],
            look::MUTED.stroke_width(1),
        ))?;
        body.draw_text(
            "n/a",
            &tick_style,
            (
                x1 + tick_length + look.px(3.0).round() as i32,
                (sy0 + sy1) / 2,
            ),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_diverging_scale_is_blue_above_zero_and_vermillion_below() {
        let scale = Scale::Diverging { limit: 1.0 };
        assert_eq!(scale.colour(0.0), NEAR_ZERO);
        assert_eq!(scale.colour(1.0), look::BLUE);
        assert_eq!(scale.colour(3.0), look::BLUE, "clamped");
        assert_eq!(scale.colour(-1.0), look::VERMILLION);
        let (half_up, half_down) = (scale.colour(0.5), scale.colour(-0.5));
        assert!(half_up.2 > half_up.0, "bluish: {half_up:?}");
        assert!(half_down.0 > half_down.2, "reddish: {half_down:?}");
    }

    #[test]
    fn text_stays_readable_on_every_cell() {
        assert_eq!(text_colour_on(NEAR_ZERO), look::INK);
        assert_eq!(text_colour_on(look::BLUE), WHITE);
        let scale = Scale::Sequential { max: 1.0 };
        assert_eq!(text_colour_on(scale.colour(0.2)), look::INK);
    }

    #[test]
    fn hatching_stays_inside_the_cell() {
        let segments = hatch_segments((10.0, 20.0, 40.0, 35.0), 6.0);
        assert!(segments.len() >= 6, "{segments:?}");
        for [(ax, ay), (bx, by)] in segments {
            for (x, y) in [(ax, ay), (bx, by)] {
                assert!((10.0..=40.0).contains(&x) && (20.0..=35.0).contains(&y));
            }
            assert!((ax + ay - bx - by).abs() < 1e-9, "one diagonal");
        }
    }
}
