//! The teaching demo's example reports (`public/examples/`, made by `cargo xtask
//! examples` with the CLI on the demo model) are what a class sees first: they must
//! read as this version's reports, of the demo model, with the numbers each chart needs.
//! A schema change that leaves them behind fails here, not in front of an audience.

use mechscope_report::{Report, SCHEMA_VERSION};
use std::path::PathBuf;

fn example(name: &str) -> Report {
    // The runtime variable: this test may have been compiled in another clone (builds
    // are cached outside it), whose path `env!` would name.
    let path = std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| env!("CARGO_MANIFEST_DIR").into(), PathBuf::from)
        .join("../../public/examples")
        .join(name);
    let bytes = std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (made by `cargo xtask examples`)", path.display()));
    let report = Report::from_json(&bytes)
        .unwrap_or_else(|e| panic!("{}: {e}; run `cargo xtask examples` again", path.display()));
    assert_eq!(report.schema_version, SCHEMA_VERSION, "{name}");
    assert!(
        report.tool.starts_with("mechscope "),
        "{name}: made by {}",
        report.tool
    );
    assert_eq!(
        report.model.id, "SmolLM2-135M-Instruct.Q4_1",
        "{name}: the demo model"
    );
    assert_eq!(report.model.n_params, 134_515_008, "{name}");
    report
}

#[test]
fn the_lpp_example_has_every_probe_and_depth_curve() {
    let report = example("lpp.json");
    let run = report.lpp().expect("an LPP report");
    let text = run.text.as_ref().expect("probe-text metrics");
    assert!(text.output_entropy > 0.0 && text.output_entropy < 1.0);
    assert_eq!(
        text.on_depth.depth.len(),
        21,
        "relative depth 0, 0.05, ..., 1"
    );
    assert!(
        run.uncertainty.is_some() && run.symbolic.is_some(),
        "both probes"
    );
    assert!(
        run.profile.len() >= 6,
        "a radar needs its axes: {}",
        run.profile.len()
    );
}

#[test]
fn the_mui_example_is_a_point_of_the_utility_law() {
    let report = example("mui.json");
    let run = report.mui().expect("a MUI report");
    assert_eq!(run.samples.len(), 20);
    assert!(
        run.result.mui > 0.0 && run.result.mui < 1.0,
        "MUI {}",
        run.result.mui
    );
    assert_eq!(run.result.union_per_layer.len(), 30, "one bar per layer");
    let accuracy = run.accuracy.as_ref().expect("accuracy: the P of the law");
    assert_eq!(accuracy.n_items, 20);
}

#[test]
fn the_ais_example_profiles_three_benchmarks_over_ten_abilities() {
    let report = example("ais.json");
    let runs = &report.ais().expect("an AIS report").runs;
    assert_eq!(runs.len(), 1, "one budget, k = 0.001");
    let run = &runs[0];
    assert_eq!(run.settings.k, 0.001);
    assert_eq!(run.abilities.len(), 10, "the ten abilities");
    let names: Vec<&str> = run.benchmarks.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(names, ["arc_easy.jsonl", "copa.jsonl", "piqa.jsonl"]);
    for benchmark in &run.benchmarks {
        assert_eq!(benchmark.n_items, 40, "{}", benchmark.name);
        assert_eq!(
            benchmark.abilities.len(),
            10,
            "{}: a radar axis each",
            benchmark.name
        );
    }
    assert_eq!(run.similarity.len(), 3, "a benchmark similarity matrix");
    assert!(!run.warnings.is_empty(), "the small sample's noise is said");
}
