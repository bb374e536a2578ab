//! Unanswerable questions: facts about people, places and works that do not exist, with
//! four plausible options of the answer's kind (years, place names, goods, instruments,
//! heights, titles). The names are built from syllables chosen to read as names but not
//! as English words; they are not checked against a dictionary of real names, so a rare
//! accidental match with something real is possible, but the question's combination of
//! person, role and place is not.

use super::{Draft, four_distinct, sample};
use crate::rng::SplitMix64;

const SYLLABLES: [&str; 30] = [
    "vor", "tel", "laq", "mirr", "quen", "dral", "ith", "zan", "oss", "bre", "kael", "thu", "yr",
    "vesh", "gol", "nim", "sarn", "ulv", "fenn", "cor", "esk", "tav", "rhu", "pell", "wyn", "dask",
    "omb", "iv", "hald", "zeph",
];

const ROLES: [&str; 8] = [
    "poet",
    "painter",
    "composer",
    "sculptor",
    "astronomer",
    "mapmaker",
    "philosopher",
    "architect",
];

const GOODS: [&str; 12] = [
    "wool",
    "copper",
    "tea",
    "salt",
    "timber",
    "cotton",
    "tin",
    "rice",
    "olive oil",
    "silk",
    "coffee",
    "marble",
];

const INSTRUMENTS: [&str; 8] = [
    "violin", "flute", "cello", "harp", "oboe", "lute", "trumpet", "piano",
];

const TITLE_ADJECTIVES: [&str; 10] = [
    "Silent", "Amber", "Hollow", "Last", "Winter", "Glass", "Distant", "Crimson", "Quiet",
    "Northern",
];

const TITLE_NOUNS: [&str; 10] = [
    "Harbour", "Garden", "Tower", "Orchard", "Lantern", "Road", "Bell", "River", "Mirror", "Island",
];

/// A made-up name of `min..=max` syllables, capitalised: "Tellaq", "Quenvorith".
fn name(rng: &mut SplitMix64, min: i64, max: i64) -> String {
    let count = rng.in_range(min, max);
    let word: String = (0..count)
        .map(|_| {
            SYLLABLES
                .get(rng.index(SYLLABLES.len()))
                .copied()
                .unwrap_or("vor")
        })
        .collect();
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A made-up person: given name and family name, "Tellaq Mirrvor".
fn person(rng: &mut SplitMix64) -> String {
    format!("{} {}", name(rng, 2, 2), name(rng, 1, 2))
}

/// A made-up place: "Vornesk".
fn place(rng: &mut SplitMix64) -> String {
    name(rng, 2, 3)
}

/// Four distinct years in `low..=high`.
fn years(rng: &mut SplitMix64, low: i64, high: i64) -> [String; 4] {
    four_distinct(rng, |rng| rng.in_range(low, high).to_string())
}

/// Four distinct entries of a word list.
fn four_of(rng: &mut SplitMix64, list: &[&str]) -> [String; 4] {
    let picked = sample(rng, list, 4);
    std::array::from_fn(|at| {
        picked
            .get(at)
            .map(|word| (*word).to_string())
            .unwrap_or_default()
    })
}

/// An unanswerable draft: four plausible options, none of them right.
pub(super) fn draft(rng: &mut SplitMix64) -> Draft {
    match rng.below(8) {
        0 => {
            let role = ROLES.get(rng.index(ROLES.len())).copied().unwrap_or("poet");
            let (who, from) = (person(rng), place(rng));
            Draft {
                form: "birth_year",
                text: format!("In which year was {who}, the {role} from {from}, born?"),
                options: years(rng, 1650, 1950),
            }
        }
        1 => {
            let options = four_distinct(rng, place);
            let nation = options_free_name(rng, &options);
            Draft {
                form: "capital",
                text: format!("What is the capital city of the island nation of {nation}?"),
                options,
            }
        }
        2 => {
            let (town, region) = (place(rng), place(rng));
            Draft {
                form: "river",
                text: format!("Which river flows through the town of {town} in {region}?"),
                options: four_distinct(rng, |rng| format!("the {}", name(rng, 2, 2))),
            }
        }
        3 => {
            let province = place(rng);
            Draft {
                form: "export",
                text: format!("What is the main export of the province of {province}?"),
                options: four_of(rng, &GOODS),
            }
        }
        4 => {
            let (who, from) = (person(rng), place(rng));
            Draft {
                form: "instrument",
                text: format!("Which instrument did {who}, the famous musician from {from}, play?"),
                options: four_of(rng, &INSTRUMENTS),
            }
        }
        5 => {
            let (mountain, region) = (name(rng, 2, 2), place(rng));
            Draft {
                form: "height",
                text: format!("How high is Mount {mountain} in {region}?"),
                options: four_distinct(rng, |rng| {
                    format!("{} metres", rng.in_range(120, 480) * 10)
                }),
            }
        }
        6 => {
            let (town, region) = (place(rng), place(rng));
            Draft {
                form: "founded",
                text: format!("In which year was the town of {town} in {region} founded?"),
                options: years(rng, 900, 1900),
            }
        }
        _ => {
            let (who, from) = (person(rng), place(rng));
            Draft {
                form: "first_novel",
                text: format!(
                    "What was the title of the first novel by {who}, the writer from {from}?"
                ),
                options: four_distinct(rng, |rng| {
                    let adjective = TITLE_ADJECTIVES
                        .get(rng.index(TITLE_ADJECTIVES.len()))
                        .copied()
                        .unwrap_or("Silent");
                    let noun = TITLE_NOUNS
                        .get(rng.index(TITLE_NOUNS.len()))
                        .copied()
                        .unwrap_or("Harbour");
                    format!("The {adjective} {noun}")
                }),
            }
        }
    }
}

/// A place name that is not one of `options`, so a capital question never offers the
/// nation's own name.
fn options_free_name(rng: &mut SplitMix64, options: &[String]) -> String {
    let mut candidate = place(rng);
    let mut attempts = 0;
    while options.contains(&candidate) && attempts < 64 {
        candidate = place(rng);
        attempts += 1;
    }
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_capitalised_words() {
        let mut rng = SplitMix64::new(2);
        for _ in 0..200 {
            let who = person(&mut rng);
            let parts: Vec<&str> = who.split(' ').collect();
            assert_eq!(parts.len(), 2, "{who}");
            for part in parts {
                assert!(part.chars().next().is_some_and(char::is_uppercase), "{who}");
                assert!(part.chars().skip(1).all(char::is_lowercase), "{who}");
                assert!(part.len() >= 2, "{who}");
            }
        }
    }

    #[test]
    fn capital_questions_do_not_offer_the_nation() {
        let mut rng = SplitMix64::new(8);
        let mut seen = 0;
        for _ in 0..400 {
            let draft = draft(&mut rng);
            if draft.form == "capital" {
                seen += 1;
                let nation = draft
                    .text
                    .strip_prefix("What is the capital city of the island nation of ")
                    .and_then(|rest| rest.strip_suffix('?'))
                    .unwrap();
                assert!(
                    draft.options.iter().all(|city| city != nation),
                    "{}: {:?}",
                    draft.text,
                    draft.options
                );
            }
        }
        assert!(seen > 20);
    }
}
