//! The AIS charts (radar, heatmap, similarity matrix) drawn into SVG from hand-made
//! profiles and checked for what a reader relies on: where the markers sit, which are
//! hollow, where the outline breaks, that every cell prints its value, and that bad input
//! draws a "no data" chart. `lecture_charts` (charts.rs) writes them out for a person.

use mechscope_metrics::ais::profile::similarity;
use mechscope_report::chart::{
    RadarSeries, ais_heatmap, ais_radar, no_data, similarity_matrix, to_svg,
};

mod common;
use common::{TextElement, assert_svg, attribute, has, points, tags_with, text_elements, texts};

const BLUE: &str = "#0072B2";
const VERMILLION: &str = "#D55E00";
const ORANGE: &str = "#E69F00";
const FRAME: &str = "#C8C8C8";
const INK: &str = "#1A1A1A";

fn names(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn series(label: &str, values: &[Option<f64>]) -> RadarSeries {
    RadarSeries {
        label: label.to_string(),
        values: values.to_vec(),
    }
}

/// The circles drawn with `fill` and `stroke` (as the SVG writes them), as
/// `(cx, cy, r)`, in document order.
fn circles(svg: &str, fill: &str, stroke: &str) -> Vec<(f64, f64, f64)> {
    tags_with(svg, "circle", &format!("fill=\"{fill}\""))
        .into_iter()
        .filter(|t| t.contains(&format!("stroke=\"{stroke}\"")))
        .map(|t| (attribute(t, "cx"), attribute(t, "cy"), attribute(t, "r")))
        .collect()
}

/// The radar's centre: every plain ring is a grey circle around it.
fn radar_centre(svg: &str) -> (f64, f64) {
    let rings = circles(svg, "none", FRAME);
    assert!(rings.len() >= 3, "the rings: {rings:?}");
    let (cx, cy, _) = rings[0];
    for &(x, y, _) in &rings {
        assert_eq!((x, y), (cx, cy), "rings share a centre");
    }
    (cx, cy)
}

fn distance((x0, y0): (f64, f64), (x1, y1): (f64, f64)) -> f64 {
    (x1 - x0).hypot(y1 - y0)
}

fn texts_of<'a>(elements: &'a [TextElement], text: &str) -> Vec<&'a TextElement> {
    elements.iter().filter(|t| t.text == text).collect()
}

