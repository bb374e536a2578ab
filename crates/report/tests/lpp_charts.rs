//! The LPP charts (profile radar, per-depth curves) drawn into SVG from hand-made
//! profiles and curves, and checked for what a reader relies on: every axis names its
//! range, markers sit at their normalised values, overlaid runs differ by marker and
//! dash, the depth axis runs 0..1 left to right, and bad input draws a "no data" chart.

use mechscope_metrics::lpp::profile::{ProfileAxis, Scale};
use mechscope_report::chart::{
    DepthCurve, LppAxis, RadarSeries, lpp_depth_curves, lpp_radar, lpp_radar_series, to_svg,
};

mod common;
use common::{assert_svg, attribute, has, points, tags_with, texts};

const BLUE: &str = "#0072B2";
const VERMILLION: &str = "#D55E00";
const FRAME: &str = "#C8C8C8";
const INK: &str = "#1A1A1A";

/// A profile like `mechscope_metrics::lpp::profile::axes` makes from a text run.
fn text_profile(entropy: f64, perplexity: f64) -> Vec<ProfileAxis> {
    vec![
        ProfileAxis::new("output_entropy", entropy, [0.0, 1.0], Scale::Linear),
        ProfileAxis::new("logit_lens_area", 0.7, [0.0, 1.0], Scale::Linear),
        ProfileAxis::new("adaptability", 0.25, [0.0, 1.0], Scale::Linear),
        ProfileAxis::new("anisotropy", 0.12, [0.0, 1.0], Scale::Linear),
        ProfileAxis::new("perplexity", perplexity, [1.0, 1000.0], Scale::Log),
        ProfileAxis::new("ece", 0.05, [0.0, 0.5], Scale::Linear),
    ]
}

/// The circles drawn with `fill` and `stroke`, as `(cx, cy, r)`.
fn circles(svg: &str, fill: &str, stroke: &str) -> Vec<(f64, f64, f64)> {
    tags_with(svg, "circle", &format!("fill=\"{fill}\""))
        .into_iter()
        .filter(|t| t.contains(&format!("stroke=\"{stroke}\"")))
        .map(|t| (attribute(t, "cx"), attribute(t, "cy"), attribute(t, "r")))
        .collect()
}

fn distance((x0, y0): (f64, f64), (x1, y1): (f64, f64)) -> f64 {
    (x1 - x0).hypot(y1 - y0)
}

#[test]
fn one_profile_sits_at_its_normalised_values_and_prints_raw_ones() {
    let profile = text_profile(0.5, 31.62);
    let (axes, series) = lpp_radar_series(&[("SmolLM2 · 8×256", &profile)]);
    let svg = to_svg(800, 400, |area| {
        lpp_radar(area, "LPP profile · SmolLM2", &axes, &series)
    })
    .unwrap();
    assert_svg(&svg);

    // The bold ring is the low end of every range; the outer ring the high end.
    let bold = circles(&svg, "none", INK);
    assert_eq!(bold.len(), 1, "{bold:?}");
    let (cx, cy, r_low) = bold[0];
    let rings = circles(&svg, "none", FRAME);
    let r_high = rings.iter().map(|r| r.2).fold(0.0, f64::max);
    assert!(r_high > r_low && r_low > 0.0, "{r_low} {r_high}");

    // One filled blue circle per axis, plus the legend's.
    let markers = circles(&svg, BLUE, "none");
    assert_eq!(markers.len(), 6 + 1, "{markers:?}");
    let at = |t: f64| r_low + t * (r_high - r_low);
    let radius = |i: usize| distance((cx, cy), (markers[i].0, markers[i].1));
    // output_entropy 0.5 (top spoke), perplexity 31.6 halfway up its log range.
    for (i, normalised) in [(0, 0.5), (1, 0.7), (2, 0.25), (4, 0.5), (5, 0.1)] {
        assert!(
            (radius(i) - at(normalised)).abs() <= 1.5,
            "axis {i}: {} vs {}",
            radius(i),
            at(normalised)
        );
    }
    assert!(
        markers[0].1 < cy && (markers[0].0 - cx).abs() <= 1.0,
        "first spoke up"
    );
    // The outline is closed: 7 points, the first again at the end.
    let outline: Vec<Vec<(f64, f64)>> = tags_with(&svg, "polyline", &format!("stroke=\"{BLUE}\""))
        .iter()
        .map(|t| points(t))
        .filter(|p| p.len() > 2)
        .collect();
    assert_eq!(outline.len(), 1, "{outline:?}");
    assert_eq!(outline[0].len(), 7);

    let texts = texts(&svg);
    for text in [
        "LPP profile · SmolLM2",
        "adaptability",
        "anisotropy",
        "perplexity",
        "0–1",
        "1–1000, log",
        "0–0.5",
        "SmolLM2 · 8×256",
        "low end of each range",
        // Raw values, not the normalised ones.
        "31.6",
        "0.05",
        "0.25",
    ] {
        assert!(has(&texts, text), "{text:?} in {texts:?}");
    }
    assert!(
        !has(&texts, "0.1") && !has(&texts, "0.10"),
        "ece's normalised value: {texts:?}"
    );
}

