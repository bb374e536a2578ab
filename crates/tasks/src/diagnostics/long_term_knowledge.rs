//! World knowledge from tables written for this crate: capitals, authors, painters,
//! composers, animal classes, chemical symbols, planets, currencies, languages,
//! continents, landmarks, scientists, historical years, counts, organs, gases, oceans and
//! mountains. Only well-known, settled facts; anything disputed (the longest river, who
//! invented the telephone) or changing (Indonesia's capital) is left out.
//!
//! Distractors come from the same table (an author for an author), or for numbers from
//! the numbers next to the answer.

use super::{Draft, SplitMix64, capitalize, pick};

/// One table: how to ask, and (subject, answer) pairs. `{}` in a form is the subject.
struct Category {
    id: &'static str,
    forms: &'static [&'static str],
    facts: &'static [(&'static str, &'static str)],
    /// Forms asking the subject from the answer, for tables where that is one-to-one.
    reverse_forms: &'static [&'static str],
    /// Answers are numbers: distractors are nearby numbers, not other answers.
    numeric: bool,
}

const CATEGORIES: [Category; 18] = [
    Category {
        id: "capital",
        forms: &[
            "What is the capital of {}?",
            "Which city is the capital of {}?",
        ],
        facts: &[
            ("France", "Paris"),
            ("Japan", "Tokyo"),
            ("Italy", "Rome"),
            ("Spain", "Madrid"),
            ("Germany", "Berlin"),
            ("Canada", "Ottawa"),
            ("Australia", "Canberra"),
            ("Kenya", "Nairobi"),
            ("Peru", "Lima"),
            ("Norway", "Oslo"),
            ("Portugal", "Lisbon"),
            ("Greece", "Athens"),
            ("Russia", "Moscow"),
            ("China", "Beijing"),
            ("India", "New Delhi"),
            ("Mexico", "Mexico City"),
            ("Argentina", "Buenos Aires"),
            ("Ireland", "Dublin"),
            ("Poland", "Warsaw"),
            ("Sweden", "Stockholm"),
            ("Finland", "Helsinki"),
            ("Denmark", "Copenhagen"),
            ("Austria", "Vienna"),
            ("Hungary", "Budapest"),
            ("Belgium", "Brussels"),
            ("Turkey", "Ankara"),
            ("Iran", "Tehran"),
            ("Thailand", "Bangkok"),
            ("Vietnam", "Hanoi"),
            ("South Korea", "Seoul"),
            ("Brazil", "Brasilia"),
            ("Chile", "Santiago"),
            ("Colombia", "Bogota"),
            ("Cuba", "Havana"),
            ("the United Kingdom", "London"),
            ("the United States", "Washington, D.C."),
            ("Nigeria", "Abuja"),
            ("Ethiopia", "Addis Ababa"),
            ("Morocco", "Rabat"),
            ("Ghana", "Accra"),
            ("New Zealand", "Wellington"),
            ("Pakistan", "Islamabad"),
            ("Saudi Arabia", "Riyadh"),
            ("Ukraine", "Kyiv"),
            ("Romania", "Bucharest"),
            ("Iceland", "Reykjavik"),
            ("Cambodia", "Phnom Penh"),
        ],
        reverse_forms: &["{} is the capital of which country?"],
        numeric: false,
    },
    Category {
        id: "author",
        forms: &["Who wrote {}?", "Who is the author of {}?"],
        facts: &[
            ("Hamlet", "William Shakespeare"),
            ("Romeo and Juliet", "William Shakespeare"),
            ("Macbeth", "William Shakespeare"),
            ("Pride and Prejudice", "Jane Austen"),
            ("Nineteen Eighty-Four", "George Orwell"),
            ("Animal Farm", "George Orwell"),
            ("Don Quixote", "Miguel de Cervantes"),
            ("War and Peace", "Leo Tolstoy"),
            ("Anna Karenina", "Leo Tolstoy"),
            ("Crime and Punishment", "Fyodor Dostoevsky"),
            ("the Odyssey", "Homer"),
            ("the Iliad", "Homer"),
            ("Moby-Dick", "Herman Melville"),
            ("Oliver Twist", "Charles Dickens"),
            ("A Christmas Carol", "Charles Dickens"),
            ("Great Expectations", "Charles Dickens"),
            ("Frankenstein", "Mary Shelley"),
            ("The Adventures of Tom Sawyer", "Mark Twain"),
            ("Adventures of Huckleberry Finn", "Mark Twain"),
            ("The Old Man and the Sea", "Ernest Hemingway"),
            ("The Hobbit", "J. R. R. Tolkien"),
            ("The Lord of the Rings", "J. R. R. Tolkien"),
            ("Alice's Adventures in Wonderland", "Lewis Carroll"),
            ("The Great Gatsby", "F. Scott Fitzgerald"),
            ("Les Miserables", "Victor Hugo"),
            ("Jane Eyre", "Charlotte Bronte"),
            ("Wuthering Heights", "Emily Bronte"),
            ("Dracula", "Bram Stoker"),
            ("the Divine Comedy", "Dante Alighieri"),
            ("To Kill a Mockingbird", "Harper Lee"),
            ("On the Origin of Species", "Charles Darwin"),
            ("A Brief History of Time", "Stephen Hawking"),
            ("Harry Potter and the Philosopher's Stone", "J. K. Rowling"),
            ("The Little Prince", "Antoine de Saint-Exupery"),
            ("Treasure Island", "Robert Louis Stevenson"),
            ("The Jungle Book", "Rudyard Kipling"),
            ("Robinson Crusoe", "Daniel Defoe"),
            ("Gulliver's Travels", "Jonathan Swift"),
            ("The Canterbury Tales", "Geoffrey Chaucer"),
            ("One Hundred Years of Solitude", "Gabriel Garcia Marquez"),
            ("The Catcher in the Rye", "J. D. Salinger"),
            ("Of Mice and Men", "John Steinbeck"),
            ("Around the World in Eighty Days", "Jules Verne"),
        ],
        reverse_forms: &[],
        numeric: false,
    },
    Category {
        id: "painter",
        forms: &["Who painted {}?", "Which artist painted {}?"],
        facts: &[
            ("the Mona Lisa", "Leonardo da Vinci"),
            ("The Last Supper", "Leonardo da Vinci"),
            ("The Starry Night", "Vincent van Gogh"),
            ("the ceiling of the Sistine Chapel", "Michelangelo"),
            ("Guernica", "Pablo Picasso"),
            ("The Persistence of Memory", "Salvador Dali"),
            ("The Scream", "Edvard Munch"),
            ("Girl with a Pearl Earring", "Johannes Vermeer"),
            ("The Birth of Venus", "Sandro Botticelli"),
            ("The Night Watch", "Rembrandt"),
            ("Impression, Sunrise", "Claude Monet"),
            ("American Gothic", "Grant Wood"),
        ],
        reverse_forms: &[],
        numeric: false,
    },
    Category {
        id: "composer",
        forms: &["Who composed {}?", "Which composer wrote {}?"],
        facts: &[
            ("The Magic Flute", "Wolfgang Amadeus Mozart"),
            ("The Marriage of Figaro", "Wolfgang Amadeus Mozart"),
            ("the Moonlight Sonata", "Ludwig van Beethoven"),
            ("Fur Elise", "Ludwig van Beethoven"),
            ("The Four Seasons", "Antonio Vivaldi"),
            ("Swan Lake", "Pyotr Ilyich Tchaikovsky"),
            ("The Nutcracker", "Pyotr Ilyich Tchaikovsky"),
            ("the Brandenburg Concertos", "Johann Sebastian Bach"),
            ("Messiah", "George Frideric Handel"),
            ("The Blue Danube", "Johann Strauss II"),
            ("Bolero", "Maurice Ravel"),
            ("Carmen", "Georges Bizet"),
            ("The Rite of Spring", "Igor Stravinsky"),
            ("Clair de lune", "Claude Debussy"),
            ("The Planets", "Gustav Holst"),
            ("Rhapsody in Blue", "George Gershwin"),
        ],
        reverse_forms: &[],
        numeric: false,
    },
    Category {
        id: "animal_class",
        forms: &[
            "To which class of animals does the {} belong?",
            "Biologists classify the {} as what kind of animal?",
        ],
        facts: &[
            ("whale", "mammal"),
            ("dolphin", "mammal"),
            ("bat", "mammal"),
            ("elephant", "mammal"),
            ("kangaroo", "mammal"),
            ("platypus", "mammal"),
            ("seal", "mammal"),
            ("penguin", "bird"),
            ("ostrich", "bird"),
            ("eagle", "bird"),
            ("owl", "bird"),
            ("parrot", "bird"),
            ("flamingo", "bird"),
            ("crocodile", "reptile"),
            ("turtle", "reptile"),
            ("lizard", "reptile"),
            ("snake", "reptile"),
            ("chameleon", "reptile"),
            ("frog", "amphibian"),
            ("toad", "amphibian"),
            ("salamander", "amphibian"),
            ("newt", "amphibian"),
            ("shark", "fish"),
            ("salmon", "fish"),
            ("tuna", "fish"),
            ("seahorse", "fish"),
            ("goldfish", "fish"),
            ("ant", "insect"),
            ("bee", "insect"),
            ("butterfly", "insect"),
            ("beetle", "insect"),
            ("grasshopper", "insect"),
            ("spider", "arachnid"),
            ("scorpion", "arachnid"),
        ],
        reverse_forms: &[],
        numeric: false,
    },
    Category {
        id: "element_symbol",
        forms: &[
            "What is the chemical symbol for {}?",
            "Which symbol stands for {} in the periodic table?",
        ],
        facts: &[
            ("hydrogen", "H"),
            ("helium", "He"),
            ("lithium", "Li"),
            ("carbon", "C"),
            ("nitrogen", "N"),
            ("oxygen", "O"),
            ("fluorine", "F"),
            ("neon", "Ne"),
            ("sodium", "Na"),
            ("magnesium", "Mg"),
            ("aluminium", "Al"),
            ("silicon", "Si"),
            ("phosphorus", "P"),
            ("sulfur", "S"),
            ("chlorine", "Cl"),
            ("argon", "Ar"),
            ("potassium", "K"),
            ("calcium", "Ca"),
            ("iron", "Fe"),
            ("nickel", "Ni"),
            ("copper", "Cu"),
            ("zinc", "Zn"),
            ("silver", "Ag"),
            ("tin", "Sn"),
            ("iodine", "I"),
            ("platinum", "Pt"),
            ("gold", "Au"),
            ("mercury", "Hg"),
            ("lead", "Pb"),
            ("uranium", "U"),
        ],
        reverse_forms: &["Which element has the chemical symbol {}?"],
        numeric: false,
    },
    Category {
        id: "planet",
        forms: &["{}"],
        facts: &[
            ("Which planet is known as the Red Planet?", "Mars"),
            (
                "Which is the largest planet in the Solar System?",
                "Jupiter",
            ),
            ("Which planet is closest to the Sun?", "Mercury"),
            ("Which planet is the farthest from the Sun?", "Neptune"),
            (
                "Which planet has the hottest surface in the Solar System?",
                "Venus",
            ),
            ("Which planet spins tipped over on its side?", "Uranus"),
            ("Which planet do people live on?", "Earth"),
            ("Which planet is the second from the Sun?", "Venus"),
            ("Which planet is the third from the Sun?", "Earth"),
            ("Which planet is the fourth from the Sun?", "Mars"),
            ("Which planet is the fifth from the Sun?", "Jupiter"),
            ("Which planet is the sixth from the Sun?", "Saturn"),
            ("Which planet is the seventh from the Sun?", "Uranus"),
            ("Which planet is the eighth from the Sun?", "Neptune"),
            (
                "Which planet is best known for its wide, bright rings?",
                "Saturn",
            ),
        ],
        reverse_forms: &[],
        numeric: false,
    },
    Category {
        id: "currency",
        forms: &[
            "What is the currency of {}?",
            "Which currency is used in {}?",
        ],
        facts: &[
            ("Japan", "yen"),
            ("the United Kingdom", "pound sterling"),
            ("the United States", "US dollar"),
            ("India", "rupee"),
            ("Russia", "ruble"),
            ("Mexico", "peso"),
            ("Switzerland", "Swiss franc"),
            ("South Africa", "rand"),
            ("Brazil", "real"),
            ("South Korea", "won"),
            ("Germany", "euro"),
            ("France", "euro"),
            ("Italy", "euro"),
            ("Sweden", "krona"),
            ("Turkey", "lira"),
            ("Thailand", "baht"),
            ("Poland", "zloty"),
            ("Israel", "shekel"),
            ("Vietnam", "dong"),
            ("Indonesia", "rupiah"),
            ("Denmark", "krone"),
        ],
        reverse_forms: &[],
        numeric: false,
    },
    Category {
        id: "language",
        forms: &[
            "What is the most widely spoken language in {}?",
            "Which language do most people in {} speak?",
        ],
        facts: &[
            ("Brazil", "Portuguese"),
            ("Portugal", "Portuguese"),
            ("Mexico", "Spanish"),
            ("Argentina", "Spanish"),
            ("Colombia", "Spanish"),
            ("Egypt", "Arabic"),
            ("Saudi Arabia", "Arabic"),
            ("Japan", "Japanese"),
            ("Austria", "German"),
            ("Germany", "German"),
            ("Iran", "Persian"),
            ("Israel", "Hebrew"),
            ("Greece", "Greek"),
            ("the Netherlands", "Dutch"),
            ("Sweden", "Swedish"),
            ("Thailand", "Thai"),
            ("Turkey", "Turkish"),
            ("Poland", "Polish"),
            ("Russia", "Russian"),
            ("Italy", "Italian"),
            ("Hungary", "Hungarian"),
            ("Vietnam", "Vietnamese"),
            ("South Korea", "Korean"),
            ("France", "French"),
            ("Norway", "Norwegian"),
            ("Denmark", "Danish"),
        ],
        reverse_forms: &[],
        numeric: false,
    },
    Category {
        id: "continent",
        forms: &[
            "On which continent is {}?",
            "Which continent is {} part of?",
        ],
        facts: &[
            ("Brazil", "South America"),
            ("Chile", "South America"),
            ("Argentina", "South America"),
            ("Peru", "South America"),
            ("Colombia", "South America"),
            ("Nigeria", "Africa"),
            ("Kenya", "Africa"),
            ("Ghana", "Africa"),
            ("Ethiopia", "Africa"),
            ("Morocco", "Africa"),
            ("Japan", "Asia"),
            ("Thailand", "Asia"),
            ("India", "Asia"),
            ("Vietnam", "Asia"),
            ("China", "Asia"),
            ("Sweden", "Europe"),
            ("Italy", "Europe"),
            ("Poland", "Europe"),
            ("Portugal", "Europe"),
            ("Norway", "Europe"),
            ("Canada", "North America"),
            ("Mexico", "North America"),
            ("the United States", "North America"),
        ],
        reverse_forms: &[],
        numeric: false,
    },
    Category {
        id: "landmark",
        forms: &[
            "In which country is {}?",
            "Which country would you visit to see {}?",
        ],
        facts: &[
            ("the Eiffel Tower", "France"),
            ("the Colosseum", "Italy"),
            ("the Taj Mahal", "India"),
            ("the Statue of Liberty", "the United States"),
            ("Machu Picchu", "Peru"),
            ("Big Ben", "the United Kingdom"),
            ("the Sydney Opera House", "Australia"),
            ("the Pyramids of Giza", "Egypt"),
            ("the Acropolis of Athens", "Greece"),
            ("Petra", "Jordan"),
            ("Angkor Wat", "Cambodia"),
            ("Chichen Itza", "Mexico"),
            ("the Leaning Tower of Pisa", "Italy"),
            ("the Sagrada Familia", "Spain"),
            ("Mount Fuji", "Japan"),
            ("Stonehenge", "the United Kingdom"),
            ("the Brandenburg Gate", "Germany"),
            ("Table Mountain", "South Africa"),
            ("Mount Kilimanjaro", "Tanzania"),
            ("the Alhambra", "Spain"),
            ("Uluru", "Australia"),
        ],
        reverse_forms: &[],
        numeric: false,
    },
    Category {
        id: "scientist",
        forms: &["{}"],
        facts: &[
            ("Who developed the theory of relativity?", "Albert Einstein"),
            (
                "Who formulated the laws of motion and of universal gravitation?",
                "Isaac Newton",
            ),
            ("Who discovered penicillin in 1928?", "Alexander Fleming"),
            (
                "Who was the first person to walk on the Moon?",
                "Neil Armstrong",
            ),
            (
                "Who was the first person to travel into space?",
                "Yuri Gagarin",
            ),
            (
                "Which naturalist sailed on HMS Beagle and later explained evolution by natural selection?",
                "Charles Darwin",
            ),
            (
                "Who was the first woman to win a Nobel Prize?",
                "Marie Curie",
            ),
            (
                "Who published the first widely recognised periodic table of the elements in 1869?",
                "Dmitri Mendeleev",
            ),
            ("Who invented the World Wide Web?", "Tim Berners-Lee"),
            (
                "Who introduced printing with movable metal type in Europe around 1440?",
                "Johannes Gutenberg",
            ),
            (
                "Which astronomer argued, in a book published in 1543, that the Earth moves around the Sun?",
                "Nicolaus Copernicus",
            ),
            (
                "Who discovered the basic laws of inheritance by breeding pea plants?",
                "Gregor Mendel",
            ),
            (
                "Who discovered four large moons of Jupiter with a telescope in 1610?",
                "Galileo Galilei",
            ),
        ],
        reverse_forms: &[],
        numeric: false,
    },
    Category {
        id: "year",
        forms: &["{}"],
        facts: &[
            ("In what year did World War II end?", "1945"),
            ("In what year did World War II begin?", "1939"),
            ("In what year did World War I begin?", "1914"),
            ("In what year did people first land on the Moon?", "1969"),
            (
                "In what year did Christopher Columbus first reach the Americas?",
                "1492",
            ),
            ("In what year did the Berlin Wall fall?", "1989"),
            ("In what year did the French Revolution begin?", "1789"),
            (
                "In what year was the United States Declaration of Independence adopted?",
                "1776",
            ),
            ("In what year did the Titanic sink?", "1912"),
            ("In what year did the Soviet Union break up?", "1991"),
        ],
        reverse_forms: &[],
        numeric: true,
    },
    Category {
        id: "count",
        forms: &["{}"],
        facts: &[
            ("How many legs does a spider have?", "8"),
            ("How many legs does an insect have?", "6"),
            ("How many sides does a hexagon have?", "6"),
            ("How many sides does an octagon have?", "8"),
            ("How many days are there in a leap year?", "366"),
            ("How many planets are there in the Solar System?", "8"),
            (
                "How many players does each football (soccer) team have on the pitch?",
                "11",
            ),
            ("How many strings does a standard violin have?", "4"),
            ("How many keys does a standard modern piano have?", "88"),
            ("How many bones are there in an adult human body?", "206"),
            ("How many hours are there in a day?", "24"),
            ("How many centimetres are there in a metre?", "100"),
            (
                "At how many degrees Celsius does pure water boil at sea level?",
                "100",
            ),
            ("How many weeks are there in a year?", "52"),
            ("How many hearts does an octopus have?", "3"),
            (
                "How many teeth does an adult human usually have, counting wisdom teeth?",
                "32",
            ),
            ("How many degrees are there in a right angle?", "90"),
            ("How many degrees are there in a full circle?", "360"),
            ("How many months of the year have 31 days?", "7"),
        ],
        reverse_forms: &[],
        numeric: true,
    },
    Category {
        id: "organ",
        forms: &["{}"],
        facts: &[
            ("Which organ pumps blood around the body?", "heart"),
            ("Which organs take in oxygen when we breathe?", "lungs"),
            ("Which is the largest organ of the human body?", "skin"),
            ("Which organs filter the blood to make urine?", "kidneys"),
            ("Which organ controls thinking and memory?", "brain"),
            ("Which organ makes bile?", "liver"),
            (
                "In which organ are most nutrients from food absorbed into the blood?",
                "small intestine",
            ),
        ],
        reverse_forms: &[],
        numeric: false,
    },
    Category {
        id: "gas",
        forms: &["{}"],
        facts: &[
            (
                "Which gas do plants take in from the air to make their food?",
                "carbon dioxide",
            ),
            (
                "Which gas do people need to breathe in to stay alive?",
                "oxygen",
            ),
            ("Which gas makes up most of Earth's atmosphere?", "nitrogen"),
            (
                "Which light gas is used to make party balloons float?",
                "helium",
            ),
            (
                "Which element is the most common in the universe?",
                "hydrogen",
            ),
        ],
        reverse_forms: &[],
        numeric: false,
    },
    Category {
        id: "ocean",
        forms: &["{}"],
        facts: &[
            ("Which is the largest ocean on Earth?", "Pacific Ocean"),
            (
                "Which ocean lies between Europe and North America?",
                "Atlantic Ocean",
            ),
            ("Which ocean lies directly south of India?", "Indian Ocean"),
            ("Which ocean surrounds the North Pole?", "Arctic Ocean"),
            ("Which ocean surrounds Antarctica?", "Southern Ocean"),
        ],
        reverse_forms: &[],
        numeric: false,
    },
    Category {
        id: "mountain",
        forms: &["{}"],
        facts: &[
            (
                "Which is the highest mountain on Earth above sea level?",
                "Mount Everest",
            ),
            ("Which is the highest mountain in Africa?", "Kilimanjaro"),
            ("Which is the highest mountain in North America?", "Denali"),
            ("Which is the second-highest mountain on Earth?", "K2"),
            ("Which is the highest mountain of the Alps?", "Mont Blanc"),
        ],
        reverse_forms: &[],
        numeric: false,
    },
];

