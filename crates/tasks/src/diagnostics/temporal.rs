//! Time: clock arithmetic (when something ended or started), durations, days of the
//! week after or before a number of days, the order of a day's events from shuffled
//! before/after facts, calendar dates a number of days later, and years and ages.
//!
//! Times are on a 24-hour clock within one day; dates avoid February (and so leap years).
//! Every answer is computed; distractors are the usual slips: no carry into the hour,
//! the wrong direction, one off.

use super::words::NAMES;
use super::{Draft, SplitMix64, capitalize, pick, pick_distinct, range, strings};

const TEMPLATES: [&str; 7] = [
    "clock_end",
    "clock_start",
    "duration",
    "weekday",
    "order",
    "date",
    "years",
];

/// Draws one time item.
pub(super) fn draft(rng: &mut SplitMix64) -> Option<Draft> {
    match pick(rng, &TEMPLATES) {
        "clock_end" => clock(rng, true),
        "clock_start" => clock(rng, false),
        "duration" => duration(rng),
        "weekday" => weekday(rng),
        "order" => order(rng),
        "date" => date(rng),
        _ => years(rng),
    }
}

/// `minutes` after midnight as `H:MM`; `None` outside the day.
fn clock_time(minutes: i64) -> Option<String> {
    (0..24 * 60)
        .contains(&minutes)
        .then(|| format!("{}:{:02}", minutes / 60, minutes % 60))
}

/// `"2 hours 5 minutes"`, `"1 hour"`, `"45 minutes"`.
fn span(minutes: i64) -> String {
    let (hours, rest) = (minutes / 60, minutes % 60);
    let hours_text = match hours {
        0 => String::new(),
        1 => "1 hour".to_string(),
        h => format!("{h} hours"),
    };
    let minutes_text = match rest {
        0 => String::new(),
        1 => "1 minute".to_string(),
        m => format!("{m} minutes"),
    };
    match (hours_text.is_empty(), minutes_text.is_empty()) {
        (true, _) => minutes_text,
        (false, true) => hours_text,
        (false, false) => format!("{hours_text} {minutes_text}"),
    }
}

const EVENTS: [&str; 8] = [
    "meeting",
    "film",
    "football match",
    "piano lesson",
    "bus ride",
    "cooking class",
    "concert",
    "swimming practice",
];

fn clock(rng: &mut SplitMix64, asks_end: bool) -> Option<Draft> {
    let event = pick(rng, &EVENTS);
    let start = 5 * rng.in_range(6 * 12, 18 * 12);
    let length = 5 * rng.in_range(3, 34);
    let end = start + length;
    let said_length = if length >= 60 && rng.below(2) == 0 {
        span(length)
    } else {
        format!("{length} minutes")
    };
    // The slip of adding (or taking) the minutes without carrying into the hour.
    let no_carry = |from: i64, delta: i64| from - from % 60 + (from % 60 + delta).rem_euclid(60);
    let (context, question, answer, slips) = if asks_end {
        (
            format!(
                "The {event} started at {} and lasted {said_length}.",
                clock_time(start)?
            ),
            "At what time did it end?",
            end,
            vec![
                no_carry(start, length),
                end + 10,
                end - 10,
                end + 60,
                end - 60,
                start - length,
            ],
        )
    } else {
        (
            format!(
                "The {event} ended at {} after lasting {said_length}.",
                clock_time(end)?
            ),
            "At what time did it start?",
            start,
            vec![
                no_carry(end, -length),
                start + 10,
                start - 10,
                start - 60,
                start + 60,
                end + length,
            ],
        )
    };
    Draft::new(
        rng,
        if asks_end { "clock_end" } else { "clock_start" },
        context,
        question.to_string(),
        clock_time(answer)?,
        slips.into_iter().filter_map(clock_time).collect(),
        Vec::new(),
    )
}

const TRIPS: [(&str, &str, &str); 4] = [
    ("train", "left", "arrived"),
    ("flight", "took off", "landed"),
    ("bus", "left", "arrived"),
    ("ferry", "sailed", "docked"),
];

