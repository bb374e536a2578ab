//! Multi-step word problems: change after shopping, ages across years, rates over hours
//! and minutes, percentage discounts and rises, unit conversions, equal sharing, and
//! distance at two speeds.
//!
//! Answers are computed from the drawn numbers; distractors are the results of the usual
//! slips (a forgotten step, a wrong conversion factor, the wrong direction), then the
//! numbers next to the answer.

use super::words::NAMES;
use super::{Draft, SplitMix64, pick, pick_distinct};

const TEMPLATES: [&str; 7] = [
    "change", "ages", "rate", "percent", "units", "share", "speed",
];

/// Draws one word problem.
pub(super) fn draft(rng: &mut SplitMix64) -> Option<Draft> {
    match pick(rng, &TEMPLATES) {
        "change" => change(rng),
        "ages" => ages(rng),
        "rate" => rate(rng),
        "percent" => percent(rng),
        "units" => units(rng),
        "share" => share(rng),
        _ => speed(rng),
    }
}

fn int(rng: &mut SplitMix64, low: i64, high: i64) -> i64 {
    rng.in_range(low, high)
}

fn dollars(amount: i64) -> String {
    format!("${amount}")
}

/// Positive values only, as text through `show`.
fn shown(values: impl IntoIterator<Item = i64>, show: fn(i64) -> String) -> Vec<String> {
    values.into_iter().filter(|v| *v > 0).map(show).collect()
}

fn plain(value: i64) -> String {
    value.to_string()
}

/// `"1 hour"`, `"3 hours"`.
fn hours_text(hours: i64) -> String {
    if hours == 1 {
        "1 hour".to_string()
    } else {
        format!("{hours} hours")
    }
}

/// (singular, plural).
const GOODS: [(&str, &str); 10] = [
    ("notebook", "notebooks"),
    ("pen", "pens"),
    ("apple", "apples"),
    ("ticket", "tickets"),
    ("sandwich", "sandwiches"),
    ("comic", "comics"),
    ("candle", "candles"),
    ("mug", "mugs"),
    ("bottle of juice", "bottles of juice"),
    ("loaf of bread", "loaves of bread"),
];

fn change(rng: &mut SplitMix64) -> Option<Draft> {
    let name = pick(rng, &NAMES);
    let goods = pick_distinct(rng, &GOODS, 2);
    let (first, second) = (*goods.first()?, *goods.get(1)?);
    let (a, p) = (int(rng, 2, 6), int(rng, 2, 9));
    let two_kinds = rng.below(2) == 0;
    let (b, q) = if two_kinds {
        (int(rng, 1, 4), int(rng, 2, 12))
    } else {
        (0, 0)
    };
    let total = a * p + b * q;
    let bill = [10, 20, 50, 100].into_iter().find(|bill| *bill > total)?;
    let answer = bill - total;
    let item = |n: i64, kind: (&'static str, &'static str)| if n == 1 { kind.0 } else { kind.1 };
    let bought = if two_kinds {
        format!(
            "{a} {} at ${p} each and {b} {} at ${q} each",
            item(a, first),
            item(b, second)
        )
    } else {
        format!("{a} {} at ${p} each", item(a, first))
    };
    let context = format!("{name} buys {bought}, and pays with a ${bill} note.");
    let slips = [
        total,
        bill - a * p,
        bill - p - q,
        answer + p,
        answer - 1,
        answer + 1,
        answer + 2,
    ];
    Draft::new(
        rng,
        "change",
        context,
        format!("How much change does {name} get?"),
        dollars(answer),
        shown(slips, dollars),
        Vec::new(),
    )
}

fn ages(rng: &mut SplitMix64) -> Option<Draft> {
    let people = pick_distinct(rng, &NAMES, 2);
    let (a_name, b_name) = (*people.first()?, *people.get(1)?);
    let gap = int(rng, 2, 15);
    let years = int(rng, 2, 10);
    let b_then = int(rng, 12, 60);
    let future = rng.below(2) == 0;
    let b_now = if future {
        b_then - years
    } else {
        b_then + years
    };
    let older = rng.below(2) == 0;
    let a_now = if older { b_now + gap } else { b_now - gap };
    if b_now < 1 || a_now < 1 {
        return None;
    }
    let relation = if older { "older" } else { "younger" };
    let when = if future {
        format!("In {years} years, {b_name} will be {b_then} years old.")
    } else {
        format!("{years} years ago, {b_name} was {b_then} years old.")
    };
    let context = format!("{a_name} is {gap} years {relation} than {b_name}. {when}");
    let wrong_direction = if older { b_now - gap } else { b_now + gap };
    let forgot_years = if older { b_then + gap } else { b_then - gap };
    let slips = [
        forgot_years,
        b_now,
        wrong_direction,
        a_now + years,
        a_now - years,
        a_now + 1,
        a_now - 1,
    ];
    Draft::new(
        rng,
        "ages",
        context,
        format!("How old is {a_name} now?"),
        a_now.to_string(),
        shown(slips, plain),
        Vec::new(),
    )
}

