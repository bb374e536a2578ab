//! Bad input: a bad row costs only that row and its error names the row and the field;
//! a file that cannot be read gives an error, never a panic; random bytes never panic.

mod common;

use std::io::Write;

use mechscope_tasks::hub::parse_rows_response;
use mechscope_tasks::readers::{self, ChoiceFields, FieldMapping, Format, Layout, NAMES};
use mechscope_tasks::rng::SplitMix64;
use mechscope_tasks::{Location, ReadError, RowProblem, TaskSpec, prompt, score};

fn foundry() -> Format {
    Format::from_name("llm-foundry").unwrap()
}

#[test]
fn jsonl_row_missing_gold() {
    let file = br#"{"query": "Q1", "choices": ["a", "b"], "gold": 1}
{"query": "Q2", "choices": ["a", "b"]}
{"query": "Q3", "choices": ["a", "b"], "gold": 0}
"#;
    let loaded = readers::read(&foundry(), file).unwrap();
    assert_eq!(loaded.items.len(), 2);
    assert_eq!(loaded.items[1].query, "Q3");
    assert_eq!(loaded.items[1].index, 2);
    assert_eq!(loaded.errors.len(), 1);
    let error = &loaded.errors[0];
    assert_eq!(error.location, Location::Line(2));
    assert_eq!(error.field(), Some("gold"));
    assert_eq!(error.to_string(), "line 2: missing field `gold`");
}

#[test]
fn jsonl_bad_json_on_one_line_and_blank_lines_skipped() {
    let file = b"\xEF\xBB\xBF{\"query\": \"Q1\", \"choices\": [\"a\", \"b\"], \"gold\": 1}\r\n\n{\"query\": \"Q2\", \"choi\n{\"query\": \"Q3\", \"choices\": [\"a\", \"b\"], \"gold\": 0}\n[1, 2]\n";
    let loaded = readers::read(&foundry(), file).unwrap();
    assert_eq!(loaded.items.len(), 2);
    assert_eq!(loaded.errors.len(), 2);
    assert_eq!(loaded.errors[0].location, Location::Line(3));
    assert!(matches!(loaded.errors[0].problem, RowProblem::BadJson(_)));
    assert!(
        loaded.errors[0]
            .to_string()
            .starts_with("line 3: not valid JSON (")
    );
    assert_eq!(loaded.errors[1].location, Location::Line(5));
    assert_eq!(loaded.errors[1].problem, RowProblem::NotAnObject);
}

#[test]
fn gold_out_of_range_and_wrong_types() {
    let file = br#"{"query": "Q1", "choices": ["a", "b"], "gold": 2}
{"query": "Q2", "choices": ["a", "b"], "gold": -1}
{"query": "Q3", "choices": "a, b", "gold": 0}
{"query": 7, "choices": ["a", "b"], "gold": 0}
{"query": "Q5", "choices": ["only"], "gold": 0}
{"query": "Q6", "choices": ["a", "b"], "gold": 1}
"#;
    let loaded = readers::read(&foundry(), file).unwrap();
    assert_eq!(loaded.items.len(), 1);
    let shown: Vec<String> = loaded.errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        [
            "line 1: field `gold`: gold index 2 is out of range for 2 choices",
            "line 2: field `gold`: gold index -1 is out of range for 2 choices",
            "line 3: field `choices` should be an array of strings",
            "line 4: field `query` should be a string",
            "line 5: field `choices`: 1 choices (an item needs 2 to 26)",
        ]
    );
}

#[test]
fn winogrande_and_commonsense_qa_rows() {
    let winogrande = br#"{"context_options": ["a x", "a y"], "continuation": "z", "gold": 5}
{"context_options": ["a x", "a y"], "gold": 0}
{"context_options": ["a x", "a y"], "continuation": "z", "gold": 0}
"#;
    let loaded = readers::read(&Format::from_name("winogrande").unwrap(), winogrande).unwrap();
    assert_eq!(loaded.items.len(), 1);
    assert_eq!(loaded.errors[0].field(), Some("gold"));
    assert_eq!(
        loaded.errors[1].to_string(),
        "line 2: missing field `continuation`"
    );

    let csqa = br#"{"answerKey": "Z", "question": {"stem": "s", "choices": [{"label": "A", "text": "x"}, {"label": "B", "text": "y"}]}}
{"answerKey": "A", "question": {"choices": []}}
{"answerKey": "B", "question": {"stem": "s", "choices": [{"label": "A", "text": "x"}, {"label": "B", "text": "y"}]}}
"#;
    let loaded = readers::read(&Format::from_name("csqa").unwrap(), csqa).unwrap();
    assert_eq!(loaded.items.len(), 1);
    assert_eq!(loaded.items[0].gold_index(), Some(1));
    assert_eq!(
        loaded.errors[0].to_string(),
        "line 1: field `answerKey`: answer \"Z\" matches no choice"
    );
    assert_eq!(
        loaded.errors[1].to_string(),
        "line 2: missing field `question.stem`"
    );
}

