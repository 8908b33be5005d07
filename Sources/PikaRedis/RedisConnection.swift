import CHiredis
import PikaEngine

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One blocking connection to Redis, owning hiredis's `redisContext` (never exposed).
///
/// Not thread-safe and not `Sendable`: ``RedisClient`` keeps each connection on one serial queue.
/// Calls block the calling thread for at most the command timeout (set on the socket), so they must
/// never run on Swift's cooperative pool. After an I/O error or a timeout the connection is
/// ``isBroken`` and must be replaced; an error *reply* leaves it usable.
public final class RedisConnection {
    private let context: UnsafeMutablePointer<redisContext>
    /// Whether an I/O error, a protocol error or a timeout made this connection unusable.
    public private(set) var isBroken = false

    /// Connects (TCP, then `AUTH` and `SELECT` when configured) with the configuration's timeouts.
    public init(_ configuration: RedisConfiguration) throws(RedisError) {
        guard
            let context = redisConnectWithTimeout(
                configuration.host, Int32(configuration.port), Self.timeValue(configuration.connectTimeout))
        else {
            throw RedisError(.connectionFailed, "cannot allocate a redis context")
        }
        // From here every property is set: a throw runs deinit, which frees the context.
        self.context = context
        if context.pointee.err != 0 {
            throw RedisError(.connectionFailed, "\(configuration.host):\(configuration.port): \(Self.message(context))")
        }
        guard redisSetTimeout(context, Self.timeValue(configuration.commandTimeout)) == REDIS_OK else {
            let message = Self.message(context)
            throw RedisError(.connectionFailed, "cannot set the command timeout: \(message)")
        }
        _ = redisEnableKeepAlive(context)
        do {
            if let password = configuration.password {
                try execute(RedisCommand("AUTH", password)).checked(command: "AUTH")
            }
            if configuration.database != 0 {
                try execute(RedisCommand("SELECT", String(configuration.database))).checked(command: "SELECT")
            }
        } catch {
            throw RedisError(.connectionFailed, error.message, command: error.command)
        }
    }

    deinit { redisFree(context) }

    /// Sends one command and waits for its reply.
    public func execute(_ command: RedisCommand) throws(RedisError) -> RedisReply {
        try pipeline([command])[0]
    }

    /// Sends every command, then reads every reply: one round trip for the lot. Replies are in
    /// command order; an error reply stays in its slot (it fails that command only).
    public func pipeline(_ commands: [RedisCommand]) throws(RedisError) -> [RedisReply] {
        guard !isBroken else { throw RedisError(.io, "connection was dropped after an earlier failure") }
        guard !commands.isEmpty else { return [] }
        for command in commands {
            let status = Self.withArgv(command.arguments) { argc, argv, lengths in
                redisAppendCommandArgv(context, argc, argv, lengths)
            }
            guard status == REDIS_OK else { throw failure(command) }
        }
        var replies: [RedisReply] = []
        replies.reserveCapacity(commands.count)
        for command in commands {
            var raw: UnsafeMutableRawPointer?
            guard redisGetReply(context, &raw) == REDIS_OK, let raw else { throw failure(command) }
            defer { freeReplyObject(raw) }
            replies.append(Self.convert(raw.assumingMemoryBound(to: redisReply.self)))
        }
        return replies
    }

    /// Marks the connection broken and describes the context's error.
    private func failure(_ command: RedisCommand) -> RedisError {
        let code = context.pointee.err
        let savedErrno = errno
        isBroken = true
        let message = Self.message(context)
        // A socket timeout surfaces as an I/O error with EAGAIN (hiredis copies strerror into errstr).
        let timedOut =
            savedErrno == EAGAIN || savedErrno == EWOULDBLOCK || savedErrno == ETIMEDOUT
            || message.contains("temporarily unavailable")
        if code == REDIS_ERR_IO && timedOut {
            return RedisError(.timeout, "no reply within the command timeout", command: command.name)
        }
        switch code {
        case REDIS_ERR_PROTOCOL: return RedisError(.protocolError, message, command: command.name)
        case REDIS_ERR_EOF: return RedisError(.io, "server closed the connection", command: command.name)
        default: return RedisError(.io, message, command: command.name)
        }
    }

    /// Lays the arguments out in one buffer and hands hiredis pointers and lengths into it.
    private static func withArgv<T>(
        _ arguments: [[UInt8]],
        _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> T
    ) -> T {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(arguments.reduce(1) { $0 + $1.count })
        var offsets: [Int] = []
        var lengths: [Int] = []
        for argument in arguments {
            offsets.append(buffer.count)
            lengths.append(argument.count)
            buffer += argument
        }
        buffer.append(0)  // never empty, so the base address exists even for all-empty arguments
        return buffer.withUnsafeBufferPointer { bytes in
            bytes.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bytes.count) { base in
                var pointers: [UnsafePointer<CChar>?] = offsets.map { base + $0 }
                return pointers.withUnsafeMutableBufferPointer { argv in
                    lengths.withUnsafeBufferPointer { body(Int32(arguments.count), argv.baseAddress!, $0.baseAddress!) }
                }
            }
        }
    }

    private static func convert(_ reply: UnsafeMutablePointer<redisReply>) -> RedisReply {
        let r = reply.pointee
        switch r.type {
        case REDIS_REPLY_STRING:
            return .bulk(r.str.map { Array(UnsafeRawBufferPointer(start: $0, count: r.len)) } ?? [])
        case REDIS_REPLY_STATUS:
            return .status(r.str.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: r.len), as: UTF8.self) } ?? "")
        case REDIS_REPLY_ERROR:
            return .error(r.str.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: r.len), as: UTF8.self) } ?? "")
        case REDIS_REPLY_INTEGER:
            return .integer(Int64(r.integer))
        case REDIS_REPLY_ARRAY:
            guard let elements = r.element else { return .array([]) }
            return .array((0..<r.elements).map { index in elements[index].map(convert) ?? .null })
        default:
            return .null
        }
    }

    private static func message(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    private static func timeValue(_ duration: Duration) -> timeval {
        let microseconds = duration.wholeMicroseconds
        return timeval(tv_sec: Int(microseconds / 1_000_000), tv_usec: Int(microseconds % 1_000_000))
    }
}
