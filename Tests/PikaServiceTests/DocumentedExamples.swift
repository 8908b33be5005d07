import Foundation

/// The `curl` examples of a Markdown page: each fenced `sh` block that runs `curl`, with the HTTP
/// status written after each request as a comment line `# → 200 …`.
struct DocumentedExample: Sendable, Equatable {
    /// `file:line` of the block's opening fence.
    let location: String
    /// The block's shell text.
    let script: String
    /// The statuses its requests answer, in order.
    let statuses: [Int]

    /// The examples of `markdown` (a page named `file`), in page order. Blocks without `curl` (how to
    /// build, how to run) are not examples.
    static func parse(_ markdown: String, file: String) -> [DocumentedExample] {
        var examples: [DocumentedExample] = []
        var block: (start: Int, lines: [String])?
        for (number, line) in markdown.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if var open = block {
                if trimmed == "```" {
                    let script = open.lines.joined(separator: "\n")
                    if script.contains("curl ") {
                        examples.append(
                            DocumentedExample(location: "\(file):\(open.start)", script: script, statuses: open.lines.compactMap(status)))
                    }
                    block = nil
                } else {
                    open.lines.append(trimmed.isEmpty ? "" : String(line.drop { $0 == " " }))
                    block = open
                }
            } else if trimmed == "```sh" {
                block = (number + 1, [])
            }
        }
        return examples
    }

    /// The status of an `# → NNN` line.
    private static func status(_ line: String) -> Int? {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("# → ") else { return nil }
        return Int(trimmed.dropFirst(4).prefix(3))
    }

    /// One bash script running every example in order in `directory` against `127.0.0.1:port`
    /// (the pages say `localhost:8080`). Its `curl` is a function that appends each request's status
    /// and exit code to `log`, each example's run headed by `@@example N`.
    static func script(_ examples: [DocumentedExample], directory: String, port: Int, log: String) -> String {
        var lines = [
            "cd '\(directory)'",
            "curl() {",
            "  command curl --show-error --write-out '%{stderr}@@status %{http_code}\\n' \"$@\" 2>>'\(log)'",
            "  local code=$?",
            "  echo \"@@exit $code\" >>'\(log)'",
            "  return $code",
            "}",
        ]
        for (index, example) in examples.enumerated() {
            lines.append("echo '@@example \(index)' >>'\(log)'")
            lines.append(
                example.script.replacingOccurrences(of: "localhost:8080", with: "127.0.0.1:\(port)")
                    .replacingOccurrences(of: "127.0.0.1:8080", with: "127.0.0.1:\(port)"))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// What each example's requests answered, read back from the script's log: per example, the
    /// statuses and curl exit codes in order, and every other line curl wrote (its errors).
    static func outcomes(_ log: String, count: Int) -> [(statuses: [Int], exits: [Int], errors: [String])] {
        var outcomes = [(statuses: [Int], exits: [Int], errors: [String])](repeating: ([], [], []), count: count)
        var current: Int?
        for line in log.split(separator: "\n") {
            if line.hasPrefix("@@example "), let index = Int(line.dropFirst(10)), outcomes.indices.contains(index) {
                current = index
            } else if let index = current {
                if line.hasPrefix("@@status "), let status = Int(line.dropFirst(9)) {
                    outcomes[index].statuses.append(status)
                } else if line.hasPrefix("@@exit "), let code = Int(line.dropFirst(7)) {
                    outcomes[index].exits.append(code)
                } else {
                    outcomes[index].errors.append(String(line))
                }
            }
        }
        return outcomes
    }
}
