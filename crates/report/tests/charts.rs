//! The charts drawn from real results (a union of hand-made key neurons, law points on a
//! known curve) into SVG, checked for their content; the empty cases draw "no data"
//! charts; `lecture_charts` leaves SVGs in `target/charts/` for a person to look at.

use mechscope_metrics::ais::profile::similarity;
use mechscope_metrics::mui::{KeyNeurons, LawPoint, LayerNeurons, MuiResult, fit_utility_law};
use mechscope_report::chart::{
    ChartError, RadarSeries, ais_heatmap, ais_radar, contamination_hints, mui_layers,
    similarity_matrix, to_svg, utility_law,
};
use std::path::PathBuf;

mod common;
use common::{assert_svg, attribute, has, tags_with, texts};

const BAR_FILL: &str = "fill=\"#0072B2\"";
const HINT_FILL: &str = "fill=\"#D55E00\"";

fn sample(layers: &[&[u32]]) -> KeyNeurons {
    KeyNeurons {
        layers: layers
            .iter()
            .map(|neurons| LayerNeurons {
                neurons: neurons.to_vec(),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

/// 4 layers of 16 neurons; the union per layer is 3, 1, 0, 4 neurons: 8 of 64, 12.5%.
fn four_layer_result() -> MuiResult {
    let samples = [
        sample(&[&[0, 1], &[2], &[], &[5, 6, 7]]),
        sample(&[&[1, 3], &[2], &[], &[8]]),
    ];
    let result = MuiResult::from_samples(&samples, 4, 16);
    assert_eq!(result.union_per_layer, vec![3, 1, 0, 4]);
    result
}

fn law_points(a: f64, b: f64, performances: &[f64]) -> Vec<LawPoint> {
    performances
        .iter()
        .enumerate()
        .map(|(i, &p)| LawPoint {
            label: format!("model-{i} · task"),
            performance_pct: p,
            mui_pct: a * p.ln() + b,
        })
        .collect()
}

#[test]
fn per_layer_bars_are_proportional_to_the_union() {
    let result = four_layer_result();
    let svg = to_svg(800, 400, |area| {
        mui_layers(area, &result, "tiny · hand-made")
    })
    .unwrap();
    assert_svg(&svg);

    // One bar per layer, then the legend's swatch: the bars come first.
    let blue = tags_with(&svg, "rect", BAR_FILL);
    assert_eq!(blue.len(), 4 + 1, "{blue:#?}");
    let heights: Vec<f64> = blue[..4].iter().map(|t| attribute(t, "height")).collect();
    assert_eq!(heights[2], 0.0, "layer 2 uses no neuron");
    let tallest = heights[3];
    assert!(
        tallest > 100.0,
        "the tallest bar fills the plot: {heights:?}"
    );
    for (height, used) in heights.iter().zip([3.0, 1.0, 0.0, 4.0]) {
        assert!(
            (height - tallest * used / 4.0).abs() <= 1.5,
            "bar heights follow 3:1:0:4, got {heights:?}"
        );
    }
    let xs: Vec<f64> = blue[..4].iter().map(|t| attribute(t, "x")).collect();
    assert!(
        xs.windows(2).all(|w| w[0] < w[1]),
        "layers left to right: {xs:?}"
    );

    let texts = texts(&svg);
    assert!(has(&texts, "MUI 12.5% · tiny · hand-made"), "{texts:?}");
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("8 of 64 MLP neurons used")),
        "{texts:?}"
    );
    for axis in ["layer", "neurons used (%)"] {
        assert!(has(&texts, axis), "axis label {axis:?} in {texts:?}");
    }
    // Value labels on the bars (18.75% is a rounding tie, so not checked), the layer
    // numbers, and the overall line in the legend.
    for label in [
        "6.25%",
        "0%",
        "25.0%",
        "0",
        "1",
        "2",
        "3",
        "all layers (MUI 12.5%)",
    ] {
        assert!(has(&texts, label), "{label:?} in {texts:?}");
    }
}

#[test]
fn many_layers_thin_the_ticks_and_drop_the_value_labels() {
    let samples: Vec<KeyNeurons> = (0..3)
        .map(|s| {
            let layers: Vec<Vec<u32>> = (0..30u32).map(|l| vec![(l * 7 + s) % 64]).collect();
            let refs: Vec<&[u32]> = layers.iter().map(Vec::as_slice).collect();
            sample(&refs)
        })
        .collect();
    let result = MuiResult::from_samples(&samples, 30, 64);
    let svg = to_svg(800, 400, |area| mui_layers(area, &result, "")).unwrap();
    assert_svg(&svg);
    assert_eq!(tags_with(&svg, "rect", BAR_FILL).len(), 30 + 1);
    let texts = texts(&svg);
    // 30 layers, at most 16 numbers: every second layer.
    assert!(has(&texts, "28") && !has(&texts, "29"), "{texts:?}");
    assert!(!has(&texts, "4.69%"), "no value labels: {texts:?}");
    assert!(has(&texts, "MUI 4.69%"), "{texts:?}");
}

#[test]
fn the_law_chart_shows_the_fit_and_the_authors_line() {
    let performances = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0];
    let points = law_points(-3.0, 20.0, &performances);
    let svg = to_svg(800, 400, |area| utility_law(area, &points)).unwrap();
    assert_svg(&svg);
    let texts = texts(&svg);
    assert!(
        has(&texts, "fit: MUI = -3.000 ln P + 20.000, R² = 1.000"),
        "{texts:?}"
    );
    assert!(
        has(&texts, "authors (7–9B): MUI = -4.632 ln P + 28.305"),
        "{texts:?}"
    );
    assert!(has(&texts, "8 (model, task) points"), "{texts:?}");
    for i in 0..8 {
        let label = format!("model-{i} · task");
        assert!(has(&texts, &label), "{label} in {texts:?}");
    }
    for axis in ["performance P (%, log scale)", "MUI (%)"] {
        assert!(has(&texts, axis), "{texts:?}");
    }
    // P from 10 to 80: the axis starts at the round number below 10 / 1.25.
    for tick in ["5", "10", "20", "50", "100"] {
        assert!(has(&texts, tick), "tick {tick} in {texts:?}");
    }
    assert!(
        !texts.iter().any(|t| t.contains("contamination")),
        "{texts:?}"
    );

    // 8 points and the legend's marker.
    assert_eq!(tags_with(&svg, "circle", "fill=\"#1A1A1A\"").len(), 8 + 1);
    // The fit: one solid polyline of 49 samples, straight on the log axis.
    let fit_lines = tags_with(&svg, "polyline", "stroke=\"#0072B2\"");
    let fit_line = fit_lines
        .iter()
        .find(|t| t.matches(',').count() > 2)
        .expect("the fitted curve");
    let xy: Vec<(f64, f64)> = fit_line
        .split("points=\"")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .filter_map(|pair| {
            let (x, y) = pair.trim_end_matches('"').split_once(',')?;
            Some((x.parse().ok()?, y.parse().ok()?))
        })
        .collect();
    assert_eq!(xy.len(), 49, "{fit_line}");
    let (first, last) = (xy[0], xy[48]);
    for &(x, y) in &xy {
        let on_chord = first.1 + (last.1 - first.1) * (x - first.0) / (last.0 - first.0);
        assert!((y - on_chord).abs() <= 2.0, "a straight line: {xy:?}");
    }
    assert!(
        last.1 > first.1,
        "MUI falls as P grows (SVG y grows downwards)"
    );
    // The authors' line is dashed: many short grey pieces.
    assert!(tags_with(&svg, "polyline", "stroke=\"#5A5A5A\"").len() > 10);
}

#[test]
fn a_point_far_below_the_fit_is_flagged() {
    let performances = [10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0];
    let mut points = law_points(-3.0, 20.0, &performances);
    // Small deterministic scatter, and one model far too frugal for its score.
    for (i, p) in points.iter_mut().enumerate() {
        p.mui_pct += if i % 2 == 0 { 0.1 } else { -0.1 };
    }
    points[8].mui_pct -= 3.0;
    points[8].label = "suspect · task".into();

    let fit = fit_utility_law(&points).unwrap();
    assert_eq!(contamination_hints(&fit), vec![8], "{fit:?}");

    let svg = to_svg(800, 400, |area| utility_law(area, &points)).unwrap();
    assert_svg(&svg);
    let texts = texts(&svg);
    assert!(
        has(&texts, "contamination hint? (residual < -2σ)"),
        "{texts:?}"
    );
    // The flagged point is a triangle (plus the legend's), not a circle.
    assert_eq!(tags_with(&svg, "polygon", HINT_FILL).len(), 1 + 1);
    assert_eq!(tags_with(&svg, "circle", "fill=\"#1A1A1A\"").len(), 9 + 1);
    let equation = format!(
        "fit: MUI = {:.3} ln P + {:.3}, R² = {:.3}",
        fit.a, fit.b, fit.r2
    );
    assert!(has(&texts, &equation), "{equation} in {texts:?}");
    // Its label is drawn in the highlight colour.
    assert!(
        tags_with(&svg, "text", HINT_FILL)
            .iter()
            .any(|t| t.trim_end().ends_with(">\nsuspect · task")),
        "{svg}"
    );
}

#[test]
fn fewer_points_than_a_fit_needs_still_draw() {
    let one = law_points(-3.0, 20.0, &[40.0]);
    let svg = to_svg(800, 400, |area| utility_law(area, &one)).unwrap();
    assert_svg(&svg);
    let one_point = texts(&svg);
    assert!(
        has(
            &one_point,
            "1 (model, task) point; no fit: fitting a line needs at least 2 points, got 1"
        ),
        "{one_point:?}"
    );
    assert!(
        !one_point.iter().any(|t| t.starts_with("fit:")),
        "{one_point:?}"
    );
    assert_eq!(tags_with(&svg, "circle", "fill=\"#1A1A1A\"").len(), 1 + 1);

    let same_p = vec![
        LawPoint {
            label: "a".into(),
            performance_pct: 50.0,
            mui_pct: 3.0,
        },
        LawPoint {
            label: "b".into(),
            performance_pct: 50.0,
            mui_pct: 4.0,
        },
    ];
    let svg = to_svg(800, 400, |area| utility_law(area, &same_p)).unwrap();
    assert!(
        texts(&svg)
            .iter()
            .any(|t| t.contains("no fit: every point has the same performance")),
        "{svg}"
    );
}

#[test]
fn unusable_points_are_left_out_and_counted() {
    let mut points = law_points(-3.0, 20.0, &[20.0, 40.0, 80.0]);
    points.push(LawPoint {
        label: "broken".into(),
        performance_pct: f64::NAN,
        mui_pct: 2.0,
    });
    points.push(LawPoint {
        label: "zero".into(),
        performance_pct: 0.0,
        mui_pct: 2.0,
    });
    let svg = to_svg(800, 400, |area| utility_law(area, &points)).unwrap();
    assert_svg(&svg);
    let texts = texts(&svg);
    assert!(has(&texts, "3 (model, task) points"), "{texts:?}");
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("2 left out (P ≤ 0 or not a number)")),
        "{texts:?}"
    );
    assert!(
        has(&texts, "fit: MUI = -3.000 ln P + 20.000, R² = 1.000"),
        "{texts:?}"
    );
    assert!(!has(&texts, "broken") && !has(&texts, "zero"));
}

