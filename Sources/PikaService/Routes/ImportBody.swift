import Foundation
import PikaMemory

/// The export lines of an import body (JSONL, one memory per line), as both import routes read it.
enum ImportBody {
    /// Every non-blank line as an export line; a line that is not one is a 400 naming its number,
    /// and a body without lines is a 400 too (a mistake, not an import of nothing).
    static func lines(_ text: String) throws -> [ExportLine] {
        var lines: [ExportLine] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            guard let parsed = ExportLine.parse(trimmed) else {
                throw Problem.badRequest("malformed_jsonl", "line \(number + 1) is not a memory export line")
            }
            lines.append(parsed)
        }
        guard !lines.isEmpty else {
            throw Problem.badRequest("empty_import", "the body holds no export lines (JSONL, one memory per line)")
        }
        return lines
    }
}
