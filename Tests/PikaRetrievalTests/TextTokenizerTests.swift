import Testing

@testable import PikaRetrieval

@Suite struct TextTokenizerTests {
    let tokenizer = TextTokenizer()

    @Test func vietnameseSyllablesKeepTheirAccentsAndGainAFoldedForm() {
        #expect(
            tokenizer.tokens("Tôi thích ăn phở ở Hà Nội!") == [
                "tôi", "toi", "thích", "thich", "ăn", "phở", "pho", "ở", "o", "hà", "ha", "nội", "noi",
            ])  // folded "an" is an English stop word, as a typed "an" is
    }

    /// A query typed without accents holds ASCII words, stemmed and stop-worded; the folded forms of
    /// accented text are analysed the same way, so every word of the toneless query meets its text.
    @Test func aTonelessQueryMeetsTheFoldedFormsOfAccentedText() {
        for (typed, written) in [
            ("lan thich meo", "Lan thích mèo"), ("hom nay ngay dep", "Hôm nay ngày đẹp"),
            ("may bay", "máy bay"), ("cay thay", "cây thấy"),
        ] {
            let query = Set(tokenizer.tokens(typed))
            #expect(!query.isEmpty)
            #expect(query.isSubset(of: Set(tokenizer.tokens(written))), "\(typed) → \(query) vs \(tokenizer.tokens(written))")
        }
        #expect(tokenizer.tokens("ngày") == ["ngày", PorterStemmer.stem("ngay")])
    }

    @Test func decomposedInputGivesTheSameTermsAsPrecomposed() {
        let decomposed = "Ha\u{0300} No\u{0323}\u{0302}i"  // "Hà Nội" written with combining marks
        #expect(tokenizer.tokens(decomposed) == tokenizer.tokens("Hà Nội"))
    }

    @Test func dStrokeFoldsToD() {
        #expect(tokenizer.tokens("Đà Nẵng") == ["đà", "da", "nẵng", "nang"])
        #expect(TextTokenizer.fold("đường") == "duong")
    }

    @Test func englishIsLowercasedStemmedAndStopWordsDropped() {
        #expect(tokenizer.tokens("The running dogs, and THE cats!") == ["run", "dog", "cat"])
        #expect(TextTokenizer(removesStopWords: false, stemsEnglish: false).tokens("The dogs") == ["the", "dogs"])
    }

    @Test func porterStemmerKnownCases() {
        let cases = [
            "caresses": "caress", "ponies": "poni", "cats": "cat", "agreed": "agre", "plastered": "plaster",
            "motoring": "motor", "hopping": "hop", "filing": "file", "happy": "happi", "relational": "relat",
            "conditional": "condit", "generalization": "gener", "effective": "effect", "adjustment": "adjust",
            "controlling": "control", "roll": "roll",
        ]
        for (word, stem) in cases { #expect(PorterStemmer.stem(word) == stem, "\(word)") }
    }

    @Test func mixedVietnameseAndEnglish() {
        #expect(
            tokenizer.tokens("Con thích Minecraft và bóng đá") == [
                "con", "thích", "thich", "minecraft", "và", "va", "bóng", "bong", "đá", "da",
            ])
    }
}

@Suite struct ASCIIFastPathTests {
    @Test func asciiWordsMatchTheUnicodePathOnEveryASCIIText() {
        var samples = [
            "The running dogs, and THE cats!", "What does the user like?", "note 3-56 (x_y) a1b2 C3PO",
            "tabs\tand\r\nnewlines\u{0B}\u{0C}", "", "   ", "!!!", "e.g. U.S.A. 2026-11-26T03:27:51Z", "CamelCase snake_case kebab-case",
        ]
        // Every ASCII byte, alone and between letters, plus pseudo-random ASCII strings.
        samples += (0..<128).map { "ab" + String(UnicodeScalar(UInt8($0))) + "Cd" }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<500 {
            var bytes: [UInt8] = []
            for _ in 0..<40 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                bytes.append(UInt8(truncatingIfNeeded: state >> 33) & 0x7F)
            }
            samples.append(String(decoding: bytes, as: UTF8.self))
        }
        for text in samples {
            #expect(TextTokenizer.asciiWords(text) == TextTokenizer.unicodeWords(text), "\(text.debugDescription)")
        }
    }

    @Test func nonASCIITextStillTakesTheUnicodePath() {
        #expect(TextTokenizer.words("Hà Nội, PHỞ!") == ["hà", "nội", "phở"])
        #expect(TextTokenizer.words("Hà Nội") == TextTokenizer.unicodeWords("Hà Nội"))
    }
}
