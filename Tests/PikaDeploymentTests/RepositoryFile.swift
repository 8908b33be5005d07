import Foundation
import PikaMemory

/// Files of this repository, found from this source file's path (the tests read the real deploy/ files).
enum RepositoryFile {
    /// The repository root: three levels above this file (Tests/PikaDeploymentTests/RepositoryFile.swift).
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The absolute path of `relative`.
    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    /// The text of `relative`.
    static func text(_ relative: String) throws -> String { try String(contentsOfFile: path(relative), encoding: .utf8) }

    /// Every file under `folder` whose name ends with one of `extensions`, as paths relative to the root, sorted.
    static func files(under folder: String, extensions: [String]) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: path(folder)) else { return [] }
        return walker.compactMap { $0 as? String }
            .filter { name in extensions.contains { name.hasSuffix("." + $0) } }
            .map { folder + "/" + $0 }
            .sorted()
    }

    /// Parses a JSON file into a `JSONValue`.
    static func json(_ relative: String) throws -> JSONValue {
        try JSONReader.parse(Data(contentsOf: URL(fileURLWithPath: path(relative))))
    }
}

extension JSONValue {
    /// The member `key` of an object, nil otherwise.
    subscript(_ key: String) -> JSONValue? { objectValue?[key] }

    /// The elements of an array, empty otherwise.
    var elements: [JSONValue] { arrayValue ?? [] }
}
