import PikaEngine

/// A command as its arguments, each sent length-prefixed (binary-safe: values may hold any byte).
public struct RedisCommand: Sendable, Equatable {
    /// The arguments, the command name first.
    public var arguments: [[UInt8]]

    /// A command of text arguments, e.g. `RedisCommand("GET", key)`.
    public init(_ name: String, _ arguments: String...) {
        self.arguments = [Array(name.utf8)] + arguments.map { Array($0.utf8) }
    }

    /// A command of raw arguments (the first is the name).
    public init(arguments: [[UInt8]]) { self.arguments = arguments }

    /// `SET key value PX ttl` with a binary value.
    public static func set(_ key: String, _ value: [UInt8], ttl: Duration? = nil) -> RedisCommand {
        var arguments: [[UInt8]] = [Array("SET".utf8), Array(key.utf8), value]
        if let ttl {
            let millis = max(1, ttl.wholeMilliseconds)
            arguments += [Array("PX".utf8), Array(String(millis).utf8)]
        }
        return RedisCommand(arguments: arguments)
    }

    /// The command's name, for errors and logs.
    public var name: String { arguments.first.map { String(decoding: $0, as: UTF8.self).uppercased() } ?? "" }
}
