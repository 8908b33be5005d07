/// The Porter (1980) suffix-stripping algorithm for English words.
///
/// Works on lower-case ASCII; other input is returned unchanged. Written from the published
/// description of the algorithm (steps 1a–5, with the measure m of a stem).
public enum PorterStemmer {
    /// The stem of `word`; words of one or two letters are returned as they are.
    public static func stem(_ word: String) -> String {
        guard word.utf8.count > 2, word.utf8.allSatisfy({ $0 >= 0x61 && $0 <= 0x7A }) else { return word }
        var w = Array(word.utf8)
        step1a(&w)
        step1b(&w)
        step1c(&w)
        step2(&w)
        step3(&w)
        step4(&w)
        step5(&w)
        return String(decoding: w, as: UTF8.self)
    }

    // MARK: Letters and measure

    private static func isConsonant(_ w: [UInt8], _ i: Int) -> Bool {
        switch w[i] {
        case UInt8(ascii: "a"), UInt8(ascii: "e"), UInt8(ascii: "i"), UInt8(ascii: "o"), UInt8(ascii: "u"): return false
        case UInt8(ascii: "y"): return i == 0 ? true : !isConsonant(w, i - 1)
        default: return true
        }
    }

    /// m: the number of vowel–consonant sequences in `w[0..<end]`.
    private static func measure(_ w: [UInt8], _ end: Int) -> Int {
        var m = 0
        var i = 0
        while i < end && isConsonant(w, i) { i += 1 }
        while i < end {
            while i < end && !isConsonant(w, i) { i += 1 }
            guard i < end else { break }
            m += 1
            while i < end && isConsonant(w, i) { i += 1 }
        }
        return m
    }

    private static func hasVowel(_ w: [UInt8], _ end: Int) -> Bool {
        (0..<end).contains { !isConsonant(w, $0) }
    }

    private static func endsDoubleConsonant(_ w: [UInt8], _ end: Int) -> Bool {
        end >= 2 && w[end - 1] == w[end - 2] && isConsonant(w, end - 1)
    }

    /// *o: the stem ends consonant–vowel–consonant, the last not w, x or y.
    private static func endsCVC(_ w: [UInt8], _ end: Int) -> Bool {
        guard end >= 3, isConsonant(w, end - 1), !isConsonant(w, end - 2), isConsonant(w, end - 3) else {
            return false
        }
        let last = w[end - 1]
        return last != UInt8(ascii: "w") && last != UInt8(ascii: "x") && last != UInt8(ascii: "y")
    }

    // Suffix tests compare in place: they run dozens of times per word, and building arrays for
    // them made the stemmer the largest cost of indexing a user's memories.
    private static func ends(_ w: [UInt8], _ suffix: String) -> Bool {
        ends(w, suffix.utf8)
    }

    private static func ends(_ w: [UInt8], _ suffix: some Collection<UInt8>) -> Bool {
        let n = suffix.count
        return w.count >= n && w[(w.count - n)...].elementsEqual(suffix)
    }

    /// Replaces `suffix` by `replacement` when the remaining stem has measure > `minMeasure`.
    @discardableResult
    private static func replace(_ w: inout [UInt8], _ suffix: String, _ replacement: String, minMeasure: Int) -> Bool {
        guard ends(w, suffix) else { return false }
        let stemEnd = w.count - suffix.utf8.count
        if measure(w, stemEnd) > minMeasure {
            w.removeLast(suffix.utf8.count)
            w.append(contentsOf: replacement.utf8)
        }
        return true
    }

    // MARK: Steps

    private static func step1a(_ w: inout [UInt8]) {
        if ends(w, "sses") || ends(w, "ies") {
            w.removeLast(2)
        } else if ends(w, "ss") {
            return
        } else if ends(w, "s") {
            w.removeLast()
        }
    }

    private static func step1b(_ w: inout [UInt8]) {
        if ends(w, "eed") {
            if measure(w, w.count - 3) > 0 { w.removeLast() }
            return
        }
        var stripped = false
        if ends(w, "ed"), hasVowel(w, w.count - 2) {
            w.removeLast(2)
            stripped = true
        } else if ends(w, "ing"), hasVowel(w, w.count - 3) {
            w.removeLast(3)
            stripped = true
        }
        guard stripped else { return }
        if ends(w, "at") || ends(w, "bl") || ends(w, "iz") {
            w.append(UInt8(ascii: "e"))
        } else if endsDoubleConsonant(w, w.count), let last = w.last,
            last != UInt8(ascii: "l") && last != UInt8(ascii: "s") && last != UInt8(ascii: "z")
        {
            w.removeLast()
        } else if measure(w, w.count) == 1 && endsCVC(w, w.count) {
            w.append(UInt8(ascii: "e"))
        }
    }

    private static func step1c(_ w: inout [UInt8]) {
        if ends(w, "y"), hasVowel(w, w.count - 1) { w[w.count - 1] = UInt8(ascii: "i") }
    }

    private static let step2Rules: [(String, String)] = [
        ("ational", "ate"), ("tional", "tion"), ("enci", "ence"), ("anci", "ance"), ("izer", "ize"),
        ("abli", "able"), ("alli", "al"), ("entli", "ent"), ("eli", "e"), ("ousli", "ous"), ("ization", "ize"),
        ("ation", "ate"), ("ator", "ate"), ("alism", "al"), ("iveness", "ive"), ("fulness", "ful"),
        ("ousness", "ous"), ("aliti", "al"), ("iviti", "ive"), ("biliti", "ble"),
    ]

    private static func step2(_ w: inout [UInt8]) {
        for (suffix, replacement) in step2Rules where replace(&w, suffix, replacement, minMeasure: 0) { return }
    }

    private static let step3Rules: [(String, String)] = [
        ("icate", "ic"), ("ative", ""), ("alize", "al"), ("iciti", "ic"), ("ical", "ic"), ("ful", ""), ("ness", ""),
    ]

    private static func step3(_ w: inout [UInt8]) {
        for (suffix, replacement) in step3Rules where replace(&w, suffix, replacement, minMeasure: 0) { return }
    }

    private static let step4Suffixes = [
        "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ion", "ou", "ism", "ate",
        "iti", "ous", "ive", "ize",
    ]

    private static let step4SuffixesLongestFirst = step4Suffixes.sorted { $0.utf8.count > $1.utf8.count }

    private static func step4(_ w: inout [UInt8]) {
        // Longest match first among suffixes that share an ending (ement/ment/ent).
        for suffix in step4SuffixesLongestFirst where ends(w, suffix) {
            let stemEnd = w.count - suffix.utf8.count
            if suffix == "ion" {
                guard stemEnd > 0, w[stemEnd - 1] == UInt8(ascii: "s") || w[stemEnd - 1] == UInt8(ascii: "t") else {
                    return
                }
            }
            if measure(w, stemEnd) > 1 { w.removeLast(suffix.utf8.count) }
            return
        }
    }

    private static func step5(_ w: inout [UInt8]) {
        if ends(w, "e") {
            let m = measure(w, w.count - 1)
            if m > 1 || (m == 1 && !endsCVC(w, w.count - 1)) { w.removeLast() }
        }
        if ends(w, "ll"), measure(w, w.count) > 1 { w.removeLast() }
    }
}
