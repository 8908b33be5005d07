extension RuleExtractor {
    /// Words that begin a rule fact's predicate: the speaker goes before them ("Loves painting" →
    /// "Ana loves painting").
    static let predicateStarts: Set<String> = [
        "Loves", "Likes", "Enjoys", "Adores", "Prefers", "Hates", "Dislikes", "Is", "Has", "Goes", "Lives", "Plans", "Was",
        "Does", "Grew", "Works", "Studies", "Owns", "Believes", "Plays", "Practises", "Practices", "Runs", "Swims", "Paints",
        "Draws", "Cooks", "Bakes", "Dances", "Sings", "Reads", "Writes", "Hikes", "Cycles", "Rides", "Knits", "Gardens",
        "Volunteers", "Meditates", "Climbs", "Surfs", "Skis", "Fishes", "Jogs", "Trains",
    ]
    /// Words that begin a rule fact's possessed noun: the speaker's possessive goes before them
    /// ("Favorite color is blue" → "Ana's favorite color is blue").
    static let possessedStarts: Set<String> = [
        "Name", "Favorite", "Birthday", "Mom", "Mum", "Mother", "Dad", "Father", "Sister", "Brother", "Grandma",
        "Grandmother", "Grandpa", "Grandfather", "Aunt", "Uncle", "Cousin", "Best", "Friend", "Teacher", "Baby", "Hair", "Eyes",
        "Job",
    ]

    /// A rule fact's text with its subject named when the message names its speaker, so the memory
    /// stands alone among several people's ("Loves painting" said by Ana → "Ana loves painting").
    /// Facts already naming their subject ("Lan likes cats") and messages without a speaker keep
    /// the text as it is (the single-user companion's "Likes dinosaurs").
    static func naming(_ text: String, speaker: String?) -> String {
        guard let speaker = speaker.map(EventRewriter.cleanName), !speaker.isEmpty,
            let first = text.split(separator: " ", maxSplits: 1).first.map(String.init)
        else { return text }
        let rest = text.prefix(1).lowercased() + text.dropFirst()
        if predicateStarts.contains(first) { return "\(speaker) \(rest)" }
        if possessedStarts.contains(first) { return "\(speaker)'s \(rest)" }
        return text
    }
}
