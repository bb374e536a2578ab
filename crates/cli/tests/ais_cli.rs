//! `mechscope ais` and `mechscope importance` end to end on the demo model: the report
//! carries the contract's fields (metrics.md §2, issue 5) with the reference counts and
//! PyTorch's base predictions, masks written by `importance` and read back by
//! `ais --masks` give the same profile without a gradient pass, and bad arguments fail
//! with a message instead of a run.
//!
//! Skips with a message when the model or `../shared` is absent.

mod common;
use common::mechscope;

use serde_json::Value;
use std::path::{Path, PathBuf};

fn succeed(args: &[&str]) {
    let out = mechscope(args);
    assert!(
        out.status.success(),
        "mechscope {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).expect("file written")).expect("JSON")
}

struct Paths {
    dir: PathBuf,
    model: String,
    arc: String,
    diagnostic: String,
}

fn paths(fixture: &Value) -> Option<Paths> {
    let models = mechscope_testkit::models_dir()?;
    let model = models.join(mechscope_testkit::DEMO_MODEL);
    if !model.exists() {
        eprintln!("SKIP: {} is absent", model.display());
        return None;
    }
    let arc = mechscope_testkit::shared_dir().join("data/benchmarks/arc_easy.jsonl");
    let dir = std::env::temp_dir().join(format!("mechscope-ais-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // Eight of the fixture's diagnostic chats, as the token-id lines --diagnostic reads.
    let lines: Vec<String> = fixture["diagnostic_items"]
        .as_array()
        .unwrap()
        .iter()
        .take(8)
        .map(|item| {
            serde_json::json!({"ability": "quantitative", "ids": item["input_ids"]}).to_string()
        })
        .collect();
    let diagnostic = dir.join("quantitative.jsonl");
    std::fs::write(&diagnostic, lines.join("\n")).unwrap();
    let text = |p: &Path| p.to_string_lossy().into_owned();
    Some(Paths {
        model: text(&model),
        arc: text(&arc),
        diagnostic: text(&diagnostic),
        dir,
    })
}

#[test]
fn reports_carry_the_contract_and_masks_round_trip() {
    let Some(fixture) = mechscope_testkit::shared_json("fixtures/ais_smollm2.json") else {
        return;
    };
    let Some(p) = paths(&fixture) else {
        return;
    };
    let report_path = p.dir.join("ais.json");
    let common = [
        "--benchmarks",
        &p.arc,
        "--limit",
        "12",
        "--abilities",
        "quantitative",
        "--diagnostic",
        &p.diagnostic,
    ];
    let out = report_path.to_string_lossy().into_owned();
    let svg = p.dir.join("ais.svg").to_string_lossy().into_owned();
    let mut args = vec!["ais", &p.model];
    args.extend(common);
    args.extend(["--out", &out, "--svg", &svg]);
    succeed(&args);
    // One ability, one benchmark: the heatmap prints its one value, the radar says it
    // needs three abilities, the matrix has its one cell; all three are drawn.
    for (kind, title) in [
        ("radar", "AIS at k = 0.001"),
        ("heatmap", "AIS at k = 0.001"),
        ("similarity", "Benchmark profile similarity"),
    ] {
        let chart = p.dir.join(format!("ais.k0.001.{kind}.svg"));
        let text = std::fs::read_to_string(&chart).expect("chart written");
        assert!(
            text.starts_with("<svg") && text.contains("</svg>"),
            "{kind}"
        );
        assert!(text.contains(title), "the {kind} chart has its title");
    }

    let report = read_json(&report_path);
    assert_eq!(report["metric"], "ais");
    let run = &report["runs"][0];
    let counts = &fixture["counts"];
    assert_eq!(run["n_total"], counts["N_total"]);
    assert_eq!(run["n_mlp"], counts["N_mlp"]);
    assert_eq!(run["n_sel"], counts["n_sel"]);
    let benchmark = &run["benchmarks"][0];
    let reference: Vec<Value> =
        fixture["results"]["base"]["pred"].as_array().unwrap()[..12].to_vec();
    assert_eq!(benchmark["base"]["pred"], Value::Array(reference));
    for condition in ["top", "bottom", "random"] {
        let scored = &benchmark["abilities"][0][condition];
        assert!(
            scored["acc"].is_f64() && scored["acc_norm"].is_f64(),
            "{condition}"
        );
        assert_eq!(scored["pred"].as_array().unwrap().len(), 12, "{condition}");
    }
    assert!(benchmark["abilities"][0]["ais"]["status"].is_string());
    assert_eq!(run["abilities"][0]["n_train"], 8);

    // The same masks from a file: no gradient pass, the same scores.
    let masks = p.dir.join("masks.json").to_string_lossy().into_owned();
    succeed(&[
        "importance",
        &p.model,
        "--abilities",
        "quantitative",
        "--diagnostic",
        &p.diagnostic,
        "--out",
        &masks,
    ]);
    let mask_file = read_json(Path::new(&masks));
    assert_eq!(
        mask_file["abilities"][0]["masks"][0]["n_sel"],
        counts["n_sel"]
    );
    let again = p.dir.join("again.json").to_string_lossy().into_owned();
    let mut args = vec!["ais", &p.model];
    args.extend(common);
    args.extend(["--masks", &masks, "--out", &again]);
    let output = mechscope(&args);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        !String::from_utf8_lossy(&output.stderr).contains("gradients"),
        "no gradient pass with masks given"
    );
    assert_eq!(
        read_json(Path::new(&again))["runs"][0]["benchmarks"],
        run["benchmarks"]
    );
    let _ = std::fs::remove_dir_all(&p.dir);
}

#[test]
fn bad_arguments_fail_with_a_message() {
    let Some(fixture) = mechscope_testkit::shared_json("fixtures/ais_smollm2.json") else {
        return;
    };
    let Some(p) = paths(&fixture) else {
        return;
    };
    let not_ids = p.dir.join("bad.jsonl");
    std::fs::write(
        &not_ids,
        "{\"ability\": \"quantitative\", \"ids\": [1, 999999]}\n",
    )
    .unwrap();
    let not_ids = not_ids.to_string_lossy().into_owned();
    for (args, expected) in [
        (vec!["--abilities", "telepathy"], "unknown ability"),
        (vec!["--k", "2"], "--k must be a fraction"),
        (
            vec!["--diagnostic", &not_ids, "--abilities", "quantitative"],
            "outside the model's vocabulary",
        ),
    ] {
        let mut all = vec!["ais", &p.model, "--benchmarks", &p.arc, "--limit", "2"];
        all.extend(args);
        let out = mechscope(&all);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{all:?} should fail");
        assert!(stderr.contains(expected), "{all:?}: {stderr}");
    }
    let _ = std::fs::remove_dir_all(&p.dir);
}
