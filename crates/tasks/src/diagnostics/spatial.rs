//! Spatial reasoning: people in a row from shuffled neighbour facts, boxes in a stack,
//! compass heading after turns, where a walk ends up (direction or distance), and the
//! direction between two places on a street map.
//!
//! Every answer is computed from positions the generator lays out; the facts given are
//! exactly enough to recover them.

use super::words::{COLOURS, NAMES};
use super::{Draft, SplitMix64, capitalize, join_and, pick, pick_distinct, range, strings};

const TEMPLATES: [&str; 6] = [
    "row",
    "stack",
    "compass",
    "walk_direction",
    "walk_distance",
    "map",
];

/// Draws one spatial item.
pub(super) fn draft(rng: &mut SplitMix64) -> Option<Draft> {
    match pick(rng, &TEMPLATES) {
        "row" => row(rng),
        "stack" => stack(rng),
        "compass" => compass(rng),
        "walk_direction" => walk(rng, false),
        "walk_distance" => walk(rng, true),
        _ => map(rng),
    }
}

/// The eight directions, clockwise from north; index `2 * k` is a compass point.
const DIRECTIONS: [&str; 8] = [
    "north",
    "north-east",
    "east",
    "south-east",
    "south",
    "south-west",
    "west",
    "north-west",
];

/// The direction of `(dx, dy)` (east and north positive) when it is exactly one of the
/// eight: along an axis or on a diagonal. `None` otherwise (or for no movement).
fn direction_of(dx: i64, dy: i64) -> Option<usize> {
    if dx == 0 && dy == 0 || (dx != 0 && dy != 0 && dx.abs() != dy.abs()) {
        return None;
    }
    Some(match (dx.signum(), dy.signum()) {
        (0, 1) => 0,
        (1, 1) => 1,
        (1, 0) => 2,
        (1, -1) => 3,
        (0, -1) => 4,
        (-1, -1) => 5,
        (-1, 0) => 6,
        _ => 7,
    })
}

/// The direction's opposite and its two neighbours: the likely confusions.
fn confusions(direction: usize) -> Vec<String> {
    [
        direction + 4,
        direction + 1,
        direction + 7,
        direction + 2,
        direction + 6,
    ]
    .into_iter()
    .map(|at| DIRECTIONS[at % 8].to_string())
    .collect()
}

fn row(rng: &mut SplitMix64) -> Option<Draft> {
    let n = range(rng, 4, 6);
    // order[0] is leftmost.
    let order = pick_distinct(rng, &NAMES, n);
    let mut facts: Vec<String> = order
        .windows(2)
        .map(|pair| {
            if rng.below(2) == 0 {
                format!("{} stands immediately to the left of {}.", pair[0], pair[1])
            } else {
                format!(
                    "{} stands immediately to the right of {}.",
                    pair[1], pair[0]
                )
            }
        })
        .collect();
    rng.shuffle(&mut facts);
    let context = format!(
        "{} stand in a row. {}",
        join_and(&strings(pick_distinct(rng, &order, n))),
        facts.join(" ")
    );
    let at = rng.index(n);
    let name = *order.get(at)?;
    let (question, answer) = match rng.below(5) {
        0 => (
            "Who stands at the far left of the row?".to_string(),
            *order.first()?,
        ),
        1 => (
            "Who stands at the far right of the row?".to_string(),
            *order.last()?,
        ),
        2 if at + 1 < n => (
            format!("Who stands immediately to the right of {name}?"),
            *order.get(at + 1)?,
        ),
        3 if at >= 1 => (
            format!("Who stands immediately to the left of {name}?"),
            *order.get(at - 1)?,
        ),
        _ if at + 2 < n => (
            format!("Who stands two places to the right of {name}?"),
            *order.get(at + 2)?,
        ),
        _ => ("Who is second from the left?".to_string(), *order.get(1)?),
    };
    Draft::new(
        rng,
        "row",
        context,
        question,
        answer.to_string(),
        Vec::new(),
        strings(order),
    )
}

