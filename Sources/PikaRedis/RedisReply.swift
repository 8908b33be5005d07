/// One RESP2 reply, copied out of hiredis's reply tree (no C memory outlives the call).
public enum RedisReply: Sendable, Equatable {
    /// A bulk string (binary-safe).
    case bulk([UInt8])
    /// A status reply (`+OK`).
    case status(String)
    /// An integer reply.
    case integer(Int64)
    /// The nil bulk string or nil array.
    case null
    /// An array reply.
    case array([RedisReply])
    /// An error reply (`-ERR …`): the command failed, the connection is fine.
    case error(String)

    /// The bytes of a bulk reply; nil for `null`; throws for anything else.
    public func bytes(command: String? = nil) throws(RedisError) -> [UInt8]? {
        switch self {
        case .bulk(let bytes): return bytes
        case .null: return nil
        case .status(let text): return Array(text.utf8)
        case .error(let message): throw RedisError(.server, message, command: command)
        default: throw RedisError(.unexpectedReply, "expected a bulk string, got \(self.kind)", command: command)
        }
    }

    /// The bulk or status reply as UTF-8 text; nil for `null`.
    public func string(command: String? = nil) throws(RedisError) -> String? {
        try bytes(command: command).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The integer of an integer reply.
    public func integer(command: String? = nil) throws(RedisError) -> Int64 {
        switch self {
        case .integer(let value): return value
        case .error(let message): throw RedisError(.server, message, command: command)
        default: throw RedisError(.unexpectedReply, "expected an integer, got \(self.kind)", command: command)
        }
    }

    /// Throws the server's error for an error reply; returns the reply otherwise.
    @discardableResult
    public func checked(command: String? = nil) throws(RedisError) -> RedisReply {
        if case .error(let message) = self { throw RedisError(.server, message, command: command) }
        return self
    }

    private var kind: String {
        switch self {
        case .bulk: "bulk"
        case .status: "status"
        case .integer: "integer"
        case .null: "null"
        case .array: "array"
        case .error: "error"
        }
    }
}
