import Testing

@testable import PikaMemory

/// The byte path of `PreferenceQuestion.normalize` for ASCII text must give what the `Character`
/// path gives, so questions are classified exactly as before.
@Suite("Preference question normalisation")
struct PreferenceNormalizeTests {
    static let pieces = [
        "What", " is ", "my", " Favourite", "FAVOURITE", "colour", "COLOUR", "fav ", "favs", "Fav", "?", "'", "’", "!", ".",
        ",", "-", "\"", "(", ")", "$", "+", "<", "=", ">", "^", "`", "|", "~", "_", "@", "#", "%", "&", "*", "/", ":", ";",
        "[", "\\", "]", "{", "}", "\r\n", "\n", "\t", "\u{B}", "\u{C}", "\r", "\u{1C}", "\u{1}", "\u{7F}", "  ", "0", "favo", "urite",
    ]

    @Test func everyASCIICharacterAlone() {
        for byte in 0..<128 {
            let text = "a" + String(UnicodeScalar(UInt8(byte))) + "b " + String(UnicodeScalar(UInt8(byte)))
            #expect(PreferenceQuestion.normalizeASCII(text) == PreferenceQuestion.normalizeUnicode(text), "\(byte)")
        }
    }

    @Test func combinationsOfTrickyPieces() {
        var state: UInt64 = 12_345
        for _ in 0..<3_000 {
            var text = ""
            state = state &* 6_364_136_223_846_793_005 &+ 1
            var bits = state
            for _ in 0..<(Int(bits % 9) + 1) {
                bits /= 9
                text += Self.pieces[Int(bits % UInt64(Self.pieces.count))]
                bits /= UInt64(Self.pieces.count)
                if bits < 1_000 { bits = state ^ 0x9E37_79B9_7F4A_7C15 &* UInt64(text.utf8.count + 1) }
            }
            let expected = PreferenceQuestion.normalizeUnicode(text)
            if text.utf8.allSatisfy({ $0 < 0x80 }) {
                #expect(PreferenceQuestion.normalizeASCII(text) == expected, "\(Array(text.utf8))")
            } else {
                #expect(PreferenceQuestion.normalizeASCII(text) == nil)
            }
            #expect(PreferenceQuestion.normalize(text) == expected)
        }
    }

    @Test func classifiesAsBefore() {
        #expect(PreferenceQuestion.classify("What is my favourite COLOUR?") == .favorite(topic: "color"))
        #expect(PreferenceQuestion.classify("what's my fav food") == .favorite(topic: "food"))
        #expect(PreferenceQuestion.classify("Do I like pizza?") == nil)
        #expect(PreferenceQuestion.classify("What do I like?") == .likes)
    }
}