fn duration(rng: &mut SplitMix64) -> Option<Draft> {
    let (vehicle, leaves, arrives) = pick(rng, &TRIPS);
    let start = 5 * rng.in_range(6 * 12, 15 * 12);
    let length = 5 * rng.in_range(4, 60);
    let end = start + length;
    let context = format!(
        "The {vehicle} {leaves} at {} and {arrives} at {} the same day.",
        clock_time(start)?,
        clock_time(end)?
    );
    let slips = [
        length + 10,
        length - 10,
        length + 60,
        length - 60,
        length + 20,
    ];
    Draft::new(
        rng,
        "duration",
        context,
        "How long was the journey?".to_string(),
        span(length),
        slips.into_iter().filter(|m| *m > 0).map(span).collect(),
        Vec::new(),
    )
}

const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

fn weekday(rng: &mut SplitMix64) -> Option<Draft> {
    let today = rng.index(7);
    let days = rng.in_range(2, 30);
    let later = rng.below(2) == 0;
    let offset = if later { days } else { -days };
    let answer = (today as i64 + offset).rem_euclid(7) as usize;
    let question = if later {
        format!("What day of the week will it be {days} days from today?")
    } else {
        format!("What day of the week was it {days} days ago?")
    };
    let day = |at: i64| DAYS[at.rem_euclid(7) as usize].to_string();
    let near_misses = vec![
        day(answer as i64 + 1),
        day(answer as i64 - 1),
        day(today as i64 - offset),
    ];
    Draft::new(
        rng,
        "weekday",
        format!("Today is {}.", DAYS[today]),
        question,
        DAYS[answer].to_string(),
        near_misses,
        strings(DAYS),
    )
}

/// (past tense, gerund) of a day's errands.
const ERRANDS: [(&str, &str); 12] = [
    ("had breakfast", "having breakfast"),
    ("walked the dog", "walking the dog"),
    ("went to the bank", "going to the bank"),
    ("called a friend", "calling a friend"),
    ("read the news", "reading the news"),
    ("watered the plants", "watering the plants"),
    ("visited the library", "visiting the library"),
    ("baked bread", "baking bread"),
    ("cleaned the kitchen", "cleaning the kitchen"),
    ("wrote a letter", "writing a letter"),
    ("went for a swim", "going for a swim"),
    ("did the laundry", "doing the laundry"),
];

fn order(rng: &mut SplitMix64) -> Option<Draft> {
    let name = pick(rng, &NAMES);
    let n = range(rng, 4, 5);
    // In the order they happened.
    let errands = pick_distinct(rng, &ERRANDS, n);
    let mut facts: Vec<String> = errands
        .windows(2)
        .map(|pair| {
            let ((first, first_ing), (then, then_ing)) = (pair[0], pair[1]);
            match rng.below(3) {
                0 => format!("{name} {first} before {then_ing}."),
                1 => format!("{name} {then} after {first_ing}."),
                _ => format!("Before {then_ing}, {name} {first}."),
            }
        })
        .collect();
    rng.shuffle(&mut facts);
    let context = format!(
        "This morning {name} did {n} things, one at a time and nothing else. {}",
        facts.join(" ")
    );
    let at = rng.index(n);
    let (question, answer) = match rng.below(4) {
        0 => (format!("What did {name} do first?"), errands.first()?.0),
        1 => (format!("What did {name} do last?"), errands.last()?.0),
        2 if at + 1 < n => (
            format!("What did {name} do right after {}?", errands.get(at)?.1),
            errands.get(at + 1)?.0,
        ),
        _ if at >= 1 => (
            format!("What did {name} do right before {}?", errands.get(at)?.1),
            errands.get(at - 1)?.0,
        ),
        _ => (format!("What did {name} do second?"), errands.get(1)?.0),
    };
    Draft::new(
        rng,
        "order",
        context,
        question,
        answer.to_string(),
        Vec::new(),
        errands.iter().map(|(past, _)| past.to_string()).collect(),
    )
}

const MONTHS: [(&str, i64); 12] = [
    ("January", 31),
    ("February", 28),
    ("March", 31),
    ("April", 30),
    ("May", 31),
    ("June", 30),
    ("July", 31),
    ("August", 31),
    ("September", 30),
    ("October", 31),
    ("November", 30),
    ("December", 31),
];

/// (day, month index) `days` after the given date, with month lengths `lengths`
/// (December runs into January).
fn add_days(day: i64, month: usize, days: i64, lengths: &[i64; 12]) -> (i64, usize) {
    let (mut day, mut month) = (day + days, month);
    while day > lengths[month % 12] {
        day -= lengths[month % 12];
        month = (month + 1) % 12;
    }
    (day, month)
}

fn show_date((day, month): (i64, usize)) -> String {
    format!("{day} {}", MONTHS[month % 12].0)
}

