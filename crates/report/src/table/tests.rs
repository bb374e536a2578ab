use super::*;
use crate::test_reports::{self, D_FF, N_LAYERS, Values};

/// Reads `csv` with the csv crate (an independent RFC 4180 reader) and checks it holds
/// exactly `table`: the headers, every text, every number to the bit (NaN as NaN).
fn assert_csv_reads_back(table: &Table) {
    let csv = table.to_csv();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(csv.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let expected: Vec<String> = table
        .columns
        .iter()
        .map(|c| unguarded(&c.header()))
        .collect();
    assert_eq!(headers, expected, "{}", table.title);
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), table.rows.len(), "{}", table.title);
    for (record, row) in records.iter().zip(&table.rows) {
        assert_eq!(record.len(), row.len(), "{}", table.title);
        for (field, cell) in record.iter().zip(row) {
            match cell {
                Cell::Text(text) => assert_eq!(field, unguarded(text)),
                Cell::Number(value) => {
                    let back: f64 = field.parse().unwrap();
                    assert!(
                        back.to_bits() == value.to_bits() || (back.is_nan() && value.is_nan()),
                        "{field} read back as {back:?}, not {value:?}"
                    );
                }
                Cell::Empty => assert_eq!(field, ""),
            }
        }
    }
}

/// The CSV form of a text: with the formula guard where one applies.
fn unguarded(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

fn every_table(reports: &[Report]) -> Vec<Table> {
    let mut tables: Vec<Table> = reports.iter().filter_map(mui_layers).collect();
    tables.push(utility_law(&law_points(reports)));
    tables.extend(reports.iter().flat_map(ais_profiles));
    tables.extend(reports.iter().flat_map(ais_similarity));
    tables.push(lpp_profile(reports));
    tables.extend(lpp_depth_curves(reports));
    tables
}

#[test]
fn every_table_of_every_metric_reads_back_from_its_csv() {
    let reports = vec![
        test_reports::mui("SmolLM2-135M-Instruct", 20, 1),
        test_reports::mui("Qwen2.5-0.5B-Instruct", 20, 2),
        test_reports::ais("SmolLM2-135M-Instruct", &[1e-4, 1e-3], 20, 3),
        test_reports::lpp("SmolLM2-135M-Instruct", 4),
        test_reports::lpp("SmolLM2-135M-Instruct", 5),
    ];
    let tables = every_table(&reports);
    assert_eq!(tables.len(), 2 + 1 + 2 + 2 + 1 + DEPTH_METRICS.len());
    for table in &tables {
        assert!(
            table.rows.iter().all(|r| r.len() == table.columns.len()),
            "{}",
            table.title
        );
        assert_csv_reads_back(table);
    }
}

#[test]
fn names_with_commas_quotes_and_newlines_are_quoted() {
    let awkward = [
        "Smol, \"LM\" 2\nInstruct",
        "tab\there",
        "carriage\r\nreturn",
        "=HYPERLINK(\"https://example.com\")",
        "-1 shot, +2",
        "@mention",
    ];
    let points: Vec<LawPoint> = awkward
        .iter()
        .enumerate()
        .map(|(i, label)| LawPoint {
            label: label.to_string(),
            performance_pct: 10.0 * (i + 1) as f64,
            mui_pct: 1.0 + i as f64 * 0.1,
        })
        .collect();
    let table = utility_law(&points);
    assert_csv_reads_back(&table);
    let csv = table.to_csv();
    assert!(csv.contains("\"Smol, \"\"LM\"\" 2\nInstruct\""), "{csv}");
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"https://example.com\"\")\""),
        "{csv}"
    );

    // Run labels become column names in the depth tables.
    let reports: Vec<Report> = awkward
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let mut report = test_reports::lpp("m", i as u64);
            report.model.id = id.to_string();
            report
        })
        .collect();
    for table in lpp_depth_curves(&reports)
        .iter()
        .chain([&lpp_profile(&reports)])
    {
        assert_csv_reads_back(table);
    }
}

