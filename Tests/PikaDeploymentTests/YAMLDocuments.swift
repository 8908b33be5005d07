import Foundation
import PikaMemory

/// YAML files parsed by PyYAML (Debian's python3-yaml, installed by scripts/setup.sh), handed over as JSON.
enum YAMLDocuments {
    /// Debian's interpreter, where python3-yaml installs (another python3 on the PATH may lack PyYAML).
    static let python = "/usr/bin/python3"

    private static let script = """
        import json, sys, yaml
        with open(sys.argv[1]) as f:
            docs = [d for d in yaml.safe_load_all(f) if d is not None]
        print(json.dumps(docs, default=str))
        """

    /// Every document of the YAML file `relative` (relative to the repository root).
    static func load(_ relative: String) throws -> [JSONValue] {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw Failure("\(python) is missing: run scripts/setup.sh (it installs python3-yaml)")
        }
        let output = try HostCommand.run(python, ["-c", script, RepositoryFile.path(relative)])
        guard output.status == 0 else {
            throw Failure("\(relative) does not parse as YAML (PyYAML from python3-yaml, scripts/setup.sh): \(output.stderr)")
        }
        return try JSONReader.parse(output.stdout).elements
    }

    /// The one document of `relative`.
    static func single(_ relative: String) throws -> JSONValue {
        let documents = try load(relative)
        guard documents.count == 1 else { throw Failure("\(relative): \(documents.count) YAML documents, expected 1") }
        return documents[0]
    }
}

/// A test precondition that did not hold, with a message that says what to fix.
struct Failure: Error, CustomStringConvertible {
    /// What went wrong.
    let description: String

    init(_ description: String) { self.description = description }
}