fn stack(rng: &mut SplitMix64) -> Option<Draft> {
    let n = range(rng, 4, 5);
    // order[0] is on top.
    let colours = pick_distinct(rng, &COLOURS, n);
    let boxes: Vec<String> = colours.iter().map(|c| format!("the {c} box")).collect();
    let mut facts: Vec<String> = boxes
        .windows(2)
        .map(|pair| {
            if rng.below(2) == 0 {
                capitalize(&format!("{} is directly on top of {}.", pair[0], pair[1]))
            } else {
                capitalize(&format!("{} is directly under {}.", pair[1], pair[0]))
            }
        })
        .collect();
    rng.shuffle(&mut facts);
    let context = format!("{n} boxes are stacked in one pile. {}", facts.join(" "));
    let at = rng.index(n);
    let named = boxes.get(at)?;
    let question_and_answer = match rng.below(5) {
        0 => Some((
            "Which box is at the bottom of the pile?".to_string(),
            boxes.last()?.clone(),
        )),
        1 => Some((
            "Which box is at the top of the pile?".to_string(),
            boxes.first()?.clone(),
        )),
        2 if at >= 1 => Some((
            format!("Which box is directly above {named}?"),
            boxes.get(at - 1)?.clone(),
        )),
        3 if at + 1 < n => Some((
            format!("Which box is directly below {named}?"),
            boxes.get(at + 1)?.clone(),
        )),
        _ => None,
    };
    let (question, answer, pool) = match question_and_answer {
        Some((question, answer)) => (
            question,
            capitalize(&answer),
            boxes.iter().map(|b| capitalize(b)).collect(),
        ),
        None => (
            format!("How many boxes are above {named}?"),
            at.to_string(),
            strings(0..n),
        ),
    };
    Draft::new(rng, "stack", context, question, answer, Vec::new(), pool)
}

const RIGHT_TURNS: [&str; 3] = [
    "turns right",
    "makes a quarter turn to the right",
    "turns 90 degrees clockwise",
];
const LEFT_TURNS: [&str; 3] = [
    "turns left",
    "makes a quarter turn to the left",
    "turns 90 degrees anticlockwise",
];
const HALF_TURNS: [&str; 2] = ["turns around", "makes a half turn"];

fn compass(rng: &mut SplitMix64) -> Option<Draft> {
    let name = pick(rng, &NAMES);
    let start = 2 * rng.index(4);
    let n_turns = range(rng, 1, 4);
    let mut heading = start;
    let mut turns = Vec::with_capacity(n_turns);
    for _ in 0..n_turns {
        let (words, quarter_turns) = match rng.below(5) {
            0 | 1 => (pick(rng, &RIGHT_TURNS), 1),
            2 | 3 => (pick(rng, &LEFT_TURNS), 3),
            _ => (pick(rng, &HALF_TURNS), 2),
        };
        heading = (heading + 2 * quarter_turns) % 8;
        turns.push(words.to_string());
    }
    let context = format!(
        "{name} stands facing {}. Then {name} {}.",
        DIRECTIONS[start],
        turns.join(", then ")
    );
    let compass_points: Vec<String> = (0..4).map(|k| DIRECTIONS[2 * k].to_string()).collect();
    Draft::new(
        rng,
        "compass",
        context,
        format!("Which direction is {name} facing now?"),
        DIRECTIONS[heading].to_string(),
        Vec::new(),
        compass_points,
    )
}

fn blocks(n: i64) -> String {
    if n == 1 {
        "1 block".to_string()
    } else {
        format!("{n} blocks")
    }
}

