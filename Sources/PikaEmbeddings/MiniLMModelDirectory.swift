import Foundation

/// Where the all-MiniLM-L6-v2 files (model.safetensors, tokenizer.json, config.json) live.
public enum MiniLMModelDirectory {
    /// The environment variable that names the model directory: `PIKA_MODEL_DIR`.
    public static let environmentVariable = "PIKA_MODEL_DIR"
    /// Where `scripts/fetch-model.sh` puts the model, relative to the repository root.
    public static let defaultRelativePath = "models/all-MiniLM-L6-v2"
    /// The command that downloads the model.
    public static let fetchCommand = "scripts/fetch-model.sh"
    /// The files a model directory must hold.
    public static let requiredFiles = ["model.safetensors", "tokenizer.json", "config.json"]

    /// The directory to load: `PIKA_MODEL_DIR` if set, otherwise the first `models/all-MiniLM-L6-v2`
    /// found in the working directory or one of its parents, otherwise that path in the working directory.
    ///
    /// - Parameters:
    ///   - environment: the process environment (injectable for tests).
    ///   - workingDirectory: where to start looking for the default location.
    public static func resolve(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        workingDirectory: String = FileManager.default.currentDirectoryPath
    ) -> String {
        if let configured = environment[environmentVariable], !configured.isEmpty { return configured }
        return nearest(defaultRelativePath, holding: "config.json", from: workingDirectory)
    }

    /// The first `relativePath` holding `file` in `workingDirectory` or one of its parents,
    /// otherwise `relativePath` in `workingDirectory` (shared with ``E5ModelDirectory``).
    static func nearest(_ relativePath: String, holding file: String, from workingDirectory: String) -> String {
        var directory = URL(fileURLWithPath: workingDirectory, isDirectory: true).standardizedFileURL
        while true {
            let candidate = directory.appendingPathComponent(relativePath).path
            if FileManager.default.fileExists(atPath: candidate + "/" + file) { return candidate }
            let parent = directory.deletingLastPathComponent()
            if parent.path == directory.path { break }
            directory = parent
        }
        return URL(fileURLWithPath: workingDirectory).appendingPathComponent(relativePath).path
    }

    /// Throws ``EmbeddingError/Code/modelNotFound`` naming the fetch command if any file is missing.
    public static func requireFiles(in directory: String) throws(EmbeddingError) {
        let missing = requiredFiles.filter { !FileManager.default.fileExists(atPath: directory + "/" + $0) }
        guard missing.isEmpty else {
            throw EmbeddingError(
                .modelNotFound,
                "all-MiniLM-L6-v2 model not found in \(directory) (missing \(missing.joined(separator: ", "))); "
                    + "fetch it with `\(fetchCommand)` (also run by scripts/setup.sh), or set \(environmentVariable) "
                    + "to a directory holding \(requiredFiles.joined(separator: ", "))")
        }
    }
}