#[test]
fn gsm8k_without_final_answer() {
    let file = br#"{"question": "q", "answer": "no marker"}
{"question": "q", "answer": "x\n#### 1,000"}
"#;
    let loaded = readers::read(&Format::from_name("gsm8k").unwrap(), file).unwrap();
    assert_eq!(loaded.items[0].gold_text(), Some("1000"));
    assert_eq!(
        loaded.errors[0].to_string(),
        "line 1: field `answer` has no final answer after \"#### \""
    );
}

#[test]
fn csv_row_with_too_few_columns() {
    let file = b"question,choice0,choice1,choice2,choice3,answer\nq1,a,b,c,d,0\nq2,a,b\n\"q3, quoted\",a,b,c,d,D\n";
    let loaded = readers::read(&Format::MmluCsv, file).unwrap();
    assert_eq!(loaded.items.len(), 2);
    assert_eq!(loaded.items[1].query, "q3, quoted");
    assert_eq!(loaded.items[1].gold_index(), Some(3));
    assert_eq!(loaded.errors.len(), 1);
    assert_eq!(loaded.errors[0].location, Location::Line(3));
    assert_eq!(loaded.errors[0].field(), Some("choice2"));

    // A generic CSV names the mapped column that is missing.
    let mapping = FieldMapping {
        question: "q".into(),
        choices: ChoiceFields::Columns(vec!["c1".into(), "c2".into()]),
        answer: "gold".into(),
        ..FieldMapping::default()
    };
    let generic = b"q,c1,c2,gold\nA?,x,y,y\nB?,x\nC?,x,y,1\n";
    let loaded = readers::read(&Format::Csv(mapping), generic).unwrap();
    assert_eq!(loaded.items.len(), 2);
    assert_eq!(loaded.items[1].gold_index(), Some(1));
    assert_eq!(loaded.errors[0].to_string(), "line 3: missing field `c2`");
}

#[test]
fn generic_jsonl_mapping() {
    let mapping = FieldMapping {
        question: "prompt.text".into(),
        choices: ChoiceFields::List("options".into()),
        answer: "label".into(),
        context: Some("passage".into()),
        ..FieldMapping::default()
    };
    let file = br#"{"prompt": {"text": "Q1"}, "options": ["x", "y"], "label": "B", "passage": "P"}
{"prompt": {"text": "Q2"}, "options": ["x", "y"], "label": "y"}
{"prompt": {"text": "Q3"}, "options": ["x", "y"], "label": 0, "passage": "P"}
"#;
    let loaded = readers::read(&Format::Jsonl(Layout::Generic(mapping)), file).unwrap();
    assert_eq!(loaded.items.len(), 2);
    assert_eq!(loaded.items[0].gold_index(), Some(1));
    assert_eq!(loaded.items[0].context.as_deref(), Some("P"));
    assert_eq!(
        prompt::user_message(&loaded.items[0]).lines().next(),
        Some("P")
    );
    assert_eq!(
        loaded.errors[0].to_string(),
        "line 2: missing field `passage`"
    );

    let generative = FieldMapping {
        choices: ChoiceFields::None,
        ..FieldMapping::default()
    };
    let loaded = readers::read(
        &Format::Jsonl(Layout::Generic(generative)),
        br#"{"question": "2+2?", "answer": 4}"#,
    )
    .unwrap();
    assert_eq!(loaded.items[0].gold_text(), Some("4"));
    assert!(score::score(&loaded.items[0], " 4 ").correct);
}

fn bzip2_of(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::best());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

const HELLASWAG_TEXT: &str =
    "Ctx one. he\n2\nend a\nend b\nend c\nend d\nCtx two\n7\ne\nf\ng\nh\nCtx three\n0\nonly two\n";

#[test]
fn hellaswag_bad_items_and_damaged_bzip2() {
    let plain = readers::read(&Format::HellaSwagText, HELLASWAG_TEXT.as_bytes()).unwrap();
    let compressed = bzip2_of(HELLASWAG_TEXT.as_bytes());
    let from_bz2 = readers::read(&Format::HellaSwagText, &compressed).unwrap();
    assert_eq!(plain, from_bz2);
    assert_eq!(plain.items.len(), 1);
    assert_eq!(plain.items[0].gold_index(), Some(2));
    let shown: Vec<String> = plain.errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        [
            "line 7: field `gold`: gold index 7 is out of range for 4 choices",
            "line 13: incomplete item: 3 of 6 lines; field `ending1` is missing",
        ]
    );

    // Cut short at every length: an error or fewer items, never a panic.
    for cut in 0..compressed.len() {
        match readers::read(&Format::HellaSwagText, &compressed[..cut]) {
            Err(ReadError::Bzip2(_)) => {}
            Ok(loaded) => assert!(cut < 4, "cut at {cut} read {} items", loaded.items.len()),
            Err(other) => panic!("cut at {cut}: {other}"),
        }
    }
    // A bzip2 header followed by garbage.
    let garbage = b"BZh91AY&SY this is not a compressed block at all";
    assert!(matches!(
        readers::read(&Format::HellaSwagText, garbage),
        Err(ReadError::Bzip2(_))
    ));
}