#[test]
fn overlaid_runs_differ_by_marker_and_name_what_they_lack() {
    let first = text_profile(0.3, 20.0);
    // The second run also measured the symbolic probe, and not the ECE.
    let mut second = text_profile(0.6, 2000.0);
    second.pop();
    second.push(ProfileAxis::new(
        "symbolic_accuracy",
        0.4,
        [0.0, 1.0],
        Scale::Linear,
    ));
    let (axes, series) = lpp_radar_series(&[("model A", &first), ("model B", &second)]);
    assert_eq!(axes.len(), 7);
    assert_eq!(series[0].values[6], None);
    assert_eq!(series[1].values[5], None);
    assert_eq!(
        series[1].values[4],
        Some(1.0),
        "2000 is clamped to the range"
    );
    let svg = to_svg(800, 400, |area| lpp_radar(area, "", &axes, &series)).unwrap();
    assert_svg(&svg);

    // The second run has squares: 6 values and the legend's.
    let squares = tags_with(&svg, "polygon", &format!("fill=\"{VERMILLION}\""));
    assert_eq!(squares.len(), 6 + 1, "{squares:?}");
    // Its outline is dashed: many short pieces.
    assert!(tags_with(&svg, "polyline", &format!("stroke=\"{VERMILLION}\"")).len() > 8);
    let texts = texts(&svg);
    for text in [
        "LPP profile",
        "model A",
        "model B",
        "0–0.5, not in model B",
        "0–1, not in model A",
    ] {
        assert!(has(&texts, text), "{text:?} in {texts:?}");
    }
    // Several runs: no raw values printed.
    assert!(!has(&texts, "20.0") && !has(&texts, "≥ 1000"), "{texts:?}");
}

#[test]
fn a_clamped_value_says_so() {
    let profile = text_profile(0.5, 5000.0);
    let (axes, series) = lpp_radar_series(&[("run", &profile)]);
    let svg = to_svg(800, 400, |area| lpp_radar(area, "clamped", &axes, &series)).unwrap();
    assert!(has(&texts(&svg), "≥ 1000"), "{:?}", texts(&svg));
}

#[test]
fn radar_input_it_cannot_draw_gives_no_data() {
    let axis = |name: &str| LppAxis {
        name: name.into(),
        range: [0.0, 1.0],
        scale: Scale::Linear,
    };
    let three = vec![axis("a"), axis("b"), axis("c")];
    let series = |values: &[Option<f64>]| RadarSeries {
        label: "x".into(),
        values: values.to_vec(),
    };
    let cases: Vec<(Vec<LppAxis>, Vec<RadarSeries>, &str)> = vec![
        (three.clone(), vec![], "No LPP profile yet."),
        (
            vec![axis("symbolic_accuracy")],
            vec![series(&[Some(0.5)])],
            "A radar needs at least 3 axes, got 1.",
        ),
        (
            three.clone(),
            vec![series(&[Some(0.1), Some(0.2)])],
            "The profile does not match the axes:",
        ),
        (
            three.clone(),
            vec![series(&[Some(0.1), Some(3.0), None])],
            "x has a value outside [0, 1]:",
        ),
        (
            three.clone(),
            vec![series(&[Some(0.1), Some(f64::NAN), None])],
            "x has a value outside [0, 1]:",
        ),
        (
            three.clone(),
            vec![series(&[None, None, None])],
            "No run has a value on any axis.",
        ),
    ];
    for (axes, profiles, reason) in cases {
        let svg = to_svg(800, 400, |area| {
            lpp_radar(area, "profiles", &axes, &profiles)
        })
        .unwrap();
        assert_svg(&svg);
        let texts = texts(&svg);
        assert!(has(&texts, reason), "{reason:?} in {texts:?}");
        assert!(has(&texts, "profiles"), "the title stays: {texts:?}");
        assert!(circles(&svg, BLUE, "none").is_empty(), "no markers");
    }
}

