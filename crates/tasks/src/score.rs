//! From a model's response to a score: answer extraction per task rule, and accuracy.
//!
//! The rules are the paper's ("exact match of the extracted answer; for multiple choice
//! the first standalone option letter", `metrics.md` §1) and the MUI fixture's
//! (`\b([ABCD])\b`, first match, on the decoded response). Written without a regex engine:
//! the scanners are short and their word-boundary rule is stated here once.

use serde::{Deserialize, Serialize};

use crate::item::{Item, ItemKind, letter_index, option_letter};

/// The outcome of scoring one response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scored {
    /// The answer found in the response, normalised as compared (`"B"`, `"1234"`,
    /// `"(A)"`); `None` when the response names no answer.
    pub extracted: Option<String>,
    /// Whether the extracted answer equals the gold one.
    pub correct: bool,
}

/// Whether a character counts as part of a word for `\b`: letters and digits of any script
/// and `_`, as Python's `re` treats `\w` on text.
fn is_word_char(ch: char) -> bool {
    ch.is_alphanumeric() || ch == '_'
}

/// The first option letter standing alone in `response` (no word character on either
/// side), among the letters of `n_choices` options: "B. Most ecosystems" → `B`, "The
/// answer is (C)." → `C`; the `A` of "Apple" does not count. Like the reference's
/// `\b([ABCD])\b` but limited to the item's own letters, so "E" is no answer to a
/// four-option question.
pub fn extract_choice_letter(response: &str, n_choices: usize) -> Option<char> {
    let chars: Vec<char> = response.chars().collect();
    chars.iter().enumerate().find_map(|(at, &ch)| {
        let valid =
            ch.is_ascii_uppercase() && letter_index(ch).is_some_and(|index| index < n_choices);
        let before_ok = at == 0 || chars.get(at - 1).is_none_or(|prev| !is_word_char(*prev));
        let after_ok = chars.get(at + 1).is_none_or(|next| !is_word_char(*next));
        (valid && before_ok && after_ok).then_some(ch)
    })
}

/// The first option letter written in parentheses, `(C)`, among `n_choices` letters. BBH
/// targets are written so, and preferring them keeps "I think (C)" from answering `I`
/// when a task has nine or more options.
fn extract_parenthesised_letter(response: &str, n_choices: usize) -> Option<char> {
    let chars: Vec<char> = response.chars().collect();
    chars.windows(3).find_map(|window| match window {
        ['(', letter, ')']
            if letter.is_ascii_uppercase()
                && letter_index(*letter).is_some_and(|index| index < n_choices) =>
        {
            Some(*letter)
        }
        _ => None,
    })
}

/// The last number in `response`, commas removed and normalised (see [`normalize_number`]):
/// "... so 1,234 apples. #### 1234" → `"1234"`, "It costs $-3.50." → `"-3.5"`. A `-`
/// is a sign only when it does not follow a letter or digit ("16-3" is 16 and 3). GSM8K's
/// rule: the answer is the final number of the response.
pub fn extract_final_number(response: &str) -> Option<String> {
    let chars: Vec<char> = response.chars().collect();
    let mut last = None;
    let mut at = 0;
    while at < chars.len() {
        let starts_digit = chars.get(at).is_some_and(char::is_ascii_digit);
        let starts_sign = chars.get(at) == Some(&'-')
            && chars.get(at + 1).is_some_and(char::is_ascii_digit)
            && (at == 0 || chars.get(at - 1).is_none_or(|prev| !prev.is_alphanumeric()));
        if !starts_digit && !starts_sign {
            at += 1;
            continue;
        }
        let mut token = String::new();
        if starts_sign {
            token.push('-');
            at += 1;
        }
        let mut seen_point = false;
        while let Some(&ch) = chars.get(at) {
            let next_is_digit = chars.get(at + 1).is_some_and(char::is_ascii_digit);
            if ch.is_ascii_digit() {
                token.push(ch);
            } else if ch == ',' && next_is_digit && !seen_point {
                // A thousands separator: dropped.
            } else if ch == '.' && next_is_digit && !seen_point {
                seen_point = true;
                token.push(ch);
            } else {
                break;
            }
            at += 1;
        }
        last = Some(token);
    }
    last.and_then(|token| normalize_number(&token))
}