/// Numbers near `answer` that a guess might land on.
fn nearby_numbers(answer: i64) -> Vec<String> {
    let spread = if answer >= 1000 {
        vec![-1, 1, -2, 2, -10, 10, 5, -5]
    } else if answer >= 50 {
        vec![-2, 2, -1, 1, 4, -4, 10, -10]
    } else {
        vec![-1, 1, 2, -2, 3, 4]
    };
    spread
        .into_iter()
        .map(|delta| answer + delta)
        .filter(|value| *value >= 0)
        .map(|value| value.to_string())
        .collect()
}

/// Draws one fact question: a table uniformly, then a fact and a form.
pub(super) fn draft(rng: &mut SplitMix64) -> Option<Draft> {
    let category = &CATEGORIES[rng.index(CATEGORIES.len())];
    let &(subject, answer) = category.facts.get(rng.index(category.facts.len()))?;
    let reverse = !category.reverse_forms.is_empty() && rng.below(3) == 0;
    let (question, answer, pool): (String, &str, Vec<String>) = if reverse {
        let form = pick(rng, category.reverse_forms);
        (
            form.replace("{}", answer),
            subject,
            category.facts.iter().map(|(s, _)| s.to_string()).collect(),
        )
    } else {
        let form = pick(rng, category.forms);
        let pool = if category.numeric {
            nearby_numbers(answer.parse().ok()?)
        } else {
            category.facts.iter().map(|(_, a)| a.to_string()).collect()
        };
        (form.replace("{}", subject), answer, pool)
    };
    // Reverse forms start with the answer, which can be lower case ("the Iliad").
    let question = capitalize(&question);
    Draft::new(
        rng,
        category.id,
        String::new(),
        question,
        answer.to_string(),
        Vec::new(),
        pool,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_have_enough_distinct_answers_and_no_duplicate_subjects() {
        let mut questions = 0;
        for category in &CATEGORIES {
            let mut subjects: Vec<&str> = category.facts.iter().map(|(s, _)| *s).collect();
            subjects.sort_unstable();
            subjects.dedup();
            assert_eq!(subjects.len(), category.facts.len(), "{}", category.id);
            let mut answers: Vec<&str> = category.facts.iter().map(|(_, a)| *a).collect();
            answers.sort_unstable();
            answers.dedup();
            if category.numeric {
                for (_, answer) in category.facts {
                    assert!(answer.parse::<i64>().is_ok(), "{answer}");
                }
            } else {
                assert!(answers.len() >= 4, "{}", category.id);
            }
            if !category.reverse_forms.is_empty() {
                assert_eq!(answers.len(), category.facts.len(), "{}", category.id);
            }
            questions +=
                category.facts.len() * (category.forms.len() + category.reverse_forms.len());
        }
        assert!(questions >= 400, "{questions}");
    }

    #[test]
    fn every_item_matches_its_table() {
        let mut rng = SplitMix64::new(12);
        for _ in 0..500 {
            let Some(draft) = draft(&mut rng) else {
                continue;
            };
            let category = CATEGORIES.iter().find(|c| c.id == draft.template).unwrap();
            let forward = category.facts.iter().any(|(subject, answer)| {
                category.forms.iter().any(|form| {
                    capitalize(&form.replace("{}", subject)) == draft.question
                        && *answer == draft.answer
                })
            });
            let backward = category.facts.iter().any(|(subject, answer)| {
                category.reverse_forms.iter().any(|form| {
                    capitalize(&form.replace("{}", answer)) == draft.question
                        && *subject == draft.answer
                })
            });
            assert!(forward || backward, "{draft:?}");
            // No distractor is also a right answer to the same question.
            for wrong in &draft.distractors {
                let also_right = category.facts.iter().any(|(subject, answer)| {
                    category.forms.iter().any(|form| {
                        capitalize(&form.replace("{}", subject)) == draft.question
                            && answer == wrong
                    })
                });
                assert!(!also_right, "{draft:?}");
            }
        }
    }
}
