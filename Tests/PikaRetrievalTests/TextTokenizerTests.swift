import Testing

@testable import PikaRetrieval

@Suite struct TextTokenizerTests {
    let tokenizer = TextTokenizer()

    @Test func vietnameseSyllablesKeepTheirAccentsAndGainAFoldedForm() {
        #expect(
            tokenizer.tokens("Tôi thích ăn phở ở Hà Nội!") == [
                "tôi", "toi", "thích", "thich", "ăn", "an", "phở", "pho", "ở", "o", "hà", "ha", "nội", "noi",
            ])
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
        #expect(tokenizer.tokens("Con thích Minecraft và bóng đá") == [
            "con", "thích", "thich", "minecraft", "và", "va", "bóng", "bong", "đá", "da",
        ])
    }
}