#[test]
fn radar_markers_sit_at_their_values_and_show_the_sign() {
    let abilities = names(&[
        "analogical",
        "deductive",
        "spatial",
        "temporal",
        "inductive",
    ]);
    let profile = series(
        "arc_easy",
        &[Some(0.8), Some(-0.2), Some(0.0), None, Some(0.5)],
    );
    let svg = to_svg(800, 400, |area| {
        ais_radar(area, "SmolLM2 · arc_easy", &abilities, &[profile])
    })
    .unwrap();
    assert_svg(&svg);
    let centre = radar_centre(&svg);

    // Filled markers for AIS ≥ 0 (axes 0, 2 and 4, in that order), then the legend's.
    let filled = circles(&svg, BLUE, "none");
    assert_eq!(filled.len(), 3 + 1, "{filled:?}");
    let radius_of = |(x, y, _): (f64, f64, f64)| distance(centre, (x, y));
    let (r_08, r_00, r_05) = (
        radius_of(filled[0]),
        radius_of(filled[1]),
        radius_of(filled[2]),
    );
    // One hollow marker, for the negative value.
    let hollow = circles(&svg, "none", BLUE);
    assert_eq!(hollow.len(), 1, "{hollow:?}");
    let r_neg = radius_of(hollow[0]);
    assert!(
        r_08 > r_05 && r_05 > r_00 && r_00 > r_neg,
        "{r_08} {r_05} {r_00} {r_neg}"
    );
    assert!(
        r_neg > 1.0,
        "-0.2 is above the centre: the scale starts lower"
    );

    // The radius is linear in the AIS, and 0 sits on the bold zero ring.
    let per_unit = (r_05 - r_00) / 0.5;
    assert!(
        ((r_08 - r_00) - 0.8 * per_unit).abs() <= 2.0,
        "{r_08} {r_00} {per_unit}"
    );
    assert!(
        ((r_00 - r_neg) - 0.2 * per_unit).abs() <= 2.0,
        "{r_00} {r_neg} {per_unit}"
    );
    let zero_ring: Vec<_> = circles(&svg, "none", INK)
        .into_iter()
        .filter(|&(x, y, _)| (x, y) == centre)
        .collect();
    assert_eq!(zero_ring.len(), 1, "{zero_ring:?}");
    assert!(
        (zero_ring[0].2 - r_00).abs() <= 1.5,
        "{zero_ring:?} vs {r_00}"
    );

    // The threshold: a dashed orange ring at 0.05, labelled in the legend. Measured from
    // the zero ring (a whole radius) rather than a marker: each marker's position is
    // rounded to a pixel.
    let zero = zero_ring[0].2;
    let r_threshold = zero + 0.05 * (r_08 - zero) / 0.8;
    let ring_pieces: Vec<Vec<(f64, f64)>> =
        tags_with(&svg, "polyline", &format!("stroke=\"{ORANGE}\""))
            .iter()
            .map(|t| points(t))
            .filter(|p| p.iter().all(|&q| distance(centre, q) < r_08))
            .collect();
    assert!(ring_pieces.len() > 10, "dashed: {ring_pieces:?}");
    for &point in ring_pieces.iter().flatten() {
        assert!(
            (distance(centre, point) - r_threshold).abs() <= 1.6,
            "{point:?} at {} not {r_threshold}",
            distance(centre, point)
        );
    }

    // The outline breaks at the undefined value: one open run through the 4 others.
    let outlines: Vec<Vec<(f64, f64)>> = tags_with(&svg, "polyline", &format!("stroke=\"{BLUE}\""))
        .iter()
        .map(|t| points(t))
        .filter(|p| p.len() > 2)
        .collect();
    assert_eq!(outlines.len(), 1, "{outlines:?}");
    assert_eq!(outlines[0].len(), 4, "{outlines:?}");
    assert_ne!(outlines[0][0], outlines[0][3], "open, not closed");

    let texts = texts(&svg);
    for text in [
        "SmolLM2 · arc_easy",
        "temporal",
        "(undefined)",
        "analogical",
        "arc_easy",
        "0.05: authors' threshold",
        "AIS < 0: removing it helped",
        "1 undefined (base accuracy at or below chance)",
    ] {
        assert!(has(&texts, text), "{text:?} in {texts:?}");
    }
    // One profile: every value beyond ±0.05 is printed, the zero is not.
    for value in ["0.80", "-0.20", "0.50"] {
        assert!(has(&texts, value), "{value:?} in {texts:?}");
    }
    assert!(!has(&texts, "0.00"), "{texts:?}");
}

