import Foundation
import PikaMemory

/// How local tools reach the `pika serve` that owns a data directory: at start it writes
/// `control.json` into the directory (mode 0600: `{"url":…, "key":…, "pid":…}`), and the routes
/// under `/internal/` accept requests that present that key as `Authorization: Bearer KEY`
/// (``post(_:body:timeout:client:)`` sends them). Whoever can read the data directory may control
/// the service; nobody else can, whatever API keys they hold (API keys are not looked at there).
public struct ControlChannel: Sendable, Codable, Hashable {
    /// The file's name inside the data directory.
    public static let fileName = "control.json"
    /// Where the service listens, as seen from this machine.
    public var url: String
    /// The shared secret (64 hex digits).
    public var key: String
    /// The service's process id.
    public var pid: Int32

    /// A new channel with a fresh random key.
    public static func make(url: String) -> ControlChannel {
        var generator = SystemRandomNumberGenerator()
        let key = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        return ControlChannel(url: url, key: key, pid: getpid())
    }

    /// Writes the channel into `directory`, readable by its owner only.
    public func publish(in directory: String) throws {
        let path = directory + "/" + Self.fileName
        let temporary = path + ".tmp"
        // A failed write must not let an older temporary file be renamed into place.
        guard
            FileManager.default.createFile(
                atPath: temporary, contents: try CanonicalJSON.data(of: self), attributes: [.posixPermissions: 0o600])
        else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary])
        }
        guard rename(temporary, path) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    /// The channel published in `directory`, nil when there is none (no service has run there).
    public static func read(in directory: String) -> ControlChannel? {
        guard let data = FileManager.default.contents(atPath: directory + "/" + fileName) else { return nil }
        return try? JSONDecoder().decode(ControlChannel.self, from: data)
    }

    /// Whether `presented` is this channel's key (compared in constant time).
    public func accepts(_ presented: String?) -> Bool {
        guard let presented else { return false }
        let a = Array(presented.utf8)
        let b = Array(key.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}