/// (setup with {N} and {date} and {n}, question with {N}).
const DATED: [(&str, &str); 4] = [
    (
        "{N} plants seeds on {date}. The first shoots appear {n} days later.",
        "On what date do the first shoots appear?",
    ),
    (
        "{N}'s flight leaves on {date}, and {N} flies home {n} days later.",
        "On what date does {N} fly home?",
    ),
    (
        "A parcel for {N} is sent on {date} and arrives {n} days later.",
        "On what date does the parcel arrive?",
    ),
    (
        "{N} borrows a book on {date} and must return it {n} days later.",
        "On what date must {N} return the book?",
    ),
];

fn date(rng: &mut SplitMix64) -> Option<Draft> {
    let name = pick(rng, &NAMES);
    let (setup, question) = pick(rng, &DATED);
    // March to November, so no February is crossed.
    let month = range(rng, 2, 10);
    let lengths: [i64; 12] = MONTHS.map(|(_, length)| length);
    let day = rng.in_range(1, *lengths.get(month)?);
    let days = rng.in_range(5, 40);
    let answer = add_days(day, month, days, &lengths);
    // Slip: the start month taken to have the other length (30 for 31, 31 for 30).
    let mut wrong_lengths = lengths;
    wrong_lengths[month] = if lengths[month] == 31 { 30 } else { 31 };
    let slips = [
        add_days(day, month, days + 1, &lengths),
        add_days(day, month, days - 1, &lengths),
        add_days(day, month, days, &wrong_lengths),
        add_days(day, month, days + 2, &lengths),
        add_days(day, month, days - 2, &lengths),
    ];
    let fill = |text: &str| {
        text.replace("{N}", name)
            .replace("{date}", &show_date((day, month)))
            .replace("{n}", &days.to_string())
    };
    Draft::new(
        rng,
        "date",
        fill(setup),
        fill(question),
        show_date(answer),
        slips.into_iter().map(show_date).collect(),
        Vec::new(),
    )
}

