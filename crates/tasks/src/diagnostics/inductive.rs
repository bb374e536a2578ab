//! Induction: infer a rule from examples and apply it to a new case. Number sequences of
//! six kinds, a number machine `y = a x + b`, a letter code on words, a repeating pattern
//! asked far ahead, a rule on lists, and a hidden number property.
//!
//! Every answer is computed, and the examples always pin the rule down within the family
//! the item draws from: the code checks that no other rule of the family fits the
//! examples yet gives another answer (and draws again when one does). Distractors are
//! what the nearby wrong rules give.

use super::words::COLOURS;
use super::{Draft, SplitMix64, join_or, pick, pick_distinct, range, strings};

const TEMPLATES: [&str; 6] = [
    "sequence",
    "machine",
    "word_code",
    "cycle",
    "list_rule",
    "property",
];

/// Draws one induction item.
pub(super) fn draft(rng: &mut SplitMix64) -> Option<Draft> {
    match pick(rng, &TEMPLATES) {
        "sequence" => sequence(rng),
        "machine" => machine(rng),
        "word_code" => word_code(rng),
        "cycle" => cycle(rng),
        "list_rule" => list_rule(rng),
        _ => property(rng),
    }
}

fn i64_in(rng: &mut SplitMix64, low: i64, high: i64) -> i64 {
    rng.in_range(low, high)
}

/// The terms of a sequence of one of six kinds; the last is the one asked for.
fn sequence_terms(rng: &mut SplitMix64) -> Vec<i64> {
    let shown = 5 + rng.index(2);
    let total = shown + 1;
    match rng.below(6) {
        0 => {
            // Arithmetic, rising or falling.
            let step = i64_in(rng, 2, 12) * if rng.below(3) == 0 { -1 } else { 1 };
            let start = if step < 0 {
                i64_in(rng, 80, 140)
            } else {
                i64_in(rng, 1, 40)
            };
            (0..total as i64).map(|at| start + at * step).collect()
        }
        1 => {
            // Geometric.
            let start = i64_in(rng, 1, 6);
            let ratio = i64_in(rng, 2, 3);
            (0..total as u32).map(|at| start * ratio.pow(at)).collect()
        }
        2 => {
            // Differences that grow by a fixed amount.
            let mut term = i64_in(rng, 1, 20);
            let mut difference = i64_in(rng, 1, 5);
            let growth = i64_in(rng, 1, 3);
            let mut terms = Vec::with_capacity(total);
            for _ in 0..total {
                terms.push(term);
                term += difference;
                difference += growth;
            }
            terms
        }
        3 => {
            // Alternating steps: up a, down b.
            let up = i64_in(rng, 3, 9);
            let down = i64_in(rng, 1, up - 1);
            let mut term = i64_in(rng, 5, 30);
            let mut terms = Vec::with_capacity(total);
            for at in 0..total {
                terms.push(term);
                term += if at % 2 == 0 { up } else { -down };
            }
            terms
        }
        4 => {
            // Squares from some start.
            let first = i64_in(rng, 1, 7);
            (0..total as i64)
                .map(|at| (first + at) * (first + at))
                .collect()
        }
        _ => {
            // Each term the sum of the two before.
            let mut terms = vec![i64_in(rng, 1, 5), i64_in(rng, 1, 6)];
            while terms.len() < total {
                let n = terms.len();
                terms.push(terms[n - 1] + terms[n - 2]);
            }
            terms
        }
    }
}

fn sequence(rng: &mut SplitMix64) -> Option<Draft> {
    let terms = sequence_terms(rng);
    let (&answer, shown) = terms.split_last()?;
    let last = *shown.last()?;
    let previous = *shown.get(shown.len().checked_sub(2)?)?;
    let naive = last + (last - previous);
    let candidates = [
        naive,
        answer + (answer - last),
        answer + 1,
        answer - 1,
        answer + 2,
        last,
    ];
    let question = if rng.below(2) == 0 {
        format!(
            "What number comes next in the sequence {}?",
            strings(shown).join(", ")
        )
    } else {
        format!(
            "Continue the pattern: {}, ... What is the next number?",
            strings(shown).join(", ")
        )
    };
    Draft::new(
        rng,
        "sequence",
        String::new(),
        question,
        answer.to_string(),
        strings(candidates.into_iter().filter(|value| *value >= 0)),
        Vec::new(),
    )
}