/// (machine, what it does, the verb's base form, what it makes).
const MAKERS: [(&str, &str, &str, &str); 5] = [
    ("printer", "prints", "print", "pages"),
    ("bakery oven", "bakes", "bake", "rolls"),
    ("factory machine", "makes", "make", "bottle caps"),
    ("pump", "moves", "move", "litres of water"),
    ("bottling machine", "fills", "fill", "bottles"),
];

fn rate(rng: &mut SplitMix64) -> Option<Draft> {
    let (machine, does, verb, product) = pick(rng, &MAKERS);
    let per_minute = int(rng, 2, 15);
    let hours = int(rng, 1, 3);
    let minutes = 5 * int(rng, 1, 11);
    let answer = per_minute * (60 * hours + minutes);
    let slips = [
        per_minute * (100 * hours + minutes),
        per_minute * 60 * hours,
        answer + per_minute,
        answer - per_minute,
        per_minute * (hours + minutes),
    ];
    Draft::new(
        rng,
        "rate",
        format!("A {machine} {does} {per_minute} {product} every minute."),
        format!(
            "How many {product} does it {verb} in {} and {minutes} minutes?",
            hours_text(hours)
        ),
        answer.to_string(),
        shown(slips, plain),
        Vec::new(),
    )
}

const PRICED: [&str; 7] = [
    "jacket",
    "lamp",
    "bicycle",
    "watch",
    "backpack",
    "pair of shoes",
    "tent",
];

fn percent(rng: &mut SplitMix64) -> Option<Draft> {
    let item = pick(rng, &PRICED);
    let price = 20 * int(rng, 2, 20);
    let rates: Vec<i64> = [10, 20, 25, 30, 40, 50, 75]
        .into_iter()
        .filter(|rate| price * rate % 100 == 0)
        .collect();
    let rate = pick(rng, &rates);
    let change = price * rate / 100;
    let cut = rng.below(3) != 0;
    let (answer, context, wrong_direction) = if cut {
        (
            price - change,
            format!("A {item} normally costs ${price}. In a sale, its price is cut by {rate}%."),
            price + change,
        )
    } else {
        (
            price + change,
            format!("A {item} costs ${price}. Next month its price will rise by {rate}%."),
            price - change,
        )
    };
    let question = if cut {
        "What is the sale price?"
    } else {
        "What will the new price be?"
    };
    let as_dollars = if cut { price - rate } else { price + rate };
    let slips = [
        change,
        wrong_direction,
        as_dollars,
        answer + 10,
        answer - 10,
    ];
    Draft::new(
        rng,
        "percent",
        context,
        question.to_string(),
        dollars(answer),
        shown(slips, dollars),
        Vec::new(),
    )
}

/// (context with {N}, {a} and {b}; question with {N}; factor; a wrong factor).
const CONVERSIONS: [(&str, &str, i64, i64); 5] = [
    (
        "{N} walks {a} kilometres and then another {b} metres.",
        "How many metres does {N} walk in total?",
        1000,
        100,
    ),
    (
        "{N} practises the guitar for {a} hours and {b} minutes.",
        "For how many minutes in total does {N} practise?",
        60,
        100,
    ),
    (
        "{N} buys {a} kilograms of flour and another {b} grams of flour.",
        "How many grams of flour does {N} buy in total?",
        1000,
        100,
    ),
    (
        "{N} fills a tank with {a} litres of water and then adds {b} millilitres more.",
        "How many millilitres of water are in the tank?",
        1000,
        100,
    ),
    (
        "{N} has a rope {a} metres long and ties on another {b} centimetres of rope.",
        "How many centimetres long is the rope now?",
        100,
        1000,
    ),
];

fn units(rng: &mut SplitMix64) -> Option<Draft> {
    let name = pick(rng, &NAMES);
    let (context, question, factor, wrong_factor) = pick(rng, &CONVERSIONS);
    let a = int(rng, 2, 9);
    let b = if factor == 60 {
        int(rng, 5, 55)
    } else {
        5 * int(rng, 2, factor / 5 - 1)
    };
    let answer = a * factor + b;
    let fill = |text: &str| {
        text.replace("{N}", name)
            .replace("{a}", &a.to_string())
            .replace("{b}", &b.to_string())
    };
    let slips = [
        a * wrong_factor + b,
        a + b,
        a * factor - b,
        a * factor,
        answer + factor,
    ];
    Draft::new(
        rng,
        "units",
        fill(context),
        fill(question),
        answer.to_string(),
        shown(slips, plain),
        Vec::new(),
    )
}

/// Things to share (plural).
const SHAREABLE: [&str; 5] = ["stickers", "marbles", "sweets", "cards", "stamps"];

