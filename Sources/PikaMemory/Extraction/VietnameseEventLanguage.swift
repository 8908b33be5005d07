import Foundation

/// Vietnamese forms for fact and event extraction and time-aware search (see ``EventLanguage``),
/// written for the way children talk to a companion: the first person is "em" (to an older person),
/// "con" (to a parent), "cháu" (to a grandparent), "mình"/"tớ" (to a friend) or "tôi"; "chúng em",
/// "bọn mình"… are "we". Memories are written in Vietnamese with the speaker's name for the first
/// person ("Em thích mèo" said by Lan → "Lan thích mèo") and dates resolved against the message's
/// time ("Hôm qua em đi sở thú" on 6/12/2026 → "Ngày 5/12/2026 Lan đi sở thú").
///
/// Vietnamese has no verb agreement and writes the possessive after the noun ("mẹ em" → "mẹ Lan"),
/// so replacing the pronoun by the name is the whole rewrite. "Con" and "em" are also nouns
/// ("con mèo", "em trai"); the patterns leave those alone by the words around them.
public struct VietnameseEventLanguage: EventLanguage {
    /// Creates the rule set.
    public init() {}

    /// `vi`.
    public var code: String { "vi" }
    /// `Bé` ("the child"): the companion talks with children, and Vietnamese speaks of a child so.
    public var defaultSpeaker: String { "Bé" }

    /// The singular first-person forms, each kept apart from the noun it can also be.
    static let singular = [
        // "con" is a classifier after a number or verb ("một con mèo", "nuôi con chó") and before an animal.
        #"(?<!\b(?:một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười|mấy|vài|những|các|có|nuôi|thấy|bắt|mua|đàn|bầy|từng|mỗi|con|là)\s)\bcon\b(?!\s+(?:mèo|chó|cá|chim|gà|vịt|heo|lợn|bò|trâu|ngựa|thỏ|rùa|voi|khỉ|hổ|gấu|sư tử|hươu|ong|bướm|kiến|sâu|chuột|vẹt|gì|nào|vật|trai|gái|út|cả|số|đường|người|cái)\b)"#,
        // "em trai", "em gái", "em bé", "anh em", "các em" are not the speaker.
        #"(?<!\b(?:anh|chị|các|hai|ba|mấy|những|đứa)\s)\bem\b(?!\s+(?:trai|gái|bé|họ|út|ruột)\b)"#,
        #"(?<!\b(?:một|tự|chính)\s)\bmình\b"#,
        #"\btớ\b"#,
        #"\btôi\b"#,
        #"\bcháu\b(?!\s+(?:trai|gái|nội|ngoại)\b)"#,
    ]
    static let plural = #"\b(?:chúng|bọn|tụi)\s+(?:em|con|mình|tớ|tôi|cháu)\b"#

    /// "Chúng em…" becomes "{name} và mọi người"; each singular first person becomes the name.
    public var pronounRewrites: [(pattern: String, template: String)] {
        [(Self.plural, "{name} và mọi người")] + Self.singular.map { ($0, "{name}") }
    }

