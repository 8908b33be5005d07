import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A request as the test server saw it.
public struct TestHTTPRequest: Sendable {
    /// `GET`, `POST`…
    public var method: String
    /// The request target, e.g. `/v1/embeddings`.
    public var path: String
    /// Header fields, names lower-cased.
    public var headers: [String: String]
    /// The body (`Content-Length` bytes).
    public var body: Data
}

/// What the test server does with a request.
public enum TestHTTPBehavior: Sendable {
    /// Answer with a status and a body.
    case respond(status: Int, body: String)
    /// Read the request, then say nothing for this long (or until the server stops) and hang up.
    case stall(seconds: Double)
}

/// A small HTTP/1.1 server on a real loopback socket, one thread per connection, `Connection: close`.
///
/// `@unchecked Sendable` is safe: `port`, `listener` and `handler` are `let`s set in `init`; the
/// mutable state (stop flag, request log) lives in `state`, a lock-protected box.
public final class TestHTTPServer: @unchecked Sendable {
    /// The loopback port it listens on.
    public let port: UInt16
    private let listener: Int32
    private let handler: @Sendable (TestHTTPRequest, Int) -> TestHTTPBehavior
    private let state = LockedBox(State())

    private struct State {
        var stopped = false
        var listenerClosed = false
        var requests: [TestHTTPRequest] = []
    }

    /// Starts listening on 127.0.0.1 at a free port. `handler` gets each request and its 0-based ordinal.
    public init(handler: @escaping @Sendable (TestHTTPRequest, Int) -> TestHTTPBehavior) throws {
        self.handler = handler
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(fd, generic, length) == 0 && listen(fd, 64) == 0 && getsockname(fd, generic, &length) == 0
            }
        }
        guard bound else {
            let code = errno
            close(fd)
            throw POSIXError(.init(rawValue: code) ?? .EIO)
        }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// The base URL clients should use, e.g. `http://127.0.0.1:PORT/v1`.
    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)/v1")! }

    /// Requests received so far.
    public var requests: [TestHTTPRequest] { state.withLockedValue { $0.requests } }

    /// Stops accepting; stalled connections hang up within 50 ms.
    public func stop() { state.withLockedValue { $0.stopped = true } }

    /// Stops accepting and returns once the listening socket is closed: a connection is then refused.
    public func stopAndWait() async {
        stop()
        while !state.withLockedValue({ $0.listenerClosed }) { try? await Task.sleep(for: .milliseconds(5)) }
    }

    private var stopped: Bool { state.withLockedValue { $0.stopped } }

    private func acceptLoop() {
        defer {
            close(listener)
            state.withLockedValue { $0.listenerClosed = true }
        }
        while !stopped {
            var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 50) > 0 else { continue }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            Thread.detachNewThread { [self] in serve(connection) }
        }
    }

    private func serve(_ connection: Int32) {
        defer { close(connection) }
        guard let request = readRequest(connection) else { return }
        let ordinal = state.withLockedValue { state -> Int in
            state.requests.append(request)
            return state.requests.count - 1
        }
        switch handler(request, ordinal) {
        case .respond(let status, let body):
            let payload = Array(body.utf8)
            let head =
                "HTTP/1.1 \(status) \(status == 200 ? "OK" : "Status")\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(payload.count)\r\nConnection: close\r\n\r\n"
            writeAll(connection, Array(head.utf8) + payload)
        case .stall(let seconds):
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline && !stopped { usleep(20_000) }
        }
    }

    private func readRequest(_ connection: Int32) -> TestHTTPRequest? {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        var headerEnd: Int?
        var contentLength = 0
        while true {
            if headerEnd == nil, let end = buffer.firstRange(of: separator)?.upperBound {
                headerEnd = end
                let head = String(decoding: buffer[..<end], as: UTF8.self)
                for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
                    contentLength = Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) ?? 0
                }
            }
            if let end = headerEnd, buffer.count >= end + contentLength { break }
            let n = read(connection, &chunk, chunk.count)
            if n <= 0 { return nil }
            buffer += chunk[0..<n]
        }
        let end = headerEnd!
        let lines = String(decoding: buffer[..<end], as: UTF8.self).split(separator: "\r\n")
        let requestLine = lines.first?.split(separator: " ") ?? []
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        return TestHTTPRequest(
            method: requestLine.count > 0 ? String(requestLine[0]) : "",
            path: requestLine.count > 1 ? String(requestLine[1]) : "",
            headers: headers, body: Data(buffer[end..<(end + contentLength)]))
    }

    private func writeAll(_ connection: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            offset += n
        }
    }
}

/// A value reached only inside a lock (a `Mutex` that test closures can capture by reference).
public final class LockedBox<Value: Sendable>: Sendable {
    private let value: Mutex<Value>
    /// Boxes `value`.
    public init(_ value: Value) { self.value = Mutex(value) }
    /// Runs `body` on the value inside the lock.
    public func withLockedValue<T: Sendable, E: Error>(_ body: (inout Value) throws(E) -> T) throws(E) -> T {
        try value.withLock { (value) throws(E) -> T in try body(&value) }
    }
}
