use super::*;
use crate::test_reports;

/// A fragment of `json` in the link format, made by hand, for inputs that [`encode`]
/// would never write.
fn link_of(json: &[u8]) -> String {
    let compressed = miniz_oxide::deflate::compress_to_vec_zlib(json, COMPRESSION_LEVEL);
    format!("ms1.{}", BASE64.encode(compressed))
}

fn bits(values: &[f64]) -> Vec<u64> {
    values.iter().map(|v| v.to_bits()).collect()
}

/// Every float of the report's results, as bits: what "exact" means for a link.
fn result_bits(report: &Report) -> Vec<u64> {
    if let Some(run) = report.mui() {
        let mut all = vec![
            run.result.mui.to_bits(),
            run.timings.responses_s.to_bits(),
            run.timings.scoring_s.to_bits(),
            run.settings.options.ratio.to_bits(),
        ];
        for layer in run.key_neurons.iter().flat_map(|k| &k.layers) {
            all.extend(layer.entries.iter().map(|e| u64::from(e.score.to_bits())));
            all.extend(layer.gap.map(|g| u64::from(g.to_bits())));
        }
        return all;
    }
    if let Some(report) = report.ais() {
        let mut all = Vec::new();
        for run in &report.runs {
            all.push(run.settings.k.to_bits());
            all.extend(
                run.ais_matrix()
                    .iter()
                    .flatten()
                    .flatten()
                    .map(|v| v.to_bits()),
            );
            all.extend(
                run.similarity
                    .iter()
                    .flatten()
                    .flatten()
                    .map(|v| v.to_bits()),
            );
            for b in &run.benchmarks {
                all.extend([
                    b.chance.to_bits(),
                    b.base.acc.to_bits(),
                    b.base.acc_norm.to_bits(),
                ]);
                for a in &b.abilities {
                    all.extend([a.top.acc.to_bits(), a.bottom.acc_norm.to_bits()]);
                    all.extend(a.control_corrected.value().map(f64::to_bits));
                }
            }
        }
        return all;
    }
    let Some(run) = report.lpp() else {
        return Vec::new();
    };
    let mut all = Vec::new();
    if let Some(t) = &run.text {
        for values in [
            &t.logit_lens_entropy,
            &t.layer_drift,
            &t.hidden_norm,
            &t.massive_activation_ratio,
            &t.anisotropy,
            &t.effective_rank,
            &t.effective_rank_frac,
            &t.on_depth.depth,
            &t.on_depth.logit_lens_entropy,
            &t.on_depth.layer_drift,
            &t.on_depth.hidden_norm,
            &t.on_depth.anisotropy,
            &t.on_depth.effective_rank_frac,
        ] {
            all.extend(bits(values));
        }
        all.extend([t.output_entropy, t.adaptability, t.nll, t.perplexity].map(f64::to_bits));
        all.extend(t.logit_lens_area.map(f64::to_bits));
        all.extend(t.commit_depth.map(f64::to_bits));
    }
    if let Some(u) = &run.uncertainty {
        all.extend(u.strata.iter().map(|s| s.mean_entropy.to_bits()));
        all.extend(u.items.iter().flat_map(|i| bits(&i.probabilities)));
        all.extend(u.ece.map(f64::to_bits));
    }
    if let Some(s) = &run.symbolic {
        all.push(s.accuracy.to_bits());
    }
    for axis in &run.profile {
        all.extend([axis.value, axis.normalised, axis.range[0], axis.range[1]].map(f64::to_bits));
    }
    all
}

/// `decoded` is `original` exactly: equal as values, and every float bit for bit
/// (`==` alone would take -0.0 for 0.0 and refuse NaN).
fn assert_same(decoded: &SharedView, original: &SharedView) {
    assert_eq!(decoded.reports.len(), original.reports.len());
    for (d, o) in decoded.reports.iter().zip(&original.reports) {
        assert_eq!(result_bits(d), result_bits(o));
        assert!(!result_bits(o).is_empty());
    }
    assert_eq!(decoded.view, original.view);
    // Everything else, floats included, through the one-to-one lossless JSON.
    assert_eq!(
        lossless::to_vec(decoded).unwrap(),
        lossless::to_vec(original).unwrap()
    );
}

fn mui_view() -> SharedView {
    SharedView::of(vec![test_reports::mui("SmolLM2-135M-Instruct", 20, 1)])
}

fn ais_view() -> SharedView {
    SharedView::of(vec![test_reports::ais(
        "SmolLM2-135M-Instruct",
        &[1e-3],
        20,
        2,
    )])
}

fn lpp_view() -> SharedView {
    SharedView::of(vec![test_reports::lpp("SmolLM2-135M-Instruct", 3)])
}

