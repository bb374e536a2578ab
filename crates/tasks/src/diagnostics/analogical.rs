//! Analogies: "A is to B as C is to ?" over eleven relations, asked in five forms, with
//! one to three example pairs, forwards or (for one-to-one relations) backwards.
//!
//! Distractors are the other pairs' answers of the same relation (a young animal for a
//! young animal), led by the near misses: the example pair's own answer, and for plurals
//! and past tenses the regular form a model might produce ("mouses", "goed").

use super::{Draft, SplitMix64, pick, pick_distinct, strings};

/// One relation: `(a, b)` pairs with `b` the relation's value for `a`.
struct Relation {
    pairs: &'static [(&'static str, &'static str)],
    /// Whether `b -> a` is also a function (every `a` and every `b` distinct), so the
    /// analogy can be asked backwards.
    reversible: bool,
    /// The wrong "regular" form of `a`, for plurals and past tenses.
    near_miss: Option<fn(&str) -> String>,
}

fn naive_plural(word: &str) -> String {
    if word.ends_with('x') || word.ends_with('s') {
        format!("{word}es")
    } else {
        format!("{word}s")
    }
}

fn naive_past(word: &str) -> String {
    if word.ends_with('e') {
        format!("{word}d")
    } else {
        format!("{word}ed")
    }
}

/// The relations. Each `a` has exactly one `b` here, and no `b` is also a fair answer
/// for another pair's `a` (no "dogs howl" next to "wolf: howl", no "cactuses", no
/// "chef: kitchen" next to "baker: bakery").
const RELATIONS: [Relation; 11] = [
    Relation {
        // Opposites.
        pairs: &[
            ("hot", "cold"),
            ("big", "small"),
            ("fast", "slow"),
            ("happy", "sad"),
            ("wet", "dry"),
            ("full", "empty"),
            ("early", "late"),
            ("rich", "poor"),
            ("hard", "soft"),
            ("loud", "quiet"),
            ("young", "old"),
            ("thick", "thin"),
            ("strong", "weak"),
            ("clean", "dirty"),
            ("deep", "shallow"),
            ("heavy", "light"),
            ("wide", "narrow"),
            ("brave", "cowardly"),
            ("tall", "short"),
        ],
        reversible: true,
        near_miss: None,
    },
    Relation {
        // Young of an animal.
        pairs: &[
            ("dog", "puppy"),
            ("cat", "kitten"),
            ("cow", "calf"),
            ("horse", "foal"),
            ("sheep", "lamb"),
            ("pig", "piglet"),
            ("duck", "duckling"),
            ("frog", "tadpole"),
            ("kangaroo", "joey"),
            ("bear", "cub"),
            ("deer", "fawn"),
            ("goose", "gosling"),
            ("swan", "cygnet"),
            ("chicken", "chick"),
        ],
        reversible: true,
        near_miss: None,
    },
    Relation {
        // Country and capital.
        pairs: &[
            ("France", "Paris"),
            ("Japan", "Tokyo"),
            ("Italy", "Rome"),
            ("Kenya", "Nairobi"),
            ("Peru", "Lima"),
            ("Norway", "Oslo"),
            ("Greece", "Athens"),
            ("Canada", "Ottawa"),
            ("Poland", "Warsaw"),
            ("Spain", "Madrid"),
            ("Germany", "Berlin"),
        ],
        reversible: true,
        near_miss: None,
    },
    Relation {
        // What a thing is made of.
        pairs: &[
            ("window", "glass"),
            ("tyre", "rubber"),
            ("candle", "wax"),
            ("sweater", "wool"),
            ("newspaper", "paper"),
            ("brick", "clay"),
            ("saddle", "leather"),
        ],
        reversible: false,
        near_miss: None,
    },
    Relation {
        // Irregular plurals.
        pairs: &[
            ("mouse", "mice"),
            ("child", "children"),
            ("foot", "feet"),
            ("tooth", "teeth"),
            ("man", "men"),
            ("woman", "women"),
            ("goose", "geese"),
            ("ox", "oxen"),
            ("leaf", "leaves"),
            ("knife", "knives"),
            ("wolf", "wolves"),
        ],
        reversible: true,
        near_miss: Some(naive_plural),
    },
    Relation {
        // Irregular past tenses.
        pairs: &[
            ("go", "went"),
            ("eat", "ate"),
            ("run", "ran"),
            ("write", "wrote"),
            ("take", "took"),
            ("sing", "sang"),
            ("swim", "swam"),
            ("drink", "drank"),
            ("fly", "flew"),
            ("buy", "bought"),
            ("think", "thought"),
            ("teach", "taught"),
            ("catch", "caught"),
            ("bring", "brought"),
            ("speak", "spoke"),
            ("drive", "drove"),
            ("break", "broke"),
            ("choose", "chose"),
            ("fall", "fell"),
            ("give", "gave"),
            ("begin", "began"),
        ],
        reversible: true,
        near_miss: Some(naive_past),
    },
    Relation {
        // Part and whole.
        pairs: &[
            ("page", "book"),
            ("petal", "flower"),
            ("finger", "hand"),
            ("toe", "foot"),
            ("feather", "bird"),
            ("room", "house"),
            ("spoke", "wheel"),
            ("bristle", "brush"),
            ("key", "piano"),
            ("fin", "fish"),
            ("yolk", "egg"),
            ("wick", "candle"),
        ],
        reversible: false,
        near_miss: None,
    },
    Relation {
        // Animal and its sound.
        pairs: &[
            ("dog", "bark"),
            ("cow", "moo"),
            ("duck", "quack"),
            ("lion", "roar"),
            ("horse", "neigh"),
            ("pig", "oink"),
            ("snake", "hiss"),
            ("bee", "buzz"),
            ("owl", "hoot"),
            ("frog", "croak"),
            ("mouse", "squeak"),
            ("sheep", "bleat"),
        ],
        reversible: true,
        near_miss: None,
    },
    Relation {
        // Worker and workplace.
        pairs: &[
            ("teacher", "school"),
            ("doctor", "hospital"),
            ("firefighter", "fire station"),
            ("farmer", "farm"),
            ("librarian", "library"),
            ("judge", "courtroom"),
            ("mechanic", "garage"),
            ("baker", "bakery"),
            ("pilot", "cockpit"),
            ("banker", "bank"),
        ],
        reversible: true,
        near_miss: None,
    },
    Relation {
        // Quantity and the instrument that measures it.
        pairs: &[
            ("temperature", "thermometer"),
            ("time", "clock"),
            ("weight", "scale"),
            ("length", "ruler"),
            ("speed", "speedometer"),
            ("air pressure", "barometer"),
            ("direction", "compass"),
            ("angle", "protractor"),
        ],
        reversible: true,
        near_miss: None,
    },
    Relation {
        // Tool and what it is for.
        pairs: &[
            ("knife", "cut"),
            ("pen", "write"),
            ("broom", "sweep"),
            ("shovel", "dig"),
            ("needle", "sew"),
            ("oven", "bake"),
            ("kettle", "boil"),
            ("soap", "wash"),
            ("ladder", "climb"),
        ],
        reversible: true,
        near_miss: None,
    },
];

