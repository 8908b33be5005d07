import Foundation

/// Writes a tiny BERT model directory (hidden 4, 1 layer, 2 heads, 10-token vocabulary) so that
/// loading and validation can be tested without the real model.
struct TinyModel {
    /// Tensor name → (dtype, shape); edit before ``write(to:)`` to produce broken files.
    var tensors: [(name: String, dtype: String, shape: [Int])]
    var config: [String: Any] = [
        "hidden_size": 4, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 8,
        "vocab_size": 10, "max_position_embeddings": 8, "type_vocab_size": 2, "hidden_act": "gelu",
    ]
    /// Bytes dropped from the end of model.safetensors.
    var truncateBy = 0

    static let vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "hello", "world", "##s", "!", "a", "b"]

    init() {
        tensors = [
            ("embeddings.word_embeddings.weight", "F32", [10, 4]),
            ("embeddings.position_embeddings.weight", "F32", [8, 4]),
            ("embeddings.token_type_embeddings.weight", "F32", [2, 4]),
            ("embeddings.LayerNorm.weight", "F32", [4]), ("embeddings.LayerNorm.bias", "F32", [4]),
        ]
        let p = "encoder.layer.0."
        for name in ["query", "key", "value"] {
            tensors += [
                (p + "attention.self.\(name).weight", "F32", [4, 4]), (p + "attention.self.\(name).bias", "F32", [4]),
            ]
        }
        tensors += [
            (p + "attention.output.dense.weight", "F32", [4, 4]), (p + "attention.output.dense.bias", "F32", [4]),
            (p + "attention.output.LayerNorm.weight", "F32", [4]), (p + "attention.output.LayerNorm.bias", "F32", [4]),
            (p + "intermediate.dense.weight", "F32", [8, 4]), (p + "intermediate.dense.bias", "F32", [8]),
            (p + "output.dense.weight", "F32", [4, 8]), (p + "output.dense.bias", "F32", [4]),
            (p + "output.LayerNorm.weight", "F32", [4]), (p + "output.LayerNorm.bias", "F32", [4]),
        ]
    }

    /// Writes model.safetensors, config.json and tokenizer.json into a new temporary directory.
    func write() throws -> String {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("pika-tiny-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var header: [String: Any] = ["__metadata__": ["format": "pt"]]
        var data: [UInt8] = []
        for (index, tensor) in tensors.enumerated() {
            let width = tensor.dtype == "F32" ? 4 : 2
            let count = tensor.shape.reduce(1, *)
            header[tensor.name] = [
                "dtype": tensor.dtype, "shape": tensor.shape, "data_offsets": [data.count, data.count + count * width],
            ]
            for i in 0..<count {
                let value = Float(sin(Double(index * 31 + i))) * 0.5
                if width == 4 {
                    withUnsafeBytes(of: value.bitPattern.littleEndian) { data += $0 }
                } else {
                    data += [0, 0]
                }
            }
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while (8 + json.count) % 8 != 0 { json.append(0x20) }
        var file: [UInt8] = []
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { file += $0 }
        file += json
        file += data
        file.removeLast(min(truncateBy, file.count))
        try Data(file).write(to: URL(fileURLWithPath: directory + "/model.safetensors"))
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: directory + "/config.json"))
        let vocab = Dictionary(uniqueKeysWithValues: Self.vocabulary.enumerated().map { ($1, $0) })
        let tokenizer: [String: Any] = [
            "normalizer": [
                "type": "BertNormalizer", "lowercase": true, "clean_text": true, "handle_chinese_chars": true,
            ],
            "pre_tokenizer": ["type": "BertPreTokenizer"],
            "model": ["type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "vocab": vocab],
        ]
        try JSONSerialization.data(withJSONObject: tokenizer).write(
            to: URL(fileURLWithPath: directory + "/tokenizer.json"))
        return directory
    }
}
