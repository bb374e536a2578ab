//! Word meaning and relations between words: synonyms, opposites, what kind of thing a
//! word names, which word names a kind of something, parts and wholes, the odd one out,
//! and naming the relation between two words.
//!
//! The tables are written so no distractor is also right: categories are disjoint and
//! avoid words that name two kinds of thing (no "salmon", also a colour); rows of the
//! synonym table that are close in meaning share a group and never supply each other's
//! distractors.

use super::{Draft, SplitMix64, capitalize, join_or, pick, pick_distinct, strings, with_article};

/// (word, a synonym, an opposite, group). Rows in one group are close in meaning.
const WORDS: [(&str, &str, &str, u8); 31] = [
    ("happy", "joyful", "sad", 1),
    ("big", "large", "small", 2),
    ("fast", "quick", "slow", 3),
    ("smart", "clever", "foolish", 4),
    ("difficult", "hard", "easy", 5),
    ("rich", "wealthy", "poor", 6),
    ("cheap", "inexpensive", "expensive", 6),
    ("brave", "courageous", "cowardly", 7),
    ("correct", "right", "wrong", 8),
    ("quiet", "silent", "loud", 9),
    ("ill", "sick", "healthy", 10),
    ("tired", "weary", "energetic", 10),
    ("damp", "moist", "dry", 11),
    ("beautiful", "pretty", "ugly", 12),
    ("funny", "amusing", "serious", 13),
    ("ancient", "old", "modern", 14),
    ("empty", "vacant", "full", 15),
    ("polite", "courteous", "rude", 16),
    ("famous", "well-known", "unknown", 17),
    // Verbs.
    ("begin", "start", "finish", 30),
    ("shut", "close", "open", 30),
    ("buy", "purchase", "sell", 31),
    ("shout", "yell", "whisper", 32),
    ("gather", "collect", "scatter", 33),
    ("repair", "fix", "break", 34),
    ("build", "construct", "demolish", 34),
    ("remember", "recall", "forget", 35),
    ("allow", "permit", "forbid", 36),
    ("hide", "conceal", "reveal", 37),
    ("laugh", "chuckle", "cry", 38),
    ("rise", "ascend", "sink", 39),
];

/// Groups below this are adjectives, from it on verbs: distractors keep the word class.
const FIRST_VERB_GROUP: u8 = 30;

/// (category, members, domain). Categories are disjoint; a domain holds related
/// categories, whose members make the hardest distractors.
const KINDS: [(&str, [&str; 6], &str); 16] = [
    (
        "bird",
        ["sparrow", "eagle", "robin", "parrot", "penguin", "swan"],
        "animal",
    ),
    (
        "fish",
        ["trout", "tuna", "cod", "shark", "carp", "herring"],
        "animal",
    ),
    (
        "insect",
        [
            "ant",
            "beetle",
            "butterfly",
            "bee",
            "mosquito",
            "grasshopper",
        ],
        "animal",
    ),
    (
        "mammal",
        ["elephant", "horse", "whale", "bat", "dolphin", "tiger"],
        "animal",
    ),
    (
        "fruit",
        ["apple", "banana", "mango", "pear", "grape", "pineapple"],
        "food",
    ),
    (
        "vegetable",
        ["carrot", "potato", "cabbage", "onion", "spinach", "lettuce"],
        "food",
    ),
    (
        "tool",
        ["hammer", "saw", "screwdriver", "wrench", "chisel", "drill"],
        "object",
    ),
    (
        "musical instrument",
        ["violin", "trumpet", "flute", "drum", "cello", "harp"],
        "object",
    ),
    (
        "vehicle",
        ["bus", "truck", "bicycle", "train", "tractor", "motorcycle"],
        "object",
    ),
    (
        "piece of furniture",
        ["chair", "sofa", "wardrobe", "table", "bed", "bookcase"],
        "object",
    ),
    (
        "piece of clothing",
        ["shirt", "jacket", "scarf", "sock", "coat", "skirt"],
        "object",
    ),
    (
        "colour",
        [
            "crimson",
            "turquoise",
            "beige",
            "maroon",
            "magenta",
            "scarlet",
        ],
        "other",
    ),
    (
        "sport",
        [
            "tennis",
            "football",
            "golf",
            "hockey",
            "rugby",
            "basketball",
        ],
        "other",
    ),
    (
        "metal",
        ["tin", "zinc", "aluminium", "nickel", "tungsten", "titanium"],
        "other",
    ),
    (
        "shape",
        [
            "triangle",
            "square",
            "circle",
            "hexagon",
            "oval",
            "rectangle",
        ],
        "other",
    ),
    (
        "flower",
        ["tulip", "daisy", "lily", "sunflower", "orchid", "daffodil"],
        "other",
    ),
];