/// The relative-depth grid of the metrics: 0, 0.05, ..., 1.
fn grid() -> Vec<f64> {
    (0..=20).map(|i| f64::from(i) / 20.0).collect()
}

#[test]
fn depth_curves_run_left_to_right_and_overlay_runs() {
    let depth = grid();
    // A falling entropy (30 layers) and a later-falling one (12 layers), resampled.
    let falling: Vec<f64> = depth.iter().map(|d| 0.9 - 0.8 * d).collect();
    let later: Vec<f64> = depth.iter().map(|d| 0.9 - 0.8 * d * d).collect();
    let curves = [
        DepthCurve {
            label: "SmolLM2-135M · 8×256",
            depth: &depth,
            values: &falling,
        },
        DepthCurve {
            label: "tiny-gpt2 · 8×256",
            depth: &depth,
            values: &later,
        },
    ];
    let svg = to_svg(800, 400, |area| {
        lpp_depth_curves(area, "Logit-lens entropy", "entropy / ln V", &curves)
    })
    .unwrap();
    assert_svg(&svg);

    // The first run: one solid line through all 21 points, left to right and falling
    // (pixel y grows downwards).
    let lines: Vec<Vec<(f64, f64)>> = tags_with(&svg, "polyline", &format!("stroke=\"{BLUE}\""))
        .iter()
        .map(|t| points(t))
        .filter(|p| p.len() > 2)
        .collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    let line = &lines[0];
    assert_eq!(line.len(), 21);
    assert!(line.windows(2).all(|w| w[1].0 > w[0].0), "{line:?}");
    assert!(
        line.windows(2).all(|w| w[1].1 > w[0].1),
        "falling: {line:?}"
    );
    // The second run is dashed and its squares mark every grid point (and the legend).
    assert!(tags_with(&svg, "polyline", &format!("stroke=\"{VERMILLION}\"")).len() > 10);
    let squares = tags_with(&svg, "polygon", &format!("fill=\"{VERMILLION}\""));
    assert_eq!(squares.len(), 21 + 1);
    // Both start at the same point (0.9 at depth 0) and the second ends at the same
    // value as the first: their first and last markers coincide.
    let blue_markers = circles(&svg, BLUE, "none");
    let first_square = points(squares[0]);
    let square_centre = (
        first_square.iter().map(|p| p.0).sum::<f64>() / 4.0,
        first_square.iter().map(|p| p.1).sum::<f64>() / 4.0,
    );
    assert!(
        distance(square_centre, (blue_markers[0].0, blue_markers[0].1)) <= 1.5,
        "{square_centre:?} {:?}",
        blue_markers[0]
    );

    let texts = texts(&svg);
    for text in [
        "Logit-lens entropy",
        "relative depth l/L",
        "entropy / ln V",
        "SmolLM2-135M · 8×256",
        "tiny-gpt2 · 8×256",
        "0",
        "0.5",
        "1",
    ] {
        assert!(has(&texts, text), "{text:?} in {texts:?}");
    }
}

#[test]
fn gaps_break_the_line_and_bad_curves_are_counted() {
    let depth = grid();
    let mut values: Vec<f64> = depth.iter().map(|d| 1.0 + d).collect();
    values[10] = f64::NAN;
    let curves = [
        DepthCurve {
            label: "gappy",
            depth: &depth,
            values: &values,
        },
        DepthCurve {
            label: "short",
            depth: &depth[..3],
            values: &values[..2],
        },
    ];
    let svg = to_svg(800, 400, |area| {
        lpp_depth_curves(area, "", "hidden norm", &curves)
    })
    .unwrap();
    let lines: Vec<Vec<(f64, f64)>> = tags_with(&svg, "polyline", &format!("stroke=\"{BLUE}\""))
        .iter()
        .map(|t| points(t))
        .filter(|p| p.len() > 2)
        .collect();
    assert_eq!(lines.len(), 2, "split at the gap: {lines:?}");
    assert_eq!(lines[0].len() + lines[1].len(), 20);
    let texts = texts(&svg);
    assert!(has(&texts, "hidden norm over relative depth"), "{texts:?}");
    assert!(
        texts
            .iter()
            .any(|t| t.contains("1 left out (nothing to draw)")),
        "{texts:?}"
    );
    assert!(!has(&texts, "short"), "{texts:?}");
}

