//! Recall from a passage: four to six invented people, two to four facts each (age,
//! city, pet, job, favourite colour, hobby), said in varied words and, for the harder
//! passages, interleaved rather than grouped by person. The question asks one detail,
//! the person who has a detail, or (two hops) a detail of the person who has another.
//!
//! Every value is unique within a passage and the distractors are the same kind of
//! detail about the other people, so only the passage can tell them apart.

use super::words::{CITIES, NAMES};
use super::{Draft, SplitMix64, pick_distinct, range, strings, with_article};

const PETS: [&str; 10] = [
    "cat", "dog", "parrot", "rabbit", "hamster", "goldfish", "tortoise", "lizard", "ferret",
    "canary",
];

const JOBS: [&str; 16] = [
    "nurse",
    "baker",
    "pilot",
    "teacher",
    "plumber",
    "architect",
    "farmer",
    "dentist",
    "journalist",
    "electrician",
    "librarian",
    "chef",
    "engineer",
    "accountant",
    "gardener",
    "mechanic",
];

const HOBBIES: [&str; 10] = [
    "chess",
    "painting",
    "swimming",
    "gardening",
    "cycling",
    "knitting",
    "hiking",
    "photography",
    "fishing",
    "dancing",
];

const COLOURS: [&str; 8] = [
    "red", "blue", "green", "yellow", "purple", "orange", "grey", "white",
];

/// The kinds of detail a passage can give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Attribute {
    Age,
    City,
    Pet,
    Job,
    Colour,
    Hobby,
}

const ATTRIBUTES: [Attribute; 6] = [
    Attribute::Age,
    Attribute::City,
    Attribute::Pet,
    Attribute::Job,
    Attribute::Colour,
    Attribute::Hobby,
];

impl Attribute {
    /// `n` distinct values.
    fn values(self, rng: &mut SplitMix64, n: usize) -> Vec<String> {
        match self {
            Attribute::Age => {
                let mut ages: Vec<usize> = (18..=79).collect();
                rng.shuffle(&mut ages);
                strings(ages.into_iter().take(n))
            }
            Attribute::City => strings(pick_distinct(rng, &CITIES, n)),
            Attribute::Pet => strings(pick_distinct(rng, &PETS, n)),
            Attribute::Job => strings(pick_distinct(rng, &JOBS, n)),
            Attribute::Colour => strings(pick_distinct(rng, &COLOURS, n)),
            Attribute::Hobby => strings(pick_distinct(rng, &HOBBIES, n)),
        }
    }

    /// A sentence saying that `name` has `value`, in one of two wordings.
    fn sentence(self, rng: &mut SplitMix64, name: &str, value: &str) -> String {
        let second = rng.below(2) == 1;
        match (self, second) {
            (Attribute::Age, false) => format!("{name} is {value} years old."),
            (Attribute::Age, true) => format!("{name} turned {value} this year."),
            (Attribute::City, false) => format!("{name} lives in {value}."),
            (Attribute::City, true) => format!("{name}'s home is in {value}."),
            (Attribute::Pet, false) => format!("{name} has a pet {value}."),
            (Attribute::Pet, true) => format!("{name} owns {}.", with_article(value)),
            (Attribute::Job, false) => format!("{name} works as {}.", with_article(value)),
            (Attribute::Job, true) => format!("{name} earns a living as {}.", with_article(value)),
            (Attribute::Colour, false) => format!("{name}'s favourite colour is {value}."),
            (Attribute::Colour, true) => {
                format!("{name} likes {value} more than any other colour.")
            }
            (Attribute::Hobby, false) => format!("{name}'s hobby is {value}."),
            (Attribute::Hobby, true) => format!("In free time, {name} enjoys {value}."),
        }
    }

    /// A third wording, used only for options (never in passages; no final full stop,
    /// as the answer turn adds one).
    fn statement(self, name: &str, value: &str) -> String {
        match self {
            Attribute::Age => format!("{name} is aged {value}"),
            Attribute::City => format!("{name} is based in {value}"),
            Attribute::Pet => format!("{name} keeps {} as a pet", with_article(value)),
            Attribute::Job => format!("{name} is employed as {}", with_article(value)),
            Attribute::Colour => format!("{name} prefers {value} to all other colours"),
            Attribute::Hobby => format!("{name} spends free time on {value}"),
        }
    }

    /// The question asking `name`'s value.
    fn question(self, name: &str) -> String {
        match self {
            Attribute::Age => format!("How old is {name}?"),
            Attribute::City => format!("In which city does {name} live?"),
            Attribute::Pet => format!("What kind of pet does {name} have?"),
            Attribute::Job => format!("What is {name}'s job?"),
            Attribute::Colour => format!("What is {name}'s favourite colour?"),
            Attribute::Hobby => format!("What is {name}'s hobby?"),
        }
    }

    /// "the person who ..." for a person known by this detail.
    fn who(self, value: &str) -> String {
        match self {
            Attribute::Age => format!("the person who is {value} years old"),
            Attribute::City => format!("the person who lives in {value}"),
            Attribute::Pet => format!("the person who has {}", with_article(value)),
            Attribute::Job => format!("the person who works as {}", with_article(value)),
            Attribute::Colour => format!("the person whose favourite colour is {value}"),
            Attribute::Hobby => format!("the person whose hobby is {value}"),
        }
    }

