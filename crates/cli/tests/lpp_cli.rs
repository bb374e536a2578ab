//! `mechscope lpp` end to end on the demo model: the report names each metric as
//! metrics.md does, with per-layer arrays over l = 0..=L, the probes' summaries, and the
//! profile; bad arguments and ids for another vocabulary fail with a message instead of
//! a run. (The numbers themselves are checked against PyTorch in
//! crates/metrics/tests/lpp_reference.rs.)
//!
//! Skips with a message when the model or `../shared` is absent.

mod common;
use common::{mechscope, png_size};

use serde_json::Value;

fn demo_model() -> Option<String> {
    let model = mechscope_testkit::models_dir()?.join(mechscope_testkit::DEMO_MODEL);
    if !model.exists() {
        eprintln!("SKIP: {} is absent", model.display());
        return None;
    }
    Some(model.to_string_lossy().into_owned())
}

fn finite(values: &Value) -> bool {
    values
        .as_array()
        .is_some_and(|a| a.iter().all(|v| v.as_f64().is_some_and(f64::is_finite)))
}

#[test]
fn the_report_names_every_metric_and_bad_input_is_refused() {
    let Some(model) = demo_model() else {
        return;
    };
    let ids = mechscope_testkit::shared_dir().join("fixtures/lpp_smollm2_wikitext.ids.json");
    if !ids.exists() {
        eprintln!("SKIP: {} is absent", ids.display());
        return;
    }
    let dir = std::env::temp_dir().join(format!("mechscope-lpp-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let report_path = dir.join("lpp.json");
    let out = mechscope(&[
        "lpp",
        &model,
        "--ids",
        ids.to_str().unwrap(),
        "--seqs",
        "2",
        "--uncertainty-items",
        "2",
        "--symbolic-items",
        "1",
        "--out",
        report_path.to_str().unwrap(),
        "--svg",
        dir.join("lpp.svg").to_str().unwrap(),
        "--png",
        dir.join("lpp.png").to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "mechscope lpp failed:\n{stderr}");
    assert!(stderr.contains("output entropy"), "{stderr}");
    let report: Value =
        serde_json::from_slice(&std::fs::read(&report_path).expect("report written")).unwrap();
    assert_eq!(report["metric"], "lpp");
    assert!(report["task"]["spec"].as_str().unwrap().starts_with("ids:"));
    let text = &report["text"];
    assert_eq!(text["n_sequences"], 2);
    assert_eq!(text["n_positions"], 512);
    assert_eq!(text["n_predictions"], 510);
    for (name, len) in [
        ("logit_lens_entropy", 31),
        ("hidden_norm", 31),
        ("anisotropy", 31),
        ("effective_rank", 31),
        ("effective_rank_frac", 31),
        ("massive_activation_ratio", 31),
        ("layer_drift", 30),
    ] {
        assert_eq!(text[name].as_array().map(Vec::len), Some(len), "{name}");
        assert!(finite(&text[name]), "{name}: {}", text[name]);
    }
    for name in ["output_entropy", "perplexity", "nll", "adaptability"] {
        assert!(text[name].as_f64().is_some_and(f64::is_finite), "{name}");
    }
    assert_eq!(text["output_entropy"], text["logit_lens_entropy"][30]);
    assert_eq!(text["on_depth"]["depth"].as_array().unwrap().len(), 21);
    assert_eq!(report["uncertainty"]["strata"].as_array().unwrap().len(), 3);
    assert_eq!(report["uncertainty"]["items"].as_array().unwrap().len(), 6);
    let families = report["symbolic"]["families"].as_array().unwrap();
    assert_eq!(families.len(), 5);
    assert!(
        families
            .iter()
            .all(|f| f["levels"].as_array().unwrap().len() == 5)
    );
    let axes: Vec<&str> = report["profile"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    for axis in [
        "output_entropy",
        "perplexity",
        "uncertainty_auroc",
        "symbolic_accuracy",
    ] {
        assert!(axes.contains(&axis), "{axis} missing from {axes:?}");
    }

    // The charts: the radar and one file per per-depth metric, each titled.
    let radar = std::fs::read_to_string(dir.join("lpp.radar.svg")).expect("radar written");
    assert!(
        radar.contains("LPP profile") && radar.contains("output_entropy"),
        "{radar}"
    );
    // One file per per-depth chart of the page, named after the report's field, with
    // the page's title.
    for metric in mechscope_report::chart::DEPTH_METRICS {
        let path = dir.join(format!("lpp.depth.{}.svg", metric.field));
        let svg =
            std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{} written", path.display()));
        assert!(
            svg.contains(metric.title) && svg.contains("relative depth"),
            "{}",
            metric.field
        );
        assert!(
            report["text"][metric.field].is_array(),
            "{} is a report field",
            metric.field
        );
    }
    // The same charts as PNG, named alike, at twice their SVG size.
    assert_eq!(png_size(&dir.join("lpp.radar.png")), (1800, 1280));
    for metric in ["logit_lens_entropy", "layer_drift", "effective_rank_frac"] {
        let png = dir.join(format!("lpp.depth.{metric}.png"));
        assert_eq!(png_size(&png), (1600, 800), "{metric}");
    }

    // Ids for a larger vocabulary: refused before anything runs, with the reason.
    let foreign = dir.join("foreign.json");
    std::fs::write(&foreign, "[[1, 2, 999999]]").unwrap();
    let out = mechscope(&[
        "lpp",
        &model,
        "--ids",
        foreign.to_str().unwrap(),
        "--probes",
        "text",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("999999") && stderr.contains("vocabulary"),
        "{stderr}"
    );
    // Not token ids at all.
    std::fs::write(&foreign, "{\"ids\": 3}").unwrap();
    let out = mechscope(&["lpp", &model, "--ids", foreign.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("JSON array of token-id arrays"));
    // An unknown probe.
    let out = mechscope(&["lpp", &model, "--probes", "text,feelings"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no probe \"feelings\""));
    std::fs::remove_dir_all(&dir).ok();
}
