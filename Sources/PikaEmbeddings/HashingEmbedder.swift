/// An embedder that needs no model: signed feature hashing of words and word pairs.
///
/// Deterministic across processes and machines (FNV-1a, not Swift's seeded `Hasher`), so it suits
/// tests and tiny deployments. It captures word overlap, not meaning. Vectors are L2-normalised;
/// a text without any word (empty, only punctuation) gives the zero vector.
public struct HashingEmbedder: Embedder {
    /// `"hashing-v1"`; bump the version if the feature scheme ever changes.
    public let name = "hashing-v1"
    /// The vector length chosen at creation.
    public let dimension: Int

    /// Creates a hashing embedder.
    ///
    /// - Parameter dimension: vector length, at least 1 (default 384, the same as MiniLM).
    public init(dimension: Int = 384) throws(EmbeddingError) {
        guard dimension > 0 else {
            throw EmbeddingError(.invalidArgument, "hashing embedder dimension must be positive, got \(dimension)")
        }
        self.dimension = dimension
    }

    /// Embeds each text. Never fails.
    public func embed(_ texts: [String]) async throws(EmbeddingError) -> [[Float]] {
        texts.map(vector(for:))
    }

    /// The vector for one text, synchronously.
    ///
    /// - Complexity: O(n) in the length of `text`.
    public func vector(for text: String) -> [Float] {
        var vector = [Float](repeating: 0, count: dimension)
        let words = Self.words(in: text)
        var previous: UInt64?
        for word in words {
            add(word, weight: 1, to: &vector)
            if let previous { add(previous &* 31 ^ word, weight: 0.5, to: &vector) }
            previous = word
        }
        var norm: Float = 0
        for x in vector { norm += x * x }
        if norm > 0 {
            let scale = 1 / norm.squareRoot()
            for i in vector.indices { vector[i] *= scale }
        }
        return vector
    }

    private func add(_ feature: UInt64, weight: Float, to vector: inout [Float]) {
        let mixed = Self.mix(feature)
        let index = Int(mixed % UInt64(dimension))
        vector[index] += (mixed >> 63) == 0 ? weight : -weight
    }

    /// FNV-1a hashes of the lower-cased alphanumeric runs of `text`.
    static func words(in text: String) -> [UInt64] {
        var hashes: [UInt64] = []
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var inWord = false
        for scalar in text.unicodeScalars {
            let properties = scalar.properties
            if properties.isAlphabetic || properties.numericType != nil {
                for lower in properties.lowercaseMapping.utf8 {
                    hash = (hash ^ UInt64(lower)) &* 0x100_0000_01b3
                }
                inWord = true
            } else if inWord {
                hashes.append(hash)
                hash = 0xcbf2_9ce4_8422_2325
                inWord = false
            }
        }
        if inWord { hashes.append(hash) }
        return hashes
    }

    /// A 64-bit finaliser (splitmix64) so that nearby FNV values spread over the buckets.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