fn machine(rng: &mut SplitMix64) -> Option<Draft> {
    let a = i64_in(rng, 1, 5);
    let b = i64_in(rng, -6, 12);
    if a == 1 && b == 0 {
        return None;
    }
    let xs: Vec<i64> = pick_distinct(rng, &(1..=15).collect::<Vec<i64>>(), 4);
    let (&query, examples) = xs.split_last()?;
    let f = |x: i64| a * x + b;
    if xs.iter().any(|x| f(*x) < 0) {
        return None;
    }
    let (x1, y1) = (*examples.first()?, f(*examples.first()?));
    let answer = f(query);
    let mut candidates = vec![query + (y1 - x1)];
    if x1 != 0 && y1 % x1 == 0 {
        candidates.push(query * (y1 / x1));
    }
    candidates.extend([a * query, answer + a, answer - a, answer + 1, answer - 1]);
    let pairs: Vec<String> = examples
        .iter()
        .map(|x| format!("{x} into {}", f(*x)))
        .collect();
    let context = if rng.below(2) == 0 {
        format!(
            "A machine changes every number it is given by the same rule. It turned {}.",
            super::join_and(&pairs)
        )
    } else {
        let arrows: Vec<String> = examples
            .iter()
            .map(|x| format!("{x} \u{2192} {}", f(*x)))
            .collect();
        format!("A number rule gives: {}.", arrows.join(", "))
    };
    Draft::new(
        rng,
        "machine",
        context,
        format!("By the same rule, what does {query} become?"),
        answer.to_string(),
        strings(candidates.into_iter().filter(|value| *value >= 0)),
        Vec::new(),
    )
}

/// Words with distinct letters, four or five long, for the letter code.
const CODE_WORDS: [&str; 32] = [
    "lamp", "frog", "milk", "desk", "plant", "stone", "cloud", "brick", "tiger", "piano", "mouse",
    "bread", "chair", "grape", "lemon", "house", "night", "water", "table", "horse", "world",
    "glove", "crown", "flame", "ghost", "jump", "king", "lion", "mask", "nest", "pink", "drum",
];

/// The letter codes: each a different rule on a word.
const CODES: [fn(&str) -> String; 6] = [
    |word| word.chars().rev().collect(),
    |word| {
        let mut chars: Vec<char> = word.chars().collect();
        chars.rotate_left(1);
        chars.into_iter().collect()
    },
    |word| {
        let mut chars: Vec<char> = word.chars().collect();
        chars.rotate_right(1);
        chars.into_iter().collect()
    },
    |word| {
        let mut chars: Vec<char> = word.chars().collect();
        let last = chars.len().saturating_sub(1);
        chars.swap(0, last);
        chars.into_iter().collect()
    },
    |word| {
        word.chars()
            .map(|c| match c {
                'z' => 'a',
                'a'..='y' => char::from(c as u8 + 1),
                other => other,
            })
            .collect()
    },
    |word| {
        let last = word.chars().last().map(String::from).unwrap_or_default();
        format!("{word}{last}")
    },
];

fn word_code(rng: &mut SplitMix64) -> Option<Draft> {
    let code = rng.index(CODES.len());
    let apply = CODES[code];
    let n_examples = range(rng, 2, 3);
    let words = pick_distinct(rng, &CODE_WORDS, n_examples + 1);
    let (&query, examples) = words.split_last()?;
    // Every other code must disagree with the examples somewhere, and give a different
    // answer on the query (it then makes a distractor).
    for (other, rule) in CODES.iter().enumerate() {
        if other != code
            && (examples.iter().all(|word| rule(word) == apply(word))
                || rule(query) == apply(query))
        {
            return None;
        }
    }
    let shown: Vec<String> = examples
        .iter()
        .map(|word| format!("{word} \u{2192} {}", apply(word)))
        .collect();
    Draft::new(
        rng,
        "word_code",
        format!("A secret code changes words: {}.", shown.join(", ")),
        format!("In the same code, what does \"{query}\" become?"),
        apply(query),
        Vec::new(),
        CODES.iter().map(|rule| rule(query)).collect(),
    )
}

const SHAPES: [&str; 7] = [
    "circle", "square", "triangle", "star", "heart", "diamond", "hexagon",
];

const ANIMALS: [&str; 7] = ["cat", "dog", "owl", "fox", "bee", "cow", "hen"];

fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

fn cycle(rng: &mut SplitMix64) -> Option<Draft> {
    let words: &[&str] = match rng.below(3) {
        0 => &COLOURS,
        1 => &SHAPES,
        _ => &ANIMALS,
    };
    let period = range(rng, 3, 5);
    let chosen = pick_distinct(rng, words, period + 1);
    let (pattern, spare) = chosen.split_at(period);
    let shown_len = 2 * period + rng.index(period);
    let shown: Vec<&str> = (0..shown_len).map(|at| pattern[at % period]).collect();
    let position = range(rng, shown_len + 2, 40);
    let answer = pattern[(position - 1) % period];
    // Off-by-one neighbours first: the items just before and after in the cycle.
    let preferred = strings([
        pattern[position % period],
        pattern[(position + period - 2) % period],
    ]);
    Draft::new(
        rng,
        "cycle",
        format!("A pattern repeats forever: {}, ...", shown.join(", ")),
        format!("What is the {} item of the pattern?", ordinal(position)),
        answer.to_string(),
        preferred,
        strings(pattern.iter().chain(spare)),
    )
}

