//! Word lists shared by several generators.

/// First names for the invented people of the items: short, common in many countries,
/// none also an English word a question could use otherwise.
pub(super) const NAMES: [&str; 48] = [
    "Anna", "Ben", "Carla", "David", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kara",
    "Leo", "Maya", "Nils", "Olga", "Pablo", "Quinn", "Rosa", "Sami", "Tara", "Umar", "Vera",
    "Liam", "Yuki", "Zoe", "Amir", "Bella", "Chen", "Dina", "Emil", "Fatima", "Gus", "Hana",
    "Ivan", "Julia", "Kofi", "Lina", "Marco", "Nora", "Omar", "Priya", "Ravi", "Sofia", "Tomas",
    "Ruth", "Victor", "Wendy", "Aisha",
];

/// Colour words.
pub(super) const COLOURS: [&str; 10] = [
    "red", "blue", "green", "yellow", "purple", "orange", "white", "black", "brown", "pink",
];

/// Cities for where invented people live (real places; the facts about the people are
/// the passage's, not the world's).
pub(super) const CITIES: [&str; 20] = [
    "Lisbon", "Oslo", "Denver", "Nairobi", "Lima", "Osaka", "Dublin", "Krakow", "Seville", "Perth",
    "Quebec", "Tunis", "Hanoi", "Porto", "Bergen", "Leeds", "Austin", "Geneva", "Munich", "Turin",
];