#[test]
fn overlaid_profiles_differ_by_marker_and_dash() {
    let abilities = names(&[
        "analogical",
        "commonsense_causal",
        "contextual_recall",
        "deductive",
        "inductive",
        "long_term_knowledge",
    ]);
    let profiles = [
        series(
            "arc_easy",
            &[
                Some(0.3),
                Some(0.5),
                Some(0.1),
                Some(0.2),
                Some(0.4),
                Some(0.6),
            ],
        ),
        series(
            "mmlu",
            &[
                Some(0.2),
                Some(-0.15),
                Some(0.4),
                Some(0.3),
                Some(0.1),
                None,
            ],
        ),
        series(
            "hellaswag",
            &[
                Some(0.1),
                Some(0.6),
                Some(-0.03),
                Some(0.2),
                Some(0.3),
                Some(0.2),
            ],
        ),
    ];
    let svg = to_svg(800, 400, |area| ais_radar(area, "", &abilities, &profiles)).unwrap();
    assert_svg(&svg);

    // The second profile has squares: 4 filled and its legend's, and one hollow square
    // (white, outlined by a closed path of 5 points).
    let squares = tags_with(&svg, "polygon", &format!("fill=\"{VERMILLION}\""));
    assert_eq!(squares.len(), 4 + 1, "{squares:?}");
    assert!(squares.iter().all(|t| points(t).len() == 4));
    let hollow_outline: Vec<_> = tags_with(&svg, "polyline", &format!("stroke=\"{VERMILLION}\""))
        .iter()
        .map(|t| points(t))
        .filter(|p| p.len() == 5 && p[0] == p[4])
        .collect();
    assert_eq!(hollow_outline.len(), 1, "{hollow_outline:?}");
    // Its outline is dashed: many short pieces. The first is solid: one closed outline.
    assert!(tags_with(&svg, "polyline", &format!("stroke=\"{VERMILLION}\"")).len() > 8);
    let solid: Vec<_> = tags_with(&svg, "polyline", &format!("stroke=\"{BLUE}\""))
        .iter()
        .map(|t| points(t))
        .filter(|p| p.len() > 2)
        .collect();
    assert_eq!(solid.len(), 1);
    assert_eq!(solid[0].len(), 7, "closed: {solid:?}");
    assert_eq!(solid[0][0], solid[0][6]);
    // Third: triangles; the hollow one is outlined by a closed path of 4 points.
    let triangles = tags_with(&svg, "polygon", "fill=\"#009E73\"");
    assert_eq!(triangles.len(), 5 + 1, "{triangles:?}");
    assert!(triangles.iter().all(|t| points(t).len() == 3));

    let texts = texts(&svg);
    for text in [
        "AIS profiles",
        "arc_easy",
        "mmlu",
        "hellaswag",
        "(undefined: mmlu)",
    ] {
        assert!(has(&texts, text), "{text:?} in {texts:?}");
    }
    // Long names are split at the word break nearest the middle.
    for line in ["long_term", "knowledge"] {
        assert!(has(&texts, line), "{line:?} in {texts:?}");
    }
    // Several profiles: only the negatives beyond the threshold are printed.
    assert!(has(&texts, "-0.15"), "{texts:?}");
    assert!(!has(&texts, "-0.03") && !has(&texts, "0.60"), "{texts:?}");
}

#[test]
fn radar_shows_four_profiles_and_counts_the_rest() {
    let abilities = names(&["a", "b", "c"]);
    let profiles: Vec<RadarSeries> = (0..6)
        .map(|i| {
            series(
                &format!("bench{i}"),
                &[Some(0.1 * i as f64), Some(0.5), Some(1.0)],
            )
        })
        .collect();
    let svg = to_svg(800, 400, |area| {
        ais_radar(area, "six", &abilities, &profiles)
    })
    .unwrap();
    let texts = texts(&svg);
    assert!(has(&texts, "showing 4 of 6 benchmarks"), "{texts:?}");
    assert!(has(&texts, "bench3") && !has(&texts, "bench4"), "{texts:?}");
}

#[test]
fn a_profile_broken_by_the_ablation_is_flagged() {
    let abilities = names(&["a", "b", "c"]);
    let profile = series("arc_easy", &[Some(1.14), Some(1.02), Some(1.3)]);
    let svg = to_svg(800, 400, |area| {
        ais_radar(area, "k = 1e-3", &abilities, &[profile])
    })
    .unwrap();
    let texts = texts(&svg);
    assert!(
        has(
            &texts,
            "every AIS ≥ 1 for arc_easy: the ablation broke the model"
        ),
        "{texts:?}"
    );
    // The scale grows past 1 to keep 1.3 inside.
    assert!(has(&texts, "1.5") || has(&texts, "1.4"), "{texts:?}");
}