#[test]
fn each_metric_round_trips_bit_for_bit() {
    for view in [mui_view(), ais_view(), lpp_view()] {
        let fragment = encode(&view).unwrap();
        assert!(fragment.starts_with("ms1."), "{}", &fragment[..10]);
        assert!(fragment.len() <= LINK_BUDGET_BYTES);
        assert_same(&decode(&fragment).unwrap(), &view);
        // NaN-free reports compare equal as plain values too.
        if view.reports.iter().all(|r| r.lpp().is_none()) {
            assert_eq!(decode(&fragment).unwrap(), view);
        }
    }
}

#[test]
fn nan_infinity_and_negative_zero_survive() {
    let mut view = lpp_view();
    let crate::MetricReport::Lpp(run) = &mut view.reports[0].metric else {
        panic!("an LPP report");
    };
    let text = run.text.as_mut().unwrap();
    text.hidden_norm[1] = f64::INFINITY;
    text.hidden_norm[2] = f64::NEG_INFINITY;
    text.hidden_norm[3] = -0.0;
    text.hidden_norm[4] = f64::from_bits(0xfff8_0000_0000_0000); // what 0.0 / 0.0 gives on x86
    text.hidden_norm[5] = 5e-324;
    let decoded = decode(&encode(&view).unwrap()).unwrap();
    assert_same(&decoded, &view);
    let back = decoded.reports[0].lpp().unwrap().text.as_ref().unwrap();
    assert!(back.massive_activation_ratio[0].is_nan());
    assert_eq!(back.hidden_norm[3].to_bits(), (-0.0f64).to_bits());
}

#[test]
fn several_reports_and_the_view_state_round_trip() {
    let mut view = SharedView::of(vec![
        test_reports::lpp("SmolLM2-135M-Instruct", 3),
        test_reports::lpp("Qwen2.5-0.5B-Instruct", 4),
        test_reports::mui("SmolLM2-135M-Instruct", 5, 5),
    ]);
    view.view = ViewState {
        chart: Some("lpp-depth-drift".into()),
        show_table: true,
        report: 1,
        options: BTreeMap::from([(
            "lpp-radar".to_string(),
            serde_json::json!({"runs": [0, 1], "scale": 0.5, "label": "\u{0}odd"})
                .as_object()
                .cloned()
                .unwrap(),
        )]),
    };
    let decoded = decode(&encode(&view).unwrap()).unwrap();
    assert_same(&decoded, &view);
    assert_eq!(
        decoded.report_in_front().map(|r| r.model.id.as_str()),
        Some("Qwen2.5-0.5B-Instruct")
    );
}

