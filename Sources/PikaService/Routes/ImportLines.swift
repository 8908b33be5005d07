import Foundation
import PikaMemory

/// The export lines of an import (JSONL, one memory per line), read and checked the one way both
/// import routes and `pika import` read them, before anything is embedded or written.
public enum ImportLines {
    /// The first line that is refused: its 1-based number, why, and the problem code the service
    /// answers with (`pika import` exits 2 with `FILE:LINE: reason`).
    public struct Failure: Error, Sendable, Equatable {
        /// The line's 1-based number in the text.
        public var line: Int
        /// Why, e.g. `missing "memory"`, `id "42" is not a UUID`.
        public var reason: String
        /// `malformed_jsonl` (not an export line), `invalid_argument` (its id or memory), or
        /// `invalid_id` (its agent or run id).
        public var code: String
    }

    /// Every non-blank line as an export line: a JSON object with a UUID `id`, a non-blank `memory`,
    /// and valid agent and run ids. An empty result is the caller's to judge.
    public static func parse(_ text: String) throws(Failure) -> [ExportLine] {
        var lines: [ExportLine] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            func refuse(_ reason: String, _ code: String = "malformed_jsonl") -> Failure {
                Failure(line: index + 1, reason: reason, code: code)
            }
            let line: ExportLine
            do {
                line = try JSONDecoder().decode(ExportLine.self, from: Data(trimmed.utf8))
            } catch DecodingError.keyNotFound(let key, _) {
                throw refuse("missing \"\(key.stringValue)\"")
            } catch DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context) {
                throw refuse("wrong type at \"\(context.codingPath.map(\.stringValue).joined(separator: "."))\"")
            } catch {
                throw refuse("not a JSON object")
            }
            guard Identifiers.uuid(line.id) != nil else {
                throw refuse("id \(JSONValue.string(line.id).jsonText) is not a UUID", "invalid_argument")
            }
            guard !line.memory.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw refuse("empty memory", "invalid_argument")
            }
            for (name, value) in [("agent_id", line.agentID), ("run_id", line.runID)] {
                if let value, !Identifiers.isValid(value) {
                    throw refuse("\(name) \(JSONValue.string(value).jsonText) is not a valid id", "invalid_id")
                }
            }
            lines.append(line)
        }
        return lines
    }

    /// The lines of an import request's body; a refused line is a 400 naming its number, and a
    /// body without lines is a 400 too (a mistake, not an import of nothing).
    static func request(_ text: String) throws -> [ExportLine] {
        let lines: [ExportLine]
        do throws(Failure) {
            lines = try parse(text)
        } catch {
            throw Problem.badRequest(error.code, "line \(error.line): \(error.reason)")
        }
        guard !lines.isEmpty else {
            throw Problem.badRequest("empty_import", "the body holds no export lines (JSONL, one memory per line)")
        }
        return lines
    }
}