#[test]
fn radar_input_it_cannot_draw_gives_no_data() {
    let three = names(&["a", "b", "c"]);
    let cases: Vec<(Vec<String>, Vec<RadarSeries>, &str)> = vec![
        (three.clone(), vec![], "No AIS profile yet."),
        (
            names(&["a", "b"]),
            vec![series("x", &[Some(0.1), Some(0.2)])],
            "A radar needs at least 3 abilities, got 2.",
        ),
        (
            three.clone(),
            vec![series("x", &[Some(0.1), Some(0.2)])],
            "The profile does not match the abilities:",
        ),
        (
            three.clone(),
            vec![series("x", &[Some(0.1), Some(f64::NAN), None])],
            "x has an AIS that is not a number.",
        ),
        (
            three.clone(),
            vec![series("x", &[None, None, None])],
            "Every AIS is undefined:",
        ),
        (
            three.clone(),
            vec![series("x", &[Some(1e300), Some(0.0), None])],
            "x has values too large to be AIS:",
        ),
        (
            names(&["a"; 13]),
            vec![series("x", &[Some(0.1); 13])],
            "Too many abilities for a radar: 13 (at most 12).",
        ),
    ];
    for (abilities, profiles, reason) in cases {
        let svg = to_svg(800, 400, |area| {
            ais_radar(area, "profiles", &abilities, &profiles)
        })
        .unwrap();
        assert_svg(&svg);
        let texts = texts(&svg);
        assert!(has(&texts, reason), "{reason:?} in {texts:?}");
        assert!(has(&texts, "profiles"), "the title stays: {texts:?}");
        assert!(circles(&svg, BLUE, "none").is_empty(), "no markers");
    }
}

/// 3 benchmarks × 4 abilities, one undefined.
fn small_table() -> (Vec<String>, Vec<String>, Vec<Vec<Option<f64>>>) {
    (
        names(&["deductive", "long_term_knowledge", "spatial", "temporal"]),
        names(&["arc_easy", "mmlu", "hellaswag"]),
        vec![
            vec![Some(0.21), Some(0.83), Some(0.004), Some(-0.07)],
            vec![Some(0.14), Some(0.95), Some(0.02), None],
            vec![Some(-0.4), Some(0.19), Some(0.01), Some(0.14)],
        ],
    )
}

/// The `<rect>` that contains the point, among the cells (outlined in grey).
fn cell_fill_at(svg: &str, (x, y): (f64, f64)) -> String {
    let cell = tags_with(svg, "rect", "stroke=\"none\"")
        .into_iter()
        .filter(|t| !t.contains("fill=\"none\""))
        .rfind(|t| {
            let (rx, ry) = (attribute(t, "x"), attribute(t, "y"));
            let (w, h) = (attribute(t, "width"), attribute(t, "height"));
            rx <= x && x <= rx + w && ry <= y && y <= ry + h && w < 200.0
        })
        .unwrap_or_else(|| panic!("no cell at {x}, {y}"));
    let start = cell.find("fill=\"").unwrap() + 6;
    cell[start..start + 7].to_string()
}

fn rgb(hex: &str) -> (u8, u8, u8) {
    let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap();
    (channel(1), channel(3), channel(5))
}

#[test]
fn heatmap_has_a_cell_per_value_and_prints_it() {
    let (abilities, benchmarks, values) = small_table();
    let svg = to_svg(800, 400, |area| {
        ais_heatmap(area, "AIS · SmolLM2", &abilities, &benchmarks, &values)
    })
    .unwrap();
    assert_svg(&svg);

    // Every cell is outlined once in grey.
    assert_eq!(
        tags_with(&svg, "rect", &format!("stroke=\"{FRAME}\"")).len(),
        12
    );

    let elements = text_elements(&svg);
    let texts: Vec<String> = elements.iter().map(|t| t.text.clone()).collect();
    for value in [
        "0.21", "0.83", "0.00", "-0.07", "0.14", "0.95", "0.02", "-0.40", "0.19", "0.01",
    ] {
        assert!(has(&texts, value), "{value:?} in {texts:?}");
    }
    assert_eq!(texts_of(&elements, "0.14").len(), 2, "two cells hold 0.14");
    // The undefined cell, and the key's swatch for it.
    assert_eq!(texts_of(&elements, "n/a").len(), 2, "{texts:?}");
    for label in [
        "AIS · SmolLM2",
        "arc_easy",
        "mmlu",
        "hellaswag",
        "temporal",
        "AIS",
    ] {
        assert!(has(&texts, label), "{label:?} in {texts:?}");
    }
    // Ability names are turned a quarter, reading upwards.
    let temporal = texts_of(&elements, "temporal")[0];
    assert!(temporal.tag.contains("rotate(270"), "{temporal:?}");
    // The key spans ±1: no value is beyond.
    for tick in ["1", "0.5", "0", "-0.5", "-1"] {
        assert!(has(&texts, tick), "key tick {tick:?} in {texts:?}");
    }

    // Blue above zero, vermillion below, and the text reads on its cell.
    let strong = texts_of(&elements, "0.95")[0];
    let (r, g, b) = rgb(&cell_fill_at(&svg, (strong.x, strong.y)));
    assert!(b > r && b > g, "0.95 is blue: {r} {g} {b}");
    assert_eq!(strong.fill, "#FFFFFF", "white on a dark cell");
    let negative = texts_of(&elements, "-0.40")[0];
    let (r, g, b) = rgb(&cell_fill_at(&svg, (negative.x, negative.y)));
    assert!(r > b, "-0.40 is vermillion: {r} {g} {b}");
    let faint = texts_of(&elements, "0.01")[0];
    assert_eq!(faint.fill, INK, "ink on a light cell");
    // Rows top to bottom, columns left to right.
    let row_y = |name: &str| texts_of(&elements, name)[0].y;
    assert!(row_y("arc_easy") < row_y("mmlu") && row_y("mmlu") < row_y("hellaswag"));
    assert!(texts_of(&elements, "0.21")[0].x < texts_of(&elements, "0.83")[0].x);
}