#[test]
fn empty_data_draws_a_no_data_chart() {
    let no_layers = MuiResult::from_samples(&[], 0, 0);
    let no_neurons = MuiResult::from_samples(&[], 3, 0);
    let mut not_a_number = four_layer_result();
    not_a_number.mui = f64::NAN;
    for (result, reason) in [
        (&no_layers, "No MUI data: the run has no layers."),
        (
            &no_neurons,
            "No MUI data: the model has no MLP neurons (d_ff = 0).",
        ),
        (&not_a_number, "No MUI data: the MUI value is not a number."),
    ] {
        let svg = to_svg(800, 400, |area| mui_layers(area, result, "m · t")).unwrap();
        assert_svg(&svg);
        let texts = texts(&svg);
        assert!(has(&texts, reason), "{reason:?} in {texts:?}");
        assert!(has(&texts, "MUI per layer · m · t"), "{texts:?}");
        assert!(tags_with(&svg, "rect", BAR_FILL).is_empty());
    }

    let svg = to_svg(800, 400, |area| utility_law(area, &[])).unwrap();
    assert!(has(&texts(&svg), "No (model, task) points yet."), "{svg}");
    let nan_only = vec![LawPoint {
        label: "nan".into(),
        performance_pct: 50.0,
        mui_pct: f64::NAN,
    }];
    let svg = to_svg(800, 400, |area| utility_law(area, &nan_only)).unwrap();
    let shown = texts(&svg);
    assert!(has(&shown, "No point can be plotted:"), "{shown:?}");
    assert!(
        has(&shown, "1 of 1 have P ≤ 0 or a value that is not a number."),
        "{shown:?}"
    );

    let huge = law_points(-3.0, 1e308, &[20.0, 40.0]);
    let svg = to_svg(800, 400, |area| utility_law(area, &huge)).unwrap();
    assert!(
        has(&texts(&svg), "The values are too large to plot."),
        "{svg}"
    );

    // A tiny area still draws (text scaled down, nothing negative in the layout).
    let result = four_layer_result();
    let svg = to_svg(120, 60, |area| mui_layers(area, &result, "small")).unwrap();
    assert_svg(&svg);
}

