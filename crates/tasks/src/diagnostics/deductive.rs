//! Deduction from stated rules about invented kinds of things, so that no world knowledge
//! helps: syllogisms with distractor rules, one-to-three-step chains, modus tollens over
//! kinds, modus ponens and tollens over conditionals (and the converse fallacy, whose
//! right answer is that nothing follows), elimination, and transitive comparisons.
//!
//! Every answer is computed from the rules the item states.

use super::words::{COLOURS, NAMES};
use super::{Draft, SplitMix64, capitalize, join_or, pick, pick_distinct, range, strings};

/// Invented kind names (plural: add "s").
const KINDS: [&str; 16] = [
    "blicket", "wug", "dov", "fep", "zorp", "glim", "toma", "krell", "vop", "snib", "yimp",
    "florp", "quib", "marp", "teg", "lorn",
];

/// Things a person owns, for "{N}'s {thing}".
const THINGS: [&str; 10] = [
    "toy", "box", "stone", "ball", "lamp", "hat", "cup", "kite", "shell", "coin",
];

/// Two-state facts: (subject, state, opposite state).
const ATOMS: [(&str, &str, &str); 12] = [
    ("lamp", "on", "off"),
    ("door", "open", "closed"),
    ("bell", "ringing", "silent"),
    ("fan", "spinning", "still"),
    ("gate", "locked", "unlocked"),
    ("tap", "running", "dry"),
    ("signal", "green", "red"),
    ("alarm", "sounding", "quiet"),
    ("window", "open", "shut"),
    ("oven", "hot", "cold"),
    ("flag", "raised", "lowered"),
    ("screen", "bright", "dark"),
];

const PLACES: [&str; 9] = [
    "the box",
    "the drawer",
    "the bag",
    "the basket",
    "the cupboard",
    "the backpack",
    "the jar",
    "the shoebox",
    "the suitcase",
];

const LOST_THINGS: [&str; 8] = [
    "key", "ring", "coin", "letter", "watch", "marble", "ticket", "pencil",
];

/// (comparative, its opposite, superlative, opposite superlative).
const COMPARISONS: [(&str, &str, &str, &str); 4] = [
    ("taller", "shorter", "tallest", "shortest"),
    ("older", "younger", "oldest", "youngest"),
    ("faster", "slower", "fastest", "slowest"),
    ("heavier", "lighter", "heaviest", "lightest"),
];

const TEMPLATES: [&str; 7] = [
    "syllogism",
    "chain",
    "which_kind",
    "ponens",
    "tollens",
    "elimination",
    "transitive",
];

/// Draws one deduction item.
pub(super) fn draft(rng: &mut SplitMix64) -> Option<Draft> {
    match pick(rng, &TEMPLATES) {
        "syllogism" => syllogism(rng),
        "chain" => chain(rng),
        "which_kind" => which_kind(rng),
        "ponens" => ponens(rng),
        "tollens" => tollens(rng),
        "elimination" => elimination(rng),
        _ => transitive(rng),
    }
}

fn plural(kind: &str) -> String {
    format!("{kind}s")
}

/// "All wugs are red." in one of three wordings.
fn colour_rule(rng: &mut SplitMix64, kind: &str, colour: &str) -> String {
    match rng.below(3) {
        0 => format!("All {} are {colour}.", plural(kind)),
        1 => format!("Every {kind} is {colour}."),
        _ => format!("{} are always {colour}.", capitalize(&plural(kind))),
    }
}

/// "All wugs are daxes." in one of two wordings.
fn kind_rule(rng: &mut SplitMix64, kind: &str, wider: &str) -> String {
    if rng.below(2) == 0 {
        format!("All {} are {}.", plural(kind), plural(wider))
    } else {
        format!("Every {kind} is a {wider}.")
    }
}

const ONE_COLOUR: &str = "Everything here has exactly one colour.";

