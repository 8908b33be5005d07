/// A malformed or unreadable interchange file (`.fbin`, `.ibin`, `.u32bin`).
///
/// The description is one line naming the file and what is wrong with it, which the CLI
/// prints as is.
public struct InterchangeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file.
    public let path: String
    /// What is wrong, e.g. "truncated: header says 100 rows of 4 bytes × 8, file has 3208 bytes".
    public let reason: String

    /// Creates an error about `path`.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// `path: reason`.
    public var description: String { "\(path): \(reason)" }
}