/// (whole, parts, domain). Distractor parts come from other domains only (a car has
/// pedals too, a bicycle does not have a chimney), and no part is also a part of a whole
/// of another domain (no "trunk": cars have one; no "roof", no "wing", no "nose").
const WHOLES: [(&str, [&str; 3], &str); 10] = [
    ("bicycle", ["pedal", "handlebar", "spoke"], "vehicle"),
    ("car", ["bumper", "windscreen", "exhaust pipe"], "vehicle"),
    ("tree", ["branch", "root", "bark"], "plant"),
    ("flower", ["petal", "stem", "pollen"], "plant"),
    ("bird", ["beak", "feather", "talon"], "animal"),
    ("fish", ["fin", "gill", "scale"], "animal"),
    ("hand", ["finger", "thumb", "knuckle"], "body"),
    ("face", ["eyebrow", "chin", "cheek"], "body"),
    ("house", ["chimney", "staircase", "attic"], "building"),
    ("book", ["page", "chapter", "index"], "reading"),
];

/// The relation statements (no final full stop: the answer turn adds one).
const RELATIONS: [&str; 4] = [
    "They mean nearly the same thing",
    "They mean opposite things",
    "The first is a kind of the second",
    "The first is a part of the second",
];

const TEMPLATES: [&str; 7] = [
    "synonym",
    "antonym",
    "kind_of",
    "member",
    "part_whole",
    "odd_one_out",
    "relation_type",
];

/// Draws one word-relation item.
pub(super) fn draft(rng: &mut SplitMix64) -> Option<Draft> {
    match pick(rng, &TEMPLATES) {
        "synonym" => synonym_or_antonym(rng, true),
        "antonym" => synonym_or_antonym(rng, false),
        "kind_of" => kind_of(rng),
        "member" => member(rng),
        "part_whole" => part_whole(rng),
        "odd_one_out" => odd_one_out(rng),
        _ => relation_type(rng),
    }
}

fn is_verb(group: u8) -> bool {
    group >= FIRST_VERB_GROUP
}

fn synonym_or_antonym(rng: &mut SplitMix64, synonym: bool) -> Option<Draft> {
    let (word, same, opposite, group) = pick(rng, &WORDS);
    // Words of the same class from unrelated rows.
    let pool: Vec<String> = WORDS
        .iter()
        .filter(|row| row.3 != group && is_verb(row.3) == is_verb(group))
        .flat_map(|row| [row.0, row.1, row.2])
        .map(String::from)
        .collect();
    let (template, question, answer, near_miss) = if synonym {
        let question = if rng.below(2) == 0 {
            format!("Which word means the same as \"{word}\"?")
        } else {
            format!("What is a synonym of \"{word}\"?")
        };
        ("synonym", question, same, opposite)
    } else {
        let question = if rng.below(2) == 0 {
            format!("Which word means the opposite of \"{word}\"?")
        } else {
            format!("What is an antonym of \"{word}\"?")
        };
        ("antonym", question, opposite, same)
    };
    Draft::new(
        rng,
        template,
        String::new(),
        question,
        answer.to_string(),
        vec![near_miss.to_string()],
        pool,
    )
}