/// A number written canonically so that equal numbers compare equal as text: commas
/// dropped, no leading zeros, no trailing fractional zeros, no `-0` (`"1,234.50"` →
/// `"1234.5"`, `"018"` → `"18"`). `None` when the text is not a plain decimal number.
/// Exact (no floating point), so long integers never collide.
pub fn normalize_number(text: &str) -> Option<String> {
    let cleaned: String = text.trim().chars().filter(|ch| *ch != ',').collect();
    let (negative, digits) = match cleaned.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, cleaned.as_str()),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |part: &str| part.chars().all(|ch| ch.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    let whole = whole.trim_start_matches('0');
    let fraction = fraction.trim_end_matches('0');
    let mut number = if whole.is_empty() {
        "0".to_string()
    } else {
        whole.to_string()
    };
    if !fraction.is_empty() {
        number.push('.');
        number.push_str(fraction);
    }
    if negative && number != "0" {
        number.insert(0, '-');
    }
    Some(number)
}

/// Scores a generated response by the item's rule:
///
/// - items answered by choosing: the first standalone option letter
///   ([`extract_choice_letter`]) against the gold letter;
/// - GSM8K: the final number ([`extract_final_number`]) equal to the gold number;
/// - BBH: the trimmed response equal to the trimmed target; for targets that name an
///   option (`"(A)"`), the option the response names: its exact text, else the first
///   `(X)`, else the first standalone letter.
pub fn score(item: &Item, response: &str) -> Scored {
    match &item.kind {
        ItemKind::MultipleChoice { gold }
        | ItemKind::Completion { gold }
        | ItemKind::Partial { gold, .. } => {
            let letter = extract_choice_letter(response, item.choices.len());
            Scored {
                extracted: letter.map(String::from),
                correct: letter.is_some() && letter == option_letter(*gold),
            }
        }
        ItemKind::FinalNumber { gold, .. } => {
            let extracted = extract_final_number(response);
            let correct = match (&extracted, normalize_number(gold)) {
                (Some(found), Some(expected)) => *found == expected,
                _ => false,
            };
            Scored { extracted, correct }
        }
        ItemKind::ExactMatch { gold } => score_exact(item, gold, response),
    }
}

/// The option letter a BBH-style target names (`"(A)"` → `A`), if it is one.
fn target_letter(gold: &str) -> Option<char> {
    let inner = gold.trim().strip_prefix('(')?.strip_suffix(')')?;
    let mut chars = inner.chars();
    match (chars.next(), chars.next()) {
        (Some(letter), None) if letter.is_ascii_uppercase() => Some(letter),
        _ => None,
    }
}

fn score_exact(item: &Item, gold: &str, response: &str) -> Scored {
    let trimmed = response.trim();
    let Some(gold_letter) = target_letter(gold) else {
        return Scored {
            extracted: (!trimmed.is_empty()).then(|| trimmed.to_string()),
            correct: trimmed == gold.trim(),
        };
    };
    // Without parsed options any letter may be meant; with them, only theirs.
    let n_choices = if item.choices.is_empty() {
        crate::item::MAX_CHOICES
    } else {
        item.choices.len()
    };
    let letter = item
        .choices
        .iter()
        .position(|choice| choice.trim() == trimmed)
        .and_then(option_letter)
        .or_else(|| extract_parenthesised_letter(trimmed, n_choices))
        .or_else(|| extract_choice_letter(trimmed, n_choices));
    Scored {
        extracted: letter.map(|letter| format!("({letter})")),
        correct: letter == Some(gold_letter),
    }
}

/// Scores a choice picked without generating (the argmax of log-likelihood scoring), so
/// both ways of answering give the same [`Scored`] shape.
pub fn score_choice(item: &Item, chosen: usize) -> Scored {
    Scored {
        extracted: option_letter(chosen).map(String::from),
        correct: item.gold_index() == Some(chosen),
    }
}

/// Accuracy over a set of scored responses, with what it rests on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accuracy {
    /// Responses scored.
    pub n_items: usize,
    /// Responses whose answer was correct.
    pub n_correct: usize,
    /// Responses in which no answer could be found (no letter, no number): a high count
    /// says the prompt or the model's format is off, not that the model is wrong.
    pub n_unanswered: usize,
}

impl Accuracy {
    /// The share correct, in [0, 1]; `None` for no items (0/0 is not a score).
    pub fn value(&self) -> Option<f64> {
        (self.n_items > 0).then(|| self.n_correct as f64 / self.n_items as f64)
    }
}

