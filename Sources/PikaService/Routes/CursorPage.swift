import Foundation

/// A page of a cursor-paginated list: `{"results": [...], "next_cursor": "…" | null}`.
struct CursorPage<Item: Encodable>: Encodable {
    let results: [Item]
    let nextCursor: String?

    enum CodingKeys: String, CodingKey { case results, nextCursor = "next_cursor" }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(results, forKey: .results)
        try c.encode(nextCursor, forKey: .nextCursor)  // null on the last page, not absent
    }
}

/// Opaque cursor text: base64url (no padding) of `<tag>:<value>`.
enum CursorText {
    static func encode(tag: String, _ value: String) -> String {
        Data("\(tag):\(value)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// The value of a cursor with `tag`, nil for anything else (or longer than `maxLength`).
    static func decode(tag: String, _ text: String, maxLength: Int) -> String? {
        guard text.count <= maxLength else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let plain = String(data: data, encoding: .utf8), plain.hasPrefix(tag + ":") else {
            return nil
        }
        return String(plain.dropFirst(tag.count + 1))
    }
}