#[test]
fn depth_curves_with_nothing_to_draw_say_why() {
    let svg = to_svg(800, 400, |area| lpp_depth_curves(area, "t", "m", &[])).unwrap();
    assert!(has(&texts(&svg), "No per-depth values yet."), "{svg}");
    let nan = [f64::NAN; 3];
    let curve = DepthCurve {
        label: "broken",
        depth: &[0.0, 0.5, 1.0],
        values: &nan,
    };
    let svg = to_svg(800, 400, |area| lpp_depth_curves(area, "t", "m", &[curve])).unwrap();
    assert!(
        has(&texts(&svg), "broken has no value."),
        "{:?}",
        texts(&svg)
    );
}

#[test]
fn small_and_large_areas_still_draw() {
    let profile = text_profile(0.5, 31.62);
    let (axes, series) = lpp_radar_series(&[("run", &profile)]);
    let depth = grid();
    let values: Vec<f64> = depth.iter().map(|d| d * d).collect();
    let curve = DepthCurve {
        label: "run",
        depth: &depth,
        values: &values,
    };
    for (width, height) in [(120, 60), (300, 150), (3200, 1600)] {
        for svg in [
            to_svg(width, height, |a| lpp_radar(a, "r", &axes, &series)).unwrap(),
            to_svg(width, height, |a| lpp_depth_curves(a, "d", "m", &[curve])).unwrap(),
        ] {
            assert_svg(&svg);
            assert!(svg.contains(&format!("width=\"{width}\"")));
        }
    }
}

/// Writes the LPP charts a lecture would show to `target/charts/`: two models' profiles
/// overlaid, and their logit-lens entropy over relative depth.
#[test]
fn lecture_lpp_charts() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR is target/tmp")
        .join("charts");
    std::fs::create_dir_all(&dir).unwrap();
    let mut small = text_profile(0.42, 18.5);
    small.insert(
        3,
        ProfileAxis::new("effective_rank_frac", 0.07, [0.0, 1.0], Scale::Linear),
    );
    small.insert(
        6,
        ProfileAxis::new("uncertainty_auroc", 0.75, [0.5, 1.0], Scale::Linear),
    );
    small.push(ProfileAxis::new(
        "symbolic_accuracy",
        0.36,
        [0.0, 1.0],
        Scale::Linear,
    ));
    // The second run had the probe text only: the radar leaves gaps where it has no value.
    let mut large = text_profile(0.31, 9.8);
    large.pop();
    let (axes, series) = lpp_radar_series(&[
        ("#1 SmolLM2-135M-Instruct.Q4_1 · 8×256", &small),
        ("#2 SmolLM2-360M-Instruct.Q4_1 · 8×256", &large),
    ]);
    let depth = grid();
    let small_curve: Vec<f64> = depth.iter().map(|d| 0.85 - 0.5 * d * d).collect();
    let large_curve: Vec<f64> = depth.iter().map(|d| 0.9 - 0.6 * d.powf(1.5)).collect();
    let curves = [
        DepthCurve {
            label: "#1 SmolLM2-135M-Instruct.Q4_1 · 8×256",
            depth: &depth,
            values: &small_curve,
        },
        DepthCurve {
            label: "#2 SmolLM2-360M-Instruct.Q4_1 · 8×256",
            depth: &depth,
            values: &large_curve,
        },
    ];
    for (width, height, suffix) in [(800, 400, ""), (900, 720, ".page"), (1600, 800, ".large")] {
        let radar = to_svg(width, height, |a| {
            lpp_radar(a, "LPP profiles", &axes, &series)
        })
        .unwrap();
        std::fs::write(dir.join(format!("lpp_radar{suffix}.svg")), radar).unwrap();
        let one = to_svg(width, height, |a| {
            lpp_radar(a, "LPP profile", &axes, &series[..1])
        })
        .unwrap();
        std::fs::write(dir.join(format!("lpp_radar_one{suffix}.svg")), one).unwrap();
        let lens = to_svg(width, height, |a| {
            lpp_depth_curves(a, "Logit-lens entropy", "entropy / ln V", &curves)
        })
        .unwrap();
        std::fs::write(dir.join(format!("lpp_lens{suffix}.svg")), lens).unwrap();
    }
}