/// Counts correct and unanswered responses.
pub fn accuracy<'a>(scored: impl IntoIterator<Item = &'a Scored>) -> Accuracy {
    scored
        .into_iter()
        .fold(Accuracy::default(), |mut total, one| {
            total.n_items += 1;
            total.n_correct += usize::from(one.correct);
            total.n_unanswered += usize::from(one.extracted.is_none());
            total
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(kind: ItemKind, n_choices: usize) -> Item {
        Item {
            index: 0,
            source_id: None,
            subset: None,
            query: "Q".into(),
            context: None,
            choices: (0..n_choices).map(|i| format!("choice {i}")).collect(),
            kind,
        }
    }

    #[test]
    fn choice_letters_stand_alone() {
        assert_eq!(extract_choice_letter("B. Most ecosystems", 4), Some('B'));
        assert_eq!(extract_choice_letter("The answer is (C).", 4), Some('C'));
        assert_eq!(extract_choice_letter("Apple", 4), None);
        assert_eq!(extract_choice_letter("Apple or Banana: D", 4), Some('D'));
        assert_eq!(extract_choice_letter("CAB", 4), None);
        assert_eq!(extract_choice_letter("x_A", 4), None);
        assert_eq!(extract_choice_letter("éA", 4), None);
        // The item's letters only, and upper case only (as the reference regex).
        assert_eq!(
            extract_choice_letter("E is not an option, C is", 4),
            Some('C')
        );
        assert_eq!(extract_choice_letter("E", 5), Some('E'));
        assert_eq!(extract_choice_letter("answer: b", 4), None);
        assert_eq!(extract_choice_letter("", 4), None);
        assert_eq!(extract_choice_letter("A", 0), None);
    }

    #[test]
    fn final_numbers() {
        assert_eq!(
            extract_final_number("... so 1,234 apples. #### 1234"),
            Some("1234".into())
        );
        assert_eq!(
            extract_final_number("She makes 9 * 2 = $18 every day."),
            Some("18".into())
        );
        assert_eq!(
            extract_final_number("It costs $-3.50."),
            Some("-3.5".into())
        );
        assert_eq!(extract_final_number("16-3-4"), Some("4".into()));
        assert_eq!(
            extract_final_number("from 1, 2 and 3,000,000"),
            Some("3000000".into())
        );
        assert_eq!(extract_final_number("0.25 or .5"), Some("5".into()));
        assert_eq!(extract_final_number("no numbers"), None);
        assert_eq!(normalize_number("018.500"), Some("18.5".into()));
        assert_eq!(normalize_number("-0.0"), Some("0".into()));
        assert_eq!(normalize_number("1,000"), Some("1000".into()));
        assert_eq!(normalize_number("1e5"), None);
        assert_eq!(normalize_number("-"), None);
        assert_eq!(normalize_number("."), None);
    }

    #[test]
    fn scoring_by_kind() {
        let mc = item(ItemKind::MultipleChoice { gold: 1 }, 4);
        assert_eq!(
            score(&mc, "B. choice 1"),
            Scored {
                extracted: Some("B".into()),
                correct: true
            }
        );
        assert_eq!(
            score(&mc, "A."),
            Scored {
                extracted: Some("A".into()),
                correct: false
            }
        );
        assert_eq!(
            score(&mc, "I don't know"),
            Scored {
                extracted: None,
                correct: false
            }
        );

        let gsm = item(
            ItemKind::FinalNumber {
                gold: "1234".into(),
                solution: None,
            },
            0,
        );
        assert!(score(&gsm, "so 1,234 apples. #### 1234").correct);
        assert!(score(&gsm, "The answer is 1234.00").correct);
        assert!(!score(&gsm, "1234 or 1235").correct);

        let exact = item(
            ItemKind::ExactMatch {
                gold: "valid".into(),
            },
            0,
        );
        assert!(score(&exact, "  valid\n").correct);
        assert!(!score(&exact, "invalid").correct);
        assert_eq!(score(&exact, "   ").extracted, None);

        let mut lettered = item(ItemKind::ExactMatch { gold: "(B)".into() }, 3);
        lettered.choices = vec!["red".into(), "blue".into(), "pink".into()];
        for response in ["(B)", "blue", "The answer is (B).", "B"] {
            assert_eq!(
                score(&lettered, response),
                Scored {
                    extracted: Some("(B)".into()),
                    correct: true
                },
                "{response}"
            );
        }
        assert!(!score(&lettered, "(A) red").correct);
        let many = item(ItemKind::ExactMatch { gold: "(J)".into() }, 12);
        assert!(score(&many, "I think it is (J)").correct);
    }

    #[test]
    fn accuracy_counts() {
        let mc = item(ItemKind::MultipleChoice { gold: 0 }, 2);
        let scored: Vec<Scored> = ["A", "B", "none", "A"]
            .iter()
            .map(|r| score(&mc, r))
            .collect();
        let total = accuracy(&scored);
        assert_eq!(
            total,
            Accuracy {
                n_items: 4,
                n_correct: 2,
                n_unanswered: 1
            }
        );
        assert_eq!(total.value(), Some(0.5));
        assert_eq!(accuracy(&[]).value(), None);
        assert!(score_choice(&mc, 0).correct);
        assert_eq!(score_choice(&mc, 1).extracted.as_deref(), Some("B"));
    }
}