#[test]
fn the_heatmap_scale_grows_past_one() {
    let (abilities, benchmarks, mut values) = small_table();
    values[0][1] = Some(1.5);
    let svg = to_svg(800, 400, |area| {
        ais_heatmap(area, "", &abilities, &benchmarks, &values)
    })
    .unwrap();
    let texts = texts(&svg);
    for tick in ["1.5", "-1.5", "0"] {
        assert!(has(&texts, tick), "{tick:?} in {texts:?}");
    }
    assert!(has(&texts, "AIS by benchmark and ability"), "{texts:?}");
}

#[test]
fn similarity_matrix_prints_one_on_the_diagonal() {
    let profiles = [
        vec![Some(0.2), Some(0.6), Some(0.1), Some(-0.1)],
        vec![Some(0.1), Some(0.3), Some(0.05), Some(0.0)],
        vec![Some(0.7), Some(0.0), Some(0.1), None],
        vec![Some(-0.2), None, Some(0.0), Some(-0.1)],
    ];
    let names = names(&["arc_easy", "arc_challenge", "mmlu", "broken"]);
    let values: Vec<Vec<Option<f64>>> = profiles
        .iter()
        .map(|a| profiles.iter().map(|b| similarity(a, b)).collect())
        .collect();
    let svg = to_svg(800, 400, |area| {
        similarity_matrix(area, "Profile similarity", &names, &values)
    })
    .unwrap();
    assert_svg(&svg);
    assert_eq!(
        tags_with(&svg, "rect", &format!("stroke=\"{FRAME}\"")).len(),
        16
    );

    let elements = text_elements(&svg);
    // The first two profiles have the same shape: 1.00 on the diagonal and beside it.
    let ones: Vec<(f64, f64)> = texts_of(&elements, "1.00")
        .iter()
        .map(|t| (t.x, t.y))
        .collect();
    assert_eq!(ones.len(), 3 + 2, "{ones:?}");
    // Which column and row each is in: the rank of its x and of its y.
    let rank = |values: Vec<f64>, value: f64| {
        let mut distinct = values;
        distinct.sort_by(f64::total_cmp);
        distinct.dedup();
        distinct.iter().position(|&v| v == value).unwrap()
    };
    let mut cells: Vec<(usize, usize)> = ones
        .iter()
        .map(|&(x, y)| {
            (
                rank(ones.iter().map(|p| p.1).collect(), y),
                rank(ones.iter().map(|p| p.0).collect(), x),
            )
        })
        .collect();
    cells.sort();
    assert_eq!(
        cells,
        vec![(0, 0), (0, 1), (1, 0), (1, 1), (2, 2)],
        "{ones:?}"
    );

    // The profile with no positive value has no similarity: a row and a column of n/a,
    // plus the key's swatch.
    assert_eq!(texts_of(&elements, "n/a").len(), 7 + 1);
    let texts = texts(&svg);
    for text in ["similarity", "arc_challenge", "broken", "0", "1"] {
        assert!(has(&texts, text), "{text:?} in {texts:?}");
    }
    assert!(!has(&texts, "-1"), "one-sided scale: {texts:?}");
}