fn years(rng: &mut SplitMix64) -> Option<Draft> {
    let name = pick(rng, &NAMES);
    let born = rng.in_range(1940, 2010);
    let age = rng.in_range(10, 70);
    let context = format!("{name} was born in {born}.");
    let (question, answer) = if rng.below(2) == 0 {
        (format!("In which year does {name} turn {age}?"), born + age)
    } else {
        (format!("How old does {name} turn in {}?", born + age), age)
    };
    let slips = [answer + 1, answer - 1, answer + 2, answer - 2, answer + 10];
    Draft::new(
        rng,
        "years",
        context,
        capitalize(&question),
        answer.to_string(),
        strings(slips),
        Vec::new(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_clock(text: &str) -> Vec<i64> {
        text.split(|c: char| !c.is_ascii_digit() && c != ':')
            .filter_map(|part| {
                let (h, m) = part.split_once(':')?;
                Some(h.parse::<i64>().ok()? * 60 + m.parse::<i64>().ok()?)
            })
            .collect()
    }

    /// Minutes in a stated length: "95 minutes", "1 hour 35 minutes", "2 hours".
    fn parse_length(text: &str) -> i64 {
        let words: Vec<&str> = text.split(' ').collect();
        let mut total = 0;
        for pair in words.windows(2) {
            let Ok(n) = pair[0].parse::<i64>() else {
                continue;
            };
            if pair[1].starts_with("hour") {
                total += 60 * n;
            } else if pair[1].starts_with("minute") {
                total += n;
            }
        }
        total
    }

    #[test]
    fn clock_and_duration_answers_recompute_from_the_text() {
        let mut rng = SplitMix64::new(29);
        let mut checked = 0;
        for _ in 0..600 {
            let Some(draft) = draft(&mut rng) else {
                continue;
            };
            let times = parse_clock(&draft.context);
            match draft.template {
                "clock_end" => {
                    let length = parse_length(draft.context.split("lasted ").nth(1).unwrap());
                    assert_eq!(parse_clock(&draft.answer), [times[0] + length], "{draft:?}");
                }
                "clock_start" => {
                    let length = parse_length(draft.context.split("lasting ").nth(1).unwrap());
                    assert_eq!(parse_clock(&draft.answer), [times[0] - length], "{draft:?}");
                }
                "duration" => {
                    assert_eq!(
                        parse_length(&draft.answer),
                        times[1] - times[0],
                        "{draft:?}"
                    );
                }
                "weekday" => {
                    let today = DAYS.iter().position(|d| draft.context.contains(d)).unwrap() as i64;
                    let n: i64 = draft
                        .question
                        .split(' ')
                        .find_map(|w| w.parse().ok())
                        .unwrap();
                    let offset = if draft.question.contains("ago") {
                        -n
                    } else {
                        n
                    };
                    assert_eq!(draft.answer, DAYS[(today + offset).rem_euclid(7) as usize]);
                }
                "years" => {
                    let text = format!("{} {}", draft.context, draft.question);
                    let numbers: Vec<i64> = text
                        .split(|c: char| !c.is_ascii_digit())
                        .filter_map(|p| p.parse().ok())
                        .collect();
                    let (born, asked) = (numbers[0], numbers[1]);
                    let want = if draft.question.starts_with("In which year") {
                        born + asked
                    } else {
                        asked - born
                    };
                    assert_eq!(draft.answer, want.to_string(), "{draft:?}");
                }
                _ => continue,
            }
            checked += 1;
        }
        assert!(checked > 300, "{checked}");
    }

    /// Dates re-derived by counting days one at a time through a calendar table.
    #[test]
    fn dates_count_forward_day_by_day() {
        let mut rng = SplitMix64::new(31);
        for _ in 0..300 {
            let draft = date(&mut rng).unwrap();
            let words: Vec<&str> = draft.context.split([' ', ',', '.']).collect();
            let at = words
                .windows(2)
                .position(|w| w[0].parse::<i64>().is_ok() && MONTHS.iter().any(|(m, _)| *m == w[1]))
                .unwrap();
            let mut day: i64 = words[at].parse().unwrap();
            let mut month = MONTHS
                .iter()
                .position(|(m, _)| *m == words[at + 1])
                .unwrap();
            let n: i64 = words[at + 2..].iter().find_map(|w| w.parse().ok()).unwrap();
            for _ in 0..n {
                day += 1;
                let length = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month];
                if day > length {
                    day = 1;
                    month = (month + 1) % 12;
                }
            }
            assert_ne!(month, 1, "February is avoided");
            assert_eq!(
                draft.answer,
                format!("{day} {}", MONTHS[month].0),
                "{draft:?}"
            );
        }
    }

    /// Rebuilds the order of the errands from the before/after facts.
    #[test]
    fn order_answers_follow_from_the_facts() {
        let mut rng = SplitMix64::new(37);
        for _ in 0..300 {
            let draft = order(&mut rng).unwrap();
            // (earlier, later) pairs: in each fact, the errand in the past tense is the
            // earlier one when the sentence says "before", the later one for "after".
            let mut edges: Vec<(usize, usize)> = Vec::new();
            for fact in draft.context.split(". ").skip(1) {
                let past = ERRANDS.iter().position(|(p, _)| fact.contains(p)).unwrap();
                let gerund = ERRANDS.iter().position(|(_, g)| fact.contains(g)).unwrap();
                if fact.to_lowercase().contains("before") {
                    edges.push((past, gerund));
                } else {
                    assert!(fact.contains(" after "), "{fact}");
                    edges.push((gerund, past));
                }
            }
            let mut chain = vec![
                edges
                    .iter()
                    .map(|e| e.0)
                    .find(|a| !edges.iter().any(|e| e.1 == *a))
                    .unwrap(),
            ];
            while let Some((_, next)) = edges.iter().find(|e| e.0 == *chain.last().unwrap()) {
                chain.push(*next);
            }
            let q = &draft.question;
            let named = ERRANDS.iter().position(|(_, g)| q.contains(g));
            let rank = |errand: usize| chain.iter().position(|e| *e == errand).unwrap();
            let want = if q.ends_with("first?") {
                chain[0]
            } else if q.ends_with("last?") {
                *chain.last().unwrap()
            } else if q.ends_with("second?") {
                chain[1]
            } else if q.contains("right after") {
                chain[rank(named.unwrap()) + 1]
            } else {
                assert!(q.contains("right before"), "{q}");
                chain[rank(named.unwrap()) - 1]
            };
            assert_eq!(draft.answer, ERRANDS[want].0, "{draft:?}");
        }
        assert_eq!(span(125), "2 hours 5 minutes");
        assert_eq!(span(60), "1 hour");
        assert_eq!(span(45), "45 minutes");
        assert_eq!(clock_time(9 * 60 + 5).as_deref(), Some("9:05"));
        assert_eq!(clock_time(24 * 60), None);
    }
}
