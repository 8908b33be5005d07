import Foundation
import PikaEngine

@testable import PikaStorage

/// A temporary directory removed when released.
final class TempDir {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "pika-storage-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func sub(_ name: String) -> String { path + "/" + name }
}

/// Seeded vectors and records.
struct Fixture {
    static let dimension = 8

    static func vector(_ n: Int) -> [Float] {
        var state = UInt64(n) &* 0x9E37_79B9_7F4A_7C15 | 1
        return (0..<dimension).map { _ in
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return Float((state &* 2_685_821_657_736_338_717) >> 40) / Float(1 << 24) - 0.5
        }
    }

    static func record(_ n: Int, tenant: UInt32? = nil, text: String? = nil) -> StoredRecord {
        StoredRecord(
            id: "id-\(n)", tenant: tenant ?? UInt32(n % 4), userID: "user-\(n % 4)", agentID: n % 2 == 0 ? "agent" : nil,
            runID: nil, text: text ?? "memory number \(n)", metadataJSON: #"{"n":\#(n)}"#, createdAt: Int64(n), updatedAt: Int64(n),
            provenance: "test")
    }

    static func configuration(_ metric: Metric = .l2) -> CollectionConfiguration {
        var c = CollectionConfiguration(dimension: dimension, metric: metric, embedder: "test")
        c.exactScanThreshold = 50
        return c
    }

    /// A store with `count` records, written through the log.
    static func store(at path: String, count: Int, metric: Metric = .l2, options: OpenOptions = OpenOptions()) throws -> DataDirectory {
        let store = try DataDirectory.create(at: path, configuration: configuration(metric), options: options)
        try store.upsert((0..<count).map { record($0) }, vectors: (0..<count).map { vector($0) })
        return store
    }

    /// Exact top-k ids by brute force over `live` record numbers.
    static func bruteForce(_ query: [Float], live: [Int], k: Int, tenant: UInt32? = nil) -> [String] {
        var scored: [(Float, String)] = []
        for n in live where tenant == nil || UInt32(n % 4) == tenant {
            let v = vector(n)
            var d: Float = 0
            for i in 0..<dimension {
                let t = v[i] - query[i]
                d += t * t
            }
            scored.append((d, "id-\(n)"))
        }
        scored.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        return scored.prefix(k).map(\.1)
    }

    static func ids(_ hits: [RecordHit]) -> [String] { hits.map(\.record.id) }
}

/// Reads and rewrites files byte by byte.
enum Bytes {
    static func read(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }
    static func write(_ bytes: [UInt8], to path: String) throws { try Data(bytes).write(to: URL(fileURLWithPath: path)) }

    static func copyDirectory(_ from: String, _ to: String) throws {
        try? FileManager.default.removeItem(atPath: to)
        try FileManager.default.copyItem(atPath: from, toPath: to)
    }

    static func files(_ dir: String, prefix: String, suffix: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix(prefix) && $0.hasSuffix(suffix) }.sorted()
    }
}