fn share(rng: &mut SplitMix64) -> Option<Draft> {
    let name = pick(rng, &NAMES);
    let things = pick(rng, &SHAREABLE);
    let friends = int(rng, 2, 6);
    let each = int(rng, 3, 20);
    let total = each * friends;
    let packs = int(rng, 2, 5);
    let per_pack = int(rng, 3, 10);
    let start = total - packs * per_pack;
    if start < 1 {
        return None;
    }
    let context = format!(
        "{name} has {start} {things}. Then {name} buys {packs} packs with {per_pack} {things} in each, and shares all of the {things} equally among {friends} friends."
    );
    let mut slips = vec![total, each + 1, each - 1, each + 2];
    if (packs * per_pack) % friends == 0 {
        slips.insert(1, packs * per_pack / friends);
    }
    if (start + per_pack) % friends == 0 {
        slips.insert(1, (start + per_pack) / friends);
    }
    Draft::new(
        rng,
        "share",
        context,
        format!("How many {things} does each friend get?"),
        each.to_string(),
        shown(slips, plain),
        Vec::new(),
    )
}

const VEHICLES: [&str; 4] = ["train", "bus", "truck", "ferry"];

fn speed(rng: &mut SplitMix64) -> Option<Draft> {
    let vehicle = pick(rng, &VEHICLES);
    let (v, h) = (5 * int(rng, 4, 18), int(rng, 1, 4));
    let (w, g) = (5 * int(rng, 4, 18), int(rng, 1, 4));
    if v == w {
        return None;
    }
    let answer = v * h + w * g;
    let context = format!(
        "A {vehicle} travels at {v} km per hour for {}, then at {w} km per hour for {}.",
        hours_text(h),
        hours_text(g)
    );
    let mut slips = vec![(v + w) * (h + g), v * (h + g), w * (h + g)];
    if (v + w) % 2 == 0 {
        slips.push((v + w) / 2 * (h + g));
    }
    slips.extend([v * h + w, answer + 10, answer - 10]);
    Draft::new(
        rng,
        "speed",
        context,
        "How many kilometres does it travel in total?".to_string(),
        answer.to_string(),
        shown(slips, plain),
        Vec::new(),
    )
}

/// The numbers of a text in order, `$` signs and `%` ignored.
#[cfg(test)]
fn numbers(text: &str) -> Vec<i64> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter_map(|part| part.parse().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Recomputes an answer from the numbers in the text alone, per template.
    fn recompute(draft: &Draft) -> i64 {
        let n = numbers(&draft.context);
        let text = &draft.context;
        match draft.template {
            "change" => {
                // a p [b q] bill
                let bill = *n.last().unwrap();
                let spent: i64 = n[..n.len() - 1]
                    .chunks(2)
                    .map(|pair| pair[0] * pair[1])
                    .sum();
                bill - spent
            }
            "ages" => {
                // "A is {gap} years older than B. In {years} years, B will be {then}."
                let (gap, years, then) = (n[0], n[1], n[2]);
                let b_now = if text.contains("years ago") {
                    then + years
                } else {
                    then - years
                };
                if text.contains("older") {
                    b_now + gap
                } else {
                    b_now - gap
                }
            }
            "rate" => {
                let q = numbers(&draft.question);
                n[0] * (60 * q[0] + q[1])
            }
            "percent" => {
                let (price, rate) = (n[0], n[1]);
                if text.contains("cut") {
                    price - price * rate / 100
                } else {
                    price + price * rate / 100
                }
            }
            "units" => {
                let factor = if text.contains("hours") {
                    60
                } else if text.contains("centimetres") {
                    100
                } else {
                    1000
                };
                n[0] * factor + n[1]
            }
            "share" => (n[0] + n[1] * n[2]) / n[3],
            "speed" => n[0] * n[1] + n[2] * n[3],
            other => panic!("no check for {other}"),
        }
    }

    #[test]
    fn answers_recomputed_from_the_text_agree() {
        let mut rng = SplitMix64::new(21);
        let mut per_template: std::collections::BTreeMap<&str, usize> = Default::default();
        for _ in 0..2000 {
            let Some(draft) = draft(&mut rng) else {
                continue;
            };
            let expected = recompute(&draft);
            let answer: i64 = draft.answer.trim_start_matches('$').parse().unwrap();
            assert_eq!(answer, expected, "{draft:?}");
            assert!(answer > 0, "{draft:?}");
            for wrong in &draft.distractors {
                let wrong: i64 = wrong.trim_start_matches('$').parse().unwrap();
                assert!(wrong > 0 && wrong != answer, "{draft:?}");
            }
            // Money answers are money, counts are counts: all options alike.
            let money = draft.answer.starts_with('$');
            assert!(
                draft
                    .distractors
                    .iter()
                    .all(|d| d.starts_with('$') == money)
            );
            *per_template.entry(draft.template).or_default() += 1;
        }
        assert_eq!(per_template.len(), TEMPLATES.len(), "{per_template:?}");
    }

    #[test]
    fn share_totals_divide_evenly() {
        let mut rng = SplitMix64::new(3);
        for _ in 0..200 {
            if let Some(draft) = share(&mut rng) {
                let n = numbers(&draft.context);
                assert_eq!((n[0] + n[1] * n[2]) % n[3], 0, "{draft:?}");
            }
        }
    }
}
