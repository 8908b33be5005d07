import Foundation
import Testing

@testable import PikaEmbeddings

@Suite("Model loading and validation")
struct ModelLoadingTests {
    /// The tiny model has 8 positions.
    static let options: MiniLMEmbedder.Options = {
        var options = MiniLMEmbedder.Options()
        options.maxTokens = 8
        options.batchTokens = 8
        return options
    }()

    func loadError(_ model: TinyModel) throws -> EmbeddingError? {
        let directory = try model.write()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            _ = try MiniLMEmbedder(directory: directory, options: Self.options)
            return nil
        } catch {
            return error
        }
    }

    @Test("a well-formed tiny model loads and embeds to unit vectors")
    func tinyModel() throws {
        let directory = try TinyModel().write()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let embedder = try MiniLMEmbedder(directory: directory, options: Self.options)
        #expect(embedder.dimension == 4)
        let results = embedder.encode(["Hello worlds!", "", "zzz"])
        #expect(embedder.tokenizer.encode("Hello worlds!").ids == [2, 4, 5, 6, 7, 3])
        #expect(embedder.tokenizer.encode("zzz").ids == [2, 1, 3])
        for result in results {
            let norm = result.vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
            #expect(abs(norm - 1) < 1e-5)
        }
    }

    @Test("a missing model names the fetch command")
    func missingModel() {
        let error = #expect(throws: EmbeddingError.self) {
            try MiniLMEmbedder(directory: "/nonexistent/pika-model")
        }
        #expect(error?.code == .modelNotFound)
        #expect(error?.message.contains("scripts/fetch-model.sh") == true)
        #expect(error?.message.contains("PIKA_MODEL_DIR") == true)
    }

    @Test("PIKA_MODEL_DIR wins over the default location")
    func environment() {
        #expect(MiniLMModelDirectory.resolve(environment: ["PIKA_MODEL_DIR": "/x/y"], workingDirectory: "/") == "/x/y")
        #expect(
            MiniLMModelDirectory.resolve(environment: [:], workingDirectory: "/nowhere")
                == "/nowhere/models/all-MiniLM-L6-v2")
    }

    @Test("a tensor whose shape disagrees with config.json is named")
    func wrongShape() throws {
        var model = TinyModel()
        model.tensors[3].shape = [5]  // embeddings.LayerNorm.weight
        let error = try loadError(model)
        #expect(error?.code == .modelInvalid)
        #expect(error?.message.contains("embeddings.LayerNorm.weight has shape [5]") == true)
    }

    @Test("a config.json that disagrees with the weights is refused")
    func wrongConfig() throws {
        var model = TinyModel()
        model.config["intermediate_size"] = 16
        let error = try loadError(model)
        #expect(error?.code == .modelInvalid)
        #expect(error?.message.contains("intermediate.dense.weight") == true)
        model = TinyModel()
        model.config["pooling_mode_cls_token"] = true
        #expect(try loadError(model)?.message.contains("mean pooling") == true)
    }

    @Test("wrong dtype, missing tensor, extra layer and truncated file are refused")
    func brokenFiles() throws {
        var model = TinyModel()
        model.tensors[0].dtype = "F16"
        #expect(try loadError(model)?.message.contains("is F16, expected F32") == true)

        model = TinyModel()
        model.tensors.remove(at: 6)
        #expect(try loadError(model)?.message.contains("has no tensor") == true)

        model = TinyModel()
        model.tensors.append(("encoder.layer.1.attention.self.query.weight", "F32", [4, 4]))
        #expect(try loadError(model)?.message.contains("more than the 1 layers") == true)

        model = TinyModel()
        model.truncateBy = 10
        let error = try loadError(model)
        #expect(error?.code == .modelInvalid)
        #expect(error?.message.contains("outside") == true)
    }
}