/// A rule on lists of numbers, with its parameter when it has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListRule {
    SortUp,
    SortDown,
    Reverse,
    Add(i64),
    Double,
    DropFirst,
    RotateLeft,
    SwapEnds,
}

impl ListRule {
    fn all() -> Vec<ListRule> {
        let mut rules = vec![
            ListRule::SortUp,
            ListRule::SortDown,
            ListRule::Reverse,
            ListRule::Double,
            ListRule::DropFirst,
            ListRule::RotateLeft,
            ListRule::SwapEnds,
        ];
        rules.extend((1..=5).map(ListRule::Add));
        rules
    }

    fn apply(self, list: &[i64]) -> Vec<i64> {
        let mut out = list.to_vec();
        match self {
            ListRule::SortUp => out.sort_unstable(),
            ListRule::SortDown => out.sort_unstable_by(|a, b| b.cmp(a)),
            ListRule::Reverse => out.reverse(),
            ListRule::Add(k) => out.iter_mut().for_each(|x| *x += k),
            ListRule::Double => out.iter_mut().for_each(|x| *x *= 2),
            ListRule::DropFirst => {
                if !out.is_empty() {
                    out.remove(0);
                }
            }
            ListRule::RotateLeft => {
                let by = 1.min(out.len());
                out.rotate_left(by);
            }
            ListRule::SwapEnds => {
                let last = out.len().saturating_sub(1);
                out.swap(0, last);
            }
        }
        out
    }
}

fn show_list(list: &[i64]) -> String {
    format!("[{}]", strings(list).join(", "))
}

fn list_rule(rng: &mut SplitMix64) -> Option<Draft> {
    let rules = ListRule::all();
    let rule = pick(rng, &rules);
    let n_examples = range(rng, 2, 3);
    let length = range(rng, 3, 4);
    let numbers: Vec<i64> = (1..=20).collect();
    let lists: Vec<Vec<i64>> = (0..=n_examples)
        .map(|_| pick_distinct(rng, &numbers, length))
        .collect();
    let (query, examples) = lists.split_last()?;
    let answer = rule.apply(query);
    for other in &rules {
        let fits = examples
            .iter()
            .all(|list| other.apply(list) == rule.apply(list));
        if *other != rule && (fits || other.apply(query) == answer) {
            return None;
        }
    }
    let shown: Vec<String> = examples
        .iter()
        .map(|list| {
            format!(
                "{} \u{2192} {}",
                show_list(list),
                show_list(&rule.apply(list))
            )
        })
        .collect();
    Draft::new(
        rng,
        "list_rule",
        format!(
            "One rule turns each list into another: {}.",
            shown.join("; ")
        ),
        format!("What does the rule turn {} into?", show_list(query)),
        show_list(&answer),
        Vec::new(),
        rules
            .iter()
            .map(|other| show_list(&other.apply(query)))
            .collect(),
    )
}

/// A number property of the hidden-property family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Property {
    MultipleOf(i64),
    EndsIn(i64),
    Odd,
}

impl Property {
    fn all() -> Vec<Property> {
        let mut all: Vec<Property> = (2..=10).map(Property::MultipleOf).collect();
        all.extend((0..=9).map(Property::EndsIn));
        all.push(Property::Odd);
        all
    }

    fn holds(self, n: i64) -> bool {
        match self {
            Property::MultipleOf(k) => n % k == 0,
            Property::EndsIn(d) => n % 10 == d,
            Property::Odd => n % 2 == 1,
        }
    }
}

const PROPERTY_WORDS: [&str; 5] = ["zappy", "blorby", "quimble", "frellish", "dorpy"];