/// One step: the object's kind has a colour; other kinds have others.
fn syllogism(rng: &mut SplitMix64) -> Option<Draft> {
    let n_rules = range(rng, 3, 4);
    let kinds = pick_distinct(rng, &KINDS, n_rules);
    let colours = pick_distinct(rng, &COLOURS, n_rules);
    let name = pick(rng, &NAMES);
    let thing = pick(rng, &THINGS);
    let mut rules: Vec<String> = kinds
        .iter()
        .zip(&colours)
        .map(|(kind, colour)| colour_rule(rng, kind, colour))
        .collect();
    rng.shuffle(&mut rules);
    let kind = *kinds.first()?;
    let context = format!(
        "{ONE_COLOUR} {} {name}'s {thing} is a {kind}.",
        rules.join(" ")
    );
    Draft::new(
        rng,
        "syllogism",
        context,
        format!("What colour is {name}'s {thing}?"),
        colours.first()?.to_string(),
        strings(colours.iter().skip(1)),
        strings(COLOURS),
    )
}

/// Two or three steps through wider kinds, with an unlinked chain beside it.
fn chain(rng: &mut SplitMix64) -> Option<Draft> {
    let depth = range(rng, 2, 3);
    // depth + 1 kinds on the object's chain, two on a distractor chain, one loose.
    let kinds = pick_distinct(rng, &KINDS, depth + 4);
    let colours = pick_distinct(rng, &COLOURS, 3);
    let name = pick(rng, &NAMES);
    let thing = pick(rng, &THINGS);
    let (path, others) = kinds.split_at(depth + 1);
    let mut rules = Vec::new();
    for pair in path.windows(2) {
        rules.push(kind_rule(rng, pair[0], pair[1]));
    }
    let top = *path.last()?;
    rules.push(colour_rule(rng, top, colours.first()?));
    let (w0, w1, loose) = (*others.first()?, *others.get(1)?, *others.get(2)?);
    rules.push(kind_rule(rng, w0, w1));
    rules.push(colour_rule(rng, w1, colours.get(1)?));
    rules.push(colour_rule(rng, loose, colours.get(2)?));
    rng.shuffle(&mut rules);
    let context = format!(
        "{ONE_COLOUR} {} {name}'s {thing} is a {}.",
        rules.join(" "),
        path.first()?
    );
    Draft::new(
        rng,
        "chain",
        context,
        format!("What colour is {name}'s {thing}?"),
        colours.first()?.to_string(),
        strings(colours.iter().skip(1)),
        strings(COLOURS),
    )
}

/// Modus tollens over kinds: the colour rules out every kind but one.
fn which_kind(rng: &mut SplitMix64) -> Option<Draft> {
    let kinds = pick_distinct(rng, &KINDS, 4);
    let colours = pick_distinct(rng, &COLOURS, 4);
    let name = pick(rng, &NAMES);
    let thing = pick(rng, &THINGS);
    let mut rules: Vec<String> = kinds
        .iter()
        .zip(&colours)
        .map(|(kind, colour)| colour_rule(rng, kind, colour))
        .collect();
    rng.shuffle(&mut rules);
    let target = rng.index(kinds.len());
    let context = format!(
        "{ONE_COLOUR} {} {name}'s {thing} is {}.",
        rules.join(" "),
        colours.get(target)?
    );
    let options: Vec<String> = kinds.iter().map(|kind| format!("a {kind}")).collect();
    Draft::new(
        rng,
        "which_kind",
        context,
        format!("Of the kinds named in the rules, which one could {name}'s {thing} be?"),
        options.get(target)?.clone(),
        options,
        Vec::new(),
    )
}

fn state_sentence(atom: (&str, &str, &str), holds: bool) -> String {
    let (subject, state, opposite) = atom;
    format!("the {subject} is {}", if holds { state } else { opposite })
}

/// Modus ponens through one to three conditionals, with rules whose conditions are false.
fn ponens(rng: &mut SplitMix64) -> Option<Draft> {
    let depth = range(rng, 1, 3);
    let atoms = pick_distinct(rng, &ATOMS, depth);
    let balls = pick_distinct(rng, &COLOURS, 4);
    let mut rules = Vec::new();
    for pair in atoms.windows(2) {
        rules.push(format!(
            "If {}, then {}.",
            state_sentence(pair[0], true),
            state_sentence(pair[1], true)
        ));
    }
    let last = *atoms.last()?;
    let ball = |at: usize| -> Option<String> { Some(format!("the {} ball", balls.get(at)?)) };
    rules.push(format!(
        "If {}, the robot picks up {}.",
        state_sentence(last, true),
        ball(0)?
    ));
    // Rules whose conditions are the opposites of derived facts: they never fire.
    let n_decoys = range(rng, 1, depth);
    for (at, atom) in atoms.iter().take(n_decoys).enumerate() {
        rules.push(format!(
            "If {}, the robot picks up {}.",
            state_sentence(*atom, false),
            ball(at + 1)?
        ));
    }
    rng.shuffle(&mut rules);
    let first = *atoms.first()?;
    let context = format!(
        "The robot always picks up exactly one ball. {} Right now, {}.",
        rules.join(" "),
        state_sentence(first, true)
    );
    let wrong: Vec<String> = (1..4).filter_map(ball).collect();
    Draft::new(
        rng,
        "ponens",
        context,
        "Which ball does the robot pick up?".to_string(),
        ball(0)?,
        wrong,
        Vec::new(),
    )
}