fn walk(rng: &mut SplitMix64, distance: bool) -> Option<Draft> {
    let name = pick(rng, &NAMES);
    let n_legs = range(rng, 2, 4);
    let mut legs = Vec::with_capacity(n_legs);
    let (mut dx, mut dy, mut walked) = (0i64, 0i64, 0i64);
    for _ in 0..n_legs {
        let direction = 2 * rng.index(4);
        let length = rng.in_range(1, 5);
        match direction {
            0 => dy += length,
            2 => dx += length,
            4 => dy -= length,
            _ => dx -= length,
        }
        walked += length;
        legs.push(format!("{} {}", blocks(length), DIRECTIONS[direction]));
    }
    let context = format!(
        "{name} starts at a street corner and walks {}.",
        legs.join(", then ")
    );
    if distance {
        // Only a straight-line result has a whole-block distance.
        if dx != 0 && dy != 0 || dx == 0 && dy == 0 {
            return None;
        }
        let away = dx.abs() + dy.abs();
        let slips = [walked, away + 1, away - 1, away + 2, away * 2];
        return Draft::new(
            rng,
            "walk_distance",
            context,
            format!("How many blocks is {name} now from the starting corner, in a straight line?"),
            away.to_string(),
            strings(slips.into_iter().filter(|v| *v > 0)),
            Vec::new(),
        );
    }
    let direction = direction_of(dx, dy)?;
    Draft::new(
        rng,
        "walk_direction",
        context,
        format!("In which direction is {name} now from the starting corner?"),
        DIRECTIONS[direction].to_string(),
        confusions(direction),
        Vec::new(),
    )
}

const PLACES: [&str; 10] = [
    "bakery",
    "bank",
    "school",
    "library",
    "park",
    "post office",
    "museum",
    "station",
    "hospital",
    "cinema",
];

