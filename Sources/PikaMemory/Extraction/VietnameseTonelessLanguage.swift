import Foundation
import PikaRetrieval

/// Vietnamese typed without its tones and marks, wholly ("em ten la Lan, em thich meo") or in part
/// ("em tên la Lan, em thich mèo"), as children type it: the rules of ``VietnameseEventLanguage``,
/// each letter with a mark also accepting its bare letter (``tolerant(_:)``: "thích" reads
/// "thích" and "thich", not "thịch"). What was typed stays as typed in the memory ("Lan thich meo";
/// keyword search folds marks, so "mèo" finds it); the rewrites and dates use Vietnamese words
/// ("Ngày 5/12/2026 Lan di so thu").
///
/// Bare letters make some words ambiguous, so two first-person forms are narrowed: bare "minh" is
/// the speaker only in lower case ("Minh" is a name, "mình" in any case is the speaker), and bare
/// "to" only where a clause starts ("to thich meo"; "con cho to" is a big dog).
///
/// A text is read by these rules (``recognizes(_:)``) when it holds a lower-case bare spelling of a
/// common word that Vietnamese always writes with a mark (``markers``: "thich", "ten", "hoc", …):
/// with any other mark in the text, one such word; in plain ASCII, one of them or the first person
/// "em" or "chau", and half the words Vietnamese (``asciiWords``), so English ("I have ten cats")
/// is never read as Vietnamese.
public struct VietnameseTonelessLanguage: EventLanguage {
    let base = VietnameseEventLanguage()

    /// Creates the rule set.
    public init() {}

    /// `vi` (without tones).
    public var code: String { "vi-toneless" }
    /// As ``VietnameseEventLanguage/defaultSpeaker``.
    public var defaultSpeaker: String { base.defaultSpeaker }

    static let singular = VietnameseEventLanguage.singular.map(narrowed)
    static let plural = narrowed(VietnameseEventLanguage.plural)

    /// The toned language's pronoun rewrites, tolerant and narrowed.
    public var pronounRewrites: [(pattern: String, template: String)] {
        [(Self.plural, "{name} và mọi người")] + Self.singular.map { ($0, "{name}") }
    }
    /// Tolerant ``VietnameseEventLanguage/firstPerson``.
    public var firstPerson: String { ([Self.plural] + Self.singular).joined(separator: "|") }
    /// Tolerant ``VietnameseEventLanguage/singularFirstPerson``.
    public var singularFirstPerson: String { Self.singular.joined(separator: "|") }
    /// Tolerant ``VietnameseEventLanguage/secondPerson``.
    public var secondPerson: String { Self.tolerant(base.secondPerson) }
    /// Tolerant ``VietnameseEventLanguage/leadingFiller``.
    public var leadingFiller: String { Self.tolerant(base.leadingFiller) }
    /// Tolerant ``VietnameseEventLanguage/smallTalk``.
    public var smallTalk: [String] { base.smallTalk.map(Self.tolerant) }
    /// Tolerant ``VietnameseEventLanguage/questionStart``.
    public var questionStart: String { Self.tolerant(base.questionStart) }
    /// Tolerant ``VietnameseEventLanguage/trailingFiller``.
    public var trailingFiller: String? { base.trailingFiller.map(Self.tolerant) }
    /// Tolerant ``VietnameseEventLanguage/dateExpressions`` (their captures are read folded).
    public var dateExpressions: [DateExpression] { base.dateExpressions.map(Self.tolerant) }
    /// Tolerant ``VietnameseEventLanguage/absoluteDates``.
    public var absoluteDates: [DateExpression] { base.absoluteDates.map(Self.tolerant) }
    /// The toned words and their bare spellings.
    public var timeWords: Set<String>? { base.timeWords.map { $0.union($0.map(TextTokenizer.fold)) } }
    /// The toned language's: bare spellings of them are names ("Nam", "Minh", "Tuan").
    public var notNames: Set<String> { base.notNames }
    /// True: bare "to", "con", "em" are English or French words too; only text these rules
    /// recognise is theirs.
    public var readsOnlyRecognised: Bool { true }
    /// As the toned language (dates are written with their marks).
    public func render(_ span: DateSpan) -> String { base.render(span) }

    /// Tolerant ``VietnameseEventLanguage/factPatterns``; a capture that is the bare spelling of one
    /// word the rules name (an animal, a relative, a favourite's topic) is given its marks before
    /// the rule reads it, so "meo" fills the slot "mèo" does (`pref:mèo`).
    public var factPatterns: [FactPattern] {
        base.factPatterns.map { rule in
            let meaning = rule.meaning
            return FactPattern(Self.narrowed(rule.pattern)) { captures in meaning(captures.map(Self.marked)) }
        }
    }

