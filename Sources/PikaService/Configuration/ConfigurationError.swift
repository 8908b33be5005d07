/// Start-up refused: each problem names the setting at fault.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `NAME: what is wrong`, one per problem.
    public let problems: [String]

    /// Creates an error.
    public init(problems: [String]) { self.problems = problems }

    /// All problems, one per line.
    public var description: String {
        "invalid configuration:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}
