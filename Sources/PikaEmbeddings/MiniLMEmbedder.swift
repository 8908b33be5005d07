import Dispatch
import Foundation
import PikaEngine

/// One sentence embedding with what the tokenizer did to its text.
public struct SentenceEmbedding: Sendable, Equatable {
    /// The unit-length vector.
    public var vector: [Float]
    /// Tokens the encoder saw, `[CLS]` and `[SEP]` included.
    public var tokenCount: Int
    /// Whether the text was cut to ``MiniLMEmbedder/Options/maxTokens`` tokens (its tail was not embedded).
    public var truncated: Bool

    /// Creates a sentence embedding.
    public init(vector: [Float], tokenCount: Int, truncated: Bool) {
        self.vector = vector
        self.tokenCount = tokenCount
        self.truncated = truncated
    }
}

/// The native all-MiniLM-L6-v2 sentence embedder: WordPiece tokenizer, 6-layer BERT encoder on
/// the encoder's C kernels, mean pooling and L2 normalisation. Nothing leaves the machine.
///
/// Loading maps model.safetensors (about 90 MB) without reading it all; one embedder can be shared
/// by any number of tasks. ``encode(_:)`` is synchronous and CPU-bound; the ``embed(_:)``
/// requirement of ``Embedder`` runs it on a Dispatch thread and awaits the result.
public struct MiniLMEmbedder: Embedder {
    /// How the embedder loads and runs.
    public struct Options: Sendable, Equatable {
        /// Truncation length in tokens, `[CLS]` and `[SEP]` included (default 256, as sentence-transformers).
        public var maxTokens = 256
        /// Tokens per forward pass; larger batches are split (bounds memory at ~30 KB per token).
        public var batchTokens = 4096
        /// Forward passes run at once on separate threads for large inputs (default 1).
        /// The encoder does not use OpenBLAS, so its thread setting does not matter here.
        public var parallelism = 1
        /// The model name recorded in collections.
        public var name = "all-MiniLM-L6-v2"
        /// Arithmetic of the linear layers; nil reads ``EmbeddingPrecision/environmentKey``
        /// (`PIKA_EMBEDDING_PRECISION`, default ``EmbeddingPrecision/miniLMDefault``, int8).
        public var precision: EmbeddingPrecision? = nil
        /// Whether a short input's products are split between two cores (``QuerySplitting``); nil
        /// reads ``QuerySplitting/environmentKey`` (`PIKA_EMBEDDING_SPLIT`, default on).
        public var splitting: QuerySplitting? = nil

        /// Default options.
        public init() {}
    }

    /// The model name (``Options/name``).
    public let name: String
    /// The width of the vectors (384 for all-MiniLM-L6-v2).
    public let dimension: Int
    /// The tokenizer read from tokenizer.json.
    public let tokenizer: WordPieceTokenizer
    /// The directory the model was loaded from.
    public let directory: String
    /// The arithmetic of the linear layers.
    public var precision: EmbeddingPrecision { encoder.weights.precision }
    /// The instruction set of the encoder's products on this CPU (e.g. `avx512-vnni`).
    public var kernel: String {
        precision == .int8
            ? EncoderKernels.name(EncoderKernels.int8, int8: true)
            : EncoderKernels.name(EncoderKernels.float32, int8: false)
    }
    /// Whether short inputs split their products between two cores (false when the setting is off
    /// or the process may use only one CPU).
    public var splitsShortInputs: Bool { encoder.team != nil }
    /// Chunks of products the second thread has computed so far (0 without one): whether splitting happens.
    public var splitWorkerChunks: UInt64 { encoder.team?.workerChunks ?? 0 }
    private let encoder: MiniLMEncoder
    private let options: Options

