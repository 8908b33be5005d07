import Foundation

/// A Dockerfile read as instructions (continuation lines joined, comments dropped), grouped by stage.
struct DockerfileModel {
    /// One instruction: keyword upper-cased, the rest as written.
    struct Instruction {
        /// `FROM`, `RUN`, `USER`, …
        var keyword: String
        /// Everything after the keyword.
        var arguments: String
    }

    /// One `FROM` and the instructions up to the next.
    struct Stage {
        /// The image reference, with global `ARG` defaults substituted.
        var image: String
        /// The `AS` name, if any.
        var name: String?
        /// The stage's instructions after `FROM`.
        var instructions: [Instruction]

        /// The arguments of every instruction with `keyword`.
        func all(_ keyword: String) -> [String] { instructions.filter { $0.keyword == keyword }.map(\.arguments) }

        /// Every package named by an `apt-get install` in this stage's `RUN`s.
        var aptPackages: [String] {
            var packages: [String] = []
            for run in all("RUN") {
                for command in run.components(separatedBy: "&&").flatMap({ $0.components(separatedBy: ";") }) {
                    let words = command.split(whereSeparator: \.isWhitespace).map(String.init)
                    guard let apt = words.firstIndex(where: { $0 == "apt-get" || $0 == "apt" }),
                        let install = words[apt...].firstIndex(of: "install")
                    else { continue }
                    packages += words[(install + 1)...].filter { !$0.hasPrefix("-") }
                }
            }
            return packages
        }
    }

    /// Global `ARG` defaults (before the first `FROM`).
    var globalArguments: [String: String] = [:]
    /// The stages in order.
    var stages: [Stage] = []

    /// Parses `text`.
    init(_ text: String) {
        var logical: [String] = []
        var pending = ""
        for raw in text.components(separatedBy: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#") { continue }
            if line.hasSuffix("\\") {
                pending += line.dropLast() + " "
            } else {
                pending += line
                if !pending.trimmingCharacters(in: .whitespaces).isEmpty { logical.append(pending) }
                pending = ""
            }
        }
        for line in logical {
            let parts = line.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            let keyword = parts[0].uppercased()
            let arguments = parts.count > 1 ? String(parts[1]).trimmingCharacters(in: .whitespaces) : ""
            if keyword == "FROM" {
                let words = arguments.split(separator: " ").map(String.init)
                var image = words.first ?? ""
                for (name, value) in globalArguments {
                    image = image.replacingOccurrences(of: "${\(name)}", with: value)
                        .replacingOccurrences(of: "$\(name)", with: value)
                }
                let name = words.count >= 3 && words[1].uppercased() == "AS" ? words[2] : nil
                stages.append(Stage(image: image, name: name, instructions: []))
            } else if stages.isEmpty {
                if keyword == "ARG", let equals = arguments.firstIndex(of: "=") {
                    globalArguments[String(arguments[..<equals])] = String(arguments[arguments.index(after: equals)...])
                }
            } else {
                stages[stages.count - 1].instructions.append(Instruction(keyword: keyword, arguments: arguments))
            }
        }
    }
}