/// Draws one analogy.
pub(super) fn draft(rng: &mut SplitMix64) -> Option<Draft> {
    let relation = &RELATIONS[rng.index(RELATIONS.len())];
    let backwards = relation.reversible && rng.below(3) == 0;
    let pairs: Vec<(&str, &str)> = relation
        .pairs
        .iter()
        .map(|&(a, b)| if backwards { (b, a) } else { (a, b) })
        .collect();
    let template = pick(rng, &TEMPLATES);
    let n_examples = match template {
        "as" | "colon" | "linked" => 1,
        "two_examples" => 2,
        _ => 3,
    };
    let chosen = pick_distinct(rng, &pairs, n_examples + 1);
    let (&(query, answer), examples) = chosen.split_last()?;
    let (a, b) = *examples.first()?;
    let shown: Vec<String> = examples
        .iter()
        .map(|(x, y)| format!("{x} \u{2192} {y}"))
        .collect();
    let (context, question) = match template {
        "as" => (
            String::new(),
            format!("{a} is to {b} as {query} is to what?"),
        ),
        "colon" => (
            String::new(),
            format!("Complete the analogy: {a} : {b} :: {query} : ?"),
        ),
        "linked" => (
            format!("The words \"{a}\" and \"{b}\" are linked in a certain way."),
            format!("Which word is linked to \"{query}\" in the same way?"),
        ),
        "two_examples" => {
            let (c, d) = *examples.get(1)?;
            (
                format!("{a} goes with {b}, and {c} goes with {d}."),
                format!("By the same rule, what goes with {query}?"),
            )
        }
        _ => (
            format!("Each pair follows the same rule: {}.", shown.join("; ")),
            format!("Following the rule, what does {query} go to?"),
        ),
    };
    // Near misses first: the regular form, then the examples' own answers.
    let mut preferred = Vec::new();
    if let (Some(near_miss), false) = (relation.near_miss, backwards) {
        preferred.push(near_miss(query));
    }
    preferred.extend(examples.iter().map(|(_, y)| y.to_string()));
    let pool = strings(pairs.iter().map(|(_, y)| *y));
    Draft::new(
        rng,
        template,
        context,
        question,
        answer.to_string(),
        preferred,
        pool,
    )
}

/// The question forms.
const TEMPLATES: [&str; 5] = ["as", "colon", "linked", "two_examples", "arrows"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relations_are_functions_and_reversible_ones_are_one_to_one() {
        for relation in &RELATIONS {
            let mut a: Vec<&str> = relation.pairs.iter().map(|(a, _)| *a).collect();
            let mut b: Vec<&str> = relation.pairs.iter().map(|(_, b)| *b).collect();
            a.sort_unstable();
            b.sort_unstable();
            let n = relation.pairs.len();
            a.dedup();
            assert_eq!(a.len(), n, "{:?}", relation.pairs);
            b.dedup();
            if relation.reversible {
                assert_eq!(b.len(), n, "{:?}", relation.pairs);
            }
            // Four options and up to three examples need at least seven pairs.
            assert!(n >= 7, "{:?}", relation.pairs);
        }
    }

    #[test]
    fn the_answer_is_the_relations_value_for_the_query() {
        let mut rng = SplitMix64::new(11);
        for _ in 0..500 {
            let Some(draft) = draft(&mut rng) else {
                continue;
            };
            let found = RELATIONS.iter().any(|relation| {
                relation.pairs.iter().any(|(a, b)| {
                    (draft.answer == *b && draft.question.contains(a))
                        || (relation.reversible && draft.answer == *a && draft.question.contains(b))
                })
            });
            assert!(found, "{draft:?}");
            assert!(!draft.distractors.contains(&draft.answer));
        }
        assert_eq!(naive_plural("ox"), "oxes");
        assert_eq!(naive_past("write"), "writed");
    }
}
