import Foundation

extension VietnameseEventLanguage {
    /// The first person a fact rule reads (the rewrite, not these, decides what is the speaker).
    static let me = #"(?:em|con|mình|tớ|tôi|cháu)"#
    static let animals = "chó|mèo|cá|chim|thỏ|rùa|gà|vịt|vẹt|chuột hamster|hamster|ngựa|heo|lợn"
    static let kin =
        "bố|ba|mẹ|má|anh trai|chị gái|em trai|em gái|ông nội|ông ngoại|bà nội|bà ngoại|ông|bà|cô giáo|thầy giáo|cô chủ nhiệm|bạn thân"
    static let singleKin: Set<String> = [
        "bố", "ba", "mẹ", "má", "cô giáo", "thầy giáo", "cô chủ nhiệm", "ông nội",
        "ông ngoại", "bà nội", "bà ngoại",
    ]
    /// A name as written ("Lan", "Nguyễn Thị Lan"); a lower-case first word is taken too ("lan").
    static let name = #"(\p{L}+(?:\s+(?-i:\p{Lu})\p{L}*){0,3})"#

    /// Slots of a child's statements about herself: name, age, birthday, pets, school and grade,
    /// home, family, favourites, likes and dislikes, wishes. The fact's text is the clause said, with
    /// the speaker's name ("Em học lớp 3 ở trường Hoa Sen" → "Lan học lớp 3 ở trường Hoa Sen"); only
    /// the name is stated apart ("Tên là Lan"), as the speaker may be the name itself.
    public var factPatterns: [FactPattern] {
        let me = Self.me
        let animals = Self.animals
        let name = Self.name
        let user = "user"
        return [
            // Kin first: "Mẹ em tên là Hoa" names the mother, not the speaker.
            FactPattern(
                #"\b("# + Self.kin + #")\s+(?:của\s+)?"# + me
                    + #"\s+(?:tên\s+là|tên|là)\s+((?-i:\p{Lu})\p{L}*(?:\s+(?-i:\p{Lu})\p{L}*){0,3})"#
            ) { c in
                let kin = c[1].lowercased()
                return .init(
                    attribute: Self.singleKin.contains(kin) ? "family_\(kin.replacingOccurrences(of: " ", with: "_"))" : nil,
                    entities: [GraphEntity(name: c[2], type: "person")],
                    relations: [GraphRelation(source: user, relation: kin.replacingOccurrences(of: " ", with: "_"), target: c[2])])
            },
            FactPattern(
                #"(?:\btên\s+(?:của\s+)?"# + me + #"|(?<!(?:của|"# + animals + "|" + Self.kin + #")\s)\b"# + me + #"\s+tên)\s+(?:là\s+)?"#
                    + name
            ) { c in
                let value = Self.capitalised(c[1])
                return .init(
                    attribute: "name", text: "Tên là \(value)", entities: [GraphEntity(name: value, type: "person")],
                    relations: [GraphRelation(source: user, relation: "name", target: value)])
            },
            FactPattern(#"\b"# + me + #"\s+(?:năm nay\s+|đã\s+|được\s+)?(\d{1,3})\s+tuổi\b"#) { _ in .init(attribute: "age") },
            FactPattern(#"\bsinh nhật\s+(?:của\s+)?"# + me + #"\s+(?:là\s+)?(?:vào\s+)?\S"#) { _ in .init(attribute: "birthday") },
            FactPattern(
                #"\b"# + me + #"\s+(?:có|nuôi)\s+(?:một\s+)?(?:con\s+|chú\s+|bé\s+)?("# + animals + #")\s+(?:tên\s+là|tên|là)\s+(\p{L}+)"#
            ) { c in
                let pet = Self.capitalised(c[2])
                return .init(
                    attribute: "pet_name:\(pet.lowercased())", entities: [GraphEntity(name: pet, type: "pet")],
                    relations: [
                        GraphRelation(source: user, relation: "has_pet", target: pet),
                        GraphRelation(source: pet, relation: "is_a", target: c[1].lowercased()),
                    ])
            },
            FactPattern(#"\b"# + me + #"\s+(?:có|nuôi)\s+(?:\p{L}+\s+)?(?:con|chú|bé)\s+("# + animals + #")\b"#) { c in
                .init(
                    attribute: "pet:\(c[1].lowercased())",
                    relations: [GraphRelation(source: user, relation: "has_pet", target: c[1].lowercased())])
            },
            FactPattern(#"\b"# + me + #"\s+(?:đang\s+)?học\s+lớp\s+[\p{L}\d]+(?:\s+\p{L}+)?\s+(?:ở|tại)\s+(trường\s+.+)"#) { c in
                Self.school(c[1])
            },
            FactPattern(#"\b"# + me + #"\s+(?:đang\s+)?học\s+(?:ở|tại)\s+(.+)"#) { c in Self.school(c[1]) },
            FactPattern(#"\b"# + me + #"\s+(?:đang\s+|đã\s+)?(?:học\s+|lên\s+)?lớp\s+[\p{L}\d]+"#) { _ in .init(attribute: "grade") },
            FactPattern(#"(?:\b"# + me + #"\s+(?:đang\s+)?sống\s+(?:ở|tại)|\bnhà\s+(?:của\s+)?"# + me + #"\s+ở)\s+(.+)"#) { c in
                Self.clean(c[1]).map { place in
                    .init(
                        attribute: "location", entities: [GraphEntity(name: place, type: "place")],
                        relations: [GraphRelation(source: user, relation: "lives_in", target: place)])
                }
            },
            // "Màu yêu thích của em là màu xanh", "Em thích màu xanh nhất".
            FactPattern(#"\b(\p{L}+(?:\s+\p{L}+)?)\s+(?:yêu thích|ưa thích)\s+(?:nhất\s+)?(?:của\s+)?"# + me + #"\s+là\s+(.+)"#) { c in
                Self.favorite(topic: c[1], value: c[2])
            },
            FactPattern(#"\b"# + me + #"\s+(?:rất\s+)?thích\s+(.+?)\s+nhất\b"#) { c in Self.favorite(topic: c[1], value: c[1]) },
            FactPattern(#"\b"# + me + #"\s+(?:rất\s+|cũng\s+)?(?:không thích|chẳng thích|ghét)\s+(.+)"#) { c in Self.preference(c[1]) },
            FactPattern(#"\b"# + me + #"\s+(?:rất\s+|cũng\s+|rất là\s+|cực kỳ\s+)?(?:thích|yêu|mê|khoái)\s+(.+)"#) { c in
                Self.preference(c[1])
            },
            FactPattern(#"\b"# + me + #"\s+(?:sẽ|định|muốn|sắp|dự định)\s+\S"#) { _ in .init(attribute: nil) },
        ]
    }

    static func school(_ raw: String) -> FactPattern.Meaning? {
        clean(raw).map { school in
            .init(
                attribute: "school", entities: [GraphEntity(name: school, type: "school")],
                relations: [GraphRelation(source: "user", relation: "attends", target: school)])
        }
    }

    static func preference(_ raw: String) -> FactPattern.Meaning? {
        clean(raw).map { thing in
            .init(attribute: "pref:\(thing.lowercased())", entities: [GraphEntity(name: thing, type: "thing")])
        }
    }

    /// A favourite: the topic's English slot name when the L2 questions know the topic ("màu" →
    /// `favorite_color`, so "Màu yêu thích của em là gì?" finds it), else the topic as said.
    static func favorite(topic: String, value: String) -> FactPattern.Meaning? {
        let topic = topic.lowercased()
        guard let value = clean(value) else { return nil }
        let known = PreferenceQuestion.vietnameseTopics.first { topic == $0.0 || topic.hasPrefix($0.0 + " ") }?.1
        let slot = (known ?? topic).replacingOccurrences(of: " ", with: "_")
        return .init(
            attribute: "favorite_\(slot)", entities: [GraphEntity(name: value, type: "thing")],
            relations: [GraphRelation(source: "user", relation: "favorite_\(slot)", target: value)])
    }

    /// Trimmed, without trailing particles and intensifiers; nil when nothing is left.
    static func clean(_ text: String) -> String? {
        var value = text.trimmingCharacters(in: .whitespacesAndNewlines.union(.punctuationCharacters))
        var changed = true
        while changed {
            changed = false
            for filler in [" lắm", " nữa", " nhất", " ạ", " nhé", " nha", " quá", " cơ", " nhiều"]
            where value.lowercased().hasSuffix(filler) {
                value = String(value.dropLast(filler.count))
                changed = true
            }
        }
        value = value.trimmingCharacters(in: .whitespacesAndNewlines.union(.punctuationCharacters))
        guard !value.isEmpty, value.count <= 200 else { return nil }
        return value
    }

    static func capitalised(_ name: String) -> String {
        name.split(separator: " ").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " ")
    }
}