    /// Every first-person form, plural first.
    public var firstPerson: String { ([Self.plural] + Self.singular).joined(separator: "|") }
    /// The singular first-person forms only.
    public var singularFirstPerson: String { Self.singular.joined(separator: "|") }
    /// "cậu", and "bạn" asked or called.
    public var secondPerson: String { #"\bcậu\b|\bbạn\s+(?:có|đã|thì|ơi|nhé|nhỉ|à)\b"# }

    /// "Dạ,", "Ồ", "Ừm", "Pika ơi,", "Cô ơi!".
    public var leadingFiller: String {
        #"^(?:(?:ồ|ôi|ôi chao|à|ừ|ừm|ờ|dạ|vâng|chà|ui|ơ|wow|hihi|hì hì|haha+|hehe|ok|oke|okay|yay|thế à|vậy à|thật à)(?=[\s,!.]|$)[\s,!.]*|(?:[\p{L}]+\s+){0,2}ơi[\s,!.]+)+"#
    }

    /// Greetings, thanks, farewells, agreement and reactions.
    public var smallTalk: [String] {
        let me = #"(?:(?:em|con|cháu|mình|tớ|tôi)\s+)?"#
        return [
            #"^(?:xin chào|chào)\b.{0,30}$"#,
            #"^(?:em|con|cháu|mình|tớ|tôi)\s+(?:xin\s+)?chào\b.{0,30}$"#,
            "^" + me + #"(?:xin\s+)?(?:cảm ơn|cám ơn)\b.{0,40}$"#,
            #"^(?:tạm biệt|bye|bai bai|hẹn gặp lại|chúc ngủ ngon|ngủ ngon)\b.{0,40}$"#,
            "^" + me + #"(?:phải\s+)?(?:đi ngủ|đi đây|đi nhé)\s*(?:đây|nhé|nha|ạ)?\s*$"#,
            #"^(?:hay|tuyệt|vui|giỏi|đẹp|dễ thương|buồn|tiếc|thích)\s+(?:quá|thật|lắm|ghê)\b.{0,20}$"#,
            "^" + me + #"(?:cũng\s+)?(?:biết rồi|hiểu rồi|đồng ý|nhớ rồi|hiểu)\b.{0,20}$"#,
            #"^(?:đúng rồi|không sao|được rồi|ok|vâng|dạ|ừ)\b.{0,15}$"#,
            "^" + me + #"(?:rất\s+|cũng\s+)?(?:vui|mừng)\s+(?:vì|khi|được)\s+(?:gặp|nói chuyện)\b.*$"#,
        ]
    }

    /// A question word or particle at the end ("…gì", "…không", "…chưa"), or a question opening.
    public var questionStart: String {
        #"\b(?:gì|sao|nào|bao giờ|bao nhiêu|không|chưa|hả|hở|nhỉ|chứ|ở đâu|đi đâu)\s*[.!]*\s*$|^(?:có phải|tại sao|vì sao|làm sao|bao giờ|khi nào|ai)\b"#
    }

    /// Particles that end a clause without adding to it ("Em thích mèo lắm ạ" → "…thích mèo").
    public var trailingFiller: String? { #"(?:\s+(?:ạ|nhé|nha|nhá|à|ơi|hihi|hì hì|haha|lắm|nữa|quá|cơ))+\s*$"# }

    static let count = #"(\d{1,2}|một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười|vài|mấy)"#
    /// Number words, with the bare spellings of ``VietnameseTonelessLanguage`` ("sau" is six only here).
    static let numbers = [
        "một": 1, "hai": 2, "ba": 3, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7, "tám": 8, "chín": 9,
        "mười": 10, "vài": 3, "mấy": 3, "mot": 1, "bon": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8,
        "chin": 9, "muoi": 10, "vai": 3, "may": 3,
    ]

    @Sendable static func number(_ word: String) -> Int? { Int(word) ?? numbers[word.lowercased()] }

    /// -1 for "trước", "qua", "ngoái"; 0 for "này", "nay"; +1 for "sau", "tới".
    @Sendable static func direction(_ word: String) -> Int {
        switch word.lowercased() {
        case "này", "nay": return 0
        case "sau", "tới", "toi", "năm sau": return 1
        default: return -1
        }
    }

    /// Thứ hai (Monday) is weekday 2, as the calendar numbers it; chủ nhật (Sunday) is 1.
    @Sendable static func weekday(_ word: String) -> Int {
        let names = ["hai": 2, "ba": 3, "tư": 4, "năm": 5, "sáu": 6, "bảy": 7, "tu": 4, "nam": 5, "sau": 6, "bay": 7]
        return Int(word) ?? names[word.lowercased()] ?? 1
    }

    /// "hôm qua", "tuần trước", "hai tuần trước", "cuối tuần trước", "thứ sáu tuần trước", "năm ngoái"…
    public var dateExpressions: [DateExpression] {
        let count = Self.count
        let number = Self.number
        let direction = Self.direction
        let weekday = Self.weekday
        let seasons = [
            "hè": ("summer", 6), "hạ": ("summer", 6), "thu": ("autumn", 9), "đông": ("winter", 12),
            "xuân": ("spring", 3), "he": ("summer", 6), "ha": ("summer", 6), "dong": ("winter", 12),
            "xuan": ("spring", 3),
        ]
        return [
            DateExpression(#"\bhôm kia\b"#) { _ in .days(-2) },
            DateExpression(#"\b(?:ngày kia|ngày mốt)\b"#) { _ in .days(2) },
            DateExpression(#"\b(?:ngày\s+)?hôm qua\b"#) { _ in .days(-1) },
            DateExpression(#"\b(?:tối|đêm)\s+qua\b"#) { _ in .night(-1) },
            DateExpression(#"\b(?:hôm|sáng|trưa|chiều|tối)\s+nay\b"#) { _ in .days(0) },
            DateExpression(#"\b(?:ngày|sáng|trưa|chiều|tối)\s+mai\b"#) { _ in .days(1) },
            // Before the counts: "thứ sáu tuần trước" is a Friday, not six weeks ago.
            DateExpression(#"\b(?:thứ\s+(hai|ba|tư|năm|sáu|bảy|[2-7])|chủ\s+nhật)\s+tuần\s+(trước|sau|tới)\b"#) { c in
                .weekday(weekday(c[1]), direction: direction(c[2]))
            },
            DateExpression(#"\b"# + count + #"\s+(?:ngày|hôm)\s+(?:trước|qua)\b"#) { c in number(c[1]).map { .days(-$0) } },
            DateExpression(#"\b"# + count + #"\s+tuần\s+(?:trước|qua)\b"#) { c in number(c[1]).map { .weeks(-$0) } },
            DateExpression(#"\b"# + count + #"\s+tháng\s+trước\b"#) { c in number(c[1]).map { .months(-$0) } },
            DateExpression(#"\b"# + count + #"\s+năm\s+trước\b"#) { c in number(c[1]).map { .years(-$0) } },
            DateExpression(#"\b(?:sau\s+|trong\s+)?"# + count + #"\s+ngày\s+nữa\b"#) { c in number(c[1]).map { .days($0) } },
            DateExpression(#"\b(?:sau\s+|trong\s+)?"# + count + #"\s+tuần\s+nữa\b"#) { c in number(c[1]).map { .weeks($0) } },
            DateExpression(#"\bcuối\s+tuần\s+(trước|này|sau|tới)\b"#) { c in .weekend(direction(c[1])) },
            DateExpression(#"\btuần\s+(trước|sau|tới)\b"#) { c in .week(direction(c[1])) },
            DateExpression(#"\btháng\s+(trước|này|sau|tới)\b"#) { c in .months(direction(c[1])) },
            DateExpression(#"\bnăm\s+(ngoái|trước|nay|sau|tới)\b"#) { c in .years(direction(c[1])) },
            // "mùa hè năm ngoái" is "mùa hè năm 2025" by the rule before; this one is "mùa hè trước/này/tới".
            DateExpression(#"\bmùa\s+(hè|hạ|thu|đông|xuân)\s+(trước|này|nay|sau|tới)\b"#) { c in
                let (name, start) = seasons[c[1].lowercased()] ?? ("summer", 6)
                return .season(name: name, startMonth: start, direction: direction(c[2]))
            },
        ]
    }

    /// The words of ``dateExpressions`` and the absolute forms: "5/12/2026" holds none, but its four-digit year.
    public var timeWords: Set<String>? {
        [
            "hôm", "qua", "nay", "mai", "kia", "mốt", "ngày", "tuần", "tháng", "năm", "mùa", "thứ", "chủ", "nhật", "tối",
            "đêm", "nữa",
        ]
    }

    /// "5/12/2026", "ngày 5 tháng 12 năm 2026", "tháng 12/2026", "năm 2026".
    public var absoluteDates: [DateExpression] {
        [
            DateExpression(#"\b(?:ngày\s+)?(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b"#) { c in
                guard let d = Int(c[1]), let m = Int(c[2]), let y = Int(c[3]) else { return nil }
                return .day(year: y, month: m, day: d)
            },
            DateExpression(#"\bngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})(?:\s+năm|,)?\s+(\d{4})\b"#) { c in
                guard let d = Int(c[1]), let m = Int(c[2]), let y = Int(c[3]) else { return nil }
                return .day(year: y, month: m, day: d)
            },
            DateExpression(#"\btháng\s+(\d{1,2})(?:\s+năm\s+|/)(\d{4})\b"#) { c in
                guard let m = Int(c[1]), let y = Int(c[2]) else { return nil }
                return .month(year: y, month: m)
            },
            DateExpression(#"\bnăm\s+((?:19|20)\d{2})\b"#) { c in Int(c[1]).map { .year($0) } },
        ]
    }

    /// Pronouns, question and time words that open a sentence. Kin words stay names: "Anh" is a
    /// common given name, and "Mẹ em thích gì?" is about the mother's memories.
    public var notNames: Set<String> {
        [
            "Em", "Con", "Mình", "Tớ", "Tôi", "Cháu", "Bé", "Bạn", "Ai", "Gì", "Khi", "Lúc", "Bao", "Tại", "Vì", "Sao",
            "Hôm", "Ngày", "Tháng", "Năm", "Tuần", "Thứ", "Chủ", "Có", "Là", "Và", "Của", "Nhà", "Trường", "Lớp", "Tên",
            "Sinh",
        ]
    }

    /// "ngày 5/12/2026", "trong tuần trước ngày 6/12/2026", "tháng 11/2026", "mùa hè năm 2026".
    public func render(_ span: DateSpan) -> String {
        let calendar = DateShift.calendar
        func day(_ date: Date) -> String {
            let c = calendar.dateComponents([.year, .month, .day], from: date)
            return "\(c.day!)/\(c.month!)/\(c.year!)"
        }
        let year = calendar.component(.year, from: span.start)
        switch span.kind {
        case .day: return "ngày \(day(span.start))"
        case .night: return "đêm \(day(span.start))"
        case .approximateDay: return "khoảng ngày \(day(span.day))"
        case .weekBefore: return "trong tuần trước ngày \(day(span.reference))"
        case .weekAfter: return "trong tuần sau ngày \(day(span.reference))"
        case .weekendBefore, .weekendOf, .weekendAfter: return "cuối tuần ngày \(day(span.start))"
        case .month: return "tháng \(calendar.component(.month, from: span.start))/\(year)"
        case .year: return "năm \(year)"
        case .season(let name):
            let word = ["summer": "hè", "autumn": "thu", "winter": "đông", "spring": "xuân"][name] ?? name
            return name == "winter" ? "mùa đông \(year)–\(year + 1)" : "mùa \(word) năm \(year)"
        }
    }

    /// True: text typed without marks is ``VietnameseTonelessLanguage``'s, whose rules read it.
    public var readsOnlyRecognised: Bool { true }

    /// Letters only Vietnamese writes (ă, ơ, ư, đ and the tones other languages do not put on a
    /// vowel), or a common Vietnamese word with a diacritic: "café" is not Vietnamese, "Em thích mèo" is.
    public func recognizes(_ text: String) -> Bool {
        guard text.utf8.contains(where: { $0 >= 0x80 }) else { return false }
        let text = text.precomposedStringWithCanonicalMapping.lowercased()
        if text.unicodeScalars.contains(where: { Self.letters.contains($0) }) { return true }
        return text.split(whereSeparator: { !$0.isLetter }).contains { Self.words.contains(String($0)) }
    }

    static let letters = Set("ăắằẳẵặơớờởỡợưứừửữựđạảẹẻẽịỉọỏụủỳỷỹỵấầẩẫậếềểễệốồổỗộ".unicodeScalars)
    static let words: Set<String> = [
        "tôi", "mình", "tớ", "là", "và", "của", "thích", "học", "ở", "với", "hôm", "không",
        "được", "có", "đi", "tên", "một", "những", "này", "đã", "sẽ", "rất", "lắm", "nhé",
        "tuổi", "mèo", "chó", "bà", "mẹ", "bố", "cháu", "trường", "lớp", "nhà", "yêu", "ghét",
        "làm", "gì", "tháng", "ngày", "tuần", "thì", "mà", "cái", "chơi", "vì", "nào", "đó",
        "bé", "cô", "chú", "ông", "anh", "chị", "vẽ", "vui", "buồn", "thế", "sáng", "tối",
        "chiều", "trưa", "hè", "bơi", "xem", "về", "quê",
    ]
}