    /// Whether `text` is Vietnamese typed without (some of) its marks; see the type.
    public func recognizes(_ text: String) -> Bool {
        let words = text.split(whereSeparator: { !$0.isLetter }).map(String.init)
        if text.utf8.contains(where: { $0 >= 0x80 }) { return words.contains(where: Self.markers.contains) && base.recognizes(text) }
        // "em" and "chau" are first persons that are no English words, and need no mark.
        guard words.contains(where: { Self.markers.contains($0) || $0 == "em" || $0 == "chau" }) else { return false }
        let vietnamese = words.filter { Self.asciiWords.contains($0.lowercased()) }.count
        return 2 * vietnamese >= words.count
    }

    /// Lower-case bare spellings of frequent words that are always written with a mark, and that
    /// are not Vietnamese words (nor names) as they stand: "thich" can only be "thích".
    static let markers: Set<String> = [
        "thich", "ten", "la", "hoc", "lop", "truong", "toi", "duoc", "khong", "tuoi", "hom", "choi", "nhat",
        "nhieu", "yeu", "ghet", "nuoi", "nguoi", "gi", "dau", "truoc", "tuan", "boi",
    ]

    /// Bare Vietnamese words (markers, pronouns, common function and content words) counted to tell
    /// plain-ASCII Vietnamese from English.
    static let asciiWords: Set<String> = markers.union([
        "em", "con", "minh", "to", "chau", "ban", "me", "bo", "ba", "ong", "anh", "chi", "co", "thay", "va", "nhung",
        "o", "di", "cho", "meo", "ca", "nha", "nay", "mai", "qua", "ngay", "tuan", "thang", "nam", "sinh", "nhat",
        "rat", "cung", "dang", "da", "se", "muon", "lam", "ve", "so", "thu", "voi", "cua", "mot", "hai", "bon",
        "sau", "bay", "tam", "chin", "muoi", "ngu", "an", "xem", "sach", "truyen", "bong", "mau", "xanh", "do",
        "vang", "hong", "tim", "trang", "den", "ne", "nhe", "a", "oi", "kia", "toi", "trai", "gai", "noi",
    ])

    /// Bare spellings of the words and phrases fact rules name (animals, relatives, favourites'
    /// topics), each with its one marked spelling; a bare spelling of two ("ba": "ba", "bà") is left
    /// as typed.
    static let marks: [String: String] = {
        let listed =
            (VietnameseEventLanguage.animals + "|" + VietnameseEventLanguage.kin).split(separator: "|").map(String.init)
            + topics
        var spellings: [String: Set<String>] = [:]
        for word in listed { spellings[TextTokenizer.fold(word), default: []].insert(word) }
        return spellings.compactMapValues { $0.count == 1 ? $0.first : nil }.filter { $0.key != $0.value }
    }()
    static let topics = PreferenceQuestion.vietnameseTopics.map(\.0)

    /// `capture` with its marks when it is the lower-case bare spelling of a word or phrase the rules
    /// name, or starts with a favourite's topic ("mau xanh" → "màu xanh", so the slot is
    /// `favorite_color`). A capitalised word is a name: a cat called "Meo" keeps its name.
    static func marked(_ capture: String) -> String {
        if let word = marks[capture] { return word }
        for topic in topics {
            let bare = TextTokenizer.fold(topic)
            if bare != topic, capture.hasPrefix(bare + " "), marks[bare] == topic { return topic + capture.dropFirst(bare.count) }
        }
        return capture
    }

    /// The expression with a tolerant pattern (its words' tables hold the bare spellings too).
    static func tolerant(_ expression: DateExpression) -> DateExpression {
        DateExpression(tolerant(expression.pattern), expression.shift)
    }

    /// `pattern` made tolerant, then bare "minh" and "to" narrowed as the type describes.
    static func narrowed(_ pattern: String) -> String {
        tolerant(pattern)
            .replacingOccurrences(of: "m[ìi]nh", with: "(?:mình|(?-i:minh))")
            .replacingOccurrences(of: #"\bt[ớo]\b"#, with: #"(?:\btớ\b|(?<![\p{L}\d]\s{1,4}|[\p{L}\d])(?-i:to)\b)"#)
    }

    /// `pattern` with every letter that carries a mark also matching its bare letter: outside a
    /// character class "í" becomes "[íi]", inside one the bare letter joins the class. Escapes
    /// (`\b`, `\p{L}`) are copied as they are.
    static func tolerant(_ pattern: String) -> String {
        var result = ""
        var inClass = false
        var escaped = false
        for character in pattern {
            if escaped {
                result.append(character)
                escaped = false
                continue
            }
            switch character {
            case "\\":
                escaped = true
                result.append(character)
            case "[" where !inClass:
                inClass = true
                result.append(character)
            case "]" where inClass:
                inClass = false
                result.append(character)
            default:
                let bare = character.isLetter ? TextTokenizer.fold(String(character)) : String(character)
                if bare == String(character) || bare.count != 1 {
                    result.append(character)
                } else if inClass {
                    result += String(character) + bare
                } else {
                    result += "[" + String(character) + bare + "]"
                }
            }
        }
        return result
    }
}