fn map(rng: &mut SplitMix64) -> Option<Draft> {
    let n = range(rng, 3, 4);
    let places = pick_distinct(rng, &PLACES, n);
    let mut positions: Vec<(i64, i64)> = vec![(0, 0)];
    let mut facts = Vec::new();
    for at in 1..n {
        let from = rng.index(at);
        let direction = 2 * rng.index(4);
        let length = rng.in_range(1, 2);
        let (x, y) = *positions.get(from)?;
        let position = match direction {
            0 => (x, y + length),
            2 => (x + length, y),
            4 => (x, y - length),
            _ => (x - length, y),
        };
        if positions.contains(&position) {
            return None;
        }
        positions.push(position);
        facts.push(format!(
            "The {} is {} {} of the {}.",
            places.get(at)?,
            blocks(length),
            DIRECTIONS[direction],
            places.get(from)?
        ));
    }
    rng.shuffle(&mut facts);
    // A pair not stated directly, whose direction is exact.
    let mut pairs: Vec<(usize, usize)> = (0..n)
        .flat_map(|a| (0..n).map(move |b| (a, b)))
        .filter(|(a, b)| a != b)
        .collect();
    rng.shuffle(&mut pairs);
    let (a, b, direction) = pairs.into_iter().find_map(|(a, b)| {
        let (pa, pb) = (positions.get(a)?, positions.get(b)?);
        let stated = facts.iter().any(|fact| {
            fact.contains(&format!("The {} is", places[a]))
                && fact.ends_with(&format!("of the {}.", places[b]))
        });
        let direction = direction_of(pa.0 - pb.0, pa.1 - pb.1)?;
        (!stated).then_some((a, b, direction))
    })?;
    Draft::new(
        rng,
        "map",
        facts.join(" "),
        format!(
            "In which direction is the {} from the {}?",
            places.get(a)?,
            places.get(b)?
        ),
        DIRECTIONS[direction].to_string(),
        confusions(direction),
        Vec::new(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directions() {
        assert_eq!(direction_of(0, 3), Some(0));
        assert_eq!(direction_of(2, 2), Some(1));
        assert_eq!(direction_of(-1, 1), Some(7));
        assert_eq!(direction_of(-4, -4), Some(5));
        assert_eq!(direction_of(2, 1), None);
        assert_eq!(direction_of(0, 0), None);
        assert_eq!(confusions(0)[0], "south");
    }

    /// Replays a compass item's turns from the text.
    #[test]
    fn compass_answers_replay_from_the_text() {
        let mut rng = SplitMix64::new(17);
        for _ in 0..200 {
            let draft = compass(&mut rng).unwrap();
            let start_word = draft
                .context
                .split("facing ")
                .nth(1)
                .unwrap()
                .split('.')
                .next()
                .unwrap();
            let mut heading = DIRECTIONS.iter().position(|d| *d == start_word).unwrap();
            let turns = draft.context.split(". Then ").nth(1).unwrap();
            for turn in turns.split(", then ") {
                if turn.contains("right") || turn.contains(" clockwise") {
                    heading += 2;
                } else if turn.contains("left") || turn.contains("anticlockwise") {
                    heading += 6;
                } else {
                    assert!(turn.contains("around") || turn.contains("half"), "{turn}");
                    heading += 4;
                }
            }
            assert_eq!(draft.answer, DIRECTIONS[heading % 8], "{draft:?}");
        }
    }

    /// Replays a walk from the text and checks direction or distance.
    #[test]
    fn walks_replay_from_the_text() {
        let mut rng = SplitMix64::new(19);
        let mut checked = 0;
        while checked < 200 {
            let distance = checked % 2 == 0;
            let Some(draft) = walk(&mut rng, distance) else {
                continue;
            };
            let (mut x, mut y) = (0i64, 0i64);
            let route = draft
                .context
                .split(" walks ")
                .nth(1)
                .unwrap()
                .trim_end_matches('.');
            for leg in route.split(", then ") {
                let (count, direction) = leg.split_once(' ').unwrap();
                let n: i64 = count.parse().unwrap();
                match direction.rsplit(' ').next().unwrap() {
                    "north" => y += n,
                    "south" => y -= n,
                    "east" => x += n,
                    "west" => x -= n,
                    other => panic!("{other}"),
                }
            }
            if distance {
                assert_eq!(draft.answer, (x.abs() + y.abs()).to_string());
                assert!(x == 0 || y == 0);
            } else {
                let want = match (x.signum(), y.signum()) {
                    (0, 1) => "north",
                    (0, -1) => "south",
                    (1, 0) => "east",
                    (-1, 0) => "west",
                    (1, 1) => "north-east",
                    (1, -1) => "south-east",
                    (-1, 1) => "north-west",
                    _ => "south-west",
                };
                assert_eq!(draft.answer, want, "{draft:?}");
                assert!(x == 0 || y == 0 || x.abs() == y.abs());
            }
            checked += 1;
        }
    }

    /// Rebuilds the row from the neighbour facts and checks the answer.
    #[test]
    fn rows_rebuild_from_the_facts() {
        let mut rng = SplitMix64::new(23);
        for _ in 0..200 {
            let draft = row(&mut rng).unwrap();
            // left_of[a] = b when a stands immediately left of b.
            let mut left_of: Vec<(String, String)> = Vec::new();
            for fact in draft.context.split(". ").skip(1) {
                let fact = fact.trim_end_matches('.');
                if let Some((a, b)) = fact.split_once(" stands immediately to the left of ") {
                    left_of.push((a.into(), b.into()));
                } else if let Some((b, a)) = fact.split_once(" stands immediately to the right of ")
                {
                    left_of.push((a.into(), b.into()));
                }
            }
            let leftmost = left_of
                .iter()
                .map(|(a, _)| a)
                .find(|a| !left_of.iter().any(|(_, b)| b == *a))
                .unwrap()
                .clone();
            let mut order = vec![leftmost];
            while let Some((_, next)) = left_of.iter().find(|(a, _)| a == order.last().unwrap()) {
                order.push(next.clone());
            }
            let q = &draft.question;
            let position = |name: &str| order.iter().position(|x| x == name).unwrap();
            let named = order.iter().find(|name| q.contains(name.as_str()));
            let want = if q.contains("far left") {
                order[0].clone()
            } else if q.contains("far right") {
                order.last().unwrap().clone()
            } else if q.contains("second from the left") {
                order[1].clone()
            } else if q.contains("two places to the right") {
                order[position(named.unwrap()) + 2].clone()
            } else if q.contains("immediately to the right") {
                order[position(named.unwrap()) + 1].clone()
            } else {
                assert!(q.contains("immediately to the left"));
                order[position(named.unwrap()) - 1].clone()
            };
            assert_eq!(draft.answer, want, "{draft:?}");
        }
    }
}
