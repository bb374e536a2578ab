//! `mechscope chart` on the example reports the page bundles (public/examples, made by
//! the CLI on the demo model): each metric's charts come back as SVG and PNG without a
//! model, several LPP reports are overlaid, and what cannot be drawn is refused with
//! the reason.

mod common;
use common::{mechscope, png_size};

use std::path::{Path, PathBuf};

fn example(name: &str) -> String {
    mechscope_testkit::crate_dir()
        .join("../../public/examples")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mechscope-chart-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn succeed(args: &[&str]) -> String {
    let out = mechscope(args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "mechscope {args:?} failed:\n{stderr}");
    stderr
}

fn fail(args: &[&str]) -> String {
    let out = mechscope(args);
    assert!(!out.status.success(), "mechscope {args:?} should fail");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn svg(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|_| panic!("{} written", path.display()))
}

#[test]
fn each_metrics_example_report_is_drawn_again() {
    let dir = scratch("each");
    let (svg_path, png_path) = (dir.join("mui.svg"), dir.join("mui.png"));
    succeed(&[
        "chart",
        &example("mui.json"),
        "--svg",
        svg_path.to_str().unwrap(),
        "--png",
        png_path.to_str().unwrap(),
    ]);
    assert!(svg(&svg_path).contains("SmolLM2-135M-Instruct"));
    assert_eq!(png_size(&png_path), (1600, 800));

    let ais = dir.join("ais.svg");
    succeed(&[
        "chart",
        &example("ais.json"),
        "--svg",
        ais.to_str().unwrap(),
    ]);
    for kind in ["radar", "heatmap", "similarity"] {
        let text = svg(&dir.join(format!("ais.k0.001.{kind}.svg")));
        assert!(text.contains("</svg>"), "{kind}");
    }
    assert!(svg(&dir.join("ais.k0.001.heatmap.svg")).contains("arc_easy"));

    let lpp = dir.join("lpp.svg");
    succeed(&[
        "chart",
        &example("lpp.json"),
        "--svg",
        lpp.to_str().unwrap(),
    ]);
    assert!(svg(&dir.join("lpp.radar.svg")).contains("LPP profile · SmolLM2-135M-Instruct"));
    let drift = svg(&dir.join("lpp.depth.layer_drift.svg"));
    assert!(drift.contains("Layer drift") && drift.contains("relative depth"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn lpp_reports_are_overlaid_as_the_page_compares_runs() {
    let dir = scratch("overlay");
    // Two files, one of them a list (the page's "Download the reports").
    let list = dir.join("two.json");
    let report = std::fs::read_to_string(example("lpp.json")).unwrap();
    std::fs::write(&list, format!("[{report},{report}]")).unwrap();
    let png = dir.join("cmp.png");
    succeed(&[
        "chart",
        &example("lpp.json"),
        list.to_str().unwrap(),
        "--png",
        png.to_str().unwrap(),
        "--svg",
        dir.join("cmp.svg").to_str().unwrap(),
    ]);
    let radar = svg(&dir.join("cmp.radar.svg"));
    for label in ["LPP profiles", "#1 SmolLM2", "#2 SmolLM2", "#3 SmolLM2"] {
        assert!(radar.contains(label), "{label}");
    }
    assert_eq!(png_size(&dir.join("cmp.radar.png")), (1800, 1280));
    assert_eq!(
        png_size(&dir.join("cmp.depth.logit_lens_entropy.png")),
        (1600, 800)
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn what_cannot_be_drawn_is_refused_with_the_reason() {
    let dir = scratch("refused");
    let out = dir.join("x.svg");
    let out = out.to_str().unwrap();
    assert!(fail(&["chart", &example("lpp.json")]).contains("give --svg FILE and/or --png FILE"));
    let mixed = fail(&[
        "chart",
        &example("lpp.json"),
        &example("mui.json"),
        "--svg",
        out,
    ]);
    assert!(
        mixed.contains("only LPP reports are drawn together"),
        "{mixed}"
    );
    let lpp = example("lpp.json");
    let five = fail(&["chart", &lpp, &lpp, &lpp, &lpp, &lpp, "--svg", out]);
    assert!(five.contains("at most 4"), "{five}");
    let empty = dir.join("empty.json");
    std::fs::write(&empty, "[]").unwrap();
    assert!(fail(&["chart", empty.to_str().unwrap(), "--svg", out]).contains("holds no reports"));
    let newer = dir.join("newer.json");
    let text = std::fs::read_to_string(&lpp).unwrap();
    std::fs::write(
        &newer,
        format!(
            "[{text},{}]",
            text.replacen("\"schema_version\": 1", "\"schema_version\": 2", 1)
        ),
    )
    .unwrap();
    let refused = fail(&["chart", newer.to_str().unwrap(), "--svg", out]);
    assert!(
        refused.contains("report 2 of 2") && refused.contains("newer MechScope"),
        "{refused}"
    );
    assert!(!Path::new(out).exists(), "nothing drawn from refused input");
    std::fs::remove_dir_all(dir).unwrap();
}