#[test]
fn a_link_without_view_state_or_with_unknown_fields_reads() {
    let old = decode(&link_of(br#"{"reports":[]}"#)).unwrap();
    assert_eq!(old, SharedView::of(Vec::new()));
    let newer = decode(&link_of(
        br#"{"reports":[],"view":{"chart":"x","zoom":3},"later":1}"#,
    ))
    .unwrap();
    assert_eq!(newer.view.chart.as_deref(), Some("x"));
    // An index from a link is not trusted.
    let mut view = mui_view();
    view.view.report = 7;
    assert!(view.report_in_front().is_some());
    assert!(SharedView::of(Vec::new()).report_in_front().is_none());
}

fn short_link() -> String {
    let mut view = SharedView::of(Vec::new());
    view.view.chart = Some("ais-radar".into());
    encode(&view).unwrap()
}

fn is_damaged_or_foreign(result: &Result<SharedView, ShareError>) -> bool {
    matches!(
        result,
        Err(ShareError::Damaged { .. } | ShareError::Foreign)
    )
}

#[test]
fn a_truncated_link_is_damaged_or_foreign() {
    let long = encode(&mui_view()).unwrap();
    for link in [short_link(), long] {
        let step = (link.len() / 300).max(1);
        for cut in (0..link.len()).step_by(step) {
            let result = decode(&link[..cut]);
            assert!(is_damaged_or_foreign(&result), "cut at {cut}: {result:?}");
        }
    }
}

/// A changed character either breaks the link or changes nothing that is read: a
/// padding bit of a deflate block, or the case of nothing at all. What the link shows
/// is never different from what was sent.
#[test]
fn a_changed_character_anywhere_is_noticed() {
    let link = short_link();
    let original = decode(&link).unwrap();
    let format_digit = MAGIC.len();
    for position in 0..link.len() {
        for mask in [0x01u8, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40] {
            let mut bytes = link.clone().into_bytes();
            bytes[position] ^= mask;
            let changed = String::from_utf8(bytes).unwrap();
            let result = decode(&changed);
            let newer_format = position == format_digit
                && matches!(
                    result,
                    Err(ShareError::NewerVersion {
                        what: Versioned::LinkFormat,
                        ..
                    })
                );
            let unchanged = result.as_ref().is_ok_and(|view| *view == original);
            assert!(
                is_damaged_or_foreign(&result) || newer_format || unchanged,
                "{changed:?} (byte {position} ^ {mask:#x}): {result:?}"
            );
        }
    }
}

#[test]
fn a_changed_character_in_a_real_report_link_is_noticed() {
    let view = mui_view();
    let link = encode(&view).unwrap();
    let step = (link.len() / 300).max(1);
    for position in (MAGIC.len() + 2..link.len()).step_by(step) {
        let mut bytes = link.clone().into_bytes();
        bytes[position] ^= 0x04;
        let result = decode(&String::from_utf8(bytes).unwrap());
        let unchanged = result.as_ref().is_ok_and(|back| *back == view);
        assert!(
            is_damaged_or_foreign(&result) || unchanged,
            "byte {position}: {result:?}"
        );
    }
}

#[test]
fn newer_formats_and_schemas_say_so() {
    let error = decode("#ms3.eJwDAAAAAAE").unwrap_err();
    assert_eq!(
        error,
        ShareError::NewerVersion {
            what: Versioned::LinkFormat,
            found: 3,
            supported: 1
        }
    );
    assert_eq!(
        error.to_string(),
        "this link was made by a newer MechScope (format 3); this page reads up to format 1: \
         open it with the newer version, or ask for the report file"
    );

    let mut view = mui_view();
    view.reports[0].schema_version = SCHEMA_VERSION + 1;
    let error = decode(&encode(&view).unwrap()).unwrap_err();
    assert_eq!(
        error,
        ShareError::NewerVersion {
            what: Versioned::ReportSchema,
            found: SCHEMA_VERSION + 1,
            supported: SCHEMA_VERSION
        }
    );
    assert!(error.to_string().contains("(report schema 2)"), "{error}");
}

#[test]
fn foreign_fragments_are_not_ours() {
    for fragment in [
        "",
        "#",
        "#top",
        "section-2",
        "https://example.com/#ms1.eJw",
        "ms",
        "ms1",
        "#ms1",
        "MS1.eJw",
        "msx.eJw",
        "ms-1.eJw",
        "ms1a.eJw",
        "ms99999999999.eJw",
        "access_token=abc&state=xyz",
    ] {
        assert_eq!(decode(fragment), Err(ShareError::Foreign), "{fragment:?}");
    }
    assert!(matches!(decode("ms0.eJw"), Err(ShareError::Damaged { .. })));
}

#[test]
fn damage_messages_say_what_broke() {
    let not_base64 = decode("ms1.eJw*").unwrap_err().to_string();
    assert!(not_base64.contains("not base64url"), "{not_base64}");
    let link = short_link();
    let cut = decode(&link[..link.len() - 4]).unwrap_err().to_string();
    assert!(
        cut.contains("ends early") || cut.contains("invalid"),
        "{cut}"
    );
    let wrong_json = decode(&link_of(br#"{"reports":3}"#))
        .unwrap_err()
        .to_string();
    assert!(wrong_json.contains("not a MechScope view"), "{wrong_json}");
    assert!(wrong_json.contains("copy it again"), "{wrong_json}");
}

#[test]
fn padding_and_surrounding_space_are_accepted() {
    let link = short_link();
    let padded = format!("  #{link}{}\n", "=".repeat((4 - link.len() % 4) % 4));
    assert!(decode(&padded).is_ok(), "{padded:?}");
}

#[test]
fn a_ten_megabyte_fragment_is_refused_by_its_length() {
    let huge = format!("#ms1.{}", "A".repeat(10_000_000));
    assert_eq!(
        decode(&huge),
        Err(ShareError::LinkTooLong {
            bytes: huge.len(),
            limit: MAX_LINK_BYTES
        })
    );
}

#[test]
fn a_decompression_bomb_stops_at_the_cap() {
    // Whitespace is valid JSON padding and deflates ~1000:1.
    let mut json = b"{\"reports\":[]".to_vec();
    json.extend(std::iter::repeat_n(b' ', MAX_CONTENT_BYTES + 1));
    json.push(b'}');
    let link = link_of(&json);
    assert!(link.len() < MAX_LINK_BYTES);
    assert_eq!(
        decode(&link),
        Err(ShareError::ContentTooLarge {
            limit: MAX_CONTENT_BYTES
        })
    );
}

/// `[[[...]]]`, `depth` deep.
fn nested(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

#[test]
fn deep_nesting_inside_a_valid_envelope_is_damaged() {
    let report = serde_json::to_string(&test_reports::mui("m", 1, 9)).unwrap();
    let envelopes: [fn(&str, &str) -> String; 2] = [
        // In a chart's options (a serde_json::Value).
        |deep: &str, _: &str| {
            format!(r#"{{"reports":[],"view":{{"options":{{"x":{{"y":{deep}}}}}}}}}"#)
        },
        // In a report, where serde buffers the metric's section (flatten).
        |deep: &str, report: &str| {
            let nested = report.replacen('{', &format!(r#"{{"later":{deep},"#), 1);
            format!(r#"{{"reports":[{nested}]}}"#)
        },
    ];
    for envelope in envelopes {
        // The same envelope, shallow, reads: only the depth is wrong.
        assert!(decode(&link_of(envelope(&nested(10), &report).as_bytes())).is_ok());
        let result = decode(&link_of(envelope(&nested(100_000), &report).as_bytes()));
        match result {
            Err(ShareError::Damaged { reason }) => {
                assert!(reason.contains("recursion limit"), "{reason}")
            }
            other => panic!("expected Damaged, got {other:?}"),
        }
    }
    // A field no one reads is skipped by serde_json without recursing (it keeps no
    // stack for it), so it is no danger and the view reads.
    let skipped = format!(r#"{{"reports":[],"later":{}}}"#, nested(100_000));
    assert_eq!(
        decode(&link_of(skipped.as_bytes())),
        Ok(SharedView::of(Vec::new()))
    );
}

#[test]
fn nesting_just_within_the_limit_reads_without_exhausting_the_stack() {
    // Unknown fields of a report's metric section are buffered by serde (flatten), the
    // deepest path through the lossless reader.
    let report = serde_json::to_string(&test_reports::mui("m", 1, 9)).unwrap();
    let nested = report.replacen('{', &format!(r#"{{"later":{},"#, nested(120)), 1);
    let json = format!(r#"{{"reports":[{nested}]}}"#);
    let view = decode(&link_of(json.as_bytes())).unwrap();
    assert_eq!(view.reports[0], test_reports::mui("m", 1, 9));
}

#[test]
fn the_budget_refuses_a_view_too_large_for_a_link() {
    let view = SharedView::of(vec![test_reports::mui("SmolLM2-135M-Instruct", 400, 1)]);
    match encode(&view) {
        Err(ShareError::TooLargeForLink { bytes, limit }) => {
            assert_eq!(limit, LINK_BUDGET_BYTES);
            assert!(bytes > limit);
        }
        other => panic!("expected TooLargeForLink, got {other:?}"),
    }
}

/// Not a check: the sizes quoted in the docs and the hand-off, printed with
/// `cargo nextest run -p mechscope-report link_sizes --no-capture`.
#[test]
fn link_sizes() {
    let views = [
        ("MUI, 20 samples", mui_view()),
        (
            "MUI, 100 samples",
            SharedView::of(vec![test_reports::mui("SmolLM2-135M-Instruct", 100, 1)]),
        ),
        ("AIS, one budget, 4 x 20 items", ais_view()),
        (
            "AIS, sweep of 3 budgets, 4 x 50 items",
            SharedView::of(vec![test_reports::ais(
                "SmolLM2-135M-Instruct",
                &[1e-4, 1e-3, 1e-2],
                50,
                2,
            )]),
        ),
        ("LPP, all probes", lpp_view()),
        (
            "LPP, 3 runs compared",
            SharedView::of(
                (0..3)
                    .map(|i| test_reports::lpp("SmolLM2-135M-Instruct", i))
                    .collect(),
            ),
        ),
    ];
    for (name, view) in views {
        let json = lossless::to_vec(&view).unwrap();
        let compressed = miniz_oxide::deflate::compress_to_vec_zlib(&json, COMPRESSION_LEVEL);
        let link = encode(&view)
            .map(|l| l.len().to_string())
            .unwrap_or_else(|e| e.to_string());
        eprintln!(
            "{name}: JSON {} B, deflated {} B ({:.1}x), link {link}",
            json.len(),
            compressed.len(),
            json.len() as f64 / compressed.len() as f64
        );
    }
}

/// The share_link fuzz target's committed seeds are what they claim: views and links
/// this version reads (the fuzzer starts from inside the format, not from noise).
#[test]
fn the_fuzz_seeds_decode() {
    let dir = crate::test_reports::fuzz_seeds("share_link");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let (mode, rest) = bytes.split_first().unwrap();
        let link = match mode {
            b'0' => String::from_utf8(rest.to_vec()).unwrap(),
            b'1' => link_of(rest),
            other => panic!("{}: mode {other}", path.display()),
        };
        let view = decode(&link).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(view.reports.len(), 1, "{}", path.display());
        seen += 1;
    }
    assert_eq!(seen, 6, "three views and three links");
}
