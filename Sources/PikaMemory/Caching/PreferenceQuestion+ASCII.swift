extension PreferenceQuestion {
    /// ``normalize(_:)`` of ASCII text by bytes (nil for other text): the same string as
    /// ``normalizeUnicode(_:)``, which, by `Character`s with Foundation's lowercasing and
    /// replacing, cost about 3 % of the server's CPU per search (every engine search is classified).
    /// The byte classes come from `Character` itself, so they cannot disagree with it.
    static func normalizeASCII(_ text: String) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + 8)
        for byte in text.utf8 {
            guard byte < 0x80 else { return nil }
            bytes.append(byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte)
        }
        for (from, to) in asciiFoldings { bytes = replacing(from, with: to, in: bytes) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 8)
        var pendingSpace = false
        func word(_ piece: some Sequence<UInt8>) {
            if pendingSpace, !out.isEmpty { out.append(UInt8(ascii: " ")) }
            pendingSpace = false
            out.append(contentsOf: piece)
        }
        for byte in bytes {
            if byte == UInt8(ascii: "?") {
                // `?` is spaced out as a word of its own.
                pendingSpace = true
                word(CollectionOfOne(byte))
                pendingSpace = true
            } else if asciiSeparators[Int(byte)] {
                pendingSpace = true
            } else {
                word(CollectionOfOne(byte))
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The spelling foldings of ``normalizeUnicode(_:)``, in its order.
    private static let asciiFoldings: [([UInt8], [UInt8])] = [
        ("favourite", "favorite"), ("colour", "color"), ("fav ", "favorite "), ("favs", "favorites"),
    ].map { (Array($0.utf8), Array($1.utf8)) }

    /// ASCII bytes that end a word: whitespace, and punctuation other than `'` and `?`.
    private static let asciiSeparators: [Bool] = (0..<128).map { byte in
        let character = Character(Unicode.Scalar(UInt8(byte)))
        return character.isWhitespace || (character.isPunctuation && character != "'" && character != "?")
    }

    /// `bytes` with every occurrence of `from` replaced by `to`, left to right, not overlapping
    /// (as `replacingOccurrences` does).
    private static func replacing(_ from: [UInt8], with to: [UInt8], in bytes: [UInt8]) -> [UInt8] {
        guard bytes.count >= from.count else { return bytes }
        var out: [UInt8] = []
        var i = 0
        var changed = false
        while i < bytes.count {
            if i + from.count <= bytes.count, bytes[i] == from[0], bytes[i..<i + from.count].elementsEqual(from) {
                if !changed {
                    out.reserveCapacity(bytes.count + 16)
                    out.append(contentsOf: bytes[..<i])
                    changed = true
                }
                out.append(contentsOf: to)
                i += from.count
            } else {
                if changed { out.append(bytes[i]) }
                i += 1
            }
        }
        return changed ? out : bytes
    }
}