#[test]
fn numbers_read_back_exactly() {
    let mut v = Values::new(7);
    let mut values = vec![
        0.0,
        -0.0,
        0.1,
        12.0,
        -3.5,
        1e-5,
        9.999_999_999_999_999e-6,
        1e16,
        9_999_999_999_999_998.0,
        f64::MAX,
        f64::MIN_POSITIVE,
        5e-324,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ];
    // Every exponent, full mantissas.
    values.extend(
        (0..4000)
            .map(|_| f64::from_bits(v.unit().to_bits() ^ ((v.below(1 << 20) as u64) << 43)))
            .filter(|x| x.is_finite()),
    );
    for value in values {
        let text = number_text(value);
        let back: f64 = text.parse().unwrap();
        assert_eq!(back.to_bits(), value.to_bits(), "{value:?} written {text}");
    }
    assert_eq!(number_text(12.0), "12");
    assert_eq!(number_text(0.25), "0.25");
    assert_eq!(number_text(1e-7), "1e-7");
    assert_eq!(number_text(1.5e300), "1.5e300");
    assert_eq!(number_text(f64::NAN), "NaN");
    assert_eq!(number_text(f64::NEG_INFINITY), "-inf");
}

#[test]
fn mui_layers_are_the_bars_and_the_overall_line() {
    let report = test_reports::mui("SmolLM2-135M-Instruct", 20, 1);
    let run = report.mui().unwrap();
    let table = mui_layers(&report).unwrap();
    assert_eq!(table.rows.len(), N_LAYERS + 1);
    for (layer, row) in table.rows.iter().take(N_LAYERS).enumerate() {
        let used = run.result.union_per_layer[layer];
        assert_eq!(
            row,
            &vec![
                Cell::Number(layer as f64),
                Cell::Number(used as f64),
                Cell::Number(D_FF as f64),
                Cell::Number(used as f64 / D_FF as f64 * 100.0),
            ]
        );
    }
    assert_eq!(table.rows[N_LAYERS][0], Cell::text("all layers"));
    assert_eq!(
        table.rows[N_LAYERS][3],
        Cell::Number(run.result.mui * 100.0)
    );
    assert!(table.title.contains("SmolLM2-135M-Instruct · arc_easy"));
    assert!(mui_layers(&test_reports::lpp("m", 1)).is_none());
}

#[test]
fn the_utility_law_table_fits_and_flags_like_the_chart() {
    // Eight points on MUI = -4 ln P + 30, P = 30 far below, and one the chart cannot plot.
    let mut points: Vec<LawPoint> = [5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 60.0, 80.0]
        .iter()
        .map(|&p: &f64| LawPoint {
            label: format!("P {p}"),
            performance_pct: p,
            mui_pct: -4.0 * p.ln() + 30.0,
        })
        .collect();
    points[4].mui_pct -= 6.0;
    points.insert(
        2,
        LawPoint {
            label: "unscored".into(),
            performance_pct: 0.0,
            mui_pct: 3.0,
        },
    );
    let table = utility_law(&points);
    let plotted: Vec<LawPoint> = points
        .iter()
        .filter(|p| p.performance_pct > 0.0)
        .cloned()
        .collect();
    let fit = fit_utility_law(&plotted).unwrap();
    assert_eq!(contamination_hints(&fit), vec![4]);
    assert!(
        table.title.contains(&format!("R² = {:.3}", fit.r2)),
        "{}",
        table.title
    );
    let column = |name: &str| table.columns.iter().position(|c| c.name == name).unwrap();
    let (plotted_at, hint_at, residual_at) = (
        column("plotted"),
        column("contamination hint"),
        column("residual"),
    );
    assert_eq!(table.rows[2][plotted_at], Cell::text("no"));
    assert_eq!(table.rows[2][residual_at], Cell::Empty);
    let flagged: Vec<&Cell> = table
        .rows
        .iter()
        .filter(|r| r[hint_at] == Cell::text("yes"))
        .map(|r| &r[0])
        .collect();
    assert_eq!(flagged, vec![&Cell::text("P 30")]);
    // Row 5 is plotted point 4: the residual is the fit's, not recomputed.
    assert_eq!(table.rows[5][residual_at], Cell::Number(fit.residuals[4]));
}

