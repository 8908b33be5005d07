import Foundation
import PikaEngine
import PikaTestSupport
import Testing

@testable import PikaStorage

/// The int8 scan copy of sealed segments (format version 2): exact tenant scans read it and
/// must answer exactly as the f32 rows do; version-1 files (without it) still serve; verify
/// checks its checksum.
@Suite("Sealed segments: int8 scan copy", .blockingWork)
struct ScanCopyTests {
    /// Exact top-k ids by cosine over `live` record numbers of `tenant` (vectors normalised).
    static func cosineBruteForce(_ query: [Float], live: [Int], k: Int, tenant: UInt32) -> [String] {
        func unit(_ v: [Float]) -> [Float] {
            let n = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return v.map { $0 / n }
        }
        let q = unit(query)
        var scored: [(Float, String)] = []
        for n in live where UInt32(n % 4) == tenant {
            let v = unit(Fixture.vector(n))
            scored.append((1 - zip(q, v).reduce(0) { $0 + $1.0 * $1.1 }, "id-\(n)"))
        }
        scored.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        return scored.prefix(k).map(\.1)
    }

    /// A cosine store with one sealed segment of 800 records (200 per tenant), 40 of them
    /// deleted after sealing (tombstones the scans must skip).
    static func sealedCosineStore(at path: String, options: OpenOptions = OpenOptions()) throws -> (DataDirectory, [Int]) {
        let store = try DataDirectory.create(at: path, configuration: Fixture.configuration(.cosine), options: options)
        try store.upsert((0..<800).map { Fixture.record($0) }, vectors: (0..<800).map { Fixture.vector($0) })
        try store.seal()
        try store.delete(ids: stride(from: 0, to: 800, by: 20).map { "id-\($0)" })
        return (store, (0..<800).filter { $0 % 20 != 0 })
    }

    static func expectExactTenantScans(_ store: DataDirectory, live: [Int]) throws {
        for q in 0..<40 {
            let query = Fixture.vector(10_000 + q)
            let tenant = UInt32(q % 4)
            var options = RecordSearchOptions(k: q % 2 == 0 ? 10 : 25, tenant: tenant)
            options.plan = .exact
            let hits = try store.search(query, options: options)
            #expect(Fixture.ids(hits) == cosineBruteForce(query, live: live, k: options.k, tenant: tenant), "query \(q)")
        }
    }

    @Test("cosine segments carry the int8 copy; exact tenant scans match brute force; L2 segments have none")
    func exactScans() throws {
        let dir = try TempDir()
        let (store, live) = try Self.sealedCosineStore(at: dir.sub("d"))
        let segment = try #require(store.state.withLock { $0.segments.first })
        #expect(segment.header.quantizedOffset > 0)
        #expect(segment.header.quantizedOffset % SegmentFormat.quantizedAlignment == 0)
        try Self.expectExactTenantScans(store, live: live)

        let l2 = try Fixture.store(at: dir.sub("l2"), count: 100)
        try l2.seal()
        #expect(l2.state.withLock { $0.segments.first?.header.quantizedOffset } == 0)
    }

    @Test("compaction gives a lone segment the scan copy the options ask for, and takes it away; answers stay exact")
    func compactionFollowsTheSetting() throws {
        let dir = try TempDir()
        let live: [Int]
        do { (_, live) = try Self.sealedCosineStore(at: dir.sub("d")) }
        var without = OpenOptions()
        without.scanCopies = false
        do {
            let store = try DataDirectory.open(at: dir.sub("d"), options: without)
            #expect(try store.compact() == 40, "the tombstones go, and with them the copy")
            #expect(store.state.withLock { $0.segments.map(\.header.quantizedOffset) } == [0])
            #expect(try store.compact() == nil, "a lone segment of the asked shape is left alone")
            try Self.expectExactTenantScans(store, live: live)
        }
        let store = try DataDirectory.open(at: dir.sub("d"))
        #expect(try store.compact() == 0, "rewritten for its copy, nothing dropped")
        #expect(try #require(store.state.withLock { $0.segments.first }).header.quantizedOffset > 0)
        #expect(try store.compact() == nil)
        try Self.expectExactTenantScans(store, live: live)
    }

    @Test("a version-1 segment (no int8 copy) opens, answers the same, and verifies")
    func versionOne() throws {
        let dir = try TempDir()
        let live: [Int]
        do { (_, live) = try Self.sealedCosineStore(at: dir.sub("d")) }
        let name = try #require(try Bytes.files(dir.sub("d"), prefix: "seg-", suffix: ".pseg").first)
        var bytes = try Bytes.read(dir.sub("d/" + name))
        var header = try bytes.withRawBytes { (raw) throws(StorageError) in try SegmentFormat.parseHeader(raw, path: name) }
        bytes.removeLast(bytes.count - header.recordsEnd)
        header.fileLength = header.recordsEnd
        header.quantizedOffset = 0
        header.quantizedCRC = 0
        let head = SegmentFormat.encodeHeader(header, version: 1)
        bytes.replaceSubrange(0..<head.count, with: head)
        try Bytes.write(bytes, to: dir.sub("d/" + name))

        #expect(DataDirectory.verify(at: dir.sub("d")).isHealthy)
        let store = try DataDirectory.open(at: dir.sub("d"))
        #expect(store.recovery.problems.isEmpty)
        #expect(store.state.withLock { $0.segments.first?.header.quantizedOffset } == 0)
        try Self.expectExactTenantScans(store, live: live)
    }

    @Test("a flipped byte in the int8 copy is found by verify, naming the segment")
    func verifyCopy() throws {
        let dir = try TempDir()
        do { _ = try Self.sealedCosineStore(at: dir.sub("d")) }
        let name = try #require(try Bytes.files(dir.sub("d"), prefix: "seg-", suffix: ".pseg").first)
        var bytes = try Bytes.read(dir.sub("d/" + name))
        let header = try bytes.withRawBytes { (raw) throws(StorageError) in try SegmentFormat.parseHeader(raw, path: name) }
        bytes[header.quantizedOffset + 3] ^= 0x08
        try Bytes.write(bytes, to: dir.sub("d/" + name))
        let report = DataDirectory.verify(at: dir.sub("d"))
        #expect(!report.isHealthy)
        #expect(report.files.filter { $0.error != nil }.map(\.file) == [name])
    }

    @Test("with scanCopies off, seal and compaction write no int8 copy, the files are smaller by exactly it, and scans answer the same")
    func withoutCopies() throws {
        let dir = try TempDir()
        var options = OpenOptions()
        options.scanCopies = false
        let (with, _) = try Self.sealedCosineStore(at: dir.sub("with"))
        let (without, live) = try Self.sealedCosineStore(at: dir.sub("without"), options: options)
        let copied = try #require(with.state.withLock { $0.segments.first?.header })
        let plain = try #require(without.state.withLock { $0.segments.first?.header })
        #expect(plain.quantizedOffset == 0)
        #expect(plain.fileLength == copied.recordsEnd)
        #expect(copied.fileLength - plain.fileLength >= copied.rows * (copied.dimension + 8))
        try Self.expectExactTenantScans(without, live: live)
        _ = try without.compact()
        #expect(without.state.withLock { $0.segments.allSatisfy { $0.header.quantizedOffset == 0 } })
        try Self.expectExactTenantScans(without, live: live)
    }
}
