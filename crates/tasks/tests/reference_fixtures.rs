//! Prompts and scoring against the independent reference fixtures in `../shared/fixtures`
//! (PyTorch + transformers runs of SmolLM2-135M-Instruct on ARC-Easy): the user messages
//! must be byte-for-byte the ones the reference model saw, the letter extraction must give
//! the reference's `pred_letter`, and the log-likelihood conventions must match.

mod common;

use common::{benchmark_bytes, fixture, shared_dir};
use mechscope_tasks::readers::{self, Format};
use mechscope_tasks::{Item, prompt, score};
use serde_json::Value;

fn arc_easy(shared: &std::path::Path) -> Vec<Item> {
    let bytes = benchmark_bytes(shared, "arc_easy.jsonl");
    let loaded = readers::read(&Format::from_name("arc_easy").unwrap(), &bytes).unwrap();
    assert!(loaded.errors.is_empty());
    loaded.items
}

#[test]
fn mui_user_messages_and_letters_match_the_reference() {
    let Some(shared) = shared_dir("mui_user_messages_and_letters_match_the_reference") else {
        return;
    };
    let items = arc_easy(&shared);
    let reference = fixture(&shared, "mui_smollm2_arc.json");
    let samples = reference["samples"].as_array().unwrap();
    assert_eq!(samples.len(), 20);
    let mut scored = Vec::new();
    for sample in samples {
        let index = usize::try_from(sample["index"].as_u64().unwrap()).unwrap();
        let item = &items[index];
        assert_eq!(item.query, sample["query"].as_str().unwrap());
        assert_eq!(
            item.gold_index(),
            Some(usize::try_from(sample["gold"].as_u64().unwrap()).unwrap())
        );
        assert_eq!(
            prompt::user_message(item),
            sample["user_message"].as_str().unwrap(),
            "sample {index}"
        );
        let result = score::score(item, sample["response_text"].as_str().unwrap());
        let expected_letter = match &sample["pred_letter"] {
            Value::String(letter) => Some(letter.clone()),
            _ => None,
        };
        assert_eq!(result.extracted, expected_letter, "sample {index}");
        assert_eq!(
            result.correct,
            sample["correct"].as_bool().unwrap(),
            "sample {index}"
        );
        scored.push(result);
    }
    let total = score::accuracy(&scored);
    let results = &reference["results"];
    assert_eq!(total.value(), results["accuracy"].as_f64());
    assert_eq!(Some(total.n_correct as u64), results["n_correct"].as_u64());
    assert_eq!(
        Some(total.n_unanswered as u64),
        results["n_no_letter"].as_u64()
    );
}

#[test]
fn ais_loglik_requests_and_predictions_match_the_reference() {
    let Some(shared) = shared_dir("ais_loglik_requests_and_predictions_match_the_reference") else {
        return;
    };
    let items = arc_easy(&shared);
    let reference = fixture(&shared, "ais_smollm2.json");
    assert_eq!(reference["params"]["arc_context"], "query + '\\nAnswer:'");
    let inputs = reference["arc_inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 100);
    for (item, input) in items.iter().zip(inputs) {
        assert_eq!(
            item.gold_index(),
            input["gold"].as_u64().map(|gold| gold as usize)
        );
        let requests = prompt::loglik_requests(item);
        assert!(
            requests
                .iter()
                .all(|request| request.context == format!("{}\nAnswer:", item.query))
        );
        // acc_norm's divisor: the continuation's characters, leading space included.
        let chars: Vec<u64> = requests
            .iter()
            .map(|request| request.continuation.chars().count() as u64)
            .collect();
        let expected: Vec<u64> = input["continuation_chars"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_u64().unwrap())
            .collect();
        assert_eq!(chars, expected, "item {}", item.index);
    }
    // The recorded argmax predictions score to the recorded accuracies.
    for (run, field, accuracy_field) in [
        ("base", "pred", "acc"),
        ("base", "pred_norm", "acc_norm"),
        ("top_ablated", "pred", "acc"),
    ] {
        let predictions = reference["results"][run][field].as_array().unwrap();
        let scored: Vec<_> = items
            .iter()
            .zip(predictions)
            .map(|(item, pred)| score::score_choice(item, pred.as_u64().unwrap() as usize))
            .collect();
        let expected = reference["results"][run][accuracy_field].as_f64().unwrap();
        let got = score::accuracy(&scored).value().unwrap();
        assert!(
            (got - expected).abs() < 1e-12,
            "{run}.{field}: {got} vs {expected}"
        );
    }
}
