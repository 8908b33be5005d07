import Foundation

/// A page of a cursor-paginated list: `{"results": [...], "next_cursor": "…" | null}`.
struct CursorPage<Item: Encodable>: Encodable {
    let results: [Item]
    let nextCursor: String?

    enum CodingKeys: String, CodingKey {
        case results
        case nextCursor = "next_cursor"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(results, forKey: .results)
        try c.encode(nextCursor, forKey: .nextCursor)  // null on the last page, not absent
    }
}