#[test]
fn real_hellaswag_cut_short_is_an_error() {
    let Some(shared) = common::shared_dir("real_hellaswag_cut_short_is_an_error") else {
        return;
    };
    let bytes = common::benchmark_bytes(&shared, "hellaswag_val.txt.bz2");
    let error = readers::read(&Format::HellaSwagText, &bytes[..bytes.len() / 2]).unwrap_err();
    assert!(matches!(error, ReadError::Bzip2(_)), "{error}");
    assert!(
        error.to_string().contains("damaged or cut short"),
        "{error}"
    );
}

#[test]
fn bbh_documents() {
    let file = br#"{"examples": [{"input": "a", "target": "b"}, {"input": "c"}, {"input": "d", "target": 12}]}"#;
    let loaded = readers::read(&Format::BbhJson, file).unwrap();
    assert_eq!(loaded.items.len(), 2);
    assert_eq!(loaded.items[1].gold_text(), Some("12"));
    assert_eq!(
        loaded.errors[0].to_string(),
        "example 2: missing field `target`"
    );
    assert_eq!(
        readers::read(&Format::BbhJson, br#"{"canary": "x"}"#),
        Err(ReadError::MissingField("examples".into()))
    );
    assert!(matches!(
        readers::read(&Format::BbhJson, b"{\"examples\": ["),
        Err(ReadError::Json(_))
    ));
}

/// Inputs for the no-panic loop: raw random bytes, random text from JSON/CSV-ish
/// alphabets, and valid files with random bytes changed, cut or inserted.
fn random_input(rng: &mut SplitMix64, seeds: &[Vec<u8>]) -> Vec<u8> {
    const ALPHABET: &[u8] =
        b"{}[]\":,.-_#()0123456789 \n\r\tABCDqueryhoicsgldanwr\\\xC3\xA9\xFFBZh";
    let len = rng.index(400);
    match rng.below(3) {
        0 => (0..len).map(|_| rng.next_u64() as u8).collect(),
        1 => (0..len)
            .map(|_| ALPHABET[rng.index(ALPHABET.len())])
            .collect(),
        _ => {
            let mut bytes = seeds[rng.index(seeds.len())].clone();
            for _ in 0..=rng.index(4) {
                if bytes.is_empty() {
                    break;
                }
                let at = rng.index(bytes.len());
                match rng.below(3) {
                    0 => bytes[at] = rng.next_u64() as u8,
                    1 => bytes.truncate(at),
                    _ => bytes.insert(at, ALPHABET[rng.index(ALPHABET.len())]),
                }
            }
            bytes
        }
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut formats: Vec<Format> = NAMES
        .iter()
        .map(|(name, _)| Format::from_name(name).unwrap())
        .collect();
    formats.push(Format::Csv(FieldMapping {
        choices: ChoiceFields::Columns(vec!["a".into(), "b".into()]),
        ..FieldMapping::default()
    }));
    let seeds: Vec<Vec<u8>> = vec![
        br#"{"query": "Q", "choices": ["a", "b"], "gold": 1}"#.to_vec(),
        br#"{"context_options": ["a x", "a y"], "continuation": "z", "gold": 0}"#.to_vec(),
        br#"{"answerKey": "A", "question": {"stem": "s", "choices": [{"label": "A", "text": "x"}]}}"#.to_vec(),
        br#"{"examples": [{"input": "Q\nOptions:\n(A) x\n(B) y", "target": "(A)"}]}"#.to_vec(),
        b"{\"rows\": [{\"row_idx\": 0, \"row\": {\"question\": \"q\", \"answer\": \"#### 1\"}, \"truncated_cells\": []}]}".to_vec(),
        b"question,choice0,choice1,choice2,choice3,answer\n\"q, x\",a,b,c,d,1\n".to_vec(),
        HELLASWAG_TEXT.as_bytes().to_vec(),
        bzip2_of(HELLASWAG_TEXT.as_bytes()),
    ];
    let mut rng = SplitMix64::new(2024);
    for _ in 0..3000 {
        let bytes = random_input(&mut rng, &seeds);
        for format in &formats {
            if let Ok(loaded) = readers::read(format, &bytes) {
                // Whatever loaded must render and score without panicking too.
                for item in &loaded.items {
                    let _ = prompt::user_message(item);
                    let _ = prompt::loglik_requests(item);
                    let _ = prompt::gold_response(item);
                    let _ = score::score(item, &String::from_utf8_lossy(&bytes));
                }
                for error in &loaded.errors {
                    let _ = error.to_string();
                }
            }
        }
        let _ = readers::Format::detect("file.jsonl", &bytes);
        let _ = readers::Format::detect("file.csv", &bytes);
        if let Ok(page) = parse_rows_response(&bytes) {
            let _ = mechscope_tasks::hub::items_from_rows(&page.rows, &Layout::HfArc);
        }
        let text = String::from_utf8_lossy(&bytes);
        let _ = TaskSpec::parse(&text);
        let _ = score::extract_final_number(&text);
        let _ = score::extract_choice_letter(&text, 26);
        let _ = score::normalize_number(&text);
    }
}