fn property(rng: &mut SplitMix64) -> Option<Draft> {
    let family = Property::all();
    let hidden = pick(rng, &family);
    let numbers: Vec<i64> = (2..=99).collect();
    let (with, without): (Vec<i64>, Vec<i64>) = numbers.iter().partition(|n| hidden.holds(**n));
    if with.len() < 5 || without.len() < 6 {
        return None;
    }
    let n_positive = range(rng, 3, 4);
    let positives = pick_distinct(rng, &with, n_positive + 1);
    let negatives = pick_distinct(rng, &without, 6);
    let (&answer, positives) = positives.split_last()?;
    let (shown_negatives, wrong) = negatives.split_at(3);
    let options: Vec<i64> = wrong.iter().copied().chain([answer]).collect();
    // Every property that fits the examples must sort the options the same way.
    for other in &family {
        let fits = positives.iter().all(|n| other.holds(*n))
            && shown_negatives.iter().all(|n| !other.holds(*n));
        if fits && options.iter().any(|n| other.holds(*n) != hidden.holds(*n)) {
            return None;
        }
    }
    let word = pick(rng, &PROPERTY_WORDS);
    let mut listed = options.clone();
    listed.sort_unstable();
    Draft::new(
        rng,
        "property",
        format!(
            "Some numbers are {word}. {} are {word}. {} are not {word}.",
            super::join_and(&strings(positives)),
            super::join_and(&strings(shown_negatives)),
        ),
        format!("Which number is {word}: {}?", join_or(&strings(listed))),
        answer.to_string(),
        strings(wrong),
        Vec::new(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(text: &str) -> Vec<i64> {
        text.split(|c: char| !c.is_ascii_digit() && c != '-')
            .filter_map(|part| part.parse().ok())
            .collect()
    }

    #[test]
    fn machine_answers_fit_the_line_through_the_examples() {
        let mut rng = SplitMix64::new(4);
        let mut checked = 0;
        while checked < 200 {
            let Some(draft) = machine(&mut rng) else {
                continue;
            };
            // Pairs in the context: x1 y1 x2 y2 x3 y3; fit a line through the first two
            // and check the third and the answer.
            let values = numbers(&draft.context);
            let [x1, y1, x2, y2, x3, y3] = values[..] else {
                panic!("{draft:?}");
            };
            let slope = (y2 - y1) / (x2 - x1);
            let intercept = y1 - slope * x1;
            assert_eq!(slope * x3 + intercept, y3, "{draft:?}");
            let query = numbers(&draft.question)[0];
            assert_eq!(draft.answer, (slope * query + intercept).to_string());
            checked += 1;
        }
    }

    #[test]
    fn sequences_follow_their_own_differences() {
        let mut rng = SplitMix64::new(6);
        for _ in 0..300 {
            let terms = sequence_terms(&mut rng);
            assert!(terms.len() >= 6);
            assert!(terms.iter().all(|t| *t > 0), "{terms:?}");
        }
        let mut rng = SplitMix64::new(2);
        for _ in 0..100 {
            let draft = sequence(&mut rng).unwrap();
            let shown = numbers(&draft.question);
            assert!(shown.len() >= 5);
            assert!(!draft.distractors.contains(&draft.answer));
        }
    }

    #[test]
    fn codes_and_cycles() {
        assert_eq!(CODES[0]("lamp"), "pmal");
        assert_eq!(CODES[1]("lamp"), "ampl");
        assert_eq!(CODES[2]("lamp"), "plam");
        assert_eq!(CODES[3]("lamp"), "paml");
        assert_eq!(CODES[4]("lamz"), "mbna");
        assert_eq!(CODES[5]("lamp"), "lampp");
        for word in CODE_WORDS {
            let mut letters: Vec<char> = word.chars().collect();
            letters.sort_unstable();
            letters.dedup();
            assert_eq!(letters.len(), word.len(), "{word}");
        }
        assert_eq!(ordinal(1), "1st");
        assert_eq!(ordinal(12), "12th");
        assert_eq!(ordinal(23), "23rd");
        let mut rng = SplitMix64::new(1);
        for _ in 0..100 {
            let draft = cycle(&mut rng).unwrap();
            let shown: Vec<&str> = draft
                .context
                .trim_start_matches("A pattern repeats forever: ")
                .trim_end_matches(", ...")
                .split(", ")
                .collect();
            // The period is the smallest p with shown[i] == shown[i - p].
            let period = (1..shown.len())
                .find(|p| (*p..shown.len()).all(|i| shown[i] == shown[i - p]))
                .unwrap();
            let position = numbers(&draft.question)[0] as usize;
            assert_eq!(draft.answer, shown[(position - 1) % period], "{draft:?}");
        }
    }

    #[test]
    fn list_rules_and_properties_are_checked() {
        assert_eq!(ListRule::SortDown.apply(&[1, 3, 2]), [3, 2, 1]);
        assert_eq!(ListRule::DropFirst.apply(&[1, 3, 2]), [3, 2]);
        assert_eq!(ListRule::SwapEnds.apply(&[1, 3, 2]), [2, 3, 1]);
        assert_eq!(ListRule::RotateLeft.apply(&[]), Vec::<i64>::new());
        let mut rng = SplitMix64::new(9);
        let mut checked = 0;
        while checked < 100 {
            let Some(draft) = property(&mut rng) else {
                continue;
            };
            // The answer is the one listed number sharing a remainder pattern with the
            // positives: at least it is not among the named negatives.
            let (positives, negatives) = draft.context.split_once(" are not").unwrap();
            let answer: i64 = draft.answer.parse().unwrap();
            assert!(!numbers(negatives).contains(&answer));
            assert!(!numbers(positives).contains(&answer));
            checked += 1;
        }
    }
}