/// Modus tollens (the first fact is false) or the converse fallacy (nothing follows).
fn tollens(rng: &mut SplitMix64) -> Option<Draft> {
    let depth = range(rng, 1, 3);
    let atoms = pick_distinct(rng, &ATOMS, depth + 1);
    let mut rules = Vec::new();
    for pair in atoms.windows(2) {
        rules.push(format!(
            "If {}, then {}.",
            state_sentence(pair[0], true),
            state_sentence(pair[1], true)
        ));
    }
    rng.shuffle(&mut rules);
    let first = *atoms.first()?;
    let last = *atoms.last()?;
    let converse = rng.below(3) == 0;
    let observed = state_sentence(last, converse);
    let context = format!("{} It is known that {observed}.", rules.join(" "));
    let subject = first.0;
    // Options carry no final full stop: the answer turn adds one.
    let holds = capitalize(&state_sentence(first, true));
    let fails = capitalize(&state_sentence(first, false));
    let unknown = format!("Nothing certain follows about the {subject}");
    let contradiction = capitalize(&format!(
        "{} and {}",
        state_sentence(first, true),
        state_sentence(last, false)
    ));
    let (answer, wrong) = if converse {
        (unknown, vec![holds, fails, contradiction])
    } else {
        (fails, vec![holds, unknown, contradiction])
    };
    Draft::new(
        rng,
        "tollens",
        context,
        format!("What must be true about the {subject}?"),
        answer,
        wrong,
        Vec::new(),
    )
}

/// Elimination: exactly one place is left.
fn elimination(rng: &mut SplitMix64) -> Option<Draft> {
    let n_places = range(rng, 3, 5);
    let places = pick_distinct(rng, &PLACES, n_places + 1);
    let (listed, unlisted) = places.split_at(n_places);
    let people = pick_distinct(rng, &NAMES, 2);
    let (name, helper) = (*people.first()?, *people.get(1)?);
    let lost = pick(rng, &LOST_THINGS);
    let target = rng.index(n_places);
    let mut clues: Vec<String> = listed
        .iter()
        .enumerate()
        .filter(|(at, _)| *at != target)
        .map(|(_, place)| {
            if rng.below(2) == 0 {
                format!("It is not in {place}.")
            } else {
                format!("{helper} looked in {place} and it was not there.")
            }
        })
        .collect();
    rng.shuffle(&mut clues);
    let context = format!(
        "{name}'s {lost} is in exactly one of these places: {}. {}",
        join_or(&strings(listed)),
        clues.join(" ")
    );
    let answer = listed.get(target)?.to_string();
    let wrong: Vec<String> = listed
        .iter()
        .chain(unlisted)
        .filter(|place| **place != answer)
        .map(|place| place.to_string())
        .collect();
    Draft::new(
        rng,
        "elimination",
        context,
        format!("Where is {name}'s {lost}?"),
        capitalize(&answer),
        strings(wrong.iter().map(|place| capitalize(place))),
        Vec::new(),
    )
}

