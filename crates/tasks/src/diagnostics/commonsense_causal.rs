//! Everyday cause and effect: what most likely happened after a situation, what most
//! likely caused an outcome, with an unrelated event mixed in for the harder form.
//!
//! Every option of an item is about the same objects and person, so the right one cannot
//! be told by which words it shares with the context: the wrong effects are the
//! situation's implausible outcomes (the ice cream froze in the sun), the wrong causes
//! are things that would not have led to the outcome.

use super::words::NAMES;
use super::{Draft, SplitMix64, capitalize, pick, pick_distinct};

/// One situation. `{N}` is the person's name; texts are lower case and unpunctuated, so
/// they fit both inside a sentence and (capitalised) as one.
struct Scenario {
    cause: &'static str,
    effect: &'static str,
    wrong_effects: [&'static str; 3],
    wrong_causes: [&'static str; 3],
}

const SCENARIOS: [Scenario; 32] = [
    Scenario {
        cause: "{N} left a bowl of ice cream on a sunny windowsill for an hour",
        effect: "the ice cream melted",
        wrong_effects: [
            "the ice cream froze solid",
            "the ice cream got colder and harder",
            "the bowl filled up with snow",
        ],
        wrong_causes: [
            "{N} kept the ice cream in the freezer all day",
            "{N} sprinkled sugar on the ice cream",
            "{N} put the ice cream in a blue bowl",
        ],
    },
    Scenario {
        cause: "{N} dropped a glass cup onto a stone floor",
        effect: "the cup shattered",
        wrong_effects: [
            "the cup bounced back up without a scratch",
            "the cup filled with water",
            "the cup grew larger",
        ],
        wrong_causes: [
            "{N} washed the cup in warm soapy water",
            "{N} set the cup down gently on a soft towel",
            "{N} painted a flower on the cup",
        ],
    },
    Scenario {
        cause: "{N} forgot to water the potted plant for three weeks in summer",
        effect: "the plant wilted",
        wrong_effects: [
            "the plant grew twice as tall",
            "the plant's leaves became greener and fresher",
            "the pot overflowed with water",
        ],
        wrong_causes: [
            "{N} watered the plant every morning",
            "{N} wiped the dust off the plant's leaves",
            "{N} gave the plant a new label",
        ],
    },
    Scenario {
        cause: "{N} left the car's headlights on all night",
        effect: "the car's battery was flat in the morning",
        wrong_effects: [
            "the car's battery was fully charged in the morning",
            "the headlights were brighter than ever in the morning",
            "the car had been washed by the morning",
        ],
        wrong_causes: [
            "{N} filled the car's tank with fuel",
            "{N} washed the car",
            "{N} switched off every light before locking the car",
        ],
    },
    Scenario {
        cause: "{N} forgot a pot of rice on the hot stove for an hour",
        effect: "the rice burned",
        wrong_effects: [
            "the rice became raw again",
            "the rice froze",
            "the pot turned cold",
        ],
        wrong_causes: [
            "{N} cooked the rice for exactly the right time",
            "{N} rinsed the rice in cold water",
            "{N} stored the rice in a jar",
        ],
    },
    Scenario {
        cause: "{N} walked home through heavy rain without an umbrella or a coat",
        effect: "{N}'s clothes got soaking wet",
        wrong_effects: [
            "{N}'s clothes stayed completely dry",
            "{N}'s clothes got freshly ironed",
            "{N}'s clothes became warmer and drier",
        ],
        wrong_causes: [
            "{N} stayed indoors all afternoon",
            "{N} walked home on a dry, sunny day",
            "{N} hung the clothes in the wardrobe",
        ],
    },
    Scenario {
        cause: "{N} stayed up until four in the morning playing games",
        effect: "{N} felt very tired the next day",
        wrong_effects: [
            "{N} felt unusually well rested the next day",
            "{N} grew taller the next day",
            "{N} needed less sleep than ever the next day",
        ],
        wrong_causes: [
            "{N} went to bed early and slept for nine hours",
            "{N} ate a healthy breakfast",
            "{N} tidied the bedroom",
        ],
    },
    Scenario {
        cause: "{N} planted seeds in good soil and watered them every day for weeks",
        effect: "small green shoots came up",
        wrong_effects: [
            "the seeds turned into stones",
            "the soil turned into sand",
            "the watering can grew leaves",
        ],
        wrong_causes: [
            "{N} kept the seeds in a sealed packet in a drawer",
            "{N} painted the flowerpot red",
            "{N} counted the seeds and put them back in the box",
        ],
    },
    Scenario {
        cause: "{N} left a carton of milk outside the fridge for a week in summer",
        effect: "the milk went sour",
        wrong_effects: [
            "the milk turned into orange juice",
            "the milk became fresher",
            "the milk froze solid",
        ],
        wrong_causes: [
            "{N} kept the milk in the fridge",
            "{N} bought the milk that morning",
            "{N} poured the milk into a clean glass",
        ],
    },
    Scenario {
        cause: "{N} touched a hot stove with a bare hand",
        effect: "{N}'s hand got burned",
        wrong_effects: [
            "{N}'s hand got colder",
            "{N}'s hand was covered in frost",
            "{N}'s hand felt nothing at all",
        ],
        wrong_causes: [
            "{N} put on oven gloves before touching the pan",
            "{N} washed both hands in cold water",
            "{N} waved at a neighbour",
        ],
    },
    Scenario {
        cause: "{N} poked a balloon with a sharp pin",
        effect: "the balloon popped",
        wrong_effects: [
            "the balloon grew bigger",
            "the balloon turned into a kite",
            "the balloon floated higher",
        ],
        wrong_causes: [
            "{N} tied a ribbon to the balloon",
            "{N} kept the balloon in a box",
            "{N} drew a face on the balloon with a soft marker",
        ],
    },
    Scenario {
        cause: "{N} left an iron nail outside in the rain for months",
        effect: "the nail rusted",
        wrong_effects: [
            "the nail turned into gold",
            "the nail became shinier",
            "the nail melted",
        ],
        wrong_causes: [
            "{N} kept the nail in a dry box indoors",
            "{N} coated the nail with oil",
            "{N} counted the nails in the box",
        ],
    },
    Scenario {
        cause: "{N} did not eat anything all day",
        effect: "{N} felt very hungry in the evening",
        wrong_effects: [
            "{N} felt too full to eat dinner",
            "{N} gained a lot of weight that day",
            "{N} had no appetite at all in the evening",
        ],
        wrong_causes: [
            "{N} ate a big lunch and a big dinner",
            "{N} had three large meals",
            "{N} read a book in the garden after a filling meal",
        ],
    },
    Scenario {
        cause: "{N} turned off the heating in the middle of winter",
        effect: "the house got cold",
        wrong_effects: [
            "the house got warmer",
            "the house filled with sand",
            "the windows turned into doors",
        ],
        wrong_causes: [
            "{N} turned the heating up",
            "{N} lit a fire in the fireplace",
            "{N} closed all the windows",
        ],
    },
    Scenario {
        cause: "{N} hung a wet towel in the hot sun",
        effect: "the towel dried",
        wrong_effects: [
            "the towel got wetter",
            "the towel froze",
            "the towel turned into paper",
        ],
        wrong_causes: [
            "{N} soaked the towel in the bath",
            "{N} sealed the wet towel inside a plastic bag",
            "{N} dropped the towel in a puddle",
        ],
    },
    Scenario {
        cause: "{N} forgot to charge the phone for two days",
        effect: "the phone's battery ran out",
        wrong_effects: [
            "the phone's battery was full",
            "the phone got a new screen",
            "the phone became waterproof",
        ],
        wrong_causes: [
            "{N} charged the phone overnight",
            "{N} bought a new phone case",
            "{N} kept the phone plugged in all day",
        ],
    },
    Scenario {
        cause: "{N} stepped on a banana peel on a smooth floor",
        effect: "{N} slipped and fell",
        wrong_effects: [
            "{N} floated up into the air",
            "{N} ran faster than before",
            "{N} became taller",
        ],
        wrong_causes: [
            "{N} walked carefully on a dry, clean floor",
            "{N} sat quietly on a chair",
            "{N} ate the banana at the table",
        ],
    },
    Scenario {
        cause: "{N} added far too much salt to the soup",
        effect: "the soup tasted too salty",
        wrong_effects: [
            "the soup tasted very sweet",
            "the soup had no taste at all",
            "the soup turned into ice",
        ],
        wrong_causes: [
            "{N} forgot to put any salt in the soup",
            "{N} added a spoonful of sugar to the soup",
            "{N} served the soup in a red bowl",
        ],
    },
    Scenario {
        cause: "{N} threw a stone into a calm pond",
        effect: "ripples spread across the water",
        wrong_effects: [
            "the water froze at once",
            "the stone floated on top",
            "the pond dried up",
        ],
        wrong_causes: [
            "{N} sat still on the bank",
            "{N} looked at the pond from a window",
            "{N} took a photo of the pond",
        ],
    },
    Scenario {
        cause: "{N} left the freezer door open all night",
        effect: "the ice in the freezer started to melt",
        wrong_effects: [
            "the freezer got colder",
            "the ice grew thicker",
            "the freezer filled with fresh snow",
        ],
        wrong_causes: [
            "{N} closed the freezer door tightly",
            "{N} put more ice trays in the freezer",
            "{N} cleaned the outside of the freezer",
        ],
    },
    Scenario {
        cause: "{N} practised the piano every day for a year",
        effect: "{N} played the piano much better",
        wrong_effects: [
            "{N} forgot how to play the piano",
            "{N} played the piano worse than before",
            "{N} could no longer find the keys",
        ],
        wrong_causes: [
            "{N} never touched the piano that year",
            "{N} sold the piano",
            "{N} polished the piano once",
        ],
    },
    Scenario {
        cause: "{N} shouted loudly in the quiet library",
        effect: "people in the library turned to look at {N}",
        wrong_effects: [
            "the library became even quieter",
            "nobody in the library noticed anything",
            "the books rearranged themselves",
        ],
        wrong_causes: [
            "{N} read silently in a corner",
            "{N} returned a book quietly",
            "{N} sat still and read",
        ],
    },
    Scenario {
        cause: "{N} stepped on a sharp nail while wearing thin sandals",
        effect: "{N}'s foot got hurt",
        wrong_effects: [
            "{N}'s foot got warmer",
            "{N}'s sandals got cleaner",
            "{N} walked on without any pain",
        ],
        wrong_causes: [
            "{N} wore thick boots",
            "{N} walked on soft grass",
            "{N} rested at home with both feet up",
        ],
    },
    Scenario {
        cause: "{N} left the lid off the paint tin for a week",
        effect: "the paint dried out",
        wrong_effects: [
            "the paint turned into water",
            "the paint became fresher",
            "the tin filled with more paint",
        ],
        wrong_causes: [
            "{N} closed the paint tin tightly",
            "{N} stirred the paint",
            "{N} bought a new tin of paint",
        ],
    },
    Scenario {
        cause: "{N} ran a long race on a hot day",
        effect: "{N} felt thirsty",
        wrong_effects: [
            "{N} felt cold and shivered",
            "{N} felt less tired than before the race",
            "{N} never wanted to drink again",
        ],
        wrong_causes: [
            "{N} drank a big bottle of water",
            "{N} took a nap in a cool room",
            "{N} watched the race on television",
        ],
    },
    Scenario {
        cause: "{N} opened the window during a strong wind",
        effect: "the papers on the desk blew onto the floor",
        wrong_effects: [
            "the papers stuck themselves to the desk",
            "the papers got heavier",
            "the papers sorted themselves into piles",
        ],
        wrong_causes: [
            "{N} kept every window shut",
            "{N} put a heavy book on the papers",
            "{N} locked the papers in a drawer",
        ],
    },
    Scenario {
        cause: "{N} did not study at all for a difficult exam",
        effect: "{N} got a poor mark",
        wrong_effects: [
            "{N} got a perfect score",
            "{N} knew every answer",
            "{N} was praised for careful preparation",
        ],
        wrong_causes: [
            "{N} studied hard every evening for weeks",
            "{N} took careful notes in every class",
            "{N} practised with old exam papers",
        ],
    },
    Scenario {
        cause: "{N} chopped an onion with a knife",
        effect: "{N}'s eyes started to water",
        wrong_effects: [
            "{N}'s eyes became drier",
            "{N}'s hair started to grow",
            "{N}'s hands turned blue",
        ],
        wrong_causes: [
            "{N} peeled a banana",
            "{N} washed an apple",
            "{N} cut a slice of bread",
        ],
    },
    Scenario {
        cause: "{N} knocked over a full glass of water on the table",
        effect: "water spilled across the table",
        wrong_effects: [
            "the table became drier",
            "the glass filled up",
            "the water flowed back into the glass",
        ],
        wrong_causes: [
            "{N} drank the water carefully",
            "{N} put a lid on the glass",
            "{N} moved the glass to the middle of the table",
        ],
    },
    Scenario {
        cause: "{N} forgot to set an alarm and overslept",
        effect: "{N} was late for work",
        wrong_effects: [
            "{N} arrived at work an hour early",
            "{N} got to work before anyone else",
            "{N} had extra time for breakfast",
        ],
        wrong_causes: [
            "{N} woke up at dawn",
            "{N} set two alarms and got up at once",
            "{N} left home earlier than usual",
        ],
    },
    Scenario {
        cause: "{N} wore only a thin shirt outside on a freezing winter night",
        effect: "{N} felt very cold",
        wrong_effects: [
            "{N} felt too hot",
            "{N} got a sunburn",
            "{N} started sweating heavily",
        ],
        wrong_causes: [
            "{N} wore a thick coat, a hat and gloves",
            "{N} sat by a warm fire",
            "{N} drank hot tea indoors",
        ],
    },
    Scenario {
        cause: "{N} rubbed a balloon on a wool sweater and held it near tiny bits of paper",
        effect: "the bits of paper jumped toward the balloon",
        wrong_effects: [
            "the bits of paper caught fire",
            "the balloon turned into paper",
            "the bits of paper turned blue",
        ],
        wrong_causes: [
            "{N} kept the balloon far away from the paper",
            "{N} popped the balloon",
            "{N} soaked the balloon under a tap",
        ],
    },
];

const TEMPLATES: [&str; 5] = ["next", "suppose", "cause", "why", "distracted"];

/// Draws one cause-and-effect item.
pub(super) fn draft(rng: &mut SplitMix64) -> Option<Draft> {
    let chosen = pick_distinct(rng, &SCENARIOS.iter().collect::<Vec<_>>(), 2);
    let (scenario, other) = (*chosen.first()?, *chosen.get(1)?);
    let people = pick_distinct(rng, &NAMES, 2);
    let (name, other_name) = (*people.first()?, *people.get(1)?);
    let fill = |text: &str| text.replace("{N}", name);
    let sentence = |text: &str| format!("{}.", capitalize(&fill(text)));
    // Options carry no final full stop: the answer turn adds one ("Answer: {answer}.").
    let option = |text: &str| capitalize(&fill(text));
    let effects = || {
        (
            option(scenario.effect),
            scenario.wrong_effects.iter().map(|t| option(t)).collect(),
        )
    };
    let causes = || {
        (
            option(scenario.cause),
            scenario.wrong_causes.iter().map(|t| option(t)).collect(),
        )
    };
    let template = pick(rng, &TEMPLATES);
    let (context, question, (answer, wrong)) = match template {
        "next" => (
            sentence(scenario.cause),
            "What most likely happened next?".to_string(),
            effects(),
        ),
        "suppose" => (
            String::new(),
            format!(
                "Suppose {}. What is the most likely result?",
                fill(scenario.cause)
            ),
            effects(),
        ),
        "cause" => (
            sentence(scenario.effect),
            "What is the most likely cause?".to_string(),
            causes(),
        ),
        "why" => (
            format!("{other_name} noticed that {}.", fill(scenario.effect)),
            "Which explanation is the most likely?".to_string(),
            causes(),
        ),
        _ => {
            let unrelated = other.cause.replace("{N}", other_name);
            let mut sentences = [
                sentence(scenario.cause),
                format!("{}.", capitalize(&unrelated)),
            ];
            rng.shuffle(&mut sentences);
            (
                format!(
                    "{} Around the same time, {}",
                    sentences[0],
                    lower_first(&sentences[1])
                ),
                format!("What most likely happened because of what {name} did?"),
                effects(),
            )
        }
    };
    Draft::new(rng, template, context, question, answer, wrong, Vec::new())
}

/// `text` with its first letter in lower case, unless it starts with a name.
fn lower_first(text: &str) -> String {
    if NAMES.iter().any(|name| text.starts_with(name)) {
        return text.to_string();
    }
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenario_texts_are_distinct_and_fit_the_sentences() {
        let mut all: Vec<&str> = Vec::new();
        for scenario in &SCENARIOS {
            all.push(scenario.cause);
            all.push(scenario.effect);
            all.extend(scenario.wrong_effects);
            all.extend(scenario.wrong_causes);
            assert!(scenario.cause.starts_with("{N} "), "{}", scenario.cause);
            for cause in scenario.wrong_causes {
                assert!(cause.starts_with("{N} "), "{cause}");
            }
        }
        for text in &all {
            assert!(!text.ends_with('.'), "{text}");
            assert_eq!(text.trim(), *text);
        }
        let n = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), n, "a text is used twice");
        assert_eq!(lower_first("The cup"), "the cup");
        assert_eq!(lower_first("Anna ran"), "Anna ran");
    }
}