#[test]
fn law_points_come_from_scored_mui_reports() {
    let reports = vec![
        test_reports::mui("a", 10, 1),
        test_reports::lpp("b", 2),
        test_reports::mui("c", 10, 3),
    ];
    let points = law_points(&reports);
    assert_eq!(points.len(), 2);
    assert_eq!(points[1].label, "c · arc_easy");
    let run = reports[2].mui().unwrap();
    assert_eq!(points[1].mui_pct, run.result.mui * 100.0);
}

#[test]
fn ais_tables_have_one_per_budget_and_leave_undefined_values_empty() {
    let report = test_reports::ais("SmolLM2-135M-Instruct", &[1e-4, 1e-3, 1e-2], 20, 3);
    let profiles = ais_profiles(&report);
    assert_eq!(profiles.len(), 3);
    let run = &report.ais().unwrap().runs[1];
    assert!(profiles[1].title.starts_with("AIS at k = 0.001"));
    assert_eq!(profiles[1].columns.len(), 4 + test_reports::ABILITIES.len());
    assert_eq!(profiles[1].rows.len(), run.benchmarks.len());
    let matrix = run.ais_matrix();
    for (row, values) in profiles[1].rows.iter().zip(&matrix) {
        let cells: Vec<Cell> = values.iter().map(|v| Cell::maybe(*v)).collect();
        assert_eq!(&row[4..], cells.as_slice());
    }
    // The benchmark at chance: every AIS undefined.
    assert!(profiles[1].rows[3][4..].iter().all(|c| *c == Cell::Empty));
    let similarity = ais_similarity(&report);
    assert_eq!(similarity.len(), 3);
    assert_eq!(similarity[0].rows.len(), 4);
    assert_eq!(similarity[0].rows[0][1], Cell::Number(1.0));
    assert_eq!(similarity[0].rows[3][1], Cell::Empty);
}

#[test]
fn lpp_tables_cover_every_run_axis_and_depth() {
    let reports = vec![
        test_reports::lpp("SmolLM2-135M-Instruct", 1),
        test_reports::lpp("SmolLM2-135M-Instruct", 2),
        test_reports::mui("other", 3, 3),
    ];
    let profile = lpp_profile(&reports);
    let n_axes = reports[0].lpp().unwrap().profile.len();
    assert_eq!(profile.rows.len(), 2 * n_axes);
    assert_eq!(
        profile.rows[n_axes][0],
        Cell::text("SmolLM2-135M-Instruct (run 2)")
    );
    let first = &reports[0].lpp().unwrap().profile[0];
    assert_eq!(profile.rows[0][2], Cell::Number(first.value));
    assert_eq!(profile.rows[0][6], Cell::Number(first.normalised));

    let curves = lpp_depth_curves(&reports);
    assert_eq!(curves.len(), DEPTH_METRICS.len());
    let drift = &curves[1];
    assert!(drift.title.starts_with("Layer drift"));
    assert_eq!(drift.columns.len(), 3);
    assert_eq!(
        drift.rows.len(),
        mechscope_metrics::lpp::depth::grid().len()
    );
    let on_depth = &reports[1].lpp().unwrap().text.as_ref().unwrap().on_depth;
    assert_eq!(drift.rows[20][2], Cell::Number(on_depth.layer_drift[20]));
    assert_eq!(drift.rows[20][0], Cell::Number(1.0));
    assert!(lpp_depth_curves(&[]).iter().all(|t| t.rows.is_empty()));
}