/// A backend whose every operation fails: the chart returns the error, no panic.
#[test]
fn a_failing_backend_is_an_error() {
    use plotters::prelude::*;
    use plotters_backend::{BackendColor, BackendCoord, DrawingErrorKind};

    struct Broken;
    impl DrawingBackend for Broken {
        type ErrorType = std::io::Error;
        fn get_size(&self) -> (u32, u32) {
            (800, 400)
        }
        fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<std::io::Error>> {
            Ok(())
        }
        fn present(&mut self) -> Result<(), DrawingErrorKind<std::io::Error>> {
            Ok(())
        }
        fn draw_pixel(
            &mut self,
            _: BackendCoord,
            _: BackendColor,
        ) -> Result<(), DrawingErrorKind<std::io::Error>> {
            Err(DrawingErrorKind::DrawingError(std::io::Error::other(
                "the canvas went away",
            )))
        }
    }
    let area = Broken.into_drawing_area();
    let error = mui_layers(&area, &four_layer_result(), "x").unwrap_err();
    let ChartError::Drawing(source) = &error;
    assert!(
        source.to_string().contains("the canvas went away"),
        "{source}"
    );
    assert!(utility_law(&area, &law_points(-3.0, 20.0, &[20.0, 40.0])).is_err());
    let (abilities, benchmarks, values) = lecture_profiles();
    let profiles = radar_series(&benchmarks, &values);
    assert!(ais_radar(&area, "x", &abilities, &profiles).is_err());
    assert!(ais_heatmap(&area, "x", &abilities, &benchmarks, &values).is_err());
    assert!(similarity_matrix(&area, "x", &benchmarks, &similarities(&values)).is_err());
}