    /// Loads the model from `directory` (default: ``MiniLMModelDirectory/resolve(environment:workingDirectory:)``).
    ///
    /// - Throws: ``EmbeddingError/Code/modelNotFound`` naming `scripts/fetch-model.sh` when files
    ///   are missing; ``EmbeddingError/Code/modelInvalid`` or ``EmbeddingError/Code/tokenizerInvalid``
    ///   when they do not agree with config.json or cannot be read.
    public init(directory: String? = nil, options: Options = Options()) throws(EmbeddingError) {
        let directory = directory ?? MiniLMModelDirectory.resolve()
        try MiniLMModelDirectory.requireFiles(in: directory)
        guard options.batchTokens >= options.maxTokens, options.parallelism >= 1 else {
            throw EmbeddingError(.invalidArgument, "batchTokens must be ≥ maxTokens and parallelism ≥ 1")
        }
        let configuration = try MiniLMConfiguration(contentsOf: directory + "/config.json")
        guard options.maxTokens <= configuration.maxPositions else {
            throw EmbeddingError(
                .invalidArgument,
                "maxTokens \(options.maxTokens) exceeds the model's \(configuration.maxPositions) positions")
        }
        let precision = try EmbeddingPrecision.chosen(options.precision, default: .miniLMDefault)
        let weights = try MiniLMWeights(
            contentsOf: directory + "/model.safetensors", configuration: configuration, precision: precision)
        let tokenizer = try WordPieceTokenizer(contentsOf: directory + "/tokenizer.json", maxTokens: options.maxTokens)
        guard tokenizer.vocabularySize == configuration.vocabularySize else {
            throw EmbeddingError(
                .modelInvalid,
                "tokenizer.json has \(tokenizer.vocabularySize) tokens but the model has \(configuration.vocabularySize) word embeddings"
            )
        }
        self.name = options.name
        self.dimension = configuration.hiddenSize
        self.tokenizer = tokenizer
        self.directory = directory
        let splitting = try QuerySplitting.chosen(options.splitting, default: .defaultValue)
        self.encoder = MiniLMEncoder(weights: weights, splitting: splitting)
        self.options = options
    }

    /// Embeds each text, reporting token counts and truncation.
    ///
    /// - Complexity: O(t·d²) for t tokens in all; texts are batched up to ``Options/batchTokens``.
    public func encode(_ texts: [String]) -> [SentenceEmbedding] {
        let tokenized = texts.map(tokenizer.encode)
        // Contiguous batches of at most batchTokens tokens.
        var batches: [Range<Int>] = []
        var start = 0
        var budget = 0
        for (i, text) in tokenized.enumerated() {
            if budget + text.ids.count > options.batchTokens, i > start {
                batches.append(start..<i)
                start = i
                budget = 0
            }
            budget += text.ids.count
        }
        if start < tokenized.count { batches.append(start..<tokenized.count) }
        let ranges = batches

        let vectors: [[[Float]]]
        if options.parallelism > 1 && batches.count > 1 {
            let results = ResultSlots<[[Float]]>(count: ranges.count)
            let workers = min(options.parallelism, ranges.count)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                for b in stride(from: worker, to: ranges.count, by: workers) {
                    results.store(encoder.encode(ranges[b].map { tokenized[$0].ids }), at: b)
                }
            }
            vectors = results.values
        } else {
            vectors = ranges.map { range in encoder.encode(range.map { tokenized[$0].ids }) }
        }
        return zip(tokenized, vectors.joined()).map { text, vector in
            SentenceEmbedding(vector: vector, tokenCount: text.ids.count, truncated: text.truncated)
        }
    }

    /// Embeds each text (see ``encode(_:)`` for token counts and truncation).
    ///
    /// The work runs on a Dispatch thread, not on the caller's, so a long batch does not hold one
    /// of Swift concurrency's few cooperative threads (two on a two-core machine) for its duration.
    public func embed(_ texts: [String]) async throws(EmbeddingError) -> [[Float]] {
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(returning: encode(texts).map(\.vector))
            }
        }
    }

    /// Sets how many threads OpenBLAS uses, for the whole process (it is a global setting of the
    /// library); ``BLASThreads/set(_:)``.
    public static func setBLASThreads(_ count: Int) {
        BLASThreads.set(count)
    }

    /// How many threads OpenBLAS currently uses; ``BLASThreads/current``.
    /// - Throws: ``EngineError/Code/blasUnavailable`` when `libopenblas.so.0` cannot be loaded.
    public static var blasThreads: Int {
        get throws(EngineError) { try BLASThreads.current }
    }
}

/// Fixed slots written by concurrent workers, each slot by exactly one worker.
///
/// `@unchecked Sendable` is safe: workers write disjoint indices of a buffer allocated up front
/// (never resized, so no two writes touch the same memory), and ``values`` is read only after
/// `concurrentPerform` has returned, which orders every write before the read.
private final class ResultSlots<Value>: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<Value?>
    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }
    deinit {
        slots.deinitialize()
        slots.deallocate()
    }
    func store(_ value: Value, at index: Int) { slots[index] = value }
    var values: [Value] { slots.map { $0! } }
}
