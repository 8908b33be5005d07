import Foundation
import PikaTestSupport

/// One blocking HTTP/1.1 exchange with a server on 127.0.0.1, for talking to chromedriver.
///
/// Why not URLSession: FoundationNetworking rejects chromedriver's replies ("Failed writing header"),
/// whose header lines have no space after the colon (`Content-Length:251`). The replies are small
/// JSON bodies with a `Content-Length`, so a socket, a request and a read up to that length suffice.
/// It blocks: callers run under `.blockingWork`.
enum LoopbackHTTP {
    /// Sends `method path` with an optional JSON body and returns the reply's status and body.
    static func exchange(port: Int, method: String, path: String, body: Data?) throws -> (status: Int, body: Data) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ChildProcessFailure("socket() failed: errno \(errno)") }
        defer { close(fd) }
        // Chromium's start or a slow page can take a while on a loaded machine; never hang for ever.
        var timeout = timeval(tv_sec: 180, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw ChildProcessFailure("connect to 127.0.0.1:\(port) failed: errno \(errno)") }

        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\nContent-Length: \(body?.count ?? 0)\r\n"
        if body != nil { head += "Content-Type: application/json; charset=utf-8\r\n" }
        let request = Array((head + "\r\n").utf8) + (body.map { [UInt8]($0) } ?? [])
        var sent = 0
        while sent < request.count {
            let count = request.withUnsafeBytes { send(fd, $0.baseAddress! + sent, request.count - sent, Int32(MSG_NOSIGNAL)) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw ChildProcessFailure("send to 127.0.0.1:\(port) failed: errno \(errno)") }
            sent += count
        }

        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var expected: Int?  // header length + Content-Length, once the header is in
        while expected.map({ reply.count < $0 }) ?? true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw ChildProcessFailure("recv from 127.0.0.1:\(port) failed: errno \(errno)") }
            if count == 0 { break }
            reply += buffer[0..<count]
            if expected == nil, let end = headerEnd(reply) {
                let length = contentLength(String(decoding: reply[0..<end], as: UTF8.self))
                expected = length.map { end + 4 + $0 } ?? Int.max  // no length: read to the end
            }
        }
        guard let end = headerEnd(reply) else { throw ChildProcessFailure("127.0.0.1:\(port) sent no HTTP header") }
        let header = String(decoding: reply[0..<end], as: UTF8.self)
        let status = header.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? 0
        return (status, Data(reply[(end + 4)...]))
    }

    private static func headerEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }

    private static func contentLength(_ header: String) -> Int? {
        for line in header.split(separator: "\r\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "content-length" {
                return Int(parts[1].trimmingCharacters(in: .whitespaces))
            }
        }
        return nil
    }
}
