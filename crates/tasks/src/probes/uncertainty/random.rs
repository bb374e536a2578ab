//! Irreducibly random questions: the outcome of a fair event with exactly four equally
//! likely outcomes, and the four options are those outcomes. Each question says the event
//! is fair (a fair die, a shuffled deck, equal sectors, equal chances), so the uniform
//! answer is the right belief and not a guess about unstated odds.

use super::{Draft, and_list, sample};
use crate::rng::SplitMix64;

const COLOURS: [&str; 10] = [
    "red", "blue", "green", "yellow", "orange", "purple", "white", "black", "pink", "brown",
];

const CARD_LABELS: [&str; 16] = [
    "apple", "anchor", "bell", "crown", "star", "moon", "tree", "fish", "key", "ship", "rose",
    "drum", "horse", "lamp", "sun", "shell",
];

const FIRST_NAMES: [&str; 16] = [
    "Ana", "Ben", "Cleo", "Dev", "Elif", "Farid", "Greta", "Hugo", "Ines", "Jonas", "Kemi", "Luca",
    "Mira", "Noor", "Omar", "Priya",
];

/// A random draft: four equally likely outcomes, in any order.
pub(super) fn draft(rng: &mut SplitMix64) -> Draft {
    match rng.below(7) {
        0 => Draft {
            form: "die",
            text: "A fair four-sided die with faces numbered 1 to 4 was rolled once. \
                   Which number did it show?"
                .to_string(),
            options: ["1", "2", "3", "4"].map(String::from),
        },
        1 => {
            let labels = sample(rng, &CARD_LABELS, 4);
            Draft {
                form: "card",
                text: format!(
                    "Four cards labelled {} were shuffled, and one card was drawn without \
                     looking. Which card was drawn?",
                    and_list(&labels)
                ),
                options: four(&labels),
            }
        }
        2 => {
            let colours = sample(rng, &COLOURS, 4);
            Draft {
                form: "spinner",
                text: format!(
                    "A spinner with four equal sectors coloured {} was spun once. On which \
                     colour did it stop?",
                    and_list(&colours)
                ),
                options: four(&colours),
            }
        }
        3 => Draft {
            form: "coins",
            text: "A fair coin was tossed twice. What were the two results, in order?".to_string(),
            options: [
                "heads, heads",
                "heads, tails",
                "tails, heads",
                "tails, tails",
            ]
            .map(String::from),
        },
        4 => {
            let colours = sample(rng, &COLOURS, 4);
            let ones: Vec<String> = colours
                .iter()
                .map(|colour| format!("one {colour}"))
                .collect();
            let ones: Vec<&str> = ones.iter().map(String::as_str).collect();
            Draft {
                form: "marble",
                text: format!(
                    "A bag holds four marbles of the same size and weight: {}. One marble \
                     was taken out without looking. What colour was it?",
                    and_list(&ones)
                ),
                options: four(&colours),
            }
        }
        5 => {
            let names = sample(rng, &FIRST_NAMES, 4);
            Draft {
                form: "lots",
                text: format!(
                    "{} drew lots to decide who would go first, each with the same chance. \
                     Who went first?",
                    and_list(&names)
                ),
                options: four(&names),
            }
        }
        _ => {
            let low = rng.in_range(1, 96);
            Draft {
                form: "random_number",
                text: format!(
                    "A computer picked a whole number from {low} to {} at random, each \
                     equally likely. Which number did it pick?",
                    low + 3
                ),
                options: std::array::from_fn(|at| (low + at as i64).to_string()),
            }
        }
    }
}

/// The four outcomes as owned options.
fn four(words: &[&str]) -> [String; 4] {
    std::array::from_fn(|at| {
        words
            .get(at)
            .map(|word| (*word).to_string())
            .unwrap_or_default()
    })
}
