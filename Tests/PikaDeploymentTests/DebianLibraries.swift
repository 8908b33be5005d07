import Foundation

/// Which Debian packages provide the shared libraries a binary loads, and which packages a list of
/// packages brings in with its dependencies (read from this Debian machine's dpkg database).
enum DebianLibraries {
    /// One library `ldd` resolved.
    struct Library: Hashable {
        /// The soname (`libpq.so.5`).
        var name: String
        /// Where it was found.
        var path: String
    }

    /// The `pika` executable the tests were built with: it sits beside the test bundle.
    static func builtExecutable() throws -> String {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("pika").path
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue {
                return candidate
            }
            directory = directory.deletingLastPathComponent()
        }
        throw Failure("no built `pika` beside the test bundle \(CommandLine.arguments[0]): build with --build-tests")
    }

    /// Every library `ldd` resolves for `executable` (the vDSO and unresolved names are errors or skipped).
    static func linked(by executable: String) throws -> [Library] {
        let output = try HostCommand.run("/usr/bin/ldd", [executable])
        guard output.status == 0 else { throw Failure("ldd \(executable) failed: \(output.stderr)") }
        var libraries: [Library] = []
        for line in output.stdout.split(separator: "\n") {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.contains("not found") { throw Failure("ldd: \(text)") }
            guard let arrow = text.range(of: " => ") else { continue }  // vDSO and the loader itself
            let name = String(text[..<arrow.lowerBound])
            let rest = text[arrow.upperBound...]
            let path = rest.split(separator: " ").first.map(String.init) ?? ""
            if path.hasPrefix("/") { libraries.append(Library(name: name, path: path)) }
        }
        return libraries
    }

    /// Where the loader finds `soname` for this machine's architecture (`ldconfig -p`), as `dlopen` would.
    static func cached(soname: String) throws -> String? {
        let output = try HostCommand.run("/sbin/ldconfig", ["-p"])
        guard output.status == 0 else { throw Failure("ldconfig -p failed: \(output.stderr)") }
        for line in output.stdout.split(separator: "\n") {
            let text = line.trimmingCharacters(in: .whitespaces)
            guard text.hasPrefix(soname + " "), text.contains("x86-64") || text.contains("AArch64"),
                let arrow = text.range(of: " => ")
            else { continue }
            return String(text[arrow.upperBound...])
        }
        return nil
    }

    /// The Debian package that installed `path` (tried as given, resolved, and with or without the
    /// `/usr` prefix, because of Debian's merged /usr and alternatives symlinks).
    static func package(owning path: String) throws -> String? {
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        var candidates: [String] = []
        for p in [path, resolved] {
            candidates.append(p)
            candidates.append(p.hasPrefix("/usr/") ? String(p.dropFirst(4)) : "/usr" + p)
        }
        for candidate in candidates {
            let output = try HostCommand.run("/usr/bin/dpkg", ["-S", candidate])
            guard output.status == 0 else { continue }
            for line in output.stdout.split(separator: "\n") where !line.hasPrefix("diversion") {
                guard let colon = line.range(of: ": ") else { continue }
                let owner = line[..<colon.lowerBound].split(separator: ",").first.map(String.init) ?? ""
                return owner.trimmingCharacters(in: .whitespaces).split(separator: ":").first.map(String.init)
            }
        }
        return nil
    }

    /// `packages` and everything they depend on, as apt would install it (first alternative of each
    /// `a | b`), expanded through the packages installed on this machine.
    static func closure(of packages: [String]) throws -> Set<String> {
        var seen = Set<String>()
        var queue = packages
        while let package = queue.popLast() {
            guard seen.insert(package).inserted else { continue }
            let output = try HostCommand.run("/usr/bin/dpkg-query", ["-W", "-f=${Depends}, ${Pre-Depends}", package])
            guard output.status == 0 else { continue }  // not installed here: its own name still counts
            for clause in output.stdout.split(separator: ",") {
                let first = clause.split(separator: "|").first ?? ""
                let name =
                    first.trimmingCharacters(in: .whitespaces)
                    .split(separator: " ").first.map(String.init)?
                    .split(separator: ":").first.map(String.init) ?? ""
                if !name.isEmpty { queue.append(name) }
            }
        }
        return seen
    }
}