/// Transitivity: adjacent comparisons in a shuffled order; who is at an end, or second.
fn transitive(rng: &mut SplitMix64) -> Option<Draft> {
    let n = range(rng, 4, 5);
    // order[0] has the most of the quality.
    let order = pick_distinct(rng, &NAMES, n);
    let (more, less, most, least) = pick(rng, &COMPARISONS);
    let mut facts: Vec<String> = order
        .windows(2)
        .map(|pair| {
            if rng.below(2) == 0 {
                format!("{} is {more} than {}.", pair[0], pair[1])
            } else {
                format!("{} is {less} than {}.", pair[1], pair[0])
            }
        })
        .collect();
    rng.shuffle(&mut facts);
    let (question, answer) = match rng.below(4) {
        0 => (format!("Who is the {most}?"), *order.first()?),
        1 => (format!("Who is the {least}?"), *order.last()?),
        2 => (format!("Who is the second {most}?"), *order.get(1)?),
        _ => (format!("Who is the second {least}?"), *order.get(n - 2)?),
    };
    Draft::new(
        rng,
        "transitive",
        facts.join(" "),
        question,
        answer.to_string(),
        Vec::new(),
        strings(order),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Re-derives a colour answer from the text alone: follow "X is a Y" links from the
    /// object's kind until a colour rule, the way a reader would.
    fn colour_by_reading(context: &str) -> Option<String> {
        let sentences: Vec<&str> = context
            .split(". ")
            .map(|s| s.trim_end_matches('.'))
            .collect();
        let mut kind = sentences.last()?.rsplit(" is a ").next()?.to_string();
        for _ in 0..8 {
            for sentence in &sentences {
                let s = sentence.to_lowercase();
                let plural_kind = format!("{kind}s");
                let about_kind = s.starts_with(&format!("all {plural_kind} are "))
                    || s.starts_with(&format!("every {kind} is "))
                    || s.starts_with(&format!("{plural_kind} are always "));
                if !about_kind {
                    continue;
                }
                let tail = s.rsplit(' ').next()?.trim_start_matches("a ").to_string();
                if COLOURS.contains(&tail.as_str()) {
                    return Some(tail);
                }
                kind = tail.trim_end_matches('s').to_string();
            }
        }
        None
    }

    #[test]
    fn colour_answers_follow_from_the_rules() {
        let mut rng = SplitMix64::new(3);
        let mut checked = 0;
        for _ in 0..300 {
            let Some(draft) = draft(&mut rng) else {
                continue;
            };
            if matches!(draft.template, "syllogism" | "chain") {
                assert_eq!(
                    colour_by_reading(&draft.context).as_deref(),
                    Some(draft.answer.as_str()),
                    "{draft:?}"
                );
                checked += 1;
            }
            if draft.template == "elimination" {
                // The answer is the one listed place no clue rules out.
                let place = draft.answer.to_lowercase();
                assert!(draft.context.contains(&place), "{draft:?}");
                assert!(!draft.context.contains(&format!("in {place} and")));
                assert!(!draft.context.contains(&format!("not in {place}.")));
            }
        }
        assert!(checked > 40, "{checked}");
    }

    #[test]
    fn transitive_order_is_recovered_from_the_facts() {
        let mut rng = SplitMix64::new(8);
        for _ in 0..100 {
            let draft = transitive(&mut rng).unwrap();
            // Count, per person, how many people they beat on the "more" side.
            let (more, less, most, least) = COMPARISONS
                .iter()
                .find(|(more, less, ..)| {
                    draft.context.contains(more) || draft.context.contains(less)
                })
                .copied()
                .unwrap();
            let mut edges: Vec<(String, String)> = Vec::new();
            for fact in draft.context.split(". ") {
                let fact = fact.trim_end_matches('.');
                if let Some((a, b)) = fact.split_once(&format!(" is {more} than ")) {
                    edges.push((a.into(), b.into()));
                } else if let Some((b, a)) = fact.split_once(&format!(" is {less} than ")) {
                    edges.push((a.into(), b.into()));
                }
            }
            let people: Vec<String> = {
                let mut all: Vec<String> = edges
                    .iter()
                    .flat_map(|(a, b)| [a.clone(), b.clone()])
                    .collect();
                all.sort();
                all.dedup();
                all
            };
            // Rank = number of people reachable downward (transitive closure).
            let below = |start: &str| -> usize {
                let mut seen = vec![start.to_string()];
                let mut frontier = vec![start.to_string()];
                while let Some(x) = frontier.pop() {
                    for (a, b) in &edges {
                        if *a == x && !seen.contains(b) {
                            seen.push(b.clone());
                            frontier.push(b.clone());
                        }
                    }
                }
                seen.len() - 1
            };
            let n = people.len();
            let rank_wanted = if draft.question.contains(&format!("second {most}")) {
                n - 2
            } else if draft.question.contains(&format!("second {least}")) {
                1
            } else if draft.question.contains(most) {
                n - 1
            } else {
                assert!(draft.question.contains(least));
                0
            };
            assert_eq!(below(&draft.answer), rank_wanted, "{draft:?}");
        }
    }
}