#[test]
fn bad_tables_draw_no_data() {
    let (abilities, benchmarks, values) = small_table();
    let mut short_row = values.clone();
    short_row[1].pop();
    let mut nan = values.clone();
    nan[2][0] = Some(f64::INFINITY);
    let (abilities, benchmarks) = (abilities.as_slice(), benchmarks.as_slice());
    type Case<'a> = (&'a [String], Vec<Vec<Option<f64>>>, &'a str);
    let heatmaps: Vec<Case<'_>> = vec![
        (
            &[],
            vec![vec![]; 3],
            "Nothing to show: 3 benchmarks × 0 abilities.",
        ),
        (
            abilities,
            values[..2].to_vec(),
            "2 rows of values for 3 benchmarks.",
        ),
        (abilities, short_row, "mmlu has 3 values for 4 abilities."),
        (
            abilities,
            nan,
            "hellaswag has a value that is not a number.",
        ),
    ];
    for (abilities, values, reason) in heatmaps {
        let svg = to_svg(800, 400, |area| {
            ais_heatmap(area, "h", abilities, benchmarks, &values)
        })
        .unwrap();
        assert_svg(&svg);
        let texts = texts(&svg);
        assert!(has(&texts, reason), "{reason:?} in {texts:?}");
        assert!(tags_with(&svg, "rect", &format!("stroke=\"{FRAME}\"")).len() <= 1);
    }

    let two = names(&["a", "b"]);
    let matrices: Vec<(Vec<Vec<Option<f64>>>, &str)> = vec![
        (
            vec![vec![Some(1.0), Some(0.5)]],
            "1 row of values for 2 benchmarks.",
        ),
        (
            vec![vec![Some(1.0), Some(0.5)], vec![Some(0.5)]],
            "b has 1 value for 2 benchmarks.",
        ),
        (
            vec![vec![Some(1.0), Some(1.5)], vec![Some(0.5), Some(1.0)]],
            "1.5 is not a similarity:",
        ),
        (
            vec![vec![Some(f64::NAN), None], vec![None, None]],
            "a has a value that is not a number.",
        ),
    ];
    for (values, reason) in matrices {
        let svg = to_svg(800, 400, |area| similarity_matrix(area, "s", &two, &values)).unwrap();
        let texts = texts(&svg);
        assert!(
            texts.iter().any(|t| t.contains(reason)),
            "{reason:?} in {texts:?}"
        );
    }
    let svg = to_svg(800, 400, |area| similarity_matrix(area, "", &[], &[])).unwrap();
    assert!(has(&texts(&svg), "Profile similarity"), "{svg}");
    // The same chart as any other "no data": the shared function.
    let direct = to_svg(800, 400, |area| {
        no_data(
            area,
            "Profile similarity",
            "Nothing to show: 0 benchmarks × 0 benchmarks.",
        )
    })
    .unwrap();
    assert_eq!(svg, direct);
}

#[test]
fn small_and_large_areas_still_draw() {
    let (abilities, benchmarks, values) = small_table();
    let profiles: Vec<RadarSeries> = benchmarks
        .iter()
        .zip(&values)
        .map(|(b, v)| series(b, v))
        .collect();
    let half = vec![vec![Some(0.5); 3]; 3];
    for (width, height) in [(120, 60), (300, 150), (3200, 1600)] {
        let charts = [
            to_svg(width, height, |a| ais_radar(a, "r", &abilities, &profiles)).unwrap(),
            to_svg(width, height, |a| {
                ais_heatmap(a, "h", &abilities, &benchmarks, &values)
            })
            .unwrap(),
            to_svg(width, height, |a| {
                similarity_matrix(a, "s", &benchmarks, &half)
            })
            .unwrap(),
        ];
        for svg in charts {
            assert_svg(&svg);
            assert!(svg.contains(&format!("width=\"{width}\"")));
        }
    }
}