    /// The question asking who has `value`.
    fn who_question(self, value: &str) -> String {
        match self {
            Attribute::Age => format!("Who is {value} years old?"),
            Attribute::City => format!("Who lives in {value}?"),
            Attribute::Pet => format!("Who has {}?", with_article(value)),
            Attribute::Job => format!("Who works as {}?", with_article(value)),
            Attribute::Colour => format!("Whose favourite colour is {value}?"),
            Attribute::Hobby => format!("Whose hobby is {value}?"),
        }
    }

    /// The two-hop question: this detail of the person described by `who`.
    fn question_about(self, who: &str) -> String {
        match self {
            Attribute::Age => format!("How old is {who}?"),
            Attribute::City => format!("In which city does {who} live?"),
            Attribute::Pet => format!("What kind of pet does {who} have?"),
            Attribute::Job => format!("What is the job of {who}?"),
            Attribute::Colour => format!("What is the favourite colour of {who}?"),
            Attribute::Hobby => format!("What is the hobby of {who}?"),
        }
    }
}

/// Draws one passage and a question about it.
pub(super) fn draft(rng: &mut SplitMix64) -> Option<Draft> {
    let n_people = range(rng, 4, 6);
    let n_attributes = range(rng, 2, 4);
    let names = pick_distinct(rng, &NAMES, n_people);
    let attributes = pick_distinct(rng, &ATTRIBUTES, n_attributes);
    // values[a][p]: attribute a of person p.
    let values: Vec<Vec<String>> = attributes
        .iter()
        .map(|attribute| attribute.values(rng, n_people))
        .collect();
    let mut sentences: Vec<(usize, String)> = Vec::new();
    for (a, attribute) in attributes.iter().enumerate() {
        for (p, name) in names.iter().enumerate() {
            let value = values.get(a)?.get(p)?;
            sentences.push((p, attribute.sentence(rng, name, value)));
        }
    }
    // Grouped by person (easier) or all facts interleaved (harder).
    rng.shuffle(&mut sentences);
    if rng.below(2) == 0 {
        sentences.sort_by_key(|(person, _)| *person);
    }
    let context = sentences
        .into_iter()
        .map(|(_, sentence)| sentence)
        .collect::<Vec<_>>()
        .join(" ");

    let target = rng.index(n_people);
    let asked = rng.index(n_attributes);
    let attribute = *attributes.get(asked)?;
    let asked_values = values.get(asked)?;
    let answer = asked_values.get(target)?.clone();
    let name = *names.get(target)?;
    let template_roll = rng.below(5);
    let (template, question, answer, pool) = match template_roll {
        0 | 1 => (
            "detail",
            attribute.question(name),
            answer,
            asked_values.clone(),
        ),
        2 => (
            "who",
            attribute.who_question(&answer),
            name.to_string(),
            strings(names.iter()),
        ),
        3 if n_attributes >= 2 => {
            // Two hops: find the person by one detail, answer another.
            let by = (asked + 1 + rng.index(n_attributes - 1)) % n_attributes;
            let by_value = values.get(by)?.get(target)?;
            let who = attributes.get(by)?.who(by_value);
            (
                "two_hop",
                attribute.question_about(&who),
                answer,
                asked_values.clone(),
            )
        }
        _ => {
            // "Which statement is true": the person with each person's detail, in a
            // wording the passage never uses, so no option can be matched verbatim.
            let wrong: Vec<String> = (0..n_people)
                .filter(|p| *p != target)
                .filter_map(|p| Some(attribute.statement(name, asked_values.get(p)?)))
                .collect();
            (
                "which_true",
                format!("According to the passage, which statement about {name} is true?"),
                attribute.statement(name, &answer),
                wrong,
            )
        }
    };
    Draft::new(rng, template, context, question, answer, Vec::new(), pool)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answer_is_stated_for_the_person_and_distractors_for_others() {
        let mut rng = SplitMix64::new(5);
        let mut checked = 0;
        for _ in 0..400 {
            let Some(draft) = draft(&mut rng) else {
                continue;
            };
            if draft.template == "detail" {
                // The question names the person; the passage pairs them with the answer
                // in one sentence, and each distractor appears in the passage.
                let words = |text: &str| -> Vec<String> {
                    strings(text.split(|c: char| !c.is_alphanumeric()))
                };
                let name = NAMES
                    .iter()
                    .find(|name| words(&draft.question).contains(&name.to_string()))
                    .unwrap();
                let stated = draft.context.split_inclusive('.').any(|sentence| {
                    let words = words(sentence);
                    words.contains(&name.to_string()) && words.contains(&draft.answer)
                });
                assert!(stated, "{draft:?}");
                for wrong in &draft.distractors {
                    assert!(draft.context.contains(wrong.as_str()), "{draft:?}");
                }
                checked += 1;
            }
            if draft.template == "which_true" {
                assert!(!draft.context.contains(&draft.answer), "{draft:?}");
                for wrong in &draft.distractors {
                    assert!(!draft.context.contains(wrong.as_str()), "{draft:?}");
                }
            }
        }
        assert!(checked > 50);
    }
}