/// Other categories, those of the same domain first (in a seeded order).
fn other_categories(
    rng: &mut SplitMix64,
    category: &str,
    domain: &str,
) -> (Vec<String>, Vec<String>) {
    let mut near: Vec<String> = KINDS
        .iter()
        .filter(|(name, _, d)| *name != category && *d == domain)
        .map(|(name, ..)| name.to_string())
        .collect();
    rng.shuffle(&mut near);
    let far = KINDS
        .iter()
        .filter(|(_, _, d)| *d != domain)
        .map(|(name, ..)| name.to_string())
        .collect();
    (near, far)
}

fn kind_of(rng: &mut SplitMix64) -> Option<Draft> {
    let (category, members, domain) = pick(rng, &KINDS);
    let word = pick(rng, &members);
    let (mut near, far) = other_categories(rng, category, domain);
    // At most two same-domain distractors, so items are not all animal-versus-animal.
    near.truncate(2);
    let question = if rng.below(2) == 0 {
        format!("\"{}\" is the name of a kind of what?", capitalize(word))
    } else {
        format!("Which group does the word \"{word}\" belong to?")
    };
    Draft::new(
        rng,
        "kind_of",
        String::new(),
        question,
        category.to_string(),
        near,
        far,
    )
}

/// Members of other categories, same domain first.
fn other_members(rng: &mut SplitMix64, category: &str, domain: &str) -> (Vec<String>, Vec<String>) {
    let mut near: Vec<String> = KINDS
        .iter()
        .filter(|(name, _, d)| *name != category && *d == domain)
        .flat_map(|(_, members, _)| members)
        .map(|member| member.to_string())
        .collect();
    rng.shuffle(&mut near);
    let far = KINDS
        .iter()
        .filter(|(_, _, d)| *d != domain)
        .flat_map(|(_, members, _)| members)
        .map(|member| member.to_string())
        .collect();
    (near, far)
}

fn member(rng: &mut SplitMix64) -> Option<Draft> {
    let (category, members, domain) = pick(rng, &KINDS);
    let answer = pick(rng, &members);
    let (mut near, mut far) = other_members(rng, category, domain);
    near.truncate(1 + rng.index(2));
    rng.shuffle(&mut far);
    let wrong: Vec<String> = near.into_iter().chain(far).take(3).collect();
    let mut listed: Vec<String> = wrong.iter().cloned().chain([answer.to_string()]).collect();
    listed.sort();
    Draft::new(
        rng,
        "member",
        String::new(),
        format!(
            "Which of these is {}: {}?",
            with_article(category),
            join_or(&listed)
        ),
        answer.to_string(),
        wrong,
        Vec::new(),
    )
}

fn part_whole(rng: &mut SplitMix64) -> Option<Draft> {
    let (whole, parts, domain) = pick(rng, &WHOLES);
    let part = pick(rng, &parts);
    let other_domains = WHOLES.iter().filter(|(_, _, d)| *d != domain);
    if rng.below(2) == 0 {
        // Which part belongs to the whole?
        let pool = other_domains
            .flat_map(|(_, parts, _)| parts)
            .map(|p| p.to_string())
            .collect();
        Draft::new(
            rng,
            "part_whole",
            String::new(),
            format!("What is a part of {}?", with_article(whole)),
            part.to_string(),
            Vec::new(),
            pool,
        )
    } else {
        let pool = other_domains.map(|(w, ..)| w.to_string()).collect();
        Draft::new(
            rng,
            "part_whole",
            String::new(),
            format!("{} is a part of what?", capitalize(&with_article(part))),
            whole.to_string(),
            Vec::new(),
            pool,
        )
    }
}

fn odd_one_out(rng: &mut SplitMix64) -> Option<Draft> {
    let (category, members, domain) = pick(rng, &KINDS);
    let three = strings(pick_distinct(rng, &members, 3));
    // The odd word: from a related category half the time (harder).
    let (near, far) = other_members(rng, category, domain);
    let odd = if rng.below(2) == 0 && !near.is_empty() {
        near.first()?.clone()
    } else {
        far.get(rng.index(far.len()))?.clone()
    };
    let mut listed: Vec<String> = three.iter().cloned().chain([odd.clone()]).collect();
    listed.sort();
    Draft::new(
        rng,
        "odd_one_out",
        String::new(),
        format!(
            "Which word does not belong with the others: {}?",
            listed.join(", ")
        ),
        odd,
        three,
        Vec::new(),
    )
}