/// AIS profiles as a small model might give them: the ten abilities over three
/// benchmarks, mostly positive, a few negative (the ablation helped), some near 0, and
/// one undefined.
#[allow(clippy::type_complexity)]
fn lecture_profiles() -> (Vec<String>, Vec<String>, Vec<Vec<Option<f64>>>) {
    let abilities = [
        "analogical",
        "commonsense_causal",
        "contextual_recall",
        "deductive",
        "inductive",
        "long_term_knowledge",
        "quantitative",
        "semantic_relationship",
        "spatial",
        "temporal",
    ];
    // One benchmark a row, the abilities in the order above.
    #[rustfmt::skip]
    let values = vec![
        // arc_easy: science facts and some causal reasoning.
        vec![
            Some(0.12), Some(0.41), Some(0.06), Some(0.22), Some(0.15),
            Some(0.74), Some(0.09), Some(0.28), Some(0.03), Some(-0.08),
        ],
        // mmlu: knowledge above all; temporal undefined.
        vec![
            Some(0.07), Some(0.24), Some(0.11), Some(0.18), Some(0.04),
            Some(1.08), Some(0.31), Some(0.36), Some(-0.02), None,
        ],
        // hellaswag: commonsense and context; deduction removed helps a little.
        vec![
            Some(0.02), Some(0.63), Some(0.47), Some(-0.14), Some(0.09),
            Some(0.21), Some(-0.01), Some(0.33), Some(0.05), Some(0.17),
        ],
    ];
    (
        abilities.iter().map(|s| s.to_string()).collect(),
        ["arc_easy", "mmlu", "hellaswag"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        values,
    )
}

fn radar_series(benchmarks: &[String], values: &[Vec<Option<f64>>]) -> Vec<RadarSeries> {
    benchmarks
        .iter()
        .zip(values)
        .map(|(label, values)| RadarSeries {
            label: label.clone(),
            values: values.clone(),
        })
        .collect()
}

fn similarities(values: &[Vec<Option<f64>>]) -> Vec<Vec<Option<f64>>> {
    values
        .iter()
        .map(|a| values.iter().map(|b| similarity(a, b)).collect())
        .collect()
}

/// Writes the charts a lecture would show to `target/charts/` (800 × 400 and a
/// projector-sized 1600 × 800) for a person to look at.
#[test]
fn lecture_charts() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR is target/tmp")
        .join("charts");
    std::fs::create_dir_all(&dir).unwrap();

    // A 30-layer model with d_ff = 1536, k = 1, 50 samples: early and late layers busier.
    let (n_layers, d_ff) = (30usize, 1536u32);
    let samples: Vec<KeyNeurons> = (0..50u32)
        .map(|s| {
            let layers: Vec<Vec<u32>> = (0..n_layers as u32)
                .map(|l| {
                    let spread = 1 + (l as i32 - 15).unsigned_abs() / 2;
                    vec![(s % spread) * 97 % d_ff, (l * 31 + s % 3) % d_ff]
                })
                .collect();
            let refs: Vec<&[u32]> = layers.iter().map(Vec::as_slice).collect();
            sample(&refs)
        })
        .collect();
    let result = MuiResult::from_samples(&samples, n_layers, d_ff as usize);

    let performances = [12.0, 18.0, 25.0, 33.0, 41.0, 48.0, 56.0, 63.0, 72.0, 85.0];
    let mut points = law_points(-4.632, 28.305, &performances);
    for (i, p) in points.iter_mut().enumerate() {
        p.mui_pct += [0.4, -0.3, 0.2, -0.5, 0.3, -0.1, 0.5, -0.2, 0.1, -0.3][i];
        p.label = format!("model {} · task {}", ["A", "B", "C", "D", "E"][i % 5], i);
    }
    points[8].mui_pct -= 4.0;
    points[8].label = "model X · leaked benchmark".into();

    let (abilities, benchmarks, values) = lecture_profiles();
    let profiles = radar_series(&benchmarks, &values);
    let similarity = similarities(&values);

    let small_result = four_layer_result();
    for (name, (width, height)) in [("800x400", (800, 400)), ("1600x800", (1600, 800))] {
        let charts: [(&str, String); 8] = [
            (
                "mui_layers",
                to_svg(width, height, |a| {
                    mui_layers(a, &result, "SmolLM2-135M · arc_easy")
                })
                .unwrap(),
            ),
            (
                "mui_layers_4",
                to_svg(width, height, |a| {
                    mui_layers(a, &small_result, "tiny · hand-made")
                })
                .unwrap(),
            ),
            (
                "utility_law",
                to_svg(width, height, |a| utility_law(a, &points)).unwrap(),
            ),
            (
                "no_data",
                to_svg(width, height, |a| utility_law(a, &[])).unwrap(),
            ),
            (
                "ais_radar",
                to_svg(width, height, |a| {
                    ais_radar(a, "AIS profiles · SmolLM2-135M", &abilities, &profiles)
                })
                .unwrap(),
            ),
            (
                "ais_radar_mmlu",
                to_svg(width, height, |a| {
                    ais_radar(
                        a,
                        "AIS profile · SmolLM2-135M · mmlu",
                        &abilities,
                        &profiles[1..2],
                    )
                })
                .unwrap(),
            ),
            (
                "ais_heatmap",
                to_svg(width, height, |a| {
                    ais_heatmap(a, "AIS · SmolLM2-135M", &abilities, &benchmarks, &values)
                })
                .unwrap(),
            ),
            (
                "similarity_matrix",
                to_svg(width, height, |a| {
                    similarity_matrix(
                        a,
                        "Profile similarity · SmolLM2-135M",
                        &benchmarks,
                        &similarity,
                    )
                })
                .unwrap(),
            ),
        ];
        for (chart, svg) in charts {
            assert_svg(&svg);
            let path = dir.join(format!("{chart}_{name}.svg"));
            std::fs::write(&path, svg).unwrap();
        }
    }
    eprintln!("charts written to {}", dir.display());
}