fn relation_type(rng: &mut SplitMix64) -> Option<Draft> {
    let relation = rng.index(RELATIONS.len());
    let (first, second) = match relation {
        0 | 1 => {
            let (word, same, opposite, _) = pick(rng, &WORDS);
            (word, if relation == 0 { same } else { opposite })
        }
        2 => {
            let (category, members, _) = pick(rng, &KINDS);
            (pick(rng, &members), category)
        }
        _ => {
            let (whole, parts, _) = pick(rng, &WHOLES);
            (pick(rng, &parts), whole)
        }
    };
    Draft::new(
        rng,
        "relation_type",
        String::new(),
        format!("How are the words \"{first}\" and \"{second}\" related?"),
        RELATIONS.get(relation)?.to_string(),
        strings(RELATIONS),
        Vec::new(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_do_not_overlap() {
        let mut words: Vec<&str> = WORDS.iter().flat_map(|r| [r.0, r.1, r.2]).collect();
        let n = words.len();
        words.sort_unstable();
        words.dedup();
        assert_eq!(words.len(), n, "a word is in two rows");
        let mut members: Vec<&str> = KINDS.iter().flat_map(|(_, m, _)| *m).collect();
        let categories: Vec<&str> = KINDS.iter().map(|(c, ..)| *c).collect();
        let n = members.len();
        members.sort_unstable();
        members.dedup();
        assert_eq!(members.len(), n, "a word is in two categories");
        for member in &members {
            assert!(!categories.contains(member), "{member}");
        }
        let mut parts: Vec<&str> = WHOLES.iter().flat_map(|(_, p, _)| *p).collect();
        let n = parts.len();
        parts.sort_unstable();
        parts.dedup();
        assert_eq!(parts.len(), n);
    }

    #[test]
    fn answers_match_the_tables() {
        let mut rng = SplitMix64::new(13);
        for _ in 0..600 {
            let Some(draft) = draft(&mut rng) else {
                continue;
            };
            let quoted: Vec<&str> = draft.question.split('"').skip(1).step_by(2).collect();
            match draft.template {
                "synonym" | "antonym" => {
                    let row = WORDS.iter().find(|r| r.0 == quoted[0]).unwrap();
                    let want = if draft.template == "synonym" {
                        row.1
                    } else {
                        row.2
                    };
                    assert_eq!(draft.answer, want);
                }
                "kind_of" | "member" => {
                    let (category, members, _) = KINDS
                        .iter()
                        .find(|(c, m, _)| m.contains(&draft.answer.as_str()) || *c == draft.answer)
                        .unwrap();
                    if draft.template == "member" {
                        assert!(draft.question.contains(category));
                        for wrong in &draft.distractors {
                            assert!(!members.contains(&wrong.as_str()), "{draft:?}");
                        }
                    } else {
                        assert!(members.contains(&quoted[0].to_lowercase().as_str()));
                    }
                }
                "odd_one_out" => {
                    let category_of = |word: &str| {
                        KINDS
                            .iter()
                            .position(|(_, m, _)| m.contains(&word))
                            .unwrap()
                    };
                    let odd = category_of(&draft.answer);
                    for wrong in &draft.distractors {
                        assert_ne!(category_of(wrong), odd, "{draft:?}");
                        assert_eq!(category_of(wrong), category_of(&draft.distractors[0]));
                    }
                }
                "relation_type" => {
                    let (a, b) = (quoted[0], quoted[1]);
                    let want = if WORDS.iter().any(|r| r.0 == a && r.1 == b) {
                        0
                    } else if WORDS.iter().any(|r| r.0 == a && r.2 == b) {
                        1
                    } else if KINDS.iter().any(|(c, m, _)| *c == b && m.contains(&a)) {
                        2
                    } else {
                        assert!(WHOLES.iter().any(|(w, p, _)| *w == b && p.contains(&a)));
                        3
                    };
                    assert_eq!(draft.answer, RELATIONS[want]);
                }
                _ => {}
            }
        }
    }
}
